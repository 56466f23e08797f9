"""The floor shadow: found under the feet on an even floor, moved with them, left alone on a patterned floor."""

from __future__ import annotations

import cv2
import numpy as np

from fomm_core.puppet.ground import foot_points
from fomm_core.puppet.shadow import FloorShadow
from fomm_core.puppet.skeleton import body_height, joints
from tests.puppet_fixtures import HEIGHT, WIDTH, synthetic_person

FLOOR = np.array([110, 100, 90], np.float32)
SHADE = 0.65
CENTRE, AXES = (160, 424), (60, 8)


def _floor(pattern: bool = False) -> np.ndarray:
    """A wall above y=380 and a floor below it, with the person's shadow under the feet."""
    image = np.full((HEIGHT, WIDTH, 3), 170, np.float32)
    image[380:] = FLOOR
    if pattern:
        image[380:, (np.arange(WIDTH) // 5) % 2 == 1] = FLOOR * 0.6
    shadow = np.zeros((HEIGHT, WIDTH), np.uint8)
    cv2.ellipse(shadow, CENTRE, AXES, 0, 0, 360, 1, -1)
    image[shadow > 0] *= SHADE
    return image.astype(np.uint8)


def _shadow(pattern: bool = False) -> tuple[FloorShadow, np.ndarray, np.ndarray]:
    _, mask, landmarks = synthetic_person()
    points = joints(landmarks)
    backdrop = _floor(pattern)
    return FloorShadow(backdrop, mask, points, body_height(points)), backdrop, foot_points(points)


def test_the_shadow_under_the_feet_moves_with_them_and_leaves_bare_floor_behind():
    shadow, backdrop, feet = _shadow()
    assert shadow.window is not None
    at_rest = shadow.backdrop(feet).astype(np.float32)
    assert np.abs(at_rest - backdrop).mean() < 1.0  # still: the photo's own floor
    moved = shadow.backdrop(feet + (50.0, 0.0)).astype(np.float32)
    cx, cy = CENTRE
    np.testing.assert_allclose(moved[cy, cx + 50], FLOOR * SHADE, atol=12)  # the shadow is under the feet
    np.testing.assert_allclose(moved[cy, cx - 45], FLOOR, atol=8)  # and gone from where they were
    assert abs(float(moved[cy, cx - 45].mean()) - float(backdrop[cy, cx - 45].mean())) > 20


def test_a_patterned_floor_keeps_its_marks_where_they_are():
    shadow, backdrop, feet = _shadow(pattern=True)
    assert shadow.window is None
    np.testing.assert_array_equal(shadow.backdrop(feet + (50.0, 0.0)), backdrop)
