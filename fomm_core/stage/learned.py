"""A fan a learned engine generates: each generated square laid over the dancer's crop square in the frame.

A learned engine (square_frames) draws the photo's person in squares cut like the dancer's crops, so square t
stands on the crop square of frame t (fomm_core.framing.crop_path). The person is cut out of it by their mask,
followed through the squares by the landmarker as in the photo scene; the stage then treats the layer as any
fan (dancer removed, lit like them, in depth order).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import cv2
import numpy as np

from ..framing.crop_path import ClipFraming
from ..io import to_uint8
from ..people.blazepose import BlazePose, Roi
from ..puppet.dancer import DancerPose
from ..scene.segment import PersonSegmenter
from .layer import Layer


def follow_person(landmarker: BlazePose, source: np.ndarray) -> PersonSegmenter:
    """A segmenter that follows the person of the source square (uint8 N×N×3) through the generated squares."""
    h, w = source.shape[:2]
    found = landmarker.detect(source)
    roi = found[0].roi if found else Roi(w / 2, h / 2, float(max(w, h)), 0.0)
    pose = landmarker.landmarks(source, roi)
    return PersonSegmenter(landmarker, pose.next_roi, pose.roi.mask_over(pose.mask, w, h))


class LearnedFan:
    """The photo's person as a learned engine draws them in place of dancer `dancer`; `seek(t)` each clip frame."""

    def __init__(
        self,
        squares: Iterator[np.ndarray],
        framing: ClipFraming,
        segment: Callable[[np.ndarray], np.ndarray],
        dancer: int,
        scale: float,
    ):
        """`squares`: one generated square per clip frame; `scale`: output pixels per clip display pixel."""
        self.squares, self.framing, self.segment = squares, framing, segment
        self.dancer, self.scale = dancer, scale
        self.turned = 0  # the learned engine draws whatever the crops show, the back included
        self._t = -1
        self._square: np.ndarray | None = None

    def seek(self, t: int) -> None:
        """Move on to clip frame t: one generated square is taken per frame, whether the dancer is seen or not."""
        while self._t < t:
            self._square = to_uint8(next(self.squares))
            self._t += 1

    def restart(self) -> None:
        """Nothing to forget: the squares follow the crops, whose path starts afresh at every cut."""

    def __call__(self, dancer: DancerPose) -> Layer:
        """The generated person over the crop square of the current frame, cut out by their mask."""
        square = self.framing.square(self._t).scaled(self.scale)
        side = max(2, round(square.side))
        up = side > self._square.shape[0]
        colour = cv2.resize(
            self._square, (side, side), interpolation=cv2.INTER_CUBIC if up else cv2.INTER_AREA
        )
        alpha = cv2.resize(self.segment(self._square), (side, side), interpolation=cv2.INTER_LINEAR)
        return Layer(
            colour.astype(np.float32),
            np.clip(alpha, 0, 1).astype(np.float32),
            round(square.x0),
            round(square.y0),
        )
