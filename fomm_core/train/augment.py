"""Training augmentation in torch: time flip, horizontal flip, colour jitter, small scale/crop.

Every random choice is drawn once per clip and applied identically to all its frames (FOMM.md §7): the
source and driving frames of a training pair must stay consistent with each other.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import torch
import torch.nn.functional as F

from ..networks.common.sampling import make_coordinate_grid

_LUMA = torch.tensor([0.299, 0.587, 0.114])


@dataclass(frozen=True)
class AugmentParams:
    """The random draws for one clip."""

    time_flip: bool = False
    hflip: bool = False
    brightness: float = 1.0
    contrast: float = 1.0
    saturation: float = 1.0
    hue: float = 0.0
    jitter_order: tuple[int, ...] = (0, 1, 2, 3)
    scale: float = 1.0
    shift: tuple[float, float] = (0.0, 0.0)


def _grayscale(frames: torch.Tensor) -> torch.Tensor:
    return (frames * _LUMA.to(frames).view(1, 3, 1, 1)).sum(1, keepdim=True)


def _shift_hue(frames: torch.Tensor, shift: float) -> torch.Tensor:
    """Rotate hue by `shift` turns (HSV round trip)."""
    r, g, b = frames.unbind(1)
    maxc, _ = frames.max(1)
    minc, _ = frames.min(1)
    delta = maxc - minc
    safe = torch.where(delta > 0, delta, torch.ones_like(delta))
    hue = torch.where(
        maxc == r, ((g - b) / safe) % 6, torch.where(maxc == g, (b - r) / safe + 2, (r - g) / safe + 4)
    )
    hue = torch.where(delta > 0, hue / 6, torch.zeros_like(hue))
    sat = torch.where(
        maxc > 0, delta / torch.where(maxc > 0, maxc, torch.ones_like(maxc)), torch.zeros_like(maxc)
    )
    hue = (hue + shift) % 1.0
    k = (torch.tensor([5.0, 3.0, 1.0], device=frames.device).view(1, 3, 1, 1) + hue.unsqueeze(1) * 6) % 6
    weight = torch.clamp(torch.minimum(k, 4 - k), 0, 1)
    return maxc.unsqueeze(1) * (1 - sat.unsqueeze(1) * weight)


class Augmentation:
    """Draws `AugmentParams` for a clip and applies them to its T×3×H×W float frames in [0, 1]."""

    def __init__(
        self,
        horizontal_flip: bool = True,
        time_flip: bool = True,
        brightness: float = 0.0,
        contrast: float = 0.0,
        saturation: float = 0.0,
        hue: float = 0.0,
        scale: tuple[float, float] = (1.0, 1.0),
    ):
        self.horizontal_flip = horizontal_flip
        self.time_flip = time_flip
        self.jitter = (brightness, contrast, saturation, hue)
        self.scale = scale

    @classmethod
    def from_params(cls, params: dict[str, Any] | None) -> Augmentation:
        """From an original config's `augmentation_params` (flip_param, jitter_param, resize_param)."""
        params = params or {}
        flip = params.get("flip_param", {})
        jitter = params.get("jitter_param", {})
        ratio = params.get("resize_param", {}).get("ratio", (1.0, 1.0))
        return cls(
            flip.get("horizontal_flip", False),
            flip.get("time_flip", False),
            jitter.get("brightness", 0.0),
            jitter.get("contrast", 0.0),
            jitter.get("saturation", 0.0),
            jitter.get("hue", 0.0),
            (float(ratio[0]), float(ratio[1])),
        )

    def sample(self, generator: torch.Generator | None = None) -> AugmentParams:
        """Draw the parameters for one clip."""
        u = torch.rand(10, generator=generator).tolist()
        time_flip = self.time_flip and u[0] < 0.5
        # As in the original: a time-flipped clip is never also mirrored, so hflip has p = 0.25 with both on.
        hflip = self.horizontal_flip and not time_flip and u[1] < 0.5
        b, c, s, h = self.jitter
        order = tuple(torch.randperm(4, generator=generator).tolist())
        lo, hi = self.scale
        scale = lo + (hi - lo) * u[6]
        reach = abs(1 - 1 / scale)
        return AugmentParams(
            time_flip,
            hflip,
            1 + b * (2 * u[2] - 1),
            1 + c * (2 * u[3] - 1),
            1 + s * (2 * u[4] - 1),
            h * (2 * u[5] - 1),
            order,
            scale,
            (reach * (2 * u[7] - 1), reach * (2 * u[8] - 1)),
        )

    @staticmethod
    def apply(frames: torch.Tensor, params: AugmentParams) -> torch.Tensor:
        """Apply one clip's parameters to all of its frames T×3×H×W."""
        if params.time_flip:
            frames = frames.flip(0)
        if params.hflip:
            frames = frames.flip(3)
        for op in params.jitter_order:
            if op == 0 and params.brightness != 1:
                frames = (frames * params.brightness).clamp(0, 1)
            elif op == 1 and params.contrast != 1:
                mean = _grayscale(frames).mean(dim=(1, 2, 3), keepdim=True)
                frames = ((frames - mean) * params.contrast + mean).clamp(0, 1)
            elif op == 2 and params.saturation != 1:
                gray = _grayscale(frames)
                frames = ((frames - gray) * params.saturation + gray).clamp(0, 1)
            elif op == 3 and params.hue != 0:
                frames = _shift_hue(frames, params.hue).clamp(0, 1)
        if params.scale != 1 or params.shift != (0.0, 0.0):
            t, _, h, w = frames.shape
            grid = make_coordinate_grid(h, w, frames.device, frames.dtype) / params.scale
            grid = grid + torch.tensor(params.shift, dtype=frames.dtype, device=frames.device)
            frames = F.grid_sample(frames, grid.expand(t, h, w, 2), padding_mode="border", align_corners=True)
        return frames

    def __call__(self, frames: torch.Tensor, generator: torch.Generator | None = None) -> torch.Tensor:
        """Augment one clip T×3×H×W with freshly drawn parameters."""
        return self.apply(frames, self.sample(generator))
