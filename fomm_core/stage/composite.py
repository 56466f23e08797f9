"""Each stage frame: the clean plate, then the fans and the dancers that stand nearer than a fan, far to near.

Depth comes from where people stand: the camera looks down on the stage, so the lower a person's feet (the
bottom of their box) in the picture, the nearer they are. Only overlaps matter: another dancer is drawn
again over the plate (from the original frame) only when they stand nearer than a fan they overlap, so a
dancer in front of the replaced one still covers the fan, and one behind is covered by it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from ..errors import UserError
from .layer import Layer


def depth_order(feet: Mapping[int, float]) -> list[int]:
    """Dancer ids far to near from the picture row of their feet (ties: the lower id first)."""
    return sorted(feet, key=lambda i: (feet[i], i))


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
    feet: Mapping[int, float],
) -> np.ndarray:
    """The stage frame (uint8 H×W×3).

    plate: the frame with the replaced dancers removed; fans: (dancer id, the fan's layer placed in the
    frame) for every replaced dancer seen in this frame; others: the other dancers cut out of the original
    frame (`Layer.cut_out`); feet: the picture row of every dancer's feet (fans' dancers included).
    """
    check_fans([d for d, _ in fans])
    by_dancer = dict(fans)
    out = plate.copy()
    drawn: list[tuple[int, int, int, int]] = []
    for d in depth_order({i: y for i, y in feet.items() if i in by_dancer or i in others}):
        if d in by_dancer:
            paste(out, by_dancer[d])
            drawn.append(by_dancer[d].box)
        elif any(_overlap(others[d].box, box) for box in drawn):
            paste(out, others[d])
    return out
