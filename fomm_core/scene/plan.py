"""The scene decided before animation (the photo's person, their source square), and what render() builds from it."""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from ..geometry import Square
from ..people.blazepose import BlazePose, Roi
from ..people.person import Person
from .backdrop import remove_person
from .composite import SceneCompositor
from .layout import SceneLayout, scene_layout
from .segment import PersonSegmenter


@dataclass(frozen=True)
class ScenePlan:
    """The person dancing where they stand: their source square in the photo, their mask, where to look for them."""

    square: Square  # the model's source square, photo pixels
    person: Person  # the photo's person as the pose model found them

    def layout(self, photo: np.ndarray, side: int, max_width: int, beside: bool = False) -> SceneLayout:
        """The output's layout with the source square about `side` pixels (see scene_layout)."""
        h, w = photo.shape[:2]
        return scene_layout(w, h, self.square, side, max_width, beside)

    def compositor(
        self, photo: np.ndarray, layout: SceneLayout, frame_size: int, landmarker: BlazePose
    ) -> SceneCompositor:
        """The frame composer: the backdrop made once (the person inpainted away), the animated person's
        mask followed by `landmarker` through the generated frame_size² squares."""
        x0, y0, x1, y1 = layout.canvas
        h, w = photo.shape[:2]
        full = self.person.mask(h, w)
        mask = full[y0:y1, x0:x1]
        size = layout.size
        canvas = cv2.resize(photo[y0:y1, x0:x1], size, interpolation=_interpolation(x1 - x0, size[0]))
        backdrop = remove_person(canvas, cv2.resize(mask, size, interpolation=cv2.INTER_LINEAR))
        step = frame_size / self.square.side  # model-frame pixels per photo pixel
        roi = self.person.roi
        start = Roi(
            (roi.cx - self.square.x0) * step, (roi.cy - self.square.y0) * step, roi.side * step, roi.angle
        )
        first = cv2.warpAffine(
            full,
            np.array(
                [
                    [step, 0.0, (0.5 - self.square.x0) * step - 0.5],
                    [0.0, step, (0.5 - self.square.y0) * step - 0.5],
                ]
            ),
            (frame_size, frame_size),
            flags=cv2.INTER_AREA if step < 1 else cv2.INTER_LINEAR,
            borderValue=0.0,
        )
        return SceneCompositor(layout, backdrop, PersonSegmenter(landmarker, start, first), frame_size)


def _interpolation(length: int, new: int) -> int:
    return cv2.INTER_AREA if new < length else cv2.INTER_CUBIC
