"""Whether the dancer has turned their back (or side) to the camera, from their landmarks, and the mirror that
keeps the person's front to it.

Seen from behind, the left shoulder is on the other side of the right one than it was in the reference
frame, and the face's landmarks are not visible. The person's photo shows only their front, so while the
dancer's back is turned the puppet keeps showing the front: the dancer's left side drives the person's
right (the side now on the same side of the picture), and the frame is reported as turned.
"""

from __future__ import annotations

import numpy as np

from .skeleton import J, body_height

FACE = (0, 2, 5)  # nose and eyes
FACE_SEEN = 0.5
SIDE_ON = 0.6  # shoulders narrower than this fraction of their reference width, face unseen: turned
SWITCH = 0.15  # the body must be this far (fraction of its reference width) past side-on to switch sides
SHOWN = 0.05  # body heights: shoulders plus hips at least this wide across the picture show a side for sure


def _mirror() -> np.ndarray:
    """Each BlazePose landmark's counterpart on the other side of the body (eyes 1-3 / 4-6, then pairs)."""
    order = np.arange(33)
    for left, right in ((1, 4), (2, 5), (3, 6), *((i, i + 1) for i in range(7, 33, 2))):
        order[left], order[right] = right, left
    return order


MIRROR = _mirror()


def across(points: np.ndarray, reference: np.ndarray) -> float:
    """The body's width across the picture (shoulders and hips) relative to the reference: 1 as then, < 0 the
    sides swapped (the back, if the reference showed the front)."""
    width = (points[11, 0] - points[12, 0]) + (points[23, 0] - points[24, 0])
    ref_width = (reference[11, 0] - reference[12, 0]) + (reference[23, 0] - reference[24, 0])
    return float(width / ref_width) if abs(ref_width) > 1e-6 else 1.0


def turned_away(points: np.ndarray, visibility: np.ndarray, reference: np.ndarray) -> bool:
    """The dancer (33 landmarks, visibility) shows their back or side, relative to `reference` landmarks."""
    width = across(points, reference)
    face_hidden = float(np.mean(visibility[list(FACE)])) < FACE_SEEN
    return bool(width < 0 or (face_hidden and width < SIDE_ON))


def facing(joints: np.ndarray) -> float:
    """Which side a body (joints, len(JOINTS)×2) shows: its shoulders' plus hips' width across the picture, left
    minus right, in body heights; > 0 the front (its left on the picture's right), < 0 the back."""
    width = sum(joints[J[f"l_{j}"], 0] - joints[J[f"r_{j}"], 0] for j in ("shoulder", "hip"))
    return float(width / max(body_height(joints), 1e-6))


def sides_differ(photo: np.ndarray, reference: np.ndarray) -> bool:
    """Whether the photo's body and the dancer's at the reference (joints) clearly show opposite sides."""
    a, b = facing(photo), facing(reference)
    return bool(a * b < 0 and min(abs(a), abs(b)) > SHOWN)


class FrontKeeper:
    """Feed the dancer's landmarks frame by frame; says when to mirror them (sides swapped for long enough)."""

    def __init__(self, reference: np.ndarray):
        self.reference = reference
        self.mirrored = False

    def __call__(self, points: np.ndarray) -> bool:
        """Whether this frame's landmarks are to be mirrored (MIRROR) to keep the person's front."""
        width = across(points, self.reference)
        if width < -SWITCH:
            self.mirrored = True
        elif width > SWITCH:
            self.mirrored = False
        return self.mirrored
