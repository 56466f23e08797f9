"""Where the fan goes in each frame: at the dancer's place and size, through pans, zooms and cuts.

The dancer's body in a frame is the centre of their box, the row of their feet (its bottom) and its height.
Within a shot these are smoothed over a few frames (a median of the height, which a raised arm or a
jump would otherwise change, and a mean of the position); at a cut the smoothing starts afresh, and the
dancer is looked for again in the new shot's track data.
"""

from __future__ import annotations

import cv2
import numpy as np

from .layer import Body, Layer

WINDOW = 2  # frames either side smoothed over, within a shot


def body_of_box(box: np.ndarray) -> Body | None:
    """The body of a box (x0, y0, x1, y1); None for a NaN box (the dancer is not seen)."""
    x0, y0, x1, y1 = (float(v) for v in box)
    if np.isnan(x0) or y1 <= y0:
        return None
    return Body((x0 + x1) / 2, y1, y1 - y0)


def _shots(n_frames: int, cuts: list[int]) -> list[range]:
    bounds = [0, *sorted(c for c in cuts if 0 < c < n_frames), n_frames]
    return [range(a, b) for a, b in zip(bounds, bounds[1:], strict=False) if b > a]


def follow(
    boxes: np.ndarray, cuts: list[int], fps: float, dancer: int = 0
) -> tuple[list[Body | None], list[str]]:
    """The dancer's smoothed body per frame (None where not seen) from their boxes (T×4, NaN when not seen).

    Returns the bodies and a note per cut saying whether the dancer was found again in the new shot.
    """
    n = len(boxes)
    raw = [body_of_box(b) for b in boxes]
    bodies: list[Body | None] = [None] * n
    notes = []
    for shot in _shots(n, cuts):
        for t in shot:
            if raw[t] is None:
                continue
            near = [
                raw[u] for u in range(max(shot.start, t - WINDOW), min(shot.stop, t + WINDOW + 1)) if raw[u]
            ]
            bodies[t] = Body(
                float(np.mean([b.x for b in near])),
                float(np.mean([b.feet for b in near])),
                float(np.median([b.height for b in near])),
            )
        if shot.start > 0:
            notes.append(_cut_note(shot, raw, fps, dancer))
    return bodies, notes


def _cut_note(shot: range, raw: list[Body | None], fps: float, dancer: int) -> str:
    """What happened to the dancer at the cut that starts `shot`."""
    at = f"Cut at {shot.start / fps:.2f} s (frame {shot.start})"
    seen = [t for t in shot if raw[t] is not None]
    if not seen:
        return f"{at}: dancer {dancer} is not in the next shot, so no fan is drawn until the shot ends."
    if seen[0] == shot.start:
        return f"{at}: dancer {dancer} found again at once; the fan restarts there at the dancer's new size."
    return (
        f"{at}: dancer {dancer} is found again {(seen[0] - shot.start) / fps:.2f} s later (frame {seen[0]}); "
        "the fan is not drawn until then."
    )


def place(layer: Layer, own: Body, at: Body) -> Layer:
    """The layer scaled so its body (`own`) gets the dancer's height, its feet centre on the dancer's (`at`).

    Resampled with sub-pixel position (bilinear, area when shrinking), so its edge stays anti-aliased.
    """
    scale = at.height / max(own.height, 1e-3)
    h, w = layer.alpha.shape
    # Frame position of the layer's top-left after scaling about the feet point.
    left = at.x + (layer.x0 - own.x) * scale
    top = at.feet + (layer.y0 - own.feet) * scale
    x0, y0 = int(np.floor(left)), int(np.floor(top))
    out_w, out_h = int(np.ceil(left + w * scale)) - x0 + 1, int(np.ceil(top + h * scale)) - y0 + 1
    matrix = np.array([[scale, 0, left - x0], [0, scale, top - y0]], np.float64)
    flags = cv2.INTER_AREA if scale < 1 else cv2.INTER_LINEAR
    premultiplied = np.dstack([layer.colour * layer.alpha[..., None], layer.alpha])
    moved = cv2.warpAffine(premultiplied, matrix, (out_w, out_h), flags=flags, borderValue=0)
    alpha = np.clip(moved[..., 3], 0, 1)
    colour = moved[..., :3] / np.maximum(alpha, 1e-6)[..., None]
    return Layer(np.clip(colour, 0, 255).astype(np.float32), alpha.astype(np.float32), x0, y0)


GROUND_WINDOW = 0.3  # seconds either side over which the lowest feet row is the floor contact


def ground_rows(feet: np.ndarray, cuts: list[int], fps: float) -> np.ndarray:
    """Where a dancer touches the floor, per frame (T, NaN when unseen): the lowest feet row nearby in the shot.

    A jump lifts the feet, which would make the dancer look farther away; the floor contact does not move.
    """
    reach = max(1, round(GROUND_WINDOW * fps))
    out = np.full(len(feet), np.nan)
    for shot in _shots(len(feet), cuts):
        for t in shot:
            if np.isnan(feet[t]):
                continue
            near = feet[max(shot.start, t - reach) : min(shot.stop, t + reach + 1)]
            out[t] = np.nanmax(near)
    return out
