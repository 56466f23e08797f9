"""Files for command-line tests: a test-pattern clip, a noise photo and a tiny FOMM checkpoint."""

from __future__ import annotations

import subprocess
from pathlib import Path

import numpy as np
from conftest import TINY_FOMM
from PIL import Image

from fomm_core.checkpoints.formats import write_safetensors
from fomm_core.engines.fomm import build_networks
from fomm_core.io.ffmpeg import ffmpeg_exe


def pattern_clip(path: Path, seconds: float, rate: int) -> Path:
    """ffmpeg's 64x48 test pattern as an H.264 clip."""
    source = f"testsrc=size=64x48:rate={rate}"
    subprocess.run(
        [ffmpeg_exe(), "-loglevel", "error", "-f", "lavfi", "-i", source, "-t", str(seconds)]
        + ["-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", str(path)],
        check=True,
    )
    return path


def noise_photo(path: Path) -> Path:
    """A 64x64 photo of seeded noise."""
    Image.fromarray(np.random.default_rng(0).integers(0, 256, (64, 64, 3), dtype=np.uint8)).save(path)
    return path


def tiny_checkpoint(path: Path) -> Path:
    """A tiny random FOMM written as safetensors with its config."""
    nets = build_networks(TINY_FOMM)
    return write_safetensors({k: n.state_dict() for k, n in nets.items()}, path, config=TINY_FOMM)
