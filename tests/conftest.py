"""Shared fixtures: tiny model configs small enough for fast CPU tests."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import torch

from fomm_core.config import DenseMotionConfig, FOMMConfig, GeneratorConfig, KeypointDetectorConfig

warnings.filterwarnings("ignore", category=DeprecationWarning, module="gradio")

TINY_FOMM = FOMMConfig(
    num_kp=5,
    frame_size=32,
    kp_detector=KeypointDetectorConfig(block_expansion=8, max_features=32, num_blocks=3, scale_factor=0.5),
    generator=GeneratorConfig(
        block_expansion=8,
        max_features=32,
        num_down_blocks=2,
        num_bottleneck_blocks=2,
        dense_motion=DenseMotionConfig(block_expansion=8, max_features=32, num_blocks=3, scale_factor=0.5),
    ),
)


@pytest.fixture(autouse=True)
def _few_threads() -> None:
    torch.set_num_threads(2)


@pytest.fixture
def one_thread():
    """One torch thread for the test: tiny models train fastest so, and a shared machine punishes more."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


@pytest.fixture
def tiny_fomm_config() -> FOMMConfig:
    """A FOMM at 32×32 with 5 keypoints and narrow layers (the shape of tests/data/fomm_golden.npz)."""
    return TINY_FOMM


def smooth_frames(n: int, size: int, seed: int = 0) -> np.ndarray:
    """n smooth random RGB frames (uint8), like blurry photos: keypoints land at distinct places."""
    import cv2

    rng = np.random.default_rng(seed)
    small = rng.random((n, 6, 6, 3)).astype(np.float32)
    return np.stack(
        [
            (cv2.resize(f, (size, size), interpolation=cv2.INTER_CUBIC).clip(0, 1) * 255)
            .round()
            .astype(np.uint8)
            for f in small
        ]
    )
