"""Kpop Idol Generator, the Hugging Face Space: a full-body photo and a dance clip in, the photo dancing out.

UI only: videos come from fomm_core.pipeline.render, ratings go to fomm_core.ratings.
"""

import logging
import os
import tempfile
import threading
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
from spaces.config import Config as SpacesConfig

from fomm_core import RenderOptions, UserError, animate_iter, load_model
from fomm_core.engine import MotionModel
from fomm_core.pipeline import prepare, render
from fomm_core.raters import client_address, describe, proxy_hops_from_env
from fomm_core.ratings import (
    MAX_COMMENT,
    Rating,
    RatingsError,
    RatingsStore,
    anonymous_session,
    generation_record,
    report,
)
from fomm_core.registry import REGISTRY
from fomm_core.uploads import UploadCheck, file_paths
from fomm_core.weights import preferred_model

log = logging.getLogger("app")

HERE = Path(__file__).resolve().parent
EXAMPLE_PHOTO = HERE / "examples" / "photo.png"
EXAMPLE_CLIP = HERE / "examples" / "dance.mp4"
DEFAULT_MODEL = "default"
ON_ZERO_GPU = bool(SpacesConfig.zero_gpu)
MAX_CLIP_SECONDS = float(os.environ.get("FOMM_MAX_CLIP_SECONDS", 20))
MAX_FILE_SIZE = "50mb"
QUEUE_SIZE = 16
CONCURRENCY = 1  # one render at a time: a render already uses every core (or the one GPU slice)
CACHE_CLEANUP = (1800, 3600)  # every 30 min, delete uploads and results older than an hour
RETRY_FAILED_MODEL_S = 600
# ZeroGPU budget: seconds = base + per-frame cost, capped (measured figures go in the README).
GPU_BASE_S, GPU_PER_FRAME_S, GPU_MAX_S = 10, 0.05, 120
GENERIC_ERROR = "Something went wrong on our side while making the video. Please try again, or try another clip."
TIPS = """**Tips for a good result**
- The whole body must be visible in the photo, head to feet, as in the dance clip.
- Plain background, good light, one person. A static camera in the clip helps too.
- Stand in a starting pose like the dancer's first pose (or tick *best-frame alignment*).
- The models are small (128 to 256 pixels) and learned from Tai-Chi, fashion or synthetic dancers:
  expect a fun preview, not a music video.
"""
MODE_CHOICES = [("Relative: the dancer's moves, starting from your pose", "relative"),
                ("Absolute: copy the dancer's poses", "absolute"),
                ("AVD (public TPSMM checkpoints only)", "avd")]
SIZE_CHOICES = [("Model's own (256)", "native"), ("384", "384"), ("512", "512")]
CSS = """
.gradio-container {max-width: 1100px !important; margin: auto;}
#rate-row button {min-width: 0;}
@media (max-width: 640px) {.gradio-container {padding: 4px !important;}}
"""

# Models by id(): the ZeroGPU worker is a fork of this process, so it finds them here without pickling weights.
_RESIDENT: dict[int, MotionModel] = {}


class ModelCache:
    """Models loaded once per process by registry name; a model that fails to load gives way to the default."""

    def __init__(self, loader: Callable[[str], MotionModel] | None = None, retry_after: float = RETRY_FAILED_MODEL_S):
        self.loader = loader or (lambda name: load_model(name, device="cuda" if ON_ZERO_GPU else None))
        self.retry_after = retry_after
        self._models: dict[str, MotionModel] = {}
        self._failed: dict[str, tuple[float, str]] = {}
        self._lock = threading.Lock()

    def get(self, name: str) -> tuple[MotionModel, str]:
        """The model and a notice for people: empty, unless the default had to stand in for `name`."""
        with self._lock:
            if name in self._models:
                return self._models[name], ""
            failed = self._failed.get(name)
            if failed is None or time.monotonic() - failed[0] > self.retry_after:
                try:
                    model = self._models[name] = self.loader(name)
                    _RESIDENT[id(model)] = model
                    self._failed.pop(name, None)
                    return model, ""
                except UserError as exc:
                    if name == DEFAULT_MODEL:
                        raise
                    log.warning("model %s unavailable, using %s: %s", name, DEFAULT_MODEL, exc)
                    self._failed[name] = (time.monotonic(), str(exc))
            reason = self._failed[name][1]
        model, _ = self.get(DEFAULT_MODEL)
        return model, (f"The **{name}** model could not be loaded, so the embedded default model made this video "
                       f"instead. {reason}")


