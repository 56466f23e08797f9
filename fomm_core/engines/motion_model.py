"""What a checkpoint engine's model offers the animation loop: keypoints, source encoding, generation."""

from __future__ import annotations

import abc
from typing import Any, Protocol

import numpy as np
import torch
import torch.nn.functional as F

from ..motion import Keypoints


class ModelConfig(Protocol):
    """What every checkpoint engine's config has (each engine's config class adds its hyperparameters)."""

    engine: str
    frame_size: int
    align_corners: bool


def choose_device(device: str | torch.device | None = None) -> torch.device:
    """The requested device, or CUDA when available, else CPU."""
    if device is not None:
        return torch.device(device)
    return torch.device("cuda" if torch.cuda.is_available() else "cpu")


class MotionModel(abc.ABC):
    """A loaded model: owns its networks (eval mode, on one device) and the few operations animation needs.

    Subclasses implement one engine (FOMM, TPSMM). Tensors are N×3×H×W float in [0, 1] at
    `frame_size`; the animation loop (fomm_core.animate) is engine-agnostic.
    """

    #: animation modes the model supports, as accepted by `drive_keypoints`
    modes: tuple[str, ...] = ("relative", "absolute")

    def __init__(
        self,
        config: ModelConfig,
        device: torch.device,
        name: str = "",
        sha256: str | None = None,
        fp16: bool = False,
    ):
        self.config = config
        self.device = device
        self.name = name
        self.sha256 = sha256
        # fp16 autocast only where it pays and is supported: CUDA.
        self.fp16 = fp16 and device.type == "cuda"

    @property
    def frame_size(self) -> int:
        """Side of the square frames the networks work on."""
        return self.config.frame_size

    def to_tensor(self, frames: np.ndarray | torch.Tensor) -> torch.Tensor:
        """H×W×3 or N×H×W×3 images (uint8, or float in [0, 1]) → N×3×S×S float32 on the model's device.

        Frames already at the model's size are used as they are; others are resized (bilinear, antialiased).
        """
        if isinstance(frames, torch.Tensor):
            x = frames
        else:
            array = np.asarray(frames)
            x = torch.from_numpy(array if array.flags.writeable else array.copy())
        if x.ndim == 3:
            x = x[None]
        x = x.to(self.device)
        x = x.float().div_(255.0) if x.dtype == torch.uint8 else x.float()
        x = x.permute(0, 3, 1, 2)
        size = self.frame_size
        if x.shape[-2:] != (size, size):
            x = F.interpolate(x, size=(size, size), mode="bilinear", align_corners=False, antialias=True)
            x = x.clamp_(0.0, 1.0)
        return x.contiguous(memory_format=torch.channels_last)

    def autocast(self) -> Any:
        """Context for network calls: fp16 autocast on CUDA when asked for, otherwise nothing."""
        return torch.autocast("cuda", dtype=torch.float16, enabled=self.fp16)

    @abc.abstractmethod
    def detect_keypoints(self, frames: torch.Tensor) -> Keypoints:
        """Keypoints of a batch of frames."""

    @abc.abstractmethod
    def encode_source(self, source: torch.Tensor) -> Any:
        """Everything about the 1×3×S×S source that does not depend on the driving frame, computed once.

        The returned object has at least `kp`: the source's Keypoints.
        """

    @abc.abstractmethod
    def drive_keypoints(
        self, source_state: Any, kp_driving: Keypoints, kp_initial: Keypoints, mode: str, adapt_scale: bool
    ) -> Keypoints:
        """The keypoints to generate with, from the driving frames' keypoints and the initial driving frame's."""

    @abc.abstractmethod
    def generate(self, source_state: Any, kp: Keypoints) -> torch.Tensor:
        """Frames N×3×S×S in [0, 1] showing the source moved to the keypoints `kp`."""

    def keypoint_positions(self, kp: Keypoints) -> torch.Tensor:
        """Positions N×K×2 used to compare poses (best-frame alignment)."""
        return kp.value
