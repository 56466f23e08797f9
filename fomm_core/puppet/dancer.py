"""The followed dancer's landmarks in every frame of the clip: the landmark model run on each frame.

People tracking (fomm_core.people.clip) follows every dancer every few frames; the puppet needs the chosen
one in every frame. Where tracking already ran the landmark model on the dancer, its answer is taken as it
is; on the frames between, the landmark model is run at the region the previous answer points to, and put
back on the track's landmarks wherever it wanders off them (another dancer crossing) or loses the dancer.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

import numpy as np

from ..errors import UserError
from ..io import VideoInfo, fit_size, read_frames
from ..people.blazepose import BlazePose, Roi, roi_from_points
from ..people.clip import Track
from ..people.photo import PRESENCE
from ..people.video import WORK_SIDE

BODY_REACH = 1.15  # the body's circle: the farthest landmark from the hips' centre, times this
WANDERED = 0.25  # hips this far (body heights) from the track's: following someone else


@dataclass(frozen=True)
class DancerPose:
    """The dancer in one frame, in the clip frame's pixels: 33 landmarks, their depth and visibility."""

    points: np.ndarray  # 33×2
    depth: np.ndarray  # 33
    visibility: np.ndarray  # 33
    width: int  # the frame's size
    height: int
    roi: Roi | None = None  # where the landmark model looked, in the pixels of the frames it was given
    mask: np.ndarray | None = None  # its mask of the dancer over that ROI (LANDMARK_SIZE² in [0, 1])
    image: np.ndarray | None = None  # the frame read (RGB uint8, `image.shape[1] / width` times these pixels)


def roi_around(landmarks: np.ndarray) -> Roi:
    """The landmark model's region for a body with these 33 landmarks: centred on the hips, upright along the
    spine, enclosing every landmark."""
    centre = landmarks[[23, 24]].mean(axis=0)
    up = landmarks[[11, 12]].mean(axis=0) - centre
    up = up / max(float(np.hypot(*up)), 1e-6)
    radius = BODY_REACH * float(np.max(np.hypot(*(landmarks - centre).T)))
    return roi_from_points(centre, centre + up * radius)


def dancer_poses(
    frames: Iterable[np.ndarray], track: Track, landmarker: BlazePose, scale: float = 1.0, masks: bool = False
) -> Iterator[DancerPose]:
    """The track's dancer in every frame of `frames` (RGB uint8, `scale` times the track's pixels); with `masks`,
    each pose has the dancer's mask (the tracking's answers, kept without one, are not reused then)."""
    known = {t: p * scale for t, p in track.landmarks.items()}
    if not known:
        return
    roi = None
    for t, frame in enumerate(frames):
        h, w = frame.shape[:2]
        if t in track.depth and not masks:  # tracking's own answer on this frame
            roi = roi_around(known[t])
            yield DancerPose(
                track.landmarks[t],
                track.depth[t],
                track.visibility[t],
                round(w / scale),
                round(h / scale),
                image=frame,
            )
            continue
        nearest = known[min(known, key=lambda k: abs(k - t))]
        if roi is None:
            roi = roi_around(nearest)
        pose = landmarker.landmarks(frame, roi)
        if pose.presence < PRESENCE or (t in known and _wandered(pose.landmarks, known[t])):
            pose = landmarker.landmarks(frame, roi_around(nearest))
        roi = pose.next_roi
        yield DancerPose(
            pose.landmarks / scale,
            pose.depth / scale,
            pose.visibility,
            round(w / scale),
            round(h / scale),
            pose.roi,
            pose.mask,
            frame,
        )


def clip_poses(info: VideoInfo, track: Track, landmarker: BlazePose) -> Iterator[DancerPose]:
    """The track's dancer in every frame the clip `info` describes, in its display pixels (as the track);
    frames are read at the people tracking's size (fomm_core.people.video.WORK_SIDE). Raises UserError for
    a track without landmarks (the fallback heuristic's)."""
    if not track.landmarks:
        raise UserError(
            "The pose engine needs the pose model's landmarks of the dancer, and the dancer was found without "
            "them (by the background-difference heuristic). Use a clip in which the dancer is seen whole, or "
            "choose another engine."
        )
    size = fit_size(info.width, info.height, WORK_SIDE)
    yield from dancer_poses(read_frames(info, size=size), track, landmarker, size[0] / info.width)


def _wandered(found: np.ndarray, tracked: np.ndarray) -> bool:
    hips = math.hypot(*(found[[23, 24]].mean(0) - tracked[[23, 24]].mean(0)))
    height = math.hypot(*(tracked[[11, 12]].mean(0) - tracked[[27, 28]].mean(0))) * 1.3
    return hips > WANDERED * max(height, 1.0)
