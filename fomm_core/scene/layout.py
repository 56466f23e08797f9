"""Where the output sits in the photo: a crop around the person with room to move, its size, the square pasted in."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ..geometry import Square

ROOM_X = 0.35  # the crop reaches this fraction of the source square's side beyond it on the left and right
ROOM_Y = 0.1  # and above and below
SMALL = 1.6  # a photo whose long side is at most this many source squares is kept whole


def canvas_box(width: int, height: int, square: Square) -> tuple[int, int, int, int]:
    """The crop of a width×height photo shown as the output (x0, y0, x1, y1 pixels): around the source square
    with room to move, clamped to the photo; the whole photo when it is small."""
    if max(width, height) <= SMALL * square.side:
        return 0, 0, width, height
    rx, ry = ROOM_X * square.side, ROOM_Y * square.side
    x0 = max(0, math.floor(square.x0 - rx))
    y0 = max(0, math.floor(square.y0 - ry))
    x1 = min(width, math.ceil(square.x0 + square.side + rx))
    y1 = min(height, math.ceil(square.y0 + square.side + ry))
    return x0, y0, max(x1, x0 + 2), max(y1, y0 + 2)


@dataclass(frozen=True)
class SceneLayout:
    """The output: the photo's `canvas` crop scaled to `size` (even width, height), the source `square` in it."""

    canvas: tuple[int, int, int, int]  # x0, y0, x1, y1 in photo pixels
    size: tuple[int, int]  # output width, height
    square: Square  # the model's source square, photo pixels

    @property
    def scale(self) -> tuple[float, float]:
        """Output pixels per photo pixel along x and y."""
        x0, y0, x1, y1 = self.canvas
        return self.size[0] / (x1 - x0), self.size[1] / (y1 - y0)

    def paste_matrix(self, frame_size: int) -> np.ndarray:
        """2×3 matrix taking a model frame's pixels (frame_size², the source square) to output pixels."""
        kx, ky = self.scale
        step = self.square.side / frame_size
        ox = (self.square.x0 - self.canvas[0] + 0.5 * step) * kx - 0.5
        oy = (self.square.y0 - self.canvas[1] + 0.5 * step) * ky - 0.5
        return np.array([[step * kx, 0.0, ox], [0.0, step * ky, oy]])


def scene_layout(
    width: int, height: int, square: Square, side: int, max_width: int, beside: bool = False
) -> SceneLayout:
    """The layout in which the source square is about `side` output pixels, the whole output (with a square
    dance `beside` it, as tall as the output) at most `max_width` wide, both sides even."""
    canvas = canvas_box(width, height, square)
    cw, ch = canvas[2] - canvas[0], canvas[3] - canvas[1]
    k = min(side / square.side, max_width / (cw + (ch if beside else 0)))
    return SceneLayout(canvas, (_even(cw * k), _even(ch * k)), square)


def _even(length: float) -> int:
    return max(2, 2 * math.floor(length / 2))
