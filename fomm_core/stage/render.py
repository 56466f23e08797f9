"""One stage frame at a time: the replaced dancers removed, their fans lit like them and laid in depth order."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from .composite import check_fans, compose, depth_order
from .layer import SOLID, Layer
from .light import StageLight
from .plate import CleanPlate, dancer_hole


class StageRenderer:
    """Streams a clip's frames in order (see `frame`); `light=False` turns the stage-light matching off."""

    def __init__(self, light: bool = True, borrow_moving: bool = True):
        self.plate = CleanPlate(borrow_moving)
        self.light = StageLight(light)

    def frame(
        self,
        frame: np.ndarray,
        alpha: Mapping[int, np.ndarray],
        feet: Mapping[int, float],
        fans: Sequence[tuple[int, Layer]],
        cut: bool = False,
        landmarks: Mapping[int, np.ndarray] | None = None,
    ) -> np.ndarray:
        """The stage frame (uint8 H×W×3) for one clip frame (uint8 H×W×3).

        alpha: every dancer seen in this frame, id -> coverage of the part seen (H×W, 0-1 float or bool);
        feet: their floor contact rows (`placement.ground_rows`); landmarks: their body points (K×2), which
        settle who hides whom where people overlap; fans: (dancer id, the fan's layer placed in frame pixels, see `placement.place`) for the
        replaced dancers seen in this frame; cut=True on the first frame of every shot after the first.
        """
        check_fans([d for d, _ in fans])
        solid = {i: np.asarray(a, np.float32) >= SOLID for i, a in alpha.items()}
        order = depth_order({i: feet[i] for i in solid}, landmarks, solid)
        replaced = [d for d, _ in fans if d in solid]
        hole = np.zeros(frame.shape[:2], bool)
        for d in replaced:
            nearer = [solid[i] for i in order[order.index(d) + 1 :] if i not in replaced]
            hole |= dancer_hole(solid[d], np.logical_or.reduce(nearer) if nearer else None)
        people = np.logical_or.reduce(list(solid.values())) if solid else np.zeros_like(hole)
        plate = self.plate(frame, hole, people, cut)
        lit = [(d, self.light(d, layer, frame, solid[d], cut)) for d, layer in fans if d in solid]
        others = {}
        for i, a in alpha.items():
            if i not in replaced:
                cut_out = Layer.cut_out(frame, np.asarray(a, np.float32))
                if cut_out is not None:
                    others[i] = cut_out
        return compose(plate, lit, others, order)
