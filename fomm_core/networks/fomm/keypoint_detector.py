"""FOMM keypoint detector: heatmap-weighted keypoints and local jacobians from an hourglass."""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from ..common.blocks import Hourglass
from ..common.conv import Conv2d
from ..common.sampling import AntiAliasInterpolation2d, make_coordinate_grid
from .config import FOMMConfig


class KPDetector(nn.Module):
    """Predicts K keypoints (softmax heatmap means) and their 2×2 jacobians for a batch of frames."""

    def __init__(self, config: FOMMConfig):
        super().__init__()
        cfg = config.kp_detector
        self.num_kp = config.num_kp
        self.temperature = cfg.temperature
        self.predictor = Hourglass(
            cfg.block_expansion, config.num_channels, cfg.num_blocks, cfg.max_features, nn.BatchNorm2d
        )
        features = self.predictor.out_channels[-1]
        self.kp = Conv2d(features, config.num_kp, kernel_size=7, padding=cfg.pad)
        self.estimate_jacobian = config.estimate_jacobian
        if config.estimate_jacobian:
            self.num_jacobian_maps = 1 if cfg.single_jacobian_map else config.num_kp
            self.jacobian = Conv2d(features, 4 * self.num_jacobian_maps, kernel_size=7, padding=cfg.pad)
            nn.init.zeros_(self.jacobian.weight)
            with torch.no_grad():
                self.jacobian.bias.copy_(torch.tensor([1.0, 0.0, 0.0, 1.0]).repeat(self.num_jacobian_maps))
        self.scale_factor = cfg.scale_factor
        if cfg.scale_factor != 1:
            self.down = AntiAliasInterpolation2d(config.num_channels, cfg.scale_factor)

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor | None]:
        """Frames N×3×H×W in [0,1] → (keypoints N×K×2, jacobians N×K×2×2 or None)."""
        if self.scale_factor != 1:
            x = self.down(x)
        features = self.predictor(x)[-1]
        logits = self.kp(features)
        n, k, h, w = logits.shape
        heatmap = F.softmax(logits.reshape(n, k, h * w).float() / self.temperature, dim=2)
        grid = make_coordinate_grid(h, w, heatmap.device).reshape(h * w, 2)
        value = heatmap @ grid
        if not self.estimate_jacobian:
            return value, None
        jac_maps = self.jacobian(features).reshape(n, self.num_jacobian_maps, 4, h * w).float()
        jacobian = (heatmap.unsqueeze(2) * jac_maps).sum(-1)
        return value, jacobian.reshape(n, k, 2, 2)
