"""One id per dancer: the pieces of track the tracker left (a dancer lost and found again, every shot cut) joined.

A track is first cut where its colours change at once: in a crossing the landmark model can go over to the
other dancer, and the piece after it belongs with that dancer's pieces. A piece so cut that is joined to
nobody goes back to its own track while there are more dancers than the group's size.

Two pieces are one dancer's when they are never seen apart in the same frame (both there, their boxes
overlap: the dancer found twice) and look alike: their colours
(appearance.py) close, compared within one shot where both are seen in it (the same light); within a shot
the one must also begin near where the other ended, about as large. Within each shot the closest pair is
joined first, then the next, until no pair is close enough; while the shot holds more dancers than were ever
seen at once (the group), pieces fairly alike are joined too. Across a cut only the colours count (the camera
has moved), and each shot's dancers are paired with those before it all at once, at the least total distance:
colours across a cut are weak evidence, and joining the closest pair first lets one cheap wrong pair take a
dancer's own piece. Then, while there are more dancers than the group, pieces somewhat alike are joined too:
a piece never seen beside the group's members is one of them seen apart, most likely the one it looks most like.
"""

from __future__ import annotations

import math
from bisect import bisect_right
from collections import Counter
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

import numpy as np
from scipy.optimize import linear_sum_assignment

from ..geometry import Box
from .appearance import distance

if TYPE_CHECKING:
    from .clip import Track

JOIN = 0.45  # colour distance (plus the within-shot position and size terms) below which pieces are joined
JOIN_INTO_GROUP = 0.7  # ... and below which they are, while there are more dancers than the group's size
JOIN_IN_SHOT = 0.55  # ... and, within one shot holding more dancers than the group, below which they are
PLACE = 0.25  # weight of the gap between where a dancer was last seen and where they turn up
SIZE = 0.25  # weight of the change of size between the two
SWAP = 0.5  # colour change within a track above which it went over to another dancer
SWAP_WINDOW = 3  # looks compared on each side of a frame
TWICE = 0.3  # boxes of two pieces in one frame overlapping this much (IoU) may hold one dancer found twice


@dataclass
class _Dancer:
    """Pieces of track held to be one dancer: their frames, and their colours in each shot."""

    pieces: list[Track]
    boxes: dict[int, Box] = field(default_factory=dict)
    looks: dict[int, np.ndarray | None] = field(default_factory=dict)


def join_tracks(tracks: list[Track], cuts: list[int]) -> list[Track]:
    """The tracks with each dancer's pieces merged into the first piece (ids kept from it), in that order."""
    splits = [split_at_swaps(k, cuts) for k in tracks if k.boxes]
    dancers = [_dancer([piece], cuts) for parts in splits for piece in parts]
    group = group_size(tracks)
    dancers = [d for shot in range(len(cuts) + 1) for d in _join_within_shot(dancers, shot, group, cuts)]
    _join_across_cuts(dancers, cuts)
    _join_below(dancers, JOIN_INTO_GROUP, group, cuts)
    _rejoin_lone_pieces(dancers, splits, group, cuts)
    return [_merged(d.pieces) for d in dancers]


def _rejoin_lone_pieces(
    dancers: list[_Dancer], splits: list[list[Track]], down_to: int, cuts: list[int]
) -> None:
    """While there are more dancers than `down_to`, a piece cut off a track that was joined to nobody (the
    shortest first) goes back to the dancer holding the piece before it (or after it) on that track: the
    colour change was the dancer's own (a turn, a shadow)."""
    siblings = {id(piece): parts for parts in splits for piece in parts}
    lone_pieces = [d for d in dancers if len(d.pieces) == 1 and len(siblings[id(d.pieces[0])]) > 1]
    for piece in [d.pieces[0] for d in sorted(lone_pieces, key=lambda d: len(d.boxes))]:
        if len(dancers) <= down_to:
            return
        parts = siblings[id(piece)]
        at = next(i for i, part in enumerate(parts) if part is piece)
        neighbour = parts[at - 1] if at > 0 else parts[1]
        lone, home = (_holding(dancers, p) for p in (piece, neighbour))
        if len(dancers[lone].pieces) == 1:
            dancers[home] = _dancer(dancers[home].pieces + [piece], cuts)
            del dancers[lone]


