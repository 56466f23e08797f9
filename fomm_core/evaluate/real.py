"""The real-video suite: self-reconstruction of the Pose2Sim demo videos (real people filmed in a lab).

pose2sim 0.10.49 (BSD-3-Clause) ships `Demo_SinglePerson` (one person) and `Demo_MultiPerson` (two people),
each filmed by four synchronised cameras (cam01-04, 1080x1920 portrait, 60 fps, about 1.7 s). They are read
out of the wheel on first use and cached (fomm_core.wheel_files), never committed. Each video is framed as
the pipeline frames a dancer (fomm_core.framing.people: the default dancer found and followed by the pose
model, a smooth square crop) at the model's frame size; the style of a case is its video set.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from ..cache import cache_dir
from ..errors import UserError
from ..framing.crop_path import framed_frames
from ..framing.people import frame_people
from ..geometry import Box
from ..io import open_video, read_frames
from ..people.model import default_landmarker
from ..wheel_files import wheel_members
from .suites import Case

POSE2SIM = "pose2sim==0.10.49"
SETS = {
    "single_person": "Pose2Sim/Demo_SinglePerson/videos",
    "multi_person": "Pose2Sim/Demo_MultiPerson/videos",
}
SHA256 = {
    "single_person/cam01": "cf4f2816c86bea4bfbea255333d8626ff32a3ecabdab8b0fb147cea9167fde3a",
    "single_person/cam02": "94ff87cf978b8406e8aa36ab3c5362e72848994e87652f0dc7a33c315e8e0442",
    "single_person/cam03": "b8b329f832f178f27ecb78d024d5026b96c6adb36c387bfe2c0af85eab8a11ca",
    "single_person/cam04": "b5c0e7863fd70d008e7178d3c556b045b0ea5f78fcd61ca548a0b2e807e641f7",
    "multi_person/cam01": "543cee6a4c2c2b52dc9eac9137ee63d14f1f84e706a9a7264769edcb11e5ea53",
    "multi_person/cam02": "8895092a7cf26359205a427b7ac2f4a935c2e0bd36d9b7a5140cb33faa468a6b",
    "multi_person/cam03": "d3daf48cdf9f5603868ddb99166ddaf9b12279e7ce968922926560d5fd3f0c99",
    "multi_person/cam04": "1490149dc40e7301fa5ceae23862b044ba5c398a8b2a40df21ed894702728c09",
}
VIDEOS = tuple(SHA256)


def _member(video: str) -> str:
    group, cam = video.split("/")
    return f"{SETS[group]}/{cam}.mp4"


def real_videos(names: Sequence[str] = VIDEOS) -> dict[str, Path]:
    """Video name ("single_person/cam01", ...) -> local file; the wheel is downloaded once and cached."""
    unknown = [n for n in names if n not in SHA256]
    if unknown:
        raise UserError(f"Unknown real video(s) {', '.join(unknown)}; choose from {', '.join(VIDEOS)}.")
    found = wheel_members(POSE2SIM, {_member(n): SHA256[n] for n in names}, cache_dir() / "real_media")
    return {n: found[_member(n)] for n in names}


def framed_video(path: Path, size: int, max_frames: int | None, max_fps: float) -> np.ndarray:
    """The clip (from its start, at most `max_fps` frames per second and `max_frames` frames) framed as the
    pipeline frames the default dancer: float32 T×size×size×3 in [0, 1]."""
    probe = open_video(path, max_fps=max_fps, label=f"clip {path.name}")
    end = None if max_frames is None else min(probe.duration, max_frames / probe.fps)
    info = open_video(path, trim_end=end, max_fps=max_fps, label=f"clip {path.name}")
    reader = read_frames(info, size=(info.width, info.height))
    try:
        first = next(reader)
    finally:
        reader.close()
    # no photo here: the whole first frame stands in for it, so only the dancer is looked for
    found = frame_people(first, info, default_landmarker(), photo_box=Box(0, 0, info.width, info.height))
    frames = framed_frames(info, found.framing, size)
    try:
        return np.stack(list(itertools.islice(frames, max_frames))).astype(np.float32) / 255.0
    finally:
        frames.close()


def real_suite(
    size: int, videos: Sequence[str] = VIDEOS, max_frames: int | None = None, max_fps: float = 30.0
) -> list[Case]:
    """Self-reconstruction cases (source = first frame, driving = the video) of the named real videos."""
    cases = []
    for name, path in real_videos(videos).items():
        driving = framed_video(path, size, max_frames, max_fps)
        cases.append(
            Case(
                name=name,
                style=name.split("/")[0],
                photo=driving[0].copy(),
                driving=driving,
                expected=driving,
                kind="self",
            )
        )
    return cases
