"""TPSMM's background motion predictor: a ResNet18 regresses a 3×3 affine (projective-form) matrix."""

from __future__ import annotations

import torch
from torch import nn

from .resnet18 import ResNet18


class BGMotionPredictor(nn.Module):
    """(source, driving) RGB N×3×H×W each → N×3×3 background transform; starts as the identity. Training only."""

    def __init__(self):
        super().__init__()
        self.bg_encoder = ResNet18(6, 6)
        nn.init.zeros_(self.bg_encoder.fc.weight)
        with torch.no_grad():
            self.bg_encoder.fc.bias.copy_(torch.tensor([1.0, 0.0, 0.0, 0.0, 1.0, 0.0]))

    def forward(self, source: torch.Tensor, driving: torch.Tensor) -> torch.Tensor:
        n = source.shape[0]
        affine = self.bg_encoder(torch.cat([source, driving], dim=1)).view(n, 2, 3)
        last_row = affine.new_tensor([0.0, 0.0, 1.0]).expand(n, 1, 3)
        return torch.cat([affine, last_row], dim=1)
