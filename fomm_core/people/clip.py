"""Every dancer in a clip, tracked with stable ids through crossings and cuts; the shot cuts.

Each known dancer is followed by the landmark model alone (its answer says where to look in the next
frame, and it must still show a body); the detector runs only every few frames, at cuts and when someone
was lost, with the known dancers painted out, so a new or returning dancer is found. A dancer lost within a
shot who turns up again is known by their colours, where they were and their size, and keeps their id; a
track that goes over to the body of a dancer lost in that frame is lost instead, so that dancer keeps it; the
pieces left (and every shot's dancers) are then joined into one id per dancer (identities.py).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np

from ..geometry import Box
from .appearance import appearance, distance
from .blazepose import BlazePose, Pose, Roi
from .cuts import CutFinder
from .identities import join_tracks
from .person import Person, person_from_pose
from .photo import PRESENCE, confirmed, find_more

TRACK_FPS = 15.0  # dancers are followed at about this rate (and every frame after a cut) ...
CALM_FPS = 6.0  # ... and at about this one while every dancer is calm: moving less than CALM_SPEED
CALM_SPEED = 0.5  # body heights per second, of the box centre and of its height, since the last sighting
CALM_AFTER = 4  # a dancer seen fewer times than this is not known to be calm
LANDMARK_BUDGET = 90  # landmark-model runs per second of clip at most (9 dancers: every 3rd frame at 30 fps)
MAX_STEP = 5  # a box at least every 5th frame
DETECT_EVERY = 0.25  # seconds at most between two detector runs: a dancer coming in is found
SEARCH_AFTER_MISS = 1.0  # seconds: the detector runs at every followed frame this long after a dancer is lost
SAME_PERSON = 0.5  # share of one track's mask over another's above which the two hold the same person
KNOWN_AGAIN = 0.45  # appearance distance below which a found person is a lost dancer back
APPEARANCE_RATE = 0.2  # how fast a dancer's remembered colours follow what is seen while they stand clear
# A track seen fewer times than this, in at most this share of the clip's frames, is a false find (a poster, a
# shadow, a double of a dancer): dropped. A real dancer who stays is seen every few frames; one passing through
# a long clip still gets MIN_SIGHTINGS; in a short clip one sighting is 2% of 50 frames, still fleeting.
MIN_SIGHTINGS = 3
MIN_SHARE = 0.02
# A body is upright when its spine (hips to shoulders) points within 45° of straight up; a track upright in
# less than this share of its frames is no dancer (a word of a title read as a body lying down).
UPRIGHT_SHARE = 0.25


@dataclass
class Track:
    """One dancer: boxes (and landmarks) by frame index where they were followed, in the clip's frame pixels."""

    id: int
    boxes: dict[int, Box] = field(default_factory=dict)
    landmarks: dict[int, np.ndarray] = field(default_factory=dict)
    visibility: dict[int, np.ndarray] = field(default_factory=dict)
    depth: dict[int, np.ndarray] = field(default_factory=dict)  # 33 per frame, in pixels (smaller nearer)
    colours: np.ndarray | None = None
    looks: dict[int, np.ndarray] = field(default_factory=dict)  # colours by frame, where they were known
    clear: set[int] = field(default_factory=set)  # frames where nobody overlapped the dancer
    roi: Roi | None = None  # where to look next; None while lost
    last: Person | None = None
    seen: np.ndarray | None = None  # colours in the last frame followed

    @property
    def active(self) -> bool:
        return self.roi is not None

    def see(self, frame: int, person: Person, pose: Pose) -> None:
        """Record the dancer in `frame` (found in the landmark model's answer `pose`), and their colours there."""
        colours = appearance(pose)
        self.boxes[frame] = person.box
        self.landmarks[frame] = person.landmarks
        self.visibility[frame] = person.visibility
        self.depth[frame] = pose.depth
        self.roi, self.last, self.seen = pose.next_roi, person, colours
        if colours is not None:
            self.looks[frame] = colours
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
                depth={t: d * sx for t, d in k.depth.items()},
                colours=k.colours,
                looks=k.looks,
                clear=k.clear,
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
    detected = -math.inf
    lost_since_detect = True
    count, width, height, due = 0, 0, 0, 0
    for t, frame in enumerate(frames):
        count, (height, width) = t + 1, frame.shape[:2]
        cut = new_shot(frame)
        if cut:
            cuts.append(t)
            for track in tracks:  # a new shot: joined across the cut afterwards, by colours alone
                track.roi, track.last = None, None
        if t < due and not cut:
            continue
        before = {id(k): k.last for k in tracks if k.active}
        for track in tracks:
            if track.active and not _follow(landmarker, frame, t, track):
                lost_since_detect = True
        if _drop_takeovers(tracks, before, t, height, width):
            lost_since_detect = True
        if _drop_duplicates([k for k in tracks if k.active], t, height, width):
            lost_since_detect = True
        since = max(cuts[-1] if cuts else 0, t - fps * SEARCH_AFTER_MISS)
        for track in [k for k in tracks if not k.active and k.last is not None and max(k.boxes) >= since]:
            _look_again(landmarker, frame, t, track, tracks)
        missed = _recently_lost(tracks, t, cuts[-1] if cuts else 0, fps)
        if cut or lost_since_detect or missed or t - detected >= fps * DETECT_EVERY:
            _detect(landmarker, frame, t, tracks)
            lost_since_detect, detected = False, t
        _remember_clear(tracks, t)
        calm = not (cut or missed) and _calm(tracks, t, fps)
        due = t + tracking_step(fps, sum(k.active for k in tracks), calm)
    kept = [k for k in tracks if k.boxes and not _fleeting(k, count) and _stands(k)]
    return ClipPeople(
        tracks=lasting(join_tracks(kept, cuts), count),
        cuts=cuts,
        frame_count=count,
        width=width,
        height=height,
    )


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


