"""Camera motion between consecutive frames, measured on the stage only (people masked out).

Corners are found on the previous frame away from the people, followed into the next frame by pyramidal
Lucas-Kanade optical flow, and a similarity (pan, zoom, roll) is fitted with RANSAC. The camera counts as
still when no background point moves more than `STILL_PX` under the fitted motion.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

STILL_PX = 0.5  # largest displacement (pixels) of the frame's corners that still counts as a still camera
MIN_POINTS = 12  # fewer tracked background points than this: the motion is unknown
MAX_ERROR = 1.5  # median reprojection error (pixels) above which the fit is not trusted


@dataclass(frozen=True)
class CameraStep:
    """How the picture moved from one frame to the next: `matrix` (2×3) maps previous to current pixels."""

    matrix: np.ndarray | None  # None: not measurable (too few background points, or a poor fit)
    shift: float  # largest displacement of the frame's corners under the matrix, pixels (inf when unknown)

    @property
    def still(self) -> bool:
        """The camera did not move (within half a pixel at the frame's corners)."""
        return self.shift <= STILL_PX


def camera_step(previous: np.ndarray, current: np.ndarray, people: np.ndarray | None = None) -> CameraStep:
    """The camera's motion from `previous` to `current` (uint8 H×W×3), ignoring `people` (H×W bool, or None)."""
    grey0 = cv2.cvtColor(previous, cv2.COLOR_RGB2GRAY)
    grey1 = cv2.cvtColor(current, cv2.COLOR_RGB2GRAY)
    h, w = grey0.shape
    allowed = np.full((h, w), 255, np.uint8)
    if people is not None:
        grow = max(3, round(0.02 * h))
        allowed[cv2.dilate(people.astype(np.uint8), np.ones((2 * grow + 1,) * 2, np.uint8)) > 0] = 0
    corners = cv2.goodFeaturesToTrack(grey0, 300, 0.01, max(4, h // 40), mask=allowed, blockSize=5)
    unknown = CameraStep(None, float("inf"))
    if corners is None or len(corners) < MIN_POINTS:
        return unknown
    moved, status, _ = cv2.calcOpticalFlowPyrLK(grey0, grey1, corners, None, winSize=(15, 15), maxLevel=3)
    ok = status.ravel() == 1
    if ok.sum() < MIN_POINTS:
        return unknown
    a, b = corners[ok].reshape(-1, 2), moved[ok].reshape(-1, 2)
    matrix, inliers = cv2.estimateAffinePartial2D(a, b, method=cv2.RANSAC, ransacReprojThreshold=1.0)
    if matrix is None or inliers.sum() < MIN_POINTS:
        return unknown
    error = np.linalg.norm(a @ matrix[:, :2].T + matrix[:, 2] - b, axis=1)
    if np.median(error) > MAX_ERROR:
        return unknown
    frame_corners = np.array([[0, 0], [w, 0], [0, h], [w, h]], np.float64)
    shift = np.linalg.norm(frame_corners @ matrix[:, :2].T + matrix[:, 2] - frame_corners, axis=1).max()
    return CameraStep(matrix, float(shift))
