"""Run a model and the baselines over a suite's cases and measure every clip.

Each case is animated in relative mode with adapt-scale (the app's defaults). Cross-identity cases with a
ground-truth video get L1, PSNR, SSIM (and perceptual distance when VGG19 weights load); every cross-identity
case gets excess flicker, identity distance and motion error; self-reconstruction cases (the dancer's own
first frame animated by its clip) get `self_l1`, the paper's protocol, and AKD and MKR by the landmarker
(fomm_core.evaluate.pose_metrics) when it runs. Where the expected video is known,
its own identity distance and motion error are reported too (method "ground truth"): the best a result can
score on those two, since neither is exactly zero for a perfect result.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..animate import animate
from ..engines.motion_model import MotionModel
from ..people.blazepose import BlazePose
from . import baselines, metrics, pose_metrics
from .stats import ClipResult
from .suites import Case

STATIC = "static photo"
BOX_FOLLOW = "box follow"
# The expected video measured like a result: the floor of the metrics that need no ground truth.
GROUND_TRUTH = "ground truth"
# Frames kept per case for the contact sheets and worst-case strips.
SAMPLE_FRAMES = 4


@dataclass
class Sample:
    """A few frames of one case, for pictures: the photo, and per kind (dance, result, expected...) the frames
    at indices `frames`."""

    case: str
    style: str
    photo: np.ndarray
    rows: dict[str, np.ndarray]
    frames: list[int]
    kind: str = "cross"


@dataclass
class EvalRun:
    """Everything a report needs: per-clip results, picture samples, how the run was made, and notes."""

    model: str
    suite: str
    results: list[ClipResult] = field(default_factory=list)
    samples: dict[str, Sample] = field(default_factory=dict)
    info: dict[str, Any] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    @property
    def methods(self) -> list[str]:
        """The model first, then the baselines and the ground-truth floor when present."""
        seen = dict.fromkeys([self.model] + [r.method for r in self.results])
        return list(seen)

    @property
    def compared(self) -> list[str]:
        """The methods that compete: the model and the baselines."""
        return [m for m in self.methods if m != GROUND_TRUTH]

    @property
    def styles(self) -> list[str]:
        """Styles in suite order."""
        return list(dict.fromkeys(r.style for r in self.results))


def _sample_rows(n: int) -> np.ndarray:
    return np.unique(np.linspace(0, n - 1, min(SAMPLE_FRAMES, n)).round().astype(int))


def _measure_cross(
    model: MotionModel,
    case: Case,
    video: np.ndarray,
    kp_video: np.ndarray,
    kp_driving: np.ndarray,
    scale: float,
    features: metrics.FeatureFn | None,
) -> dict[str, float]:
    out: dict[str, float] = {}
    if case.expected is not None:
        out["l1"] = metrics.l1(video, case.expected)
        out["person_l1"] = metrics.person_l1(video, case.expected, case.photo)
        out["psnr"] = metrics.psnr(video, case.expected)
        out["ssim"] = metrics.ssim(video, case.expected)
        if features is not None:
            out["perceptual"] = metrics.perceptual(features, video, case.expected)
    reference = case.expected if case.expected is not None else case.driving
    out["flicker"] = metrics.excess_flicker(video, reference)
    out["identity"] = metrics.identity_distance(case.photo, video)
    out["motion"] = metrics.trajectory_error(kp_video, kp_driving, model.frame_size, scale)
    return out


AnimateFn = Callable[[MotionModel, np.ndarray, np.ndarray], np.ndarray]


def default_animate(
    model: MotionModel, photo: np.ndarray, driving: np.ndarray, batch_size: int = 8
) -> np.ndarray:
    """The app's default animation: relative motion with adapt-scale."""
    return animate(model, photo, driving, mode="relative", adapt_scale=True, batch_size=batch_size)


def _measure_self(
    videos: dict[str, np.ndarray],
    driving: np.ndarray,
    landmarker: BlazePose | None,
) -> dict[str, dict[str, float]]:
    """Self-reconstruction metrics per method: L1, and AKD/MKR when the landmarker runs."""
    out = {method: {"self_l1": metrics.l1(video, driving)} for method, video in videos.items()}
    if landmarker is None:
        return out
    marks_driving = pose_metrics.clip_landmarks(landmarker, driving)
    for method, video in videos.items():
        # the static baseline's frames are all the first frame: the driving's own landmarks there
        marks = (
            marks_driving.repeat(len(video))
            if method == STATIC
            else pose_metrics.clip_landmarks(landmarker, video)
        )
        for name, fn in (("akd", pose_metrics.akd), ("mkr", pose_metrics.mkr)):
            value = fn(marks, marks_driving)
            if not np.isnan(value):
                out[method][name] = value
    return out


