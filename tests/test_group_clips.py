"""Synthetic group clips: dancers and ids, crossings, cuts, camera motion, truth vs pixels, identity swap."""

from __future__ import annotations

import json
from dataclasses import replace

import cv2
import numpy as np
import pytest

from fomm_core.data import (
    LANDMARKS,
    group_clip,
    group_scene,
    identity_photo,
    random_identity,
    render_group,
    swap_dancers,
    write_group_clip,
)
from fomm_core.io import open_video, read_frames

SIZE = (256, 144)


@pytest.fixture(scope="module")
def scene():
    return group_scene(7, n_dancers=5, seconds=3.0, size=SIZE)


@pytest.fixture(scope="module")
def clip(scene):
    return render_group(scene)


@pytest.fixture(scope="module")
def empty_stage(scene):
    """The same clip with every dancer (and shadow) removed."""
    return render_group(replace(scene, dancers=tuple(replace(d, identity=None) for d in scene.dancers)))


def _hist_change(a: np.ndarray, b: np.ndarray) -> float:
    """Bhattacharyya distance between two frames' hue-saturation histograms."""

    def hist(frame: np.ndarray) -> np.ndarray:
        hsv = cv2.cvtColor(frame, cv2.COLOR_RGB2HSV)
        return cv2.normalize(cv2.calcHist([hsv], [0, 1], None, [16, 4], [0, 180, 0, 256]), None)

    return cv2.compareHist(hist(a), hist(b), cv2.HISTCMP_BHATTACHARYYA)


def _shots(clip) -> list[range]:
    bounds = [0, *clip.cuts, len(clip.frames)]
    return [range(a, b) for a, b in zip(bounds, bounds[1:], strict=False)]


@pytest.mark.parametrize("n", [1, 2, 4, 7])
def test_dancer_count_ids_and_distinct_looks(n):
    small = group_clip(n, n_dancers=n, seconds=1.2, size=(128, 72), n_cuts=1)
    assert [d.id for d in small.scene.dancers] == list(range(n))
    assert small.boxes.shape[:2] == small.alpha.shape[:2] == (30, n)
    assert small.landmarks.shape == (30, n, len(LANDMARKS), 2)
    assert set(np.unique(small.labels)) <= set(range(n + 1))
    tops = np.array([d.identity.top for d in small.scene.dancers], float)
    for i in range(n):
        for j in range(i):
            assert np.linalg.norm(tops[i] - tops[j]) > 60
    assert small.frames.shape == (30, 72, 128, 3) and small.cuts and len(small.cuts) == 1


@pytest.mark.parametrize("n", [0, 8])
def test_group_size_out_of_range_is_refused(n):
    with pytest.raises(ValueError, match="1 to 7"):
        group_scene(0, n_dancers=n)


def test_the_clip_is_deterministic_by_seed():
    a = group_clip(3, n_dancers=3, seconds=1.2, size=(128, 72), n_cuts=1)
    b = group_clip(3, n_dancers=3, seconds=1.2, size=(128, 72), n_cuts=1)
    c = group_clip(4, n_dancers=3, seconds=1.2, size=(128, 72), n_cuts=1)
    np.testing.assert_array_equal(a.frames, b.frames)
    np.testing.assert_array_equal(a.alpha, b.alpha)
    np.testing.assert_array_equal(a.landmarks, b.landmarks)
    assert a.cuts == b.cuts
    assert np.abs(a.frames.astype(int) - c.frames).mean() > 10


def test_the_group_jumps_and_spins(clip):
    """In a canon: each dancer jumps or makes a whole spin (or both), and the group does both."""
    jumped, spun = [], []
    for dancer in clip.scene.dancers:
        assert {"jump", "turn"} <= {name for name, _, _ in dancer.motion.timeline}
        jumped.append(dancer.motion["lift"].max() > 0.05)  # body heights off the floor
        spun.append(np.ptp(np.unwrap(dancer.motion["yaw"])) > 0.95 * 2 * np.pi)
    assert all(j or s for j, s in zip(jumped, spun, strict=True))
    assert any(jumped) and any(spun)


def test_the_stage_is_dark_busy_and_lit_in_colour(scene, empty_stage):
    grey = empty_stage.frames.mean(-1)
    assert grey.mean() < 80  # a dark stage
    edges = [np.mean(cv2.Canny(f, 50, 150) > 0) for f in grey.astype(np.uint8)]
    assert min(edges) > 0.02  # busy: panels, strips, dots, truss
    # Each shot is lit in its own colours: the stage's mean colour differs between consecutive shots.
    means = [empty_stage.frames[shot].reshape(-1, 3).mean(0) for shot in _shots(empty_stage)]
    assert all(np.abs(a - b).max() > 10 for a, b in zip(means, means[1:], strict=False))


