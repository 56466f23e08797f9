"""Building blocks shared by the FOMM networks: conv blocks, the hourglass, antialiased downsampling, grids."""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from torch import nn


def make_coordinate_grid(height: int, width: int, device: torch.device | None = None,
                         dtype: torch.dtype = torch.float32) -> torch.Tensor:
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
    return torch.exp(-0.5 * (diff ** 2).sum(-1) / kp_variance)


class SameBlock2d(nn.Module):
    """Conv → batch norm → ReLU at the same resolution."""

    def __init__(self, in_features: int, out_features: int, kernel_size: int = 3, padding: int = 1):
        super().__init__()
        self.conv = nn.Conv2d(in_features, out_features, kernel_size, padding=padding)
        self.norm = nn.BatchNorm2d(out_features, affine=True)
        self.fused = False  # set by freeze_for_inference: batch norm and ReLU live in `conv`

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if self.fused:
            return self.conv(x)
        return F.relu(self.norm(self.conv(x)), inplace=True)


class DownBlock2d(SameBlock2d):
    """Conv → batch norm → ReLU → 2×2 average pooling."""

    def __init__(self, in_features: int, out_features: int, kernel_size: int = 3, padding: int = 1):
        super().__init__(in_features, out_features, kernel_size, padding)
        self.pool = nn.AvgPool2d(kernel_size=(2, 2))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.pool(super().forward(x))


class UpBlock2d(SameBlock2d):
    """Nearest ×2 upsampling → conv → batch norm → ReLU."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if self.fused:  # the frozen conv upsamples itself
            return self.conv(x)
        return super().forward(F.interpolate(x, scale_factor=2))


class ResBlock2d(nn.Module):
    """Pre-activation residual block: BN → ReLU → conv → BN → ReLU → conv, plus the input."""

    def __init__(self, in_features: int, kernel_size: int = 3, padding: int = 1):
        super().__init__()
        self.conv1 = nn.Conv2d(in_features, in_features, kernel_size, padding=padding)
        self.conv2 = nn.Conv2d(in_features, in_features, kernel_size, padding=padding)
        self.norm1 = nn.BatchNorm2d(in_features, affine=True)
        self.norm2 = nn.BatchNorm2d(in_features, affine=True)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out = self.conv1(F.relu(self.norm1(x), inplace=True))
        out = self.conv2(F.relu(self.norm2(out), inplace=True))
        return out + x


def _width(block_expansion: int, max_features: int, level: int) -> int:
    return min(max_features, block_expansion * (2 ** level))


class Encoder(nn.Module):
    """Hourglass encoder: returns the input and every down block's output."""

    def __init__(self, block_expansion: int, in_features: int, num_blocks: int = 3, max_features: int = 256):
        super().__init__()
        self.down_blocks = nn.ModuleList(
            DownBlock2d(in_features if i == 0 else _width(block_expansion, max_features, i),
                        _width(block_expansion, max_features, i + 1))
            for i in range(num_blocks))

    def forward(self, x: torch.Tensor) -> list[torch.Tensor]:
        outs = [x]
        for block in self.down_blocks:
            outs.append(block(outs[-1]))
        return outs


class Decoder(nn.Module):
    """Hourglass decoder: up blocks, each output concatenated with the matching encoder skip."""

    def __init__(self, block_expansion: int, in_features: int, num_blocks: int = 3, max_features: int = 256):
        super().__init__()
        self.up_blocks = nn.ModuleList(
            UpBlock2d((1 if i == num_blocks - 1 else 2) * _width(block_expansion, max_features, i + 1),
                      _width(block_expansion, max_features, i))
            for i in reversed(range(num_blocks)))
        self.out_filters = block_expansion + in_features

    def forward(self, skips: list[torch.Tensor]) -> torch.Tensor:
        out = skips[-1]
        for block, skip in zip(self.up_blocks, reversed(skips[:-1]), strict=True):
            out = torch.cat([block(out), skip], dim=1)
        return out


class Hourglass(nn.Module):
    """U-Net style encoder-decoder; output has block_expansion + in_features channels."""

    def __init__(self, block_expansion: int, in_features: int, num_blocks: int = 3, max_features: int = 256):
        super().__init__()
        self.encoder = Encoder(block_expansion, in_features, num_blocks, max_features)
        self.decoder = Decoder(block_expansion, in_features, num_blocks, max_features)
        self.out_filters = self.decoder.out_filters

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.decoder(self.encoder(x))


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
        g = torch.exp(-((coords - mean) ** 2) / (2 * sigma ** 2))
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


_ONEDNN = torch.backends.mkldnn.is_available() and hasattr(torch.ops.mkldnn, "_convolution_pointwise")


