"""The dancer to follow by default: the one who dances most (landmark motion over the clip, for their size)."""

from __future__ import annotations

import numpy as np

from .clip import ClipPeople, Track
from .person import FACE  # seen when the dancer faces the camera

TIE = 0.2  # dancers moving within this share of the most moving one are tied, then compared by the rest
GAP = 10  # frames: landmarks further apart than this (a dancer lost meanwhile) are not compared


def motion(track: Track, cuts: list[int], frame_count: int) -> float:
    """Mean landmark travel per frame of the clip, in torso lengths (a still or unseen frame adds nothing)."""
    frames = sorted(track.landmarks)
    travel = 0.0
    for a, b in zip(frames, frames[1:], strict=False):
        if b - a > GAP or any(a < cut <= b for cut in cuts):
            continue
        before, after = track.landmarks[a], track.landmarks[b]
        travel += float(np.linalg.norm(after - before, axis=1).mean()) / _torso(before)
    return travel / max(1, frame_count)


def _torso(landmarks: np.ndarray) -> float:
    """Shoulders' middle to hips' middle, in pixels (never under 1): the body's size, whatever the limbs do."""
    return max(1.0, float(np.linalg.norm(landmarks[[11, 12]].mean(0) - landmarks[[23, 24]].mean(0))))


def _tie_break(track: Track, width: float) -> tuple[float, float, float]:
    """Facing the camera (face landmarks seen), visibility, centrality: each a mean over the track, rounded
    so that a much smaller difference in one does not hide the next."""
    seen = list(track.visibility.values())
    facing = float(np.mean([v[list(FACE)].mean() for v in seen])) if seen else 0.0
    visible = float(np.mean([v.mean() for v in seen])) if seen else 0.0
    central = float(np.mean([1 - abs(b.cx - width / 2) / (width / 2) for b in track.boxes.values()]))
    return round(facing, 1), round(visible, 1), central


def choose_dancer(people: ClipPeople) -> int | None:
    """Id of the dancer to follow: the one who moves most; among those moving about as much, the one facing
    the camera most, then the most visible, then the most central. None when nobody was found."""
    return dancer_choice(people)[0]


def dancer_choice(people: ClipPeople) -> tuple[int | None, str]:
    """The dancer to follow (as `choose_dancer`) and why, for the note ("moves most")."""
    if not people.tracks:
        return None, ""
    moves = {k.id: motion(k, people.cuts, people.frame_count) for k in people.tracks}
    most = max(moves.values())
    tied = [k for k in people.tracks if moves[k.id] >= (1 - TIE) * most]
    best = max(tied, key=lambda k: (_tie_break(k, people.width), moves[k.id]))
    if len(tied) == 1 or best.id == max(moves, key=moves.get):
        return best.id, "moves most"
    return best.id, "moves about as much as the others and faces the camera most"