def _gpu_seconds(model_id: int, name: str, source: np.ndarray, frames: np.ndarray, *args: Any, **kwargs: Any) -> int:
    return int(min(GPU_MAX_S, GPU_BASE_S + GPU_PER_FRAME_S * len(frames)))


@spaces.GPU(duration=_gpu_seconds)
def _animate_on_gpu(model_id: int, name: str, source: np.ndarray, frames: np.ndarray, *args: Any,
                    **kwargs: Any) -> Iterator[np.ndarray]:
    model = _RESIDENT.get(model_id) or load_model(name, device="cuda")
    yield from animate_iter(model, source, frames, *args, **kwargs)


def zero_gpu_animate(model: MotionModel, source: np.ndarray, driving: Any, *args: Any,
                     **kwargs: Any) -> Iterator[np.ndarray]:
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
        return int(choice)
    except ValueError:
        raise UserError(f"Output size {choice!r} is not a size; choose 'native' or a number of pixels such as 512.") from None


def _seconds(value: float | str | None) -> float | None:
    """A trim time in seconds; empty or 0 means none."""
    try:
        return float(value) if value else None
    except ValueError:
        raise UserError(f"Trim time {value!r} is not a number of seconds; enter e.g. 2.5.") from None


def _sweep(folder: Path, age_s: float) -> None:
    """Delete result files older than `age_s` (Gradio serves its own copy)."""
    cutoff = time.time() - age_s
    for path in folder.glob("*.mp4"):
        try:
            if path.stat().st_mtime < cutoff:
                path.unlink()
        except FileNotFoundError:
            continue


def _rating_controls(enabled: bool, thanks: str = "") -> tuple[Any, Any, Any, Any]:
    """Updates for 👍, 👎, the comment box and the thank-you note."""
    return (gr.update(interactive=enabled), gr.update(interactive=enabled), gr.update(interactive=enabled),
            gr.update(value=thanks, visible=bool(thanks)))


