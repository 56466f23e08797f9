"""Photo + dance clip + options → finished mp4: the one function the command line and the app both call.

plan = plan_render(photo, clip, options)  # cheap, CPU: checks inputs, frames the dancer, matches the photo
plan.frame_count                          # known before animating (e.g. to size a ZeroGPU slot)
render(plan, model, out, progress=..., animate_fn=...)  # animate and write

With scene "photo" each generated square is composed into the photo (fomm_core.scene); "plain" writes it as is.
With scene "stage", or several photos (a group), the pose engine draws each photo's person in a dancer's place
in the clip itself, or on a plain backdrop for a group in the plain scene (fomm_core.stage); a learned engine
takes one dancer's place on the stage, its squares generated from that dancer's crops.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import cv2
import numpy as np

from .errors import UserError
from .framing.crop_path import ClipFraming, follow_dancer, frame_clip, framed_frames, square_around
from .framing.people import frame_people
from .framing.photo_match import match_photo
from .geometry import Body, Box
from .io import AudioSegment, KeptFrames, VideoInfo, VideoWriter, load_photo, open_video, to_uint8
from .motion import AUTO, reference_frame
from .options import MAX_OUTPUT_WIDTH, MIN_OUTPUT_SIDE, RenderOptions
from .people.blazepose import BlazePose
from .people.clip import Track
from .people.model import DEFAULT, LandmarkerChoice, chosen_landmarker
from .people.person import Person
from .people.video import work_size
from .scene import SceneCompositor, ScenePlan, plan_scene
from .scene.layout import canvas_box

if TYPE_CHECKING:
    from .engines.motion_model import MotionModel
    from .puppet.model import PoseModel
    from .stage.cast import Cast
    from .stage.learned import LearnedFan

Photo = str | os.PathLike | np.ndarray
Progress = Callable[[int, int], None]
AnimateFn = Callable[..., Iterable[np.ndarray]]
#: With no output size chosen, the photo scene shows the person's square at least this large (pixels) when the
#: photo holds that much: a 128-pixel model would otherwise shrink the whole photo to a thumbnail.
SCENE_SIDE = 384
#: The pose engine's name (fomm_core.engines.pose): it reads the clip at the people tracking's size.
POSE_ENGINE = "pose"
#: The engine that draws groups, and the stage unless a learned model is chosen.
STAGE_ENGINE = POSE_ENGINE
STAGE_MODEL = (
    "Groups are drawn by the pose engine (model 'pose', `--checkpoint pose`), which moves each photo's own "
    "pixels in a dancer's place; {model!r} animates one photo's person, which takes one dancer's place on the "
    "stage. Choose the pose engine, or upload one photo."
)
TURN_NOTE = (
    "The dancer turns away in {count} frames; the photo shows only the person's front, so the person keeps "
    "facing the camera there (their back is never seen)."
)


@dataclass
class RenderPlan:
    """Everything decided before animation: the clip segment, the crops, the matched photo."""

    info: VideoInfo
    framing: ClipFraming
    photo: np.ndarray  # the loaded photo, uint8 H×W×3
    person_box: Box | None  # the person in the photo (None: framing off, pad the photo to a square)
    options: RenderOptions
    notes: list[str] = field(default_factory=list)  # things the user should know about how it was framed
    best_frame: int | None = None  # best_frame="auto" resolved by the landmarker's landmarks
    bodies: tuple[Body, Body] | None = None  # the person's and the dancer's bodies, matched (scene "photo")
    scene: ScenePlan | None = None  # the person dancing in their photo; None: the plain square
    chosen: Person | None = None  # the photo's person as the landmarker found them (landmarks, mask)
    track: Track | None = None  # the followed dancer as the landmarker tracked them
    #: what found the people (None: the heuristic); the photo scene follows the person's mask with it
    landmarker: BlazePose | None = None
    #: the photo's and the clip's paths, which the result may never overwrite
    inputs: tuple[str | os.PathLike, ...] = ()
    #: scene "stage" or a group: who takes whose place (the output is the clip's picture, not a square)
    stage: Cast | None = None
    #: the clip's frames as the people tracking read them, kept for the pose engine (fomm_core.io.kept)
    kept: KeptFrames | None = None

    @property
    def frame_count(self) -> int:
        """Frames the result will have."""
        return self.info.frame_count

    def source(self, size: int) -> np.ndarray:
        """The photo framed like the dancer in the reference frame, size×size uint8."""
        return match_photo(self.photo, self.person_box, self.framing.reference, size, self.bodies)

    def output_side(self, frame_size: int) -> int:
        """Side of the generated square in the result: the chosen output size, else the model's frame size; in
        the photo scene at least SCENE_SIDE when the photo has that many pixels across the person's square."""
        side = output_size(self.options, frame_size)
        if self.scene is None or self.options.output_size is not None:
            return side
        # the photo's own pixels are real detail, so a small model's square is not allowed to shrink them
        detail = min(SCENE_SIDE, int(self.scene.square.side))
        return max(side, detail - detail % 2)

    def compositor(self, frame_size: int, side: int) -> SceneCompositor | None:
        """The scene's frame composer for frame_size² generated squares shown about `side` pixels; None: plain."""
        if self.scene is None:
            return None
        layout = self.scene.layout(self.photo, side, MAX_OUTPUT_WIDTH, self.options.side_by_side)
        return self.scene.compositor(self.photo, layout, frame_size, self.landmarker)

    def driving(self, size: int) -> Iterator[np.ndarray]:
        """The dance clip's frames, framed, size×size uint8, streamed from ffmpeg."""
        return framed_frames(self.info, self.framing, size)

    def release(self) -> None:
        """Remove the kept frames' file (a later render decodes the clip again)."""
        if self.kept is not None:
            self.kept.close()


