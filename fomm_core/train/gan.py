"""Optional adversarial training: FOMM's multi-scale patch discriminator, LSGAN and feature-matching losses.

State-dict keys match the original discriminator (FOMM.md §3): `discs.<scale>.down_blocks.<i>.conv|norm`,
`discs.<scale>.conv`; with spectral norm the conv weights become `weight_orig`, `weight_u`, `weight_v`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import torch
import torch.nn.functional as F
from torch import nn

from ..networks.common.sampling import kp_to_gaussian


def _maybe_sn(conv: nn.Conv2d, sn: bool) -> nn.Module:
    return nn.utils.spectral_norm(conv) if sn else conv


class DiscriminatorBlock(nn.Module):
    """4×4 conv (no padding) → optional instance norm → LeakyReLU(0.2) → optional 2×2 average pooling."""

    def __init__(self, in_features: int, out_features: int, norm: bool, pool: bool, sn: bool):
        super().__init__()
        self.conv = _maybe_sn(nn.Conv2d(in_features, out_features, kernel_size=4), sn)
        self.norm = nn.InstanceNorm2d(out_features, affine=True) if norm else None
        self.pool = pool

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out = self.conv(x)
        if self.norm is not None:
            out = self.norm(out)
        out = F.leaky_relu(out, 0.2)
        return F.avg_pool2d(out, 2) if self.pool else out


class Discriminator(nn.Module):
    """Patch discriminator for one scale: returns its block outputs (for feature matching) and a score map."""

    def __init__(
        self,
        num_channels: int = 3,
        block_expansion: int = 64,
        num_blocks: int = 4,
        max_features: int = 512,
        sn: bool = False,
        use_kp: bool = False,
        num_kp: int = 10,
        kp_variance: float = 0.01,
    ):
        super().__init__()
        self.use_kp = use_kp
        self.kp_variance = kp_variance
        widths = [min(max_features, block_expansion * 2 ** (i + 1)) for i in range(num_blocks)]
        inputs = [num_channels + (num_kp if use_kp else 0)] + widths[:-1]
        self.down_blocks = nn.ModuleList(
            DiscriminatorBlock(inputs[i], widths[i], norm=i != 0, pool=i != num_blocks - 1, sn=sn)
            for i in range(num_blocks)
        )
        self.conv = _maybe_sn(nn.Conv2d(widths[-1], 1, kernel_size=1), sn)

    def forward(
        self, x: torch.Tensor, kp: torch.Tensor | None = None
    ) -> tuple[list[torch.Tensor], torch.Tensor]:
        """Images N×C×H×W (and keypoints N×K×2 when use_kp) → (feature maps, prediction map)."""
        if self.use_kp:
            x = torch.cat([x, kp_to_gaussian(kp, x.shape[2], x.shape[3], self.kp_variance)], dim=1)
        features = []
        for block in self.down_blocks:
            x = block(x)
            features.append(x)
        return features, self.conv(x)


class MultiScaleDiscriminator(nn.Module):
    """One discriminator per pyramid scale."""

    def __init__(self, scales: Sequence[float] = (1,), **kwargs: Any):
        super().__init__()
        self.scales = list(scales)
        self.discs = nn.ModuleDict({str(s).replace(".", "-"): Discriminator(**kwargs) for s in self.scales})

    def forward(
        self, pyramid: dict[float, torch.Tensor], kp: torch.Tensor | None = None
    ) -> dict[float, tuple[list[torch.Tensor], torch.Tensor]]:
        """Scale → (feature maps, prediction map) for a pyramid keyed by scale."""
        return {s: self.discs[str(s).replace(".", "-")](pyramid[float(s)], kp) for s in self.scales}


def generator_gan_losses(
    real: dict[float, tuple[list[torch.Tensor], torch.Tensor]],
    fake: dict[float, tuple[list[torch.Tensor], torch.Tensor]],
    gan_weight: float,
    feature_matching: Sequence[float],
) -> dict[str, torch.Tensor]:
    """LSGAN generator loss w · mean((1 − D(fake))²) and feature matching Σ_i w_i · mean |F_i(real) − F_i(fake)|."""
    gan = sum(gan_weight * ((1 - fake[s][1]) ** 2).mean() for s in fake)
    losses = {"generator_gan": gan}
    if any(w != 0 for w in feature_matching):
        losses["feature_matching"] = sum(
            w * (r.detach() - f).abs().mean()
            for s in fake
            for w, r, f in zip(feature_matching, real[s][0], fake[s][0], strict=False)
            if w != 0
        )
    return losses


def discriminator_loss(
    real: dict[float, tuple[list[torch.Tensor], torch.Tensor]],
    fake: dict[float, tuple[list[torch.Tensor], torch.Tensor]],
    weight: float,
) -> torch.Tensor:
    """LSGAN discriminator loss w · mean((1 − D(real))² + D(fake)²), fake computed from detached predictions."""
    return sum(weight * ((1 - real[s][1]) ** 2 + fake[s][1] ** 2).mean() for s in real)
