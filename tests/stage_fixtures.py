"""Synthetic group clips for the stage tests, each rendered once per session (small and short)."""

from __future__ import annotations

from dataclasses import replace
from functools import cache

import numpy as np

from fomm_core.data import GroupClip, group_scene, random_identity, render_group, swap_dancers
from fomm_core.data.group import GroupScene

SIZE = (256, 144)
SEED = 7
K = 2  # the replaced dancer


@cache
def scene(still_camera: bool = False) -> GroupScene:
    """The group's plan; still_camera=True holds each shot's first view through the shot."""
    planned = group_scene(SEED, n_dancers=5, seconds=3.0, size=SIZE)
    if not still_camera:
        return planned
    return replace(
        planned, views=tuple(planned.views[planned.shot_of(t).start] for t in range(len(planned.views)))
    )


@cache
def clip(still_camera: bool = False) -> GroupClip:
    return render_group(scene(still_camera))


@cache
def removed(k: int = K, still_camera: bool = False) -> GroupClip:
    """The clip without dancer k: the exact truth for the clean plate."""
    return swap_dancers(scene(still_camera), {k: None})


def newcomer(k: int = K):
    return random_identity(np.random.default_rng(100 + k))


@cache
def swapped(ks: tuple[int, ...] = (K,)) -> GroupClip:
    """The clip with a newcomer in each dancer k's place: the truth for a stage render."""
    return swap_dancers(scene(), {k: newcomer(k) for k in ks})
