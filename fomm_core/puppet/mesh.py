"""A triangle mesh covering a region of pixels: points along its contours and on a grid inside, triangulated.

The triangulation is scipy's Delaunay (Qhull); triangles whose centre falls outside the region (across a
concave gap) are dropped, so the mesh follows the silhouette.
"""

from __future__ import annotations

import cv2
import numpy as np
from scipy.spatial import Delaunay


def triangulate(region: np.ndarray, spacing: float) -> tuple[np.ndarray, np.ndarray]:
    """Vertices (V×2 float, pixels) and triangles (T×3 int) covering the True pixels of `region` (H×W bool)."""
    grid = region.astype(np.uint8)
    if grid.sum() < 3:
        return np.zeros((0, 2)), np.zeros((0, 3), np.int64)
    contours, _ = cv2.findContours(grid, cv2.RETR_LIST, cv2.CHAIN_APPROX_NONE)
    step = max(1, int(round(spacing)))
    rim = [c[::step, 0] for c in contours if len(c) >= 3]
    inner = cv2.erode(grid, np.ones((3, 3), np.uint8), iterations=max(1, step // 2))
    ys, xs = np.mgrid[step // 2 : grid.shape[0] : step, step // 2 : grid.shape[1] : step]
    keep = inner[ys, xs] > 0
    points = np.concatenate([*rim, np.stack([xs[keep], ys[keep]], axis=1)]).astype(np.float64)
    points = np.unique(points, axis=0)
    if len(points) < 3 or np.linalg.matrix_rank(points - points.mean(0)) < 2:
        return np.zeros((0, 2)), np.zeros((0, 3), np.int64)
    triangles = Delaunay(points).simplices
    centres = np.round(points[triangles].mean(axis=1)).astype(int)
    inside = grid[centres[:, 1], centres[:, 0]] > 0
    a, b, c = (points[triangles[:, k]] for k in range(3))
    area = 0.5 * np.abs((b - a)[:, 0] * (c - a)[:, 1] - (b - a)[:, 1] * (c - a)[:, 0])
    triangles = triangles[inside & (area > 0.25)]
    used = np.unique(triangles)
    remap = np.full(len(points), -1)
    remap[used] = np.arange(len(used))
    return points[used], remap[triangles]
