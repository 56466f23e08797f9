"""The puppet's backdrop: the photo, with the inpainted background (fomm_core.scene.backdrop) only near the person.

The scene's backdrop fills a hole grown well beyond the mask (the learned engines' person never matches the
photo's outline). The puppet draws the person's own outline, so the photo stays itself a little way out
from the mask, and whatever a moved part uncovers shows the inpainted background.
"""

from __future__ import annotations

import cv2
import numpy as np

from ..scene.backdrop import remove_person

HOLE = 0.1  # mask level counted as the person
GROW = 0.012  # body heights beyond the mask that still take the inpainted background (hair, blur)


def puppet_backdrop(view: np.ndarray, mask: np.ndarray, height: float) -> np.ndarray:
    """`view` (uint8) with the person (`mask` in [0, 1]) replaced by background, the photo kept around them."""
    filled = remove_person(view, mask)
    grow = max(2, round(GROW * height))
    hole = cv2.dilate((mask > HOLE).astype(np.float32), np.ones((2 * grow + 1, 2 * grow + 1), np.uint8))
    blend = np.maximum(cv2.GaussianBlur(hole, (0, 0), grow / 2), hole)[..., None]
    return (view * (1 - blend) + filled * blend + 0.5).astype(np.uint8)