def plan_render(
    photos: Photo | Sequence[Photo],
    clip: str | os.PathLike,
    options: RenderOptions,
    photo_box: Box | None = None,
    dance_box: Box | None = None,
    landmarker: LandmarkerChoice = DEFAULT,
) -> RenderPlan:
    """Check the inputs and decide the framing; no motion model needed. Raises UserError for bad input.

    `photos`: one photo (a path or an array) or a sequence of them, the user's first. `photo_box`/`dance_box`
    (pixels of the upright photo / the clip's display frame) replace detection. `landmarker` finds the people
    (DEFAULT: the process's shared one; None: the background-difference heuristic). The reference frame (whose
    dancer the photo's person is matched to) is resolved from `options.best_frame` (fomm_core.motion).
    """
    photo_list = _photo_list(photos)
    options.check_people(len(photo_list))
    photo = photo_list[0]
    landmarker = chosen_landmarker(landmarker)
    if options.output_size is not None:
        output_size(options, options.output_size)  # refuse a size over the cap before any work
    info = open_video(
        clip,
        trim_start=options.trim_start,
        trim_end=options.trim_end,
        max_fps=options.max_fps,
        max_duration=options.max_duration,
    )
    notes = [info.damage] if info.damage else []
    if options.scene == "stage" or len(photo_list) > 1:
        return _stage_plan(photo_list, clip, info, options, photo_box or dance_box, landmarker, notes)
    image = load_photo(photo)
    reference = reference_frame(options.best_frame, info.frame_count)
    inputs = tuple(p for p in (photo, clip) if isinstance(p, (str, os.PathLike)))
    if not options.framing:
        framing = frame_clip(info, enabled=False)
        return RenderPlan(info, framing, image, None, options, notes, landmarker=landmarker, inputs=inputs)
    # the pose engine reads the frames the tracking reads: decoded once
    kept = KeptFrames(info, work_size(info)) if options.model == POSE_ENGINE else None
    try:
        return _framed_plan(
            image, info, options, reference, photo_box, dance_box, landmarker, notes, inputs, kept
        )
    except BaseException:
        if kept is not None:
            kept.close()
        raise


