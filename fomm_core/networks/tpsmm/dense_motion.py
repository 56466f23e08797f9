"""TPSMM dense motion network: blends K thin-plate-spline transforms (plus identity) into one optical flow,
and predicts occlusion masks at several resolutions."""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import nn

from ...tps import fit_tps, warp_points
from ..common.blocks import Hourglass, UpBlock2d
from ..common.conv import Conv2d, single_output_conv
from ..common.sampling import AntiAliasInterpolation2d, kp_to_gaussian, make_coordinate_grid
from .config import TPSMMConfig

OCCLUSION_NUM = 4


@dataclass
class TPSDenseMotion:
    """Outputs of the dense motion network."""

    deformation: torch.Tensor  # N×h×w×2 optical flow: where each output pixel samples the source
    occlusion_maps: list[torch.Tensor]  # N×1×·×· in [0,1], coarsest first
    contribution_maps: torch.Tensor  # N×(K+1)×h×w, softmax over the transforms
    deformed_source: torch.Tensor  # N×(K+1)×C×h×w, the downscaled source warped by each transform


@dataclass
class TPSSourceInputs:
    """The source-only inputs of the dense motion network, computed once per source."""

    image: torch.Tensor  # 1×C×h×w, downscaled source
    heatmap: torch.Tensor  # 1×5K×h×w, gaussians at the source keypoints
    kp: torch.Tensor  # 1×5K×2


def contribution_maps(logits: torch.Tensor, dropout_p: float = 0.0) -> torch.Tensor:
    """Softmax over the K+1 transforms; with `dropout_p` > 0 each TPS transform (never the identity, channel 0)
    of each sample is dropped with that probability before normalising (the paper's dropout, Eq. 7-8), so that
    no single transform carries the whole motion."""
    if dropout_p <= 0:
        return F.softmax(logits, dim=1)
    weights = torch.exp(logits - logits.max(dim=1, keepdim=True).values)
    keep = (torch.rand(logits.shape[0], logits.shape[1], 1, 1, device=logits.device) >= dropout_p).to(
        logits.dtype
    )
    keep[:, 0] = 1
    weights = weights * keep
    return weights / (weights.sum(dim=1, keepdim=True) + 1e-6)


