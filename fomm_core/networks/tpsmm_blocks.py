"""TPSMM's building blocks: conv + InstanceNorm + ReLU blocks and the hourglass that returns every decoder level.

Inference (no autograd) takes exact shortcuts: InstanceNorm runs as per-sample batch-statistics
normalisation on channels-last tensors (no layout copies); nearest-×2 upsampling followed by a 3×3 conv runs
as one 2×2 conv per output phase on the small input (2.25× fewer multiply-adds); convs with one output
channel run as a matrix product plus shifted sums (oneDNN is slow for them); on the CPU, conv weights stay in
oneDNN's blocked layout between calls instead of being reordered on every call (which costs more than the
conv itself for the wide layers on small maps). All compute the same function as the plain path up to
float32 rounding.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

import torch
import torch.nn.functional as F
from torch import nn

from .blocks import MIN_PHASE_PIXELS, interleave_phases, phase_weights

_shortcuts = True


@contextmanager
def plain_ops() -> Iterator[None]:
    """Run the plain InstanceNorm and upsample-then-conv ops even without autograd (reference timing, tests)."""
    global _shortcuts
    previous, _shortcuts = _shortcuts, False
    try:
        yield
    finally:
        _shortcuts = previous


def _fast() -> bool:
    return _shortcuts and not torch.is_grad_enabled()


_PACKING = torch.backends.mkldnn.is_available() and hasattr(torch.ops.mkldnn, "_convolution_pointwise")


def _identity(t: torch.Tensor) -> tuple:
    """What changes when a tensor's values may have: its storage and (outside inference mode) its version."""
    return t.data_ptr(), None if t.is_inference() else t._version


def _packed_conv(owner: nn.Module, slot: str, x: torch.Tensor, sources: tuple[torch.Tensor, torch.Tensor],
                 make: Callable[[], tuple[torch.Tensor, torch.Tensor]], padding: tuple[int, int]) -> torch.Tensor:
    """Stride-1 conv of x by the (weight, bias) that `make` derives from `sources`, with the weight kept in
    oneDNN's layout in `owner`'s `slot`, rebuilt when x's shape or the sources change."""
    key = (tuple(x.shape), *map(_identity, sources))
    cached = owner.__dict__.get(slot)
    if cached is None or cached[0] != key:
        weight, bias = make()
        weight = torch.ops.mkldnn._reorder_convolution_weight(weight, list(padding), [1, 1], [1, 1], 1, list(x.shape))
        cached = owner.__dict__[slot] = (key, weight, bias)
    return torch.ops.mkldnn._convolution_pointwise(x, cached[1], cached[2], list(padding), [1, 1], [1, 1], 1,
                                                   "none", [], "")


def _packable(x: torch.Tensor, conv: nn.Conv2d) -> bool:
    return (_PACKING and _fast() and x.device.type == "cpu" and x.dtype == torch.float32
            and conv.weight.dtype == torch.float32 and conv.bias is not None and conv.stride == (1, 1)
            and conv.dilation == (1, 1) and conv.groups == 1 and conv.padding_mode == "zeros"
            and not isinstance(conv.padding, str))


class Conv2d(nn.Conv2d):
    """nn.Conv2d (same parameters and state_dict keys) whose CPU inference keeps its weights in oneDNN's layout."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if not _packable(x, self):
            return super().forward(x)
        return _packed_conv(self, "_packed", x, (self.weight, self.bias), lambda: (self.weight, self.bias),
                            self.padding)

    def __getstate__(self) -> dict:
        # the oneDNN copies are a cache: not copied or pickled (oneDNN tensors cannot be)
        return {k: v for k, v in self.__dict__.items() if not k.startswith("_packed")}


def _norm(channels: int) -> nn.InstanceNorm2d:
    return nn.InstanceNorm2d(channels, affine=True)


def norm_relu(norm: nn.InstanceNorm2d, x: torch.Tensor) -> torch.Tensor:
    """ReLU(InstanceNorm(x)), keeping x's memory format when no gradient is needed."""
    if not _fast():
        return F.relu(norm(x))
    # For one sample, instance statistics are batch statistics; batch_norm has a channels-last kernel.
    if x.shape[0] == 1:
        return F.batch_norm(x, None, None, norm.weight, norm.bias, True, 0.0, norm.eps).relu_()
    out = torch.empty_like(x)
    for i in range(x.shape[0]):
        out[i:i + 1] = F.batch_norm(x[i:i + 1], None, None, norm.weight, norm.bias, True, 0.0, norm.eps)
    return out.relu_()


def single_output_conv(conv: nn.Conv2d, x: torch.Tensor) -> torch.Tensor:
    """conv(x) for a stride-1 conv with one output channel: every tap's map from one matrix product, then
    summed at its offset."""
    if not _fast() or conv.out_channels != 1 or conv.stride != (1, 1) or conv.groups != 1:
        return conv(x)
    n, c, h, w = x.shape
    kh, kw = conv.kernel_size
    ph, pw = conv.padding
    taps = conv.weight[0].permute(1, 2, 0).reshape(kh * kw, c)
    # acc[y + kh - 1 - dy, x + kw - 1 - dx] += tap(dy, dx)[y, x]; the output is acc shifted by the padding
    acc = x.new_zeros(n, h + kh - 1, w + kw - 1)
    for i in range(n):
        maps = torch.mm(taps, x[i].permute(1, 2, 0).reshape(h * w, c).t()).view(kh, kw, h, w)
        for dy in range(kh):
            for dx in range(kw):
                acc[i, kh - 1 - dy:kh - 1 - dy + h, kw - 1 - dx:kw - 1 - dx + w] += maps[dy, dx]
    out_h, out_w = h + 2 * ph - kh + 1, w + 2 * pw - kw + 1
    top, left = kh - 1 - ph, kw - 1 - pw
    return (acc[:, top:top + out_h, left:left + out_w] + conv.bias).unsqueeze(1)