class SpaceApp:
    """The app's behaviour, separate from its layout so tests can call it directly."""

    def __init__(self, models: ModelCache, store: RatingsStore, animate_fn: Callable[..., Any] | None,
                 max_duration: float, work_dir: Path, uploads: UploadCheck | None = None):
        self.uploads = uploads or UploadCheck(get_upload_folder(), shipped=(EXAMPLE_PHOTO, EXAMPLE_CLIP))
        self.models = models
        self.store = store
        self.animate_fn = animate_fn
        self.max_duration = max_duration
        self.work_dir = work_dir

    def options(self, model: str, mode: str, adapt_scale: bool, best_frame: bool, trim_start: float | None,
                trim_end: float | None, framing: bool, side_by_side: bool, output_size: str | None,
                keep_audio: bool) -> RenderOptions:
        """The UI's values as RenderOptions (API callers skip the dropdowns' checks, so names are checked here)."""
        model = model or DEFAULT_MODEL
        if model not in REGISTRY:
            raise UserError(f"Unknown model {model!r}; choose one of {', '.join(REGISTRY)}.")
        return RenderOptions(model=model, mode=mode,
                             adapt_scale=bool(adapt_scale), best_frame="auto" if best_frame else None,
                             trim_start=_seconds(trim_start) or 0.0, trim_end=_seconds(trim_end),
                             max_duration=self.max_duration, framing=bool(framing), side_by_side=bool(side_by_side),
                             output_size=_size(output_size), keep_audio=bool(keep_audio))

    def run(self, photo: Upload, clip: Upload, options: RenderOptions,
            progress: Callable[[int, int], None] | None = None) -> tuple[str, dict[str, Any]]:
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
        notice = "\n\n".join([fallback, *plan.notes]).strip()
        used = RenderOptions.from_dict({**options.to_dict(), "model": model.name or options.model})
        _sweep(self.work_dir, CACHE_CLEANUP[1])
        generation_id = uuid.uuid4().hex
        out = render(photo, clip, used, out_path=self.work_dir / f"{generation_id}.mp4", progress=progress,
                     model=model, animate_fn=self.animate_fn, plan=plan)
        return str(out), generation_record(generation_id, used.model, model.sha256, used.to_dict(), photo, clip, notice)

    def generate(self, photo: Upload, clip: Upload, model: str, mode: str, adapt_scale: bool,
                 best_frame: bool, trim_start: float | None, trim_end: float | None, framing: bool,
                 side_by_side: bool, output_size: str | None, keep_audio: bool,
                 progress: gr.Progress = gr.Progress(track_tqdm=True),  # noqa: B008 (Gradio's idiom)
                 ) -> tuple[str, dict[str, Any]]:
        """The Generate button and the /generate API: the result video's path (and, hidden, the rating context)."""
        def frames_done(done: int, total: int) -> None:
            progress((done, total), desc="Animating", unit="frames")

        with user_errors():
            opts = self.options(model, mode, adapt_scale, best_frame, trim_start, trim_end, framing, side_by_side,
                                output_size, keep_audio)
            return self.run(photo, clip, opts, frames_done)

    def example(self, photo: Upload, clip: Upload) -> str:
        """The shipped example with default options (cached lazily by Gradio)."""
        with user_errors():
            return self.run(photo, clip, RenderOptions(max_duration=self.max_duration))[0]

    def rate(self, vote: int, generation: dict[str, Any] | None, comment: str | None,
             request: gr.Request | None) -> tuple[dict[str, Any], dict[str, Any]]:
        """Store 👍 (+1) or 👎 (-1) for the last generated video: the new rating context and the API's status."""
        if not generation:
            raise gr.Error("Generate a video first, then rate it.")
        if generation.get("rated"):
            raise gr.Error("You already rated this video; generate another one to rate again.")
        with user_errors(RATING_ERROR):
            session = anonymous_session(getattr(request, "session_hash", None))
            client = getattr(request, "client", None)
            headers = getattr(request, "headers", None) or {}
            address = client_address(getattr(client, "host", None), headers.get("x-forwarded-for"),
                                     proxy_hops_from_env())
            rating = Rating.of_generation(generation, vote, comment or "", session, self.store.rater(address, session))
            self.store.add(rating)
        status = {"saved": True, "rating": "up" if vote > 0 else "down", "rating_id": rating.id,
                  "generation_id": rating.generation_id,
                  "message": "Thank you! Your rating was saved and counts in the **Peer review** tab."}
        return {**generation, "rated": True}, status

    def rate_up(self, generation: dict[str, Any] | None, comment: str | None,
                request: gr.Request) -> tuple[dict[str, Any], dict[str, Any]]:
        """👍 button and the /rate_up API."""
        return self.rate(1, generation, comment, request)

    def rate_down(self, generation: dict[str, Any] | None, comment: str | None,
                  request: gr.Request) -> tuple[dict[str, Any], dict[str, Any]]:
        """👎 button and the /rate_down API."""
        return self.rate(-1, generation, comment, request)

    def peer_review(self) -> tuple[str, pd.DataFrame, pd.DataFrame]:
        """The Peer review tab: a summary line and approval tables per model and per option set."""
        with user_errors(RATING_ERROR):
            data = report(self.store)
        n, raters, limits = data["ratings"], data["raters"], self.store.limits
        older = data["ratings_counted_by_session"]
        summary = (f"**{n} rating{'' if n == 1 else 's'}** ({data['up']} 👍) from {raters} "
                   f"rater{'' if raters == 1 else 's'}: {data['rater_basis']}"
                   f"{f' ({older} older ratings count by browser session)' if older else ''}. "
                   f"Each rater rates a video once, at most {describe(limits.session)} per session and "
                   f"{describe(limits.rater)} per address. "
                   "Approval with Wilson 95% intervals; option sets list what differs from the defaults.")
        return summary, _table(data["by_model"], ["model"]), _table(data["by_options"], ["model", "options"])


