"""The clean plate: each frame with the replaced dancer removed, their grown mask filled.

A background memory holds, per pixel, the stage as last seen uncovered by anyone within the current shot.
Each new frame moves the memory with the camera (`camera_step`: nothing to do when the camera is still, a
similarity warp when it pans or zooms), then writes the pixels nobody covers into it. The hole is filled
from the memory where the place has been seen, relit to the current frame (the stage lights move: the
ratio of current to remembered light is measured around the hole and smoothed over it), and by inpainting
where it never has. The memory is cleared at cuts and whenever the camera motion cannot be measured.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import cv2
import numpy as np

from .camera import camera_step

GROW = 0.02  # the dancer's mask is grown by this fraction of the frame height before filling
INPAINT_RADIUS = 3
INPAINT_SIDE = 160  # larger holes are inpainted at this long side (inpainting is slow; its fill is smooth)
GAIN_RANGE = (0.8, 1.25)  # a frame's relighting of remembered pixels is clamped to this
GAIN_PRIOR = 0.1  # weight of "no change" in the relighting, against the stage seen nearby
GAIN_SIGMA = 0.06  # smoothing of the relighting ratio, as a fraction of the frame height
RELIGHT_STEP = 4  # the relighting ratio is measured on a grid this many pixels apart


def grow(mask: np.ndarray, pixels: int) -> np.ndarray:
    """`mask` (H×W bool) grown by `pixels` in every direction (a disc)."""
    if pixels <= 0:
        return mask.astype(bool)
    disc = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * pixels + 1, 2 * pixels + 1))
    return cv2.dilate(mask.astype(np.uint8), disc) > 0


def dancer_hole(dancer: np.ndarray, front: np.ndarray | None = None) -> np.ndarray:
    """The region to fill for a dancer (H×W bool): their mask grown by GROW of the frame height, less `front`
    (the other dancers standing nearer, which stay as they are)."""
    hole = grow(dancer, max(1, round(GROW * dancer.shape[0])))
    return hole & ~front if front is not None else hole


def _inpaint(image: np.ndarray, hole: np.ndarray) -> np.ndarray:
    """image (uint8 h×w×3) with hole (h×w bool) inpainted, at a reduced size when it is large."""
    h, w = hole.shape
    scale = min(1.0, INPAINT_SIDE / max(h, w))
    if scale == 1.0:
        return cv2.inpaint(image, hole.astype(np.uint8), INPAINT_RADIUS, cv2.INPAINT_TELEA)
    size = (max(1, round(w * scale)), max(1, round(h * scale)))
    small = cv2.resize(image, size, interpolation=cv2.INTER_AREA)
    small_hole = cv2.resize(hole.astype(np.uint8), size, interpolation=cv2.INTER_AREA) > 0
    filled = cv2.inpaint(
        small,
        cv2.dilate(small_hole.astype(np.uint8), np.ones((3, 3), np.uint8)),
        INPAINT_RADIUS,
        cv2.INPAINT_TELEA,
    )
    return cv2.resize(filled, (w, h), interpolation=cv2.INTER_LINEAR)


@dataclass
class PlateStats:
    """What the plate did so far: hole pixels borrowed from other frames and inpainted, camera states seen."""

    borrowed: int = 0
    inpainted: int = 0
    still: int = 0
    moving: int = 0
    unknown: int = 0
    resets: list[int] = field(default_factory=list)


class CleanPlate:
    """Streams frames in order and returns each with the dancer's grown mask filled (see the module doc).

    borrow_moving=False fills by inpainting alone while the camera moves (the memory is then cleared).
    """

    def __init__(self, borrow_moving: bool = True):
        self.borrow_moving = borrow_moving
        self.stats = PlateStats()
        self._memory: np.ndarray | None = None
        self._known: np.ndarray | None = None
        self._previous: np.ndarray | None = None
        self._previous_people: np.ndarray | None = None
        self._t = 0

    def __call__(
        self, frame: np.ndarray, hole: np.ndarray, people: np.ndarray, cut: bool = False
    ) -> np.ndarray:
        """The frame (uint8 H×W×3) with `hole` (H×W bool, see `dancer_hole`) filled.

        `people` masks everyone (H×W bool), kept out of the memory; cut=True marks the first frame of a shot.
        """
        covered = hole | dancer_hole(people)
        self._follow_camera(frame, covered, cut)
        if self._memory is None:
            self._memory = np.zeros(frame.shape, np.float32)
            self._known = np.zeros(frame.shape[:2], bool)
        else:
            self._memory *= self._relight(frame, covered)
        out = self._fill(frame, hole, covered)
        self._memory[~covered] = frame[~covered]
        self._known |= ~covered
        self._previous, self._previous_people = frame, covered
        self._t += 1
        return out

    def _follow_camera(self, frame: np.ndarray, covered: np.ndarray, cut: bool) -> None:
        """Move the memory with the camera since the previous frame; clear it at cuts or when that fails."""
        if self._previous is None or cut:
            self._forget()
            return
        step = camera_step(self._previous, frame, self._previous_people | covered)
        if step.matrix is None:
            self.stats.unknown += 1
            self._forget()
        elif step.still:
            self.stats.still += 1
        else:
            self.stats.moving += 1
            if not self.borrow_moving:
                self._forget()
            elif self._memory is not None:
                h, w = frame.shape[:2]
                self._memory = cv2.warpAffine(self._memory, step.matrix, (w, h), flags=cv2.INTER_LINEAR)
                known = cv2.warpAffine(
                    self._known.astype(np.float32), step.matrix, (w, h), flags=cv2.INTER_LINEAR
                )
                self._known = known > 0.999

    def _forget(self) -> None:
        if self._memory is not None:
            self.stats.resets.append(self._t)
        self._memory, self._known = None, None

    def _fill(self, frame: np.ndarray, hole: np.ndarray, covered: np.ndarray) -> np.ndarray:
        """Hole pixels from the memory where known, inpainted elsewhere."""
        out = frame.copy()
        borrow = hole & self._known
        if borrow.any():
            out[borrow] = np.clip(self._memory[borrow] + 0.5, 0, 255).astype(np.uint8)
        rest = hole & ~self._known
        if rest.any():
            # Other people are masked too so their colours do not bleed into the stage; they are put back.
            rows, cols = np.flatnonzero(rest.any(1)), np.flatnonzero(rest.any(0))
            m = 2 * INPAINT_RADIUS + 2  # the inpainting reads this far around the hole
            y0, x0 = max(rows[0] - m, 0), max(cols[0] - m, 0)
            window = np.s_[y0 : rows[-1] + m + 1, x0 : cols[-1] + m + 1]
            out[window][rest[window]] = _inpaint(out[window], (rest | covered)[window])[rest[window]]
        self.stats.borrowed += int(borrow.sum())
        self.stats.inpainted += int(rest.sum())
        return out

    def _relight(self, frame: np.ndarray, covered: np.ndarray) -> np.ndarray:
        """Light now over remembered light (H×W×3): measured where the stage is seen, spread smoothly elsewhere."""
        h, w = frame.shape[:2]
        small = (max(1, w // RELIGHT_STEP), max(1, h // RELIGHT_STEP))
        seen = cv2.resize((~covered & self._known).astype(np.float32), small, interpolation=cv2.INTER_AREA)
        now = cv2.resize(frame.astype(np.float32), small, interpolation=cv2.INTER_AREA) + 1.0
        then = cv2.resize(self._memory, small, interpolation=cv2.INTER_AREA) + 1.0
        sigma = max(1.0, GAIN_SIGMA * h / RELIGHT_STEP)
        weight = cv2.GaussianBlur(seen, (0, 0), sigma)[..., None]
        ratio = np.clip(now / then, *GAIN_RANGE) * seen[..., None]
        # Far from any seen stage the ratio is unknown: it tends to 1 there (a prior of weight GAIN_PRIOR).
        gain = (cv2.GaussianBlur(ratio, (0, 0), sigma) + GAIN_PRIOR) / (weight + GAIN_PRIOR)
        return cv2.resize(gain.astype(np.float32), (w, h), interpolation=cv2.INTER_LINEAR)
