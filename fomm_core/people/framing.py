"""The render's framing from the people found: the photo's person and the followed dancer (or the user's picks).

Falls back to the background-difference heuristic (fomm_core.framing) when the pose model cannot run or
finds nobody (a drawing, a stick figure), and says so in the notes.
"""

from __future__ import annotations

import numpy as np

from ..errors import UserError
from ..framing import Box, ClipFraming, detect_person, follow_dancer, frame_clip
from ..io import VideoInfo
from .clip import choose_dancer
from .model import fallback_note, pose_model
from .photo import choose_person, find_people, missing_message
from .video import find_dancers


def frame_people(photo: np.ndarray, info: VideoInfo, person: int | None = None, dancer: int | None = None,
                 reference_index: int = 0, photo_box: Box | None = None, dance_box: Box | None = None,
                 ) -> tuple[ClipFraming, Box | None, list[str]]:
    """(crop path following the dancer, the photo's person box, notes for the user).

    `person`/`dancer` pick by inspect's numbering (None: chosen automatically); `photo_box`/`dance_box`
    (pixels) replace finding altogether. Raises UserError for a pick that does not exist.
    """
    model = pose_model()
    notes = [note] if (note := fallback_note()) else []
    if dance_box is not None:
        framing = frame_clip(info, reference_index=reference_index, box=dance_box)
    elif model is None:
        framing = frame_clip(info, reference_index=reference_index)
    else:
        framing = _follow(info, model, dancer, reference_index, notes)
    if photo_box is not None:
        return framing, photo_box, notes
    people = find_people(photo, model)
    if not people:
        if person not in (None, 0):
            raise UserError(f"There is no person {person} in the photo: nobody was found in it.")
        if model is not None:
            notes.append("The pose model found nobody in the photo, so a simple background-difference heuristic "
                         "looked for the person.")
        return framing, detect_person(photo), notes
    h, w = photo.shape[:2]
    if person is None:
        person = choose_person(people, w, h)
        if len(people) > 1:
            notes.append(f"{len(people)} people are in the photo; person {person} (the most complete, largest "
                         "and most central) is animated. Choose another with the person number.")
    elif not 0 <= person < len(people):
        raise UserError(f"There is no person {person} in the photo: {len(people)} were found, numbered 0 to "
                        f"{len(people) - 1}. See them with `python -m fomm_core inspect` or the app's preview.")
    if message := missing_message(people[person]):
        notes.append(message)
    return framing, people[person].box, notes


def _follow(info: VideoInfo, model, dancer: int | None, reference_index: int, notes: list[str]) -> ClipFraming:
    """The crop following the chosen dancer; the heuristic's when the pose model sees nobody."""
    found = find_dancers(info, model)
    ids = [k.id for k in found.tracks]
    if dancer is not None and dancer not in ids:
        listed = ", ".join(map(str, ids)) or "none"
        raise UserError(f"There is no dancer {dancer} in the clip; the dancers found are: {listed}. See them "
                        "with `python -m fomm_core inspect` or the app's preview.")
    if not ids:
        notes.append("The pose model found no dancer in the clip, so a simple background-difference heuristic "
                     "looked for one.")
        return frame_clip(info, reference_index=reference_index)
    chosen = choose_dancer(found) if dancer is None else dancer
    if dancer is None and len(ids) > 1:
        notes.append(f"{len(ids)} dancers are in the clip; dancer {chosen} (seen most, largest and most central) "
                     "is followed. Choose another with the dancer number.")
    if found.cuts:
        seconds = ", ".join(f"{t / info.fps:.2f} s" for t in found.cuts)
        notes.append(f"The clip cuts to a new shot at {seconds}: the dancer was looked for again by their "
                     "colours, and the crop jumps with the cut.")
    return follow_dancer(info, found.track(chosen).boxes, found.cuts, reference_index)
