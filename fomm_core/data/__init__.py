"""Data: procedural synthetic dancers with ground truth, and preparation of real dance videos.

Synthetic dancers (all deterministic from a seed / numpy Generator):
- `Identity`, `random_identity(rng)`: looks and proportions (figure.py).
- `Motion`, `CHANNELS`: per-frame pose parameters (pose.py); `choreography(moves, n_frames, fps, bpm, rng,
  travel, zoom, style)` strings `MOVES` together on the beat; `STYLES` are named recipes (moves.py).
- `Background`, `random_background(rng, avoid)`: plain, gradient or textured backdrops (background.py).
- `render(identity, motion, size, background) -> (frames T×S×S×3 uint8, joints T×J×2 pixels)` and
  `render_pose` for one frame (draw.py); `JOINTS` names the joints.
- `cross_identity_example`, `random_clip`, `frame_pair` (synthetic.py).
- Group clips (group.py): `group_clip(seed, n_dancers, ...)` -> `GroupClip` (frames and ground truth: ids,
  boxes, alpha/masks, BlazePose `LANDMARKS`, visibility, cuts); `group_scene` + `render_group`;
  `swap_dancers(scene, {k: identity})` re-renders with other people in dancers' places, `identity_photo`
  is that person's photo; `write_group_clip`.
"""

from .background import Background, random_background
from .draw import render, render_pose
from .figure import JOINTS, Identity, pose_joints, random_identity
from .group import (
    GroupScene,
    group_clip,
    group_scene,
    identity_photo,
    swap_dancers,
    write_group_clip,
)
from .group_render import GroupClip, render_group
from .landmarks import LANDMARKS
from .moves import MOVES, STYLES, choreography
from .pose import CHANNELS, Motion
from .synthetic import SyntheticClip, cross_identity_example, frame_pair, random_clip

__all__ = [
    "CHANNELS",
    "JOINTS",
    "LANDMARKS",
    "MOVES",
    "STYLES",
    "Background",
    "GroupClip",
    "GroupScene",
    "Identity",
    "Motion",
    "SyntheticClip",
    "choreography",
    "cross_identity_example",
    "frame_pair",
    "group_clip",
    "group_scene",
    "identity_photo",
    "pose_joints",
    "random_background",
    "random_clip",
    "random_identity",
    "render",
    "render_group",
    "render_pose",
    "swap_dancers",
    "write_group_clip",
]