def _framed_plan(
    image: np.ndarray,
    info: VideoInfo,
    options: RenderOptions,
    reference: int,
    photo_box: Box | None,
    dance_box: Box | None,
    landmarker: BlazePose | None,
    notes: list[str],
    inputs: tuple[str | os.PathLike, ...],
    kept: KeptFrames | None,
) -> RenderPlan:
    """The plan of one photo's person framed like the clip's dancer, found by `landmarker` (see plan_render)."""
    found = frame_people(
        image,
        info,
        landmarker,
        options.person_for(0),
        options.dancer_for(0),
        reference,
        options.best_frame == AUTO,
        photo_box,
        dance_box,
        kept,
    )
    framing, person_box = found.framing, found.person_box
    notes += found.notes
    if not framing.found:
        notes.append(
            "The dancer could not be found in the clip (a busy or moving background?), so the whole "
            "frame was used. For best results use a clip with a plain background and a static camera."
        )
    elif framing.moving:
        notes.append("The dancer travels across the frame, so the crop follows them.")
    if person_box is None:
        raise UserError(
            "No person found in the photo. Upload a full-body photo of one person standing against a "
            "simple background, or turn framing off."
        )
    h, w = image.shape[:2]
    if photo_box is None and person_box.width >= 0.98 * w and person_box.height >= 0.98 * h:
        notes.append(
            "The photo's background is too busy to find the person, so the whole photo was used. A plain "
            "background works best."
        )
    if found.best_frame is not None:
        notes.append(
            f"The dancer's pose is closest to the photo's at frame {found.best_frame} "
            f"({found.best_frame / info.fps:.2f} s); motion is taken relative to that frame."
        )
    scene, bodies, scene_notes = plan_scene(
        options.scene, (w, h), found.chosen, person_box, framing, landmarker is not None
    )
    notes += scene_notes
    return RenderPlan(
        info,
        framing,
        image,
        person_box,
        options,
        notes,
        found.best_frame,
        bodies,
        scene,
        found.chosen,
        found.track,
        landmarker,
        inputs,
        kept=kept,
    )


def _photo_list(photos: Photo | Sequence[Photo]) -> list[Photo]:
    """The photos, the user's first; refuses none."""
    if isinstance(photos, (str, os.PathLike, np.ndarray)):
        return [photos]
    photos = list(photos)
    if not photos:
        raise UserError("No photo was given: upload a full-body photo.")
    return photos


def _stage_plan(
    photos: list[Photo],
    clip: str | os.PathLike,
    info: VideoInfo,
    options: RenderOptions,
    box: Box | None,
    landmarker: BlazePose | None,
    notes: list[str],
) -> RenderPlan:
    """The plan of a stage or group render: each photo's person cast in a dancer's place (fomm_core.stage)."""
    from .stage.cast import cast

    if options.scene == "photo":
        raise UserError(
            f"{len(photos)} photos dance together on the dance's stage or side by side on a plain backdrop: "
            "choose scene 'stage' or 'plain', or upload one photo."
        )
    if options.model != STAGE_ENGINE and len(photos) > 1:
        raise UserError(STAGE_MODEL.format(model=options.model))
    if box is not None:
        raise UserError(
            "A photo box or dance box places one person by hand; the stage and groups find everyone "
            "themselves: leave the boxes out."
        )
    found = cast([load_photo(p) for p in photos], info, options, landmarker)
    if options.side_by_side:
        notes.append(
            "Side by side is left out on the stage and for groups: the output is the clip's picture."
        )
    inputs = tuple(p for p in (*photos, clip) if isinstance(p, (str, os.PathLike)))
    framing = frame_clip(info, enabled=False)
    if len(photos) == 1:  # a learned engine animates the photo by the replaced dancer's crops
        track, k = found.people.track(found.dancers[0]), info.width / found.people.width
        boxes = {t: box.scaled(k, k) for t, box in track.boxes.items()}
        framing = follow_dancer(
            info, boxes, found.people.cuts, reference_frame(options.best_frame, info.frame_count)
        )
    return RenderPlan(
        info,
        framing,
        found.photos[0],
        found.persons[0].box,
        options,
        notes + found.notes,
        landmarker=landmarker,
        inputs=inputs,
        stage=found,
    )


def output_size(options: RenderOptions, frame_size: int) -> int:
    """Side of the result's square in pixels: the option (rounded up to even) or the model's size.

    The whole output is at most MAX_OUTPUT_WIDTH pixels wide, so a side-by-side square gets half of it.
    """
    size = options.output_size or frame_size
    most = MAX_OUTPUT_WIDTH // 2 if options.side_by_side else MAX_OUTPUT_WIDTH
    if not MIN_OUTPUT_SIDE <= size <= most:
        layout = " with the dance side by side" if options.side_by_side else ""
        raise UserError(
            f"Output size {size} is out of range: choose {MIN_OUTPUT_SIDE} to {most} pixels{layout} (results are at "
            f"most {MAX_OUTPUT_WIDTH} pixels wide in all)."
        )
    return size + size % 2


