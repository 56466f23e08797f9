"""The puppet's motion: retargeting (bone lengths, directions, feet, root motion), smoothing, unseen landmarks, turns."""

from __future__ import annotations

import numpy as np
import pytest
from puppet_fixtures import LANDMARKS

from fomm_core.puppet.ground import foot_points
from fomm_core.puppet.one_euro import OneEuro
from fomm_core.puppet.retarget import Retarget, rotation, wrap
from fomm_core.puppet.skeleton import PART_INDEX, PARTS, J, body_height, bone_angles, joints
from fomm_core.puppet.turn import turned_away
from fomm_core.puppet.unseen import UnseenLandmarks


def _lengths(points: np.ndarray) -> np.ndarray:
    return np.array([np.hypot(*(points[J[p.end]] - points[J[p.start]])) for p in PARTS])


def _dancer() -> np.ndarray:
    """A dancer of other proportions than the synthetic person: longer legs, shorter arms, elsewhere and larger."""
    points = LANDMARKS.copy()
    points[25:] += (0, 40)  # longer legs
    for hand in ((13, 15, 17, 19, 21), (14, 16, 18, 20, 22)):
        shoulder = points[11 if hand[0] == 13 else 12]
        points[list(hand)] = shoulder + 0.8 * (points[list(hand)] - shoulder)  # shorter arms
    return points * 1.7 + (300, 90)


def _turn_limbs(points: np.ndarray, angles: dict[tuple[int, ...], float]) -> np.ndarray:
    """Landmarks with chains turned about their first landmark by the given angles, in order."""
    out = points.copy()
    for chain, angle in angles.items():
        pivot = out[chain[0]]
        out[list(chain[1:])] = (out[list(chain[1:])] - pivot) @ rotation(np.array(angle)).T + pivot
    return out


RAISED = {(11, 13, 15, 17, 19, 21): -2.2, (13, 15, 17, 19, 21): 0.9, (24, 26, 28, 30, 32): 0.5}


def test_retargeting_keeps_the_persons_bone_lengths_and_takes_the_dancers_bone_turns():
    photo = joints(LANDMARKS)
    reference = _dancer()
    moved = _turn_limbs(reference, RAISED)
    posed = Retarget(photo, joints(reference))(joints(moved))
    assert np.allclose(_lengths(posed.joints), _lengths(photo), atol=1e-6)
    turned = wrap(bone_angles(posed.joints) - bone_angles(photo))
    expected = wrap(bone_angles(joints(moved)) - bone_angles(joints(reference)))
    assert np.allclose(turned, expected, atol=1e-6)
    assert np.abs(expected).max() > 2.0  # the test turns bones a lot


def test_a_bone_the_dancer_shows_foreshortened_is_drawn_as_much_shorter_on_the_persons_body():
    photo = joints(LANDMARKS)
    reference = _dancer()
    lifted = reference.copy()
    knee, hip = 26, 24  # the right thigh lifted towards the camera: on the picture, half as long
    lifted[[26, 28, 30, 32]] -= 0.5 * (reference[knee] - reference[hip])
    sideways = lifted.copy()
    centre = sideways[[11, 12, 23, 24], 0].mean()
    sideways[:, 0] = centre + 0.6 * (sideways[:, 0] - centre)  # and the body turned part way to the side
    posed = Retarget(photo, joints(reference))(joints(sideways))
    ratio = _lengths(posed.joints) / _lengths(photo)
    thigh, foot = PART_INDEX["r_thigh"], PART_INDEX["r_foot"]
    assert ratio[thigh] == pytest.approx(
        _lengths(joints(sideways))[thigh] / _lengths(joints(reference))[thigh], rel=1e-6
    )
    assert ratio[thigh] < 0.6
    assert ratio[foot] == pytest.approx(1.0)  # hands, feet and head are drawn rigid
    width = np.hypot(*(posed.joints[J["l_shoulder"]] - posed.joints[J["r_shoulder"]]))
    assert width / np.hypot(*(photo[J["l_shoulder"]] - photo[J["r_shoulder"]])) == pytest.approx(
        0.6, rel=0.02
    )


def test_a_dancer_standing_still_leaves_the_person_as_in_the_photo():
    photo = joints(LANDMARKS)
    reference = joints(_dancer())
    posed = Retarget(photo, reference)(reference)
    assert np.allclose(posed.joints, photo, atol=1e-6)
    assert np.allclose(posed.transforms, np.tile(np.eye(2, 3), (len(PARTS), 1, 1)), atol=1e-9)


