"""Feet on the ground: the retargeted body is moved so that the foot bearing the weight is where the dancer's is.

Each foot's target is where it is in the photo plus the dancer's foot displacement since the reference
frame, scaled to the person's height. The body follows the dancer's planted foot: the stiller and the lower
of the two counts most, with a soft switch between them, so a planted foot neither slides nor floats, a
stepping foot does not drag the body along, and the body never jumps when the weight changes feet.
"""

from __future__ import annotations

import numpy as np

from .skeleton import FEET, J

LOWER = 0.03  # body heights: one foot this much lower than the other weighs e (2.7) times as much
STILLER = 0.004  # body heights per frame: one foot this much slower than the other weighs e times as much


def foot_points(joints: np.ndarray) -> np.ndarray:
    """Each foot's sole point (2×2): the middle of heel and toe."""
    return np.array([(joints[J[heel]] + joints[J[toe]]) / 2 for heel, toe in FEET])


class Ground:
    """The shift that puts the posed person's planted foot where the dancer's is, frame after frame."""

    def __init__(self, photo: np.ndarray, reference: np.ndarray, scale: float, dancer_height: float):
        self.photo_feet = foot_points(photo)
        self.reference_feet = foot_points(reference)
        self.scale, self.height = scale, dancer_height
        self._last: np.ndarray | None = None

    def weights(self, dancer_feet: np.ndarray) -> np.ndarray:
        """How much each foot bears the weight (sums to 1)."""
        speed = np.zeros(2) if self._last is None else np.hypot(*(dancer_feet - self._last).T)
        self._last = dancer_feet
        score = dancer_feet[:, 1] / (LOWER * self.height) - speed / (STILLER * self.height)
        w = np.exp(score - score.max())
        return w / w.sum()

    def __call__(self, posed: np.ndarray, dancer: np.ndarray) -> np.ndarray:
        """The shift (x, y) for the person's joints `posed`, given the dancer's joints in this frame."""
        dancer_feet = foot_points(dancer)
        target = self.photo_feet + self.scale * (dancer_feet - self.reference_feet)
        return self.weights(dancer_feet) @ (target - foot_points(posed))
