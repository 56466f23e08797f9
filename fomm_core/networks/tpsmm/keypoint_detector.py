"""TPSMM keypoint detector: a ResNet18 regresses K groups of 5 thin-plate-spline control points."""

from __future__ import annotations

import torch
from torch import nn

from .resnet18 import ResNet18


class TPSKeypointDetector(nn.Module):
    """RGB frames N×3×H×W in [0,1] (no mean/std normalisation) → keypoints N×5K×2 in [-1, 1]."""

    def __init__(self, num_tps: int):
        super().__init__()
        self.num_tps = num_tps
        self.fg_encoder = ResNet18(3, num_tps * 5 * 2)

    def forward(self, image: torch.Tensor) -> torch.Tensor:
        out = torch.sigmoid(self.fg_encoder(image)) * 2 - 1
        return out.view(image.shape[0], self.num_tps * 5, 2)
