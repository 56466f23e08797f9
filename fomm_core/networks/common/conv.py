"""Convolutions for inference: the fast-path switch, phase convs, and convs that keep oneDNN-layout weights.

Without autograd (inference) the blocks take exact shortcuts that compute the same function as the plain ops up
to float32 rounding: nearest-×2 upsampling followed by a 3×3 conv runs as one 2×2 conv per output phase on the
small input (2.25× fewer multiply-adds); convs with one output channel run as a matrix product plus shifted sums
(oneDNN is slow for them); on the CPU, conv weights (with an eval-mode batch norm folded in) stay in oneDNN's
blocked layout between calls instead of being reordered on every call, which costs more than the conv itself
for the wide layers on small maps. `plain_ops()` turns all of them off.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

import torch
import torch.nn.functional as F
from torch import nn

_shortcuts = True


@contextmanager
def plain_ops() -> Iterator[None]:
    """Run the plain ops even without autograd (the original's way: reference timing, tests)."""
    global _shortcuts
    previous, _shortcuts = _shortcuts, False
    try:
        yield
    finally:
        _shortcuts = previous


def fast() -> bool:
    """Whether the inference shortcuts apply: no autograd and not inside `plain_ops()`."""
    return _shortcuts and not torch.is_grad_enabled()


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
            out[:, :, a, :, b] = src[:, a : a + h, b : b + w, p * c : (p + 1) * c]
    return out.view(n, 2 * h, 2 * w, c).permute(0, 3, 1, 2)


_ONEDNN = torch.backends.mkldnn.is_available() and hasattr(torch.ops.mkldnn, "_convolution_pointwise")
# input shapes whose reordered weights a conv keeps at once (batch sizes and frame sizes in use)
_KEPT_SHAPES = 8


def _identity(t: torch.Tensor) -> tuple:
    """What changes when a tensor's values may have: its storage and (outside inference mode) its version."""
    return t.data_ptr(), None if t.is_inference() else t._version


class Conv2d(nn.Conv2d):
    """nn.Conv2d (same parameters and state_dict keys) whose CPU inference keeps its weights in oneDNN's layout.

    The kept copy is keyed on the identity and version of every tensor it derives from and on the input shape,
    so a changed weight is never served stale.
    """

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if not self.keeps_weights(x):
            return super().forward(x)
        return self.kept(x, "plain", (self.weight, self.bias), lambda: (self.weight, self.bias), self.padding)

    def keeps_weights(self, x: torch.Tensor) -> bool:
        """Whether this call can run on kept oneDNN weights."""
        return (
            _ONEDNN
            and fast()
            and x.device.type == "cpu"
            and x.dtype == torch.float32
            and self.weight.dtype == torch.float32
            and self.bias is not None
            and self.stride == (1, 1)
            and self.dilation == (1, 1)
            and self.groups == 1
            and self.padding_mode == "zeros"
            and not isinstance(self.padding, str)
        )

    def kept(
        self,
        x: torch.Tensor,
        kind: str,
        sources: tuple[torch.Tensor, ...],
        make: Callable[[], tuple[torch.Tensor, torch.Tensor]],
        padding: tuple[int, int],
        relu: bool = False,
    ) -> torch.Tensor:
        """Stride-1 conv of x by the (weight, bias) that `make` derives from `sources` (`kind` names the
        derivation), optionally with ReLU fused, the weight kept in oneDNN's layout per input shape."""
        cache = self.__dict__.setdefault("_kept", {})
        key = tuple(map(_identity, sources))
        entry = cache.get(kind)
        if entry is None or entry[0] != key:
            entry = cache[kind] = (key, {})
        packed = entry[1]
        shape = tuple(x.shape)
        if shape not in packed:
            if len(packed) >= _KEPT_SHAPES:
                packed.clear()
            # only the reordered copy is kept: a derived weight is derived again for another input shape
            weight, bias = make()
            packed[shape] = (
                torch.ops.mkldnn._reorder_convolution_weight(
                    weight, list(padding), [1, 1], [1, 1], 1, list(shape)
                ),
                bias,
            )
        weight, bias = packed[shape]
        return torch.ops.mkldnn._convolution_pointwise(
            x, weight, bias, list(padding), [1, 1], [1, 1], 1, "relu" if relu else "none", [], ""
        )

    def __getstate__(self) -> dict:
        # the oneDNN copies are a cache: not copied or pickled (oneDNN tensors cannot be)
        return {k: v for k, v in self.__dict__.items() if k != "_kept"}


def single_output_conv(conv: nn.Conv2d, x: torch.Tensor) -> torch.Tensor:
    """conv(x) for a stride-1 conv with one output channel: every tap's map from one matrix product, then
    summed at its offset."""
    if not fast() or conv.out_channels != 1 or conv.stride != (1, 1) or conv.groups != 1:
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
                acc[i, kh - 1 - dy : kh - 1 - dy + h, kw - 1 - dx : kw - 1 - dx + w] += maps[dy, dx]
    out_h, out_w = h + 2 * ph - kh + 1, w + 2 * pw - kw + 1
    top, left = kh - 1 - ph, kw - 1 - pw
    return (acc[:, top : top + out_h, left : left + out_w] + conv.bias).unsqueeze(1)


def upsample(x: torch.Tensor) -> torch.Tensor:
    """Nearest ×2 upsampling."""
    return F.interpolate(x, scale_factor=2.0)
