"""Every network's state_dict against the original code's construction rules, for configs where max_features caps
the widths (FOMM.md §3, TPSMM.md §4). The tables below are built from those rules, not from our networks."""

from __future__ import annotations

import math
from contextlib import nullcontext
from pathlib import Path

import numpy as np
import pytest
import torch
from conftest import smooth_frames

import fomm_core
from fomm_core.config import (
    DenseMotionConfig,
    FOMMConfig,
    GeneratorConfig,
    KeypointDetectorConfig,
    TPSMMConfig,
)
from fomm_core.engines.fomm import build_networks as build_fomm
from fomm_core.engines.tpsmm import TPSMMModel
from fomm_core.engines.tpsmm import build_networks as build_tpsmm
from fomm_core.networks.common.conv import plain_ops
from fomm_core.networks.tpsmm.dense_motion import TPSDenseMotionNetwork
from fomm_core.networks.tpsmm.inpainting import InpaintingNetwork

Table = dict[str, tuple[int, ...]]


def conv(prefix: str, cin: int, cout: int, k: int, bias: bool = True) -> Table:
    table = {f"{prefix}.weight": (cout, cin, k, k)}
    if bias:
        table[f"{prefix}.bias"] = (cout,)
    return table


def batch_norm(prefix: str, c: int) -> Table:
    return {
        f"{prefix}.weight": (c,),
        f"{prefix}.bias": (c,),
        f"{prefix}.running_mean": (c,),
        f"{prefix}.running_var": (c,),
        f"{prefix}.num_batches_tracked": (),
    }


def instance_norm(prefix: str, c: int) -> Table:
    return {f"{prefix}.weight": (c,), f"{prefix}.bias": (c,)}


def block(prefix: str, cin: int, cout: int, norm, k: int = 3) -> Table:
    """Same/Down/Up block: `conv` and `norm`."""
    return {**conv(f"{prefix}.conv", cin, cout, k), **norm(f"{prefix}.norm", cout)}


def res_block(prefix: str, c: int, norm) -> Table:
    return {
        **conv(f"{prefix}.conv1", c, c, 3),
        **conv(f"{prefix}.conv2", c, c, 3),
        **norm(f"{prefix}.norm1", c),
        **norm(f"{prefix}.norm2", c),
    }


def width(be: int, maxf: int, level: int) -> int:
    return min(maxf, be * 2**level)


def hourglass(prefix: str, be: int, cin: int, n: int, maxf: int, norm) -> tuple[Table, list[int]]:
    """The hourglass table and the widths of its decoder outputs (TPSMM's `out_channels`, last = be + in)."""
    table: Table = {}
    for i in range(n):
        table |= block(
            f"{prefix}.encoder.down_blocks.{i}",
            cin if i == 0 else width(be, maxf, i),
            width(be, maxf, i + 1),
            norm,
        )
    outs = []
    for j, i in enumerate(reversed(range(n))):
        up_in = (1 if i == n - 1 else 2) * width(be, maxf, i + 1)
        outs.append(up_in)
        table |= block(f"{prefix}.decoder.up_blocks.{j}", up_in, width(be, maxf, i), norm)
    return table, outs + [be + cin]


def antialias(prefix: str, c: int, scale: float) -> Table:
    sigma = (1 / scale - 1) / 2
    k = 2 * round(4 * sigma) + 1
    return {f"{prefix}.weight": (c, 1, k, k)}


def fomm_kp_detector(c: FOMMConfig) -> Table:
    p = c.kp_detector
    table, outs = hourglass(
        "predictor", p.block_expansion, c.num_channels, p.num_blocks, p.max_features, batch_norm
    )
    table |= conv("kp", outs[-1], c.num_kp, 7)
    maps = 1 if p.single_jacobian_map else c.num_kp
    table |= conv("jacobian", outs[-1], 4 * maps, 7)
    return table | antialias("down", c.num_channels, p.scale_factor)


