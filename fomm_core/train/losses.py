"""Training losses: the multi-scale perceptual loss (VGG19), its L1 + SSIM fallback, and equivariance.

The reconstruction loss compares prediction and driving frame on an image pyramid made with the same
antialiased downsampling as the networks (FOMM.md §7). Without ImageNet VGG19 weights the fallback sums, per
scale, a weighted mean absolute error and a weighted (1 − SSIM): both are zero exactly on identical images.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence

import torch
import torch.nn.functional as F
from torch import nn

from ..errors import UserError
from ..networks.common.sampling import AntiAliasInterpolation2d
from ..networks.vgg19 import Vgg19, load_vgg19
from .transforms import EquivarianceTransform


class StridedAntiAlias(AntiAliasInterpolation2d):
    """The networks' antialiased downsampling, computed only at the kept pixels (same values, far cheaper).

    Blurring everywhere and then keeping every k-th pixel equals a depthwise convolution with stride k.
    """

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = F.pad(x, (self.ka, self.kb, self.ka, self.kb))
        return F.conv2d(x, self.weight, groups=self.groups, stride=self.step)


class ImagePyramid(nn.Module):
    """Antialiased copies of a batch at each scale (1 = the input itself)."""

    def __init__(self, scales: Sequence[float], channels: int = 3):
        super().__init__()
        self.scales = [float(s) for s in scales]
        self.downs = nn.ModuleDict({_key(s): StridedAntiAlias(channels, s) for s in self.scales if s != 1})

    def forward(self, x: torch.Tensor) -> dict[float, torch.Tensor]:
        """Scale → downscaled batch."""
        return {s: x if s == 1 else self.downs[_key(s)](x) for s in self.scales}


def _key(scale: float) -> str:
    return str(scale).replace(".", "-")


def _gaussian_window(size: int, sigma: float) -> torch.Tensor:
    coords = torch.arange(size, dtype=torch.float32) - (size - 1) / 2
    g = torch.exp(-(coords**2) / (2 * sigma**2))
    g = g / g.sum()
    return torch.outer(g, g)


def ssim(x: torch.Tensor, y: torch.Tensor, window_size: int = 11, sigma: float = 1.5) -> torch.Tensor:
    """Mean structural similarity of two batches N×C×H×W in [0, 1] (gaussian window, reflect padding)."""
    c = x.shape[1]
    size = min(window_size, x.shape[2], x.shape[3])
    size -= 1 - size % 2
    window = _gaussian_window(size, sigma).to(x).expand(c, 1, size, size)
    pad = size // 2

    def blur(t: torch.Tensor) -> torch.Tensor:
        return F.conv2d(F.pad(t, (pad,) * 4, mode="reflect"), window, groups=c)

    mu_x, mu_y = blur(x), blur(y)
    var_x = blur(x * x) - mu_x**2
    var_y = blur(y * y) - mu_y**2
    cov = blur(x * y) - mu_x * mu_y
    c1, c2 = 0.01**2, 0.03**2
    value = ((2 * mu_x * mu_y + c1) * (2 * cov + c2)) / ((mu_x**2 + mu_y**2 + c1) * (var_x + var_y + c2))
    return value.mean()


class PerceptualLoss(nn.Module):
    """Σ_scales Σ_layers w_layer · mean |VGG19(pred) − VGG19(real)| over an image pyramid."""

    kind = "vgg"

    def __init__(self, vgg: Vgg19, scales: Sequence[float], weights: Sequence[float]):
        super().__init__()
        self.vgg = vgg
        self.pyramid = ImagePyramid(scales)
        self.weights = [float(w) for w in weights]

    def forward(self, prediction: torch.Tensor, real: torch.Tensor) -> torch.Tensor:
        """The loss for a batch of predictions and targets in [0, 1]."""
        total = prediction.new_zeros(())
        reals = self.pyramid(real)
        for s, pred in self.pyramid(prediction).items():
            with torch.no_grad():
                target = self.vgg(reals[s])
            for w, a, b in zip(self.weights, self.vgg(pred), target, strict=False):
                total = total + w * (a - b).abs().mean()
        return total


class StructuralLoss(nn.Module):
    """The fallback: Σ_scales w_l1 · mean |pred − real| + w_ssim · (1 − SSIM(pred, real))."""

    kind = "l1_ssim"

    def __init__(self, scales: Sequence[float], l1_weight: float = 10.0, ssim_weight: float = 10.0):
        super().__init__()
        self.pyramid = ImagePyramid(scales)
        self.l1_weight = l1_weight
        self.ssim_weight = ssim_weight

    def forward(self, prediction: torch.Tensor, real: torch.Tensor) -> torch.Tensor:
        """The loss for a batch of predictions and targets in [0, 1]."""
        total = prediction.new_zeros(())
        reals = self.pyramid(real)
        for s, pred in self.pyramid(prediction).items():
            total = total + self.l1_weight * (pred - reals[s]).abs().mean()
            total = total + self.ssim_weight * (1 - ssim(pred, reals[s]))
        return total


def reconstruction_loss(
    kind: str, scales: Sequence[float], weights: Sequence[float], device: torch.device | str = "cpu"
) -> PerceptualLoss | StructuralLoss:
    """The reconstruction loss: "vgg" (perceptual, needs the weights), "l1_ssim", or "auto" (vgg if available).

    "auto" falls back to L1 + SSIM with a warning when the VGG19 weights cannot be had; its per-scale weights
    are the mean of the perceptual layer weights, so loss magnitudes stay comparable in the log.
    """
    if kind not in ("auto", "vgg", "l1_ssim"):
        raise UserError(f"Unknown reconstruction loss {kind!r}: use auto, vgg or l1_ssim.")
    if kind != "l1_ssim":
        vgg = load_vgg19(device)
        if vgg is not None:
            return PerceptualLoss(vgg, scales, weights).to(device)
        if kind == "vgg":
            raise UserError(
                "The VGG19 perceptual loss needs ImageNet weights from the Hub, which could not be "
                "fetched: connect to the internet once, or train with --loss l1_ssim."
            )
        warnings.warn(
            "Training with the multi-scale L1 + SSIM fallback instead of the VGG19 perceptual loss.",
            stacklevel=2,
        )
    weight = sum(weights) / len(weights)
    return StructuralLoss(scales, weight, weight).to(device)


def equivariance_losses(
    transform: EquivarianceTransform,
    kp_driving: tuple[torch.Tensor, torch.Tensor | None],
    kp_transformed: tuple[torch.Tensor, torch.Tensor | None],
) -> dict[str, torch.Tensor]:
    """Value loss mean |kp_d − T(kp_t)| and, with jacobians, mean |I − J_d⁻¹ · (∇T(kp_t) · J_t)| (unweighted)."""
    value_d, jac_d = kp_driving
    value_t, jac_t = kp_transformed
    losses = {"equivariance_value": (value_d - transform.warp_coordinates(value_t)).abs().mean()}
    if jac_d is not None and jac_t is not None:
        composed = transform.jacobian(value_t) @ jac_t
        product = torch.inverse(jac_d) @ composed
        eye = torch.eye(2, dtype=product.dtype, device=product.device)
        losses["equivariance_jacobian"] = (eye - product).abs().mean()
    return losses