def test_root_motion_is_scaled_by_body_height():
    photo = joints(LANDMARKS)
    reference = _dancer()
    retarget = Retarget(photo, joints(reference))
    posed = retarget(joints(reference + (120.0, -30.0)))
    scale = body_height(photo) / body_height(joints(reference))
    assert scale == pytest.approx(
        345 / (385 * 1.7), rel=0.02
    )  # head to ankles: 345 px, the dancer's 385 x 1.7
    assert np.allclose(posed.joints - photo, np.array([120.0, -30.0]) * scale, atol=1e-6)


def test_the_planted_foot_neither_slides_nor_floats_while_the_other_leg_kicks():
    photo = joints(LANDMARKS)
    reference = _dancer()
    retarget = Retarget(photo, joints(reference))
    planted = foot_points(photo)[0]  # the left foot (landmarks 23, 25, 27...) stays on the ground
    for t in range(12):
        kick = _turn_limbs(reference, {(24, 26, 28, 30, 32): -0.12 * t, (26, 28, 30, 32): 0.1 * t})
        posed = retarget(joints(kick))
        assert np.hypot(*(foot_points(posed.joints)[0] - planted)) < 0.01 * body_height(photo)
    assert foot_points(posed.joints)[1][1] < planted[1] - 0.05 * body_height(photo)  # the kicking foot is up


def test_one_euro_removes_jitter_when_still_and_lags_little_on_a_fast_move():
    rng = np.random.default_rng(1)
    still = OneEuro(30.0)
    noisy = 0.5 + rng.normal(0, 0.01, 120)
    out = np.array([still(np.array([v])) for v in noisy])[:, 0]
    assert out[30:].std() < 0.25 * noisy[30:].std()

    fast = OneEuro(30.0)
    t = np.arange(60) / 30.0
    path = np.where(t < 1.0, 0.0, 2.0 * (t - 1.0))  # still, then 2 body heights per second
    path = path + rng.normal(0, 0.003, len(t))
    followed = np.array([fast(np.array([v])) for v in path])[:, 0]
    lag = np.abs(followed[40:] - 2.0 * (t[40:] - 1.0)).max()
    assert lag < 0.06  # under a frame and a half of the move (2/30 per frame)


def test_a_landmark_the_model_stops_seeing_is_held_to_its_bone_and_never_jumps():
    held = UnseenLandmarks(640, 480)
    rng = np.random.default_rng(2)
    base = LANDMARKS.copy()
    visibility = np.ones(33)
    outputs = []
    for t in range(40):
        points = base + (t * 2.0, 0.0)  # the body drifts right, 2 px a frame
        seen = visibility.copy()
        if 10 <= t < 25:
            seen[15] = 0.1  # the left wrist hidden: the model's guess flies about
            points[15] = rng.uniform(0, 640, 2)
        outputs.append(held(points, seen)[15])
    outputs = np.array(outputs)
    steps = np.hypot(*np.diff(outputs, axis=0).T)
    assert steps.max() < 0.25 * np.hypot(*(base[15] - base[13])) + 2.5  # never a jump
    elbow_to_wrist = base[15] - base[13]
    during = outputs[12:25] - (base[13] + np.arange(12, 25)[:, None] * (2.0, 0.0))
    assert np.allclose(during, elbow_to_wrist, atol=1e-6)  # held at its bone, following the elbow
    assert np.allclose(outputs[-1], base[15] + (78.0, 0.0), atol=1e-6)  # seen again, measured again


def test_a_foot_outside_the_frame_is_held_plausibly():
    held = UnseenLandmarks(320, 400)  # the feet (y 405-420) are outside this frame
    out = held(LANDMARKS, np.ones(33))
    for t in range(5):
        moved = LANDMARKS + (0.0, 3.0 * t)
        out = held(moved, np.ones(33))
    assert np.allclose(out[31] - out[27], LANDMARKS[31] - LANDMARKS[27], atol=1e-6)


def test_turning_away_is_told_by_the_shoulders_order_and_the_hidden_face():
    visible = np.ones(33)
    assert not turned_away(LANDMARKS, visible, LANDMARKS)
    back = LANDMARKS.copy()
    back[[11, 12]] = back[[12, 11]]
    hidden = visible.copy()
    hidden[[0, 2, 5]] = 0.1
    assert turned_away(back, hidden, LANDMARKS)
    side = LANDMARKS.copy()
    side[11, 0], side[12, 0] = 165, 155  # shoulders seen edge-on
    assert turned_away(side, hidden, LANDMARKS)
    assert not turned_away(side, visible, LANDMARKS)


