"""The order in which parts are drawn: farthest first, by the dancer's landmark depth.

BlazePose's depth is coarse, and an arm hanging beside the body is about as far as the torso, so arms
count as a little nearer (LIMB_AHEAD): one is drawn behind the torso only when it is clearly behind.
Within a limb each segment is drawn over the one before it, so the joint's overlap shows the nearer end.
"""

from __future__ import annotations

import numpy as np

from .skeleton import PART_LANDMARKS, PARTS

LIMB_AHEAD = 0.08  # body heights
CHAIN_AHEAD = 1e-3  # body heights per segment from the torso


def _chain_depth(index: int) -> int:
    depth, parent = 0, PARTS[index].parent
    while parent is not None:
        depth += 1
        parent = next(p for p in PARTS if p.name == parent).parent
    return depth


CHAIN = np.array([_chain_depth(i) for i in range(len(PARTS))])
LIMBS = np.array([p.limb for p in PARTS])


def part_depths(landmark_depth: np.ndarray) -> np.ndarray:
    """Each part's depth (pixels, smaller nearer) from 33 landmark depths."""
    return np.array([landmark_depth[list(idx)].mean() for idx in PART_LANDMARKS])


def drawing_order(depths: np.ndarray | None, height: float) -> np.ndarray:
    """Part indices back to front; without depths, the photo's order (torso, legs, head, then arms)."""
    if depths is None:
        depths = np.zeros(len(PARTS))
    key = depths / height - LIMB_AHEAD * LIMBS - CHAIN_AHEAD * CHAIN
    return np.argsort(-key, kind="stable")