def test_motion_blur_smears_only_the_dancers():
    sharp = group_clip(6, n_dancers=3, seconds=1.2, size=(128, 72), n_cuts=1)
    blurred = group_clip(6, n_dancers=3, seconds=1.2, size=(128, 72), n_cuts=1, motion_blur=4)
    np.testing.assert_array_equal(sharp.landmarks, blurred.landmarks)
    stage = (sharp.alpha == 0).all(1) & (blurred.alpha == 0).all(1)
    np.testing.assert_array_equal(sharp.frames[stage], blurred.frames[stage])

    def soft(clip) -> int:
        return int(((clip.alpha > 0) & (clip.alpha < 255)).sum())

    assert soft(blurred) > 1.3 * soft(sharp)  # smeared edges: more partly covered pixels


def test_dancers_cross_each_other(clip):
    """Two dancers' boxes overlap and their left-to-right order swaps within one shot."""
    crossings = 0
    for shot in _shots(clip):
        boxes = clip.boxes[shot.start : shot.stop]
        for a in range(boxes.shape[1]):
            for b in range(a):
                both = ~np.isnan(boxes[:, a, 0]) & ~np.isnan(boxes[:, b, 0])
                centre_a = (boxes[both, a, 0] + boxes[both, a, 2]) / 2
                centre_b = (boxes[both, b, 0] + boxes[both, b, 2]) / 2
                swapped = np.any(centre_a < centre_b) and np.any(centre_a > centre_b)
                overlap_x = np.minimum(boxes[both, a, 2], boxes[both, b, 2]) - np.maximum(
                    boxes[both, a, 0], boxes[both, b, 0]
                )
                crossings += bool(
                    swapped and np.any(overlap_x > 0.5 * (boxes[both, a, 2] - boxes[both, a, 0]))
                )
    assert crossings >= 1


def test_cut_frames_are_the_only_big_picture_changes(clip):
    change = np.array([_hist_change(clip.frames[t - 1], clip.frames[t]) for t in range(1, len(clip.frames))])
    at_cuts = change[np.array(clip.cuts) - 1]
    elsewhere = np.delete(change, np.array(clip.cuts) - 1)
    assert len(clip.cuts) == 2
    assert at_cuts.min() > 0.4 and at_cuts.min() > 3 * elsewhere.max()


def test_the_camera_moves_within_every_shot(scene, empty_stage):
    """Zoom and pan change through each shot; the set's edges move far more than lights alone move them."""
    still = replace(
        scene,
        dancers=tuple(replace(d, identity=None) for d in scene.dancers),
        views=tuple(scene.views[scene.shot_of(t).start] for t in range(len(scene.views))),
    )
    fixed = render_group(still).frames

    def edges(frame: np.ndarray) -> np.ndarray:
        return cv2.Canny(cv2.cvtColor(frame, cv2.COLOR_RGB2GRAY), 50, 150) > 0

    for shot in _shots(empty_stage):
        first, last = scene.views[shot.start], scene.views[shot.stop - 1]
        assert abs(np.log(last.zoom / first.zoom)) > 0.1
        moving = np.mean(edges(empty_stage.frames[shot.start]) != edges(empty_stage.frames[shot.stop - 1]))
        lights_only = np.mean(edges(fixed[shot.start]) != edges(fixed[shot.stop - 1]))
        assert moving > 0.03 and moving > 3 * lights_only


