"""Finding and choosing people in a real street photo with the pose model."""

from __future__ import annotations

import numpy as np
import pytest
from people_fixtures import real  # noqa: F401 - fixture

from fomm_core.errors import UserError
from fomm_core.geometry import Box
from fomm_core.io import load_photo
from fomm_core.people import Person, choose_person, default_landmarker, find_people, missing_message
from fomm_core.people.choice import pick_person
from fomm_core.people.person import PARTS


@pytest.fixture(scope="module")
def bus(real):  # noqa: F811
    return load_photo(real["bus"])


@pytest.fixture(scope="module")
def bus_people(bus):
    model = default_landmarker()
    assert model is not None, "the pose model must load here (scripts/install_test_deps.sh fetches it)"
    return find_people(bus, model)


def test_bus_finds_both_full_body_men_where_they_stand(bus_people):
    full = sorted((p for p in bus_people if p.full_body), key=lambda p: p.box.x0)
    assert len(full) == 2
    left = full[0].box
    assert abs(left.x0 - 52) < 25 and abs(left.x1 - 245) < 25
    assert abs(left.y0 - 394) < 25 and abs(left.y1 - 901) < 25
    assert full[1].box.x0 > left.cx  # the second man stands right of the first one's middle


def test_bus_person_cut_by_the_right_edge_is_found_and_partial(bus, bus_people):
    width = bus.shape[1]
    right = [p for p in bus_people if p.box.x1 >= width - 1 and p.box.cx > 0.75 * width]
    assert len(right) == 1
    assert not right[0].full_body and "right side" in right[0].missing
    assert right[0].box.height > 0.3 * bus.shape[0]  # the walking man's body, not a scrap of him


def test_bus_landmarks_lie_on_the_person(bus_people):
    for person in (p for p in bus_people if p.full_body):
        b = person.box
        inside = (
            (person.landmarks[:, 0] >= b.x0 - 5)
            & (person.landmarks[:, 0] <= b.x1 + 5)
            & (person.landmarks[:, 1] >= b.y0 - 5)
            & (person.landmarks[:, 1] <= b.y1 + 5)
        )
        assert inside.mean() > 0.9
        nose, ankles = person.landmarks[0], person.landmarks[[27, 28]]
        assert nose[1] < ankles[:, 1].min()  # upright: head above feet


def test_bus_mask_covers_the_person_and_little_else(bus, bus_people):
    h, w = bus.shape[:2]
    for person in (p for p in bus_people if p.full_body):
        mask = person.mask(h, w) > 0.5
        b = person.box
        in_box = mask[int(b.y0) : int(b.y1), int(b.x0) : int(b.x1)]
        assert 0.25 < in_box.mean() < 0.9  # a body fills part of its box, not all of it
        assert mask.sum() - in_box.sum() < 0.05 * mask.sum()


def test_default_choice_is_a_full_body_man(bus, bus_people):
    index = choose_person(bus_people, bus.shape[1], bus.shape[0])
    assert bus_people[index].full_body and missing_message(bus_people, index) is None


def test_choice_prefers_full_body_then_size_and_centre():
    whole = Person(box=Box(10, 10, 40, 90), score=0.9)
    cut = Person(
        box=Box(40, 0, 60, 100),
        score=0.9,
        landmarks=np.zeros((33, 2)),
        visibility=np.ones(33),
        missing=("feet",),
    )
    big_central = Person(box=Box(45, 5, 75, 95), score=0.9)
    assert choose_person([cut, whole], 100, 100) == 1
    assert choose_person([whole, cut, big_central], 100, 100) == 2


def test_partial_person_message_names_the_missing_part():
    half = Person(
        box=Box(0, 0, 10, 10),
        score=0.9,
        landmarks=np.zeros((33, 2)),
        visibility=np.ones(33),
        missing=("knees", "feet"),
    )
    assert "knees and feet" in missing_message([half], 0)
    assert set(half.missing) <= set(PARTS)


def _partial(box: Box, *missing: str) -> Person:
    return Person(box=box, score=0.9, landmarks=np.zeros((33, 2)), visibility=np.ones(33), missing=missing)


def test_with_nobody_whole_automatic_refuses_naming_who_lacks_what_and_a_pick_renders():
    people = [_partial(Box(0, 0, 40, 60), "feet"), _partial(Box(50, 0, 90, 50), "hips", "knees", "feet")]
    with pytest.raises(UserError) as refused:
        pick_person(people, 100, 100, None, "photo 2", "is animated", [])
    message = str(refused.value)
    assert message.startswith("Nobody in photo 2 is seen head to feet")
    assert "person 0 lacks their feet; person 1 lacks their hips, knees and feet" in message
    assert "`--person`" in message and "`person`" in message and "upload a full-body photo" in message
    notes: list[str] = []
    assert pick_person(people, 100, 100, 1, "photo 2", "is animated", notes) is people[1]
    assert notes == [
        "Nobody in photo 2 is seen head to feet; person 1, as picked, lacks their hips, knees and feet. "
        "Upload a full-body photo (head to feet in the picture) for a result that moves the whole body."
    ]
    whole = Person(box=Box(10, 10, 40, 90), score=0.9, landmarks=np.zeros((33, 2)), visibility=np.ones(33))
    notes = []
    assert pick_person([people[0], whole], 100, 100, None, "the photo", "is animated", notes) is whole
    assert len(notes) == 1 and "person 1 (the most complete" in notes[0]
    assert pick_person([people[0], whole], 100, 100, 0, "the photo", "is animated", notes) is people[0]
    assert "Person 1 is seen head to feet in the photo; person 0, as picked, lacks their feet" in notes[1]


def test_photo_without_people_is_refused_clearly():
    with pytest.raises(UserError, match="No person was found"):
        choose_person([], 100, 100)
    assert find_people(np.full((256, 256, 3), 200, np.uint8), default_landmarker()) == []


def test_people_cut_by_the_photo_edge_are_partial(bus):
    cut = np.ascontiguousarray(bus[:720])  # both men cut above the knees
    people = find_people(cut, default_landmarker())
    assert len(people) >= 1
    for person in people:
        assert not person.full_body and "feet" in person.missing
    index = choose_person(people, cut.shape[1], cut.shape[0])
    assert "feet" in missing_message(people, index)


def test_without_the_model_the_fallback_heuristic_is_used_and_the_user_told(monkeypatch):
    from fomm_core.people import model as person_model
    from fomm_core.wheel_files import WheelFetchError

    def offline():
        raise WheelFetchError("pip download mediapipe==0.10.21 failed: no network")

    monkeypatch.setattr("fomm_core.people.model_files.model_files", offline)
    person_model._load.cache_clear()
    try:
        assert person_model.default_landmarker() is None
        assert "no network" in person_model.fallback_note() and "heuristic" in person_model.fallback_note()
    finally:
        person_model._load.cache_clear()
    photo = np.full((200, 120, 3), 235, np.uint8)
    photo[40:180, 50:70] = 30  # a dark figure on a plain wall
    (person,) = find_people(photo, None)
    assert person.landmarks is None and abs(person.box.cx - 60) < 8 and missing_message([person], 0) is None


def test_the_model_answers_the_same_from_several_threads(bus, bus_people):
    from concurrent.futures import ThreadPoolExecutor

    model = default_landmarker()
    roi = bus_people[0].roi
    alone = model.landmarks(bus, roi).landmarks
    with ThreadPoolExecutor(4) as pool:
        answers = list(pool.map(lambda _: model.landmarks(bus, roi).landmarks, range(8)))
    assert all(np.allclose(a, alone, atol=1e-3) for a in answers)
