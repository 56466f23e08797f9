"""FOMM dense motion network: blends K local affine motions (plus identity) into one dense warp."""

from __future__ import annotations

from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import nn

from ..common.blocks import Hourglass
from ..common.conv import Conv2d
from ..common.sampling import AntiAliasInterpolation2d, kp_to_gaussian, make_coordinate_grid
from .config import FOMMConfig


@dataclass
class DenseMotion:
    """Outputs of the dense motion network at its working resolution."""

    deformation: torch.Tensor  # N×h×w×2, where each output pixel samples the source
    occlusion_map: torch.Tensor | None  # N×1×h×w in [0,1]
    mask: torch.Tensor  # N×(K+1)×h×w, softmax over the motions
    sparse_deformed: torch.Tensor  # N×(K+1)×C×h×w, the source warped by each motion


@dataclass
class SourceMotionInputs:
    """The source-only inputs of the dense motion network, computed once per source."""

    image: torch.Tensor  # 1×C×h×w, downscaled source
    heatmap: torch.Tensor  # 1×K×h×w, gaussians at the source keypoints


class DenseMotionNetwork(nn.Module):
    """Predicts a dense deformation and an occlusion map from source and driving keypoints."""

    def __init__(self, config: FOMMConfig):
        super().__init__()
        cfg = config.generator.dense_motion
        self.num_kp = config.num_kp
        self.kp_variance = cfg.kp_variance
        self.align_corners = config.align_corners
        in_features = (config.num_kp + 1) * (config.num_channels + 1)
        self.hourglass = Hourglass(
            cfg.block_expansion, in_features, cfg.num_blocks, cfg.max_features, nn.BatchNorm2d
        )
        features = self.hourglass.out_channels[-1]
        self.mask = Conv2d(features, config.num_kp + 1, kernel_size=7, padding=3)
        self.occlusion = None
        if config.generator.estimate_occlusion_map:
            self.occlusion = Conv2d(features, 1, kernel_size=7, padding=3)
        self.scale_factor = cfg.scale_factor
        if cfg.scale_factor != 1:
            self.down = AntiAliasInterpolation2d(config.num_channels, cfg.scale_factor)

    def prepare_source(self, source: torch.Tensor, kp_source: torch.Tensor) -> SourceMotionInputs:
        """Downscale the source and draw its keypoint gaussians (independent of the driving frame)."""
        image = self.down(source) if self.scale_factor != 1 else source
        h, w = image.shape[2:]
        return SourceMotionInputs(image, kp_to_gaussian(kp_source, h, w, self.kp_variance))

    def sparse_motions(
        self,
        kp_driving: torch.Tensor,
        jac_driving: torch.Tensor | None,
        kp_source: torch.Tensor,
        jac_source: torch.Tensor | None,
        h: int,
        w: int,
    ) -> torch.Tensor:
        """N×(K+1)×h×w×2: identity, then for each keypoint z ↦ kp_s + J_s·J_d⁻¹·(z − kp_d)."""
        n, k = kp_driving.shape[:2]
        identity = make_coordinate_grid(h, w, kp_driving.device, kp_driving.dtype).view(1, 1, h, w, 2)
        coords = identity - kp_driving.view(n, k, 1, 1, 2)
        if jac_driving is not None:
            jacobian = jac_source @ torch.inverse(jac_driving)
            coords = (jacobian.view(n, k, 1, 1, 2, 2) @ coords.unsqueeze(-1)).squeeze(-1)
        driving_to_source = coords + kp_source.view(n, k, 1, 1, 2)
        return torch.cat([identity.expand(n, 1, h, w, 2), driving_to_source], dim=1)

    def forward_prepared(
        self,
        prepared: SourceMotionInputs,
        kp_driving: torch.Tensor,
        jac_driving: torch.Tensor | None,
        kp_source: torch.Tensor,
        jac_source: torch.Tensor | None,
    ) -> DenseMotion:
        """Dense motion for N driving keypoint sets against one prepared source (or N matching sources)."""
        n, k = kp_driving.shape[:2]
        image = prepared.image
        c, h, w = image.shape[1:]
        if kp_source.shape[0] != n:
            kp_source = kp_source.expand(n, -1, -1)
            jac_source = None if jac_source is None else jac_source.expand(n, -1, -1, -1)
        heatmap = kp_to_gaussian(kp_driving, h, w, self.kp_variance) - prepared.heatmap
        heatmap = torch.cat([heatmap.new_zeros(n, 1, h, w), heatmap], dim=1).unsqueeze(2)

        motions = self.sparse_motions(kp_driving, jac_driving, kp_source, jac_source, h, w)
        repeated = image.unsqueeze(1).expand(n, k + 1, c, h, w)
        sparse_deformed = F.grid_sample(
            repeated.reshape(n * (k + 1), c, h, w),
            motions.reshape(n * (k + 1), h, w, 2),
            align_corners=self.align_corners,
        ).view(n, k + 1, c, h, w)

        features = torch.cat([heatmap, sparse_deformed], dim=2).view(n, -1, h, w)
        features = self.hourglass(features.contiguous(memory_format=torch.channels_last))[-1]
        mask = F.softmax(self.mask(features), dim=1)
        deformation = (motions.permute(0, 1, 4, 2, 3) * mask.unsqueeze(2)).sum(dim=1).permute(0, 2, 3, 1)
        occlusion = torch.sigmoid(self.occlusion(features)) if self.occlusion is not None else None
        return DenseMotion(deformation, occlusion, mask, sparse_deformed)

    def forward(
        self,
        source: torch.Tensor,
        kp_driving: torch.Tensor,
        jac_driving: torch.Tensor | None,
        kp_source: torch.Tensor,
        jac_source: torch.Tensor | None,
    ) -> DenseMotion:
        """Dense motion from full-size sources N×C×H×W and keypoints (value N×K×2, jacobian N×K×2×2 or None)."""
        prepared = self.prepare_source(source, kp_source)
        return self.forward_prepared(prepared, kp_driving, jac_driving, kp_source, jac_source)
