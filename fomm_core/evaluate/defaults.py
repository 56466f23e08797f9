"""The built-in suite through the whole render pipeline, once per named set of defaults (framing and scene).

Each synthetic case is written as files (photo .png, dance .mp4, and the ground truth .mp4), prepared and
rendered as a user's upload is (fomm_core.pipeline), and the result is compared with the ground truth cut by
the same framing: every variant is scored on what its user would get. A variant is a name and a function
(photo path, clip path) -> RenderPlan; `options_variant` makes one from RenderOptions, so a new option set
is one more line in `VARIANTS`.

With the photo scene the result keeps the photo's framing; the ground truth (the photo's person doing the
dance, in the photo's pixels) and the result are then both cut by the model's source square in the photo,
so every variant is measured on the person's square, as the model made it.
"""

from __future__ import annotations

import itertools
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np
from PIL import Image

from ..engines.motion_model import MotionModel
from ..framing.crop_path import frame_clip, framed_frames
from ..framing.heuristic import detect_person
from ..framing.square_crop import crop_square, edge_colours
from ..geometry import Square
from ..io import VideoWriter, load_photo, open_video, read_frames, to_uint8
from ..options import MAX_OUTPUT_WIDTH, RenderOptions
from ..pipeline import RenderPlan, plan_render, render
from .runner import EvalRun, run
from .suites import Case

PlanFn = Callable[[Path, Path], RenderPlan]


def options_variant(options: RenderOptions) -> PlanFn:
    """A variant that prepares the render with these options, as the app and the CLI do."""
    return lambda photo, clip: plan_render(photo, clip, options)


def heuristic_plan(photo: Path, clip: Path) -> RenderPlan:
    """The background-difference heuristic's framing of the clip's dancer and the photo's person (what the render
    falls back to without the pose model), on the plain square, with the other options at their defaults."""
    options = RenderOptions(scene="plain")
    info = open_video(clip, max_fps=options.max_fps, max_duration=options.max_duration)
    image = load_photo(photo)
    return RenderPlan(info, frame_clip(info), image, detect_person(image), options, inputs=(photo, clip))


VARIANTS: tuple[tuple[str, PlanFn], ...] = (
    ("heuristic framing, scene plain", heuristic_plan),
    ("pose model framing, scene plain", options_variant(RenderOptions(scene="plain"))),
    ("the defaults (pose model framing, scene photo)", options_variant(RenderOptions())),
)


def _write_clip(path: Path, frames: np.ndarray, fps: float) -> Path:
    with VideoWriter(path, fps, (frames.shape[2], frames.shape[1])) as writer:
        for frame in frames:
            writer.write(frame)
    return path


def _read(info_path: Path, size: int | None = None) -> np.ndarray:
    info = open_video(info_path, max_fps=1000.0, label="result")
    frames = read_frames(info, size=None if size is None else (size, size))
    try:
        return np.stack(list(frames)).astype(np.float32) / 255.0
    finally:
        frames.close()


def _framed(clip: Path, plan: RenderPlan, size: int) -> np.ndarray:
    info = open_video(clip, max_fps=plan.options.max_fps, label="ground truth")
    frames = framed_frames(info, plan.framing, size)
    try:
        return np.stack(list(itertools.islice(frames, plan.frame_count))).astype(np.float32) / 255.0
    finally:
        frames.close()


def _scene_cut(path: Path, plan: RenderPlan, size: int, output_side: int | None = None) -> np.ndarray:
    """Frames of a video in the photo's pixels (the ground truth) or in the scene's output (`output_side`: the
    render's square side) cut by the model's source square, size×size float32."""
    square = plan.scene.square
    if output_side is not None:
        layout = plan.scene.layout(plan.photo, output_side, MAX_OUTPUT_WIDTH)
        kx, _ = layout.scale
        x0, y0 = layout.canvas[:2]
        square = Square((square.cx - x0) * kx, (square.cy - y0) * kx, square.side * kx)
    fill = edge_colours(plan.photo)
    info = open_video(path, max_fps=1000.0, label="scene")
    frames = read_frames(info)
    try:
        cut = [crop_square(f, square, size, fill) for f in itertools.islice(frames, plan.frame_count)]
    finally:
        frames.close()
    return np.stack(cut).astype(np.float32) / 255.0


def rendered_case(
    model: MotionModel,
    case: Case,
    plan_fn: PlanFn,
    folder: Path,
    fps: float,
) -> tuple[Case, list[str]]:
    """The case rendered through the pipeline with `plan_fn`'s framing, and the plan's notes."""
    folder.mkdir(parents=True, exist_ok=True)
    photo = folder / "photo.png"
    Image.fromarray(to_uint8(case.photo)).save(photo)
    clip = _write_clip(folder / "dance.mp4", case.driving, fps)
    truth = _write_clip(folder / "expected.mp4", case.expected, fps)
    plan = plan_fn(photo, clip)
    size = model.frame_size
    out = render(plan, model, folder / "result.mp4")
    driving = (
        np.stack(list(itertools.islice(plan.driving(size), plan.frame_count))).astype(np.float32) / 255.0
    )
    scene = plan.scene is not None
    made = Case(
        name=case.name,
        style=case.style,
        photo=plan.source(size).astype(np.float32) / 255.0,
        driving=driving,
        expected=_scene_cut(truth, plan, size) if scene else _framed(truth, plan, size),
        result=_scene_cut(out, plan, size, plan.output_side(size)) if scene else _read(out, size),
    )
    return made, plan.notes


def run_variants(
    model: MotionModel,
    cases: Sequence[Case],
    fps: float,
    variants: Sequence[tuple[str, PlanFn]] = VARIANTS,
    perceptual: bool = False,
    progress: Callable[[int, int, str], None] | None = None,
) -> dict[str, EvalRun]:
    """One evaluation of the rendered cases per variant (name -> EvalRun), with how often each note came up."""
    runs = {}
    with tempfile.TemporaryDirectory(prefix="fomm-defaults-") as tmp:
        for v, (name, plan_fn) in enumerate(variants):
            made, notes = [], {}
            for i, case in enumerate(cases):
                rendered, case_notes = rendered_case(model, case, plan_fn, Path(tmp) / f"{v}-{i}", fps)
                made.append(rendered)
                for note in case_notes:
                    notes[note] = notes.get(note, 0) + 1
                if progress is not None:
                    progress(v * len(cases) + i + 1, len(variants) * len(cases), f"{name}: {case.name}")
            evaluation = run(model, made, f"built-in synthetic, {name}", perceptual=perceptual)
            evaluation.notes += [f"{n} of {len(cases)} renders noted: {note}" for note, n in notes.items()]
            evaluation.info["mode"] = "the render pipeline's (RenderOptions)"
            runs[name] = evaluation
    return runs