def _stands(track: Track) -> bool:
    """Whether the track's body is upright in at least UPRIGHT_SHARE of its frames."""
    spines = np.array([p[[11, 12]].mean(0) - p[[23, 24]].mean(0) for p in track.landmarks.values()])
    if not len(spines):
        return True
    upright = (spines[:, 1] < 0) & (np.abs(spines[:, 0]) < -spines[:, 1])
    return bool(upright.mean() >= UPRIGHT_SHARE)


def tracking_step(fps: float, dancers: int, calm: bool = False) -> int:
    """Frames from one followed frame to the next: about TRACK_FPS (CALM_FPS while every dancer is calm),
    sparser for a crowd (the landmark model runs once per dancer, LANDMARK_BUDGET times per second of clip
    at most), never over MAX_STEP."""
    rate = CALM_FPS if calm else TRACK_FPS
    return max(1, min(MAX_STEP, max(round(fps / rate), math.ceil(fps * dancers / LANDMARK_BUDGET))))


def _calm(tracks: list[Track], t: int, fps: float) -> bool:
    """Whether every dancer followed at frame `t` was seen CALM_AFTER times at least, and moved and changed
    size by less than CALM_SPEED since seen before."""
    here = [k for k in tracks if k.active and t in k.boxes]
    for track in here:
        if len(track.boxes) < CALM_AFTER:
            return False
        s = max(s for s in track.boxes if s < t)
        a, b = track.boxes[s], track.boxes[t]
        height = max(a.height, 1.0)
        move = max(math.hypot(b.cx - a.cx, b.cy - a.cy), abs(b.height - a.height)) / height
        if move * fps / (t - s) >= CALM_SPEED:
            return False
    return bool(here)


def _follow(landmarker: BlazePose, frame: np.ndarray, t: int, track: Track) -> bool:
    pose = landmarker.landmarks(frame, track.roi)
    if pose.presence < PRESENCE:
        track.roi = None
        return False
    h, w = frame.shape[:2]
    person = person_from_pose(pose, track.last.score if track.last else 1.0, w, h)
    if not confirmed(person, [], h, w):  # a part of a body, or nobody: no box without a body
        track.roi = None
        return False
    track.see(t, person, pose)
    return True


