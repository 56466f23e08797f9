"""The rig: one mesh per part, and how each vertex follows its part and, near a joint, the part before it.

Linear blend skinning with two bones per vertex: a vertex takes its part's transform (turned, and
foreshortened along its bone), except near the joint the part shares with its parent, where it blends
towards the parent's (half and half at the joint itself, all the parent's across it). Away from the joints
every vertex moves by its part's one affine motion, never bent, so a forearm stays a forearm; at the joints the two parts' meshes meet, so nothing tears.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .mesh import triangulate
from .regions import PartRegions
from .skeleton import PARENT_INDEX, PARTS, J

MESH_SPACING = 0.022  # body heights between mesh points


@dataclass(frozen=True)
class Rig:
    """Every part's mesh in one set of arrays, in the photo's (output) pixels."""

    vertices: np.ndarray  # V×2, at rest
    triangles: np.ndarray  # T×3
    vertex_part: np.ndarray  # V
    parent_weight: np.ndarray  # V: how much of the parent's transform the vertex follows
    triangle_part: np.ndarray  # T

    @property
    def rigid(self) -> np.ndarray:
        """Triangles that move by their part's transform alone (T bool)."""
        return (self.parent_weight[self.triangles] == 0).all(axis=1)

    def deform(self, transforms: np.ndarray) -> np.ndarray:
        """The vertices moved by the parts' transforms (P×2×3)."""
        own = _apply(transforms[self.vertex_part], self.vertices)
        parent = PARENT_INDEX[self.vertex_part]
        blended = self.parent_weight > 0
        if not blended.any():
            return own
        w = self.parent_weight[blended, None]
        theirs = _apply(transforms[parent[blended]], self.vertices[blended])
        own[blended] = (1 - w) * own[blended] + w * theirs
        return own


def _apply(t: np.ndarray, points: np.ndarray) -> np.ndarray:
    return np.einsum("nij,nj->ni", t[:, :, :2], points) + t[:, :, 2]


def joint_weights(points: np.ndarray, part: int, joints: np.ndarray, band: float) -> np.ndarray:
    """How much each point of `part` follows its parent: ½ at the joint they share, 0 a `band` into the part,
    1 a `band` across the joint."""
    p = PARTS[part]
    if p.parent is None:
        return np.zeros(len(points))
    a, b = joints[J[p.start]], joints[J[p.end]]
    u = (b - a) / max(float(np.hypot(*(b - a))), 1e-9)
    s = (points - a) @ u / band
    return np.where(s >= 0, 0.5 * np.clip(1 - s, 0, 1), 0.5 + 0.5 * np.clip(-s, 0, 1))


def build_rig(regions: PartRegions, joints: np.ndarray, height: float) -> Rig:
    """A mesh over each part's region, its vertices weighted to the joints."""
    vertices, triangles, vertex_part, weights, triangle_part = [], [], [], [], []
    count = 0
    for i, region in enumerate(regions.regions):
        points, tris = triangulate(region, MESH_SPACING * height)
        if len(tris) == 0:
            continue
        vertices.append(points)
        triangles.append(tris + count)
        vertex_part.append(np.full(len(points), i))
        weights.append(joint_weights(points, i, joints, regions.radii[i]))
        triangle_part.append(np.full(len(tris), i))
        count += len(points)
    return Rig(
        np.concatenate(vertices),
        np.concatenate(triangles),
        np.concatenate(vertex_part),
        np.concatenate(weights),
        np.concatenate(triangle_part),
    )
