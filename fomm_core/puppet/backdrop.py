"""The puppet's backdrop: the photo with the person replaced by background copied from beside them.

A moved person uncovers where they stood, often for the whole clip, so the fill must look like the scene,
not like a smudge. In a photo of someone standing, the background level with each part of them continues
to the side (a bus, a wall, a pavement), so the hole is filled with the photo shifted sideways: the shift
whose copy best matches a ring around the hole, taken from the whole photo, never from the person. The
copy's colours are matched to the photo's around the hole and it is blended in along the mask's soft edge; without a clean source (the person fills the width), the scene's
inpainting (fomm_core.scene.backdrop) fills the hole. Outside the mask's edge the photo is kept, so the
person at rest looks like the photo.
"""

from __future__ import annotations

import cv2
import numpy as np

from ..scene.backdrop import remove_person

HOLE = 0.2  # mask level counted as the person when looking for a copy
FILL = (0.3, 0.6)  # mask levels from which the fill starts replacing the photo to where it replaces it all
RING = 0.03  # body heights: the band around the hole that a copy must match
STEP = 2  # pixels between the shifts tried


def puppet_backdrop(
    photo: np.ndarray, mask: np.ndarray, canvas: tuple[int, int, int, int], height: float
) -> np.ndarray:
    """The `canvas` (x0, y0, x1, y1) of `photo` (uint8, at output scale) without the person (`mask` over the
    whole photo, in [0, 1]) of a body `height` pixels tall."""
    x0, y0, x1, y1 = canvas
    hole = (mask > HOLE).astype(np.uint8)
    view = photo[y0:y1, x0:x1]
    if not hole[y0:y1, x0:x1].any():
        return view.copy()
    shift = _best_shift(photo, hole, max(2, round(RING * height)))
    if shift is None:
        filled = remove_person(view, mask[y0:y1, x0:x1])
    else:
        filled = _matched(np.roll(photo, -shift, axis=1), photo, hole, RING * height)[y0:y1, x0:x1]
    # the fill follows the mask's own soft edge, just outside the person as drawn (puppet.SOLID): at rest the
    # person covers nearly all of it, and where they leave, only a trace of their edge stays
    blend = np.clip((mask[y0:y1, x0:x1] - FILL[0]) / (FILL[1] - FILL[0]), 0, 1)[..., None]
    return (view * (1 - blend) + filled * blend + 0.5).astype(np.uint8)


def _matched(copy: np.ndarray, photo: np.ndarray, hole: np.ndarray, sigma: float) -> np.ndarray:
    """The copy with its colours brought to the photo's around the hole's edge (the difference outside the hole,
    spread inwards by a normalised Gaussian, fading out deep inside): no light or dark rim where they meet."""
    known = (hole == 0).astype(np.float32)
    diff = (photo.astype(np.float32) - copy) * known[..., None]
    weight = cv2.GaussianBlur(known, (0, 0), sigma)
    spread = cv2.GaussianBlur(diff, (0, 0), sigma) / np.maximum(weight, 1e-3)[..., None]
    fade = np.clip(weight / 0.1, 0, 1)[..., None]
    return np.clip(copy + spread * fade, 0, 255)


def _best_shift(photo: np.ndarray, hole: np.ndarray, ring_width: int) -> int | None:
    """The sideways shift (pixels, source = x + shift) whose copy of the photo best matches the ring around
    the hole; None when no shift copies the hole from clear background."""
    w = photo.shape[1]
    ring = cv2.dilate(hole, np.ones((2 * ring_width + 1, 2 * ring_width + 1), np.uint8)) > 0
    ring &= hole == 0
    cols = np.flatnonzero(hole.any(axis=0))
    left, right = cols[0], cols[-1]
    span = right - left + 1
    ys, xs = np.nonzero(ring)
    grey = cv2.cvtColor(photo, cv2.COLOR_RGB2GRAY).astype(np.float32)
    best, best_cost = None, np.inf
    for shift in [
        *range(span, w, STEP),
        *range(-span, -w, -STEP),
    ]:  # at least the hole's width: never the person
        if not (0 <= left + shift and right + shift < w):
            continue
        inside = (xs + shift >= 0) & (xs + shift < w)
        if inside.mean() < 0.5:
            continue
        diff = grey[ys[inside], xs[inside] + shift] - grey[ys[inside], xs[inside]]
        cost = float(np.mean(diff**2))
        if cost < best_cost:
            best, best_cost = shift, cost
    return best
