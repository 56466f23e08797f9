"""The conv blocks and the hourglass of both engines, parametrised by their normalisation layer.

FOMM normalises with BatchNorm2d, TPSMM with InstanceNorm2d (affine, no running statistics); the blocks, their
state_dict keys and the width rule are otherwise the same. Without autograd the blocks take the shortcuts of
`conv` (an eval-mode batch norm is folded into the conv's kept weights, with the ReLU fused).
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from .conv import MIN_PHASE_PIXELS, Conv2d, fast, interleave_phases, phase_weights, upsample

Norm = type[nn.BatchNorm2d] | type[nn.InstanceNorm2d]


def width(block_expansion: int, max_features: int, level: int) -> int:
    """Channels at hourglass/encoder level `level`: block_expansion·2^level, capped at max_features."""
    return min(max_features, block_expansion * 2**level)


def norm_relu(norm: nn.Module, x: torch.Tensor) -> torch.Tensor:
    """ReLU(norm(x)); instance norm without autograd keeps x's memory format."""
    if not (fast() and isinstance(norm, nn.InstanceNorm2d)):
        return F.relu(norm(x), inplace=True)
    # For one sample, instance statistics are batch statistics; batch_norm has a channels-last kernel.
    if x.shape[0] == 1:
        return F.batch_norm(x, None, None, norm.weight, norm.bias, True, 0.0, norm.eps).relu_()
    out = torch.empty_like(x)
    for i in range(x.shape[0]):
        out[i : i + 1] = F.batch_norm(x[i : i + 1], None, None, norm.weight, norm.bias, True, 0.0, norm.eps)
    return out.relu_()


def _folds(norm: nn.Module) -> bool:
    return isinstance(norm, nn.BatchNorm2d) and not norm.training and norm.running_var is not None


def _folded(conv: nn.Conv2d, norm: nn.BatchNorm2d) -> tuple[torch.Tensor, torch.Tensor]:
    """The conv's weight and bias with the batch norm's eval-mode affine map folded in."""
    scale = norm.weight / torch.sqrt(norm.running_var + norm.eps)
    return conv.weight * scale.view(-1, 1, 1, 1), (conv.bias - norm.running_mean) * scale + norm.bias


def conv_norm_relu(conv: Conv2d, norm: nn.Module, x: torch.Tensor, upsampled: bool = False) -> torch.Tensor:
    """ReLU(norm(conv(x))), of x upsampled ×2 (nearest) first when `upsampled`."""
    if not fast():
        return F.relu(norm(conv(upsample(x) if upsampled else x)), inplace=True)
    h, w = x.shape[2:]
    phased = upsampled and conv.kernel_size == (3, 3) and conv.padding == (1, 1) and h * w >= MIN_PHASE_PIXELS
    folds = _folds(norm)
    if conv.keeps_weights(x):
        sources = (conv.weight, conv.bias)
        make = lambda: (conv.weight, conv.bias)  # noqa: E731
        if folds:
            sources += (norm.weight, norm.bias, norm.running_mean, norm.running_var)
            make = lambda: _folded(conv, norm)  # noqa: E731
        if phased:
            out = interleave_phases(
                conv.kept(x, "phases", sources, lambda: phase_weights(*make()), (1, 1), folds), h, w
            )
        else:
            out = conv.kept(upsample(x) if upsampled else x, "plain", sources, make, conv.padding, folds)
        return out if folds else norm_relu(norm, out)
    if phased:
        out = interleave_phases(F.conv2d(x, *phase_weights(conv.weight, conv.bias), padding=1), h, w)
    else:
        out = conv(upsample(x) if upsampled else x)
    return norm_relu(norm, out)


class SameBlock2d(nn.Module):
    """Conv → norm → ReLU at the same resolution."""

    def __init__(
        self, in_features: int, out_features: int, norm: Norm, kernel_size: int = 3, padding: int = 1
    ):
        super().__init__()
        self.conv = Conv2d(in_features, out_features, kernel_size, padding=padding)
        self.norm = norm(out_features, affine=True)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return conv_norm_relu(self.conv, self.norm, x)