class TPSDenseMotionNetwork(nn.Module):
    """Optical flow and multi-resolution occlusion masks from the source and both keypoint sets."""

    def __init__(self, config: TPSMMConfig):
        super().__init__()
        cfg = config.dense_motion
        self.num_tps = config.num_tps
        self.kp_variance = cfg.kp_variance
        self.scale_factor = cfg.scale_factor
        self.multi_mask = config.multi_mask
        self.align_corners = config.align_corners
        if cfg.scale_factor != 1:
            self.down = AntiAliasInterpolation2d(config.num_channels, cfg.scale_factor)
        in_features = config.num_channels * (config.num_tps + 1) + config.num_tps * 5 + 1
        self.hourglass = Hourglass(
            cfg.block_expansion, in_features, cfg.num_blocks, cfg.max_features, nn.InstanceNorm2d
        )
        widths = self.hourglass.out_channels
        self.maps = Conv2d(widths[-1], config.num_tps + 1, kernel_size=7, padding=3)
        if config.multi_mask:
            # masks from the last hourglass levels, then from up blocks back to full resolution
            self.up_nums = int(math.log2(1 / cfg.scale_factor))
            self.up = nn.ModuleList(
                UpBlock2d(widths[-1] // 2**i, widths[-1] // 2 ** (i + 1), nn.InstanceNorm2d)
                for i in range(self.up_nums)
            )
            from_hourglass = OCCLUSION_NUM - self.up_nums
            occ_in = [widths[-from_hourglass + i] for i in range(from_hourglass)]
            occ_in += [widths[-1] // 2 ** (i + 1) for i in range(self.up_nums)]
        else:
            occ_in = [widths[-1]]
        self.occlusion = nn.ModuleList(nn.Conv2d(c, 1, kernel_size=7, padding=3) for c in occ_in)

    def prepare_source(self, source: torch.Tensor, kp_source: torch.Tensor) -> TPSSourceInputs:
        """Downscale the source and draw its keypoint gaussians (independent of the driving frame)."""
        image = self.down(source) if self.scale_factor != 1 else source
        h, w = image.shape[2:]
        return TPSSourceInputs(image, kp_to_gaussian(kp_source, h, w, self.kp_variance), kp_source)

    def transformations(
        self, kp_driving: torch.Tensor, kp_source: torch.Tensor, h: int, w: int
    ) -> torch.Tensor:
        """N×(K+1)×h×w×2: the identity grid, then each group's TPS from driving to source coordinates."""
        n = kp_driving.shape[0]
        # float32 even under autocast: the explicit inverse amplifies rounding
        with torch.autocast(kp_driving.device.type, enabled=False):
            control = kp_driving.float().view(n, self.num_tps, 5, 2)
            affine, weights = fit_tps(control, kp_source.float().view(n, self.num_tps, 5, 2))
            grid = make_coordinate_grid(h, w, kp_driving.device)
            tps = warp_points(grid.view(h * w, 2), control, affine, weights).view(n, self.num_tps, h, w, 2)
        return torch.cat([grid.view(1, 1, h, w, 2).expand(n, 1, h, w, 2), tps], dim=1)

    def forward_prepared(
        self, prepared: TPSSourceInputs, kp_driving: torch.Tensor, dropout_p: float = 0.0
    ) -> TPSDenseMotion:
        """Dense motion for N driving keypoint sets N×5K×2 against one prepared source (or N matching ones);
        `dropout_p` > 0 (training only) drops whole TPS transforms, see `contribution_maps`."""
        n = kp_driving.shape[0]
        image = prepared.image.expand(n, -1, -1, -1)
        c, h, w = image.shape[1:]
        kp_source = prepared.kp.expand(n, -1, -1)
        heatmap = kp_to_gaussian(kp_driving, h, w, self.kp_variance) - prepared.heatmap
        heatmap = torch.cat([heatmap.new_zeros(n, 1, h, w), heatmap], dim=1)

        k1 = self.num_tps + 1
        transforms = self.transformations(kp_driving, kp_source, h, w)
        repeated = image.unsqueeze(1).expand(n, k1, c, h, w).reshape(n * k1, c, h, w)
        deformed = F.grid_sample(
            repeated, transforms.reshape(n * k1, h, w, 2), align_corners=self.align_corners
        )
        deformed = deformed.view(n, k1, c, h, w)

        features = torch.cat([heatmap, deformed.view(n, k1 * c, h, w)], dim=1)
        pred = self.hourglass(features)
        contribution = contribution_maps(self.maps(pred[-1]), dropout_p)
        deformation = (transforms.permute(0, 1, 4, 2, 3) * contribution.unsqueeze(2)).sum(dim=1)
        deformation = deformation.permute(0, 2, 3, 1)
        return TPSDenseMotion(deformation, self.occlusion_maps(pred), contribution, deformed)

    def occlusion_maps(self, pred: list[torch.Tensor]) -> list[torch.Tensor]:
        """Occlusion masks, coarsest first: from the last hourglass levels, then from the up blocks."""
        if not self.multi_mask:
            return [torch.sigmoid(single_output_conv(self.occlusion[0], pred[-1]))]
        from_hourglass = OCCLUSION_NUM - self.up_nums
        maps = [
            torch.sigmoid(single_output_conv(self.occlusion[i], pred[-from_hourglass + i]))
            for i in range(from_hourglass)
        ]
        x = pred[-1]
        for i, up in enumerate(self.up):
            x = up(x)
            maps.append(torch.sigmoid(single_output_conv(self.occlusion[from_hourglass + i], x)))
        return maps

    def forward(
        self, source: torch.Tensor, kp_driving: torch.Tensor, kp_source: torch.Tensor, dropout_p: float = 0.0
    ) -> TPSDenseMotion:
        """Dense motion from full-size sources N×C×H×W and keypoints N×5K×2 (driving, source)."""
        return self.forward_prepared(self.prepare_source(source, kp_source), kp_driving, dropout_p)
