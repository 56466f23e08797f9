"""The training loop: checkpoints load_model reads, exact resume, loss going down, GAN parts, data, CLI."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest
import torch
import yaml
from train_fixtures import BlobPairs, losses_of, read_log, tiny_document

import fomm_core
from fomm_core.errors import UserError
from fomm_core.networks.fomm.keypoint_detector import KPDetector
from fomm_core.train.dataset import FramesDataset, StepBatchSampler, make_dataset
from fomm_core.train.setup import setup_from_dict
from fomm_core.train.trainer import Trainer

pytestmark = pytest.mark.usefixtures("one_thread")


def test_three_steps_write_a_checkpoint_that_load_model_reads(tmp_path):
    run = tmp_path / "run"
    Trainer(setup_from_dict(tiny_document()), BlobPairs(), run).run(3)
    state = torch.load(run / "checkpoint.pth.tar", weights_only=True)
    assert {"generator", "kp_detector", "optimizer_generator", "optimizer_kp_detector", "epoch"} <= set(state)
    assert "discriminator" not in state and state["epoch"] == 1
    assert not any(k.startswith("module.") for k in state["generator"])
    assert (run / "00000000-checkpoint.pth.tar").is_file()
    assert [e["step"] for e in read_log(run)] == [1, 2, 3]
    assert sorted(p.name for p in (run / "samples").iterdir()) == ["step_00000002.png", "step_00000003.png"]
    sheet = cv2.imread(str(run / "samples" / "step_00000003.png"))
    assert sheet.shape == (4 * 32, 5 * 32, 3)

    model = fomm_core.load_model(
        str(run / "checkpoint.pth.tar"), config=str(run / "config.yaml"), device="cpu"
    )
    assert model.frame_size == 32 and model.config.num_kp == 4
    reference = KPDetector(model.config)
    reference.load_state_dict(state["kp_detector"])
    frames = torch.rand(2, 3, 32, 32)
    with torch.no_grad():
        assert torch.allclose(model.detect_keypoints(frames).value, reference.eval()(frames)[0], atol=1e-5)
    frames = fomm_core.animate(model, np.zeros((32, 32, 3), np.uint8), np.random.rand(3, 32, 32, 3))
    assert frames.shape == (3, 32, 32, 3)


def test_resume_continues_exactly_like_an_uninterrupted_run(tmp_path):
    setup = setup_from_dict(tiny_document(checkpoint_every=100, sample_every=100))
    Trainer(setup, BlobPairs(), tmp_path / "straight").run(4)
    Trainer(setup, BlobPairs(), tmp_path / "split").run(2)
    resumed = Trainer(setup, BlobPairs(), tmp_path / "split", resume=True)
    assert resumed.step == 2
    resumed.run(4)
    straight, split = read_log(tmp_path / "straight"), read_log(tmp_path / "split")
    assert [losses_of(e) for e in split] == [losses_of(e) for e in straight]
    assert split[2]["lr"] == pytest.approx(2e-5)  # milestone at epoch 1 (2 steps per epoch)
    a = torch.load(tmp_path / "straight" / "checkpoint.pth.tar", weights_only=True)
    b = torch.load(tmp_path / "split" / "checkpoint.pth.tar", weights_only=True)
    for module in ("generator", "kp_detector"):
        for key in a[module]:
            assert torch.equal(a[module][key], b[module][key]), key


def test_resume_without_a_checkpoint_is_a_user_error(tmp_path):
    with pytest.raises(UserError, match="Nothing to resume"):
        Trainer(setup_from_dict(tiny_document()), BlobPairs(), tmp_path, resume=True)


def test_training_steps_lower_the_loss_on_a_fixed_batch(tmp_path):
    trainer = Trainer(
        setup_from_dict(tiny_document(lr_generator=2e-3, lr_kp_detector=2e-3)), BlobPairs(), tmp_path
    )
    data = BlobPairs()
    batch = {k: torch.stack([data[(i, 0)][k] for i in range(4)]) for k in ("source", "driving")}
    totals = [sum(trainer.train_step(batch)[0].values()) for _ in range(12)]
    assert totals[-1] < 0.8 * totals[0]


def test_gan_training_saves_a_discriminator_in_the_original_layout(tmp_path):
    document = tiny_document(
        loss_weights={"generator_gan": 1, "feature_matching": [10, 10], "perceptual": [10, 10]}
    )
    document["model_params"]["discriminator_params"]["sn"] = True
    trainer = Trainer(setup_from_dict(document), BlobPairs(), tmp_path)
    last = trainer.run(2)
    assert {"generator_gan", "feature_matching", "disc_gan"} <= set(last)
    state = torch.load(tmp_path / "checkpoint.pth.tar", weights_only=True)
    assert "optimizer_discriminator" in state
    keys = set(state["discriminator"])
    assert {
        "discs.1.down_blocks.0.conv.weight_orig",
        "discs.1.down_blocks.0.conv.weight_u",
        "discs.1.down_blocks.1.norm.weight",
        "discs.1.conv.bias",
    } <= keys
    assert not any(k.startswith("discs.1.down_blocks.0.norm") for k in keys)


def _write_frames(root: Path, video: str, n: int, value: int) -> None:
    folder = root / "train" / video
    folder.mkdir(parents=True)
    for i in range(n):
        cv2.imwrite(str(folder / f"{i:07d}.png"), np.full((40, 40, 3), value + i, np.uint8))


def test_frames_dataset_reads_the_fomm_layout(tmp_path):
    _write_frames(tmp_path, "a#000", 5, 10)
    _write_frames(tmp_path, "a#001", 5, 60)
    _write_frames(tmp_path, "b", 5, 110)
    assert len(FramesDataset(tmp_path, 32)) == 3
    by_id = FramesDataset(tmp_path, 32, id_sampling=True)
    assert len(by_id) == 2
    item = by_id[(1, 7)]
    assert item["source"].shape == (3, 32, 32)
    assert torch.equal(item["source"], by_id[(1, 7)]["source"])
    source_value = round(float(item["source"].mean()) * 255)
    driving_value = round(float(item["driving"].mean()) * 255)
    assert 110 <= source_value <= driving_value <= 114  # frames of video b, source not after driving
    with pytest.raises(UserError, match="test/"):
        FramesDataset(tmp_path, 32, split="test")
    assert isinstance(make_dataset(tmp_path, 32, {"id_sampling": True}), FramesDataset)


def test_step_sampler_splits_each_batch_over_ranks_and_is_reproducible():
    ranks = [StepBatchSampler(10, 2, repeats=2, seed=1, rank=r, world_size=2) for r in range(2)]
    assert ranks[0].steps_per_epoch == 5
    for step in range(5):
        keys = ranks[0].batch(step) + ranks[1].batch(step)
        assert len({seed for _, seed in keys}) == 4
    epoch = [i for step in range(5) for r in ranks for i, _ in r.batch(step)]
    assert sorted(epoch) == sorted(list(range(10)) * 2)
    resumed = StepBatchSampler(10, 2, repeats=2, seed=1, rank=1, world_size=2, start_step=3, end_step=6)
    assert list(resumed) == [ranks[1].batch(s) for s in (3, 4, 5)]
    with pytest.raises(UserError, match="fewer than one batch"):
        StepBatchSampler(3, 4)


def test_train_command_runs_from_a_yaml_config(tmp_path):
    from fomm_core.cli import main

    for video, value in (("v1", 20), ("v2", 120)):
        _write_frames(tmp_path / "data", video, 4, value)
    config = tmp_path / "tiny.yaml"
    config.write_text(yaml.safe_dump(tiny_document(batch_size=2, checkpoint_freq=10)))
    out = tmp_path / "run"
    args = [
        "train",
        "--config",
        str(config),
        "--data",
        str(tmp_path / "data"),
        "--out",
        str(out),
        "--steps",
        "2",
    ]
    assert main(args) == 0
    assert [e["step"] for e in read_log(out)] == [1, 2]
    assert main(args[:-2] + ["--steps", "3", "--resume"]) == 0
    assert [e["step"] for e in read_log(out)] == [1, 2, 3]
    assert torch.load(out / "checkpoint.pth.tar", weights_only=True)["trainer_state"]["step"] == 3


def test_unknown_train_params_are_reported():
    with pytest.raises(UserError, match="lr_generatr"):
        setup_from_dict(tiny_document(lr_generatr=1.0))


def test_frozen_batch_norms_keep_their_running_statistics(tmp_path):
    trainer = Trainer(setup_from_dict(tiny_document(freeze_norm_step=1)), BlobPairs(), tmp_path)
    data = BlobPairs()
    batch = {k: torch.stack([data[(i, 0)][k] for i in range(4)]) for k in ("source", "driving")}
    generator = trainer.networks["generator"]

    def stats() -> torch.Tensor:
        return generator.first.norm.running_mean.clone()

    before = stats()
    trainer.train_step(batch)
    after_first = stats()
    assert not torch.equal(before, after_first)
    weights = generator.first.conv.weight.clone()
    trainer.train_step(batch)
    assert torch.equal(stats(), after_first)
    assert not torch.equal(generator.first.conv.weight, weights)
    assert not generator.first.norm.training


def test_init_copies_every_tensor_whose_key_and_shape_match(tmp_path):
    first = tmp_path / "first"
    Trainer(setup_from_dict(tiny_document()), BlobPairs(), first).run(2)
    old = torch.load(first / "checkpoint.pth.tar", weights_only=True)
    document = tiny_document()
    document["model_params"]["generator_params"]["block_expansion"] = 8  # generator convs change shape
    trainer = Trainer(
        setup_from_dict(document), BlobPairs(), tmp_path / "second", init=first / "checkpoint.pth.tar"
    )
    kp_count = len(trainer.networks["kp_detector"].state_dict())
    assert trainer.initialised["kp_detector"] == f"{kp_count}/{kp_count}"
    for key, value in trainer.networks["kp_detector"].state_dict().items():
        assert torch.equal(value, old["kp_detector"][key]), key
    generator = trainer.networks["generator"].state_dict()
    copied, total = map(int, trainer.initialised["generator"].split("/"))
    assert 0 < copied < total
    dense = "dense_motion_network.hourglass.encoder.down_blocks.0.conv.weight"
    assert torch.equal(generator[dense], old["generator"][dense])
    assert generator["first.conv.weight"].shape[0] == 8  # kept its own (random) weights
    trainer.run(3)
    state = torch.load(tmp_path / "second" / "checkpoint.pth.tar", weights_only=True)
    assert state["trainer_state"]["initialised"] == trainer.initialised
    resumed = Trainer(setup_from_dict(document), BlobPairs(), tmp_path / "second", resume=True)
    resumed.run(4)  # the record of the warm start survives a resume
    state = torch.load(tmp_path / "second" / "checkpoint.pth.tar", weights_only=True)
    assert state["trainer_state"]["initialised"] == trainer.initialised


def test_init_refuses_a_checkpoint_of_the_other_engine(tmp_path):
    from tpsmm_fixtures import tiny_tpsmm_state

    path = tmp_path / "tpsmm.pth.tar"
    torch.save(tiny_tpsmm_state(), path)
    with pytest.raises(UserError, match="TPSMM model; it cannot initialise a FOMM"):
        Trainer(setup_from_dict(tiny_document()), BlobPairs(), tmp_path / "run", init=path)


def test_network_initialisation_does_not_depend_on_the_reconstruction_loss(tmp_path, monkeypatch):
    from fomm_core.train import trainer as trainer_module

    plain = Trainer(setup_from_dict(tiny_document()), BlobPairs(), tmp_path / "a")
    original = trainer_module.reconstruction_loss

    def loss_that_draws_random_numbers(*args, **kwargs):
        torch.randn(1000)  # as building VGG19's layers does
        return original(*args, **kwargs)

    monkeypatch.setattr(trainer_module, "reconstruction_loss", loss_that_draws_random_numbers)
    other = Trainer(setup_from_dict(tiny_document()), BlobPairs(), tmp_path / "b")
    for key, value in plain.networks["generator"].state_dict().items():
        assert torch.equal(value, other.networks["generator"].state_dict()[key]), key
