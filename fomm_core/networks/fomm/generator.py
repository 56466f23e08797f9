"""FOMM occlusion-aware generator: encode the source, warp its features by the dense motion, decode."""

from __future__ import annotations

import torch
from torch import nn

from ..common.blocks import DownBlock2d, ResBlock2d, SameBlock2d, UpBlock2d, width
from ..common.conv import Conv2d
from ..common.sampling import resize, warp
from .config import FOMMConfig
from .dense_motion import DenseMotion, DenseMotionNetwork


class OcclusionAwareGenerator(nn.Module):
    """Generates the source image moved to the driving keypoints."""

    def __init__(self, config: FOMMConfig):
        super().__init__()
        cfg = config.generator
        be, maxf = cfg.block_expansion, cfg.max_features
        self.align_corners = config.align_corners
        self.dense_motion_network = DenseMotionNetwork(config)
        n, norm = cfg.num_down_blocks, nn.BatchNorm2d
        self.first = SameBlock2d(config.num_channels, be, norm, kernel_size=7, padding=3)
        self.down_blocks = nn.ModuleList(
            DownBlock2d(width(be, maxf, i), width(be, maxf, i + 1), norm) for i in range(n)
        )
        self.up_blocks = nn.ModuleList(
            UpBlock2d(width(be, maxf, i + 1), width(be, maxf, i), norm) for i in reversed(range(n))
        )
        self.bottleneck = nn.Sequential()
        for i in range(cfg.num_bottleneck_blocks):
            self.bottleneck.add_module(f"r{i}", ResBlock2d(width(be, maxf, n), norm))
        self.final = Conv2d(be, config.num_channels, kernel_size=7, padding=3)

    def encode(self, source: torch.Tensor) -> torch.Tensor:
        """Source features before warping (depend on the source only)."""
        out = self.first(source)
        for block in self.down_blocks:
            out = block(out)
        return out

    def decode(self, features: torch.Tensor, motion: DenseMotion) -> torch.Tensor:
        """Warp source features by the dense motion, mask occlusions, and decode to an image in [0,1]."""
        n = motion.deformation.shape[0]
        out = warp(features.expand(n, -1, -1, -1), motion.deformation, self.align_corners)
        if motion.occlusion_map is not None:
            occlusion = motion.occlusion_map
            if occlusion.shape[2:] != out.shape[2:]:
                occlusion = resize(occlusion, out.shape[2:], self.align_corners)
            out = out * occlusion
        out = self.bottleneck(out.contiguous(memory_format=torch.channels_last))
        for block in self.up_blocks:
            out = block(out)
        return torch.sigmoid(self.final(out))

    def forward(
        self,
        source: torch.Tensor,
        kp_driving: torch.Tensor,
        jac_driving: torch.Tensor | None,
        kp_source: torch.Tensor,
        jac_source: torch.Tensor | None,
    ) -> dict[str, torch.Tensor]:
        """Full forward as in training: returns prediction, deformed source, masks and occlusion map."""
        motion = self.dense_motion_network(source, kp_driving, jac_driving, kp_source, jac_source)
        out = {
            "prediction": self.decode(self.encode(source), motion),
            "deformed": warp(source, motion.deformation, self.align_corners),
            "mask": motion.mask,
            "sparse_deformed": motion.sparse_deformed,
        }
        if motion.occlusion_map is not None:
            out["occlusion_map"] = motion.occlusion_map
        return out