def _look_again(landmarker: BlazePose, frame: np.ndarray, t: int, track: Track, tracks: list[Track]) -> None:
    """Look for a dancer lost moments ago where they were last found (a spin or a jump loses them for a few
    frames, and the detector needs a face): they are back when a body is there that looks like them and
    stands clear of the dancers followed."""
    pose = landmarker.landmarks(frame, track.last.roi)
    if pose.presence < PRESENCE:
        return
    h, w = frame.shape[:2]
    person = person_from_pose(pose, track.last.score, w, h)
    mask = person.mask(h, w) > 0.5
    followed = [k.last.mask(h, w) > 0.5 for k in tracks if k.active and t in k.boxes]
    if not confirmed(person, [], h, w) or any(_shared(mask, other) > SAME_PERSON for other in followed):
        return
    if distance(track.colours, appearance(pose)) < KNOWN_AGAIN:
        track.see(t, person, pose)


def _drop_duplicates(active: list[Track], t: int, height: int, width: int) -> bool:
    """When two tracks hold one person (a crossing: most of the one's mask lies on the other's), the one who
    looks less like themselves is lost."""
    dropped = False
    masks = {id(k): k.last.mask(height, width) > 0.5 for k in active}
    for i, a in enumerate(active):
        for b in active[i + 1 :]:
            if not (a.active and b.active) or _shared(masks[id(a)], masks[id(b)]) <= SAME_PERSON:
                continue
            _unsee(a if _self_distance(a) > _self_distance(b) else b, t)
            dropped = True
    return dropped


def _drop_takeovers(tracks: list[Track], before: dict[int, Person], t: int, height: int, width: int) -> bool:
    """A track whose body at frame `t` is more the one a dancer lost in this very frame held than its own
    body before went over to that dancer: it is lost here instead (and is looked for where it was), so the
    lost dancer can be found again on their own body."""
    lost = [before[id(k)].mask(height, width) > 0.5 for k in tracks if id(k) in before and not k.active]
    dropped = False
    for track in [k for k in tracks if k.active and t in k.boxes and id(k) in before]:
        now, was = track.last.mask(height, width) > 0.5, before[id(track)].mask(height, width) > 0.5
        own = _shared(now, was)
        # A lost track that held this track's own body was this dancer found twice.
        others = [other for other in lost if _shared(was, other) <= SAME_PERSON]
        if any(_shared(now, other) > max(SAME_PERSON, own) for other in others):
            _unsee(track, t)
            track.last = before[id(track)]
            dropped = True
    return dropped


def _unsee(track: Track, t: int) -> None:
    """Forget the dancer's sighting in frame `t`: they are lost there."""
    track.roi = None
    del track.boxes[t], track.landmarks[t], track.visibility[t], track.depth[t]
    track.looks.pop(t, None)


def _shared(a: np.ndarray, b: np.ndarray) -> float:
    """Share of the smaller of two masks lying on the other."""
    return float((a & b).sum()) / max(1, min(int(a.sum()), int(b.sum())))


def _self_distance(track: Track) -> float:
    return distance(track.colours, track.seen)


def _remember_clear(tracks: list[Track], t: int) -> None:
    here = [k for k in tracks if k.active and t in k.boxes]
    for track in here:
        if all(track.boxes[t].iou(other.boxes[t]) < 0.05 for other in here if other is not track):
            track.remember()
            track.clear.add(t)


def _detect(landmarker: BlazePose, frame: np.ndarray, t: int, tracks: list[Track]) -> None:
    """Run the detector past the followed dancers; a person found is a lost dancer back, or a new one."""
    known = [k.last for k in tracks if k.active and t in k.boxes]
    h, w = frame.shape[:2]
    for person in find_more(frame, landmarker, known, windows=False):
        pose = landmarker.landmarks(frame, person.roi)
        colours = appearance(pose)
        track = _returning(tracks, person, colours)
        if track is None:
            track = Track(id=len(tracks))
            tracks.append(track)
        track.see(t, person_from_pose(pose, person.score, w, h), pose)


def _returning(tracks: list[Track], person: Person, colours: np.ndarray | None) -> Track | None:
    """The dancer lost in this shot this person is: closest colours, not too far from where they were nor of
    another size."""
    best, best_cost = None, KNOWN_AGAIN
    for track in tracks:
        if track.active or track.last is None:
            continue
        last = track.last.box
        cost = distance(track.colours, colours)
        cost += 0.25 * min(1.0, np.hypot(person.box.cx - last.cx, person.box.cy - last.cy) / last.height)
        cost += 0.25 * min(1.0, abs(math.log(max(person.box.height, 1.0) / max(last.height, 1.0))))
        if cost < best_cost:
            best, best_cost = track, cost
    return best