def _holding(dancers: list[_Dancer], piece: Track) -> int:
    """Index of the dancer holding the piece."""
    return next(i for i, d in enumerate(dancers) if any(part is piece for part in d.pieces))


def split_at_swaps(track: Track, cuts: list[int]) -> list[Track]:
    """The track cut where its colours change at once (it went over to another dancer in a crossing): at each
    frame whose SWAP_WINDOW looks before and after, within one shot, are further apart than SWAP and than
    those at the frames next to it."""
    frames = sorted(track.boxes)
    change = [_change(track, frames, j, cuts) for j in range(len(frames))]
    starts = [
        frames[j]
        for j in range(1, len(frames))
        if change[j] > SWAP
        and change[j] >= change[j - 1]
        and change[j] >= change[min(j + 1, len(frames) - 1)]
    ]
    if not starts:
        return [track]
    bounds = [frames[0], *starts, frames[-1] + 1]
    return [_part(track, a, b) for a, b in zip(bounds, bounds[1:], strict=False)]


def _change(track: Track, frames: list[int], j: int, cuts: list[int]) -> float:
    """Colour distance between the SWAP_WINDOW looks before frames[j] and those from it on, in its shot (0
    at a cut or where either side has none)."""
    shot = _shot(frames[j], cuts)
    before = [track.looks[s] for s in frames[max(0, j - SWAP_WINDOW) : j] if s in track.looks]
    after = [track.looks[s] for s in frames[j : j + SWAP_WINDOW] if s in track.looks]
    if not before or not after or _shot(frames[max(0, j - SWAP_WINDOW)], cuts) != shot:
        return 0.0
    if _shot(frames[min(j + SWAP_WINDOW, len(frames)) - 1], cuts) != shot:
        return 0.0
    return distance(np.mean(before, axis=0).astype(np.float32), np.mean(after, axis=0).astype(np.float32))


def _part(track: Track, start: int, end: int) -> Track:
    """The track's frames from `start` up to `end` (excluded), as a piece of its own."""
    piece = replace(track)
    for name in ("boxes", "landmarks", "visibility", "depth", "looks"):
        setattr(piece, name, {t: v for t, v in getattr(track, name).items() if start <= t < end})
    piece.clear = {t for t in track.clear if start <= t < end}
    return piece


def group_size(tracks: list[Track]) -> int:
    """The most tracks seen in one frame."""
    seen = Counter(t for k in tracks for t in k.boxes)
    return max(seen.values(), default=0)


def _join_within_shot(dancers: list[_Dancer], shot: int, group: int, cuts: list[int]) -> list[_Dancer]:
    """The dancers first seen in the shot, its pieces joined: those alike, then while the shot holds more
    dancers than the group, those somewhat alike."""
    here = [d for d in dancers if min(d.looks) == shot]
    _join_below(here, JOIN, 0, cuts)
    _join_below(here, JOIN_IN_SHOT, group, cuts)
    return here


def _join_below(dancers: list[_Dancer], most: float, down_to: int, cuts: list[int]) -> None:
    """Join the closest pair of dancers while it costs less than `most` and there are more than `down_to`."""
    while len(dancers) > down_to:
        best, pair = most, None
        for i, a in enumerate(dancers):
            for j in range(i + 1, len(dancers)):
                cost = _cost(a, dancers[j], cuts)
                if cost < best:
                    best, pair = cost, (i, j)
        if pair is None:
            return
        i, j = pair
        dancers[i] = _dancer(dancers[i].pieces + dancers[j].pieces, cuts)
        del dancers[j]


