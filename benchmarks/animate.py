"""Frames/s and peak memory of animation at full size: the original's way against ours, in one run.

The original's way (first-order-model demo.py): batch 1; for every frame the keypoint detector runs on the
frame and the generator's full forward re-encodes the source, recomputes its dense-motion inputs and also
warps the source image for visualisation; default (contiguous) memory layout. Ours: fomm_core.animate_iter
(source encoded once per clip, channels_last, batch norm folded into the convs, ReLU fused, conv weights kept
in oneDNN's layout, inference_mode). Random weights give the same timing
as trained ones. Each variant runs in its own subprocess; peak memory is the process's resident memory
(weights included) sampled while it animates.

    python benchmarks/animate.py [--engine fomm|tpsmm] [--frames 24] [--batch-size 1] [--repeats 3]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import threading
import time
from contextlib import contextmanager, nullcontext
from pathlib import Path
from types import SimpleNamespace

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

PRESET = {"fomm": "taichi-256", "tpsmm": "tpsmm-taichi-256"}


def _frames(n: int, size: int):
    """n random frames, made one at a time so that the clip itself takes no memory."""
    import numpy as np

    rng = np.random.default_rng(0)
    for _ in range(n):
        yield rng.random((size, size, 3), dtype=np.float32)


def _fresh_networks(module, config) -> dict:
    """Unmodified networks (no batch-norm folding, default memory layout) with random_model(seed=0)'s weights."""
    import torch

    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(0)
        return {k: v.eval() for k, v in module.build_networks(config).items()}


def _demo_loop(model, detect, generate, context=nullcontext):
    """The original demo's make_animation (relative mode, adapt scale), batch 1: per frame the frame's keypoints,
    then `generate(source, kp, kp_source)`, which works from the full-size source every time."""
    import torch

    def run(source, driving) -> None:
        with torch.no_grad(), context():
            src = torch.from_numpy(source).permute(2, 0, 1)[None]
            kp_source = detect(src)
            source_state = SimpleNamespace(kp=kp_source)
            kp_initial = None
            for frame in driving:
                kp_driving = detect(torch.from_numpy(frame).permute(2, 0, 1)[None])
                kp_initial = kp_initial or kp_driving
                kp = model.drive_keypoints(source_state, kp_driving, kp_initial, "relative", True)
                generate(src, kp, kp_source).numpy()

    return run


def _original_way_fomm(model):
    """FOMM demo.py: the generator's full forward re-encodes the source, recomputes its dense-motion inputs and
    also warps the source image for visualisation, every frame; plain batch norm and upsample-then-conv ops."""
    from fomm_core.engines import fomm
    from fomm_core.motion import Keypoints
    from fomm_core.networks.common.conv import plain_ops

    nets = _fresh_networks(fomm, model.config)
    kp_detector, generator = nets["kp_detector"], nets["generator"]
    return _demo_loop(
        model,
        lambda x: Keypoints(*kp_detector(x)),
        lambda src, kp, ks: generator(src, kp.value, kp.jacobian, ks.value, ks.jacobian)["prediction"],
        plain_ops,
    )


@contextmanager
def _peak_rss(result: dict):
    """Sample this process's resident memory every 2 ms while the block runs; store the peak in MB."""
    page = os.sysconf("SC_PAGE_SIZE")
    done = threading.Event()
    peak = [0]

    def sample() -> None:
        while not done.is_set():
            with open("/proc/self/statm") as f:
                peak[0] = max(peak[0], int(f.read().split()[1]) * page)
            time.sleep(0.002)

    thread = threading.Thread(target=sample, daemon=True)
    thread.start()
    try:
        yield
    finally:
        done.set()
        thread.join()
        result["peak_mb"] = peak[0] / 2**20


def _run_variant(engine: str, variant: str, frames: int, batch_size: int) -> dict:
    import torch

    import fomm_core

    torch.set_num_threads(2)
    model = fomm_core.random_model(PRESET[engine], seed=0, device="cpu")
    size = model.frame_size
    source = next(_frames(1, size))
    warm = list(_frames(2, size))
    driving = _frames(frames, size)
    if variant == "original":
        run = _original_way_fomm(model) if engine == "fomm" else _original_way_tpsmm(model)
    else:

        def run(source, driving) -> None:
            for _ in fomm_core.animate_iter(model, source, driving, batch_size=batch_size):
                pass

    run(source, warm)
    result: dict = {}
    with _peak_rss(result):
        start = time.perf_counter()
        run(source, driving)
        seconds = time.perf_counter() - start
    return {"fps": frames / seconds, "s_per_frame": seconds / frames, **result}


def _original_way_tpsmm(model):
    """TPSMM demo.py's make_animation (relative mode) on unmodified networks, batch 1, default memory layout.

    Per frame: keypoints of the frame, then the dense motion network's and the inpainting network's full
    forward from the full-size source (downscaled and re-encoded every frame), with the plain InstanceNorm
    and upsample-then-conv ops. (The original inpainting forward also warps every encoder level a second
    time for its training loss; that extra work is left out here, so the original's figure is, if anything,
    flattered.)
    """
    from fomm_core.engines import tpsmm
    from fomm_core.motion import Keypoints
    from fomm_core.networks.common.conv import plain_ops

    nets = _fresh_networks(tpsmm, model.config)
    kp_detector, dense_motion = nets["kp_detector"], nets["dense_motion_network"]
    inpainting = nets["inpainting_network"]
    return _demo_loop(
        model,
        lambda x: Keypoints(kp_detector(x)),
        lambda src, kp, ks: inpainting(src, dense_motion(src, kp.value, ks.value)),
        plain_ops,
    )


