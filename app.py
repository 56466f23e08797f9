"""Kpop Idol Generator, the Hugging Face Space: a full-body photo and a dance clip in, the photo dancing out.

UI only: videos come from fomm_core.pipeline.render, ratings go to fomm_core.ratings.
"""

import logging
import math
import os
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import gradio as gr
import numpy as np
import pandas as pd
import spaces
from gradio.utils import get_upload_folder
from PIL import Image
from spaces.config import Config as SpacesConfig
from starlette.middleware import Middleware

import app_text
from fomm_core import RenderOptions, UserError, animate_iter, load_model
from fomm_core.engines.motion_model import MotionModel
from fomm_core.io.writer import to_uint8
from fomm_core.model_cache import ModelCache
from fomm_core.numbers import parse_float, parse_int
from fomm_core.people.inspect import Inspection, inspect_media
from fomm_core.people.person import Person
from fomm_core.people.preview import clip_preview, photo_preview
from fomm_core.pipeline import prepare, render
from fomm_core.plain_text import as_markdown
from fomm_core.raters import describe, distrust_forwarded_headers, proxy_hops_from_env, request_address
from fomm_core.ratings import (
    MAX_COMMENT,
    AlreadyRated,
    RateLimited,
    Rating,
    RatingsError,
    RatingsStore,
    anonymous_session,
    generation_record,
    report,
)
from fomm_core.registry import REGISTRY, native_size
from fomm_core.result_folder import new_result_folder, sweep_results
from fomm_core.uploads import UnreceivedFiles, UploadCheck, file_inputs, file_paths
from fomm_core.weights import preferred_model

log = logging.getLogger("app")

HERE = Path(__file__).resolve().parent
EXAMPLES = [
    (HERE / "examples" / photo, HERE / "examples" / clip)
    for photo, clip in [
        ("photo.png", "dance.mp4"),
        ("photo-2.png", "dance-2.mp4"),
        ("photo-3.png", "dance-3.mp4"),
    ]
]
EXAMPLE_PHOTO, EXAMPLE_CLIP = EXAMPLES[0]
DEFAULT_MODEL = "default"
ON_ZERO_GPU = bool(SpacesConfig.zero_gpu)
MAX_CLIP_SECONDS = float(os.environ.get("FOMM_MAX_CLIP_SECONDS", 20))
MAX_FILE_SIZE = "50mb"
QUEUE_SIZE = 16
CONCURRENCY = 1  # one render at a time: a render already uses every core (or the one GPU slice)
CACHE_CLEANUP = (1800, 3600)  # every 30 min, delete uploads and results older than an hour
GENERATE_TIME_LIMIT_S = 600  # a 20 s clip with the slowest model (TPSMM, ~0.63 s/frame on 2 CPU cores) fits
MIN_OUTPUT_SIZE, MAX_OUTPUT_SIZE = 64, 512
# ZeroGPU budget: seconds = base + per-frame cost, capped. GPU_PER_FRAME_S is an estimate, not a measurement:
# no GPU was available to this project. It allows 12x the 2-core CPU speed of the slowest model (TPSMM
# taichi-256, 0.627 s/frame in benchmarks/animate.py); convolutional networks of this size usually run tens of
# times faster on a data-centre GPU than on 2 CPU cores, so it should err high.
GPU_BASE_S, GPU_PER_FRAME_S, GPU_MAX_S = 10, 0.05, 120
GENERIC_ERROR = (
    "Something went wrong on our side while making the video. Please try again, or try another clip."
)
MODE_CHOICES = [("mode_relative", "relative"), ("mode_absolute", "absolute"), ("mode_avd", "avd")]
SCENE_CHOICES = [("scene_photo", "photo"), ("scene_plain", "plain")]
SIZE_CHOICES = ["384", "512"]
AUTO = "auto"  # the person/dancer pickers' value for "chosen automatically"
PREVIEW_SIDE = 640  # previews are sent at most this size: the numbers stay readable
BOOLEAN_INPUTS = ("adapt_scale", "best_frame", "framing", "side_by_side", "keep_audio")
CSS = """
.gradio-container {max-width: 1100px !important; margin: auto;}
#rate-row button {min-width: 0;}
#models-missing {font-size: var(--text-sm); color: var(--body-text-color-subdued);}
@media (max-width: 640px) {.gradio-container {padding: 4px !important;}}
"""
# Pressing Generate brings the progress and the result into view (on a phone they are below the fold);
# without both files the validator's messages at the inputs are what must stay in view.
SCROLL_TO_RESULT_JS = """(photo, clip) => {
    if (photo && clip) document.getElementById('result')?.scrollIntoView({block: 'nearest'});
    return [photo, clip];
}"""

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


