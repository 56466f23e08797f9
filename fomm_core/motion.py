"""Keypoints and their arithmetic in animation: convex-hull area, relative/absolute motion transfer, best frame
(`reference_frame` is the one place the best_frame option is resolved)."""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass

import numpy as np
import torch

from .errors import UserError
from .option_values import AUTO


@dataclass
class Keypoints:
    """A batch of keypoints: value N×K×2 as (x, y) in [-1, 1]; jacobian N×K×2×2 or None."""

    value: torch.Tensor
    jacobian: torch.Tensor | None = None

    def __len__(self) -> int:
        return self.value.shape[0]

    def __getitem__(self, index: int | slice) -> Keypoints:
        if isinstance(index, int):
            index = slice(index, index + 1)
        jac = None if self.jacobian is None else self.jacobian[index]
        return Keypoints(self.value[index], jac)

    def expand(self, n: int) -> Keypoints:
        """Repeat a batch of one n times (a view, no copy)."""
        jac = None if self.jacobian is None else self.jacobian.expand(n, -1, -1, -1)
        return Keypoints(self.value.expand(n, -1, -1), jac)

    @staticmethod
    def cat(parts: list[Keypoints]) -> Keypoints:
        """Concatenate batches."""
        value = torch.cat([p.value for p in parts])
        jac = None if parts[0].jacobian is None else torch.cat([p.jacobian for p in parts])
        return Keypoints(value, jac)


def convex_hull_area(points: np.ndarray | torch.Tensor) -> float:
    """Area of the convex hull of 2-D points (K×2), in float64; 0 for fewer than 3 non-collinear points."""
    pts = np.asarray(points.detach().cpu() if isinstance(points, torch.Tensor) else points, dtype=np.float64)
    pts = np.unique(pts, axis=0)
    if len(pts) < 3:
        return 0.0

    def cross(o: np.ndarray, a: np.ndarray, b: np.ndarray) -> float:
        return (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0])

    def half(seq: np.ndarray) -> list[np.ndarray]:
        chain: list[np.ndarray] = []
        for p in seq:
            while len(chain) >= 2 and cross(chain[-2], chain[-1], p) <= 0:
                chain.pop()
            chain.append(p)
        return chain[:-1]

    # Andrew's monotone chain: np.unique already sorted the points by x, then y.
    hull = np.array(half(pts) + half(pts[::-1]))
    x, y = hull[:, 0], hull[:, 1]
    return float(abs(np.dot(x, np.roll(y, -1)) - np.dot(y, np.roll(x, -1))) / 2)


def movement_scale(kp_source: torch.Tensor, kp_initial: torch.Tensor) -> float:
    """sqrt(hull area of the source keypoints / hull area of the initial driving keypoints), first batch item."""
    source_area = convex_hull_area(kp_source[0])
    initial_area = convex_hull_area(kp_initial[0])
    if initial_area == 0.0:
        return 1.0
    return math.sqrt(source_area) / math.sqrt(initial_area)


def transfer_keypoints(
    kp_source: Keypoints,
    kp_driving: Keypoints,
    kp_initial: Keypoints,
    mode: str,
    adapt_scale: bool,
    relative_jacobian: bool = True,
) -> Keypoints:
    """FOMM's normalize_kp: mode "absolute" uses the driving keypoints as they are; "relative" moves the source's
    keypoints by the driving motion since the initial frame, scaled by the hull-area ratio when adapt_scale."""
    if mode == "absolute":
        return kp_driving
    if mode != "relative":
        raise ValueError(f"keypoint transfer is 'relative' or 'absolute', not {mode!r}")
    scale = movement_scale(kp_source.value, kp_initial.value) if adapt_scale else 1.0
    value = (kp_driving.value - kp_initial.value) * scale + kp_source.value
    jacobian = kp_driving.jacobian
    if relative_jacobian and jacobian is not None:
        jacobian = (jacobian @ torch.inverse(kp_initial.jacobian)) @ kp_source.jacobian
    return Keypoints(value, jacobian)


def normalized_pose(points: np.ndarray) -> np.ndarray:
    """Keypoints centred at their mean and divided by the square root of their hull area."""
    pts = np.asarray(points, dtype=np.float64)
    pts = pts - pts.mean(axis=0, keepdims=True)
    area = convex_hull_area(pts)
    return pts / math.sqrt(area) if area > 0 else pts


def best_frame_index(source_points: np.ndarray, driving_points: np.ndarray) -> int:
    """Index of the driving frame (T×K×2) whose normalised pose is closest to the source's (K×2)."""
    source = normalized_pose(source_points)
    distances = [float(((normalized_pose(p) - source) ** 2).sum()) for p in driving_points]
    return int(np.argmin(distances))


def best_pose_frame(source_landmarks: np.ndarray, frame_landmarks: Mapping[int, np.ndarray]) -> int:
    """The frame (a key of `frame_landmarks`, each K×2 body landmarks) whose normalised pose is closest to the
    source's (K×2): the photo's person and the dancer compared by the pose model's landmarks."""
    frames = sorted(frame_landmarks)
    return frames[best_frame_index(source_landmarks, np.stack([frame_landmarks[k] for k in frames]))]


def reference_frame(
    best_frame: str | int | None, frame_count: int, closest: Callable[[], int] | None = None
) -> int:
    """The driving frame the source's pose is matched to, from the best_frame option: frame 0 for None, the
    given frame (checked against the clip's `frame_count` frames), or for "auto" `closest()` (frame 0 without it).
    """
    if best_frame is None:
        return 0
    if best_frame == AUTO:
        return closest() if closest is not None else 0
    try:
        index = int(best_frame)
    except (TypeError, ValueError):
        raise UserError(f"best_frame must be 'auto', a frame number or empty, not {best_frame!r}.") from None
    if not 0 <= index < frame_count:
        raise UserError(
            f"best_frame {index} is outside the clip, which has {frame_count} frames "
            f"(0 to {frame_count - 1})."
        )
    return index
