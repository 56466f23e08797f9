"""Animate a source image by a driving clip: batched, streaming, engine-agnostic."""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Iterator

import numpy as np
import torch

from .engines.motion_model import MotionModel
from .errors import UserError
from .motion import Keypoints, best_frame_index, reference_frame
from .options import check_mode

Frame = np.ndarray


def _batches(frames: Iterable[Frame], size: int) -> Iterator[list[Frame]]:
    it = iter(frames)
    while batch := list(itertools.islice(it, size)):
        yield batch


def _mode(model: MotionModel, mode: str) -> str:
    check_mode(mode)
    if mode not in model.modes:
        raise UserError(
            f"Model {model.name or type(model).__name__} has no {mode!r} mode; "
            f"choose one of: {', '.join(model.modes)}."
        )
    return mode


def _to_frames(out: torch.Tensor) -> Iterator[Frame]:
    for frame in out.permute(0, 2, 3, 1).float().cpu().numpy():
        yield np.ascontiguousarray(frame)


def animate_iter(
    model: MotionModel,
    source: np.ndarray,
    driving: Iterable[Frame],
    mode: str = "relative",
    adapt_scale: bool = True,
    best_frame: str | int | None = None,
    batch_size: int | None = None,
) -> Iterator[Frame]:
    """Yield frames H×W×3 float32 in [0,1] of `source` moved as in `driving`, as they are ready.

    `mode` is one of fomm_core.options.MODES that the model supports (`model.modes`). The source is encoded
    once. Without best-frame alignment, driving frames stream through in batches (memory bounded by the batch
    size). With it, a first pass keeps only the driving keypoints, picks the
    initial frame ("auto": the pose closest to the source's; or a given index), then generates every frame
    relative to it, which is what animating forward and backward from that frame amounts to.
    `batch_size` None picks 1 on CPU (batching does not pay there) and 8 on CUDA.
    """
    mode = _mode(model, mode)
    if batch_size is None:
        batch_size = 8 if model.device.type == "cuda" else 1
    if batch_size < 1:
        raise UserError("batch_size must be at least 1.")
    with torch.inference_mode():
        state = model.encode_source(model.to_tensor(source))
        if best_frame is None:
            kp_initial = None
            for batch in _batches(driving, batch_size):
                kp = model.detect_keypoints(model.to_tensor(np.stack(batch)))
                kp_initial = kp[0] if kp_initial is None else kp_initial
                yield from _to_frames(
                    model.generate(state, model.drive_keypoints(state, kp, kp_initial, mode, adapt_scale))
                )
            if kp_initial is None:
                raise UserError("The driving clip has no frames; upload a clip with at least one frame.")
            return
        kps = [model.detect_keypoints(model.to_tensor(np.stack(b))) for b in _batches(driving, batch_size)]
        if not kps:
            raise UserError("The driving clip has no frames; upload a clip with at least one frame.")
        kp_all = Keypoints.cat(kps)
        index = _initial_index(model, state, kp_all, best_frame)
        kp_initial = kp_all[index]
        for start in range(0, len(kp_all), batch_size):
            kp = kp_all[start : start + batch_size]
            yield from _to_frames(
                model.generate(state, model.drive_keypoints(state, kp, kp_initial, mode, adapt_scale))
            )


def _initial_index(model: MotionModel, state: object, kp_all: Keypoints, best_frame: str | int) -> int:
    def closest() -> int:
        source_points = model.keypoint_positions(state.kp)[0].cpu().numpy()
        return best_frame_index(source_points, model.keypoint_positions(kp_all).cpu().numpy())

    return reference_frame(best_frame, len(kp_all), closest)


def animate(
    model: MotionModel,
    source: np.ndarray,
    driving: Iterable[Frame],
    mode: str = "relative",
    adapt_scale: bool = True,
    best_frame: str | int | None = None,
    batch_size: int | None = None,
) -> np.ndarray:
    """All frames of `animate_iter` as one float32 array T×H×W×3 in [0,1]."""
    frames = list(animate_iter(model, source, driving, mode, adapt_scale, best_frame, batch_size))
    return np.stack(frames)