Upload = str | dict[str, Any] | None


def _received(demo: gr.Blocks) -> Callable[[str], bool]:
    """A test for paths Gradio stored for this app: files sent to its /upload route, and its copies of the examples."""
    examples = file_paths([block.samples for block in demo.blocks.values() if isinstance(block, gr.Dataset)])
    return lambda path: path in examples or path in demo.upload_file_set


def _size(choice: str | int | None) -> int | None:
    """Output size choice → pixels, None for the model's own."""
    if choice in (None, "", "native", 0):
        return None
    try:
        return parse_int(choice)
    except ValueError:
        raise UserError(
            f"Output size {choice!r} is not a size; choose 'native' or a number of pixels such as 512."
        ) from None


def _seconds(value: float | str | None) -> float | None:
    """A trim time in seconds; empty or 0 means none."""
    try:
        return parse_float(value) if value else None
    except ValueError:
        raise UserError(f"Trim time {value!r} is not a number of seconds; enter e.g. 2.5.") from None


def _pick_number(value: Any) -> int | None:
    """The number a person/dancer pick names; None for automatic (None, "" or "auto") and for no number."""
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        return None
    try:
        number = parse_int(value)
    except ValueError:
        return None
    return number if number >= 0 else None


def _valid_pick(value: Any) -> bool:
    return value in (None, "", AUTO) or _pick_number(value) is not None


def _pick(value: Any, what: str) -> int | None:
    """A person/dancer pick as RenderOptions takes it: None (automatic) or the number shown in the preview."""
    if not _valid_pick(value):
        raise UserError(
            f"The {what} {value!r} is not a number shown in the preview; choose 'auto' or one of 0, 1, ..."
        )
    return _pick_number(value)


def _language(request: gr.Request | None) -> str:
    return app_text.language(request.headers.get("accept-language") if request is not None else None)


def _small(image: np.ndarray) -> Image.Image:
    """A preview picture at most PREVIEW_SIDE pixels on its long side."""
    picture = Image.fromarray(image)
    picture.thumbnail((PREVIEW_SIDE, PREVIEW_SIDE), Image.Resampling.LANCZOS)
    return picture


def _body(person: Person, lang: str) -> str:
    """A person's short label: full body, or which parts the photo lacks."""
    if person.full_body:
        return app_text.text("full_body", lang)
    parts = ", ".join(app_text.text(f"part_{part}", lang) for part in person.missing)
    return app_text.text("missing", lang, parts=parts)


def _no_preview(lang: str) -> tuple[None, Any, str, None]:
    """Preview outputs when there is no file: no picture, the picker back on automatic."""
    return None, gr.update(choices=[(app_text.text("pick_auto", lang), AUTO)], value=AUTO), "", None


def _preview(
    image: np.ndarray, choices: list[tuple[str, str]], notes: list[str], found: dict[str, Any]
) -> tuple[Image.Image, Any, str, dict[str, Any]]:
    """Preview outputs: the numbered picture, the picker (its choices) on automatic, the notes, what was found."""
    return _small(image), gr.update(choices=choices, value=AUTO), "\n\n".join(notes), found


def _dancers_found(found: Inspection) -> dict[str, Any]:
    """The clip's findings for API callers: each dancer's first and last frame rather than every box."""
    dancers = [{"id": k.id, "first": min(k.boxes), "last": max(k.boxes)} for k in found.clip.tracks]
    return {**found.to_dict()["clip"], "dancers": dancers}


def _generation(
    generation_id: str,
    model: MotionModel,
    used: RenderOptions,
    photo: str | None,
    clip: str | None,
    notice: str,
) -> dict[str, Any]:
    """What a rating of one video must record (kept, hidden, in the page's state)."""
    return generation_record(generation_id, used.model, model.sha256, used.to_dict(), photo, clip, notice)


def _rating_controls(enabled: bool, thanks: str = "") -> tuple[Any, Any, Any, Any]:
    """Updates for 👍, 👎, the comment box and the thank-you note."""
    return (
        gr.update(interactive=enabled),
        gr.update(interactive=enabled),
        gr.update(interactive=enabled),
        gr.update(value=thanks, visible=bool(thanks)),
    )


