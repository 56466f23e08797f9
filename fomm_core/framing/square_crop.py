"""A square cut out of an image at any size, padded beyond the image's edges with colours continuing them."""

from __future__ import annotations

import math

import cv2
import numpy as np

from ..geometry import Square

STRIP = 0.04  # width of the edge strips the padding colours (and the plain-background model) are taken from

Colour = tuple[int, int, int]
# padding beyond the top and bottom edges (colours) and the left and right edges (colour per row, N×3)
Fill = tuple[Colour, Colour, np.ndarray, np.ndarray]


def crop_square(image: np.ndarray, square: Square, size: int, fill: Fill | Colour) -> np.ndarray:
    """The `square` of `image` resampled to size×size uint8; beyond an edge, that edge's `fill` colour."""
    if not isinstance(fill[0], tuple):
        fill = (fill, fill, np.array([fill]), np.array([fill]))
    scale = size / square.side
    if scale < 0.5:  # shrink with area averaging first, then the warp only nudges
        factor = min(1.0, 2 * scale)
        h, w = image.shape[:2]
        small = cv2.resize(
            image, (max(1, round(w * factor)), max(1, round(h * factor))), interpolation=cv2.INTER_AREA
        )
        square = square.scaled(small.shape[1] / w)
        image, scale = small, size / square.side
    h, w = image.shape[:2]
    top, left = max(0, math.ceil(-square.y0) + 1), max(0, math.ceil(-square.x0) + 1)
    bottom = max(0, math.ceil(square.y0 + square.side - h) + 1)
    right = max(0, math.ceil(square.x0 + square.side - w) + 1)
    if left or right:
        columns = [
            cv2.resize(np.asarray(c, np.uint8)[:, None], (1, h), interpolation=cv2.INTER_LINEAR)
            for c in fill[2:]
        ]
        image = np.concatenate(
            [np.repeat(columns[0], left, axis=1), image, np.repeat(columns[1], right, axis=1)], 1
        )
    if top or bottom:
        image = cv2.copyMakeBorder(image, top, 0, 0, 0, cv2.BORDER_CONSTANT, value=fill[0])
        image = cv2.copyMakeBorder(image, 0, bottom, 0, 0, cv2.BORDER_CONSTANT, value=fill[1])
    shift_x = (0.5 - square.x0 - left) * scale - 0.5
    shift_y = (0.5 - square.y0 - top) * scale - 0.5
    matrix = np.array([[scale, 0.0, shift_x], [0.0, scale, shift_y]], dtype=np.float64)
    interpolation = cv2.INTER_CUBIC if scale > 1.2 else cv2.INTER_LINEAR
    return cv2.warpAffine(image, matrix, (size, size), flags=interpolation, borderMode=cv2.BORDER_REPLICATE)


def edge_colours(image: np.ndarray, width: float = STRIP) -> Fill:
    """Padding colours continuing the image: medians of the top and bottom strips, and of the left and
    right strips row by row (so a floor continues sideways as floor)."""
    h, w = image.shape[:2]
    b = max(1, round(min(h, w) * width))
    top, bottom = (
        tuple(int(v) for v in np.median(s.reshape(-1, 3), axis=0)) for s in (image[:b], image[-b:])
    )
    k = max(3, (h // 40) | 1)
    left, right = (
        cv2.GaussianBlur(np.median(s, axis=1).astype(np.uint8)[:, None], (1, k), 0)[:, 0]
        for s in (image[:, :b], image[:, -b:])
    )
    return top, bottom, left, right