# Nearest ×2 upsampling then a 3×3 conv (padding 1): output row 2i+a reads input rows i-1+a and i+a only, so
# the kernel's rows merge into two taps per phase a: a=0 → (k0, k1+k2) on rows (i-1, i); a=1 → (k0+k1, k2)
# on rows (i, i+1). Same for columns. Each phase is a 2×2 conv on the small input: 4·4/9 of the work at 4×
# the pixels, i.e. 2.25× fewer multiply-adds, for the same function up to rounding.
_PHASE_TAPS = torch.tensor([[[1.0, 0.0, 0.0], [0.0, 1.0, 1.0]], [[1.0, 1.0, 0.0], [0.0, 0.0, 1.0]]])
# Below this many input pixels the conv is bound by reading its (then 16/9× larger) weights: phases don't pay.
MIN_PHASE_PIXELS = 32 * 32


def phase_weights(weight: torch.Tensor, bias: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """3×3 kernels O×I×3×3 → the four 2×2 phase kernels stacked as (row phase, column phase, O)×I×2×2."""
    taps = _PHASE_TAPS.to(weight)
    phases = torch.einsum("ark,bsl,oikl->aboirs", taps, taps, weight)
    return phases.reshape(4 * weight.shape[0], weight.shape[1], 2, 2).contiguous(), bias.repeat(4)


def interleave_phases(phases: torch.Tensor, h: int, w: int) -> torch.Tensor:
    """N×4C×(h+1)×(w+1) phase outputs → the N×C×2h×2w upsampled-and-convolved map (channels_last)."""
    n, c4 = phases.shape[:2]
    c = c4 // 4
    src = phases.permute(0, 2, 3, 1)
    out = src.new_empty(n, h, 2, w, 2, c)
    for a in (0, 1):
        for b in (0, 1):
            p = 2 * a + b
            out[:, :, a, :, b] = src[:, a:a + h, b:b + w, p * c:(p + 1) * c]
    return out.view(n, 2 * h, 2 * w, c).permute(0, 3, 1, 2)


class InferenceConv2d(nn.Conv2d):
    """A frozen conv (optionally upsampling its input ×2 first, optionally with ReLU fused in) whose CPU weight
    stays in oneDNN's blocked layout.

    Plain convs reorder their weight into that layout on every call, which costs as much as the conv itself
    for wide layers on small maps. The reordered copy depends on the input shape, so one is kept per shape.
    """

    def __init__(self, conv: nn.Conv2d, relu: bool, upsample: bool = False):
        super().__init__(conv.in_channels, conv.out_channels, conv.kernel_size, stride=conv.stride,
                         padding=conv.padding, device="meta")
        self.weight, self.bias = conv.weight, conv.bias
        self.relu = relu
        self.upsample = upsample
        self._packed: dict[tuple[int, ...], torch.Tensor] = {}
        self._phases: tuple[torch.Tensor, torch.Tensor] | None = None

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if not (_ONEDNN and x.device.type == "cpu" and x.dtype == torch.float32):
            out = super().forward(F.interpolate(x, scale_factor=2) if self.upsample else x)
            return F.relu(out, inplace=True) if self.relu else out
        h, w = x.shape[2:]
        if self.upsample and self.kernel_size == (3, 3) and self.padding == (1, 1) and h * w >= MIN_PHASE_PIXELS:
            if self._phases is None:
                self._phases = phase_weights(self.weight, self.bias)
            return interleave_phases(self._onednn(x, *self._phases, [1, 1]), h, w)
        if self.upsample:
            x = F.interpolate(x, scale_factor=2)
        return self._onednn(x, self.weight, self.bias, list(self.padding))

    def _onednn(self, x: torch.Tensor, weight: torch.Tensor, bias: torch.Tensor, padding: list[int]) -> torch.Tensor:
        args = (padding, list(self.stride), list(self.dilation), self.groups)
        key = (*x.shape, weight.shape[-1])
        packed = self._packed.get(key)
        if packed is None:
            packed = self._packed[key] = torch.ops.mkldnn._reorder_convolution_weight(weight, *args, list(x.shape))
        return torch.ops.mkldnn._convolution_pointwise(x, packed, bias, *args, "relu" if self.relu else "none",
                                                       [], "")


@torch.no_grad()
def freeze_for_inference(module: nn.Module) -> nn.Module:
    """Prepare a module for inference only: fold every conv → batch-norm pair into the conv (eval statistics),
    fuse the ReLU that follows, and keep conv weights in oneDNN's layout.

    Outputs change only by float rounding. The frozen module's state_dict no longer matches the checkpoint
    layout and its weights must not change afterwards.
    """
    module.eval().requires_grad_(False)
    for block in list(module.modules()):
        if isinstance(block, SameBlock2d) and not block.fused:
            conv, norm = block.conv, block.norm
            scale = norm.weight / torch.sqrt(norm.running_var + norm.eps)
            conv.weight.mul_(scale.view(-1, 1, 1, 1))
            conv.bias.copy_((conv.bias - norm.running_mean) * scale + norm.bias)
            block.conv = InferenceConv2d(conv, relu=True, upsample=isinstance(block, UpBlock2d))
            block.norm, block.fused = nn.Identity(), True
    for parent in list(module.modules()):
        for name, child in parent.named_children():
            if type(child) is nn.Conv2d and child.groups == 1 and child.padding_mode == "zeros":
                setattr(parent, name, InferenceConv2d(child, relu=False))
    return module
