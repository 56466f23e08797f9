"""Every dancer in a clip, tracked with stable ids through crossings and cuts; the shot cuts; the default dancer.

Each known dancer is followed by the landmark model alone (its answer says where to look in the next
frame); the detector runs only every few frames, at cuts and when someone was lost, with the known
dancers painted out, so a new or returning dancer is found. A lost dancer who turns up again is known by
their colours (and, within a shot, by where they were), so they keep their id.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np

from ..geometry import Box
from .appearance import appearance, distance
from .blazepose import BlazePose, Roi
from .cuts import CutFinder
from .person import Person, person_from_pose
from .photo import PRESENCE, find_more

TRACK_FPS = 15.0  # dancers are followed at about this rate (and every frame after a cut)
LANDMARK_BUDGET = 90  # landmark-model runs per second of clip at most (9 dancers: every 3rd frame at 30 fps)
MAX_STEP = 5  # a box at least every 5th frame
DETECT_EVERY = 4  # tracked frames between two detector runs
SEARCH_AFTER_MISS = 1.0  # seconds: the detector runs at every followed frame this long after a dancer is lost
SAME_PERSON = 0.5  # box overlap (IoU) above which two tracks hold the same person
KNOWN_AGAIN = 0.45  # appearance distance below which a found person is a lost dancer back
APPEARANCE_RATE = 0.2  # how fast a dancer's remembered colours follow what is seen while they stand clear
# A track seen fewer times than this, in at most this share of the clip's frames, is a false find (a poster, a
# shadow, a double of a dancer): dropped. A real dancer who stays is seen every few frames; one passing through
# a long clip still gets MIN_SIGHTINGS; in a short clip one sighting is 2% of 50 frames, still fleeting.
MIN_SIGHTINGS = 3
MIN_SHARE = 0.02


@dataclass
class Track:
    """One dancer: boxes (and landmarks) by frame index where they were followed, in the clip's frame pixels."""

    id: int
    boxes: dict[int, Box] = field(default_factory=dict)
    landmarks: dict[int, np.ndarray] = field(default_factory=dict)
    visibility: dict[int, np.ndarray] = field(default_factory=dict)
    colours: np.ndarray | None = None
    roi: Roi | None = None  # where to look next; None while lost
    last: Person | None = None
    seen: np.ndarray | None = None  # colours in the last frame followed

    @property
    def active(self) -> bool:
        return self.roi is not None

    def see(self, frame: int, person: Person, colours: np.ndarray | None, next_roi: Roi) -> None:
        """Record the dancer in `frame`, and the colours they show there."""
        self.boxes[frame] = person.box
        self.landmarks[frame] = person.landmarks
        self.visibility[frame] = person.visibility
        self.roi, self.last, self.seen = next_roi, person, colours
        if self.colours is None:
            self.colours = colours

    def remember(self) -> None:
        """Let the remembered colours follow what is seen (only while nobody overlaps the dancer)."""
        if self.seen is not None and self.colours is not None:
            self.colours = ((1 - APPEARANCE_RATE) * self.colours + APPEARANCE_RATE * self.seen).astype(
                np.float32
            )


@dataclass
class ClipPeople:
    """What was found in a clip: tracks, cuts (first frame of each new shot), frames read and their size."""

    tracks: list[Track]
    cuts: list[int]
    frame_count: int
    width: int
    height: int

    def scaled(self, width: int, height: int) -> ClipPeople:
        """The same, in pixels of frames width×height (e.g. the clip's display size)."""
        sx, sy = width / self.width, height / self.height
        tracks = [
            Track(
                id=k.id,
                boxes={t: b.scaled(sx, sy) for t, b in k.boxes.items()},
                landmarks={t: p * (sx, sy) for t, p in k.landmarks.items()},
                visibility=k.visibility,
                colours=k.colours,
            )
            for k in self.tracks
        ]
        return ClipPeople(tracks, list(self.cuts), self.frame_count, width, height)

    def track(self, track_id: int) -> Track:
        """The track with this id (KeyError when there is none)."""
        for track in self.tracks:
            if track.id == track_id:
                return track
        raise KeyError(track_id)


