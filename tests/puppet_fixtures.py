"""A synthetic person for the puppet tests: 33 landmarks of a standing body, its mask and a textured photo.

Each part is a capsule (the torso a quadrilateral) filled with its own colour and a fine random texture,
so a test can tell which part shows where, and how sharp it is.
"""

from __future__ import annotations

import cv2
import numpy as np
import pytest

WIDTH, HEIGHT = 320, 480
POINTS = {
    0: (160, 60), 1: (154, 54), 2: (150, 54), 3: (146, 54), 4: (166, 54), 5: (170, 54), 6: (174, 54),
    7: (142, 58), 8: (178, 58), 9: (155, 72), 10: (165, 72),
    11: (195, 100), 12: (125, 100), 13: (212, 165), 14: (108, 165), 15: (216, 230), 16: (104, 230),
    17: (220, 246), 18: (100, 246), 19: (214, 249), 20: (106, 249), 21: (210, 242), 22: (110, 242),
    23: (180, 232), 24: (140, 232), 25: (182, 322), 26: (138, 322), 27: (183, 405), 28: (137, 405),
    29: (180, 415), 30: (140, 415), 31: (196, 420), 32: (124, 420),
}  # fmt: skip
LANDMARKS = np.array([POINTS[i] for i in range(33)], np.float64)
COLOURS = {"torso": (200, 40, 40), "arm": (40, 180, 40), "leg": (40, 60, 200), "head": (220, 200, 60)}
CAPSULES = [  # (landmarks from, to), width, colour; drawn back to front
    ((23, 25), 18, "leg"), ((25, 27), 14, "leg"), ((24, 26), 18, "leg"), ((26, 28), 14, "leg"),
    ((27, 31), 8, "leg"), ((28, 32), 8, "leg"), ((0, 0), 26, "head"),
    ((11, 13), 10, "arm"), ((13, 15), 8, "arm"), ((15, 19), 7, "arm"),
    ((12, 14), 10, "arm"), ((14, 16), 8, "arm"), ((16, 20), 7, "arm"),
]  # fmt: skip


def synthetic_person(seed: int = 0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(photo uint8 H×W×3 on flat grey, mask H×W float32, landmarks 33×2)."""
    rng = np.random.default_rng(seed)
    texture = cv2.GaussianBlur(rng.normal(0, 40, (HEIGHT, WIDTH, 3)).astype(np.float32), (0, 0), 1.0)
    photo = np.full((HEIGHT, WIDTH, 3), 128.0, np.float32)
    mask = np.zeros((HEIGHT, WIDTH), np.float32)

    def paint(region: np.ndarray, colour: str) -> None:
        on = region > 0
        photo[on] = np.array(COLOURS[colour], np.float32) + texture[on]
        mask[on] = 1.0

    torso = np.zeros((HEIGHT, WIDTH), np.uint8)
    cv2.fillConvexPoly(torso, LANDMARKS[[11, 12, 24, 23]].astype(np.int32), 1)
    for (a, b), width, colour in CAPSULES[:7]:
        region = np.zeros((HEIGHT, WIDTH), np.uint8)
        pa, pb = LANDMARKS[a].astype(int), LANDMARKS[b].astype(int)
        cv2.line(region, tuple(pa.tolist()), tuple(pb.tolist()), 1, 2 * width)
        paint(region, colour)
    paint(torso, "torso")
    for (a, b), width, colour in CAPSULES[7:]:
        region = np.zeros((HEIGHT, WIDTH), np.uint8)
        cv2.line(
            region,
            tuple(LANDMARKS[a].astype(int).tolist()),
            tuple(LANDMARKS[b].astype(int).tolist()),
            1,
            2 * width,
        )
        paint(region, colour)
    mask = cv2.GaussianBlur(mask, (0, 0), 0.8)
    return np.clip(photo, 0, 255).astype(np.uint8), mask, LANDMARKS.copy()


@pytest.fixture(scope="module")
def person() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    return synthetic_person()


@pytest.fixture(scope="module")
def puppet(person):
    from fomm_core.puppet import Puppet

    photo, mask, landmarks = person
    backdrop = np.full_like(photo, 128)
    return Puppet(photo, mask, landmarks, backdrop)
