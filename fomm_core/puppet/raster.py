"""Drawing the deformed mesh: which triangle is in front at each pixel, and where that pixel comes from.

Triangles are filled (OpenCV's scan conversion) back to front into an index buffer: all of a part's rigid
triangles at once under the part's index, each blended triangle (near a joint) under its own. Every index
has one affine map from frame pixels back to the texture, so the backward map is a table lookup per pixel,
and one cv2.remap samples the texture.
"""

from __future__ import annotations

import cv2
import numpy as np

from .skinning import Rig

SUBPIXEL = 4  # bits of sub-pixel precision for the scan conversion
JUMP = 2.5  # texture pixels between neighbours beyond which their colours are not neighbours in the photo


def _fixed(points: np.ndarray) -> np.ndarray:
    return np.round(points * (1 << SUBPIXEL)).astype(np.int32)


def _invert(transforms: np.ndarray) -> np.ndarray:
    """Inverses of rigid/affine 2×3 transforms (N×2×3)."""
    a = np.linalg.inv(transforms[:, :, :2])
    return np.concatenate([a, -np.einsum("nij,nj->ni", a, transforms[:, :, 2])[:, :, None]], axis=2)


def _triangle_maps(moved: np.ndarray, rest: np.ndarray) -> np.ndarray:
    """The affine map (N×2×3) taking each moved triangle (N×3×2) onto its rest triangle."""
    d = np.concatenate([moved, np.ones(moved.shape[:2] + (1,))], axis=2)
    d = d + np.eye(3)[None] * 1e-9 * (np.abs(np.linalg.det(d)) < 1e-9)[:, None, None]
    return np.linalg.solve(d, rest).transpose(0, 2, 1)


class Rasteriser:
    """The backward map of a rig's deformed mesh over a width×height frame."""

    def __init__(self, rig: Rig, width: int, height: int, texture_shift: np.ndarray):
        self.rig = rig
        self.size = (width, height)
        self.shift = texture_shift  # per part: where its texture sits in the atlas (x, y)
        rigid = rig.rigid
        parts = len(texture_shift)
        self.rigid_of = [np.flatnonzero(rigid & (rig.triangle_part == p)) for p in range(parts)]
        self.blend_of = [np.flatnonzero(~rigid & (rig.triangle_part == p)) for p in range(parts)]
        self.blended = np.flatnonzero(~rigid)
        # index -> the part it draws (the last entry: index -1, nothing)
        self.part_of = np.concatenate([np.arange(parts), rig.triangle_part, [-1]])
        self._ids = np.full((height, width), -1, np.int32)

    def index_buffer(
        self, moved: np.ndarray, order: np.ndarray
    ) -> tuple[np.ndarray, tuple[int, int, int, int]]:
        """Which index is in front at each pixel (-1: none), drawing parts in `order` (back to front), and the
        box (x0, y0, x1, y1) that holds them."""
        w, h = self.size
        # at least one pixel inside the frame, even when the person has left it
        lo = np.clip(np.floor(moved.min(0)).astype(int) - 1, 0, [w - 1, h - 1])
        hi = np.clip(np.ceil(moved.max(0)).astype(int) + 2, lo + 1, [w, h])
        x0, y0, x1, y1 = int(lo[0]), int(lo[1]), int(hi[0]), int(hi[1])
        ids = self._ids[y0:y1, x0:x1]
        ids[:] = -1
        tris = _fixed(moved - (x0, y0))[self.rig.triangles]
        parts = len(self.shift)
        for p in order:
            if len(self.rigid_of[p]):
                cv2.fillPoly(ids, list(tris[self.rigid_of[p]]), int(p), shift=SUBPIXEL)
            for t in self.blend_of[p]:
                cv2.fillConvexPoly(ids, tris[t], int(parts + t), shift=SUBPIXEL)
        return ids, (x0, y0, x1, y1)

    def backward(
        self, moved: np.ndarray, transforms: np.ndarray, order: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray, tuple[int, int, int, int]]:
        """map_x, map_y (texture pixels, -1 where nothing is drawn) over the box that holds the person, and
        the seams where a part meets another or nothing (bool, for smoothing them)."""
        ids, box = self.index_buffer(moved, order)
        x0, y0 = box[:2]
        parts = len(self.shift)
        table = np.zeros((parts + len(self.rig.triangles), 2, 3))
        table[:parts] = _invert(transforms)
        table[:parts, :, 2] += self.shift
        if len(self.blended):
            t = self.rig.triangles[self.blended]
            rest = self.rig.vertices[t] + self.shift[self.rig.triangle_part[self.blended]][:, None]
            table[parts + self.blended] = _triangle_maps(moved[t], rest)
        # the frame's pixel grid is folded into each map, so a pixel's source is one lookup and one multiply-add
        table[:, :, 2] += table[:, :, 0] * x0 + table[:, :, 1] * y0
        table = np.concatenate([table, np.full((1, 2, 3), 0.0)])
        table[-1, :, 2] = -1.0  # index -1: outside the texture
        coef = table.astype(np.float32)[ids]
        h, w = ids.shape
        xs = np.arange(w, dtype=np.float32)[None, :]
        ys = np.arange(h, dtype=np.float32)[:, None]
        map_x = coef[..., 0, 0] * xs + coef[..., 0, 1] * ys + coef[..., 0, 2]
        map_y = coef[..., 1, 0] * xs + coef[..., 1, 1] * ys + coef[..., 1, 2]
        parts = self.part_of[ids]
        shift = np.concatenate([self.shift[:, 0], [0.0]]).astype(np.float32)[parts]
        return map_x, map_y, _seams(parts, map_x - shift, map_y), box


def _seams(parts: np.ndarray, source_x: np.ndarray, source_y: np.ndarray) -> np.ndarray:
    """Pixels whose neighbour (right or below) comes from somewhere else in the photo, or is not drawn: the
    scan conversion's hard steps where a part is drawn over another or cut out of the mask's inside."""
    seam = np.zeros(parts.shape, bool)
    drawn = parts >= 0
    for axis in (0, 1):
        step = np.hypot(np.diff(source_x, axis=axis), np.diff(source_y, axis=axis))
        a = (slice(None), slice(1, None)) if axis else (slice(1, None), slice(None))
        b = (slice(None), slice(None, -1)) if axis else (slice(None, -1), slice(None))
        jump = (step > JUMP) & (drawn[a] | drawn[b])
        seam[a] |= jump
        seam[b] |= jump
    return seam
