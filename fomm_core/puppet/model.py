"""The pose engine's loaded model: the landmarker that reads the dancer; the motion itself is geometry."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

from ..io import KeptFrames, VideoInfo
from ..people.blazepose import BlazePose
from ..people.clip import Track
from ..people.person import Person
from .arrays import animate_arrays
from .dancer import clip_poses
from .puppet import Puppet, PuppetFrame


class PoseModel:
    """What `load_model("pose")` gives: no frame-size square and no networks of its own, only BlazePose."""

    name = "pose"
    sha256 = None
    square_frames = False

    def __init__(self, landmarker: BlazePose, modes: tuple[str, ...]):
        self.landmarker = landmarker
        self.modes = modes  # the engine's (fomm_core.engines.pose)

    def animate(
        self,
        photo: np.ndarray,
        person: Person,
        info: VideoInfo,
        track: Track,
        canvas: tuple[int, int, int, int],
        size: tuple[int, int] | None,
        reference: int,
        kept: KeptFrames | None = None,
    ) -> tuple[Puppet, Iterator[PuppetFrame]]:
        """The rigged person and their frames, one per frame of the clip, posed as the followed dancer (the clip's
        frames read from `kept` when the people tracking kept them)."""
        puppet = Puppet.from_photo(photo, person, canvas=canvas, size=size)
        poses = clip_poses(info, track, self.landmarker, kept)
        return puppet, puppet.animate(poses, info.fps, reference=reference)

    def animate_arrays(self, photo: np.ndarray, driving: np.ndarray, fps: float) -> np.ndarray:
        """The photo's person (H×W×3 in [0, 1]) posed as the dance's dancer in every frame (evaluation)."""
        return animate_arrays(photo, driving, fps, self.landmarker)
