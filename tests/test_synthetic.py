"""Synthetic dancers: determinism, joints vs pixels, moves, identities, styles and cross-identity truth."""

from __future__ import annotations

import numpy as np
import pytest

from fomm_core.data import (
    CHANNELS,
    JOINTS,
    MOVES,
    STYLES,
    Background,
    Motion,
    choreography,
    cross_identity_example,
    frame_pair,
    pose_joints,
    random_background,
    random_clip,
    random_identity,
    render,
    render_pose,
)
from fomm_core.data.background import make_background

SIZE = 96


def test_cross_identity_example_is_deterministic_from_seed() -> None:
    a = cross_identity_example(seed=5, size=SIZE, n_frames=12)
    b = cross_identity_example(seed=5, size=SIZE, n_frames=12)
    c = cross_identity_example(seed=6, size=SIZE, n_frames=12)
    for key in ("photo", "driving", "expected", "joints_driving", "joints_expected"):
        np.testing.assert_array_equal(a[key], b[key])
    assert np.abs(a["driving"].astype(int) - c["driving"].astype(int)).mean() > 5


def test_example_shapes_and_types() -> None:
    ex = cross_identity_example(seed=1, size=SIZE, n_frames=10, style="jumps")
    assert ex["photo"].shape == (SIZE, SIZE, 3) and ex["photo"].dtype == np.uint8
    assert ex["driving"].shape == ex["expected"].shape == (10, SIZE, SIZE, 3)
    assert ex["joints_driving"].shape == ex["joints_expected"].shape == (10, len(JOINTS), 2)
    assert ex["joints_driving"].dtype == np.float32


@pytest.mark.parametrize("style", [None, *STYLES])
def test_joints_stay_inside_the_frame(style: str | None) -> None:
    for seed in range(6):
        rng = np.random.default_rng(seed)
        joints = pose_joints(random_identity(rng), choreography(n_frames=200, rng=rng, style=style), 128)
        assert joints.min() > 4 and joints.max() < 124, (style, seed)


def test_figure_is_drawn_where_its_joints_are() -> None:
    rng = np.random.default_rng(3)
    for _ in range(3):
        identity = random_identity(rng)
        background = Background("plain", (0, 0, 0) if sum(identity.skin) > 300 else (255, 255, 255))
        base = make_background(background, SIZE).astype(int)
        frames, joints = render(identity, choreography(n_frames=30, rng=rng), SIZE, background)
        for frame, frame_joints in zip(frames, joints, strict=True):
            diff = np.abs(frame.astype(int) - base).sum(-1)
            for x, y in np.round(frame_joints).astype(int):
                assert diff[y - 1 : y + 2, x - 1 : x + 2].max() > 40
            # Far from every joint the backdrop is untouched.
            assert diff[:4, :4].max() == 0 and diff[:4, -4:].max() == 0


@pytest.mark.parametrize("name", sorted(MOVES))
def test_each_move_changes_the_pose_over_time(name: str) -> None:
    motion = choreography([name], n_frames=50, fps=25, bpm=120, rng=np.random.default_rng(0), groove=0.0)
    assert [entry[0] for entry in motion.timeline] == [name] * len(motion.timeline)
    joints = pose_joints(random_identity(np.random.default_rng(1)), motion, 128)
    travel = np.linalg.norm(joints - joints[:1], axis=-1).max(axis=0)
    assert travel.max() > 5, f"{name} moves no joint more than {travel.max():.1f} px"


def test_moves_are_distinct_from_each_other() -> None:
    identity = random_identity(np.random.default_rng(2))
    tracks = {}
    for name in MOVES:
        motion = choreography([name], n_frames=40, bpm=120, rng=np.random.default_rng(0), groove=0.0)
        tracks[name] = pose_joints(identity, motion, 128)
    names = sorted(tracks)
    for i, a in enumerate(names):
        for b in names[i + 1 :]:
            assert np.abs(tracks[a] - tracks[b]).mean() > 1.0, (a, b)


