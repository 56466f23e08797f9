"""The photo with the person taken out: their place filled in from the background around it, made once."""

from __future__ import annotations

import cv2
import numpy as np

INPAINT_SIDE = 320  # the hole is filled at this long side at most (inpainting is slow at full size)
HOLE = 0.2  # mask level counted as the person
GROW = 0.04  # the hole reaches this fraction of the person's height beyond the mask (hair, shadow, blur)
RADIUS = 5  # inpainting neighbourhood, pixels at the reduced size


def remove_person(image: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """`image` (uint8 H×W×3) with the person (`mask`, H×W in [0, 1]) removed and their place inpainted."""
    hole = (mask > HOLE).astype(np.uint8)
    if not hole.any():
        return image.copy()
    rows = np.flatnonzero(hole.any(axis=1))
    grow = max(3, round(GROW * (rows[-1] - rows[0] + 1)))
    hole = cv2.dilate(hole, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * grow + 1, 2 * grow + 1)))
    h, w = hole.shape
    factor = min(1.0, INPAINT_SIDE / max(h, w))
    size = (max(1, round(w * factor)), max(1, round(h * factor)))
    small = cv2.resize(image, size, interpolation=cv2.INTER_AREA)
    small_hole = cv2.resize(hole, size, interpolation=cv2.INTER_NEAREST)
    small_hole = cv2.dilate(small_hole, np.ones((3, 3), np.uint8))  # no person pixel survives the shrink
    filled = cv2.inpaint(small, small_hole, RADIUS, cv2.INPAINT_TELEA)
    filled = cv2.resize(filled, (w, h), interpolation=cv2.INTER_CUBIC)
    blend = np.maximum(cv2.GaussianBlur(hole.astype(np.float32), (0, 0), grow / 2), hole)[..., None]
    return (image * (1 - blend) + filled * blend + 0.5).astype(np.uint8)