def track_people(frames: Iterable[np.ndarray], fps: float, landmarker: BlazePose) -> ClipPeople:
    """Find and follow every person in a clip's RGB uint8 frames (all the same size) at `fps`."""
    tracks: list[Track] = []
    cuts: list[int] = []
    new_shot = CutFinder()
    followed = 0
    lost_since_detect = True
    count, width, height, due = 0, 0, 0, 0
    for t, frame in enumerate(frames):
        count, (height, width) = t + 1, frame.shape[:2]
        cut = new_shot(frame)
        if cut:
            cuts.append(t)
            for track in tracks:
                track.roi = None
        if t < due and not cut:
            continue
        for track in tracks:
            if track.active and not _follow(landmarker, frame, t, track):
                lost_since_detect = True
        if _drop_duplicates([k for k in tracks if k.active], t):
            lost_since_detect = True
        missed = _recently_lost(tracks, t, cuts[-1] if cuts else 0, fps)
        if cut or lost_since_detect or missed or followed % DETECT_EVERY == 0:
            _detect(landmarker, frame, t, tracks, cut)
            lost_since_detect = False
        _remember_clear(tracks, t)
        followed += 1
        due = t + tracking_step(fps, sum(k.active for k in tracks))
    return ClipPeople(tracks=lasting(tracks, count), cuts=cuts, frame_count=count, width=width, height=height)


def _recently_lost(tracks: list[Track], t: int, shot: int, fps: float) -> bool:
    """Whether a dancer of this shot was lost less than SEARCH_AFTER_MISS seconds ago (at frame `t`)."""
    since = t - fps * SEARCH_AFTER_MISS
    return any(not k.active and k.boxes and max(k.boxes) >= max(shot, since) for k in tracks)


def lasting(tracks: list[Track], frame_count: int) -> list[Track]:
    """The tracks that are not fleeting false finds, renumbered 0, 1, ... in the order they were first seen."""
    kept = [k for k in tracks if k.boxes and not _fleeting(k, frame_count)]
    for number, track in enumerate(kept):
        track.id = number
    return kept


def _fleeting(track: Track, frame_count: int) -> bool:
    return len(track.boxes) < MIN_SIGHTINGS and len(track.boxes) <= MIN_SHARE * frame_count


def tracking_step(fps: float, dancers: int) -> int:
    """Frames from one followed frame to the next: about TRACK_FPS, sparser for a crowd (the landmark model
    runs once per dancer, LANDMARK_BUDGET times per second of clip at most), never over MAX_STEP."""
    return max(1, min(MAX_STEP, max(round(fps / TRACK_FPS), math.ceil(fps * dancers / LANDMARK_BUDGET))))


def _follow(landmarker: BlazePose, frame: np.ndarray, t: int, track: Track) -> bool:
    pose = landmarker.landmarks(frame, track.roi)
    if pose.presence < PRESENCE:
        track.roi = None
        return False
    h, w = frame.shape[:2]
    person = person_from_pose(pose, track.last.score if track.last else 1.0, w, h)
    track.see(t, person, appearance(pose), pose.next_roi)
    return True


def _drop_duplicates(active: list[Track], t: int) -> bool:
    """When two tracks hold one person (a crossing), the one who looks less like themselves is lost."""
    dropped = False
    for i, a in enumerate(active):
        for b in active[i + 1 :]:
            if not (a.active and b.active) or a.boxes[t].iou(b.boxes[t]) <= SAME_PERSON:
                continue
            worse = a if _self_distance(a) > _self_distance(b) else b
            worse.roi = None
            del worse.boxes[t], worse.landmarks[t], worse.visibility[t]
            dropped = True
    return dropped


def _self_distance(track: Track) -> float:
    return distance(track.colours, track.seen)


def _remember_clear(tracks: list[Track], t: int) -> None:
    here = [k for k in tracks if k.active and t in k.boxes]
    for track in here:
        if all(track.boxes[t].iou(other.boxes[t]) < 0.05 for other in here if other is not track):
            track.remember()


def _detect(landmarker: BlazePose, frame: np.ndarray, t: int, tracks: list[Track], cut: bool) -> None:
    """Run the detector past the followed dancers; a person found is a lost dancer back, or a new one."""
    known = [k.last for k in tracks if k.active and t in k.boxes]
    h, w = frame.shape[:2]
    for person in find_more(frame, landmarker, known, windows=False):
        pose = landmarker.landmarks(frame, person.roi)
        colours = appearance(pose)
        track = _returning(tracks, person, colours, cut)
        if track is None:
            track = Track(id=len(tracks))
            tracks.append(track)
        track.see(t, person_from_pose(pose, person.score, w, h), colours, pose.next_roi)


def _returning(tracks: list[Track], person: Person, colours: np.ndarray | None, cut: bool) -> Track | None:
    """The lost dancer this person is: closest colours, and within a shot not too far from where they were
    nor of another size."""
    best, best_cost = None, KNOWN_AGAIN
    for track in tracks:
        if track.active or track.last is None:
            continue
        cost = distance(track.colours, colours)
        if not cut:  # within a shot a dancer comes back near where they were, about as large
            last = track.last.box
            cost += 0.25 * min(1.0, np.hypot(person.box.cx - last.cx, person.box.cy - last.cy) / last.height)
            cost += 0.25 * min(1.0, abs(math.log(max(person.box.height, 1.0) / max(last.height, 1.0))))
        if cost < best_cost:
            best, best_cost = track, cost
    return best
