"""The render's framing from the people found: the photo's person and the followed dancer (or the user's picks).

Falls back to the background-difference heuristic (fomm_core.framing.heuristic) when the landmarker cannot run or
finds nobody (a drawing, a stick figure), and says so in the notes.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np

from ..errors import UserError
from ..geometry import Box
from ..io import KeptFrames, VideoInfo
from ..motion import best_pose_frame
from ..people.blazepose import BlazePose
from ..people.body import body_of
from ..people.choice import pick_person
from ..people.clip import Track
from ..people.dancer import dancer_choice
from ..people.model import fallback_note
from ..people.person import Person
from ..people.photo import find_people
from ..people.video import find_dancers
from .crop_path import ClipFraming, follow_dancer, frame_clip
from .heuristic import detect_person


@dataclass
class PeopleFraming:
    """The crop path following the dancer, the photo's person, the best frame by pose, notes for the user."""

    framing: ClipFraming
    person_box: Box | None  # the photo's person (None: nobody found)
    best_frame: int | None = None  # the dancer's frame closest to the photo's pose (when asked for "auto")
    notes: list[str] = field(default_factory=list)
    chosen: Person | None = None  # the photo's person as the landmarker found them (landmarks, mask)
    track: Track | None = None  # the followed dancer as the landmarker tracked them


def frame_people(
    photo: np.ndarray,
    info: VideoInfo,
    landmarker: BlazePose | None,
    person_index: int | None = None,
    dancer: int | None = None,
    reference: int = 0,
    closest: bool = False,
    photo_box: Box | None = None,
    dance_box: Box | None = None,
    kept: KeptFrames | None = None,
) -> PeopleFraming:
    """Find the photo's person and the clip's dancer with `landmarker` (None: the heuristic) and frame them.

    `person_index`/`dancer` pick by inspect's numbering (None: chosen automatically); `photo_box`/`dance_box`
    (pixels) replace finding. The photo's person is matched to the dancer in frame `reference`, or with
    `closest` in the dancer's frame whose 33 landmarks, normalised for position and scale, are closest to the
    photo person's (`reference` when either has no landmarks). `kept` keeps the clip's frames the tracking
    reads (fomm_core.io.kept). Raises UserError for a pick that does not exist.
    """
    notes = [note] if (note := fallback_note(landmarker)) else []
    chosen = _photo_person(photo, landmarker, person_index, notes) if photo_box is None else None
    person_box = (
        photo_box
        if chosen is None and photo_box is not None
        else (chosen.box if chosen is not None else detect_person(photo))
    )
    start = reference
    if landmarker is None and dancer not in (None, 0):
        raise UserError(
            f"There is no dancer {dancer}: without the pose model only one dancer (0) can be found."
        )
    if dance_box is not None or landmarker is None:
        framing = frame_clip(info, reference_index=start, box=dance_box)
        return PeopleFraming(framing, person_box, None, notes, chosen)
    found = find_dancers(info, landmarker, kept)
    ids = [k.id for k in found.tracks]
    if dancer is not None and dancer not in ids:
        listed = ", ".join(map(str, ids)) or "none"
        raise UserError(
            f"There is no dancer {dancer} in the clip; the dancers found are: {listed}. See them "
            "with `python -m fomm_core inspect` or the app's preview."
        )
    if not ids:
        notes.append(
            "The pose model found no dancer in the clip, so a simple background-difference heuristic "
            "looked for one."
        )
        return PeopleFraming(frame_clip(info, reference_index=start), person_box, None, notes, chosen)
    followed, why = dancer_choice(found) if dancer is None else (dancer, "")
    if dancer is None and len(ids) > 1:
        notes.append(
            f"{len(ids)} dancers are in the clip; dancer {followed} ({why}) is followed. Choose another "
            "with the dancer number."
        )
    if found.cuts:
        seconds = ", ".join(f"{t / info.fps:.2f} s" for t in found.cuts)
        notes.append(
            f"The clip cuts to a new shot at {seconds}: the dancer was looked for again by their "
            "colours, and the crop jumps with the cut."
        )
    track = found.track(followed)
    best = None
    if closest and chosen is not None and chosen.landmarks is not None and track.landmarks:
        best = best_pose_frame(chosen.landmarks, track.landmarks)
        start = best
    framing = follow_dancer(info, track.boxes, found.cuts, start)
    return PeopleFraming(_with_body(framing, track, start), person_box, best, notes, chosen, track)


def _with_body(framing: ClipFraming, track: Track, reference: int) -> ClipFraming:
    """The framing with the dancer's body (head to ankles) in the reference frame, relative to its square."""
    if not track.landmarks:
        return framing
    nearest = min(track.landmarks, key=lambda k: abs(k - reference))
    body = body_of(track.landmarks[nearest])
    square = framing.square(nearest)
    return framing if body is None else replace(framing, body=body.relative_to(square))


def _photo_person(
    photo: np.ndarray, landmarker: BlazePose | None, person_index: int | None, notes: list[str]
) -> Person | None:
    """The person to animate (None: nobody found, the heuristic's box is used), notes added."""
    people = find_people(photo, landmarker)
    if not people:
        if person_index not in (None, 0):
            raise UserError(f"There is no person {person_index} in the photo: nobody was found in it.")
        if landmarker is not None:
            notes.append(
                "The pose model found nobody in the photo, so a simple background-difference heuristic "
                "looked for the person."
            )
        return None
    h, w = photo.shape[:2]
    return pick_person(people, w, h, person_index, "the photo", "is animated", notes)
