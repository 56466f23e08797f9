"""ZeroGPU execution: the Space's models load onto CUDA up front, and only the animation holds the GPU."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np
import spaces
from spaces.config import Config as SpacesConfig

from fomm_core import animate_iter, load_model
from fomm_core.engines.motion_model import MotionModel
from fomm_core.io.writer import to_uint8

from .model_cache import ModelCache

ON_ZERO_GPU = bool(SpacesConfig.zero_gpu)
# ZeroGPU budget: seconds = base + per-frame cost, capped. GPU_PER_FRAME_S is an estimate, not a measurement:
# no GPU was available to this project. It allows 12x the 2-core CPU speed of the slowest model (TPSMM
# taichi-256, 0.627 s/frame in benchmarks/animate.py); convolutional networks of this size usually run tens of
# times faster on a data-centre GPU than on 2 CPU cores, so it should err high.
GPU_BASE_S, GPU_PER_FRAME_S, GPU_MAX_S = 10, 0.05, 120

# Models by id(): the ZeroGPU worker is a fork of this process, so it finds them here without pickling weights.
_RESIDENT: dict[int, MotionModel] = {}


def _resident(model: MotionModel) -> MotionModel:
    _RESIDENT[id(model)] = model
    return model


def space_models() -> ModelCache:
    """The Space's model cache: on ZeroGPU models load onto CUDA and stay findable by the GPU worker."""
    device = "cuda" if ON_ZERO_GPU else None
    return ModelCache(lambda name: _resident(load_model(name, device=device)))


def _gpu_seconds(
    model_id: int, name: str, source: np.ndarray, frames: np.ndarray, *args: Any, **kwargs: Any
) -> int:
    return int(min(GPU_MAX_S, GPU_BASE_S + GPU_PER_FRAME_S * len(frames)))


@spaces.GPU(duration=_gpu_seconds)
def _animate_on_gpu(
    model_id: int, name: str, source: np.ndarray, frames: np.ndarray, *args: Any, **kwargs: Any
) -> Iterator[np.ndarray]:
    """Frames as uint8: a quarter of float32's bytes to send back from the GPU worker."""
    model = _RESIDENT.get(model_id) or load_model(name, device="cuda")
    for frame in animate_iter(model, source, frames, *args, **kwargs):
        yield to_uint8(frame)


def zero_gpu_animate(
    model: MotionModel, source: np.ndarray, driving: Any, *args: Any, **kwargs: Any
) -> Iterator[np.ndarray]:
    """animate_fn for ZeroGPU: decode the (length-limited) clip on the CPU first, then hold the GPU only to animate."""
    frames = np.stack(list(driving))
    _RESIDENT.setdefault(id(model), model)
    yield from _animate_on_gpu(id(model), model.name, source, frames, *args, **kwargs)
