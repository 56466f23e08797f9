"""The contact sheets' building blocks: pictures scaled to one height, laid side by side under a caption."""

from __future__ import annotations

import cv2
import numpy as np

LABEL = 26  # height of a row's caption band, pixels


def fit_height(image: np.ndarray, height: int) -> np.ndarray:
    """`image` scaled to `height` pixels high, its aspect kept."""
    h, w = image.shape[:2]
    size = (max(1, round(w * height / h)), height)
    return cv2.resize(image, size, interpolation=cv2.INTER_AREA if height < h else cv2.INTER_CUBIC)


def captioned_row(tiles: list[np.ndarray], text: str, gap: int) -> np.ndarray:
    """Tiles of one height side by side, `gap` pixels apart, under a caption, on white."""
    height = tiles[0].shape[0]
    row = np.full((height + LABEL, sum(t.shape[1] for t in tiles) + gap * (len(tiles) - 1), 3), 255, np.uint8)
    x = 0
    for tile in tiles:
        row[LABEL:, x : x + tile.shape[1]] = tile
        x += tile.shape[1] + gap
    cv2.putText(row, text, (4, LABEL - 8), cv2.FONT_HERSHEY_SIMPLEX, 0.6, (20, 20, 20), 1, cv2.LINE_AA)
    return row
