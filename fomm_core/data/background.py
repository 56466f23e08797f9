"""Backgrounds for the synthetic dancer: plain, vertical gradient or a light texture, optional floor."""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from .figure import CAMERA_CENTRE_Y, CAMERA_SCALE, Colour

KINDS = ("plain", "gradient", "texture")


@dataclass(frozen=True)
class Background:
    """A static backdrop: kind in KINDS, two colours, a floor shade (0 = none) and a texture seed."""

    kind: str = "plain"
    colour: Colour = (200, 200, 200)
    colour2: Colour = (160, 160, 170)
    floor: float = 0.0
    seed: int = 0


def _distance(a: Colour, b: Colour) -> float:
    return float(np.linalg.norm(np.subtract(a, b, dtype=np.float32)))


def random_background(
    rng: np.random.Generator, avoid: list[Colour] = (), kind: str | None = None
) -> Background:
    """A random backdrop whose colours stay at least 60 RGB units from each colour in avoid."""
    kind = kind or str(rng.choice(KINDS))
    for _ in range(50):
        base = rng.uniform(40, 235, 3)
        colour = tuple(int(v) for v in base)
        spread = 20 if kind == "texture" else 40
        colour2 = tuple(int(v) for v in np.clip(base + rng.normal(0, spread, 3), 0, 255))
        if all(_distance(c, a) > 60 for c in (colour, colour2) for a in avoid):
            break
    floor = float(rng.uniform(0.08, 0.2)) if kind != "plain" and rng.random() < 0.6 else 0.0
    return Background(kind, colour, colour2, floor, int(rng.integers(2**31)))


def make_background(background: Background, size: int) -> np.ndarray:
    """The backdrop as a size×size×3 uint8 image."""
    c1 = np.array(background.colour, np.float32)
    c2 = np.array(background.colour2, np.float32)
    y = np.linspace(0.0, 1.0, size, dtype=np.float32)[:, None, None]
    if background.kind == "plain":
        img = np.broadcast_to(c1, (size, size, 3)).copy()
    elif background.kind == "gradient":
        img = np.broadcast_to(c1 * (1 - y) + c2 * y, (size, size, 3)).copy()
    elif background.kind == "texture":
        rng = np.random.default_rng(background.seed)
        coarse = rng.normal(0, 1, (12, 12, 1)).astype(np.float32)
        fine = rng.normal(0, 1, (48, 48, 1)).astype(np.float32)
        noise = (
            cv2.resize(coarse, (size, size), interpolation=cv2.INTER_CUBIC)
            + 0.4 * cv2.resize(fine, (size, size), interpolation=cv2.INTER_CUBIC)
        )[..., None]
        mix = np.clip(0.5 + 0.25 * noise, 0, 1)
        img = c1 * (1 - mix) + c2 * mix
    else:
        raise ValueError(f"unknown background kind {background.kind!r}; use one of {KINDS}")
    if background.floor:
        # The floor meets the wall a little behind the dancer's feet.
        horizon = int(size * (0.5 + CAMERA_SCALE * (-0.06 - CAMERA_CENTRE_Y)))
        img[horizon:] *= 1 - background.floor
    return np.clip(img, 0, 255).astype(np.uint8)
