"""Each stage frame: the clean plate, then the fans and the dancers that stand nearer than a fan, far to near.

Depth comes from where people stand: the camera looks down on the stage, so the lower a person's feet (their
floor contact, see `placement.ground_rows`) in the picture, the nearer they are. Where two people overlap,
what the frame shows overrides that: if one's body points (landmarks) fall on the other's visible pixels
more than the other way round, the first is hidden, so behind. Only overlaps matter: another dancer is drawn
again over the plate (from the original frame) only when they stand nearer than a fan they overlap, so a
dancer in front of the replaced one still covers the fan, and one behind is covered by it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from ..errors import UserError
from .layer import Layer

OCCLUSION_VOTES = 2  # landmarks more on one side than the other that settle who hides whom


def hidden_points(points: np.ndarray, visible: np.ndarray) -> int:
    """How many of a person's points (K×2, frame pixels) fall on someone's visible pixels (H×W bool)."""
    xy = np.round(points[~np.isnan(points).any(1)]).astype(int)
    h, w = visible.shape
    inside = (xy[:, 0] >= 0) & (xy[:, 0] < w) & (xy[:, 1] >= 0) & (xy[:, 1] < h)
    return int(visible[xy[inside, 1], xy[inside, 0]].sum())


def depth_order(
    feet: Mapping[int, float],
    landmarks: Mapping[int, np.ndarray] | None = None,
    visible: Mapping[int, np.ndarray] | None = None,
) -> list[int]:
    """Dancer ids far to near: by the picture row of their feet (ties: the lower id first), corrected where
    one's landmarks (K×2) lie on the other's visible pixels (H×W bool) clearly more than the other way round."""
    order = sorted(feet, key=lambda i: (feet[i], i))
    if not landmarks or not visible:
        return order
    behind = set()
    for a in order:
        for b in order:
            if a < b and a in landmarks and b in landmarks and a in visible and b in visible:
                votes = hidden_points(landmarks[a], visible[b]) - hidden_points(landmarks[b], visible[a])
                if votes >= OCCLUSION_VOTES:
                    behind.add((a, b))
                elif votes <= -OCCLUSION_VOTES:
                    behind.add((b, a))
    for _ in range(len(order)):  # move each hidden person before whoever hides them
        settled = True
        for far, near in behind:
            if order.index(far) > order.index(near):
                order.remove(far)
                order.insert(order.index(near), far)
                settled = False
        if settled:
            break
    return order


def check_fans(dancers: Sequence[int]) -> None:
    """Refuse two fans for one dancer (UserError naming the dancer and the photos)."""
    for d in set(dancers):
        photos = [i + 1 for i, other in enumerate(dancers) if other == d]
        if len(photos) > 1:
            raise UserError(
                f"Photos {' and '.join(map(str, photos))} both take dancer {d}'s place; "
                "each dancer can be replaced by one photo only: pick another dancer for one of them."
            )


def _overlap(a: tuple[int, int, int, int], b: tuple[int, int, int, int]) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def paste(out: np.ndarray, layer: Layer) -> None:
    """Lay `layer` over out (uint8 H×W×3, in place) by its coverage, clipped to the frame."""
    h, w = out.shape[:2]
    x0, y0, x1, y1 = layer.box
    cx0, cy0, cx1, cy1 = max(x0, 0), max(y0, 0), min(x1, w), min(y1, h)
    if cx0 >= cx1 or cy0 >= cy1:
        return
    inner = np.s_[cy0 - y0 : cy1 - y0, cx0 - x0 : cx1 - x0]
    a = layer.alpha[inner][..., None]
    under = out[cy0:cy1, cx0:cx1].astype(np.float32)
    out[cy0:cy1, cx0:cx1] = np.clip(under + (layer.colour[inner] - under) * a + 0.5, 0, 255).astype(np.uint8)


def compose(
    plate: np.ndarray,
    fans: Sequence[tuple[int, Layer]],
    others: Mapping[int, Layer],
    order: Sequence[int],
) -> np.ndarray:
    """The stage frame (uint8 H×W×3).

    plate: the frame with the replaced dancers removed; fans: (dancer id, the fan's layer placed in the
    frame) for every replaced dancer seen in this frame; others: the other dancers cut out of the original
    frame (`Layer.cut_out`); order: every dancer's id far to near (`depth_order`).
    """
    check_fans([d for d, _ in fans])
    by_dancer = dict(fans)
    out = plate.copy()
    drawn: list[tuple[int, int, int, int]] = []
    for d in (i for i in order if i in by_dancer or i in others):
        if d in by_dancer:
            paste(out, by_dancer[d])
            drawn.append(by_dancer[d].box)
        elif any(_overlap(others[d].box, box) for box in drawn):
            paste(out, others[d])
    return out