def _flops_per_frame(engine: str, batch_size: int) -> float:
    """Multiply-adds ×2 of ours per frame, as our ops run."""
    import numpy as np
    import torch
    from torch.utils.flop_counter import FlopCounterMode

    import fomm_core

    model = fomm_core.random_model(PRESET[engine], seed=0, device="cpu")
    frames = model.to_tensor(np.stack(list(_frames(batch_size, model.frame_size))))
    with torch.inference_mode():
        state = model.encode_source(frames[:1])
        kp = model.detect_keypoints(frames)
        kp = model.drive_keypoints(state, kp, kp[0], "relative", True)
        # Both engines' own ops do less work than the plain ones (upsample-then-conv as phase convs), so they are
        # counted as they run, with the oneDNN calls on kept weights counted as the convolutions they are.
        _count_kept_weight_convs()
        with FlopCounterMode(display=False) as counter:
            model.detect_keypoints(frames)
            model.generate(state, kp)
    return counter.get_total_flops() / batch_size


def _count_kept_weight_convs() -> None:
    """Teach FlopCounterMode torch.ops.mkldnn._convolution_pointwise: 2 × output size × (in channels × kernel)."""
    import math

    import torch
    from torch.utils.flop_counter import register_flop_formula

    @register_flop_formula(torch.ops.mkldnn._convolution_pointwise)
    def _conv_flops(x_shape, *args, out_shape=None, **kwargs) -> int:
        # the binary overload takes (x, other, weight, ...), the default one (x, weight, ...)
        binary = args[1] is not None and len(args[1]) == 4  # there args[1] is the weight, else the bias
        weight_shape = args[1] if binary else args[0]
        return 2 * math.prod(out_shape) * math.prod(weight_shape[1:])


def _conv_peak_gflops() -> float:
    """Throughput of a plain 3×3 conv stack (256 channels, 64×64, channels_last) on this CPU."""
    import torch

    torch.set_num_threads(2)
    x = torch.rand(4, 256, 64, 64).contiguous(memory_format=torch.channels_last)
    conv = torch.nn.Conv2d(256, 256, 3, padding=1).to(memory_format=torch.channels_last).eval()
    flops = 2 * 4 * 256 * 256 * 9 * 64 * 64
    with torch.inference_mode():
        for _ in range(3):
            conv(x)
        start = time.perf_counter()
        reps = 10
        for _ in range(reps):
            conv(x)
    return flops * reps / (time.perf_counter() - start) / 1e9


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--engine", choices=sorted(PRESET), default="fomm")
    parser.add_argument("--frames", type=int, default=24)
    parser.add_argument("--batch-size", type=int, default=1)
    parser.add_argument(
        "--repeats", type=int, default=3, help="alternating runs per variant; the fastest counts"
    )
    parser.add_argument("--variant", choices=["original", "ours"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.variant:
        print(json.dumps(_run_variant(args.engine, args.variant, args.frames, args.batch_size)))
        return

    def variant_run(variant: str, frames: int) -> dict:
        out = subprocess.run(
            [
                sys.executable,
                __file__,
                "--engine",
                args.engine,
                "--frames",
                str(frames),
                "--batch-size",
                str(args.batch_size),
                "--variant",
                variant,
            ],
            check=True,
            capture_output=True,
            text=True,
        ).stdout
        return json.loads(out.strip().splitlines()[-1])

    results: dict[str, dict] = {}
    for _ in range(args.repeats):  # alternate so that load from other processes hits both alike
        for variant in ("original", "ours"):
            run = variant_run(variant, args.frames)
            if variant not in results or run["fps"] > results[variant]["fps"]:
                results[variant] = run
    longer = variant_run("ours", 3 * args.frames)
    flops = _flops_per_frame(args.engine, args.batch_size)
    peak = _conv_peak_gflops()
    ours, orig = results["ours"], results["original"]
    print(
        f"{PRESET[args.engine]}, {args.frames} frames, random weights, best of {args.repeats} alternating runs"
    )
    print(f"{'':10}{'s/frame':>10}{'frames/s':>10}{'peak MB':>10}")
    for name in ("original", "ours"):
        r = results[name]
        print(f"{name:10}{r['s_per_frame']:10.3f}{r['fps']:10.2f}{r['peak_mb']:10.0f}")
    print(f"speed-up: {ours['fps'] / orig['fps']:.2f}x")
    print(
        f"peak memory, ours: {results['ours']['peak_mb']:.0f} MB for {args.frames} frames, "
        f"{longer['peak_mb']:.0f} MB for {3 * args.frames} frames"
    )
    print(
        f"work per frame (ours, batch {args.batch_size}): {flops / 1e9:.1f} GFLOP; "
        f"this CPU's conv throughput: {peak:.0f} GFLOP/s; "
        f"reached: {flops * ours['fps'] / 1e9:.0f} GFLOP/s = {100 * flops * ours['fps'] / 1e9 / peak:.0f}%"
    )


if __name__ == "__main__":
    main()
