"""TPSMM inpainting network: encode the source, warp every encoder level by the flow, mask occlusions, decode."""

from __future__ import annotations

import torch
from torch import nn

from ..common.blocks import DownBlock2d, ResBlock2d, SameBlock2d, UpBlock2d, width
from ..common.conv import Conv2d
from ..common.sampling import resize, warp
from .config import TPSMMConfig
from .dense_motion import TPSDenseMotion


class InpaintingNetwork(nn.Module):
    """Generates the source image moved by a dense flow, inpainting occluded regions."""

    def __init__(self, config: TPSMMConfig):
        super().__init__()
        be, maxf, n = (
            config.inpainting_block_expansion,
            config.inpainting_max_features,
            config.inpainting_num_down_blocks,
        )
        self.multi_mask = config.multi_mask
        self.align_corners = config.align_corners
        norm = nn.InstanceNorm2d
        self.first = SameBlock2d(config.num_channels, be, norm, kernel_size=7, padding=3)
        widths = [width(be, maxf, i) for i in range(n + 1)]
        self.down_blocks = nn.ModuleList(DownBlock2d(widths[i], widths[i + 1], norm) for i in range(n))
        # level i's decoder takes its down block's output concatenated with the skip of the same width (only
        # the output at the deepest level) and returns its down block's input width; deepest level first
        decoder_in = [widths[i + 1] * (1 if i == n - 1 else 2) for i in reversed(range(n))]
        self.up_blocks = nn.ModuleList(
            UpBlock2d(c, widths[i], norm) for c, i in zip(decoder_in, reversed(range(n)), strict=True)
        )
        self.resblock = nn.ModuleList(ResBlock2d(c, norm) for c in decoder_in for _ in range(2))
        self.final = Conv2d(be, config.num_channels, kernel_size=7, padding=3)

    def encode(self, source: torch.Tensor) -> list[torch.Tensor]:
        """Encoder maps of the source, full resolution first (depend on the source only)."""
        maps = [self.first(source)]
        for block in self.down_blocks:
            maps.append(block(maps[-1]))
        return maps

    def warp(self, x: torch.Tensor, deformation: torch.Tensor) -> torch.Tensor:
        """x sampled at the flow, in the model's sampling convention."""
        return warp(x, deformation, self.align_corners)

    def occlusion_at(self, motion: TPSDenseMotion, level: int, like: torch.Tensor) -> torch.Tensor:
        """The occlusion mask that weighs decoder level `level` (0 = deepest), at `like`'s size."""
        if self.multi_mask:
            return motion.occlusion_maps[level]
        occlusion = motion.occlusion_maps[0]
        return (
            occlusion
            if occlusion.shape[2:] == like.shape[2:]
            else resize(occlusion, like.shape[2:], self.align_corners)
        )

    def decode(
        self, encoded: list[torch.Tensor], source: torch.Tensor, motion: TPSDenseMotion
    ) -> torch.Tensor:
        """The generated frames N×C×H×W in [0,1] from the source's encoder maps (batch 1 or N) and the motion."""
        n = motion.deformation.shape[0]
        flow = motion.deformation
        out = self.warp(encoded[-1].expand(n, -1, -1, -1), flow)
        out = out * self.occlusion_at(motion, 0, out)
        num_blocks = len(self.up_blocks)
        for i in range(num_blocks):
            out = self.up_blocks[i](self.resblock[2 * i + 1](self.resblock[2 * i](out)))
            skip = self.warp(encoded[-(i + 2)].expand(n, -1, -1, -1), flow)
            skip = skip * self.occlusion_at(motion, i + 1, skip)
            if i < num_blocks - 1:
                out = torch.cat([out, skip], dim=1)
        occlusion = self.occlusion_at(motion, -1, out)
        visible = 1 - occlusion
        out = torch.sigmoid(self.final(torch.addcmul(skip, out, visible)))
        return torch.addcmul(self.warp(source.expand(n, -1, -1, -1), flow) * occlusion, out, visible)

    def forward(self, source: torch.Tensor, motion: TPSDenseMotion) -> torch.Tensor:
        """The generated frames from full-size sources N×C×H×W and their dense motion."""
        return self.decode(self.encode(source), source, motion)
