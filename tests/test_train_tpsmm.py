"""TPSMM training: its config, transform dropout, the warp loss, checkpoints load_model reads, exact resume."""

from __future__ import annotations

import copy
from pathlib import Path

import numpy as np
import pytest
import torch
from train_fixtures import BlobPairs, losses_of, read_log

import fomm_core
from fomm_core.engines.tpsmm import TPSMMModel, build_networks
from fomm_core.errors import UserError
from fomm_core.networks.common.sampling import make_coordinate_grid
from fomm_core.networks.tpsmm.dense_motion import TPSDenseMotion, contribution_maps
from fomm_core.train.setup import load_train_setup, setup_from_dict
from fomm_core.train.trainer import Trainer

SIZE = 64
TINY_TPSMM_DOCUMENT = {
    "dataset_params": {"frame_shape": [SIZE, SIZE, 3]},
    "model_params": {
        "common_params": {"num_tps": 2, "num_channels": 3, "bg": False, "multi_mask": True},
        "generator_params": {"block_expansion": 4, "max_features": 32, "num_down_blocks": 3},
        "dense_motion_params": {
            "block_expansion": 4,
            "max_features": 32,
            "num_blocks": 3,
            "scale_factor": 0.25,
        },
    },
    "train_params": {
        "num_epochs": 2,
        "num_repeats": 1,
        "epoch_milestones": [1],
        "lr_generator": 2e-4,
        "batch_size": 4,
        "scales": [1, 0.5],
        "checkpoint_freq": 1,
        "loss": "l1_ssim",
        "seed": 5,
        "log_every": 1,
        "sample_every": 100,
        "checkpoint_every": 100,
        "dataloader_workers": 0,
        "dropout_epoch": 1,
        "dropout_maxp": 0.3,
        "dropout_startp": 0.1,
        "dropout_inc_epoch": 10,
        "transform_params": {"sigma_affine": 0.05, "sigma_tps": 0.005, "points_tps": 5},
        "loss_weights": {"perceptual": [10, 10], "equivariance_value": 10, "warp_loss": 10},
    },
}


pytestmark = pytest.mark.usefixtures("one_thread")


def _document(**train_overrides) -> dict:
    document = copy.deepcopy(TINY_TPSMM_DOCUMENT)
    document["train_params"].update(train_overrides)
    return document


def test_original_style_tpsmm_config_is_read_with_its_own_key_names():
    setup = setup_from_dict(_document())
    assert setup.model.engine == "tpsmm" and setup.model.num_tps == 2 and setup.model.frame_size == SIZE
    assert setup.train.num_workers == 0  # TPSMM's dataloader_workers
    assert setup.train.loss_weights["warp_loss"] == 10


def test_dropout_probability_ramps_then_stops_at_dropout_epoch():
    params = setup_from_dict(
        _document(dropout_epoch=35, dropout_maxp=0.3, dropout_startp=0.1, dropout_inc_epoch=10)
    ).train
    # P = min(epoch / inc · maxp + startp, maxp) before dropout_epoch, then 0
    assert params.dropout_p(0) == pytest.approx(0.1)
    assert params.dropout_p(5) == pytest.approx(0.25)
    assert params.dropout_p(20) == pytest.approx(0.3)
    assert params.dropout_p(35) == 0.0


@pytest.mark.parametrize("change, message", [({"bg": True}, "background predictor"), (None, "without a GAN")])
def test_unsupported_tpsmm_training_options_are_refused(change, message):
    document = _document()
    if change:
        document["model_params"]["common_params"].update(change)
    else:
        document["train_params"]["loss_weights"]["generator_gan"] = 1
    with pytest.raises(UserError, match=message):
        setup_from_dict(document)


def test_contribution_dropout_never_drops_the_identity_and_still_normalises():
    logits = torch.randn(64, 5, 3, 3)
    assert torch.allclose(contribution_maps(logits), torch.softmax(logits, 1))
    torch.manual_seed(0)
    dropped = contribution_maps(logits, 0.5)
    # normalised by (sum + 1e-6) as in TPSMM: just under 1 where the strongest transforms were dropped
    sums = dropped.sum(1)
    assert (sums <= 1 + 1e-6).all() and (sums > 0.99).all()
    zeroed = (dropped == 0).all(dim=(2, 3))
    assert not zeroed[:, 0].any()
    assert 0.3 < zeroed[:, 1:].float().mean() < 0.7
    everything = contribution_maps(logits, 1.0)
    assert (everything[:, 1:] == 0).all()
    identity = torch.exp(logits[:, 0] - logits.max(1).values)
    assert torch.allclose(everything[:, 0], identity / (identity + 1e-6))