def _join_across_cuts(dancers: list[_Dancer], cuts: list[int]) -> None:
    """Join the dancers first seen in each shot to those of the shots before it as one assignment of least
    total colour distance, pairs below JOIN only: one cheap wrong pair cannot take a dancer's partner away."""
    for shot in range(1, len(cuts) + 1):
        before = [d for d in dancers if max(d.looks) < shot]
        here = [d for d in dancers if min(d.looks) == shot]
        costs = np.array([[_cost(a, b, cuts) for b in here] for a in before]).reshape(len(before), len(here))
        # a pair at JOIN or more costs as much as leaving both apart
        rows, columns = linear_sum_assignment(np.minimum(costs, JOIN))
        for i, j in zip(rows, columns, strict=True):
            if costs[i, j] < JOIN:
                at = next(k for k, d in enumerate(dancers) if d is before[i])
                dancers[at] = _dancer(before[i].pieces + here[j].pieces, cuts)
                del dancers[next(k for k, d in enumerate(dancers) if d is here[j])]


def _shot(t: int, cuts: list[int]) -> int:
    return bisect_right(cuts, t)


def _dancer(pieces: list[Track], cuts: list[int]) -> _Dancer:
    """The pieces as one dancer, with their mean colours per shot (frames where nobody overlapped them, or
    every frame where that never happened)."""
    dancer = _Dancer(pieces, {t: b for k in reversed(pieces) for t, b in k.boxes.items()})
    by_shot: dict[int, tuple[list[np.ndarray], list[np.ndarray]]] = {}
    for piece in pieces:
        for t, look in piece.looks.items():
            clear, crowded = by_shot.setdefault(_shot(t, cuts), ([], []))
            (clear if t in piece.clear else crowded).append(look)
    for shot in {_shot(t, cuts) for t in dancer.boxes}:
        clear, crowded = by_shot.get(shot, ([], []))
        looks = clear or crowded
        dancer.looks[shot] = np.mean(looks, axis=0).astype(np.float32) if looks else None
    return dancer


def _cost(a: _Dancer, b: _Dancer, cuts: list[int]) -> float:
    """How unlike one dancer two are: infinite when seen apart in one frame, else their colours' distance (in
    a shot both are seen in, when there is one) plus, within a shot, how far and how differently sized the
    one turns up from where the other was."""
    if any(a.boxes[t].iou(b.boxes[t]) < TWICE for t in a.boxes.keys() & b.boxes.keys()):
        return math.inf
    shared = a.looks.keys() & b.looks.keys()
    if shared:
        colours = min(distance(a.looks[s], b.looks[s]) for s in shared)
        return colours + _jumps(a, b, cuts)
    return min(distance(x, y) for x in a.looks.values() for y in b.looks.values())


def _jumps(a: _Dancer, b: _Dancer, cuts: list[int]) -> float:
    """The largest place and size change where, within one shot, the one dancer's frames give way to the other's."""
    boxes = {**b.boxes, **a.boxes}
    owner = {t: t in a.boxes for t in boxes}
    frames = sorted(boxes)
    worst = 0.0
    for s, t in zip(frames, frames[1:], strict=False):
        if owner[s] == owner[t] or _shot(s, cuts) != _shot(t, cuts):
            continue
        before, after = boxes[s], boxes[t]
        height = max(before.height, 1.0)
        place = min(1.0, math.hypot(after.cx - before.cx, after.cy - before.cy) / height)
        size = min(1.0, abs(math.log(max(after.height, 1.0) / height)))
        worst = max(worst, PLACE * place + SIZE * size)
    return worst


def _merged(pieces: list[Track]) -> Track:
    """The first piece holding every piece's frames (its own box where two pieces have one)."""
    first = min(pieces, key=lambda k: (min(k.boxes), k.id))
    for name in ("boxes", "landmarks", "visibility", "depth", "looks"):
        joined = {}
        for piece in sorted(pieces, key=lambda k: k is first):
            joined.update(getattr(piece, name))
        setattr(first, name, dict(sorted(joined.items())))
    first.clear = set().union(*(piece.clear for piece in pieces))
    return first
