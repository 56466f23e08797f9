"""The animated person's outline in each generated frame, by the landmarker (BlazePose)."""

from __future__ import annotations

import numpy as np

from ..people.blazepose import BlazePose, Pose, Roi
from ..people.photo import PRESENCE

SAME = 0.3  # mask overlap (IoU) with the last frame's above which an answer is the same person
TRIES = 3  # detections tried when the followed person is lost


class PersonSegmenter:
    """Follows the person through the generated frames (each answer says where to look next) and returns
    their mask. An answer that does not overlap the last mask is someone else (a neighbour the model
    warped too); then the detector's people are tried, and the last mask is kept when none is the person."""

    def __init__(self, landmarker: BlazePose, roi: Roi, first_mask: np.ndarray):
        self._landmarker = landmarker
        self._roi = roi
        self._last = first_mask.astype(np.float32)

    def __call__(self, frame: np.ndarray) -> np.ndarray:
        """The person's mask in `frame` (uint8 N×N×3), N×N float32 in [0, 1]."""
        mask = self._same_person(frame, self._landmarker.landmarks(frame, self._roi))
        if mask is None:
            for detection in self._landmarker.detect(frame)[:TRIES]:
                mask = self._same_person(frame, self._landmarker.landmarks(frame, detection.roi))
                if mask is not None:
                    break
        if mask is not None:
            self._last = mask
        return self._last

    def _same_person(self, frame: np.ndarray, pose: Pose) -> np.ndarray | None:
        """The pose's mask over the frame when it is the followed person (next ROI remembered), else None."""
        if pose.presence < PRESENCE:
            return None
        h, w = frame.shape[:2]
        mask = pose.roi.mask_over(pose.mask, w, h)
        now, before = mask > 0.5, self._last > 0.5
        union = np.count_nonzero(now | before)
        if union == 0 or np.count_nonzero(now & before) / union < SAME:
            return None
        self._roi = pose.next_roi
        return mask
