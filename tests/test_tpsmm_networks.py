"""TPSMM networks: the public checkpoint's state_dict layout, block shortcuts, and forward properties."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest
import torch
import torch.nn.functional as F
from tpsmm_fixtures import TINY_TPSMM

from fomm_core.config import PRESETS
from fomm_core.engines.tpsmm import build_networks
from fomm_core.networks.common.blocks import ResBlock2d, SameBlock2d, UpBlock2d
from fomm_core.networks.common.conv import Conv2d, plain_ops, single_output_conv
from fomm_core.networks.common.sampling import make_coordinate_grid
from fomm_core.networks.tpsmm.bg_predictor import BGMotionPredictor
from fomm_core.networks.tpsmm.dense_motion import TPSDenseMotion, TPSDenseMotionNetwork
from fomm_core.networks.tpsmm.inpainting import InpaintingNetwork
from fomm_core.networks.tpsmm.keypoint_detector import TPSKeypointDetector

# Every key and shape, in order, of each module of the public taichi-256 checkpoint (taichi.pth.tar).
MANIFEST = Path(__file__).parent / "data" / "tpsmm_taichi256_state_dict.json"
# The public taichi-256 checkpoint's module sizes (numel), from the reference notes.
NUMEL = {
    "kp_detector": 11_237_432,
    "dense_motion_network": 37_941_904,
    "inpainting_network": 24_737_283,
    "avd_network": 2_594_413,
    "bg_predictor": 11_198_618,
}


def _manifest() -> dict[str, list[tuple[str, list[int]]]]:
    data = json.loads(MANIFEST.read_text())
    return {k: list(v.items()) for k, v in data.items() if k != "about"}


def test_taichi_256_networks_match_the_public_checkpoint_keys_order_and_shapes() -> None:
    with torch.device("meta"):
        nets = build_networks(PRESETS["tpsmm-taichi-256"])
    manifest = _manifest()
    assert list(nets) == [
        "kp_detector",
        "dense_motion_network",
        "inpainting_network",
        "avd_network",
        "bg_predictor",
    ]
    assert set(nets) == set(manifest)
    for name, net in nets.items():
        state = net.state_dict()
        assert [(k, list(v.shape)) for k, v in state.items()] == manifest[name], name
        assert sum(v.numel() for v in state.values()) == NUMEL[name], name
        assert all(v.dtype == torch.int64 for k, v in state.items() if k.endswith("num_batches_tracked"))


def test_mgif_has_no_background_predictor_and_ted_has_the_same_networks() -> None:
    with torch.device("meta"):
        assert "bg_predictor" not in build_networks(PRESETS["tpsmm-mgif-256"])
        ted = build_networks(PRESETS["tpsmm-ted-384"])
    assert {k: len(v.state_dict()) for k, v in ted.items()} == {k: len(v) for k, v in _manifest().items()}


@pytest.mark.parametrize("n, size", [(1, (32, 37)), (3, (33, 32)), (2, (5, 7))])
def test_upblock_phase_conv_equals_upsample_then_conv(n: int, size: tuple[int, int]) -> None:
    torch.manual_seed(0)
    block = UpBlock2d(6, 5, torch.nn.InstanceNorm2d).to(memory_format=torch.channels_last)
    with torch.no_grad():
        block.norm.weight.uniform_(0.5, 2)
        block.norm.bias.uniform_(-1, 1)
    x = torch.randn(n, 6, *size).contiguous(memory_format=torch.channels_last)
    with torch.no_grad():
        fast = block(x)
        with plain_ops():
            plain = block(x)
    assert fast.shape == plain.shape == (n, 5, 2 * size[0], 2 * size[1])
    assert fast.is_contiguous(memory_format=torch.channels_last)
    assert (fast - plain).abs().max() < 1e-5
    assert torch.equal(block(x), plain)  # with autograd on, the plain path


def test_instance_norm_shortcut_equals_instance_norm_per_sample() -> None:
    torch.manual_seed(1)
    same, res = SameBlock2d(4, 6, torch.nn.InstanceNorm2d), ResBlock2d(6, torch.nn.InstanceNorm2d)
    for norm in (same.norm, res.norm1, res.norm2):
        with torch.no_grad():
            norm.weight.uniform_(0.5, 2)
            norm.bias.uniform_(-1, 1)
    x = (torch.randn(3, 4, 9, 8) * 3 + 1).contiguous(memory_format=torch.channels_last)
    with torch.no_grad():
        fast = res(same(x))
        with plain_ops():
            plain = res(same(x))
        # batch independence: each sample normalised by its own statistics
        single = torch.cat([res(same(x[i : i + 1])) for i in range(3)])
    assert (fast - plain).abs().max() < 1e-5
    assert (fast - single).abs().max() < 1e-5


@pytest.mark.parametrize("kernel, padding, n", [(7, 3, 2), (3, 1, 1), (5, 0, 1), (3, 2, 1)])
def test_single_output_conv_equals_conv2d(kernel: int, padding: int, n: int) -> None:
    torch.manual_seed(5)
    conv = torch.nn.Conv2d(5, 1, kernel, padding=padding)
    x = torch.randn(n, 5, 9, 11).contiguous(memory_format=torch.channels_last)
    with torch.no_grad():
        fast = single_output_conv(conv, x)
        plain = conv(x)
    assert fast.shape == plain.shape
    assert (fast - plain).abs().max() < 1e-5


def test_conv_with_kept_weights_follows_shape_and_weight_changes() -> None:
    torch.manual_seed(6)
    conv = Conv2d(4, 6, 3, padding=1).to(memory_format=torch.channels_last)
    x = torch.randn(1, 4, 12, 10).contiguous(memory_format=torch.channels_last)
    with torch.no_grad():
        first = conv(x)
        assert (first - F.conv2d(x, conv.weight, conv.bias, padding=1)).abs().max() < 1e-5
        x3 = torch.randn(3, 4, 7, 9).contiguous(memory_format=torch.channels_last)
        assert (conv(x3) - F.conv2d(x3, conv.weight, conv.bias, padding=1)).abs().max() < 1e-5
        conv.load_state_dict({"weight": torch.randn(6, 4, 3, 3), "bias": torch.randn(6)})
        again = conv(x)
        assert (again - F.conv2d(x, conv.weight, conv.bias, padding=1)).abs().max() < 1e-5
        copied = copy.deepcopy(conv)
        assert torch.equal(copied(x), again)
    assert list(conv.state_dict()) == ["weight", "bias"]


def test_keypoint_detector_gives_5k_points_in_range() -> None:
    net = TPSKeypointDetector(num_tps=3).eval()
    with torch.no_grad():
        kp = net(torch.rand(2, 3, 64, 64))
    assert kp.shape == (2, 15, 2) and kp.abs().max() < 1


def test_background_predictor_starts_as_the_identity() -> None:
    net = BGMotionPredictor().eval()
    with torch.no_grad():
        out = net(torch.rand(2, 3, 64, 64), torch.rand(2, 3, 64, 64))
    assert torch.equal(out, torch.eye(3).expand(2, 3, 3))


def _motion_inputs(seed: int = 0) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    g = torch.Generator().manual_seed(seed)
    source = torch.rand(2, 3, 64, 64, generator=g)
    kp_source = torch.rand(2, 20, 2, generator=g) * 1.6 - 0.8
    kp_driving = kp_source + (torch.rand(2, 20, 2, generator=g) - 0.5) * 0.1
    return source, kp_driving, kp_source


def test_dense_motion_outputs_blend_the_transforms_and_give_four_mask_sizes() -> None:
    torch.manual_seed(2)
    net = TPSDenseMotionNetwork(TINY_TPSMM).eval()
    source, kp_driving, kp_source = _motion_inputs()
    with torch.no_grad():
        motion = net(source, kp_driving, kp_source)
        transforms = net.transformations(kp_driving, kp_source, 16, 16)
    assert [m.shape[-1] for m in motion.occlusion_maps] == [8, 16, 32, 64]
    assert all(0 <= float(m.min()) and float(m.max()) <= 1 for m in motion.occlusion_maps)
    assert motion.contribution_maps.shape == (2, 5, 16, 16)
    assert torch.allclose(motion.contribution_maps.sum(1), torch.ones(2, 16, 16), atol=1e-5)
    blend = (transforms * motion.contribution_maps[..., None]).sum(1)
    assert torch.allclose(motion.deformation, blend, atol=1e-6)
    assert torch.equal(transforms[:, 0], make_coordinate_grid(16, 16).expand(2, 16, 16, 2))
    assert motion.deformed_source.shape == (2, 5, 3, 16, 16)


def test_inpainting_with_nothing_occluded_returns_the_warped_source() -> None:
    # prediction = generated·(1 − occ) + warp(source)·occ: with the last mask all ones, only the warp remains,
    # and the identity flow (align_corners=True grid) reproduces the source pixel for pixel.
    torch.manual_seed(3)
    net = InpaintingNetwork(TINY_TPSMM).eval()
    source = torch.rand(2, 3, 64, 64)
    identity = make_coordinate_grid(16, 16).expand(2, 16, 16, 2)
    masks = [torch.ones(2, 1, s, s) for s in (8, 16, 32, 64)]
    motion = TPSDenseMotion(identity, masks, torch.zeros(2, 5, 16, 16), torch.zeros(2, 5, 3, 16, 16))
    with torch.no_grad():
        out = net(source, motion)
        masks[-1] = torch.zeros(2, 1, 64, 64)
        generated = net(source, motion)
    assert (out - source).abs().max() < 1e-5
    assert (generated - source).abs().max() > 0.05


def test_cached_source_encoding_equals_the_full_forward() -> None:
    torch.manual_seed(4)
    dense, inpainting = TPSDenseMotionNetwork(TINY_TPSMM).eval(), InpaintingNetwork(TINY_TPSMM).eval()
    source, kp_driving, kp_source = _motion_inputs(1)
    with torch.no_grad():
        full = inpainting(source, dense(source, kp_driving, kp_source))
        one = source[:1]
        prepared = dense.prepare_source(one, kp_source[:1])
        encoded = inpainting.encode(one)
        kp_d = kp_driving[:1].expand(3, -1, -1)
        cached = inpainting.decode(encoded, one, dense.forward_prepared(prepared, kp_d))
    assert cached.shape == (3, 3, 64, 64)
    assert (cached - full[:1]).abs().max() < 1e-5
    assert F.l1_loss(full[0], full[1]) > 1e-3


def test_sampling_convention_comes_from_the_config_and_round_trips_through_model_params() -> None:
    from dataclasses import replace

    from fomm_core.config import config_from_model_params, config_to_model_params

    unaligned = replace(TINY_TPSMM, align_corners=False)
    assert TINY_TPSMM.align_corners  # the original's convention by default
    assert config_from_model_params(config_to_model_params(unaligned), frame_size=64) == unaligned
    torch.manual_seed(5)
    dense, inpainting = TPSDenseMotionNetwork(unaligned).eval(), InpaintingNetwork(unaligned).eval()
    assert not dense.align_corners and not inpainting.align_corners
    source = torch.rand(1, 3, 64, 64)
    identity = make_coordinate_grid(16, 16)[None]
    # the aligned identity flow keeps every pixel; the unaligned one shifts them by up to half a pixel
    assert (inpainting.warp(source, identity) - source).abs().max() > 0.05
    aligned = InpaintingNetwork(TINY_TPSMM)
    assert (aligned.warp(source, identity) - source).abs().max() < 1e-5
