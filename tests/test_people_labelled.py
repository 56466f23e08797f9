"""People finding on hand-labelled real media (tests/data/people): boxes, full-body flags, ids, mover, cuts."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from people_fixtures import real  # noqa: F401 - fixture

from fomm_core.data.real_media import real_media
from fomm_core.evaluate.real import real_videos
from fomm_core.geometry import Box
from fomm_core.io import load_photo, open_video, read_frames
from fomm_core.people import Person, choose_dancer, default_landmarker, find_dancers, find_people
from fomm_core.people.cuts import CutFinder
from fomm_core.people.person import hidden_by, missing_parts
from fomm_core.people.photo import confirmed
from fomm_core.people.scoring import clip_score, photo_score

LABELS = Path(__file__).parent / "data" / "people"
PHOTOS = json.loads((LABELS / "photos.json").read_text())
CLIPS = json.loads((LABELS / "pose2sim.json").read_text())
CUTS = json.loads((LABELS / "cuts.json").read_text())


@pytest.fixture(scope="module")
def model():
    found = default_landmarker()
    assert found is not None, "the pose model must load here (scripts/install_test_deps.sh fetches it)"
    return found


@pytest.mark.parametrize("name,recall", [("bus", 0.75), ("multi_face", 1.0)])
def test_photo_people_are_found_without_ghosts_and_flagged_right(name, recall, model):
    people = find_people(load_photo(real_media((name,))[name]), model)
    score, flags = photo_score(people, PHOTOS[name]["people"])
    assert score.precision == 1.0 and score.recall >= recall
    assert flags and all(labelled == found for labelled, found in flags)
    assert sum(p.full_body for p in people) == sum(p["full_body"] for p in PHOTOS[name]["people"])


def test_the_face_detector_sees_all_five_faces_in_the_group_photo():
    from fomm_core.people.model import face_model

    faces = face_model().detect(load_photo(real_media(("multi_face",))["multi_face"]))
    people = [Box(*p["box"]) for p in PHOTOS["multi_face"]["people"]]
    assert len(faces) == 5
    for _, face in faces:  # each face lies in the top of one labelled person's box
        assert sum(b.x0 <= face.cx <= b.x1 and b.y0 <= face.cy <= b.y0 + 0.4 * b.height for b in people) >= 1


def test_the_person_behind_two_others_is_found_by_their_face_and_only_on_their_own_mask(model):
    from fomm_core.people.model import face_model
    from fomm_core.people.photo import find_hidden

    image = load_photo(real_media(("multi_face",))["multi_face"])
    behind = Box(*PHOTOS["multi_face"]["people"][2]["box"])  # only face, hair and a strip of shirt show
    people = find_people(image, model)
    others = [p for p in people if p.box.iou(behind) < 0.5]
    assert len(others) == 4
    (found,) = find_hidden(image, model, face_model(), others)
    assert found.box.iou(behind) >= 0.5 and "feet" in found.missing
    h, w = image.shape[:2]
    mask, in_front = found.mask(h, w) > 0.5, np.max([p.mask(h, w) for p in others], axis=0) > 0.5
    assert mask.sum() > 10_000 and (mask & in_front).sum() < 0.05 * mask.sum()  # not over the people in front
    assert find_hidden(image, model, face_model(), people) == []  # every face holds a found person
    # someone (their nose in a corner) whose mask covers the whole photo: no part of the body is its own
    everywhere = Person(box=Box(0, 0, w, h), score=0.9, landmarks=np.zeros((33, 2)), visibility=np.ones(33))
    assert find_hidden(image, model, face_model(), [*others, everywhere]) == []


def test_the_two_person_clip_gives_one_id_per_person_and_follows_the_man_who_moves(real, model):  # noqa: F811
    labelled = CLIPS["multi_person/cam01"]
    found = find_dancers(open_video(real["multi_person"], max_fps=1000), model)
    score, ids = clip_score(found, labelled)
    assert len(found.tracks) == 2 and found.cuts == []
    assert score.precision == 1.0 and score.recall == 1.0
    assert all(len(i) == 1 for i in ids) and ids[0] != ids[1]
    assert ids[labelled["mover"]] == {choose_dancer(found)}


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(CLIPS))
def test_every_pose2sim_clip_has_as_many_tracks_as_people_and_its_mover_chosen(name, model):
    labelled = CLIPS[name]
    found = find_dancers(open_video(real_videos([name])[name], max_fps=1000), model)
    score, ids = clip_score(found, labelled)
    assert len(found.tracks) == len(labelled["people"]) and found.cuts == []
    assert score.precision >= 0.95 and score.recall >= 0.95
    assert all(len(i) == 1 for i in ids) and len(set().union(*ids)) == len(ids)
    assert ids[labelled["mover"]] == {choose_dancer(found)}


def test_the_cut_in_face_noface_is_found_at_its_frame_and_no_cut_in_the_pose2sim_clips():
    info = open_video(real_media(("face_noface",))["face_noface"])
    finder = CutFinder()
    assert [t for t, f in enumerate(read_frames(info, size=(320, 180))) if finder(f)] == CUTS["face_noface"][
        "cuts"
    ]
    for path in real_videos(sorted(CLIPS)).values():
        finder = CutFinder()
        assert not any(finder(f) for f in read_frames(open_video(path), size=(180, 320)))


def test_a_burst_of_body_motion_is_not_a_cut(real):  # noqa: F811
    frames = list(read_frames(open_video(real["single_person"]), size=(180, 320)))[:30]
    finder = CutFinder()
    for t, frame in enumerate(frames):
        if t % 6 == 3:  # the dancer's part of the picture turned over, colours inverted: a wild flip
            frame = frame.copy()
            frame[80:240, 40:140] = 255 - frame[80:240, 40:140][::-1]
        assert not finder(frame), t


def _person(box: Box) -> Person:
    """A person standing in `box` (no model mask: the box is their mask), shoulders to ankles inside it."""
    landmarks = np.tile([[box.cx, box.y0 + 0.5 * box.height]], (33, 1))
    landmarks[[11, 12]] = [[box.x0 + 2, box.y0 + 0.25 * box.height], [box.x1 - 2, box.y0 + 0.25 * box.height]]
    landmarks[[23, 24]] = [[box.cx - 2, box.y0 + 0.6 * box.height], [box.cx + 2, box.y0 + 0.6 * box.height]]
    landmarks[27:33] = [box.cx, box.y1 - 2]
    return Person(box=box, score=0.9, landmarks=landmarks, visibility=np.ones(33))


def test_only_bodies_the_landmark_model_confirms_are_kept():
    body = _person(Box(100, 50, 160, 250))
    assert confirmed(body, [], 300, 400)
    assert not confirmed(_person(Box(10, 0, 37, 6)), [], 300, 400)  # a speck at the top edge
    assert not confirmed(_person(Box(105, 50, 165, 250)), [body], 300, 400)  # lies over someone found
    hidden = _person(Box(100, 50, 160, 250))
    assert not confirmed(
        Person(box=hidden.box, score=0.9, landmarks=hidden.landmarks, visibility=np.zeros(33)), [], 300, 400
    )  # no shoulder seen


def test_feet_past_the_edge_or_behind_someone_are_not_a_full_body():
    in_picture = np.ones(33, bool)
    in_image = np.ones(33, bool)
    assert missing_parts(in_picture, in_image) == ()
    in_image[31] = False  # a toe past the bottom edge, however sure the model is
    assert missing_parts(in_picture, in_image) == ("feet",)
    sitting = _person(Box(100, 50, 160, 250))
    sitting.landmarks[27:33] = [175, 240]  # the model's guess of a hidden foot, off their own mask
    front = Person(box=Box(120, 200, 200, 300), score=0.9)  # someone standing in front of it
    assert hidden_by(sitting, [front], 300, 400).missing == ("feet",)
    assert hidden_by(sitting, [Person(box=Box(300, 0, 380, 300), score=0.9)], 300, 400).missing == ()


@pytest.mark.slow
def test_the_animated_title_after_the_cut_in_face_noface_is_no_dancer(model):
    found = find_dancers(open_video(real_media(("face_noface",))["face_noface"]), model)
    (cut,) = CUTS["face_noface"]["cuts"]
    assert found.cuts == [cut]
    assert found.tracks and all(max(k.boxes) < cut for k in found.tracks)  # only the man at the webcam


@pytest.mark.parametrize("seed,dancers", [(0, 5), (1, 7), (2, 6)])
def test_cuts_in_synthetic_group_clips_are_found_at_their_exact_frames(seed, dancers):
    from fomm_core.data import group_clip

    clip = group_clip(seed, n_dancers=dancers, size=(384, 216))  # moving camera and lights, jumps, spins
    finder = CutFinder()
    assert [t for t, frame in enumerate(clip.frames) if finder(frame)] == clip.cuts