def render(
    plan: RenderPlan,
    model: MotionModel | PoseModel | None = None,
    out: str | os.PathLike | None = None,
    progress: Progress | None = None,
    animate_fn: AnimateFn | None = None,
    overwrite: bool = True,
) -> Path:
    """Make the result video of `plan` (from `plan_render`) and return its path (a new temporary file when
    `out` is None).

    `out` may not be the photo or the clip, nor anything but a regular file; an existing file is replaced
    only with `overwrite` (fomm_core.io.outputs).

    `model`: a loaded MotionModel or PoseModel (default: load the plan's options.model on options.device).
    `animate_fn` has fomm_core.animate_iter's signature and is called as animate_fn(model, source, driving,
    mode=..., adapt_scale=..., best_frame=..., batch_size=...), `driving` being a lazy iterator of uint8 S×S×3
    frames; the app passes a wrapper that runs it on a GPU. `progress(done, total)` is called after each
    frame is written. The plan's kept frames are removed when it is done, or fails.
    """
    try:
        return _render(plan, model, out, progress, animate_fn, overwrite)
    finally:
        plan.release()


def _render(
    plan: RenderPlan,
    model: MotionModel | PoseModel | None,
    out: str | os.PathLike | None,
    progress: Progress | None,
    animate_fn: AnimateFn | None,
    overwrite: bool,
) -> Path:
    """render()'s work, the kept frames left to it."""
    options = plan.options
    if model is None:
        from .checkpoints.load import load_model

        model = load_model(options.model, device=options.device)
    out = Path(out) if out is not None else Path(tempfile.mkdtemp(prefix="kpop-")) / "result.mp4"
    audio = None
    if options.keep_audio and plan.info.has_audio:
        audio = AudioSegment(plan.info.path, plan.info.start, plan.info.duration)
    total = plan.frame_count
    if plan.stage is not None:
        if getattr(model, "square_frames", True) and len(plan.stage.photos) > 1:
            raise UserError(STAGE_MODEL.format(model=getattr(model, "name", options.model)))
        learned = _learned_fan(plan, model, animate_fn) if getattr(model, "square_frames", True) else None
        frames, (width, height), streams = _stage_frames(plan, learned)
    elif getattr(model, "square_frames", True):
        frames, (width, height), streams = _learned_frames(plan, model, animate_fn)
    else:
        frames, (width, height), streams = _pose_frames(plan, model)
    dance = plan.driving(height) if options.side_by_side and plan.stage is None else None
    try:
        with VideoWriter(
            out,
            plan.info.rate,
            (width + height if dance else width, height),
            audio=audio,
            inputs=plan.inputs,
            overwrite=overwrite,
        ) as writer:
            for done, frame in enumerate(frames, start=1):
                if done > total:
                    break
                writer.write(np.hstack([next(dance), frame]) if dance else frame)
                if progress is not None:
                    progress(done, total)
            if writer.frames != total:
                raise RuntimeError(f"animation returned {writer.frames} frames for a {total}-frame clip")
    finally:
        for it in (*streams, dance):
            if hasattr(it, "close"):
                it.close()
    return out


def _learned_frames(
    plan: RenderPlan, model: MotionModel, animate_fn: AnimateFn | None
) -> tuple[Iterator[np.ndarray], tuple[int, int], tuple[object, ...]]:
    """A learned engine's output frames (uint8), their size, and the streams to close after."""
    if animate_fn is None:
        from .animate import animate_iter as animate_fn
    options = plan.options
    size = model.frame_size
    side = plan.output_side(size)
    compose = plan.compositor(size, side)
    driving = plan.driving(size)
    results = iter(
        animate_fn(
            model,
            plan.source(size),
            driving,
            mode=options.mode,
            adapt_scale=options.adapt_scale,
            best_frame=options.best_frame if plan.best_frame is None else plan.best_frame,
            batch_size=options.batch_size,
        )
    )

    def frames() -> Iterator[np.ndarray]:
        for frame in results:
            frame = to_uint8(frame)
            yield compose(frame) if compose is not None else _resize(frame, side)

    return frames(), compose.size if compose is not None else (side, side), (results, driving)