def test_a_dancer_who_turns_their_back_drives_the_persons_front_side_for_side():
    from fomm_core.puppet.dancer import DancerPose
    from fomm_core.puppet.motion import DancerMotion

    def pose(points: np.ndarray, face: float = 1.0) -> DancerPose:
        visibility = np.ones(33)
        visibility[[0, 2, 5]] = face
        return DancerPose(points, np.zeros(33), visibility, 640, 480)

    photo = joints(LANDMARKS)
    motion = DancerMotion(photo, pose(LANDMARKS), 30.0)
    back = LANDMARKS.copy()
    back[:, 0] = (
        2 * LANDMARKS[[23, 24], 0].mean() - back[:, 0]
    )  # turned round: their left is on the picture's left
    raised = _turn_limbs(
        back, {(11, 13, 15, 17, 19, 21): 2.6}
    )  # and their left arm up, on the picture's left
    for _ in range(30):
        step = motion(pose(raised, face=0.0))
    assert step.turned
    shoulder_y = step.posed.joints[J["r_shoulder"], 1]
    assert (
        step.posed.joints[J["r_wrist"], 1] < shoulder_y - 30
    )  # the person's right arm (picture's left) is up
    assert step.posed.joints[J["l_wrist"], 1] > shoulder_y + 80  # the other hangs as in the photo
    assert step.posed.joints[J["r_wrist"], 0] < photo[J["r_shoulder"], 0]  # on the picture's left


def test_a_dancer_found_without_landmarks_is_a_user_error():
    from fomm_core.errors import UserError
    from fomm_core.geometry import Box
    from fomm_core.people.clip import Track
    from fomm_core.puppet import clip_poses

    track = Track(id=0, boxes={0: Box(10, 10, 50, 100)})  # what the background-difference heuristic finds
    with pytest.raises(UserError, match="landmarks of the dancer"):
        next(clip_poses(None, track, None))


def test_a_photo_person_without_landmarks_is_a_user_error():
    from fomm_core.errors import UserError
    from fomm_core.geometry import Box
    from fomm_core.people import Person
    from fomm_core.puppet import Puppet

    person = Person(box=Box(10, 10, 50, 100), score=0.0)
    with pytest.raises(UserError, match="landmarks of the person"):
        Puppet.from_photo(np.zeros((120, 80, 3), np.uint8), person)


def test_a_reference_read_from_the_back_is_taken_as_the_front_the_photo_shows():
    from fomm_core.puppet.dancer import DancerPose
    from fomm_core.puppet.motion import DancerMotion
    from fomm_core.puppet.turn import MIRROR

    def pose(points: np.ndarray) -> DancerPose:
        return DancerPose(points, np.zeros(33), np.ones(33), 640, 480)

    photo = joints(LANDMARKS)
    # the landmark model mistaking front for back at the reference: each side's landmarks in the other's place
    motion = DancerMotion(photo, pose(LANDMARKS[MIRROR]), 30.0)
    raised = _turn_limbs(LANDMARKS, {(11, 13, 15, 17, 19, 21): -2.6})  # the left arm up, read from the front
    for _ in range(30):
        step = motion(pose(raised))
    shoulder_y = step.posed.joints[J["l_shoulder"], 1]
    assert step.posed.joints[J["l_wrist"], 1] < shoulder_y - 30  # the person's left arm is up
    assert step.posed.joints[J["r_wrist"], 1] > shoulder_y + 80  # the right hangs as in the photo


def test_registered_landmarks_are_taken_unfiltered_where_the_frame_rate_cannot_tell_jitter_from_motion():
    from fomm_core.puppet.motion import REGISTERED_CUTOFF, registered_cutoff
    from fomm_core.puppet.one_euro import OneEuro

    def after_a_step(fps: float) -> float:
        smooth = OneEuro(fps)
        smooth(np.zeros(1))
        return float(smooth(np.full(1, 0.01), registered_cutoff(fps))[0])

    assert registered_cutoff(30.0) == REGISTERED_CUTOFF
    assert after_a_step(10.0) == pytest.approx(0.01)  # at 10 fps a 5 Hz cut-off could only lag
    assert after_a_step(30.0) < 0.009  # at 30 fps the jitter is smoothed
