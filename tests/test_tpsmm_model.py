"""TPSMMModel: checkpoints in the original layout, safetensors round trip, modes, batching and streaming."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
from conftest import smooth_frames
from tpsmm_fixtures import TINY_TPSMM, tiny_tpsmm, tiny_tpsmm_state
from weights_fixtures import save_original

import fomm_core
from fomm_core.checkpoints.formats import read_checkpoint, write_safetensors
from fomm_core.cli import main as cli_main
from fomm_core.engines.tpsmm import TPSMMModel
from fomm_core.motion import convex_hull_area
from fomm_core.networks.common.conv import plain_ops

TINY_YAML = """\
dataset_params:
  root_dir: ../taichi
  frame_shape: [64, 64, 3]
model_params:
  common_params: {num_tps: 4, num_channels: 3, bg: True, multi_mask: True}
  generator_params: {block_expansion: 8, max_features: 64, num_down_blocks: 3}
  dense_motion_params: {block_expansion: 8, max_features: 64, num_blocks: 3, scale_factor: 0.25}
  avd_network_params: {id_bottle_size: 128, pose_bottle_size: 128}
train_params: {num_epochs: 100, batch_size: 28}
"""


@pytest.fixture(scope="module")
def model() -> TPSMMModel:
    return tiny_tpsmm()


@pytest.fixture(scope="module")
def clip() -> tuple[np.ndarray, np.ndarray]:
    """A source photo and 7 driving frames (uint8, 64×64)."""
    return smooth_frames(1, 64, seed=11)[0], smooth_frames(7, 64, seed=12)


@pytest.fixture(autouse=True)
def _private_cache(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("FOMM_CORE_CACHE", str(tmp_path / "cache"))


def _original_checkpoint(seed: int = 0) -> dict:
    """The tiny model as a TPSMM training run saves it: five modules, optimizer states, epoch."""
    ckpt: dict = dict(tiny_tpsmm_state(seed))
    ckpt["optimizer"] = {"state": {}, "param_groups": [{"lr": 2e-4, "params": [0, 1]}]}
    ckpt["optimizer_bg_predictor"] = {"state": {}, "param_groups": []}
    ckpt["epoch"] = 99
    return ckpt


@pytest.mark.slow
def test_original_layout_loads_strictly_and_round_trips_through_safetensors(tmp_path, clip) -> None:
    ckpt = _original_checkpoint()
    path = save_original(ckpt, tmp_path / "tiny-tpsmm.pth.tar", legacy=False)
    loaded = fomm_core.load_model(str(path), config=TINY_TPSMM, device="cpu")
    assert isinstance(loaded, TPSMMModel) and loaded.modes == ("relative", "absolute", "avd")
    assert loaded.bg_predictor is not None
    for key, net in (
        ("kp_detector", loaded.kp_detector),
        ("inpainting_network", loaded.inpainting_network),
        ("avd_network", loaded.avd_network),
        ("bg_predictor", loaded.bg_predictor),
    ):
        for name, tensor in net.state_dict().items():
            assert torch.equal(tensor, ckpt[key][name]), (key, name)
    reference = tiny_tpsmm()
    for kw in ({}, {"mode": "absolute"}, {"mode": "avd"}):
        assert np.array_equal(
            fomm_core.animate(loaded, *clip, **kw), fomm_core.animate(reference, *clip, **kw)
        )

    converted = tmp_path / "tiny-tpsmm.safetensors"
    assert cli_main(["convert", str(path), str(converted), "--config", str(_yaml(tmp_path))]) == 0
    assert set(read_checkpoint(converted)) == {
        "kp_detector",
        "dense_motion_network",
        "inpainting_network",
        "avd_network",
        "bg_predictor",
    }
    again = fomm_core.load_model(str(converted))  # the config comes from the file's metadata
    assert again.config == TINY_TPSMM
    out = fomm_core.animate(loaded, *clip)
    assert np.array_equal(fomm_core.animate(again, *clip), out)


def _yaml(tmp_path) -> str:
    path = tmp_path / "tiny-tpsmm.yaml"
    path.write_text(TINY_YAML)
    return str(path)


def test_original_yaml_config_selects_the_tpsmm_engine(tmp_path, clip) -> None:
    path = write_safetensors(tiny_tpsmm_state(), tmp_path / "plain.safetensors")
    model = fomm_core.load_model(str(path), config=_yaml(tmp_path))
    assert isinstance(model, TPSMMModel) and model.config == TINY_TPSMM and model.frame_size == 64


@pytest.mark.slow
def test_a_checkpoint_that_does_not_fit_is_a_user_error(tmp_path) -> None:
    state = tiny_tpsmm_state()
    state["dense_motion_network"].pop("down.weight")
    path = write_safetensors(state, tmp_path / "broken.safetensors")
    with pytest.raises(fomm_core.UserError, match="does not fit"):
        fomm_core.load_model(str(path), config=TINY_TPSMM)
    with pytest.raises(fomm_core.UserError, match="does not fit"):
        fomm_core.load_model(
            str(write_safetensors(tiny_tpsmm_state(), tmp_path / "ok.safetensors")), config="tpsmm-taichi-256"
        )


def test_without_an_avd_network_there_is_no_avd_mode(clip) -> None:
    model = tiny_tpsmm(without=("avd_network", "bg_predictor"))
    assert model.modes == ("relative", "absolute") and model.bg_predictor is None
    with pytest.raises(fomm_core.UserError, match="avd"):
        fomm_core.animate(model, *clip, mode="avd")
    assert fomm_core.animate(model, *clip).shape == (7, 64, 64, 3)


def test_random_model_dispatches_to_tpsmm() -> None:
    model = fomm_core.random_model(TINY_TPSMM, seed=3)
    assert isinstance(model, TPSMMModel) and "avd" in model.modes


@pytest.mark.parametrize(
    "kw",
    [
        {"mode": "relative"},
        {"mode": "absolute"},
        {"mode": "avd"},
        {"mode": "relative", "adapt_scale": False},
        {"mode": "relative", "best_frame": "auto"},
    ],
)
def test_each_mode_runs_and_batches_and_streams_like_frame_by_frame(model, clip, kw) -> None:
    source, driving = clip
    one_by_one = fomm_core.animate(model, source, driving, batch_size=1, **kw)
    assert one_by_one.shape == (7, 64, 64, 3) and one_by_one.dtype == np.float32
    assert 0 <= one_by_one.min() and one_by_one.max() <= 1
    assert np.abs(np.diff(one_by_one, axis=0)).max() > 1e-3  # the frames do move
    batched = fomm_core.animate(model, source, driving, batch_size=4, **kw)
    streamed = np.stack(list(fomm_core.animate_iter(model, source, iter(driving), batch_size=3, **kw)))
    assert np.abs(batched - one_by_one).max() <= 1e-5
    assert np.abs(streamed - one_by_one).max() <= 1e-5


def test_modes_give_different_videos(model, clip) -> None:
    outs = [fomm_core.animate(model, *clip, **kw) for kw in ({}, {"mode": "absolute"}, {"mode": "avd"})]
    assert all(np.abs(a - b).max() > 1e-2 for i, a in enumerate(outs) for b in outs[i + 1 :])


def test_drive_keypoints_follows_tpsmm_demo(model, clip) -> None:
    with torch.inference_mode():
        state = model.encode_source(model.to_tensor(clip[0]))
        kp = model.detect_keypoints(model.to_tensor(clip[1]))
        initial = kp[2]
        absolute = model.drive_keypoints(state, kp, initial, "absolute", True)
        relative = model.drive_keypoints(state, kp, initial, "relative", True)
        unscaled = model.drive_keypoints(state, kp, initial, "relative", False)
        avd = model.drive_keypoints(state, kp, initial, "avd", True)
    assert absolute.value is kp.value and absolute.jacobian is None
    scale = math.sqrt(convex_hull_area(state.kp.value[0])) / math.sqrt(convex_hull_area(initial.value[0]))
    assert abs(scale - 1) > 1e-3
    expected = (kp.value - initial.value) * np.float32(scale) + state.kp.value
    assert torch.equal(relative.value, expected)
    assert torch.equal(unscaled.value, kp.value - initial.value + state.kp.value)
    assert torch.equal(relative.value[2], state.kp.value[0])
    with torch.inference_mode():
        direct = torch.cat([model.avd_network(state.kp.value, kp.value[i : i + 1]) for i in range(7)])
    assert avd.value.shape == (7, 20, 2) and torch.equal(avd.value, direct)


def test_fast_path_equals_the_original_way_of_re_encoding_every_frame(model, clip) -> None:
    # The original demo: batch 1, full dense motion and inpainting forward (source re-encoded) per frame,
    # plain InstanceNorm and upsample-then-conv. Ours reorders float32 sums, hence a small tolerance.
    source, driving = clip
    ours = fomm_core.animate(model, source, driving, mode="absolute", batch_size=4)
    with torch.no_grad(), plain_ops():
        src = model.to_tensor(source)
        kp_source = model.kp_detector(src)
        frames = []
        for frame in driving:
            kp = model.kp_detector(model.to_tensor(frame))
            motion = model.dense_motion_network(src, kp, kp_source)
            frames.append(model.inpainting_network(src, motion)[0].permute(1, 2, 0).numpy())
    assert np.abs(ours - np.stack(frames)).max() < 2e-5
