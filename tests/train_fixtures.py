"""Shared fixtures for the training tests: a tiny FOMM training config and a tiny (index, seed) dataset."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch.utils.data import Dataset

TINY_DOCUMENT: dict[str, Any] = {
    "dataset_params": {
        "frame_shape": [32, 32, 3],
        "augmentation_params": {
            "flip_param": {"horizontal_flip": True, "time_flip": True},
            "jitter_param": {"brightness": 0.1, "contrast": 0.1, "saturation": 0.1, "hue": 0.1},
        },
    },
    "model_params": {
        "common_params": {"num_kp": 4, "num_channels": 3, "estimate_jacobian": True},
        "kp_detector_params": {
            "temperature": 0.1,
            "block_expansion": 4,
            "max_features": 16,
            "num_blocks": 2,
            "scale_factor": 0.5,
        },
        "generator_params": {
            "block_expansion": 4,
            "max_features": 16,
            "num_down_blocks": 1,
            "num_bottleneck_blocks": 1,
            "estimate_occlusion_map": True,
            "dense_motion_params": {
                "block_expansion": 4,
                "max_features": 16,
                "num_blocks": 2,
                "scale_factor": 0.5,
            },
        },
        "discriminator_params": {"scales": [1], "block_expansion": 4, "max_features": 16, "num_blocks": 2},
    },
    "train_params": {
        "num_epochs": 2,
        "num_repeats": 1,
        "epoch_milestones": [1],
        "batch_size": 4,
        "scales": [1, 0.5],
        "checkpoint_freq": 1,
        "loss": "l1_ssim",
        "log_every": 1,
        "sample_every": 2,
        "checkpoint_every": 2,
        "seed": 3,
        "transform_params": {"sigma_affine": 0.05, "sigma_tps": 0.005, "points_tps": 5},
        "loss_weights": {
            "generator_gan": 0,
            "perceptual": [10, 10],
            "equivariance_value": 10,
            "equivariance_jacobian": 10,
        },
    },
}


def read_log(run: Path) -> list[dict[str, Any]]:
    """The entries of a run's log.jsonl."""
    return [json.loads(line) for line in (run / "log.jsonl").read_text().splitlines()]


def losses_of(entry: dict[str, Any]) -> dict[str, Any]:
    """A log entry without its wall-clock time (what two identical runs share)."""
    return {k: v for k, v in entry.items() if k != "seconds"}


def tiny_document(**train_overrides: Any) -> dict[str, Any]:
    """A deep copy of the tiny config with some train_params replaced."""
    document = copy.deepcopy(TINY_DOCUMENT)
    document["train_params"].update(train_overrides)
    return document


class BlobPairs(Dataset):
    """Pairs of frames of a coloured disc moving over a gradient, fully determined by (index, seed)."""

    def __init__(self, size: int = 32, length: int = 8):
        self.size = size
        self.length = length

    def __len__(self) -> int:
        return self.length

    def _frame(self, centre: np.ndarray, colour: np.ndarray) -> np.ndarray:
        yy, xx = np.mgrid[0 : self.size, 0 : self.size] / (self.size - 1)
        frame = np.stack([xx, yy, 0.5 * np.ones_like(xx)], axis=-1) * 0.5
        disc = ((xx - centre[0]) ** 2 + (yy - centre[1]) ** 2) < 0.04
        frame[disc] = colour
        return frame.astype(np.float32)

    def __getitem__(self, key: tuple[int, int]) -> dict[str, torch.Tensor]:
        index, seed = key
        rng = np.random.default_rng([index, seed])
        colour = rng.uniform(0.3, 1.0, 3)
        start, end = rng.uniform(0.25, 0.75, (2, 2))
        frames = [torch.from_numpy(self._frame(c, colour)).permute(2, 0, 1) for c in (start, end)]
        return {"source": frames[0], "driving": frames[1]}