def evaluate_case(
    model: MotionModel,
    case: Case,
    features: metrics.FeatureFn | None = None,
    animate_fn: AnimateFn = default_animate,
    landmarker: BlazePose | None = None,
    name: str | None = None,
) -> tuple[list[ClipResult], Sample, float]:
    """Results of the model and the baselines on one case, its picture sample and the model's seconds.

    `name` names the evaluated method when `animate_fn` is another engine's and `model` only measures
    (its keypoint detector and frame size); default: the model's name."""
    start = time.perf_counter()
    made = case.result if case.result is not None else animate_fn(model, case.photo, case.driving)
    result = np.asarray(made, np.float32)
    seconds = time.perf_counter() - start
    name = name or model.name or "model"
    if result.shape != case.driving.shape:
        raise ValueError(f"case {case.name}: frames must be at the model's size {model.frame_size}")
    videos = {name: result, STATIC: baselines.static_photo(case.photo, len(case.driving))}
    if case.boxes is not None:
        videos[BOX_FOLLOW] = baselines.box_follow(case.photo, case.boxes, case.photo_box)
    rows = []
    if case.kind == "self":
        for method, values in _measure_self(videos, case.driving, landmarker).items():
            rows.append(ClipResult(case.name, case.style, method, values))
    else:
        kp_driving = metrics.model_keypoints(model, case.driving)
        kp_photo = metrics.model_keypoints(model, case.photo[None])
        scale = metrics.motion_scale(kp_photo[0], kp_driving[0])
        for method, video in videos.items():
            # the static baseline's frames are all the photo: its keypoints need detecting once
            kp_video = (
                np.repeat(kp_photo, len(video), 0)
                if method == STATIC
                else metrics.model_keypoints(model, video)
            )
            rows.append(
                ClipResult(
                    case.name,
                    case.style,
                    method,
                    _measure_cross(model, case, video, kp_video, kp_driving, scale, features),
                )
            )
        if case.expected is not None:
            kp_expected = metrics.model_keypoints(model, case.expected)
            rows.append(
                ClipResult(
                    case.name,
                    case.style,
                    GROUND_TRUTH,
                    {
                        "identity": metrics.identity_distance(case.photo, case.expected),
                        "motion": metrics.trajectory_error(kp_expected, kp_driving, model.frame_size, scale),
                    },
                )
            )
    pick = _sample_rows(len(case.driving))
    sample_rows = {"dance": case.driving[pick], "result": result[pick]}
    if case.expected is not None and case.kind != "self":
        sample_rows["expected"] = case.expected[pick]
    for method in (STATIC, BOX_FOLLOW):
        if method in videos:
            sample_rows[method] = videos[method][pick]
    return rows, Sample(case.name, case.style, case.photo, sample_rows, pick.tolist(), case.kind), seconds


def _landmarker(evaluation: EvalRun, wanted: bool) -> BlazePose | None:
    """The landmarker for AKD/MKR when self-reconstruction cases need it; a note says which or why not."""
    if not wanted:
        return None
    from ..people import default_landmarker, fallback_note

    landmarker = default_landmarker()
    if landmarker is None:
        evaluation.notes.append(f"AKD/MKR skipped: {fallback_note()}")
    else:
        evaluation.notes.append(
            f"AKD/MKR: BlazePose's 33 landmarks (fomm_core.people), frames resized to "
            f"{pose_metrics.POSE_SIDE}² pixels"
        )
    return landmarker


def run(
    model: MotionModel,
    cases: Sequence[Case],
    suite: str,
    perceptual: bool = True,
    animate_fn: AnimateFn = default_animate,
    progress: Callable[[int, int, str], None] | None = None,
    name: str | None = None,
) -> EvalRun:
    """Evaluate `model` and the baselines on every case; `progress(done, total, case_name)` after each case.

    `name`: the evaluated method when `animate_fn` runs another engine (`model` then only measures motion).

    `animate_fn(model, photo, driving) -> T×H×W×3` makes the model's result (default: `default_animate`).
    """
    start = time.perf_counter()
    evaluation = EvalRun(model=name or model.name or "model", suite=suite)
    features = None
    if perceptual:
        features, note = metrics.perceptual_extractor()
    else:
        note = "perceptual distance skipped: turned off for this run"
    evaluation.notes.append(note)
    landmarker = _landmarker(evaluation, any(c.kind == "self" for c in cases))
    if any(c.kind != "self" for c in cases):
        evaluation.notes.append(
            "cross-identity cases: motion fidelity uses the model's own keypoint detector "
            "(the pose model's AKD/MKR are for self-reconstruction, where the driving frames "
            "are the ground truth)"
        )
    model_seconds, frames = 0.0, 0
    for i, case in enumerate(cases):
        rows, sample, seconds = evaluate_case(model, case, features, animate_fn, landmarker, evaluation.model)
        evaluation.results.extend(rows)
        evaluation.samples.setdefault(case.name, sample)
        model_seconds += seconds
        frames += len(case.driving)
        if progress is not None:
            progress(i + 1, len(cases), case.name)
    evaluation.info.update(
        {
            "model": evaluation.model,
            "checkpoint_sha256": model.sha256,
            "engine": model.config.engine,
            "frame_size": model.frame_size,
            "device": str(model.device),
            "suite": suite,
            "cases": len(cases),
            "frames": frames,
            "model_seconds": round(model_seconds, 2),
            "model_fps": round(frames / model_seconds, 2) if model_seconds else None,
            "total_seconds": round(time.perf_counter() - start, 2),
            "mode": "relative, adapt_scale",
        }
    )
    return evaluation
