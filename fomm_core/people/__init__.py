"""People in photos and clips: the pose model behind one small interface (find, choose, mask, track, cuts)."""

from .clip import ClipPeople, Track, track_people
from .dancer import choose_dancer
from .model import fallback_note, pose_model
from .person import Person
from .photo import choose_person, find_people, missing_message
from .video import find_dancers

__all__ = [
    "ClipPeople",
    "Person",
    "Track",
    "choose_dancer",
    "choose_person",
    "fallback_note",
    "find_dancers",
    "find_people",
    "missing_message",
    "pose_model",
    "track_people",
]