def _table(rows: list[dict[str, Any]], keys: list[str]) -> pd.DataFrame:
    columns = [*keys, "ratings", "👍", "👎", "approval", "95% interval", "raters"]
    return pd.DataFrame([[*(str(r[k]) for k in keys), r["n"], r["up"], r["down"], f"{r['approval']:.0%}",
                          f"{r['low']:.0%} – {r['high']:.0%}", r["raters"]] for r in rows], columns=columns)


RATING_ERROR = "Something went wrong on our side with the ratings. Please try again later."


@contextmanager
def user_errors(generic: str = GENERIC_ERROR) -> Iterator[None]:
    """Turn UserError into gr.Error with its message, and anything unexpected into a logged, generic gr.Error.

    A failing ratings database is expected (damaged, read-only, full): one log line, no traceback.
    """
    try:
        yield
    except gr.Error:
        raise
    except RatingsError as exc:
        log.warning("ratings store: %s", exc.detail)
        raise gr.Error(str(exc), print_exception=False) from None
    except UserError as exc:
        raise gr.Error(str(exc), print_exception=False) from None
    except Exception:
        log.exception("request failed")
        raise gr.Error(generic, print_exception=False) from None


def build_demo(models: ModelCache | None = None, store: RatingsStore | None = None,
               animate_fn: Callable[..., Any] | None = None, max_duration: float = MAX_CLIP_SECONDS,
               examples: bool = True, preload: Sequence[str] = (DEFAULT_MODEL,)) -> gr.Blocks:
    """The Space's Blocks. Tests pass a ModelCache with a tiny model and a RatingsStore in a temporary folder.

    Models in `preload` are loaded now (on ZeroGPU they must be in memory before the GPU worker forks).
    """
    if animate_fn is None and ON_ZERO_GPU:
        animate_fn = zero_gpu_animate
    models = models if models is not None else ModelCache()
    for name in preload:
        try:
            models.get(name)
        except UserError as exc:
            log.warning("could not preload %s: %s", name, exc)
    work_dir = Path(tempfile.mkdtemp(prefix="kpop-results-"))
    app = SpaceApp(models, store if store is not None else RatingsStore(), animate_fn, max_duration, work_dir)
    model_choices = [(f"{name}: {entry.description}", name) for name, entry in REGISTRY.items()]

    with gr.Blocks(title="Kpop Idol Generator", delete_cache=CACHE_CLEANUP) as demo:
        gr.Markdown("# 🎤 Kpop Idol Generator\nUpload a full-body photo and a dance clip: the person in the photo "
                    "performs the dance (First Order Motion Model / Thin-Plate Spline Motion Model).")
        generation = gr.State(None)
        with gr.Tab("Make a video"):
            with gr.Row():
                with gr.Column(min_width=280):
                    photo = gr.Image(label="Full-body photo", type="filepath", height=320, elem_id="photo")
                    clip = gr.Video(label=f"Dance clip (up to {max_duration:g} s)", height=320, elem_id="clip")
                    with gr.Accordion("Options", open=False):
                        model = gr.Dropdown(model_choices, value=preferred_model(), label="Model")
                        mode = gr.Radio(MODE_CHOICES, value="relative", label="Motion transfer")
                        adapt_scale = gr.Checkbox(True, label="Adapt movement scale to the body in the photo")
                        best_frame = gr.Checkbox(False, label="Best-frame alignment: start from the dance frame "
                                                               "whose pose is closest to the photo")
                        with gr.Row():
                            trim_start = gr.Number(0, label="Trim start (s)", minimum=0, min_width=120)
                            trim_end = gr.Number(0, label="Trim end (s, 0 = end)", minimum=0, min_width=120)
                        framing = gr.Checkbox(True, label="Framing: find the dancer and crop around them")
                        side_by_side = gr.Checkbox(False, label="Side by side with the dance clip")
                        output_size = gr.Dropdown(SIZE_CHOICES, value="native", label="Output size")
                        keep_audio = gr.Checkbox(True, label="Keep the clip's music")
                    go = gr.Button("Generate", variant="primary", elem_id="generate")
                with gr.Column(min_width=280):
                    result = gr.Video(label="Result", format="mp4", interactive=False, height=420, autoplay=True,
                                      elem_id="result")
                    notice = gr.Markdown(visible=False, elem_id="notice")
                    comment = gr.Textbox(label="Comment (optional)", max_lines=3, max_length=MAX_COMMENT,
                                         interactive=False, elem_id="comment",
                                         placeholder="What worked, what didn't?")
                    with gr.Row(elem_id="rate-row"):
                        up = gr.Button("👍 Looks good", interactive=False, elem_id="rate-up")
                        down = gr.Button("👎 Not good", interactive=False, elem_id="rate-down")
                    thanks = gr.Markdown(visible=False, elem_id="thanks")
                    rating_status = gr.JSON(visible=False, label="rating")
            if examples and EXAMPLE_PHOTO.is_file() and EXAMPLE_CLIP.is_file():
                gr.Examples([[str(EXAMPLE_PHOTO), str(EXAMPLE_CLIP)]], inputs=[photo, clip], outputs=[result],
                            fn=app.example, cache_examples=True, cache_mode="lazy", label="Try the example",
                            preprocess=False)
            gr.Markdown(TIPS)
        with gr.Tab("Peer review") as review_tab:
            summary = gr.Markdown(elem_id="review-summary", label="summary")
            by_model = gr.Dataframe(label="By model", interactive=False, wrap=True, elem_id="by-model")
            by_options = gr.Dataframe(label="By model and option set", interactive=False, wrap=True,
                                      elem_id="by-options")
            refresh = gr.Button("Refresh")

        controls = [up, down, comment, thanks]
        inputs = [photo, clip, model, mode, adapt_scale, best_frame, trim_start, trim_end, framing, side_by_side,
                  output_size, keep_audio]
        go.click(lambda: (*_rating_controls(False), gr.update(visible=False)), None, [*controls, notice],
                 api_visibility="private", queue=False).then(
            app.generate, inputs, [result, generation], api_name="generate", concurrency_limit=CONCURRENCY,
            preprocess=False,
        ).success(
            lambda g: (*_rating_controls(True), gr.update(value=g["notice"], visible=bool(g["notice"]))),
            generation, [*controls, notice], api_visibility="private", queue=False)
        for component in (photo, clip):
            component.change(lambda: _rating_controls(False), None, controls, api_visibility="private", queue=False)
        for button, rate, name in ((up, app.rate_up, "rate_up"), (down, app.rate_down, "rate_down")):
            button.click(rate, [generation, comment], [generation, rating_status], api_name=name).success(
                lambda status: _rating_controls(False, status["message"]), rating_status, controls,
                api_visibility="private", queue=False)
        review_outputs = [summary, by_model, by_options]
        refresh.click(app.peer_review, None, review_outputs, api_name="peer_review")
        review_tab.select(app.peer_review, None, review_outputs, api_visibility="private")
        demo.load(app.peer_review, None, review_outputs, api_visibility="private")
    app.uploads = UploadCheck(get_upload_folder(), _received(demo))  # the examples arrive as Gradio's copies
    demo.queue(max_size=QUEUE_SIZE, default_concurrency_limit=CONCURRENCY)
    return demo


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO)
    preload_default = ",".join(dict.fromkeys([DEFAULT_MODEL, preferred_model()]))
    preload = [name for name in os.environ.get("FOMM_PRELOAD", preload_default).split(",") if name]
    build_demo(preload=preload).launch(theme=gr.themes.Soft(primary_hue="pink"), css=CSS, max_file_size=MAX_FILE_SIZE)
