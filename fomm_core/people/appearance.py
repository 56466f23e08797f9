"""A person's appearance, to know them again after a crossing or a cut: the colours of their masked crop."""

from __future__ import annotations

import cv2
import numpy as np

from .blazepose import Pose


def appearance(pose: Pose) -> np.ndarray | None:
    """Normalised hue-saturation histogram of the pixels under the person's mask; None when the mask is empty."""
    mask = (pose.mask > 0.5).astype(np.uint8)
    if mask.sum() < 50:
        return None
    hsv = cv2.cvtColor(pose.crop, cv2.COLOR_RGB2HSV)
    hist = cv2.calcHist([hsv], [0, 1], mask, [12, 4], [0, 180, 0, 256])
    return cv2.normalize(hist, None).astype(np.float32)


def distance(a: np.ndarray | None, b: np.ndarray | None) -> float:
    """Bhattacharyya distance in [0, 1]: 0 same colours, 1 nothing shared; 1 when either is unknown."""
    if a is None or b is None:
        return 1.0
    return float(cv2.compareHist(a, b, cv2.HISTCMP_BHATTACHARYYA))
