"""One id per dancer: pieces of track joined by colours, place and size; never two people seen at once."""

from __future__ import annotations

import numpy as np

from fomm_core.geometry import Box
from fomm_core.people.clip import ClipPeople, Track
from fomm_core.people.identities import group_size, join_tracks
from fomm_core.people.scoring import bodies_seen, identities


def _look(colour: int) -> np.ndarray:
    """A histogram with most of its weight in bin `colour` (of 48) and a little everywhere."""
    hist = np.full((12, 4), 0.02, np.float32)
    hist.flat[colour] = 1.0
    return hist / np.linalg.norm(hist)


def _piece(number: int, frames: range, x: float, colour: int, height: float = 100.0) -> Track:
    boxes = {t: Box(x, 10, x + height / 3, 10 + height) for t in frames}
    return Track(
        id=number,
        boxes=boxes,
        landmarks={t: np.zeros((33, 2)) for t in frames},
        visibility={t: np.ones(33) for t in frames},
        looks={t: _look(colour) for t in frames},
        clear=set(frames),
    )


def _frames(tracks: list[Track]) -> list[list[int]]:
    return [sorted(k.boxes) for k in tracks]


def test_a_dancer_lost_and_found_in_one_shot_is_one_track():
    a, b = _piece(0, range(0, 20, 2), 50, 3), _piece(1, range(0, 40, 2), 200, 20)
    back = _piece(2, range(26, 40, 2), 55, 3)  # near where the first was, as large, same colours
    joined = join_tracks([a, b, back], cuts=[])
    assert _frames(joined) == [list(range(0, 20, 2)) + list(range(26, 40, 2)), list(range(0, 40, 2))]
    assert [k.id for k in joined] == [0, 1]


def test_two_people_seen_at_once_are_never_joined_however_alike():
    a, b = _piece(0, range(0, 20, 2), 50, 3), _piece(1, range(10, 30, 2), 200, 3)
    assert len(join_tracks([a, b], cuts=[])) == 2


def test_a_dancer_found_twice_in_a_frame_is_still_one():
    a, b = (
        _piece(0, range(0, 12, 2), 50, 3),
        _piece(1, range(10, 30, 2), 52, 3),
    )  # frame 10: both, overlapping
    (joined,) = join_tracks([a, b], cuts=[])
    assert (
        sorted(joined.boxes) == list(range(0, 30, 2)) and joined.boxes[10].x0 == 50
    )  # the first piece's box


def test_within_a_shot_a_far_jump_or_another_size_is_someone_else():
    a, c = _piece(0, range(0, 20, 2), 50, 3), _piece(2, range(0, 40, 2), 150, 30)
    far = _piece(1, range(26, 40, 2), 320, 4)  # colours a little off, and across the stage
    assert len(join_tracks([a, far, c], cuts=[])) == 3
    near = _piece(1, range(26, 40, 2), 55, 4)
    assert len(join_tracks([a, near, c], cuts=[])) == 2


def test_across_a_cut_dancers_are_joined_by_their_colours_alone():
    cut = 30
    before = [_piece(0, range(0, 30, 2), 50, 3), _piece(1, range(0, 30, 2), 200, 20)]
    after = [
        _piece(2, range(30, 60, 2), 10, 20, 200),
        _piece(3, range(30, 60, 2), 260, 3, 200),
    ]  # swapped places
    joined = join_tracks(before + after, cuts=[cut])
    assert len(joined) == 2
    first, second = joined
    assert first.boxes[40].x0 == 260 and second.boxes[40].x0 == 10


def test_the_group_is_the_most_dancers_seen_at_once():
    pieces = [_piece(0, range(0, 10), 0, 1), _piece(1, range(5, 20), 50, 2), _piece(2, range(8, 9), 90, 3)]
    assert group_size(pieces) == 3 and group_size([]) == 0


def test_identities_score_each_track_box_against_the_dancers_of_its_frame():
    truth = np.full((2, 2, 4), np.nan, np.float32)
    truth[:, 0] = [0, 0, 10, 30]
    truth[:, 1] = [50, 0, 60, 30]
    seen = truth.copy()
    seen[1, 1] = np.nan  # hidden in frame 1
    one = Track(id=0, boxes={0: Box(0, 0, 10, 30), 1: Box(1, 0, 11, 30)})
    other = Track(id=1, boxes={0: Box(50, 0, 60, 30), 1: Box(100, 0, 110, 30)})  # on nobody in frame 1
    found = ClipPeople([one, other], [], 2, 120, 40)
    score = identities(found, truth, seen, least=0.5)
    assert score.on == {0: {0: 2}, 1: {1: 1}} and score.stray == {0: 0, 1: 1}
    assert score.owner(0) == 0 and not score.one_to_one(2)
    other.boxes[1] = Box(50, 1, 60, 30)
    assert identities(found, truth, seen, least=0.5).one_to_one(2)
    other.boxes[1] = Box(0, 0, 10, 30)  # on the first dancer: a switch
    assert not identities(found, truth, seen, least=0.5).one_to_one(2)


def _torso(x0: float, x1: float) -> np.ndarray:
    """33 landmarks whose shoulders stand at y 10 and hips at y 30, between x0 and x1."""
    points = np.zeros((33, 2))
    points[[11, 23], 0], points[[12, 24], 0] = x0, x1
    points[[11, 12], 1], points[[23, 24], 1] = 10, 30
    return points


def test_a_track_box_belongs_to_the_dancer_seen_under_its_torso():
    labels = np.zeros((2, 40, 60), np.uint8)
    labels[:, :, 10:30] = 1  # dancer 0, behind
    labels[:, :, 20:40] = 2  # dancer 1 in front, hiding half of dancer 0
    labels[1, :, 10:20] = 2  # in frame 1 dancer 1 hides dancer 0 whole
    behind = Track(id=0, boxes={0: Box(10, 0, 30, 40), 1: Box(10, 0, 30, 40)})
    behind.landmarks = {0: _torso(11, 19), 1: _torso(11, 19)}
    front = Track(id=1, boxes={0: Box(20, 0, 40, 40)}, landmarks={0: _torso(22, 38)})
    nobody = Track(id=2, boxes={0: Box(45, 0, 55, 40)}, landmarks={0: _torso(45, 55)})
    score = bodies_seen(ClipPeople([behind, front, nobody], [], 2, 60, 40), labels)
    assert score.on == {0: {0: 1, 1: 1}, 1: {1: 1}, 2: {}} and score.stray == {0: 0, 1: 0, 2: 1}
