"""Motion fidelity by an independent pose model (BlazePose's 33 landmarks), the FOMM paper's AKD and MKR.

- Landmarks of a clip: frames are resized to `POSE_SIDE`² pixels; the person is followed as the pose model
  tracks (the last frame's landmarks give the next region), found again when lost (in the whole frame,
  else the detected people nearest the centre); only a person whose shoulders and hips centre in the middle
  half of the frame counts (the crop is centred on the dancer: others are bystanders). Each clip is read
  on its own, the result's never from the driving's regions. A landmark counts as detected when the model sees it
  (visibility ≥ 0.5) inside the frame; a frame where the model finds no person detects none.
- `akd` (average keypoint distance): mean absolute coordinate difference |Δx|, |Δy| in pixels of a
  `POSE_SIDE`² frame (the paper's 256²) between the landmarks of result and driving frames, over the
  landmarks detected in both, pooled over the clip's frames (the pose-evaluation scripts' definition; the
  Euclidean distance is at most √2 times this).
- `mkr` (missing keypoint rate): the share of landmarks detected in the driving frames that are not detected
  in the result's, pooled over the clip's frames.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import cv2
import numpy as np

from ..people.blazepose import DETECTION_SCORE, ROI_SCALE, BlazePose, Pose, Roi
from ..people.person import seen
from ..people.photo import PRESENCE

POSE_SIDE = 256
N_LANDMARKS = 33


@dataclass
class Landmarks:
    """A clip's landmarks: points T×33×2 (pixels of a POSE_SIDE² frame; NaN when not found) and detected T×33."""

    points: np.ndarray
    detected: np.ndarray

    def __len__(self) -> int:
        return len(self.points)

    def repeat(self, n: int) -> Landmarks:
        """A one-frame clip's landmarks repeated n times (the static photo's)."""
        return Landmarks(np.repeat(self.points[:1], n, 0), np.repeat(self.detected[:1], n, 0))


def _pose_image(frame: np.ndarray) -> np.ndarray:
    image = np.asarray(frame)
    if image.dtype != np.uint8:
        image = np.clip(image * 255.0 + 0.5, 0, 255).astype(np.uint8)
    down = image.shape[0] > POSE_SIDE
    return cv2.resize(
        image, (POSE_SIDE, POSE_SIDE), interpolation=cv2.INTER_AREA if down else cv2.INTER_LINEAR
    )


def _rois(landmarker: BlazePose, image: np.ndarray, tracked: Roi | None) -> Iterator[Roi]:
    """Where to look, best guess first: where the last frame's pose points, the whole frame (the crop is
    centred on the dancer, whose face the detector may not see), then detected people, nearest the centre."""
    if tracked is not None:
        yield tracked
    centre = POSE_SIDE / 2
    yield Roi(centre, centre, ROI_SCALE * POSE_SIDE, 0.0)
    hits = [d for d in landmarker.detect(image) if d.score >= DETECTION_SCORE]
    for d in sorted(hits, key=lambda d: abs((d.box[0] + d.box[2]) / 2 - centre)):
        yield d.roi


def _central(pose: Pose) -> bool:
    """The pose's body centre lies in the middle half of the frame's width: the framed dancer, not a bystander."""
    x = np.nanmean(pose.landmarks[[11, 12, 23, 24], 0])
    return bool(POSE_SIDE / 4 <= x <= 3 * POSE_SIDE / 4)


def _find(landmarker: BlazePose, image: np.ndarray, tracked: Roi | None) -> Pose | None:
    for roi in _rois(landmarker, image, tracked):
        pose = landmarker.landmarks(image, roi)
        if roi is not tracked and pose.presence >= PRESENCE:
            # a guessed region is refined once by where the landmarks say the body is
            pose = landmarker.landmarks(image, pose.next_roi)
        if pose.presence >= PRESENCE and _central(pose):
            return pose
    return None


def clip_landmarks(landmarker: BlazePose, video: np.ndarray) -> Landmarks:
    """Every frame's landmarks of a clip T×H×W×3 (uint8 or [0, 1]), the person followed from frame to frame
    as the pose model tracks (each frame's region from the last frame's landmarks)."""
    points = np.full((len(video), N_LANDMARKS, 2), np.nan)
    detected = np.zeros((len(video), N_LANDMARKS), bool)
    tracked = None
    for t, frame in enumerate(video):
        image = _pose_image(frame)
        pose = _find(landmarker, image, tracked)
        tracked = None if pose is None else pose.next_roi
        if pose is not None:
            points[t] = pose.landmarks
            detected[t] = seen(pose, POSE_SIDE, POSE_SIDE)
    return Landmarks(points, detected)


def _check(result: Landmarks, driving: Landmarks) -> None:
    if len(result) != len(driving):
        raise ValueError(f"landmark tracks differ in length: {len(result)} vs {len(driving)}")


def akd(result: Landmarks, driving: Landmarks) -> float:
    """Mean |Δx|, |Δy| (pixels) over landmarks detected in both clips' frames; NaN when none are."""
    _check(result, driving)
    both = result.detected & driving.detected
    if not both.any():
        return float("nan")
    return float(np.abs(result.points[both] - driving.points[both]).mean())


def mkr(result: Landmarks, driving: Landmarks) -> float:
    """Share of landmarks detected in the driving frames but not in the result's; NaN when the driving has none."""
    _check(result, driving)
    shown = driving.detected.sum()
    if shown == 0:
        return float("nan")
    return float((driving.detected & ~result.detected).sum() / shown)