def fomm_generator(c: FOMMConfig) -> Table:
    g, d = c.generator, c.generator.dense_motion
    cin = (c.num_kp + 1) * (c.num_channels + 1)
    table, outs = hourglass(
        "dense_motion_network.hourglass", d.block_expansion, cin, d.num_blocks, d.max_features, batch_norm
    )
    table |= conv("dense_motion_network.mask", outs[-1], c.num_kp + 1, 7)
    table |= conv("dense_motion_network.occlusion", outs[-1], 1, 7)
    table |= antialias("dense_motion_network.down", c.num_channels, d.scale_factor)
    be, maxf, n = g.block_expansion, g.max_features, g.num_down_blocks
    table |= block("first", c.num_channels, be, batch_norm, k=7)
    for i in range(n):
        table |= block(f"down_blocks.{i}", width(be, maxf, i), width(be, maxf, i + 1), batch_norm)
    for j in range(n):
        table |= block(f"up_blocks.{j}", width(be, maxf, n - j), width(be, maxf, n - j - 1), batch_norm)
    for i in range(g.num_bottleneck_blocks):
        table |= res_block(f"bottleneck.r{i}", width(be, maxf, n), batch_norm)
    return table | conv("final", be, c.num_channels, 7)


def tpsmm_dense_motion(c: TPSMMConfig) -> Table:
    d = c.dense_motion
    table = antialias("down", c.num_channels, d.scale_factor)
    cin = c.num_channels * (c.num_tps + 1) + 5 * c.num_tps + 1
    hg, outs = hourglass("hourglass", d.block_expansion, cin, d.num_blocks, d.max_features, instance_norm)
    table |= hg | conv("maps", outs[-1], c.num_tps + 1, 7)
    up_nums = int(math.log2(1 / d.scale_factor))
    for i in range(up_nums):
        table |= block(f"up.{i}", outs[-1] // 2**i, outs[-1] // 2 ** (i + 1), instance_norm)
    occlusion_in = outs[len(outs) - (4 - up_nums) :] + [outs[-1] // 2 ** (i + 1) for i in range(up_nums)]
    for i, cin in enumerate(occlusion_in):
        table |= conv(f"occlusion.{i}", cin, 1, 7)
    return table


def tpsmm_inpainting(c: TPSMMConfig) -> Table:
    be, maxf, n = c.inpainting_block_expansion, c.inpainting_max_features, c.inpainting_num_down_blocks
    table = block("first", c.num_channels, be, instance_norm, k=7)
    ups, res = [], []
    for i in range(n):
        cin, cout = width(be, maxf, i), width(be, maxf, i + 1)
        table |= block(f"down_blocks.{i}", cin, cout, instance_norm)
        decoder_in = cout if i == n - 1 else 2 * cout
        ups.append((decoder_in, cin))
        res += [decoder_in, decoder_in]
    for j, (cin, cout) in enumerate(reversed(ups)):
        table |= block(f"up_blocks.{j}", cin, cout, instance_norm)
    for j, cin in enumerate(reversed(res)):
        table |= res_block(f"resblock.{j}", cin, instance_norm)
    return table | conv("final", be, c.num_channels, 7)


def tpsmm_avd(c: TPSMMConfig) -> Table:
    def linear(prefix: str, cin: int, cout: int) -> Table:
        return {f"{prefix}.weight": (cout, cin), f"{prefix}.bias": (cout,)}

    def mlp(prefix: str, sizes: list[int]) -> Table:
        table: Table = {}
        for i, (cin, cout) in enumerate(zip(sizes[:-1], sizes[1:], strict=True)):
            table |= linear(f"{prefix}.{3 * i}", cin, cout)
            if i < len(sizes) - 2:
                table |= batch_norm(f"{prefix}.{3 * i + 1}", cout)
        return table

    values = 10 * c.num_tps
    return (
        mlp("id_encoder", [values, 256, 512, 1024, c.avd_id_bottle_size])
        | mlp("pose_encoder", [values, 256, 512, 1024, c.avd_pose_bottle_size])
        | mlp("decoder", [c.avd_id_bottle_size + c.avd_pose_bottle_size, 1024, 512, 256, values])
    )


def _shapes(net: torch.nn.Module) -> Table:
    return {k: tuple(v.shape) for k, v in net.state_dict().items()}


FOMM_CAPPED = [
    # keypoint hourglass capped at level 2, dense motion at level 2, generator at its first down block
    FOMMConfig(
        num_kp=5,
        kp_detector=KeypointDetectorConfig(block_expansion=8, max_features=16, num_blocks=4),
        generator=GeneratorConfig(
            block_expansion=16,
            max_features=24,
            num_down_blocks=3,
            num_bottleneck_blocks=2,
            dense_motion=DenseMotionConfig(block_expansion=8, max_features=20, num_blocks=4),
        ),
    ),
    FOMMConfig(
        num_kp=3,
        kp_detector=KeypointDetectorConfig(
            block_expansion=4, max_features=4, num_blocks=3, single_jacobian_map=True
        ),
        generator=GeneratorConfig(
            block_expansion=8,
            max_features=8,
            num_down_blocks=2,
            num_bottleneck_blocks=1,
            dense_motion=DenseMotionConfig(block_expansion=4, max_features=8, num_blocks=3, scale_factor=0.5),
        ),
    ),
]
TPSMM_CAPPED = [
    # the issue's example: up blocks 32→32, 64→16, 32→8
    TPSMMConfig(
        num_tps=2,
        inpainting_block_expansion=8,
        inpainting_max_features=32,
        inpainting_num_down_blocks=3,
        dense_motion=DenseMotionConfig(block_expansion=8, max_features=32, num_blocks=4),
    ),
    TPSMMConfig(
        num_tps=3,
        inpainting_block_expansion=4,
        inpainting_max_features=12,
        inpainting_num_down_blocks=4,
        dense_motion=DenseMotionConfig(block_expansion=4, max_features=6, num_blocks=3, scale_factor=0.5),
        avd_id_bottle_size=16,
        avd_pose_bottle_size=32,
    ),
    TPSMMConfig(
        num_tps=2,
        inpainting_block_expansion=8,
        inpainting_max_features=8,
        inpainting_num_down_blocks=2,
        dense_motion=DenseMotionConfig(block_expansion=8, max_features=16, num_blocks=5, scale_factor=0.125),
    ),
]


@pytest.mark.parametrize("config", FOMM_CAPPED)
def test_fomm_networks_follow_the_original_widths_when_max_features_caps_them(config: FOMMConfig) -> None:
    with torch.device("meta"):
        nets = build_fomm(config)
    assert _shapes(nets["kp_detector"]) == fomm_kp_detector(config)
    assert _shapes(nets["generator"]) == fomm_generator(config)


@pytest.mark.parametrize("config", TPSMM_CAPPED)
def test_tpsmm_networks_follow_the_original_widths_when_max_features_caps_them(config: TPSMMConfig) -> None:
    with torch.device("meta"):
        nets = build_tpsmm(config)
    assert _shapes(nets["dense_motion_network"]) == tpsmm_dense_motion(config)
    assert _shapes(nets["inpainting_network"]) == tpsmm_inpainting(config)
    assert _shapes(nets["avd_network"]) == tpsmm_avd(config)


def test_the_issue_example_up_block_widths() -> None:
    table = tpsmm_inpainting(TPSMM_CAPPED[0])
    assert [table[f"up_blocks.{j}.conv.weight"][:2] for j in range(3)] == [(32, 32), (16, 64), (8, 32)]


def _random_state(table: Table, rng: torch.Generator) -> dict[str, torch.Tensor]:
    """Tensors of the table's shapes: small values, positive variances, a step count."""
    state = {}
    for key, shape in table.items():
        if key.endswith("num_batches_tracked"):
            state[key] = torch.tensor(100)
        elif key.endswith("running_var"):
            state[key] = 1 + 0.1 * torch.rand(shape, generator=rng)
        else:
            state[key] = 0.1 * torch.randn(shape, generator=rng)
    return state


@pytest.mark.slow
def test_a_capped_tpsmm_in_the_original_layout_loads_strictly_and_animates(tmp_path) -> None:
    config = TPSMMConfig(
        num_tps=2,
        frame_size=64,
        inpainting_block_expansion=8,
        inpainting_max_features=32,
        inpainting_num_down_blocks=3,
        dense_motion=DenseMotionConfig(block_expansion=8, max_features=32, num_blocks=3),
    )
    rng = torch.Generator().manual_seed(0)
    with torch.device("meta"):  # the ResNet18 modules have fixed widths: their keys come from ours
        resnets = {
            k: _shapes(v) for k, v in build_tpsmm(config).items() if k in ("kp_detector", "bg_predictor")
        }
    checkpoint = {
        "kp_detector": _random_state(resnets["kp_detector"], rng),
        "dense_motion_network": _random_state(tpsmm_dense_motion(config), rng),
        "inpainting_network": _random_state(tpsmm_inpainting(config), rng),
        "bg_predictor": _random_state(resnets["bg_predictor"], rng),
        "avd_network": _random_state(tpsmm_avd(config), rng),
        "optimizer": {"state": {}, "param_groups": []},
        "epoch": 99,
    }
    # the dense motion's anti-alias buffer is a fixed Gaussian in the original too
    checkpoint["dense_motion_network"]["down.weight"] = build_tpsmm(config)[
        "dense_motion_network"
    ].down.weight
    path = tmp_path / "capped.pth.tar"
    torch.save(checkpoint, path)
    model = fomm_core.load_model(str(path), config=config, device="cpu")
    assert isinstance(model, TPSMMModel)
    for key in ("dense_motion_network", "inpainting_network", "avd_network"):
        net = getattr(model, key)
        assert all(torch.equal(v, checkpoint[key][k]) for k, v in net.state_dict().items()), key
    source, driving = smooth_frames(1, 64, seed=3)[0], smooth_frames(4, 64, seed=4)
    frames = fomm_core.animate(model, source, driving)
    assert len(frames) == 4 and frames[0].shape == (64, 64, 3)
    assert np.ptp(np.asarray(frames, dtype=np.float32)) > 0


# Made by the original TPSMM code (HEAD c616878, torch 2.13 CPU) for CAPPED_GOLDEN: its dense motion and
# inpainting networks' state_dicts (values float16-exact), a batch of sources and keypoints, and its outputs.
GOLDEN = Path(__file__).parent / "data" / "tpsmm_capped_golden.npz"
CAPPED_GOLDEN = TPSMMConfig(
    num_tps=2,
    frame_size=64,
    inpainting_block_expansion=8,
    inpainting_max_features=32,
    inpainting_num_down_blocks=3,
    dense_motion=DenseMotionConfig(block_expansion=8, max_features=32, num_blocks=3),
)


# Largest deviations from the golden measured on an Intel Xeon (AVX-512, AMX; torch 2.13, 2 threads) across
# ATEN_CPU_CAPABILITY avx512, avx2 and default, oneDNN on, off or capped at AVX2 / SSE4.1, and MKL capped at
# AVX2 / SSE4.2 (scripts/golden_spread.py), plain ops and inference shortcuts alike: deformation 2.9e-6,
# occlusion 1.0e-5, prediction 4.9e-5; an AMD EPYC (AVX2) gave 5.3e-6 on the deformation, and an AMD EPYC
# (family 26, AVX-512) over all the configurations 1.1e-6, 3.0e-6 and 2.3e-5. MKL's CPU-specific
# matrix products make most of it: with MKL_CBWR=COMPATIBLE the plain ops match the golden to 6e-8. Each
# tolerance is ten times the largest figure, rounded up.
TOLERANCES = {"deformation": 1e-4, "occlusion_3": 2e-4, "prediction": 5e-4}


@pytest.mark.golden
def test_networks_of_the_original_code_for_a_capped_config_load_strictly_and_give_its_outputs() -> None:
    data = dict(np.load(GOLDEN))
    dense, inpainting = TPSDenseMotionNetwork(CAPPED_GOLDEN).eval(), InpaintingNetwork(CAPPED_GOLDEN).eval()
    for prefix, net in (("dense_motion_network.", dense), ("inpainting_network.", inpainting)):
        state = {
            k[len(prefix) :]: torch.from_numpy(v).float() for k, v in data.items() if k.startswith(prefix)
        }
        net.load_state_dict(state, strict=True)
    source = torch.from_numpy(data["source"])
    assert data["expected_prediction"].std() > 0.05
    for context in (plain_ops, nullcontext):
        with torch.no_grad(), context():
            motion = dense(source, torch.from_numpy(data["kp_driving"]), torch.from_numpy(data["kp_source"]))
            prediction = inpainting(source, motion)
        outputs = {
            "deformation": motion.deformation,
            "occlusion_3": motion.occlusion_maps[3],
            "prediction": prediction,
        }
        for name, tolerance in TOLERANCES.items():
            assert np.abs(outputs[name].numpy() - data[f"expected_{name}"]).max() <= tolerance, name