class DownBlock2d(SameBlock2d):
    """Conv → norm → ReLU → 2×2 average pooling."""

    def __init__(
        self, in_features: int, out_features: int, norm: Norm, kernel_size: int = 3, padding: int = 1
    ):
        super().__init__(in_features, out_features, norm, kernel_size, padding)
        self.pool = nn.AvgPool2d(kernel_size=(2, 2))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.pool(super().forward(x))


class UpBlock2d(SameBlock2d):
    """Nearest ×2 upsampling → conv → norm → ReLU."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return conv_norm_relu(self.conv, self.norm, x, upsampled=True)


class ResBlock2d(nn.Module):
    """Pre-activation residual block: (norm → ReLU → conv) twice, plus the input."""

    def __init__(self, in_features: int, norm: Norm, kernel_size: int = 3, padding: int = 1):
        super().__init__()
        self.conv1 = Conv2d(in_features, in_features, kernel_size, padding=padding)
        self.conv2 = Conv2d(in_features, in_features, kernel_size, padding=padding)
        self.norm1 = norm(in_features, affine=True)
        self.norm2 = norm(in_features, affine=True)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out = self.conv1(norm_relu(self.norm1, x))
        out = self.conv2(norm_relu(self.norm2, out))
        return out + x


class Encoder(nn.Module):
    """Hourglass encoder: returns the input and every down block's output."""

    def __init__(
        self, block_expansion: int, in_features: int, num_blocks: int, max_features: int, norm: Norm
    ):
        super().__init__()
        self.down_blocks = nn.ModuleList(
            DownBlock2d(
                in_features if i == 0 else width(block_expansion, max_features, i),
                width(block_expansion, max_features, i + 1),
                norm,
            )
            for i in range(num_blocks)
        )

    def forward(self, x: torch.Tensor) -> list[torch.Tensor]:
        outs = [x]
        for block in self.down_blocks:
            outs.append(block(outs[-1]))
        return outs


class Decoder(nn.Module):
    """Hourglass decoder: up blocks from the deepest level, each output concatenated with its skip."""

    def __init__(
        self, block_expansion: int, in_features: int, num_blocks: int, max_features: int, norm: Norm
    ):
        super().__init__()
        levels = range(num_blocks - 1, -1, -1)
        # in-widths of the up blocks, then the width of the last concatenated output
        self.out_channels = [
            (1 if i == num_blocks - 1 else 2) * width(block_expansion, max_features, i + 1) for i in levels
        ]
        self.up_blocks = nn.ModuleList(
            UpBlock2d(c, width(block_expansion, max_features, i), norm)
            for c, i in zip(self.out_channels, levels, strict=True)
        )
        self.out_channels.append(block_expansion + in_features)

    def forward(self, skips: list[torch.Tensor]) -> list[torch.Tensor]:
        out = skips[-1]
        outs = []
        for block, skip in zip(self.up_blocks, reversed(skips[:-1]), strict=True):
            out = torch.cat([block(out), skip], dim=1)
            outs.append(out)
        return outs


class Hourglass(nn.Module):
    """U-Net style encoder-decoder returning every decoder level, coarsest first; the last, at the input size,
    has `out_channels[-1]` = block_expansion + in_features channels."""

    def __init__(
        self, block_expansion: int, in_features: int, num_blocks: int, max_features: int, norm: Norm
    ):
        super().__init__()
        self.encoder = Encoder(block_expansion, in_features, num_blocks, max_features, norm)
        self.decoder = Decoder(block_expansion, in_features, num_blocks, max_features, norm)
        self.out_channels = self.decoder.out_channels

    def forward(self, x: torch.Tensor) -> list[torch.Tensor]:
        return self.decoder(self.encoder(x))