class SpaceApp:
    """The app's behaviour, separate from its layout so tests can call it directly."""

    def __init__(
        self,
        models: ModelCache,
        store: RatingsStore,
        animate_fn: Callable[..., Any] | None,
        max_duration: float,
        work_dir: Path,
        time_limit: float = GENERATE_TIME_LIMIT_S,
        uploads: UploadCheck | None = None,
    ):
        self.uploads = uploads or UploadCheck(
            get_upload_folder(), shipped=tuple(p for pair in EXAMPLES for p in pair)
        )
        self.models = models
        self.store = store
        self.animate_fn = animate_fn
        self.max_duration = max_duration
        self.work_dir = work_dir
        self.time_limit = time_limit
        self._example_records: dict[
            str, dict[str, Any]
        ] = {}  # cached example video's name -> its rating context

    def options(
        self,
        model: str,
        mode: str,
        adapt_scale: bool,
        best_frame: bool,
        trim_start: float | None,
        trim_end: float | None,
        framing: bool,
        side_by_side: bool,
        output_size: str | None,
        keep_audio: bool,
        person: Any = None,
        dancer: Any = None,
        scene: str | None = None,
    ) -> RenderOptions:
        """The UI's values as RenderOptions (API callers skip the dropdowns' checks, so names are checked here)."""
        model = model or DEFAULT_MODEL
        if model not in REGISTRY:
            raise UserError(f"Unknown model {model!r}; choose one of {', '.join(REGISTRY)}.")
        return RenderOptions(
            model=model,
            mode=mode,
            adapt_scale=bool(adapt_scale),
            best_frame="auto" if best_frame else None,
            trim_start=_seconds(trim_start) or 0.0,
            trim_end=_seconds(trim_end),
            max_duration=self.max_duration,
            framing=bool(framing),
            side_by_side=bool(side_by_side),
            output_size=_size(output_size),
            keep_audio=bool(keep_audio),
            person=_pick(person, "person"),
            dancer=_pick(dancer, "dancer"),
            scene=scene or RenderOptions.scene,
        )

    def people_in_photo(self, photo: Upload, request: gr.Request) -> tuple[Any, Any, Any, Any]:
        """A new photo and the /people_in_photo API: the photo with its people numbered (the default one
        highlighted), the person picker, notes, and the people found (JSON)."""
        lang = _language(request)
        with user_errors():
            path = self.uploads.path(photo, "photo")
            if not path:
                return _no_preview(lang)
            found = inspect_media(path)
            image = photo_preview(path, found)
        chosen = found.person
        auto = app_text.text("pick_auto", lang)
        if chosen is not None:
            auto = app_text.text("pick_auto_person", lang, n=chosen)
        choices = [(auto, AUTO), *((f"{i} · {_body(p, lang)}", str(i)) for i, p in enumerate(found.people))]
        counted = (
            [app_text.text("people_found", lang, n=len(found.people), chosen=chosen)] if found.people else []
        )
        return _preview(image, choices, [*counted, *map(as_markdown, found.notes)], found.to_dict()["photo"])

    def dancers_in_clip(
        self, clip: Upload, trim_start: float | None, trim_end: float | None, request: gr.Request
    ) -> tuple[Any, Any, Any, Any]:
        """A new clip or trim and the /dancers_in_clip API: a frame with the dancers numbered (the default one
        highlighted), the dancer picker, notes, and the dancers found (JSON). The clip is read as the render
        reads it, so the numbers are the ones the render follows."""
        lang = _language(request)
        with user_errors():
            path = self.uploads.path(clip, "dance clip")
            if not path:
                return _no_preview(lang)
            start, end = _seconds(trim_start) or 0.0, _seconds(trim_end)
            rate = RenderOptions().max_fps
            found = inspect_media(None, path, start, end, max_fps=rate, max_duration=self.max_duration)
            image = clip_preview(path, found, start, end, max_fps=rate)
        chosen, fps = found.dancer, found.fps
        auto = app_text.text("pick_auto", lang)
        if chosen is not None:
            auto = app_text.text("pick_auto_dancer", lang, n=chosen)
        choices = [(auto, AUTO)]
        for k in found.clip.tracks:
            seen = app_text.text(
                "dancer_seen", lang, start=f"{min(k.boxes) / fps:.1f}", end=f"{max(k.boxes) / fps:.1f}"
            )
            choices.append((f"{k.id} · {seen}", str(k.id)))
        tracks = found.clip.tracks
        counted = [app_text.text("dancers_found", lang, n=len(tracks), chosen=chosen)] if tracks else []
        return _preview(image, choices, [*counted, *map(as_markdown, found.notes)], _dancers_found(found))

    def run(
        self,
        photo: Upload,
        clip: Upload,
        options: RenderOptions,
        progress: Callable[[int, int], None] | None = None,
    ) -> tuple[str, dict[str, Any]]:
        """Render one video; return its path and what a rating of it must record."""
        photo, clip = self.uploads.path(photo, "photo"), self.uploads.path(clip, "dance clip")
        if not photo:
            raise UserError("Please upload a full-body photo first.")
        if not clip:
            raise UserError("Please upload a dance clip first.")
        plan = prepare(photo, clip, options)  # checks the inputs before any model is loaded
        model, fallback = self.models.get(options.model)
        if fallback:
            gr.Warning(fallback)
        notice = "\n\n".join([fallback, *map(as_markdown, plan.notes)]).strip()
        used = RenderOptions.from_dict({**options.to_dict(), "model": model.name or options.model})
        sweep_results(self.work_dir, CACHE_CLEANUP[1])
        generation_id = uuid.uuid4().hex
        out = render(
            photo,
            clip,
            used,
            out_path=self.work_dir / f"{generation_id}.mp4",
            progress=progress,
            model=model,
            animate_fn=self.animate_fn,
            plan=plan,
        )
        return str(out), _generation(generation_id, model, used, photo, clip, notice)

    def generate(
        self,
        photo: Upload,
        clip: Upload,
        model: str,
        mode: str,
        adapt_scale: bool,
        best_frame: bool,
        trim_start: float | None,
        trim_end: float | None,
        framing: bool,
        side_by_side: bool,
        output_size: str | None,
        keep_audio: bool,
        person: Any = None,
        dancer: Any = None,
        scene: str | None = None,
        progress: gr.Progress = gr.Progress(track_tqdm=True),  # noqa: B008 (Gradio's idiom)
    ) -> tuple[str, Any, dict[str, Any]]:
        """The Generate button and the /generate API: the result video's path, the notes on how it was made
        (framing, fallback model, cuts) and, hidden, the rating context. `person`/`dancer`: the numbers in the
        previews, None, "" or "auto" for automatic; `scene`: "photo" (default) or "plain"."""
        deadline = time.monotonic() + self.time_limit

        def frames_done(done: int, total: int) -> None:
            # Gradio enforces an event's time_limit only on streams, so the render stops itself.
            if time.monotonic() > deadline:
                raise UserError(app_text.text("time_limit", limit=f"{self.time_limit:g}"))
            progress((done, total), desc="Animating", unit="frames")

        with user_errors():
            opts = self.options(
                model,
                mode,
                adapt_scale,
                best_frame,
                trim_start,
                trim_end,
                framing,
                side_by_side,
                output_size,
                keep_audio,
                person,
                dancer,
                scene,
            )
            video, record = self.run(photo, clip, opts, frames_done)
        return video, record["notice"], record  # _open_rating shows the notice

    def example(self, photo: Upload, clip: Upload) -> str:
        """A shipped example with default options (cached lazily by Gradio)."""
        with user_errors():
            video, record = self.run(photo, clip, RenderOptions(max_duration=self.max_duration))
            self._example_records[Path(video).stem] = record
            return video

    def example_context(self, photo: Upload, clip: Upload, video: Upload) -> dict[str, Any]:
        """What a rating of an example's (cached) video records: as `run` made it, named by the video's file."""
        with user_errors():
            model, notice = self.models.get(DEFAULT_MODEL)
            options = RenderOptions(max_duration=self.max_duration, model=model.name or DEFAULT_MODEL)
            name = Path(
                (video.get("path") if isinstance(video, dict) else video) or ""
            ).stem  # only its name is used
            if name in self._example_records:
                return self._example_records[name]
            photo, clip = self.uploads.path(photo, "photo"), self.uploads.path(clip, "dance clip")
            return _generation(name, model, options, photo, clip, notice)

    def rate(
        self, vote: int, generation: dict[str, Any] | None, comment: str | None, request: gr.Request | None
    ) -> tuple[dict[str, Any], dict[str, Any]]:
        """Store 👍 (+1) or 👎 (-1) for the last generated video: the new rating context and the API's status."""
        if not generation:
            raise gr.Error("Generate a video first, then rate it.")
        with user_errors(RATING_ERROR):
            if generation.get("rated"):
                raise AlreadyRated("You already rated this video; generate another one to rate again.")
            session = anonymous_session(getattr(request, "session_hash", None))
            address = request_address(request)
            rating = Rating.of_generation(
                generation, vote, comment or "", session, self.store.rater(address, session)
            )
            self.store.add(rating)
        status = {
            "saved": True,
            "rating": "up" if vote > 0 else "down",
            "rating_id": rating.id,
            "generation_id": rating.generation_id,
            "message": "Thank you! Your rating was saved and counts in the **Peer review** tab.",
        }
        return {**generation, "rated": True}, status

    def rate_up(
        self, generation: dict[str, Any] | None, comment: str | None, request: gr.Request
    ) -> tuple[dict[str, Any], dict[str, Any]]:
        """👍 button and the /rate_up API."""
        return self.rate(1, generation, comment, request)

    def rate_down(
        self, generation: dict[str, Any] | None, comment: str | None, request: gr.Request
    ) -> tuple[dict[str, Any], dict[str, Any]]:
        """👎 button and the /rate_down API."""
        return self.rate(-1, generation, comment, request)

    def peer_review(self) -> tuple[str, pd.DataFrame, pd.DataFrame]:
        """The Peer review tab: a summary line and approval tables per model and per option set."""
        with user_errors(RATING_ERROR):
            data = report(self.store)
        n, raters, limits = data["ratings"], data["raters"], self.store.limits
        older = data["ratings_counted_by_session"]
        summary = (
            f"**{n} rating{'' if n == 1 else 's'}** ({data['up']} 👍) from {raters} "
            f"rater{'' if raters == 1 else 's'}: {data['rater_basis']}"
            f"{f' ({older} older ratings count by browser session)' if older else ''}. "
            f"Each rater rates a video once, at most {describe(limits.session)} per session and "
            f"{describe(limits.rater)} per address. "
            "Approval with Wilson 95% intervals; option sets list what differs from the defaults."
        )
        return summary, _table(data["by_model"], ["model"]), _table(data["by_options"], ["model", "options"])


