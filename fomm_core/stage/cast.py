"""Who takes whose place: each photo's person, the dancer they replace, and the fans made from them.

Every dancer of the clip is tracked once. Photo i's person is `options.person_for(i)` (default: the most
complete, largest and most central); the dancer it replaces is `options.dancer_for(i)`, or by default the one who
moves most for a single photo, and for a group the dancers from the centre of the opening shot's formation
outwards (the ones asked for left out; a dancer first seen later is often one seen before under a new id).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from ..errors import UserError
from ..io import VideoInfo
from ..options import RenderOptions
from ..people.blazepose import BlazePose
from ..people.choice import pick_person
from ..people.clip import ClipPeople
from ..people.dancer import dancer_choice
from ..people.person import Person
from ..people.photo import find_people
from ..people.video import find_dancers
from .assign import assign_dancers, centre_out
from .clip import StageClip, cut_notes, stage_size
from .fan import Fan
from .learned import LearnedFan
from .shots import found_again


@dataclass
class Cast:
    """The clip's dancers, the photos, each photo's person and the dancer they replace, notes for the user."""

    people: ClipPeople
    photos: list[np.ndarray]
    persons: list[Person]
    dancers: list[int]
    notes: list[str] = field(default_factory=list)

    def clip(
        self,
        info: VideoInfo,
        landmarker: BlazePose,
        light: bool = True,
        plain: bool = False,
        fans: Sequence[LearnedFan] | None = None,
    ) -> StageClip:
        """The stage (or, `plain`, the plain backdrop) with every photo's person in their dancer's place: the
        pose engine's puppets, or the `fans` a learned engine generates."""
        size = stage_size(info)
        if fans is not None:
            return StageClip(info, self.people, fans, landmarker, size, light=light, plain=plain)
        scale = size[1] / self.people.height
        fans = []
        for photo, person, dancer in zip(self.photos, self.persons, self.dancers, strict=True):
            tallest = max(b.height for b in self.people.track(dancer).boxes.values()) * scale
            fans.append(Fan(photo, person, dancer, tallest, info.fps))
        return StageClip(info, self.people, fans, landmarker, size, light=light, plain=plain)


def cast(
    photos: Sequence[np.ndarray], info: VideoInfo, options: RenderOptions, landmarker: BlazePose | None
) -> Cast:
    """Find the people in the photos and the dancers in the clip, and pair them (UserError when they cannot be)."""
    if landmarker is None:
        raise UserError(
            "Taking a dancer's place needs the landmarker (the pose model), which could not be loaded here. "
            "Choose the photo scene with one photo."
        )
    notes: list[str] = []
    persons = [
        _person(photo, i, len(photos), options.person_for(i), landmarker, notes)
        for i, photo in enumerate(photos)
    ]
    people = find_dancers(info, landmarker)
    if not people.tracks:
        raise UserError(
            "No dancer was found in the clip, so nobody's place can be taken. Use a clip in which the dancers "
            "are seen whole."
        )
    dancers = _dancers(people, len(photos), options)
    people, again = found_again(people, dancers, info.fps)
    for i, dancer in enumerate(dancers):
        if not people.track(dancer).landmarks:
            raise UserError(f"Dancer {dancer} was found without body landmarks; choose another dancer.")
        who = "The photo's person" if len(photos) == 1 else f"Photo {i + 1}'s person"
        notes.append(f"{who} takes the place of dancer {dancer}.")
    if people.cuts:
        seconds = ", ".join(f"{t / info.fps:.2f} s" for t in people.cuts)
        notes.append(f"The clip cuts to a new shot at {seconds}: the dancers were looked for again there.")
    return Cast(people, list(photos), persons, dancers, notes + again + cut_notes(people, dancers, info.fps))


def _person(
    photo: np.ndarray, i: int, count: int, pick: int | None, landmarker: BlazePose, notes: list[str]
) -> Person:
    """Photo i's person to draw (`pick`, or the most complete, largest and most central)."""
    which = "the photo" if count == 1 else f"photo {i + 1}"
    people = [p for p in find_people(photo, landmarker) if p.landmarks is not None]
    if not people:
        raise UserError(
            f"Nobody was found in {which}. Upload a full-body photo of a person against a simple background."
        )
    h, w = photo.shape[:2]
    return pick_person(people, w, h, pick, which, "takes a dancer's place", notes)


def _dancers(people: ClipPeople, count: int, options: RenderOptions) -> list[int]:
    """The dancer each photo replaces: as asked, the rest by default (see the module doc)."""
    asked = [options.dancer_for(i) for i in range(count)]
    first = min(people.cuts, default=people.frame_count)  # the formation as the clip opens
    centres = {k.id: k.boxes[min(k.boxes, key=lambda t: abs(t - first // 2))].cx for k in people.tracks}
    if count == 1 and asked[0] is None:
        return [dancer_choice(people)[0]]
    if count > len(centres):
        return assign_dancers(count, centres, people.width)  # refuses: more photos than dancers
    opening = {k.id: centres[k.id] for k in people.tracks if min(k.boxes) < first}
    order = centre_out(opening, people.width) + centre_out(centres, people.width)
    free = iter([d for d in dict.fromkeys(order) if d not in asked])
    return assign_dancers(count, centres, people.width, [d if d is not None else next(free) for d in asked])
