"""People in photos and clips: the pose model behind one small interface (find, choose, mask, track, cuts)."""

from .model import fallback_note, pose_model
from .person import Person
from .photo import choose_person, find_people, missing_message

__all__ = ["Person", "choose_person", "fallback_note", "find_people", "missing_message", "pose_model"]
