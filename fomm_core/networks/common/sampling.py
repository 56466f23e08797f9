"""Coordinates and resampling shared by both engines: grids, keypoint gaussians, antialiased downscaling, warps.

`align_corners` is the sampling convention of a model's weights (its config says which): True puts a grid's -1
and 1 at the centres of the edge pixels in every grid_sample and every resize of a flow.
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from torch import nn


def make_coordinate_grid(
    height: int, width: int, device: torch.device | None = None, dtype: torch.dtype = torch.float32
) -> torch.Tensor:
    """H×W×2 grid of (x, y) pixel-centre coordinates spanning exactly [-1, 1]."""
    x = torch.arange(width, device=device, dtype=dtype)
    y = torch.arange(height, device=device, dtype=dtype)
    x = 2 * (x / (width - 1)) - 1
    y = 2 * (y / (height - 1)) - 1
    return torch.stack([x.view(1, -1).expand(height, width), y.view(-1, 1).expand(height, width)], dim=2)


def kp_to_gaussian(kp_value: torch.Tensor, height: int, width: int, kp_variance: float) -> torch.Tensor:
    """Gaussian heatmaps N×K×H×W centred on keypoints N×K×2."""
    grid = make_coordinate_grid(height, width, kp_value.device, kp_value.dtype)
    diff = grid.view(1, 1, height, width, 2) - kp_value.view(*kp_value.shape[:2], 1, 1, 2)
    return torch.exp(-0.5 * (diff**2).sum(-1) / kp_variance)


def resize(x: torch.Tensor, size: tuple[int, int] | torch.Size, align_corners: bool) -> torch.Tensor:
    """Bilinear resize of a map (flow or mask)."""
    return F.interpolate(x, size=size, mode="bilinear", align_corners=align_corners)


def warp(x: torch.Tensor, deformation: torch.Tensor, align_corners: bool) -> torch.Tensor:
    """Sample x (N×C×H×W) at a deformation (N×h×w×2), bilinearly resized to H×W first when sizes differ."""
    h, w = x.shape[2:]
    if deformation.shape[1:3] != (h, w):
        deformation = resize(deformation.permute(0, 3, 1, 2), (h, w), align_corners).permute(0, 2, 3, 1)
    return F.grid_sample(x, deformation, align_corners=align_corners)


class AntiAliasInterpolation2d(nn.Module):
    """Gaussian blur then subsampling by an integer factor 1/scale, per channel."""

    def __init__(self, channels: int, scale: float):
        super().__init__()
        sigma = (1 / scale - 1) / 2
        kernel_size = 2 * round(sigma * 4) + 1
        self.ka = kernel_size // 2
        self.kb = self.ka - 1 if kernel_size % 2 == 0 else self.ka
        coords = torch.arange(kernel_size, dtype=torch.float32)
        mean = (kernel_size - 1) / 2
        g = torch.exp(-((coords - mean) ** 2) / (2 * sigma**2))
        kernel = torch.outer(g, g)
        kernel = kernel / kernel.sum()
        self.register_buffer("weight", kernel.view(1, 1, kernel_size, kernel_size).repeat(channels, 1, 1, 1))
        self.groups = channels
        self.step = int(round(1 / scale))
        assert math.isclose(self.step * scale, 1.0), "scale must be 1/integer"

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = F.pad(x, (self.ka, self.kb, self.ka, self.kb))
        # the stride keeps every step-th blurred pixel from index 0 without computing the others
        return F.conv2d(x, self.weight, groups=self.groups, stride=self.step)
