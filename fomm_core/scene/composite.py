"""Each output frame: the still backdrop, and over it the animated person cut out of the model's square."""

from __future__ import annotations

from collections.abc import Callable

import cv2
import numpy as np

from .layout import SceneLayout

GROW = 0.006  # the cut-out reaches this fraction of the output height beyond the mask (soft hair, limbs)
FEATHER = 0.004  # Gaussian sigma of the cut-out's edge, as a fraction of the output height


class SceneCompositor:
    """Pastes each generated square where the source square came from and blends it in by the person's mask."""

    def __init__(
        self,
        layout: SceneLayout,
        backdrop: np.ndarray,
        segment: Callable[[np.ndarray], np.ndarray],
        frame_size: int,
    ):
        self.layout = layout
        self.backdrop = backdrop.astype(np.float32)
        self.segment = segment
        self._matrix = layout.paste_matrix(frame_size)
        height = layout.size[1]
        grow = max(1, round(GROW * height))
        self._grow = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * grow + 1, 2 * grow + 1))
        self._sigma = max(0.7, FEATHER * height)

    @property
    def size(self) -> tuple[int, int]:
        """Output width, height."""
        return self.layout.size

    def alpha(self, frame: np.ndarray) -> np.ndarray:
        """How much of the animated frame shows in each output pixel (H×W float32): the person, feathered."""
        mask = cv2.warpAffine(
            self.segment(frame), self._matrix, self.size, flags=cv2.INTER_LINEAR, borderValue=0.0
        )
        mask = cv2.dilate(mask, self._grow)
        return cv2.GaussianBlur(mask, (0, 0), self._sigma)

    def __call__(self, frame: np.ndarray) -> np.ndarray:
        """The output frame (uint8 H×W×3) for one generated square (uint8 N×N×3)."""
        up = self._matrix[0, 0] > 1.2
        pasted = cv2.warpAffine(
            frame,
            self._matrix,
            self.size,
            flags=cv2.INTER_CUBIC if up else cv2.INTER_LINEAR,
            borderMode=cv2.BORDER_REPLICATE,
        )
        a = self.alpha(frame)[..., None]
        return np.clip(self.backdrop * (1 - a) + pasted * a + 0.5, 0, 255).astype(np.uint8)
