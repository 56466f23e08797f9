"""People found scored against labels: precision and recall at IoU ≥ 0.5, full-body labels, track identity
(hand labels of real media; every frame's truth of synthetic group clips, by box and by the pixels seen)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..geometry import Box
from .clip import ClipPeople
from .person import Person

MATCH_IOU = 0.5


@dataclass(frozen=True)
class Score:
    """Matches of found boxes to labelled ones (each used once, best overlap first)."""

    found: int
    labelled: int
    matched: int

    @property
    def precision(self) -> float:
        return self.matched / self.found if self.found else 1.0

    @property
    def recall(self) -> float:
        return self.matched / self.labelled if self.labelled else 1.0

    def __add__(self, other: Score) -> Score:
        return Score(self.found + other.found, self.labelled + other.labelled, self.matched + other.matched)


def match(found: list[Box], labelled: list[Box]) -> dict[int, int]:
    """Labelled index -> found index, greedily by overlap, pairs with IoU ≥ MATCH_IOU only."""
    pairs = sorted(
        ((found[i].iou(labelled[j]), j, i) for i in range(len(found)) for j in range(len(labelled))),
        reverse=True,
    )
    out: dict[int, int] = {}
    used: set[int] = set()
    for iou, j, i in pairs:
        if iou >= MATCH_IOU and j not in out and i not in used:
            out[j] = i
            used.add(i)
    return out


def _box(coords: list[float]) -> Box:
    return Box(*(float(v) for v in coords))


def photo_score(people: list[Person], labelled: list[dict]) -> tuple[Score, list[tuple[bool, bool]]]:
    """The score of the people found in a photo, and (labelled, found) full-body flags of each match."""
    pairs = match([p.box for p in people], [_box(p["box"]) for p in labelled])
    flags = [(labelled[j]["full_body"], people[i].full_body) for j, i in sorted(pairs.items())]
    return Score(len(people), len(labelled), len(pairs)), flags


def _box_near(track_boxes: dict[int, Box], frame: int, reach: int) -> Box | None:
    near = [t for t in track_boxes if abs(t - frame) <= reach]
    return track_boxes[min(near, key=lambda t: abs(t - frame))] if near else None


def clip_score(found: ClipPeople, labelled: dict, reach: int = 2) -> tuple[Score, list[set[int]]]:
    """The score over the labelled frames (each track's box within `reach` frames counts), and for each
    labelled person the set of track ids matched to them."""
    score = Score(0, 0, 0)
    ids: list[set[int]] = [set() for _ in labelled["people"]]
    frames = sorted({int(t) for person in labelled["people"] for t in person})
    for frame in frames:
        tracks = [(k.id, b) for k in found.tracks if (b := _box_near(k.boxes, frame, reach)) is not None]
        people = [(j, _box(p[str(frame)])) for j, p in enumerate(labelled["people"]) if str(frame) in p]
        pairs = match([b for _, b in tracks], [b for _, b in people])
        score = score + Score(len(tracks), len(people), len(pairs))
        for j, i in pairs.items():
            ids[people[j][0]].add(tracks[i][0])
    return score, ids


@dataclass(frozen=True)
class Identities:
    """Track boxes against dancers known frame by frame: per track id, how many of its boxes lie on each
    dancer, and how many on nobody (`stray`)."""

    on: dict[int, dict[int, int]]
    stray: dict[int, int]

    def owner(self, track_id: int) -> int | None:
        """The dancer most of the track's boxes lie on (None: none does)."""
        hits = self.on[track_id]
        return max(hits, key=hits.get) if hits else None

    def one_to_one(self, dancers: int) -> bool:
        """Exactly one track per dancer, and every box of each track on its own dancer."""
        owners = [self.owner(k) for k in self.on]
        return (
            sorted(o for o in owners if o is not None) == list(range(dancers))
            and all(len(hits) == 1 for hits in self.on.values())
            and not any(self.stray.values())
        )


def identities(found: ClipPeople, boxes: np.ndarray, seen_boxes: np.ndarray, least: float) -> Identities:
    """Each track box given to the dancer whose box (T×N×4 x0, y0, x1, y1, NaN where out of the picture), or
    the part of it seen (`seen_boxes`), overlaps it most, when by IoU ≥ `least`; in `found`'s pixels."""
    on: dict[int, dict[int, int]] = {}
    stray: dict[int, int] = {}
    for track in found.tracks:
        hits: dict[int, int] = {}
        stray[track.id] = 0
        for t, box in track.boxes.items():
            overlaps = [
                (max(box.iou(_box(whole)), 0.0 if np.isnan(part[0]) else box.iou(_box(part))), i)
                for i, (whole, part) in enumerate(zip(boxes[t], seen_boxes[t], strict=True))
                if not np.isnan(whole[0])
            ]
            best, dancer = max(overlaps, default=(0.0, -1))
            if best >= least:
                hits[dancer] = hits.get(dancer, 0) + 1
            else:
                stray[track.id] += 1
        on[track.id] = hits
    return Identities(on, stray)


TORSO = (11, 12, 24, 23)  # left and right shoulder, right and left hip: the body part every track keeps
TORSO_GRID = 5  # points sampled across the torso, per side


def torso_points(landmarks: np.ndarray) -> np.ndarray:
    """TORSO_GRID² points (x, y) spread over the torso quadrilateral of 33 landmarks, inside its edges."""
    left_shoulder, right_shoulder, right_hip, left_hip = landmarks[list(TORSO), :2]
    u = np.linspace(0.1, 0.9, TORSO_GRID)[:, None]
    top = left_shoulder + u * (right_shoulder - left_shoulder)
    bottom = left_hip + u * (right_hip - left_hip)
    return (top[:, None] + u[None] * (bottom - top)[:, None]).reshape(-1, 2)


def dancer_seen(landmarks: np.ndarray, labels: np.ndarray) -> int | None:
    """The dancer most of the body's `torso_points` fall on in one frame's label map (H×W: dancer id + 1
    where that dancer is seen, 0 for nobody); None when they all fall on nobody."""
    height, width = labels.shape
    xy = np.round(torso_points(landmarks)).astype(int)
    inside = (xy[:, 0] >= 0) & (xy[:, 0] < width) & (xy[:, 1] >= 0) & (xy[:, 1] < height)
    seen = labels[xy[inside, 1], xy[inside, 0]]
    counts = np.bincount(seen[seen > 0], minlength=1)
    return int(counts.argmax()) - 1 if counts.any() else None


def bodies_seen(found: ClipPeople, labels: np.ndarray) -> Identities:
    """Each track box given to the dancer seen under the track's torso in that frame (`dancer_seen`, label
    maps T×H×W in `found`'s pixels); a box whose torso falls on nobody is stray."""
    on: dict[int, dict[int, int]] = {}
    stray: dict[int, int] = {}
    for track in found.tracks:
        hits: dict[int, int] = {}
        stray[track.id] = 0
        for t in track.boxes:
            dancer = dancer_seen(track.landmarks[t], labels[t])
            if dancer is None:
                stray[track.id] += 1
            else:
                hits[dancer] = hits.get(dancer, 0) + 1
        on[track.id] = hits
    return Identities(on, stray)