def test_transitions_between_moves_are_smooth() -> None:
    motion = choreography(sorted(MOVES), n_frames=600, fps=25, bpm=120, rng=np.random.default_rng(4))
    joints = pose_joints(random_identity(np.random.default_rng(4)), motion, 128)
    step = np.linalg.norm(np.diff(joints, axis=0), axis=-1)
    # No joint jumps across the frame between two frames at 25 fps, even at move boundaries.
    assert step.max() < 16


def test_identities_differ() -> None:
    rng = np.random.default_rng(0)
    identities = [random_identity(rng) for _ in range(8)]
    looks = {(i.skin, i.hair, i.top, i.bottom, i.hair_style) for i in identities}
    assert len(looks) == 8
    heights = [i.height for i in identities]
    assert max(heights) - min(heights) > 0.02
    motion = Motion.still(1)
    background = Background()
    images = [render(i, motion, SIZE, background)[0][0].astype(int) for i in identities[:3]]
    assert np.abs(images[0] - images[1]).mean() > 2 and np.abs(images[1] - images[2]).mean() > 2


def test_identity_height_is_its_standing_height() -> None:
    identity = random_identity(np.random.default_rng(9))
    joints = pose_joints(identity, Motion.still(1), 1000)[0]
    head = joints[JOINTS.index("head")]
    from fomm_core.data.figure import CAMERA_SCALE

    head_top_height = (joints[:, 1].max() - head[1]) / (CAMERA_SCALE * 1000)
    assert 0.6 * identity.height < head_top_height < identity.height


def test_cross_identity_ground_truth_is_consistent() -> None:
    ex = cross_identity_example(seed=11, size=SIZE, n_frames=16, style="turns")
    a, b, motion = ex["identity_a"], ex["identity_b"], ex["motion"]
    assert a != b
    np.testing.assert_array_equal(ex["photo"], ex["expected"][0])
    np.testing.assert_allclose(ex["joints_expected"], pose_joints(a, motion, SIZE), atol=1e-4)
    np.testing.assert_allclose(ex["joints_driving"], pose_joints(b, motion, SIZE), atol=1e-4)
    # Joints depend only on proportions and motion: B's looks on A's body have A's joints.
    _, joints = render(b.with_proportions_of(a), motion, SIZE, ex["background_b"])
    np.testing.assert_allclose(joints, ex["joints_expected"], atol=1e-4)
    # Same motion: every limb bone points the same way for A and B (only its length differs).
    for s in ("r_", "l_"):
        for parent, child in (("shoulder", "elbow"), ("elbow", "wrist"), ("hip", "knee"), ("knee", "ankle")):
            i, j = JOINTS.index(s + parent), JOINTS.index(s + child)
            bone_a = ex["joints_expected"][:, j] - ex["joints_expected"][:, i]
            bone_b = ex["joints_driving"][:, j] - ex["joints_driving"][:, i]
            len_a, len_b = np.linalg.norm(bone_a, axis=-1), np.linalg.norm(bone_b, axis=-1)
            seen = (len_a > 2) & (len_b > 2)
            cos = (bone_a * bone_b).sum(-1)[seen] / (len_a * len_b)[seen]
            assert cos.min() > 0.999, (s, parent, child)
    assert np.abs(ex["expected"].astype(int) - ex["driving"].astype(int)).mean() > 5


def test_render_pose_matches_render() -> None:
    rng = np.random.default_rng(8)
    identity, background = random_identity(rng), random_background(rng)
    motion = choreography(n_frames=20, rng=rng)
    frames, joints = render(identity, motion, SIZE, background)
    frame, frame_joints = render_pose(identity, motion, SIZE, background, index=7)
    np.testing.assert_array_equal(frame, frames[7])
    np.testing.assert_array_equal(frame_joints, joints[7])
    single, _ = render_pose(identity, motion.pose[7], SIZE, background)
    np.testing.assert_array_equal(single, frames[7])


