"""Stage renders of synthetic group clips, driven by their ground truth (masks, boxes), for tests and scores.

A fan is either a still layer (a newcomer standing, as in their photo), placed on the dancer's body in
every frame, or one layer per frame already in frame pixels (what an engine draws, e.g. the exact newcomer
of `swap_dancers`, from `truth_fans`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from ..data.background import Background
from ..data.draw import render_pose
from ..data.figure import Identity
from ..data.group_render import GroupClip
from ..data.pose import Motion
from .layer import Layer
from .placement import follow, ground_rows, place
from .render import StageRenderer


def still_fan(identity: Identity, size: int = 256) -> Layer:
    """The person standing neutrally, alone (drawn over black and over white: exact colour and coverage)."""
    dark, _ = render_pose(identity, Motion.still(), size, Background("plain", (0, 0, 0)))
    bright, _ = render_pose(identity, Motion.still(), size, Background("plain", (255, 255, 255)))
    alpha = 1 - (bright.astype(np.float32) - dark).mean(-1) / 255
    colour = dark / np.maximum(alpha, 1e-3)[..., None]
    layer = Layer.cut_out(np.clip(colour, 0, 255), np.where(alpha > 2 / 255, alpha, 0))
    if layer is None:
        raise ValueError("the person was not drawn")
    return layer


def truth_fans(swapped: GroupClip, removed: GroupClip, dancer: int) -> list[Layer | None]:
    """The newcomer in dancer's place per frame, exactly: from the swap and the clip without that dancer."""
    fans: list[Layer | None] = []
    for t in range(len(swapped.frames)):
        alpha = swapped.alpha[t, dancer].astype(np.float32) / 255
        # frame = under * (1 - a) + colour * a, where under is the clip without the dancer.
        colour = (swapped.frames[t] - removed.frames[t] * (1 - alpha[..., None])) / np.maximum(alpha, 1e-3)[
            ..., None
        ]
        fans.append(Layer.cut_out(np.clip(colour, 0, 255), alpha))
    return fans


def stage_render(
    clip: GroupClip, fans: Mapping[int, Layer | Sequence[Layer | None]], light: bool = True
) -> tuple[np.ndarray, list[str]]:
    """The clip with each fans[k] in dancer k's place (T×H×W×3 uint8), and the placement notes at cuts."""
    renderer = StageRenderer(light=light)
    followed, notes = {}, []
    for k, fan in fans.items():
        if isinstance(fan, Layer):
            followed[k], said = follow(clip.boxes[:, k], clip.cuts, clip.scene.fps, k)
            notes += said
    n = clip.alpha.shape[1]
    ground = np.stack([ground_rows(clip.boxes[:, i, 3], clip.cuts, clip.scene.fps) for i in range(n)], 1)
    out = np.empty_like(clip.frames)
    for t, frame in enumerate(clip.frames):
        seen = [i for i in range(n) if not np.isnan(clip.boxes[t, i, 0])]
        # As a tracker sees them: the visible part of each dancer, their floor contact and landmarks.
        alpha = {i: clip.alpha[t, i] / np.float32(255) * np.isin(clip.labels[t], (0, i + 1)) for i in seen}
        feet = {i: float(ground[t, i]) for i in seen}
        landmarks = {i: clip.landmarks[t, i] for i in seen}
        placed = []
        for k, fan in fans.items():
            if isinstance(fan, Layer):
                body = followed[k][t]
                own = fan.body()
                layer = place(fan, own, body) if body is not None and own is not None else None
            else:
                layer = fan[t]
            if layer is not None and k in alpha:
                placed.append((k, layer))
        out[t] = renderer.frame(frame, alpha, feet, placed, t in clip.cuts, landmarks)
    return out, notes