def _pose_frames(
    plan: RenderPlan, model: PoseModel
) -> tuple[Iterator[np.ndarray], tuple[int, int], tuple[object, ...]]:
    """The pose engine's output frames (uint8) at the scene's resolution, their size, the streams to close."""
    options = plan.options
    if options.mode not in model.modes:
        raise UserError(
            f"The pose engine moves the person relative to the dancer's reference frame only; choose mode "
            f"{' or '.join(model.modes)}, or another model for mode {options.mode}."
        )
    if plan.chosen is None or plan.chosen.landmarks is None or plan.track is None:
        raise UserError(
            "The pose engine needs the pose model to find both the person in the photo and the dancer in the "
            "clip, and it could not here. Upload a full-body photo and a clip of a dancer, keep framing on, "
            "or choose another model."
        )
    canvas, size = _pose_canvas(plan)
    reference = (
        plan.best_frame
        if plan.best_frame is not None
        else reference_frame(options.best_frame, plan.frame_count)
    )
    puppet, posed = model.animate(
        plan.photo, plan.chosen, plan.info, plan.track, canvas, size, reference, plan.kept
    )
    turned = []

    def frames() -> Iterator[np.ndarray]:
        for frame in posed:
            turned.append(frame.turned)
            yield frame.image
        if any(turned):
            plan.notes.append(TURN_NOTE.format(count=sum(turned)))

    return frames(), puppet.size, (posed,)


def _learned_fan(
    plan: RenderPlan, model: MotionModel, animate_fn: AnimateFn | None
) -> tuple[LearnedFan, tuple[object, ...]]:
    """A learned engine's person on the stage, generated from the replaced dancer's crops, and its streams."""
    from .stage.clip import stage_size
    from .stage.learned import LearnedFan, follow_person

    if animate_fn is None:
        from .animate import animate_iter as animate_fn
    options, size = plan.options, model.frame_size
    source, driving = plan.source(size), plan.driving(size)
    squares = iter(
        animate_fn(
            model,
            source,
            driving,
            mode=options.mode,
            adapt_scale=options.adapt_scale,
            best_frame=options.best_frame,
            batch_size=options.batch_size,
        )
    )
    scale = stage_size(plan.info)[0] / plan.info.width
    fan = LearnedFan(
        squares, plan.framing, follow_person(plan.landmarker, source), plan.stage.dancers[0], scale
    )
    return fan, (squares, driving)


def _stage_frames(
    plan: RenderPlan, learned: tuple[LearnedFan, tuple[object, ...]] | None = None
) -> tuple[Iterator[np.ndarray], tuple[int, int], tuple[object, ...]]:
    """The stage's (or a group's plain backdrop's) frames, their size (the clip's picture), the streams to close;
    `learned`: a learned engine's fan and its streams (default: the pose engine's fans)."""
    options = plan.options
    clip = plan.stage.clip(
        plan.info,
        plan.landmarker,
        light=options.stage_light,
        plain=options.scene == "plain",
        fans=[learned[0]] if learned else None,
    )
    streamed = clip.frames()

    def frames() -> Iterator[np.ndarray]:
        yield from streamed
        turned = max((fan.turned for fan in clip.fans), default=0)
        if turned:
            plan.notes.append(TURN_NOTE.format(count=turned))

    return frames(), clip.size, (streamed, *(learned[1] if learned else ()))


def _pose_canvas(plan: RenderPlan) -> tuple[tuple[int, int, int, int], tuple[int, int]]:
    """What the pose engine's frames show of the photo (x0, y0, x1, y1) and at what size (w, h): the photo's
    own resolution unless an output size is chosen.

    Photo scene: the scene's crop around the person; plain: the person's square. The long side is at most
    MAX_OUTPUT_WIDTH, half of it beside the dance.
    """
    options = plan.options
    most = MAX_OUTPUT_WIDTH // 2 if options.side_by_side else MAX_OUTPUT_WIDTH
    if plan.scene is not None:
        h, w = plan.photo.shape[:2]
        x0, y0, x1, y1 = canvas_box(w, h, plan.scene.square)
    else:
        square = square_around(plan.chosen.box)
        x0, y0 = round(square.x0), round(square.y0)
        x1, y1 = x0 + round(square.side), y0 + round(square.side)
    long = max(x1 - x0, y1 - y0)
    k = 1.0  # the photo's own resolution
    if options.output_size is not None:  # in range: plan_render() checked it
        shown = plan.scene.square.side if plan.scene is not None else long
        k = options.output_size / shown
    k = min(k, most / long)
    return (x0, y0, x1, y1), (max(2, 2 * round((x1 - x0) * k / 2)), max(2, 2 * round((y1 - y0) * k / 2)))


def _resize(frame: np.ndarray, side: int) -> np.ndarray:
    if frame.shape[:2] == (side, side):
        return frame
    up = side > frame.shape[0]
    return cv2.resize(frame, (side, side), interpolation=cv2.INTER_LANCZOS4 if up else cv2.INTER_AREA)