def _table(rows: list[dict[str, Any]], keys: list[str]) -> pd.DataFrame:
    columns = [*keys, "ratings", "👍", "👎", "approval", "95% interval", "raters"]
    return pd.DataFrame(
        [
            [
                *(str(r[k]) for k in keys),
                r["n"],
                r["up"],
                r["down"],
                f"{r['approval']:.0%}",
                f"{r['low']:.0%} – {r['high']:.0%}",
                r["raters"],
            ]
            for r in rows
        ],
        columns=columns,
    )


RATING_ERROR = "Something went wrong on our side with the ratings. Please try again later."


@contextmanager
def user_errors(generic: str = GENERIC_ERROR) -> Iterator[None]:
    """Turn UserError into gr.Error with its message, and anything unexpected into a logged, generic gr.Error.

    A failing ratings database (damaged, read-only, full) and a refused rating (already rated, rate limit) are
    expected: one log line, no traceback.
    """
    try:
        yield
    except gr.Error:
        raise
    except (AlreadyRated, RateLimited) as exc:
        log.info("rating refused: %s", exc)
        raise gr.Error(str(exc), print_exception=False) from None
    except RatingsError as exc:
        log.warning("ratings store: %s", exc.detail)
        raise gr.Error(str(exc), print_exception=False) from None
    except UserError as exc:
        raise gr.Error(str(exc), print_exception=False) from None
    except Exception:
        log.exception("request failed")
        raise gr.Error(generic, print_exception=False) from None


