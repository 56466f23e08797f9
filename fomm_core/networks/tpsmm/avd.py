"""TPSMM's Advanced Video Driving network: re-poses the source's keypoints like the driving ones, keeping identity."""

from __future__ import annotations

import torch
from torch import nn


def _mlp(in_features: int, out_features: int, widths: tuple[int, ...]) -> nn.Sequential:
    layers: list[nn.Module] = []
    for width in widths:
        layers += [nn.Linear(in_features, width), nn.BatchNorm1d(width), nn.ReLU(inplace=True)]
        in_features = width
    layers.append(nn.Linear(in_features, out_features))
    return nn.Sequential(*layers)


class AVDNetwork(nn.Module):
    """Pose code of the driving keypoints + identity code of the source's → new keypoints N×5K×2."""

    def __init__(self, num_tps: int, id_bottle_size: int = 128, pose_bottle_size: int = 128):
        super().__init__()
        self.num_tps = num_tps
        num_values = num_tps * 5 * 2
        self.id_encoder = _mlp(num_values, id_bottle_size, (256, 512, 1024))
        self.pose_encoder = _mlp(num_values, pose_bottle_size, (256, 512, 1024))
        self.decoder = _mlp(pose_bottle_size + id_bottle_size, num_values, (1024, 512, 256))

    def forward(self, kp_source: torch.Tensor, kp_driving: torch.Tensor) -> torch.Tensor:
        n = kp_driving.shape[0]
        pose = self.pose_encoder(kp_driving.reshape(n, -1))
        identity = self.id_encoder(kp_source.reshape(kp_source.shape[0], -1)).expand(n, -1)
        return self.decoder(torch.cat([pose, identity], dim=1)).view(n, self.num_tps * 5, 2)
