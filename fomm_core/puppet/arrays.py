"""The pose engine on frames already in memory (evaluation): a photo and a dance as arrays, no files."""

from __future__ import annotations

import numpy as np

from ..people.blazepose import BlazePose
from ..people.clip import choose_dancer, track_people
from ..people.photo import choose_person, find_people
from .dancer import follow_dancer
from .puppet import Puppet


def animate_arrays(photo: np.ndarray, driving: np.ndarray, fps: float, model: BlazePose) -> np.ndarray:
    """T×H×W×3 float32 in [0, 1]: the photo's person (H×W×3 in [0, 1]) posed as the dance's dancer
    (T×H'×W'×3) in every frame, over the whole photo; the photo itself wherever nobody is found."""
    image = _uint8(photo)
    dance = [_uint8(frame) for frame in driving]
    h, w = image.shape[:2]
    people = find_people(image, model)
    found = track_people(dance, fps, model)
    dancer = choose_dancer(found)
    person = people[choose_person(people, w, h)] if people else None
    if person is None or person.landmarks is None or dancer is None:
        return np.repeat(np.asarray(photo, np.float32)[None], len(driving), axis=0)
    puppet = Puppet.from_photo(image, person, canvas=(0, 0, w, h), size=(w, h))
    poses = follow_dancer(dance, found.track(dancer), model)
    frames = [frame.image for frame in puppet.animate(poses, fps)]
    return np.stack(frames).astype(np.float32) / 255.0


def _uint8(image: np.ndarray) -> np.ndarray:
    return np.clip(np.asarray(image, np.float32) * 255 + 0.5, 0, 255).astype(np.uint8)
