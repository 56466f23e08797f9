"""Matching the photo to the dancer: the square of the photo in which its person stands like the dancer."""

from __future__ import annotations

import numpy as np

from ..geometry import Body, Box, Square
from .square_crop import crop_square, edge_colours


def photo_square(
    width: int, height: int, person_box: Box | None, reference: Box, bodies: tuple[Body, Body] | None = None
) -> Square:
    """The square of a width×height photo in which the person has the reference's height and position.

    `reference` is the dancer's box relative to its crop square; `person_box` the photo's person (None: the
    whole photo). `bodies` (the photo person's body in pixels, the dancer's relative to the square) match
    body heights instead of boxes, so raised arms or a jump in the reference frame do not shrink the person.
    """
    if person_box is None:
        return Square(width / 2, height / 2, float(max(width, height)))
    own, ref = bodies or (
        Body(person_box.cx, person_box.cy, person_box.height),
        Body(reference.cx, reference.cy, reference.height),
    )
    side = own.height / ref.height
    return Square(own.cx - (ref.cx - 0.5) * side, own.cy - (ref.cy - 0.5) * side, side)


def match_photo(
    photo: np.ndarray,
    person_box: Box | None,
    reference: Box,
    size: int,
    bodies: tuple[Body, Body] | None = None,
) -> np.ndarray:
    """The photo cropped/padded to size×size around `photo_square`; padding continues each edge's colour
    (wall above, floor below)."""
    h, w = photo.shape[:2]
    return crop_square(photo, photo_square(w, h, person_box, reference, bodies), size, edge_colours(photo))
