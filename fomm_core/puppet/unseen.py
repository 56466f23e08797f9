"""Landmarks the model cannot see (hidden, outside the frame) kept plausible, and never jumping.

A landmark the model is sure of is taken as measured. One it is unsure of keeps its last offset from the
landmark it hangs from (skeleton.LANDMARK_PARENT), so the bone keeps its length and its last direction and
follows its parent. When the landmark is seen again it glides from where it was held to where it is seen
over 1/RATE frames, so losing or finding a landmark never makes it jump.
"""

from __future__ import annotations

import numpy as np

from .skeleton import LANDMARK_PARENT

SURE = 0.5  # visibility from which a landmark counts as seen
RATE = 0.25  # how far the measured/held weight moves per frame
MARGIN = 0.01  # a landmark this close to the frame's edge (fraction of its size) counts as outside


class UnseenLandmarks:
    """Feed 33 landmarks per frame (33×D: x, y[, z]) with their visibility; get them back made plausible."""

    def __init__(self, width: int, height: int):
        self.size = np.array([width, height], np.float64)
        self._offset: np.ndarray | None = None  # 33×D: the output's offset from its parent, last frame
        self._anchor: np.ndarray | None = None  # 33×D: the offset held when the landmark was last lost
        self._weight: np.ndarray | None = None  # 33: how much of the measured offset is used

    def sure(self, points: np.ndarray, visibility: np.ndarray) -> np.ndarray:
        """Which landmarks are seen and inside the frame."""
        margin = MARGIN * self.size
        xy = points[:, :2]
        inside = np.all((xy >= margin) & (xy <= self.size - margin), axis=1)
        return (visibility >= SURE) & inside

    def __call__(self, points: np.ndarray, visibility: np.ndarray) -> np.ndarray:
        """The landmarks with the unseen ones held to their parents."""
        points = np.asarray(points, np.float64)
        sure = self.sure(points, visibility)
        if self._offset is None:
            parents = [LANDMARK_PARENT.get(i, i) for i in range(len(points))]
            self._offset = points - points[parents]
            self._anchor = self._offset.copy()
            self._weight = np.ones(len(points))
        out = points.copy()
        for i, parent in LANDMARK_PARENT.items():  # parents come before children in the table
            if sure[i]:
                self._weight[i] = min(1.0, self._weight[i] + RATE)
                measured = points[i] - points[parent]
                offset = self._weight[i] * measured + (1 - self._weight[i]) * self._anchor[i]
            else:
                self._weight[i] = 0.0
                offset = self._anchor[i] = self._offset[i]
            self._offset[i] = offset
            out[i] = out[parent] + offset
        return out
