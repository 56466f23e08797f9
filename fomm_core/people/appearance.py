"""A person's appearance, to know them again after a crossing or a cut: the colours of their masked crop.

Stage light tints a whole body alike and changes at every cut, so the colours are taken relative to the
body's own mean colour (each channel divided by it): what stays is how the person's hair, clothes and skin
differ from each other, which a change of light leaves nearly alone.
"""

from __future__ import annotations

import cv2
import numpy as np

from .blazepose import Pose

MIN_PIXELS = 50
NEUTRAL = 128.0  # the body's mean colour is brought to this grey


def appearance(pose: Pose) -> np.ndarray | None:
    """Normalised hue-saturation histogram of the pixels under the person's mask, under neutral light; None
    when the mask is empty."""
    mask = pose.mask > 0.5
    if mask.sum() < MIN_PIXELS:
        return None
    crop = pose.crop.astype(np.float32)
    mean = np.maximum(crop[mask].mean(axis=0), 1.0)
    neutral = np.clip(crop * (NEUTRAL / mean), 0, 255).astype(np.uint8)
    hsv = cv2.cvtColor(neutral, cv2.COLOR_RGB2HSV)
    hist = cv2.calcHist([hsv], [0, 1], mask.astype(np.uint8), [12, 4], [0, 180, 0, 256])
    return cv2.normalize(hist, None).astype(np.float32)


def distance(a: np.ndarray | None, b: np.ndarray | None) -> float:
    """Bhattacharyya distance in [0, 1]: 0 same colours, 1 nothing shared; 1 when either is unknown."""
    if a is None or b is None:
        return 1.0
    return float(cv2.compareHist(a, b, cv2.HISTCMP_BHATTACHARYYA))
