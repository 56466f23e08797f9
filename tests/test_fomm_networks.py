"""FOMM networks: checkpoint layout, agreement with the original implementation, forward-math properties."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
import torch

import fomm_core
from fomm_core.config import load_config
from fomm_core.engines.fomm import FOMMModel, build_networks
from fomm_core.motion import Keypoints
from fomm_core.networks.common.sampling import make_coordinate_grid, warp

REFERENCE = Path(__file__).parent / "data" / "fomm_taichi256_state_dict.json"  # copy of shared/reference
GOLDEN = Path(__file__).parent / "data" / "fomm_golden.npz"
# Largest deviations from the golden measured on an Intel Xeon (AVX-512, AMX; torch 2.13, 2 threads) across
# ATEN_CPU_CAPABILITY avx512, avx2 and default, oneDNN on, off or capped at AVX2 / SSE4.1, and MKL capped at
# AVX2 / SSE4.2 (scripts/golden_spread.py): frames 3.6e-7, keypoints 7.3e-6 and jacobians 1.5e-6, the last two
# with oneDNN off, where the keypoint detector's convs take ATen's own kernels. An AMD EPYC (family 26, AVX-512)
# over the same configurations stayed below them: frames 3.9e-7, keypoints 6.5e-6, jacobians 8.7e-7. Each
# tolerance is ten times its figure, rounded up.
FRAME_TOLERANCE = 5e-6
KEYPOINT_TOLERANCE = 1e-4
JACOBIAN_TOLERANCE = 2e-5


def test_taichi256_state_dict_keys_order_and_shapes_equal_the_public_checkpoint() -> None:
    manifest = json.loads(REFERENCE.read_text())
    with torch.device("meta"):
        nets = build_networks(load_config("taichi-256"))
    for name in ("kp_detector", "generator"):
        ours = [(k, list(v.shape)) for k, v in nets[name].state_dict().items()]
        assert ours == [(k, v) for k, v in manifest[name].items()], name
    assert sum(p.numel() for p in nets["kp_detector"].parameters()) == 14_215_368
    assert sum(p.numel() for p in nets["generator"].parameters()) == 45_575_391


def test_mgif_preset_has_a_single_jacobian_map() -> None:
    with torch.device("meta"):
        kp = build_networks(load_config("mgif-256"))["kp_detector"]
    assert tuple(kp.jacobian.weight.shape) == (4, 35, 7, 7)


def _golden_model(tiny_fomm_config) -> tuple[FOMMModel, dict[str, np.ndarray]]:
    data = dict(np.load(GOLDEN))
    state: dict[str, dict[str, torch.Tensor]] = {"generator": {}, "kp_detector": {}}
    for key, value in data.items():
        module, _, name = key.partition(".")
        if module in state:
            state[module][name] = torch.from_numpy(
                value.astype(np.float32) if value.dtype == np.float16 else value
            )
    return FOMMModel.from_state(tiny_fomm_config, state, torch.device("cpu")), data


@pytest.mark.golden
@pytest.mark.parametrize(
    "golden,mode,adapt",
    [("relative_adapt", "relative", True), ("relative", "relative", False), ("absolute", "absolute", False)],
)
def test_output_equals_the_original_implementation(tiny_fomm_config, golden, mode, adapt) -> None:
    """tests/data/fomm_golden.npz holds outputs of the original first-order-model code (demo.py's per-frame
    loop, torch 2.13 CPU, grid_sample defaults) for these weights and frames."""
    model, data = _golden_model(tiny_fomm_config)
    out = fomm_core.animate(
        model, data["source"], data["driving"], mode=mode, adapt_scale=adapt, batch_size=2
    )
    expected = data[f"expected_{golden}"]
    assert expected.std() > 0.05  # the outputs vary: a broken warp would show
    assert np.abs(out - expected).max() <= FRAME_TOLERANCE


@pytest.mark.golden
def test_keypoints_and_best_frame_equal_the_original(tiny_fomm_config) -> None:
    model, data = _golden_model(tiny_fomm_config)
    kp = model.detect_keypoints(model.to_tensor(data["driving"]))
    assert np.abs(kp.value.numpy() - data["expected_kp_value"]).max() <= KEYPOINT_TOLERANCE
    assert np.abs(kp.jacobian.numpy() - data["expected_kp_jacobian"]).max() <= JACOBIAN_TOLERANCE
    out = fomm_core.animate(model, data["source"], data["driving"], best_frame=2)
    assert np.abs(out - data["expected_best_frame_2"]).max() <= FRAME_TOLERANCE


def test_keypoints_lie_in_the_unit_square(tiny_fomm_config) -> None:
    from conftest import smooth_frames

    model = fomm_core.random_model(tiny_fomm_config, seed=3)
    kp = model.detect_keypoints(model.to_tensor(smooth_frames(4, 32)))
    assert kp.value.shape == (4, 5, 2) and kp.jacobian.shape == (4, 5, 2, 2)
    assert kp.value.abs().max() <= 1.0


@pytest.mark.parametrize("align_corners", [False, True])
def test_dense_motion_is_identity_when_driving_equals_source(tiny_fomm_config, align_corners) -> None:
    from conftest import smooth_frames

    model = fomm_core.random_model(tiny_fomm_config, seed=1, align_corners=align_corners)
    source = model.to_tensor(smooth_frames(1, 32))
    with torch.inference_mode():
        state = model.encode_source(source)
        kp = state.kp
        motion = model.generator.dense_motion_network.forward_prepared(
            state.motion_inputs, kp.value, kp.jacobian, kp.value, kp.jacobian
        )
    h, w = motion.deformation.shape[1:3]
    assert torch.allclose(motion.deformation[0], make_coordinate_grid(h, w), atol=1e-5)
    assert torch.allclose(motion.mask.sum(1), torch.ones(1, h, w), atol=1e-5)


def test_aligned_corners_keep_the_source_in_place_when_features_are_finer_than_the_motion(
    tiny_fomm_config,
) -> None:
    from conftest import smooth_frames

    # no down blocks: features at 32x32, deformation at 16x16, so the deformation is resized before the warp
    config = replace(tiny_fomm_config, generator=replace(tiny_fomm_config.generator, num_down_blocks=0))
    source_frames = smooth_frames(1, 32)

    def warped_minus_features(align_corners: bool) -> float:
        model = fomm_core.random_model(config, seed=1, align_corners=align_corners)
        with torch.inference_mode():
            state = model.encode_source(model.to_tensor(source_frames))
            kp = state.kp
            motion = model.generator.dense_motion_network.forward_prepared(
                state.motion_inputs, kp.value, kp.jacobian, kp.value, kp.jacobian
            )
            warped = warp(state.features, motion.deformation, model.generator.align_corners)
        assert motion.deformation.shape[1:3] == (16, 16) and warped.shape[2:] == (32, 32)
        return float((warped - state.features).abs().max())

    assert warped_minus_features(True) < 1e-5
    # the original convention shifts pixels by up to half a pixel and blends the borders with zero padding
    assert warped_minus_features(False) > 0.05


def test_relative_mode_on_the_first_driving_frame_gives_the_source_keypoints(tiny_fomm_config) -> None:
    from conftest import smooth_frames

    model = fomm_core.random_model(tiny_fomm_config, seed=2)
    state = model.encode_source(model.to_tensor(smooth_frames(1, 32, seed=5)))
    kp_driving = model.detect_keypoints(model.to_tensor(smooth_frames(3, 32, seed=6)))
    for adapt in (False, True):
        kp = model.drive_keypoints(state, kp_driving[0], kp_driving[0], "relative", adapt)
        assert torch.equal(kp.value, state.kp.value)
        assert torch.allclose(kp.jacobian, state.kp.jacobian, atol=1e-5)
    absolute = model.drive_keypoints(state, kp_driving, kp_driving[0], "absolute", True)
    assert absolute is kp_driving


@pytest.mark.parametrize("batch_size", [1, 3, 8])
def test_batched_and_streaming_equal_frame_by_frame(tiny_fomm_config, batch_size) -> None:
    from conftest import smooth_frames

    model = fomm_core.random_model(tiny_fomm_config, seed=4)
    source, driving = smooth_frames(1, 32, seed=7)[0], smooth_frames(7, 32, seed=8)
    reference = []
    with torch.inference_mode():
        state = model.encode_source(model.to_tensor(source))
        initial = model.detect_keypoints(model.to_tensor(driving[0]))
        for frame in driving:
            kp = model.drive_keypoints(
                state, model.detect_keypoints(model.to_tensor(frame)), initial, "relative", True
            )
            reference.append(model.generate(state, kp)[0].permute(1, 2, 0).numpy())
    streamed = list(fomm_core.animate_iter(model, source, iter(list(driving)), batch_size=batch_size))
    batched = fomm_core.animate(model, source, driving, batch_size=batch_size)
    assert len(streamed) == 7 and batched.shape == (7, 32, 32, 3) and batched.dtype == np.float32
    assert np.abs(np.stack(streamed) - np.stack(reference)).max() <= 1e-5
    assert np.abs(batched - np.stack(reference)).max() <= 1e-5


def test_frames_of_another_size_are_resized_and_uint8_equals_float(tiny_fomm_config) -> None:
    from conftest import smooth_frames

    model = fomm_core.random_model(tiny_fomm_config, seed=4)
    frames = smooth_frames(2, 32)
    assert torch.equal(model.to_tensor(frames), model.to_tensor(frames.astype(np.float32) / 255))
    big = model.to_tensor(smooth_frames(1, 96))
    assert big.shape == (1, 3, 32, 32) and 0 <= big.min() and big.max() <= 1


def test_bad_requests_are_user_errors(tiny_fomm_config) -> None:
    from conftest import smooth_frames

    model = fomm_core.random_model(tiny_fomm_config)
    source = smooth_frames(1, 32)[0]
    with pytest.raises(fomm_core.UserError, match="no frames"):
        fomm_core.animate(model, source, [])
    with pytest.raises(fomm_core.UserError, match="outside the clip"):
        fomm_core.animate(model, source, smooth_frames(2, 32), best_frame=5)
    with pytest.raises(fomm_core.UserError, match="avd"):
        fomm_core.animate(model, source, smooth_frames(2, 32), mode="avd")


def test_keypoints_batch_helpers() -> None:
    kp = Keypoints(torch.arange(12.0).view(3, 2, 2), torch.eye(2).repeat(3, 2, 1, 1))
    assert len(kp[1:]) == 2 and torch.equal(kp[1].value, kp.value[1:2])
    assert torch.equal(Keypoints.cat([kp[:1], kp[1:]]).value, kp.value)
    assert kp[0].expand(4).value.shape == (4, 2, 2)


@pytest.mark.parametrize("size", [8, 40])  # 40×40 takes the phase-conv path, 8×8 upsamples first
def test_batch_norm_blocks_with_inference_shortcuts_compute_what_the_plain_blocks_compute(size) -> None:
    from fomm_core.networks.common.blocks import DownBlock2d, SameBlock2d, UpBlock2d
    from fomm_core.networks.common.conv import plain_ops

    torch.manual_seed(size)
    norm = torch.nn.BatchNorm2d
    for block in (
        UpBlock2d(16, 8, norm),
        DownBlock2d(16, 8, norm),
        SameBlock2d(16, 8, norm, kernel_size=7, padding=3),
    ):
        with torch.no_grad():
            block.norm.running_mean.uniform_(-0.5, 0.5)
            block.norm.running_var.uniform_(0.5, 2.0)
            block.norm.weight.uniform_(0.5, 1.5)
        block.eval()
        x = torch.randn(2, 16, size, size).contiguous(memory_format=torch.channels_last)
        with torch.inference_mode():
            got = block(x)
            with plain_ops():
                expected = block(x)
        assert got.shape == expected.shape
        assert (expected > 0).float().mean() > 0.2  # the ReLU passes a good share
        assert torch.allclose(got, expected, atol=1e-5, rtol=1e-4), type(block).__name__


def test_folded_batch_norm_follows_loaded_weights_and_statistics() -> None:
    from fomm_core.networks.common.blocks import UpBlock2d
    from fomm_core.networks.common.conv import plain_ops

    torch.manual_seed(7)
    block = UpBlock2d(8, 8, torch.nn.BatchNorm2d).eval()
    x = torch.randn(1, 8, 40, 40).contiguous(memory_format=torch.channels_last)
    with torch.inference_mode():
        before = block(x)
    state = {k: v.clone() for k, v in block.state_dict().items()}
    state["norm.running_var"].uniform_(2.0, 3.0)
    state["conv.weight"].mul_(-1)
    block.load_state_dict(state)
    with torch.inference_mode():
        after = block(x)
        with plain_ops():
            expected = block(x)
    assert (after - before).abs().max() > 0.1
    assert torch.allclose(after, expected, atol=1e-5, rtol=1e-4)
