"""The dancer's parts registered on their own pixels: known motions recovered, bad matches refused."""

from __future__ import annotations

import cv2
import numpy as np

from fomm_core.puppet.register import PartRegistration
from fomm_core.puppet.skeleton import PARTS
from tests.puppet_fixtures import HEIGHT, WIDTH, synthetic_person


def _moved(image: np.ndarray, landmarks: np.ndarray, degrees: float, shift: tuple[float, float]):
    """The frame turned by `degrees` (clockwise on screen) about the hips and shifted, with its landmarks."""
    a = np.radians(degrees)
    r = np.array([[np.cos(a), -np.sin(a)], [np.sin(a), np.cos(a)]])
    centre = landmarks[[23, 24]].mean(axis=0)
    m = np.hstack([r, (centre + shift - r @ centre)[:, None]])
    frame = cv2.warpAffine(image, m, (WIDTH, HEIGHT), flags=cv2.INTER_CUBIC, borderValue=(128, 128, 128))
    return frame, landmarks @ r.T + m[:, 2], m


def test_registration_recovers_a_known_turn_where_the_landmarks_are_off():
    photo, _, landmarks = synthetic_person()
    registration = PartRegistration(photo, landmarks)
    frame, truth, m = _moved(photo, landmarks, 9.0, (6.0, -4.0))
    noisy = truth.copy()
    noisy[15] += (9.0, -7.0)  # the left wrist: its forearm's bone ~8 degrees off
    noisy[25] += (-6.0, 4.0)  # the left knee
    motions = registration.motions(frame, noisy)
    found = [i for i, motion in enumerate(motions) if motion is not None]
    assert len(found) >= len(PARTS) - 2, [PARTS[i].name for i, mo in enumerate(motions) if mo is None]
    for i in found:
        turn = np.degrees(np.arctan2(motions[i][1, 0], motions[i][0, 0]))
        assert abs(turn - 9.0) < 0.7, (PARTS[i].name, turn)
    refined, moved = registration(frame, noisy)
    assert moved[[13, 15, 25, 27]].all()
    for landmark in (13, 15, 25, 27):
        assert np.hypot(*(refined[landmark] - truth[landmark])) < 1.5
    assert np.hypot(*(noisy[15] - truth[15])) > 10  # the test's error was there to be corrected


def test_a_frame_that_does_not_show_the_dancer_leaves_the_landmarks_as_given():
    photo, _, landmarks = synthetic_person()
    registration = PartRegistration(photo, landmarks)
    rng = np.random.default_rng(1)
    other = rng.integers(0, 256, photo.shape).astype(np.uint8)
    noisy = landmarks + rng.normal(0, 3, landmarks.shape)
    assert all(m is None for m in registration.motions(other, noisy))
    kept, moved = registration(other, noisy)
    np.testing.assert_array_equal(kept, noisy)
    assert not moved.any()


def test_a_part_the_landmarks_lose_is_followed_where_it_was_heading():
    photo, _, landmarks = synthetic_person()
    registration = PartRegistration(photo, landmarks)
    turns = []
    for step in range(1, 6):  # the whole body turning 6 degrees a frame
        frame, truth, _ = _moved(photo, landmarks, 6.0 * step, (0.0, 0.0))
        given = truth.copy()
        if step == 5:
            given[15] = given[13] + (given[13] - given[15])  # the wrist read pointing the other way
        left_forearm = [p.name for p in PARTS].index("l_forearm")
        motion = registration.motions(frame, given)[left_forearm]
        assert motion is not None
        turns.append(np.degrees(np.arctan2(motion[1, 0], motion[0, 0])))
    np.testing.assert_allclose(turns, [6, 12, 18, 24, 30], atol=0.7)
