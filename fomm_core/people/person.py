"""One person found in an image: box, 33 landmarks, which body parts the picture holds, and their mask."""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from ..geometry import Box
from .blazepose import Pose, Roi

SEEN = 0.5  # a landmark with this visibility or more counts as in the picture
# body parts by BlazePose landmark index; the picture holds a part when most of its points are seen, the
# head and feet (which make a body full) only when all of WHOLE's points also lie inside it, off other people
PARTS = {
    "head": (0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10),
    "shoulders": (11, 12),
    "hips": (23, 24),
    "knees": (25, 26),
    "feet": (27, 28, 29, 30, 31, 32),
}
FACE = (0, 2, 5)  # nose and eyes
WHOLE = {"head": FACE, "feet": PARTS["feet"]}  # and both ankles, heels and toes
SIDE_EDGE = (
    0.05  # a torso landmark this close to a side edge (fraction of the width) means the edge cuts the body
)
HEAD_ROOM = 0.12  # the top of the head lies above the eyes by about this fraction of the body's height


@dataclass(frozen=True)
class Person:
    """A person in an image, in its pixels; `landmarks` is None when the fallback heuristic found them."""

    box: Box
    score: float
    landmarks: np.ndarray | None = None  # 33×2 (x, y)
    visibility: np.ndarray | None = None  # 33
    missing: tuple[str, ...] = ()  # body parts (PARTS) the picture does not hold
    roi: Roi | None = None
    roi_mask: np.ndarray | None = None  # LANDMARK_SIZE² in the ROI's frame

    @property
    def full_body(self) -> bool:
        """Head to feet in the picture."""
        return not self.missing

    def mask(self, height: int, width: int) -> np.ndarray:
        """The person's mask over the whole image (H×W float32 in [0, 1]); the box when there is no model mask."""
        if self.roi_mask is None or self.roi is None:
            out = np.zeros((height, width), np.float32)
            b = self.box
            out[max(0, int(b.y0)) : int(np.ceil(b.y1)), max(0, int(b.x0)) : int(np.ceil(b.x1))] = 1.0
            return out
        return self.roi.mask_over(self.roi_mask, width, height)


def inside(landmarks: np.ndarray, width: int, height: int) -> np.ndarray:
    """Which landmarks lie inside a width×height image."""
    x, y = landmarks[:, 0], landmarks[:, 1]
    return (x >= 0) & (x < width) & (y >= 0) & (y < height)


def seen(pose: Pose | Person, width: int, height: int) -> np.ndarray:
    """Which of the 33 landmarks (of a pose or a person found) are visible and inside the image."""
    return (pose.visibility >= SEEN) & inside(pose.landmarks, width, height)


def missing_parts(in_picture: np.ndarray, in_image: np.ndarray) -> tuple[str, ...]:
    """Body parts of which fewer than half the landmarks are in the picture, and the head or feet when any
    of their WHOLE points lies outside it (a toe past the bottom edge, however sure the model is of it)."""
    return tuple(
        part
        for part, idx in PARTS.items()
        if in_picture[list(idx)].mean() < 0.5 or not in_image[list(WHOLE.get(part, ()))].all()
    )


def hidden_by(person: Person, others: list[Person], height: int, width: int) -> Person:
    """The person with the head or feet marked missing where those landmarks lie on someone else's mask and
    off their own: another body stands in front of them there."""
    if person.landmarks is None or not others:
        return person
    own = person.mask(height, width)
    theirs = np.max([o.mask(height, width) for o in others], axis=0)
    x = np.clip(person.landmarks[:, 0].round().astype(int), 0, width - 1)
    y = np.clip(person.landmarks[:, 1].round().astype(int), 0, height - 1)
    covered = (theirs[y, x] > 0.5) & (own[y, x] < 0.5)
    hidden = tuple(p for p, idx in WHOLE.items() if covered[list(idx)].any() and p not in person.missing)
    return replace(person, missing=person.missing + hidden) if hidden else person


def person_from_pose(pose: Pose, score: float, width: int, height: int) -> Person:
    """A Person from the landmark model's answer: box from the mask, bounded by the landmarks with room for the head."""
    in_picture = seen(pose, width, height)
    points = pose.landmarks[in_picture] if in_picture.sum() >= 2 else pose.landmarks
    lx0, ly0 = points.min(0)
    lx1, ly1 = points.max(0)
    room = HEAD_ROOM * max(ly1 - ly0, lx1 - lx0, 1.0)
    bound = Box(lx0 - room, ly0 - room, lx1 + room, ly1 + room / 2)
    person = Person(
        box=bound,
        score=score,
        landmarks=pose.landmarks,
        visibility=pose.visibility,
        missing=missing_parts(in_picture, inside(pose.landmarks, width, height)),
        roi=pose.roi,
        roi_mask=pose.mask,
    )
    box = _mask_box(person.mask(height, width), bound)
    missing = person.missing + _cut_sides(box, pose.landmarks, width)
    return Person(
        box=box,
        score=score,
        landmarks=pose.landmarks,
        visibility=pose.visibility,
        missing=missing,
        roi=pose.roi,
        roi_mask=pose.mask,
    )


def _cut_sides(box: Box, landmarks: np.ndarray, width: int) -> tuple[str, ...]:
    """Sides of the body the photo's left or right edge cuts off: the box reaches it and so does the torso."""
    torso_x = landmarks[list(PARTS["shoulders"] + PARTS["hips"]), 0]
    near = SIDE_EDGE * width
    cut = []
    if box.x0 <= 1 and torso_x.min() < near:
        cut.append("left side")
    if box.x1 >= width - 1 and torso_x.max() > width - near:
        cut.append("right side")
    return tuple(cut)


def _mask_box(mask: np.ndarray, bound: Box) -> Box:
    """Box of the mask's pixels (> 0.5) inside `bound`, clipped to the image; `bound` clipped when the mask is empty."""
    h, w = mask.shape
    x0, y0 = max(0, int(bound.x0)), max(0, int(bound.y0))
    x1, y1 = min(w, int(np.ceil(bound.x1))), min(h, int(np.ceil(bound.y1)))
    inside = mask[y0:y1, x0:x1] > 0.5
    if x1 <= x0 or y1 <= y0 or not inside.any():
        return Box(float(x0), float(y0), float(max(x1, x0 + 1)), float(max(y1, y0 + 1)))
    ys, xs = np.nonzero(inside)
    return Box(float(x0 + xs.min()), float(y0 + ys.min()), float(x0 + xs.max() + 1), float(y0 + ys.max() + 1))
