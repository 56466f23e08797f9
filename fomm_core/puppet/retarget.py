"""Motion retargeting: the dancer's bone directions on the person's bones, relative to a reference frame.

Each part turns by as much as the dancer's matching bone has turned since the reference frame (the
person's angle = photo angle + dancer angle at t - dancer angle at the reference), about its start joint,
which its parent carries: bone lengths stay the person's. What the picture shows of a bone is its length
foreshortened: a thigh lifted towards the camera, a body bending forward or turning sideways looks shorter
or narrower. So a long part (torso, arms, legs) is drawn as much shorter along its bone as the dancer's
bone looks shorter than at the reference, and the torso as much narrower as the dancer's shoulders and
hips look: the person's own bone, seen as the dancer's is seen. The whole body then moves so that its feet
are where the dancer's are, relative to the reference and scaled by body height (ground.py).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .ground import Ground
from .skeleton import (
    OWNER_INDEX,
    PARENT_INDEX,
    PART_INDEX,
    PARTS,
    J,
    body_height,
    bone_angles,
    bone_lengths,
    bone_vectors,
    torso_width,
)

HEAD_TURN = 0.6  # radians: the head tilts at most this much (its landmarks are few and close together)
# a part's length on the picture relative to the reference, at least and at most: a bone seen end-on keeps
# some length, and one the reference showed foreshortened is not stretched beyond the person's own
LENGTH = (0.3, 1.25)
WIDTH = (0.5, 1.2)  # the torso's width likewise (a body seen side-on is about half as wide)
FORESHORTENED = np.array([p.kind in ("torso", "upper_arm", "forearm", "thigh", "shin") for p in PARTS])
TORSO = PART_INDEX["torso"]


@dataclass(frozen=True)
class Posed:
    """The person's pose in one frame: each part's transform (P×2×3, photo -> frame; turned, and foreshortened
    along its bone) and the joints."""

    transforms: np.ndarray
    joints: np.ndarray  # len(JOINTS)×2


def rotation(angle: np.ndarray) -> np.ndarray:
    """2×2 rotation matrices (…×2×2) for angles in radians (image axes: y down)."""
    c, s = np.cos(angle), np.sin(angle)
    return np.stack([np.stack([c, -s], -1), np.stack([s, c], -1)], -2)


def wrap(angle: np.ndarray) -> np.ndarray:
    """Angles into [-pi, pi)."""
    return (angle + np.pi) % (2 * np.pi) - np.pi


class Retarget:
    """The dancer's motion, relative to their `reference` joints, on the body of the photo's `photo` joints."""

    def __init__(self, photo: np.ndarray, reference: np.ndarray, travel: float = 1.0):
        self.photo = np.asarray(photo, np.float64)[:, :2]
        self.reference = np.asarray(reference, np.float64)[:, :2]
        self.scale = body_height(self.photo) / body_height(self.reference)
        self.ground = Ground(self.photo, self.reference, self.scale * travel, body_height(self.reference))
        self._reference_angles = bone_angles(self.reference)
        self._reference_lengths = bone_lengths(self.reference)
        self._reference_width = torso_width(self.reference)
        bones = bone_vectors(self.photo)
        self._along = bones / np.maximum(np.hypot(*bones.T), 1e-9)[:, None]  # each part's unit bone, photo

    def turns(self, dancer: np.ndarray) -> np.ndarray:
        """How far each part turns (radians) for the dancer's joints `dancer` (N×2)."""
        delta = wrap(bone_angles(dancer[:, :2]) - self._reference_angles)
        head = PART_INDEX["head"]
        delta[head] = np.clip(delta[head], -HEAD_TURN, HEAD_TURN)
        return delta

    def stretches(self, dancer: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Each part's length and width on the picture relative to the photo's, for the dancer's joints `dancer`:
        the dancer's foreshortening since the reference (1 for the parts drawn rigid)."""
        length = np.clip(bone_lengths(dancer) / np.maximum(self._reference_lengths, 1e-9), *LENGTH)
        length = np.where(FORESHORTENED, length, 1.0)
        width = np.ones(len(PARTS))
        width[TORSO] = np.clip(torso_width(dancer) / max(self._reference_width, 1e-9), *WIDTH)
        return length, width

    def linear(self, dancer: np.ndarray) -> np.ndarray:
        """Each part's linear map (P×2×2): scaled along and across its photo bone, then turned."""
        length, width = self.stretches(dancer)
        u = self._along
        v = np.stack([-u[:, 1], u[:, 0]], axis=1)
        scale = (
            np.eye(2)
            + (length - 1)[:, None, None] * np.einsum("pi,pj->pij", u, u)
            + (width - 1)[:, None, None] * np.einsum("pi,pj->pij", v, v)
        )
        return rotation(self.turns(dancer)) @ scale

    def __call__(self, dancer: np.ndarray) -> Posed:
        """The person posed like the dancer's joints `dancer` (N×2, the clip's pixels); call in frame order."""
        dancer = np.asarray(dancer, np.float64)[:, :2]
        linear = self.linear(dancer)
        transforms = np.zeros((len(PARTS), 2, 3))
        for i, part in enumerate(PARTS):  # parents come first
            start = self.photo[J[part.start]]
            parent = PARENT_INDEX[i]
            at = start if parent < 0 else transforms[parent] @ np.append(start, 1.0)
            transforms[i, :, :2] = linear[i]
            transforms[i, :, 2] = at - linear[i] @ start
        posed = _apply(transforms, self.photo)
        shift = self.ground(posed, dancer)
        transforms[:, :, 2] += shift
        return Posed(transforms, posed + shift)


def _apply(transforms: np.ndarray, photo: np.ndarray) -> np.ndarray:
    """Every joint moved by the part that carries it."""
    t = transforms[OWNER_INDEX]
    return np.einsum("nij,nj->ni", t[:, :, :2], photo) + t[:, :, 2]
