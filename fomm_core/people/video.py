"""People in a video file: frames read small from ffmpeg, dancers tracked, boxes in the clip's display pixels."""

from __future__ import annotations

import numpy as np

from ..framing.heuristic import DETECT_SIDE, detect_dancers
from ..io import KeptFrames, VideoInfo, fit_size, read_frames, read_kept
from .blazepose import BlazePose
from .clip import ClipPeople, Track, track_people
from .cuts import CutFinder

WORK_SIDE = 640  # frames are read at this long side for the pose model (its crops are 256 px)
FALLBACK_EVERY = 5


def work_size(info: VideoInfo) -> tuple[int, int]:
    """The size (w, h) the clip's frames are tracked at: WORK_SIDE on the long side at most."""
    return fit_size(info.width, info.height, WORK_SIDE)


def find_dancers(info: VideoInfo, landmarker: BlazePose | None, kept: KeptFrames | None = None) -> ClipPeople:
    """Every dancer in the clip `info` describes (trimmed, at its rate), tracked; the fallback's one dancer without a
    landmarker. `kept`: where the frames read at work_size are kept for the render (fomm_core.io.kept)."""
    if landmarker is None:
        return _fallback(info)
    frames = read_kept(info, work_size(info), kept)
    return track_people(frames, info.fps, landmarker).scaled(info.width, info.height)


def _fallback(info: VideoInfo) -> ClipPeople:
    """The background-difference heuristic on every 5th frame: one dancer at most; cuts still found."""
    size = fit_size(info.width, info.height, DETECT_SIDE)
    samples, cuts, new_shot = {}, [], CutFinder()
    for t, frame in enumerate(read_frames(info, size=size)):
        if new_shot(frame):
            cuts.append(t)
        if t % FALLBACK_EVERY == 0 or t in cuts:
            samples[t] = frame
    found = detect_dancers(np.stack(list(samples.values())))
    boxes = {t: box for t, box in zip(samples, found, strict=True) if box is not None}
    tracks = [Track(id=0, boxes=boxes)] if boxes else []
    return ClipPeople(tracks, cuts, info.frame_count, size[0], size[1]).scaled(info.width, info.height)