def _identity_motion(n: int, size: int) -> TPSDenseMotion:
    grid = make_coordinate_grid(size, size).expand(n, size, size, 2)
    occlusions = [torch.ones(n, 1, size // 2 ** (3 - i), size // 2 ** (3 - i)) for i in range(4)]
    return TPSDenseMotion(grid, occlusions, torch.ones(n, 1, size, size), torch.zeros(n, 1, 3, size, size))


def test_warp_loss_is_zero_for_an_identity_flow_on_the_same_frame_and_trains_only_the_flow(tmp_path):
    trainer = Trainer(setup_from_dict(_document()), BlobPairs(SIZE), tmp_path)
    full = trainer.full_generator
    frames = torch.rand(2, 3, SIZE, SIZE)
    motion = _identity_motion(2, SIZE)
    assert float(full.warp_loss(full.inpainting_network.encode(frames), frames, motion)) < 1e-5
    other = torch.rand(2, 3, SIZE, SIZE)
    assert float(full.warp_loss(full.inpainting_network.encode(frames), other, motion)) > 1e-3

    kp = full.kp_detector(torch.cat([frames, other]))
    motion = full.dense_motion_network(frames, kp[2:], kp[:2])
    full.warp_loss(full.inpainting_network.encode(frames), other, motion).backward()
    assert all(p.grad is None or not p.grad.any() for p in full.inpainting_network.parameters())
    assert any(p.grad is not None and p.grad.any() for p in full.dense_motion_network.parameters())
    assert any(p.grad is not None and p.grad.any() for p in full.kp_detector.parameters())


@pytest.mark.slow
def test_tpsmm_run_writes_an_original_layout_checkpoint_that_animates(tmp_path):
    run = tmp_path / "run"
    last = Trainer(setup_from_dict(_document()), BlobPairs(SIZE), run).run(3)
    assert set(last) == {"perceptual", "equivariance_value", "warp_loss"}
    assert all(np.isfinite(v) for v in last.values())
    state = torch.load(run / "checkpoint.pth.tar", weights_only=True)
    assert {"kp_detector", "dense_motion_network", "inpainting_network", "optimizer", "epoch"} <= set(state)
    assert "avd_network" not in state and "generator" not in state
    model = fomm_core.load_model(
        str(run / "checkpoint.pth.tar"), config=str(run / "config.yaml"), device="cpu"
    )
    assert (
        isinstance(model, TPSMMModel) and model.frame_size == SIZE and model.modes == ("relative", "absolute")
    )
    frames = fomm_core.animate(model, np.zeros((SIZE, SIZE, 3), np.uint8), np.random.rand(2, SIZE, SIZE, 3))
    assert frames.shape == (2, SIZE, SIZE, 3)


@pytest.mark.slow
def test_tpsmm_resume_continues_exactly_like_an_uninterrupted_run(tmp_path):
    setup = setup_from_dict(_document())
    Trainer(setup, BlobPairs(SIZE), tmp_path / "straight").run(3)
    Trainer(setup, BlobPairs(SIZE), tmp_path / "split").run(2)
    Trainer(setup, BlobPairs(SIZE), tmp_path / "split", resume=True).run(3)
    straight = [losses_of(e) for e in read_log(tmp_path / "straight")]
    assert [losses_of(e) for e in read_log(tmp_path / "split")] == straight
    assert straight[2]["lr"] == pytest.approx(2e-5)  # milestone at epoch 1 (2 steps per epoch of 8 pairs)


@pytest.mark.slow
def test_tpsmm_training_lowers_the_loss_on_a_fixed_batch(tmp_path):
    trainer = Trainer(
        setup_from_dict(_document(lr_generator=2e-3, dropout_epoch=0)), BlobPairs(SIZE), tmp_path
    )
    data = BlobPairs(SIZE)
    batch = {k: torch.stack([data[(i, 0)][k] for i in range(4)]) for k in ("source", "driving")}
    totals = [sum(trainer.train_step(batch)[0].values()) for _ in range(10)]
    assert totals[-1] < 0.8 * totals[0]


def test_shipped_tpsmm_training_config_reads_as_the_documented_model():
    setup = load_train_setup(Path(__file__).resolve().parents[1] / "configs" / "tpsmm-synthetic-128.yaml")
    assert setup.model.engine == "tpsmm" and setup.model.frame_size == 128 and not setup.model.bg
    nets = build_networks(setup.model)
    params = sum(
        p.numel()
        for k in ("kp_detector", "dense_motion_network", "inpainting_network")
        for p in nets[k].parameters()
    )
    assert round(params / 1e6, 1) == 15.3  # the size its header states (30.6 MB in fp16)
    assert setup.train.dropout_p(0) == pytest.approx(0.1) and setup.train.dropout_p(6) == 0.0