@pytest.mark.parametrize("style", sorted(STYLES))
def test_styles_use_their_own_moves(style: str) -> None:
    motion = choreography(n_frames=300, rng=np.random.default_rng(0), style=style)
    used = {entry[0] for entry in motion.timeline}
    assert used <= set(STYLES[style].moves)
    lo, hi = STYLES[style].bpm
    assert lo <= motion.bpm <= hi


def test_travel_style_crosses_the_frame() -> None:
    rng = np.random.default_rng(0)
    joints = pose_joints(random_identity(rng), choreography(n_frames=200, rng=rng, style="travel"), 128)
    pelvis = joints[:, JOINTS.index("pelvis"), 0]
    assert abs(pelvis[-1] - pelvis[0]) > 0.25 * 128


def test_floor_moves_go_low_and_jumps_leave_the_floor() -> None:
    identity = random_identity(np.random.default_rng(0))
    still = pose_joints(identity, Motion.still(1), 128)[0, JOINTS.index("pelvis"), 1]
    floor = pose_joints(
        identity, choreography(n_frames=200, rng=np.random.default_rng(0), style="floor_moves"), 128
    )
    assert floor[:, JOINTS.index("pelvis"), 1].max() > still + 0.15 * 128
    motion = choreography(["jump"], n_frames=50, bpm=120, rng=np.random.default_rng(0))
    assert motion["lift"].max() > 0.05
    jumps = pose_joints(identity, motion, 128)
    toes = jumps[:, [JOINTS.index("r_toe"), JOINTS.index("l_toe")], 1].max(axis=1)
    assert toes.min() < toes.max() - 5


def test_camera_zoom_scales_about_the_frame_centre() -> None:
    identity = random_identity(np.random.default_rng(0))
    pose = np.tile(Motion.still(1).pose, (2, 1))
    pose[1, CHANNELS.index("zoom")] = 1.2
    joints = pose_joints(identity, Motion(pose), 128)
    np.testing.assert_allclose(joints[1] - 64, 1.2 * (joints[0] - 64), atol=1e-3)
    zoomed = choreography(n_frames=30, rng=np.random.default_rng(0), zoom=(1.0, 1.1))
    assert zoomed["zoom"][0] == pytest.approx(1.0) and zoomed["zoom"][-1] == pytest.approx(1.1)


def test_backgrounds_contrast_with_the_dancer() -> None:
    rng = np.random.default_rng(0)
    kinds = set()
    for _ in range(12):
        identity = random_identity(rng)
        background = random_background(rng, identity.colours())
        kinds.add(background.kind)
        image = make_background(background, 64)
        assert image.shape == (64, 64, 3) and image.dtype == np.uint8
        for colour in identity.colours():
            assert np.linalg.norm(np.subtract(background.colour, colour)) > 60
    assert kinds == {"plain", "gradient", "texture"}


def test_random_clip_and_frame_pair_are_deterministic() -> None:
    a, b = random_clip(4, size=64, n_frames=8, zoom=None), random_clip(4, size=64, n_frames=8, zoom=None)
    np.testing.assert_array_equal(a.frames, b.frames)
    assert a.frames.shape == (8, 64, 64, 3)
    p1 = frame_pair(np.random.default_rng(2), size=64)
    p2 = frame_pair(np.random.default_rng(2), size=64)
    assert p1[0].shape == p1[1].shape == (64, 64, 3)
    np.testing.assert_array_equal(p1[0], p2[0])
    np.testing.assert_array_equal(p1[1], p2[1])


def test_unknown_names_are_refused() -> None:
    with pytest.raises(ValueError, match="unknown moves"):
        choreography(["moonwalk"], n_frames=5)
    with pytest.raises(ValueError, match="unknown style"):
        choreography(n_frames=5, style="ballet")
