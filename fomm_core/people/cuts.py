"""Shot cuts: a frame whose layout jumps all over the picture and whose colours change, one of the two far more
than in the shot's recent frames. A body moving fast, however large, changes only the part of the picture it
covers; a camera sweeping through a shot moves its layout a lot, yet keeps its colours."""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass

import cv2
import numpy as np

LAYOUT_JUMP = 0.04  # mean absolute difference of consecutive 32x32 grey thumbnails, in [0, 1], at least
USUAL_TIMES = 4.0  # ... and it or the colour change this many times the median of the shot's recent ones
COLOUR_JUMP = 0.08  # Bhattacharyya distance between consecutive hue-saturation histograms, at least
RECENT = 8
CELLS = 8  # the thumbnail is split into CELLS×CELLS regions ...
SPREAD = 0.5  # ... and at least this share of them must change by LAYOUT_JUMP for a cut
MIN_SHOT = 3  # frames: a change this soon after a cut is the same transition (a black frame between shots)


@dataclass(frozen=True)
class Signature:
    """What a frame looks like at a glance: a colour histogram and a tiny grey thumbnail."""

    hist: np.ndarray
    thumb: np.ndarray


def signature(frame: np.ndarray) -> Signature:
    """The frame's signature (RGB uint8, any size)."""
    small = cv2.resize(frame, (64, 64), interpolation=cv2.INTER_AREA)
    hsv = cv2.cvtColor(small, cv2.COLOR_RGB2HSV)
    hist = cv2.calcHist([hsv], [0, 1], None, [16, 4], [0, 180, 0, 256])
    thumb = cv2.resize(cv2.cvtColor(small, cv2.COLOR_RGB2GRAY), (32, 32), interpolation=cv2.INTER_AREA)
    return Signature(cv2.normalize(hist, None).astype(np.float32), thumb.astype(np.float32) / 255)


class CutFinder:
    """Fed a clip's frames in order, says for each whether a new shot starts there."""

    def __init__(self) -> None:
        self._before: Signature | None = None
        self._recent: deque[tuple[float, float]] = deque(maxlen=RECENT)
        self._since_cut = MIN_SHOT

    def __call__(self, frame: np.ndarray) -> bool:
        now, before = signature(frame), self._before
        self._before = now
        if before is None:
            return False
        change = np.abs(before.thumb - now.thumb)
        layout = float(change.mean())
        side = change.shape[0] // CELLS
        cells = change.reshape(CELLS, side, CELLS, side).mean(axis=(1, 3))
        colours = cv2.compareHist(before.hist, now.hist, cv2.HISTCMP_BHATTACHARYYA)
        usual_layout, usual_colours = np.median(self._recent, axis=0) if self._recent else (0.0, 0.0)
        cut = (
            layout > LAYOUT_JUMP
            and (cells > LAYOUT_JUMP).mean() >= SPREAD
            and colours > COLOUR_JUMP
            and (layout > USUAL_TIMES * usual_layout or colours > USUAL_TIMES * usual_colours)
        )
        self._since_cut += 1
        if cut:
            self._recent.clear()
            cut, self._since_cut = self._since_cut > MIN_SHOT, 0
        else:
            self._recent.append((layout, colours))
        return cut