def _finite(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def _valid_size(value: Any) -> bool:
    if value in (None, "", "native"):
        return True
    try:
        return MIN_OUTPUT_SIZE <= parse_int(value) <= MAX_OUTPUT_SIZE
    except ValueError:
        return False


def validate_generate(
    photo: Upload,
    clip: Upload,
    model: Any,
    mode: Any,
    adapt_scale: Any,
    best_frame: Any,
    trim_start: Any,
    trim_end: Any,
    framing: Any,
    side_by_side: Any,
    output_size: Any,
    keep_audio: Any,
    person: Any = None,
    dancer: Any = None,
    scene: Any = None,
    request: gr.Request | None = None,
) -> list[dict[str, Any]]:
    """Gradio's validator for /generate: refuses missing files, wrong types and out-of-range values before the
    queue, with one message per input, in Korean when the visitor's browser prefers it."""
    lang = _language(request)

    def say(key: str, **values: Any) -> str:
        return app_text.text(key, lang, **values)

    def upload(value: Upload, missing: str) -> dict[str, Any]:
        return gr.validate(value not in (None, ""), say(missing))  # Gradio itself refuses what is not a file

    def flag(value: Any) -> dict[str, Any]:
        return gr.validate(isinstance(value, bool), say("v_bool"))

    def seconds(value: Any) -> bool:
        return value in (None, "") or (_finite(value) and value >= 0)

    modes = [value for _, value in MODE_CHOICES]
    scenes = [value for _, value in SCENE_CHOICES]
    start_ok, end_ok = seconds(trim_start), seconds(trim_end)
    in_order = not (start_ok and end_ok and trim_end) or (trim_start or 0) < trim_end
    return [
        upload(photo, "v_photo"),
        upload(clip, "v_clip"),
        gr.validate(model in (None, "") or model in REGISTRY, say("v_choice", names=", ".join(REGISTRY))),
        gr.validate(mode in modes, say("v_choice", names=", ".join(modes))),
        flag(adapt_scale),
        flag(best_frame),
        gr.validate(start_ok, say("v_seconds")),
        gr.validate(end_ok and in_order, say("v_trim_order") if end_ok else say("v_seconds")),
        flag(framing),
        flag(side_by_side),
        gr.validate(_valid_size(output_size), say("v_size", low=MIN_OUTPUT_SIZE, high=MAX_OUTPUT_SIZE)),
        flag(keep_audio),
        gr.validate(_valid_pick(person), say("v_pick")),
        gr.validate(_valid_pick(dancer), say("v_pick")),
        gr.validate(scene in (None, "") or scene in scenes, say("v_choice", names=", ".join(scenes))),
    ]


def page_texts(max_duration: float, missing: Sequence[str]) -> gr.I18n:
    """The I18n tables with this Space's numbers filled in, plus one key per model and per native size."""
    sizes = sorted({size for name in REGISTRY if (size := native_size(name))})
    tables = {}
    for lang, table in app_text.TABLES.items():
        filled = {
            **table,
            "clip": table["clip"].format(max=f"{max_duration:g}"),
            "models_missing": table["models_missing"].format(names=", ".join(missing)),
        }
        filled.update({f"size_native_{size}": table["size_native"].format(size=size) for size in sizes})
        descriptions = {name: entry.description for name, entry in REGISTRY.items()}
        if lang == "ko":
            descriptions.update(app_text.KO_MODELS)
        filled.update({f"model_{name}": descriptions[name] for name in REGISTRY})
        tables[lang] = filled
    return gr.I18n(**tables)


def size_choices(i18n: gr.I18n, model: str | None) -> list[tuple[str, str]]:
    """Output size choices, the first naming the selected model's own size."""
    size = native_size(model or DEFAULT_MODEL) or native_size(DEFAULT_MODEL)
    return [(str(i18n(f"size_native_{size}")), "native"), *((choice, choice) for choice in SIZE_CHOICES)]


def example_label(index: int) -> str:
    """An example's label in both languages: Gradio does not translate example labels."""
    key = f"example_{index + 1}"
    return f"{app_text.EN[key]} · {app_text.KO[key]}"


def build_demo(
    models: ModelCache | None = None,
    store: RatingsStore | None = None,
    animate_fn: Callable[..., Any] | None = None,
    max_duration: float = MAX_CLIP_SECONDS,
    examples: bool = True,
    preload: Sequence[str] = (DEFAULT_MODEL,),
    time_limit: float = GENERATE_TIME_LIMIT_S,
) -> gr.Blocks:
    """The Space's Blocks (launch it with `launch`). Tests pass a ModelCache with a tiny model and a RatingsStore
    in a temporary folder.

    Models in `preload` are loaded now (on ZeroGPU they must be in memory before the GPU worker forks).
    """
    if animate_fn is None and ON_ZERO_GPU:
        animate_fn = zero_gpu_animate
    models = models if models is not None else space_models()
    for name in preload:
        try:
            models.get(name)
        except UserError as exc:
            log.warning("could not preload %s: %s", name, exc)
    work_dir = new_result_folder(get_upload_folder(), CACHE_CLEANUP[1])
    app = SpaceApp(
        models, store if store is not None else RatingsStore(), animate_fn, max_duration, work_dir, time_limit
    )
    runnable, missing = models.available()
    i18n = page_texts(max_duration, missing)
    preferred = preferred_model()
    shown_examples = [pair for pair in EXAMPLES if all(path.is_file() for path in pair)] if examples else []

    with gr.Blocks(title="Kpop Idol Generator", delete_cache=CACHE_CLEANUP) as demo:
        gr.Markdown(i18n("intro"))
        generation = gr.State(None)
        with gr.Tab(i18n("tab_make")):
            with gr.Row():
                with gr.Column(min_width=280):
                    photo = gr.Image(label=i18n("photo"), type="filepath", height=320, elem_id="photo")
                    clip = gr.Video(label=i18n("clip"), height=320, elem_id="clip")
                    with gr.Row():
                        person_box, photo_people, person, photo_notes, photo_found = _picker(
                            i18n, "people_preview", "person"
                        )
                        dancer_box, clip_people, dancer, clip_notes, clip_found = _picker(
                            i18n, "dancers_preview", "dancer"
                        )
                    with gr.Accordion(i18n("options"), open=False):
                        chosen = preferred if preferred in runnable else DEFAULT_MODEL
                        model = gr.Dropdown(
                            runnable,
                            value=chosen,
                            label=i18n("model"),
                            elem_id="model",
                            info=i18n(f"model_{chosen}"),
                        )
                        gr.Markdown(i18n("models_missing"), visible=bool(missing), elem_id="models-missing")
                        mode = gr.Radio(
                            [(str(i18n(key)), value) for key, value in MODE_CHOICES],
                            value="relative",
                            label=i18n("mode"),
                        )
                        adapt_scale = gr.Checkbox(True, label=i18n("adapt_scale"))
                        best_frame = gr.Checkbox(False, label=i18n("best_frame"))
                        with gr.Row():
                            trim_start = gr.Number(0, label=i18n("trim_start"), minimum=0, min_width=120)
                            trim_end = gr.Number(0, label=i18n("trim_end"), minimum=0, min_width=120)
                        framing = gr.Checkbox(True, label=i18n("framing"))
                        scene = gr.Radio(
                            [(str(i18n(key)), value) for key, value in SCENE_CHOICES],
                            value=RenderOptions.scene,
                            label=i18n("scene"),
                            elem_id="scene",
                        )
                        side_by_side = gr.Checkbox(False, label=i18n("side_by_side"))
                        output_size = gr.Dropdown(
                            size_choices(i18n, model.value),
                            value="native",
                            label=i18n("output_size"),
                            elem_id="output-size",
                        )
                        keep_audio = gr.Checkbox(True, label=i18n("keep_audio"))
                    go = gr.Button(i18n("generate"), variant="primary", elem_id="generate")
                with gr.Column(min_width=280):
                    result = gr.Video(
                        label=i18n("result"),
                        format="mp4",
                        interactive=False,
                        height=420,
                        autoplay=True,
                        elem_id="result",
                    )
                    notice = gr.Markdown(visible=False, elem_id="notice")
                    comment = gr.Textbox(
                        label=i18n("comment"),
                        max_lines=3,
                        max_length=MAX_COMMENT,
                        interactive=False,
                        elem_id="comment",
                        placeholder=i18n("comment_placeholder"),
                    )
                    with gr.Row(elem_id="rate-row"):
                        up = gr.Button(i18n("rate_up"), interactive=False, elem_id="rate-up")
                        down = gr.Button(i18n("rate_down"), interactive=False, elem_id="rate-down")
                    thanks = gr.Markdown(visible=False, elem_id="thanks")
                    rating_status = gr.JSON(visible=False, label="rating")
            if shown_examples:
                tried = gr.Examples(
                    [[str(p), str(c)] for p, c in shown_examples],
                    inputs=[photo, clip],
                    outputs=[result],
                    fn=app.example,
                    cache_examples=True,
                    cache_mode="lazy",
                    label=i18n("examples"),
                    preprocess=False,
                    example_labels=[example_label(i) for i in range(len(shown_examples))],
                )
                tried.cache_event.success(
                    app.example_context,
                    [photo, clip, result],
                    generation,
                    preprocess=False,
                    api_visibility="private",
                )
            gr.Markdown(i18n("tips"))
        with gr.Tab(i18n("tab_review")) as review_tab:
            summary = gr.Markdown(elem_id="review-summary", label="summary")
            by_model = gr.Dataframe(label=i18n("by_model"), interactive=False, wrap=True, elem_id="by-model")
            by_options = gr.Dataframe(
                label=i18n("by_options"), interactive=False, wrap=True, elem_id="by-options"
            )
            refresh = gr.Button(i18n("refresh"))

        controls = [up, down, comment, thanks]
        inputs = [
            photo,
            clip,
            model,
            mode,
            adapt_scale,
            best_frame,
            trim_start,
            trim_end,
            framing,
            side_by_side,
            output_size,
            keep_audio,
            person,
            dancer,
            scene,
        ]
        go.click(
            lambda photo, clip: (*_rating_controls(False), gr.update(visible=False)),
            [photo, clip],
            [*controls, notice],
            js=SCROLL_TO_RESULT_JS,
            preprocess=False,
            api_visibility="private",
            queue=False,
        ).then(
            app.generate,
            inputs,
            [result, notice, generation],
            api_name="generate",
            concurrency_limit=CONCURRENCY,
            preprocess=False,
            validator=validate_generate,
            time_limit=int(time_limit),
        )
        # A new video (generated, or an example's) opens the rating controls; a rating closes them (rate does).
        generation.change(
            _open_rating, generation, [*controls, notice], api_visibility="private", queue=False
        )
        model.change(
            lambda name: (
                gr.update(info=str(i18n(f"model_{name}"))),
                gr.update(choices=size_choices(i18n, name)),
            ),
            model,
            [model, output_size],
            api_visibility="private",
            queue=False,
        )
        photo.change(
            app.people_in_photo,
            photo,
            [photo_people, person, photo_notes, photo_found],
            api_name="people_in_photo",
            concurrency_limit=CONCURRENCY,
            preprocess=False,
            trigger_mode="always_last",
        )
        gr.on(
            [clip.change, trim_start.change, trim_end.change],
            app.dancers_in_clip,
            [clip, trim_start, trim_end],
            [clip_people, dancer, clip_notes, clip_found],
            api_name="dancers_in_clip",
            concurrency_limit=CONCURRENCY,
            preprocess=False,
            trigger_mode="always_last",
        )
        for component, box in ((photo, person_box), (clip, dancer_box)):
            component.change(
                lambda: _rating_controls(False), None, controls, api_visibility="private", queue=False
            )
            component.change(
                lambda value: gr.update(visible=value is not None),
                component,
                box,
                api_visibility="private",
                queue=False,
                preprocess=False,
            )
        for button, rate, name in ((up, app.rate_up, "rate_up"), (down, app.rate_down, "rate_down")):
            button.click(rate, [generation, comment], [generation, rating_status], api_name=name).success(
                lambda status: _rating_controls(False, status["message"]),
                rating_status,
                controls,
                api_visibility="private",
                queue=False,
            )
        review_outputs = [summary, by_model, by_options]
        refresh.click(app.peer_review, None, review_outputs, api_name="peer_review")
        review_tab.select(app.peer_review, None, review_outputs, api_visibility="private")
        demo.load(app.peer_review, None, review_outputs, api_visibility="private")
    app.uploads = UploadCheck(get_upload_folder(), _received(demo))  # the examples arrive as Gradio's copies
    demo.upload_check = app.uploads
    demo.queue(max_size=QUEUE_SIZE, default_concurrency_limit=CONCURRENCY)
    demo.page_i18n = i18n
    return demo


def _picker(
    i18n: gr.I18n, preview: str, pick: str
) -> tuple[gr.Column, gr.Image, gr.Dropdown, gr.Markdown, gr.JSON]:
    """A numbered preview, its picker, its notes and (hidden, for the API) what was found, in a column shown
    once a file is in."""
    with gr.Column(min_width=140, visible=False) as box:
        image = gr.Image(
            label=i18n(preview),
            interactive=False,
            height=320,
            format="png",
            elem_id=f"{pick}-preview",
            buttons=["fullscreen"],  # a narrow column: download and share buttons would cover the label
        )
        picker = gr.Dropdown([(str(i18n("pick_auto")), AUTO)], value=AUTO, label=i18n(pick), elem_id=pick)
        notes = gr.Markdown(elem_id=f"{pick}-notes")
        found = gr.JSON(visible=False, label=f"{pick}_found")
    return box, image, picker, notes, found


def _open_rating(generation: dict[str, Any] | None) -> tuple[Any, ...]:
    if not generation or generation.get("rated"):
        return tuple(gr.skip() for _ in range(5))
    return (
        *_rating_controls(True),
        gr.update(value=generation["notice"], visible=bool(generation["notice"])),
    )


def launch(demo: gr.Blocks, **kwargs: Any) -> None:
    """Launch a build_demo Blocks with the Space's theme, CSS, upload limit and translations."""
    distrust_forwarded_headers(proxy_hops_from_env())
    refuse = Middleware(UnreceivedFiles, check=demo.upload_check, inputs=lambda: file_inputs(demo))
    demo.launch(
        app_kwargs={"middleware": [refuse]},
        theme=gr.themes.Soft(primary_hue="pink"),
        css=CSS,
        max_file_size=MAX_FILE_SIZE,
        i18n=demo.page_i18n,
        **kwargs,
    )


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO)
    preload_default = ",".join(dict.fromkeys([DEFAULT_MODEL, preferred_model()]))
    preload = [name for name in os.environ.get("FOMM_PRELOAD", preload_default).split(",") if name]
    launch(build_demo(preload=preload))
