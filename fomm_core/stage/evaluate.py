"""Scoring a stage render against the truth: the clip rendered with the newcomers in the dancers' places."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from .plate import grow

REGION_GROW = 0.02  # the person region reaches this fraction of the frame height past both silhouettes


def person_region(original: np.ndarray, truth: np.ndarray, dancers: Sequence[int]) -> np.ndarray:
    """T×H×W bool: where the replaced dancers were (original masks T×N×H×W) or their newcomers are (truth)."""
    pixels = max(1, round(REGION_GROW * original.shape[2]))
    both = original[:, list(dancers)].any(1) | truth[:, list(dancers)].any(1)
    return np.stack([grow(m, pixels) for m in both])


def person_region_l1(render: np.ndarray, truth: np.ndarray, region: np.ndarray) -> float:
    """Mean absolute difference (0-255, over pixels and channels) of render and truth (T×H×W×3) in region."""
    if not region.any():
        raise ValueError("the person region is empty: the replaced dancers are never seen")
    return float(np.abs(render[region].astype(np.float32) - truth[region]).mean())
