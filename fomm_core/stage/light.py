"""Stage-light matching: the fan's colours moved toward the light on the dancer they replace.

Per channel in CIE Lab, the mean and spread inside the dancer's mask are compared with those inside the
fan's layer, and the fan's are moved part of the way (`strength`) toward them: l' = (l - m_fan) * s + m_fan
+ d, with the shift d and the spread ratio s clamped, so a dancer's bright outfit does not repaint the fan.
The dancer's statistics are smoothed over time (exponentially) and start afresh at cuts.
"""

from __future__ import annotations

import cv2
import numpy as np

from .layer import Layer

STRENGTH = 0.5  # share of the way toward the dancer's statistics
# Lab units (L 0-100, a and b about -128..127); lightness least, since it is the outfit's as much as the light's:
# a man in black replacing a woman in white stays dark
MAX_SHIFT = np.array([8.0, 15.0, 15.0], np.float32)
SPREAD_RANGE = (0.75, 1.33)
SMOOTHING = 0.8  # weight of the past in the dancer's statistics, per frame
MIN_PIXELS = 30  # fewer mask pixels than this: the dancer's light is not measured in that frame


def lab_stats(colour: np.ndarray, mask: np.ndarray) -> tuple[np.ndarray, np.ndarray] | None:
    """Mean and standard deviation per Lab channel of colour (…×3, RGB 0-255) inside mask; None if too small."""
    if mask.sum() < MIN_PIXELS:
        return None
    lab = cv2.cvtColor((colour[mask].reshape(-1, 1, 3) / 255).astype(np.float32), cv2.COLOR_RGB2Lab)
    lab = lab.reshape(-1, 3)
    return lab.mean(0), lab.std(0)


def match_light(layer: Layer, target: tuple[np.ndarray, np.ndarray], strength: float = STRENGTH) -> Layer:
    """The layer with its Lab statistics moved `strength` of the way toward target (mean, std), clamped."""
    own = lab_stats(layer.colour, layer.solid)
    if own is None:
        return layer
    mean, std = own
    shift = np.clip(strength * (target[0] - mean), -MAX_SHIFT, MAX_SHIFT)
    spread = np.clip((np.maximum(target[1], 1e-3) / np.maximum(std, 1e-3)) ** strength, *SPREAD_RANGE)
    lab = cv2.cvtColor((layer.colour / 255).astype(np.float32), cv2.COLOR_RGB2Lab)
    lab = (lab - mean) * spread + mean + shift
    rgb = cv2.cvtColor(lab.astype(np.float32), cv2.COLOR_Lab2RGB) * 255
    return layer.with_colour(np.clip(rgb, 0, 255))


class StageLight:
    """Streams frames: each fan layer matched to the smoothed light on its dancer (off: layers unchanged)."""

    def __init__(self, enabled: bool = True, strength: float = STRENGTH):
        self.enabled = enabled
        self.strength = strength
        self._target: dict[int, tuple[np.ndarray, np.ndarray]] = {}

    def __call__(
        self, dancer: int, layer: Layer, frame: np.ndarray, mask: np.ndarray, cut: bool = False
    ) -> Layer:
        """`layer` lit like dancer (id) is in frame (uint8 H×W×3) inside mask (H×W bool)."""
        if not self.enabled:
            return layer
        if cut:
            self._target.pop(dancer, None)
        seen = lab_stats(frame.astype(np.float32), mask)
        past = self._target.get(dancer)
        if seen is not None:
            if past is not None:
                seen = tuple(SMOOTHING * p + (1 - SMOOTHING) * s for p, s in zip(past, seen, strict=True))
            self._target[dancer] = seen
        target = self._target.get(dancer)
        return layer if target is None else match_light(layer, target, self.strength)
