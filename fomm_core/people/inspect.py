"""What the pipeline finds before any animation: the people in the photo, the dancers and cuts in the clip.

`inspect_media` is what `python -m fomm_core inspect` prints and the app's preview shows. Boxes are in the
original media's pixels after rotation; clip frames are counted as decoded after trimming, at the clip's
own rate.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image

from ..geometry import Box
from ..io import load_photo, open_video
from .blazepose import BlazePose
from .choice import choose_person, nobody_whole, nobody_whole_message
from .clip import ClipPeople
from .dancer import choose_dancer
from .model import DEFAULT, LandmarkerChoice, chosen_landmarker, fallback_note
from .person import Person
from .photo import find_people
from .video import find_dancers

EXIF_ORIENTATION = 0x0112
TRANSPOSED = (5, 6, 7, 8)  # EXIF orientations that swap width and height
OWN_RATE = 1000.0  # a frame-rate cap no clip reaches: frames are read at the clip's own rate


@dataclass
class Inspection:
    """People found in a photo (and dancers in a clip), in the original media's pixels."""

    photo_size: tuple[int, int] | None  # None: no photo was inspected
    people: list[Person]
    person: int | None  # index of the person animated by default (None: nobody is, see the notes)
    clip: ClipPeople | None = None
    fps: float | None = None
    dancer: int | None = None  # id of the dancer followed by default
    notes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """The JSON form `inspect --json` writes."""
        out: dict[str, Any] = {}
        if self.photo_size is not None:
            out["photo"] = {
                "size": list(self.photo_size),
                "people": [
                    {"box": _coords(p.box), "score": round(p.score, 3), "full_body": p.full_body}
                    for p in self.people
                ],
                "chosen": self.person,
            }
        if self.clip is not None:
            out["clip"] = {
                "size": [self.clip.width, self.clip.height],
                "fps": self.fps,
                "frames": self.clip.frame_count,
                "dancers": [
                    {"id": k.id, "boxes": {str(t): _coords(b) for t, b in sorted(k.boxes.items())}}
                    for k in self.clip.tracks
                ],
                "chosen": self.dancer,
                "cuts": list(self.clip.cuts),
            }
        return out


def _coords(box: Box) -> list[float]:
    return [round(v, 1) for v in (box.x0, box.y0, box.x1, box.y1)]


def inspect_media(
    photo: str | os.PathLike | np.ndarray | None,
    clip: str | os.PathLike | None = None,
    trim_start: float = 0.0,
    trim_end: float | None = None,
    max_fps: float = OWN_RATE,
    max_duration: float | None = None,
    landmarker: LandmarkerChoice = DEFAULT,
) -> Inspection:
    """Find the people in the photo and the dancers, cuts and default dancer in the clip. Raises UserError for bad input.

    The clip is read as a render with the same `max_fps` and `max_duration` reads it (by default at its own
    rate, with no length limit), so dancer ids and frame numbers are the render's. `photo` None: the clip only.
    """
    landmarker = chosen_landmarker(landmarker)
    notes = [note] if (note := fallback_note(landmarker)) else []
    result = Inspection(None, [], None, notes=notes)
    if photo is not None:
        _inspect_photo(photo, landmarker, result)
    if clip is not None:
        info = open_video(
            clip, trim_start=trim_start, trim_end=trim_end, max_fps=max_fps, max_duration=max_duration
        )
        result.clip = find_dancers(info, landmarker)
        result.fps = info.fps
        result.dancer = choose_dancer(result.clip)
        if result.dancer is None:
            notes.append("No dancer was found in the clip: the whole frame will be used.")
        if result.clip.cuts:
            seconds = ", ".join(f"{t / info.fps:.2f} s" for t in result.clip.cuts)
            notes.append(
                f"The clip cuts to a new shot at {seconds}; the dancer is looked for again after each cut."
            )
    return result


def _inspect_photo(
    photo: str | os.PathLike | np.ndarray, landmarker: BlazePose | None, result: Inspection
) -> None:
    """Fill in the photo's size, people and default person."""
    image = load_photo(photo)
    width, height = _original_size(photo, image)
    sx, sy = width / image.shape[1], height / image.shape[0]
    result.photo_size = (width, height)
    result.people = [_scaled(p, sx, sy) for p in find_people(image, landmarker)]
    if not result.people:
        result.notes.append(
            "No person was found in the photo. Upload a photo in which one person is seen whole."
        )
    elif nobody_whole(result.people):
        result.notes.append(nobody_whole_message(result.people, "the photo"))
    else:
        result.person = choose_person(result.people, width, height)


def _original_size(photo: str | os.PathLike | np.ndarray, loaded: np.ndarray) -> tuple[int, int]:
    """The photo's upright size in its own pixels (the loaded copy may be downscaled)."""
    if isinstance(photo, (str, os.PathLike)):
        try:
            with Image.open(Path(photo)) as image:
                w, h = image.size
                if image.getexif().get(EXIF_ORIENTATION) in TRANSPOSED:
                    w, h = h, w
                return w, h
        except OSError:  # a format Pillow lacks (read through ffmpeg): the loaded size is the best known
            pass
    return loaded.shape[1], loaded.shape[0]


def _scaled(person: Person, sx: float, sy: float) -> Person:
    if sx == 1.0 and sy == 1.0:
        return person
    landmarks = None if person.landmarks is None else person.landmarks * (sx, sy)
    return Person(
        box=person.box.scaled(sx, sy),
        score=person.score,
        landmarks=landmarks,
        visibility=person.visibility,
        missing=person.missing,
    )
