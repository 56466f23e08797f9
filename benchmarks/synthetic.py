"""Speed of the synthetic dancer generator and the quality/speed of the prepare denoisers, in one run.

Prints rendering frames/s at 128 and 256 px (textured backdrops, random choreography), training pairs/s
(`frame_pair`, a fresh dancer each), and for each denoiser the PSNR on a 256 px synthetic clip with
Gaussian noise (sigma 10) and its milliseconds per frame, against a 3-frame temporal median.

    python benchmarks/synthetic.py [--frames 250]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from fomm_core.data import choreography, frame_pair, random_background, random_clip, random_identity, render  # noqa: E402
from fomm_core.data.prepare import DENOISERS  # noqa: E402


def _psnr(a: np.ndarray, b: np.ndarray) -> float:
    return float(10 * np.log10(255.0**2 / np.mean((a.astype(np.float64) - b.astype(np.float64)) ** 2)))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--frames", type=int, default=250)
    args = parser.parse_args()
    rng = np.random.default_rng(0)
    for size in (128, 256):
        elapsed = 0.0
        for _ in range(4):
            identity = random_identity(rng)
            background = random_background(rng, identity.colours(), kind="texture")
            motion = choreography(n_frames=args.frames, rng=rng)
            start = time.perf_counter()
            render(identity, motion, size, background)
            elapsed += time.perf_counter() - start
        print(f"render {size}x{size}: {4 * args.frames / elapsed:.0f} frames/s")
    start = time.perf_counter()
    for _ in range(200):
        frame_pair(rng, size=128)
    print(f"frame_pair 128x128: {200 / (time.perf_counter() - start):.0f} pairs/s")

    clean = random_clip(3, size=256, n_frames=20, style="slow_waves").frames
    noisy = np.clip(clean + np.random.default_rng(1).normal(0, 10, clean.shape), 0, 255).astype(np.uint8)
    print(f"denoise (256 px, sigma 10): noisy input {_psnr(noisy, clean):.1f} dB")
    for name, denoise in DENOISERS.items():
        start = time.perf_counter()
        out = np.stack([denoise(f) for f in noisy])
        ms = 1000 * (time.perf_counter() - start) / len(noisy)
        print(f"  {name}: {_psnr(out, clean):.1f} dB, {ms:.1f} ms/frame")
    start = time.perf_counter()
    median = np.median(np.stack([noisy[:-2], noisy[1:-1], noisy[2:]]), axis=0).astype(np.uint8)
    ms = 1000 * (time.perf_counter() - start) / len(median)
    print(f"  temporal median of 3 (not offered): {_psnr(median, clean[1:-1]):.1f} dB, {ms:.1f} ms/frame")


if __name__ == "__main__":
    main()
