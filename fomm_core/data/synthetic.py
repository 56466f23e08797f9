"""Synthetic dance clips with ground truth: single clips, training pairs and cross-identity triplets.

`cross_identity_example(seed, size, n_frames, style)` gives person A's photo, person B's dance, and
the expected result: A doing B's dance (same `Motion`, A's identity and A's background). A's photo
is A standing in B's FIRST pose (`expected[0]`), the situation FOMM's relative mode assumes, and
what the app tells users to do (match the dance's opening pose). Joints are pixels (T×J×2, see
`figure.JOINTS`). A is drawn with A's own proportions, so A's joints equal B's motion re-targeted to
A's skeleton: the same bone directions, A's bone lengths, feet on the same floor line.
All images are uint8 RGB; everything is deterministic from the seed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from .background import Background, random_background
from .draw import render, render_pose
from .figure import Identity, random_identity
from .moves import STYLES, choreography
from .pose import Motion

__all__ = ["STYLES", "SyntheticClip", "cross_identity_example", "random_clip", "frame_pair"]


@dataclass
class SyntheticClip:
    """A rendered dancer: frames T×S×S×3 uint8, joints T×J×2 pixels, and how it was made."""

    frames: np.ndarray
    joints: np.ndarray
    identity: Identity
    background: Background
    motion: Motion


def _zoom(rng: np.random.Generator, zoom: bool | None) -> tuple[float, float] | None:
    """A gentle camera zoom for about a third of clips when zoom is None."""
    if zoom is False or (zoom is None and rng.random() > 0.3):
        return None
    return float(rng.uniform(0.9, 1.0)), float(rng.uniform(0.9, 1.1))


def random_clip(
    seed: int | Sequence[int],
    size: int = 128,
    n_frames: int = 64,
    fps: float = 25.0,
    style: str | None = None,
    zoom: bool | None = False,
) -> SyntheticClip:
    """A random dancer doing random choreography (of a style, if given); zoom=None zooms some clips."""
    rng = np.random.default_rng(seed)
    identity = random_identity(rng)
    background = random_background(rng, identity.colours())
    motion = choreography(n_frames=n_frames, fps=fps, rng=rng, style=style, zoom=_zoom(rng, zoom))
    frames, joints = render(identity, motion, size, background)
    return SyntheticClip(frames, joints, identity, background, motion)


def frame_pair(
    rng: np.random.Generator, size: int = 128, clip_seconds: float = 8.0, zoom: bool | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Two frames (source, driving; uint8 S×S×3) of one random dancer from one random dance, for training.

    Only the two frames are drawn, so this is far cheaper than rendering a clip.
    """
    identity = random_identity(rng)
    background = random_background(rng, identity.colours())
    style = str(rng.choice(list(STYLES))) if rng.random() < 0.5 else None
    fps = 25.0
    motion = choreography(
        n_frames=int(clip_seconds * fps), fps=fps, rng=rng, style=style, zoom=_zoom(rng, zoom)
    )
    picks = np.sort(rng.integers(len(motion), size=2))
    frames, _ = render(identity, motion.frames(picks), size, background)
    return frames[0], frames[1]


def cross_identity_example(
    seed: int, size: int = 256, n_frames: int = 64, style: str | None = None, fps: float = 25.0
) -> dict[str, Any]:
    """A's photo, B's dance and A doing B's dance (ground truth), with both joint tracks.

    Keys: photo (S×S×3), driving and expected (T×S×S×3), joints_driving and joints_expected (T×J×2),
    identity_a, identity_b, background_a, background_b, motion.
    """
    rng = np.random.default_rng(seed)
    identity_a = random_identity(rng)
    identity_b = random_identity(rng)
    background_a = random_background(rng, identity_a.colours())
    background_b = random_background(rng, identity_b.colours())
    motion = choreography(n_frames=n_frames, fps=fps, rng=rng, style=style)
    driving, joints_driving = render(identity_b, motion, size, background_b)
    expected, joints_expected = render(identity_a, motion, size, background_a)
    photo, _ = render_pose(identity_a, motion, size, background_a, index=0)
    return dict(
        photo=photo,
        driving=driving,
        expected=expected,
        joints_driving=joints_driving,
        joints_expected=joints_expected,
        identity_a=identity_a,
        identity_b=identity_b,
        background_a=background_a,
        background_b=background_b,
        motion=motion,
    )
