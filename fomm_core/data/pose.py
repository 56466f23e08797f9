"""Pose parameters of the synthetic dancer: named channels and the per-frame `Motion`.

A pose is one float per channel in `CHANNELS`. Angles are radians; lengths are in body heights
(the height of the reference dancer). Limb angles use a mirrored convention so a move reads the
same for both sides: `*_abduct` swings the limb outward in the frontal plane (0 = hanging down,
pi/2 = horizontal, pi = straight up) and `*_flex` swings it toward the camera. A child bone's
angles are added to its parent's (the elbow adds to the arm, the knee bends the shank back).
The root is the pelvis; `root_x` moves it sideways, `lift` raises the whole body (jumps), `yaw`
turns the body about the vertical axis (0 = facing the camera) and `zoom` is the camera zoom.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

_SIDE_CHANNELS = (
    "shoulder_raise",
    "arm_abduct",
    "arm_flex",
    "elbow_abduct",
    "elbow_flex",
    "wrist",
    "thigh_abduct",
    "thigh_flex",
    "knee",
    "ankle",
)
CHANNELS: tuple[str, ...] = (
    "root_x",
    "lift",
    "zoom",
    "yaw",
    "pelvis_roll",
    "spine_roll",
    "spine_pitch",
    "spine_twist",
    "neck_roll",
    "neck_pitch",
    *(f"r_{c}" for c in _SIDE_CHANNELS),
    *(f"l_{c}" for c in _SIDE_CHANNELS),
)
CHANNEL_INDEX: dict[str, int] = {name: i for i, name in enumerate(CHANNELS)}

# A relaxed standing pose; every channel not named here is 0.
_NEUTRAL_VALUES = {
    "zoom": 1.0,
    "arm_abduct": 0.16,
    "elbow_abduct": 0.08,
    "elbow_flex": 0.2,
    "wrist": 0.05,
    "thigh_abduct": 0.07,
    "thigh_flex": 0.04,
    "knee": 0.08,
}


def _neutral() -> np.ndarray:
    pose = np.zeros(len(CHANNELS), np.float32)
    for name, value in _NEUTRAL_VALUES.items():
        for full in (name, f"r_{name}", f"l_{name}"):
            if full in CHANNEL_INDEX:
                pose[CHANNEL_INDEX[full]] = value
    return pose


NEUTRAL = _neutral()


@dataclass
class Motion:
    """A dance: `pose` T×C float32 over `CHANNELS`, sampled at `fps`.

    `timeline` lists (move name, start second, end second) as choreographed; `bpm` is the beat.
    """

    pose: np.ndarray
    fps: float = 25.0
    bpm: float = 120.0
    timeline: list[tuple[str, float, float]] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.pose)

    def __getitem__(self, channel: str) -> np.ndarray:
        return self.pose[:, CHANNEL_INDEX[channel]]

    def frames(self, index: int | slice | np.ndarray) -> Motion:
        """A Motion holding only the selected frames (an int keeps a single frame)."""
        if isinstance(index, (int, np.integer)):
            index = slice(int(index), int(index) + 1)
        return Motion(self.pose[index], self.fps, self.bpm, self.timeline)

    @staticmethod
    def still(n_frames: int = 1, fps: float = 25.0) -> Motion:
        """The neutral standing pose held for n_frames."""
        return Motion(np.tile(NEUTRAL, (n_frames, 1)), fps)
