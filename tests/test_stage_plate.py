"""The clean plate: the replaced dancer removed, filled from other frames (aligned through camera moves)."""

from __future__ import annotations

import cv2
import numpy as np
import pytest
from stage_fixtures import K, clip, removed

from fomm_core.stage.camera import camera_step
from fomm_core.stage.plate import CleanPlate, dancer_hole


def _luma(image: np.ndarray) -> np.ndarray:
    return image.astype(np.float32) @ np.array([0.299, 0.587, 0.114], np.float32)


def _outline(mask: np.ndarray) -> np.ndarray:
    """The dancer's outline: two pixels either side of the mask's edge."""
    ring = np.ones((5, 5), np.uint8)
    m = mask.astype(np.uint8)
    return cv2.dilate(m, ring).astype(bool) & ~cv2.erode(m, ring).astype(bool)


def _remove(still_camera: bool, borrow_moving: bool = True, fill: bool = True) -> dict:
    """Run the plate over the clip; fill error against the truth, in the hole and along its edge."""
    source, truth = clip(still_camera), removed(K, still_camera)
    plate = CleanPlate(borrow_moving)
    errors, edge_shift, untouched = [], [], True
    for t, frame in enumerate(source.frames):
        order = list(source.order[t])
        nearer = [i for i in order[order.index(K) + 1 :]]
        front = source.masks[t, nearer].any(0) if nearer else None
        hole = dancer_hole(source.masks[t, K], front)
        out = plate(frame, hole, source.masks[t].any(0), cut=t in source.cuts) if fill else frame
        untouched &= bool(np.array_equal(out[~hole], frame[~hole]))
        if hole.sum() < 50:
            continue
        errors.append(np.abs(out[hole].astype(np.float32) - truth.frames[t][hole]).mean())
        # The dancer's outline, where a ghost would show, on the stage (where the truth shows another dancer
        # the dancer hid, no clip frame shows what to fill).
        band = _outline(source.masks[t, K]) & (truth.labels[t] == 0)
        if front is not None:
            band &= ~front
        shift = _luma(out) - _luma(truth.frames[t])
        edge_shift.append(shift[band].mean())
    return dict(
        l1=float(np.mean(errors)),
        edge=np.array(edge_shift),
        stats=plate.stats,
        untouched=untouched,
    )


@pytest.fixture(scope="module")
def moving():
    return _remove(still_camera=False)


@pytest.fixture(scope="module")
def still():
    return _remove(still_camera=True)


def test_the_camera_step_is_measured_on_the_stage():
    frame = clip().frames[3]
    people = clip().masks[3].any(0)
    assert camera_step(frame, frame, people).still
    shift = np.float32([[1.04, 0, -3.0], [0, 1.04, 2.0]])  # a zoom and a pan
    moved = cv2.warpAffine(frame, shift, frame.shape[1::-1], borderMode=cv2.BORDER_REFLECT)
    step = camera_step(frame, moved, people)
    assert not step.still and step.matrix is not None
    np.testing.assert_allclose(step.matrix[:, :2], shift[:, :2], atol=0.01)
    np.testing.assert_allclose(step.matrix[:, 2], shift[:, 2], atol=0.5)


def test_the_fill_matches_the_stage_without_the_dancer(moving, still):
    print(f"fill L1 in the hole: moving camera {moving['l1']:.1f}, still camera {still['l1']:.1f}")
    assert moving["l1"] < 17 and still["l1"] < 17
    assert moving["untouched"] and still["untouched"]  # only the hole is changed
    assert still["stats"].still > 40 and moving["stats"].moving > 40
    # Both borrowed from other frames and inpainted where the place was never seen.
    for run in (moving, still):
        assert run["stats"].borrowed > 0.2 * (run["stats"].borrowed + run["stats"].inpainted)


def test_no_outline_of_the_dancer_remains(moving, still):
    """Along the hole's edge the fill is as bright as the truth: neither a dark nor a bright outline."""
    for run in (moving, still):
        print(
            f"edge brightness vs truth: mean {run['edge'].mean():+.1f}, mean size {np.abs(run['edge']).mean():.1f}, worst {np.abs(run['edge']).max():.1f}"
        )
        assert np.abs(run["edge"]).mean() < 2.5 and np.abs(run["edge"]).max() < 16
    # The check can fail: the clip's own frames (the dancer still there) show the outline.
    kept = _remove(still_camera=False, fill=False)
    print(f"outline with the dancer kept: mean size {np.abs(kept['edge']).mean():.1f}")
    assert np.abs(kept["edge"]).mean() > 3 * np.abs(moving["edge"]).mean()


def test_borrowing_through_camera_moves_beats_inpainting(moving):
    inpainted = _remove(still_camera=False, borrow_moving=False)
    print(
        f"moving camera fill L1: aligned borrowing {moving['l1']:.1f}, inpainting only {inpainted['l1']:.1f}"
    )
    assert inpainted["stats"].borrowed == 0
    assert moving["l1"] < inpainted["l1"] - 1


def test_the_memory_starts_afresh_at_cuts(moving):
    assert set(clip().cuts) <= set(moving["stats"].resets)