class SameBlock2d(nn.Module):
    """Conv → InstanceNorm → ReLU at the same resolution."""

    def __init__(self, in_features: int, out_features: int, kernel_size: int = 3, padding: int = 1):
        super().__init__()
        self.conv = Conv2d(in_features, out_features, kernel_size, padding=padding)
        self.norm = _norm(out_features)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return norm_relu(self.norm, self.conv(x))


class DownBlock2d(nn.Module):
    """Conv → InstanceNorm → ReLU → 2×2 average pool."""

    def __init__(self, in_features: int, out_features: int, kernel_size: int = 3, padding: int = 1):
        super().__init__()
        self.conv = Conv2d(in_features, out_features, kernel_size, padding=padding)
        self.norm = _norm(out_features)
        self.pool = nn.AvgPool2d(2)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.pool(norm_relu(self.norm, self.conv(x)))


class UpBlock2d(nn.Module):
    """Nearest ×2 upsampling → conv → InstanceNorm → ReLU."""

    def __init__(self, in_features: int, out_features: int, kernel_size: int = 3, padding: int = 1):
        super().__init__()
        self.conv = Conv2d(in_features, out_features, kernel_size, padding=padding)
        self.norm = _norm(out_features)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        phased = (_fast() and self.conv.kernel_size == (3, 3) and self.conv.padding == (1, 1)
                  and x.shape[2] * x.shape[3] >= MIN_PHASE_PIXELS)
        out = self._upsample_conv(x) if phased else self.conv(F.interpolate(x, scale_factor=2.0))
        return norm_relu(self.norm, out)

    def _upsample_conv(self, x: torch.Tensor) -> torch.Tensor:
        """conv(nearest ×2 upsampling of x), computed phase by phase on x itself."""
        conv = self.conv
        h, w = x.shape[2:]
        make = lambda: phase_weights(conv.weight, conv.bias)  # noqa: E731
        if _packable(x, conv):
            phases = _packed_conv(conv, "_packed_phases", x, (conv.weight, conv.bias), make, (1, 1))
        else:
            phases = F.conv2d(x, *make(), padding=1)
        return interleave_phases(phases, h, w)


class ResBlock2d(nn.Module):
    """Pre-activation residual block: (IN → ReLU → conv) twice, plus the input."""

    def __init__(self, features: int, kernel_size: int = 3, padding: int = 1):
        super().__init__()
        self.conv1 = Conv2d(features, features, kernel_size, padding=padding)
        self.conv2 = Conv2d(features, features, kernel_size, padding=padding)
        self.norm1 = _norm(features)
        self.norm2 = _norm(features)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out = self.conv1(norm_relu(self.norm1, x))
        out = self.conv2(norm_relu(self.norm2, out))
        out += x
        return out


def _width(block_expansion: int, level: int, max_features: int) -> int:
    return min(max_features, block_expansion * 2**level)


class Encoder(nn.Module):
    """Hourglass encoder: num_blocks down blocks; returns the input and every level's output."""

    def __init__(self, block_expansion: int, in_features: int, num_blocks: int, max_features: int):
        super().__init__()
        self.down_blocks = nn.ModuleList(
            DownBlock2d(in_features if i == 0 else _width(block_expansion, i, max_features),
                        _width(block_expansion, i + 1, max_features))
            for i in range(num_blocks))

    def forward(self, x: torch.Tensor) -> list[torch.Tensor]:
        outs = [x]
        for block in self.down_blocks:
            outs.append(block(outs[-1]))
        return outs


class Decoder(nn.Module):
    """Hourglass decoder: up blocks from the deepest level, each output concatenated with its skip."""

    def __init__(self, block_expansion: int, in_features: int, num_blocks: int, max_features: int):
        super().__init__()
        levels = range(num_blocks - 1, -1, -1)
        # in-widths of the up blocks, then the width of the last concatenated output
        self.out_channels = [(1 if i == num_blocks - 1 else 2) * _width(block_expansion, i + 1, max_features)
                             for i in levels]
        self.up_blocks = nn.ModuleList(
            UpBlock2d(c, _width(block_expansion, i, max_features)) for c, i in zip(self.out_channels, levels, strict=True))
        self.out_channels.append(block_expansion + in_features)

    def forward(self, skips: list[torch.Tensor]) -> list[torch.Tensor]:
        out = skips[-1]
        outs = []
        for block, skip in zip(self.up_blocks, reversed(skips[:-1]), strict=True):
            out = torch.cat([block(out), skip], dim=1)
            outs.append(out)
        return outs


class Hourglass(nn.Module):
    """U-Net style hourglass returning the list of all decoder levels (coarsest first, last at input size)."""

    def __init__(self, block_expansion: int, in_features: int, num_blocks: int = 3, max_features: int = 256):
        super().__init__()
        self.encoder = Encoder(block_expansion, in_features, num_blocks, max_features)
        self.decoder = Decoder(block_expansion, in_features, num_blocks, max_features)
        self.out_channels = self.decoder.out_channels

    def forward(self, x: torch.Tensor) -> list[torch.Tensor]:
        return self.decoder(self.encoder(x))
