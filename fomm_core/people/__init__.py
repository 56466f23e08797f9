"""People in photos and clips: the landmarker behind one small interface (find, choose, mask, track, cuts)."""

from .choice import choose_person, missing_message
from .clip import ClipPeople, Track, track_people
from .dancer import choose_dancer
from .model import DEFAULT, chosen_landmarker, default_landmarker, fallback_note
from .person import Person
from .photo import find_people
from .video import find_dancers

__all__ = [
    "DEFAULT",
    "ClipPeople",
    "Person",
    "Track",
    "choose_dancer",
    "choose_person",
    "chosen_landmarker",
    "default_landmarker",
    "fallback_note",
    "find_dancers",
    "find_people",
    "missing_message",
    "track_people",
]
