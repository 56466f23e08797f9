"""Whether the person can dance in their photo, and the source square that scene uses (matched by body height)."""

from __future__ import annotations

from ..framing.crop_path import ClipFraming
from ..framing.photo_match import photo_square
from ..geometry import Body, Box
from ..people.body import body_of
from ..people.person import Person
from .plan import ScenePlan

NO_MODEL = (
    "The pose model is not available, so the person's outline is unknown: they dance on a square crop of "
    "their photo (scene 'plain') instead of in the photo itself."
)
NO_OUTLINE = (
    "The person's outline in the photo is not known (the pose model did not find them, or their box was "
    "given by hand), so they dance on a square crop of their photo (scene 'plain') instead of in the "
    "photo itself."
)


def plan_scene(
    scene: str,
    photo_size: tuple[int, int],
    chosen: Person | None,
    person_box: Box,
    framing: ClipFraming,
    model_available: bool,
) -> tuple[ScenePlan | None, tuple[Body, Body] | None, list[str]]:
    """The scene plan (None: plain), the body heights the source square is matched by, and notes.

    "photo" needs the pose model's person (landmarks and mask); without it the plain scene is used, with a
    note. The photo person's body (head to ankles) is matched to the dancer's in the reference frame when
    both are known, so the dancer's motion moves the person in proportion to their height.
    """
    if scene != "photo":
        return None, None, []
    if chosen is None or chosen.landmarks is None or chosen.roi is None:
        return None, None, [NO_OUTLINE if model_available else NO_MODEL]
    own = body_of(chosen.landmarks)
    bodies = (own, framing.body) if own is not None and framing.body is not None else None
    width, height = photo_size
    square = photo_square(width, height, person_box, framing.reference, bodies)
    return ScenePlan(square, chosen), bodies, []
