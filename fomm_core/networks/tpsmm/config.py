"""The Thin-Plate Spline Motion Model's hyperparameters: what its networks are built from."""

from __future__ import annotations

from dataclasses import dataclass, field

from ..fomm.config import DenseMotionConfig


@dataclass(frozen=True)
class TPSMMConfig:
    """A whole Thin-Plate Spline Motion Model (num_tps transforms of 5 keypoints each)."""

    num_tps: int = 10
    num_channels: int = 3
    bg: bool = True
    multi_mask: bool = True
    frame_size: int = 256
    inpainting_block_expansion: int = 64
    inpainting_max_features: int = 512
    inpainting_num_down_blocks: int = 3
    dense_motion: DenseMotionConfig = field(default_factory=DenseMotionConfig)
    avd_id_bottle_size: int = 128
    avd_pose_bottle_size: int = 128
    # The sampling convention (see FOMMConfig.align_corners); the original TPSMM code uses True everywhere.
    align_corners: bool = True
    engine: str = "tpsmm"

    @property
    def num_kp(self) -> int:
        """Keypoints in all: five control points per transform."""
        return 5 * self.num_tps
