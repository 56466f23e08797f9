"""The pose engine on frames already in memory (evaluation): a photo and a dance as arrays, no files."""

from __future__ import annotations

import numpy as np

from ..people.blazepose import BlazePose
from ..people.clip import track_people
from ..people.dancer import choose_dancer
from ..people.photo import find_people
from .dancer import dancer_poses
from .puppet import Puppet


def animate_arrays(photo: np.ndarray, driving: np.ndarray, fps: float, landmarker: BlazePose) -> np.ndarray:
    """T×H×W×3 float32 in [0, 1]: the photo's person (H×W×3 in [0, 1]) posed as the dance's dancer
    (T×H'×W'×3) in every frame, over the whole photo; the photo itself wherever nobody is found.

    The person is the one standing nearest where the dancer is first seen (relative to the picture): in
    self-reconstruction, where the photo is the dance's first frame, that is the dancer themself."""
    image = _uint8(photo)
    dance = [_uint8(frame) for frame in driving]
    h, w = image.shape[:2]
    people = find_people(image, landmarker)
    found = track_people(dance, fps, landmarker)
    dancer = choose_dancer(found)
    if not people or dancer is None:
        return np.repeat(np.asarray(photo, np.float32)[None], len(driving), axis=0)
    track = found.track(dancer)
    first = track.boxes[min(track.boxes)]
    dh, dw = dance[0].shape[:2]
    centre = np.array([(first.x0 + first.x1) / 2 / dw, (first.y0 + first.y1) / 2 / dh])

    def distance(i: int) -> float:
        b = people[i].box
        return float(np.hypot(*(np.array([(b.x0 + b.x1) / 2 / w, (b.y0 + b.y1) / 2 / h]) - centre)))

    person = people[min(range(len(people)), key=distance)]
    if person.landmarks is None:
        return np.repeat(np.asarray(photo, np.float32)[None], len(driving), axis=0)
    puppet = Puppet.from_photo(image, person, canvas=(0, 0, w, h), size=(w, h))
    poses = dancer_poses(dance, track, landmarker)
    frames = [frame.image for frame in puppet.animate(poses, fps)]
    return np.stack(frames).astype(np.float32) / 255.0


def _uint8(image: np.ndarray) -> np.ndarray:
    return np.clip(np.asarray(image, np.float32) * 255 + 0.5, 0, 255).astype(np.uint8)
