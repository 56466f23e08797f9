"""The pose engine: the photo's own pixels moved along the dancer's retargeted skeleton (fomm_core.puppet)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import torch

from ..errors import UserError
from .base import Engine

if TYPE_CHECKING:
    from ..puppet.model import PoseModel


class Pose(Engine):
    """No checkpoint and no square networks: BlazePose's landmarks drive a rig of the photo's person."""

    name = "pose"
    description = (
        "Your own photo's pixels moved part by part along the dancer's skeleton: sharp at the photo's "
        "resolution, no training (needs a full-body person and the pose model)."
    )
    modes = ("relative",)  # motion relative to the dancer's reference frame only
    needs_checkpoint = False
    square_frames = False

    def build(self, device: torch.device) -> PoseModel:
        # imported here: the engine table is read at every start, the rig's geometry (SciPy) only when used
        from ..people.model import default_landmarker, fallback_note
        from ..puppet.model import PoseModel

        landmarker = default_landmarker()
        if landmarker is None:
            raise UserError(
                f"The pose engine needs the pose model, which cannot run here. {fallback_note()} Choose another "
                "model."
            )
        return PoseModel(landmarker, self.modes)


ENGINE = Pose()
