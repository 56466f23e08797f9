"""The background-difference heuristic: a pixel is the person when it differs from the background.

Chosen by measurement (see benchmarks/io.py). The background is a per-row blend of the frame's left and right
edge colours when that model fits the edges (plain walls, floors, gradients; works on a single photo and on a
dancer standing still), else the clip's temporal median (any static background, needs the dancer to move).
It finds one person; the pose model (fomm_core.framing.people) is tried first and this is its fallback.
"""

from __future__ import annotations

import cv2
import numpy as np

from ..errors import UserError
from ..geometry import Box
from ..io.video import fit_size
from .square_crop import STRIP

DETECT_SIDE = 256  # long side of the frames boxes are detected on


def edge_background(image: np.ndarray) -> tuple[np.ndarray, bool]:
    """Plain-background model: each row interpolated between its left and right edge colours.

    Returns the model (uint8 H×W×3) and whether it is trustworthy: the edge strips are smooth and
    the model predicts the top strip well (a wall, a floor line and gradients pass; a busy scene fails).
    """
    h, w = image.shape[:2]
    b = max(2, round(w * STRIP))
    img = image.astype(np.float32)
    left = np.median(img[:, :b], axis=1)
    right = np.median(img[:, -b:], axis=1)
    k = max(3, (h // 40) | 1)
    left = cv2.GaussianBlur(left[:, None], (1, k), 0)[:, 0]
    right = cv2.GaussianBlur(right[:, None], (1, k), 0)[:, 0]
    t = np.linspace(0.0, 1.0, w, dtype=np.float32)[None, :, None]
    model = left[:, None] * (1 - t) + right[:, None] * t
    strips = np.concatenate(
        [
            np.abs(img[:, :b] - left[:, None]).max(2).ravel(),
            np.abs(img[:, -b:] - right[:, None]).max(2).ravel(),
        ]
    )
    top = np.abs(img[:b] - model[:b]).max(2)
    smooth = np.percentile(strips, 90) < 24 and np.percentile(top, 90) < 30
    return (model + 0.5).astype(np.uint8), bool(smooth)


def difference(frame: np.ndarray, background: np.ndarray) -> np.ndarray:
    """Largest per-channel absolute difference, H×W uint8."""
    d = cv2.absdiff(frame, np.asarray(background).astype(np.uint8))
    return np.maximum(np.maximum(d[..., 0], d[..., 1]), d[..., 2])


def mask_box(mask: np.ndarray, min_fraction: float = 0.002) -> Box | None:
    """Box around the person in a foreground mask (at about DETECT_SIDE pixels): gaps closed, specks
    removed, then the largest blob plus blobs at least 10% its size."""
    mask = cv2.morphologyEx(mask.astype(np.uint8), cv2.MORPH_CLOSE, np.ones((7, 7), np.uint8))  # rejoin limbs
    mask = cv2.morphologyEx(mask, cv2.MORPH_OPEN, np.ones((3, 3), np.uint8))  # drop specks
    n, _, stats, _ = cv2.connectedComponentsWithStats(mask, connectivity=8)
    if n <= 1:
        return None
    areas = stats[1:, cv2.CC_STAT_AREA]
    if areas.max() < min_fraction * mask.size:
        return None
    keep = stats[1:][areas >= 0.1 * areas.max()]
    x0, y0 = keep[:, 0].min(), keep[:, 1].min()
    x1 = (keep[:, 0] + keep[:, 2]).max()
    y1 = (keep[:, 1] + keep[:, 3]).max()
    return Box(float(x0), float(y0), float(x1), float(y1))


def temporal_median(samples: np.ndarray, count: int = 25) -> np.ndarray:
    """Per-pixel median of up to `count` frames spread over the samples: the static background."""
    picks = np.linspace(0, len(samples) - 1, min(count, len(samples))).round().astype(int)
    return np.median(samples[picks], axis=0).astype(np.uint8)


def detect_dancers(samples: np.ndarray, threshold: int = 30) -> list[Box | None]:
    """Person box in each of K sampled frames (K×H×W×3 uint8, one static-camera clip), in their pixels."""
    motion_bg = None
    boxes = []
    for frame in samples:
        edge_bg, plain = edge_background(frame)
        if not plain and motion_bg is None and len(samples) >= 3:
            motion_bg = temporal_median(samples)
        background = edge_bg if plain or motion_bg is None else motion_bg
        boxes.append(mask_box(difference(frame, background) > threshold))
    return boxes


def detect_person(image: np.ndarray, threshold: int = 30) -> Box | None:
    """The person's box in a photo (uint8 H×W×3), or None when nothing stands out from the background.

    Raises UserError when the photo is one plain colour. When the background is too busy to model,
    returns the whole image (the photo is taken as framed already).
    """
    h, w = image.shape[:2]
    small = cv2.resize(image, fit_size(w, h, DETECT_SIDE), interpolation=cv2.INTER_AREA)
    if small.reshape(-1, 3).std(axis=0).max() < 2.0:
        raise UserError(
            "No person found in the photo: it is a single plain colour. Upload a full-body photo "
            "of one person against a simple background."
        )
    background, plain = edge_background(small)
    if not plain:
        return Box(0.0, 0.0, float(w), float(h))
    box = mask_box(difference(small, background) > threshold, min_fraction=0.01)
    if box is None:
        return None
    return box.scaled(w / small.shape[1], h / small.shape[0])
