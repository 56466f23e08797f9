"""The replaced dancers found again after cuts where the people tracking gave them a new id.

The tracking knows a dancer again after a cut by their colours, but a new shot's framing and lights can change
those enough that it starts a new track. For each shot in which a replaced dancer has no box, the tracks that
first appear in that shot are candidates (a dancer also seen before the cut is someone else), and the one whose
colours are nearest the replaced dancer's, if near enough, is taken to be them in that shot: its boxes and
landmarks there move to the replaced dancer's track.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from ..people.appearance import distance
from ..people.clip import ClipPeople, Track

SAME_COLOURS = 0.6  # colour distance (Bhattacharyya, 0-1) under which a new track may be the dancer


def _shots(people: ClipPeople) -> list[range]:
    bounds = [0, *sorted(people.cuts), people.frame_count]
    return [range(a, b) for a, b in zip(bounds, bounds[1:], strict=False) if b > a]


def _moved(track: Track, frames: Sequence[int], into: Track) -> None:
    for t in frames:
        into.boxes[t] = track.boxes.pop(t)
        if t in track.landmarks:
            into.landmarks[t] = track.landmarks.pop(t)
            into.visibility[t] = track.visibility.pop(t)


def found_again(people: ClipPeople, dancers: Sequence[int], fps: float) -> tuple[ClipPeople, list[str]]:
    """The tracks with each replaced dancer followed into the shots where they had a new id, and notes."""
    tracks = {
        k.id: replace(k, boxes=dict(k.boxes), landmarks=dict(k.landmarks), visibility=dict(k.visibility))
        for k in people.tracks
    }
    notes = []
    for shot in _shots(people)[1:]:
        taken: set[int] = set()
        for d in dancers:
            if any(t in tracks[d].boxes for t in shot):
                continue
            new = [
                k
                for k in tracks.values()
                if k.id not in dancers
                and k.id not in taken
                and k.boxes
                and shot.start <= min(k.boxes) < shot.stop
            ]
            if not new:
                continue
            best = min(new, key=lambda k: distance(tracks[d].colours, k.colours))
            if distance(tracks[d].colours, best.colours) > SAME_COLOURS:
                continue
            taken.add(best.id)
            _moved(best, [t for t in list(best.boxes) if t in shot], tracks[d])
            notes.append(
                f"After the cut at {shot.start / fps:.2f} s, dancer {d} was found again by their colours "
                f"(tracked there as dancer {best.id})."
            )
    kept = [k for k in tracks.values() if k.boxes]
    return ClipPeople(kept, list(people.cuts), people.frame_count, people.width, people.height), notes