def test_boxes_masks_and_landmarks_match_the_pixels(clip, empty_stage):
    diff = np.abs(clip.frames.astype(int) - empty_stage.frames).sum(-1)
    kernel = np.ones((3, 3), np.uint8)
    checked = 0
    for t in range(len(clip.frames)):
        for i in range(clip.boxes.shape[1]):
            mask = clip.masks[t, i]
            if not mask.any():
                assert np.isnan(clip.boxes[t, i]).all()
                continue
            rows, cols = np.flatnonzero(mask.any(1)), np.flatnonzero(mask.any(0))
            assert list(clip.boxes[t, i]) == [cols[0], rows[0], cols[-1] + 1, rows[-1] + 1]
            seen = cv2.erode((clip.labels[t] == i + 1).astype(np.uint8), kernel).astype(bool)
            if seen.sum() >= 50:
                assert diff[t][seen].mean() > 40, (t, i)
                checked += 1
            # Body landmarks said to be visible lie on the dancer's silhouette (2 px of slack).
            near = cv2.dilate(mask.astype(np.uint8), np.ones((5, 5), np.uint8)).astype(bool)
            xy = np.round(clip.landmarks[t, i, 11:]).astype(int)
            ok = clip.landmark_visible[t, i, 11:]
            if ok.any():
                assert near[xy[ok, 1], xy[ok, 0]].mean() > 0.9, (t, i)
            seen_part = clip.labels[t] == i + 1
            assert clip.visible[t, i] == pytest.approx(seen_part.sum() / mask.sum())
            if seen_part.any():
                rows, cols = np.flatnonzero(seen_part.any(1)), np.flatnonzero(seen_part.any(0))
                assert list(clip.visible_boxes[t, i]) == [cols[0], rows[0], cols[-1] + 1, rows[-1] + 1]
            else:
                assert np.isnan(clip.visible_boxes[t, i]).all()
    assert checked > 200
    # Far from every dancer's coverage and shadow (the bottom quarter holds the shadows), nothing changed.
    clear = clip.alpha.max(1) == 0
    clear[:, -SIZE[1] // 3 :] = False
    assert diff[clear].max() == 0


def test_close_shots_cut_dancers_off_at_the_frame_edge(clip):
    """A dancer partly out of the picture has part of its landmarks outside and its box on the frame's edge."""
    partly = (clip.in_frame > 0.2) & (clip.in_frame < 0.9)
    assert partly.any()
    for t, i in zip(*np.nonzero(partly), strict=True):
        x0, y0, x1, y1 = clip.boxes[t, i]
        assert x0 == 0 or y0 == 0 or x1 == SIZE[0] or y1 == SIZE[1]
    wide = [t for t in range(len(clip.frames)) if clip.scene.shot_of(t).framing == "wide"]
    assert (
        clip.in_frame[wide].mean()
        > clip.in_frame[[t for t in range(len(clip.frames)) if t not in wide]].mean()
    )


def test_landmarks_follow_blazepose_left_and_right(clip):
    """Facing the camera, the dancer's left shoulder, hip and eye are on the picture's right."""
    left = [LANDMARKS.index(n) for n in ("left_shoulder", "left_hip", "left_eye")]
    right = [LANDMARKS.index(n) for n in ("right_shoulder", "right_hip", "right_eye")]
    checked = 0
    for dancer in clip.scene.dancers:
        facing = np.cos(dancer.motion["yaw"]) > 0.95
        marks = clip.landmarks[facing, dancer.id]
        assert np.all(marks[:, left, 0] > marks[:, right, 0])
        checked += facing.sum()
    assert checked > 100
    # Turned away (mid-spin), the face is not visible.
    for dancer in clip.scene.dancers:
        away = np.cos(dancer.motion["yaw"]) < -0.5
        assert not clip.landmark_visible[away, dancer.id, :11].any()


def test_hidden_dancers_are_marked_as_hidden(clip):
    """A dancer seen only in part is covered there by nearer dancers, and its covered landmarks are not visible."""
    hidden = (clip.visible < 0.7) & clip.masks.any((2, 3))
    assert hidden.any()
    for t, i in zip(*np.nonzero(hidden), strict=True):
        covering = set(np.unique(clip.labels[t][clip.masks[t, i]])) - {0, i + 1}
        assert covering, (t, i)
        rank = list(clip.order[t])
        assert all(rank.index(c - 1) > rank.index(i) for c in covering)
        xy = np.round(clip.landmarks[t, i]).astype(int)
        inside = (xy[:, 0] >= 0) & (xy[:, 0] < SIZE[0]) & (xy[:, 1] >= 0) & (xy[:, 1] < SIZE[1])
        under = np.zeros(len(xy), bool)
        under[inside] = np.isin(clip.labels[t][xy[inside, 1], xy[inside, 0]], [c for c in covering])
        assert not clip.landmark_visible[t, i, under].any()


def test_a_swapped_identity_changes_only_that_dancers_region(scene, clip):
    k = 2
    newcomer = random_identity(np.random.default_rng(123))
    swapped = swap_dancers(scene, {k: newcomer})
    untouched = (clip.alpha[:, k] == 0) & (swapped.alpha[:, k] == 0)
    np.testing.assert_array_equal(clip.frames[untouched], swapped.frames[untouched])
    region = clip.labels == k + 1
    assert np.abs(clip.frames[region].astype(int) - swapped.frames[region]).mean() > 30
    # Same motion, camera and body: the others are untouched and the skeleton is the dancer's; the silhouette
    # changes only with hair and clothes.
    others = [i for i in range(len(scene.dancers)) if i != k]
    np.testing.assert_array_equal(clip.alpha[:, others], swapped.alpha[:, others])
    np.testing.assert_allclose(clip.landmarks, swapped.landmarks)
    same = (clip.masks[:, k] & swapped.masks[:, k]).sum() / (clip.masks[:, k] | swapped.masks[:, k]).sum()
    assert same > 0.7
    assert swapped.scene.dancers[k].identity.top == newcomer.top
    assert swapped.cuts == clip.cuts


def test_two_newcomers_at_once_change_only_their_dancers(scene, clip):
    rng = np.random.default_rng(5)
    swapped = swap_dancers(scene, {1: random_identity(rng), 3: random_identity(rng)})
    touched = (clip.alpha[:, [1, 3]] > 0).any(1) | (swapped.alpha[:, [1, 3]] > 0).any(1)
    np.testing.assert_array_equal(clip.frames[~touched], swapped.frames[~touched])
    for k in (1, 3):
        region = clip.labels == k + 1
        assert np.abs(clip.frames[region].astype(int) - swapped.frames[region]).mean() > 30


def test_a_newcomer_may_keep_their_own_body():
    small = group_scene(2, n_dancers=2, seconds=1.2, size=(128, 72), n_cuts=1)
    body = small.dancers[0].identity.proportions
    tall = replace(
        random_identity(np.random.default_rng(1)), proportions={k: 1.1 * v for k, v in body.items()}
    )
    fitted = swap_dancers(small, {0: tall})
    own = swap_dancers(small, {0: tall}, own_body=True)
    neck, ankle = LANDMARKS.index("left_shoulder"), LANDMARKS.index("left_ankle")
    reach = [np.nanmean(c.landmarks[:, 0, ankle, 1] - c.landmarks[:, 0, neck, 1]) for c in (fitted, own)]
    assert reach[1] > 1.05 * reach[0]  # the taller newcomer stands taller than the dancer they replace
    np.testing.assert_allclose(fitted.landmarks[:, 1], own.landmarks[:, 1])


def test_the_newcomers_photo_shows_them_whole():
    newcomer = random_identity(np.random.default_rng(8))
    photo = identity_photo(newcomer, 128)
    person = np.abs(photo.astype(int) - photo[2, 2]).sum(-1) > 30
    rows = np.flatnonzero(person.any(1))
    assert photo.shape == (128, 128, 3) and rows[0] > 2 and rows[-1] < 125  # head to feet inside the frame
    assert 0.6 * 128 < rows[-1] - rows[0]


def test_removing_a_dancer_leaves_the_others(scene, clip):
    gone = swap_dancers(scene, {0: None})
    assert not (gone.labels == 1).any() and not gone.alpha[:, 0].any()
    np.testing.assert_array_equal(gone.alpha[:, 1:], clip.alpha[:, 1:])
    with pytest.raises(ValueError, match="no dancer 5"):
        swap_dancers(scene, {5: None})


def test_written_clip_and_truth(tmp_path):
    small = group_clip(11, n_dancers=3, seconds=1.2, size=(128, 72), n_cuts=1)
    files = write_group_clip(small, tmp_path / "group")
    info = open_video(files["video"])
    assert (info.width, info.height, info.frame_count) == (128, 72, 30)
    decoded = np.stack(list(read_frames(info)))
    assert (
        np.abs(decoded.astype(int) - small.frames).mean() < 8
    )  # H.264 with 4:2:0 chroma on a tiny busy picture
    truth = json.loads(files["truth"].read_text())
    assert truth["cuts"] == small.cuts and truth["frame_count"] == 30
    assert truth["landmark_names"] == list(LANDMARKS)
    assert [d["id"] for d in truth["frames"][5]["dancers"]] == [0, 1, 2]
    first = truth["frames"][0]["dancers"][0]
    assert first["box"] == [int(v) for v in small.boxes[0, 0]] and len(first["landmarks"]) == 33
    assert first["in_frame"] == pytest.approx(float(small.in_frame[0, 0]), abs=1e-4)
    stored = np.load(files["masks"])
    np.testing.assert_array_equal(stored["alpha"], small.alpha)
    np.testing.assert_array_equal(stored["labels"], small.labels)
