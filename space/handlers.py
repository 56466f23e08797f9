"""The Space's behaviour, separate from its layout so tests can call it directly: one method per event."""

from __future__ import annotations

import inspect
import time
import uuid
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import gradio as gr
import pandas as pd
from gradio.utils import get_upload_folder

from fomm_core import RenderOptions, UserError
from fomm_core.engines.motion_model import MotionModel
from fomm_core.options import OPTIONS
from fomm_core.people.inspect import inspect_media
from fomm_core.people.preview import clip_preview, photo_preview
from fomm_core.pipeline import plan_render, render
from fomm_core.plain_text import as_markdown
from fomm_core.ratings.record import Rating, generation_record
from fomm_core.ratings.store import AlreadyRated, RatingsStore

from . import texts
from .errors import RATING_ERROR, user_errors
from .friends import PAGE_AFTER, group
from .inputs import Upload, page_options, render_options, with_option_inputs
from .model_cache import ModelCache
from .previews import dancers_preview, friend_dancers, no_preview, people_preview
from .results import sweep_results
from .review import peer_review
from .settings import CACHE_CLEANUP, DEFAULT_MODEL, EXAMPLES, GENERATE_TIME_LIMIT_S, MAX_FRIENDS
from .uploads import UploadCheck
from .visitors import language, rater

_TRIMS = {o.name: o for o in OPTIONS if o.name in ("trim_start", "trim_end")}


def _generation(
    generation_id: str,
    model: MotionModel,
    used: RenderOptions,
    photo: str | Sequence[str] | None,
    clip: str | None,
    notice: str,
) -> dict[str, Any]:
    """What a rating of one video must record (kept, hidden, in the page's state); `photo` may be a group's
    photos, the user's first."""
    return generation_record(generation_id, used.model, model.sha256, used.to_dict(), photo, clip, notice)


class SpaceApp:
    """The handlers of one Space: previews, generation, examples, ratings and the peer review."""

    def __init__(
        self,
        models: ModelCache,
        store: RatingsStore,
        animate_fn: Callable[..., Any] | None,
        max_duration: float,
        work_dir: Path,
        time_limit: float = GENERATE_TIME_LIMIT_S,
        uploads: UploadCheck | None = None,
        options_class: type = RenderOptions,
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
        self.options_class = options_class
        self._example_records: dict[str, dict[str, Any]] = {}  # cached example video's name -> rating context
        progress = inspect.Parameter(
            "progress",
            inspect.Parameter.POSITIONAL_OR_KEYWORD,
            default=gr.Progress(track_tqdm=True),
            annotation=gr.Progress,
        )
        #: The /generate API: photo, clip, each page option by name, then the friends' photos as a list.
        self.generate = with_option_inputs(self._generate, options_class, [progress])
        #: The page's Generate: photo, clip, each page option, then each friend's photo and pickers (PAGE_AFTER).
        self.generate_page = with_option_inputs(self._generate_page, options_class, [progress], PAGE_AFTER)

    def options(self, *values: Any, **named: Any) -> RenderOptions:
        """The page options' values (in order, or by name) as RenderOptions, each checked as the CLI checks it."""
        names = [o.name for o in page_options(self.options_class)]
        given = {**dict(zip(names, values, strict=False)), **named}
        return render_options(given, self.max_duration, self.options_class)

    def people_in_photo(self, photo: Upload, request: gr.Request) -> tuple[Any, Any, Any, Any]:
        """A new photo and the /people_in_photo API: the photo with its people numbered (the default one
        highlighted), the person picker, notes, and the people found (JSON)."""
        lang = language(request)
        with user_errors():
            path = self.uploads.path(photo, "photo")
            if not path:
                return no_preview(lang)
            found = inspect_media(path)
            return people_preview(found, photo_preview(path, found), lang)

    def dancers_in_clip(
        self, clip: Upload, trim_start: float | None, trim_end: float | None, request: gr.Request
    ) -> tuple[Any, Any, Any, Any]:
        """A new clip or trim and the /dancers_in_clip API: a frame with the dancers numbered (the default one
        highlighted), the dancer picker, notes, and the dancers found (JSON). The clip is read as the render
        reads it, so the numbers are the ones the render follows."""
        lang = language(request)
        with user_errors():
            path = self.uploads.path(clip, "dance clip")
            if not path:
                return no_preview(lang)
            start = _TRIMS["trim_start"].check(trim_start)
            end = _TRIMS["trim_end"].check(trim_end)
            rate = RenderOptions().max_fps
            found = inspect_media(None, path, start, end, max_fps=rate, max_duration=self.max_duration)
            return dancers_preview(found, clip_preview(path, found, start, end, max_fps=rate), lang)

    def friend_dancers(self, found: dict[str, Any] | None, request: gr.Request) -> tuple[Any, ...]:
        """A new clip preview: every friend's dancer picker lists the clip's dancers, on automatic."""
        update = friend_dancers(found, language(request))
        return tuple(update for _ in range(MAX_FRIENDS))

    def run(
        self,
        photo: Upload,
        clip: Upload,
        options: RenderOptions,
        progress: Callable[[int, int], None] | None = None,
        friends: Sequence[Upload] = (),
    ) -> tuple[str, dict[str, Any]]:
        """Render one video (the photo's person, and each friend's); return its path and what a rating of it
        must record."""
        photo, clip = self.uploads.path(photo, "photo"), self.uploads.path(clip, "dance clip")
        if not photo:
            raise UserError("Please upload a full-body photo first.")
        if not clip:
            raise UserError("Please upload a dance clip first.")
        if len(friends) > MAX_FRIENDS:
            raise UserError(f"{len(friends)} friends' photos were sent; send at most {MAX_FRIENDS}.")
        photos = [photo, *(self.uploads.path(f, "friend's photo") for f in friends)]
        if None in photos:
            raise UserError(
                "A friend's photo is empty: upload each friend's full-body photo, or leave it out."
            )
        plan = plan_render(photos, clip, options)  # checks the inputs before any model is loaded
        try:
            model, fallback = self.models.get(options.model)
        except BaseException:
            plan.release()  # the frames kept for the render are not left until the plan is collected
            raise
        if fallback:
            gr.Warning(fallback)
        used = type(options).from_dict({**options.to_dict(), "model": model.name or options.model})
        sweep_results(self.work_dir, CACHE_CLEANUP[1])
        generation_id = uuid.uuid4().hex
        out = render(
            plan, model, self.work_dir / f"{generation_id}.mp4", progress=progress, animate_fn=self.animate_fn
        )
        # after the render: it adds what it found on the way (a dancer turning away)
        notice = "\n\n".join([fallback, *map(as_markdown, plan.notes)]).strip()
        return str(out), _generation(generation_id, model, used, photos, clip, notice)

    def _generate(
        self,
        photo: Upload,
        clip: Upload,
        values: dict[str, Any],
        friends: Sequence[Upload] | None,
        progress: gr.Progress,
    ) -> tuple[str, Any, dict[str, Any]]:
        """The /generate API: the result video's path, the notes on how it was made (framing, fallback model,
        cuts) and, hidden, the rating context. `friends`: more photos, each taking a dancer's place;
        `person`/`dancer`: the numbers in the previews, one per photo ("0,2" or a list), "auto" for automatic."""
        deadline = time.monotonic() + self.time_limit

        def frames_done(done: int, total: int) -> None:
            # Gradio enforces an event's time_limit only on streams, so the render stops itself.
            if time.monotonic() > deadline:
                raise UserError(texts.text("time_limit", limit=f"{self.time_limit:g}"))
            progress((done, total), desc="Animating", unit="frames")

        with user_errors():
            options = render_options(values, self.max_duration, self.options_class)
            video, record = self.run(photo, clip, options, frames_done, friends or ())
        return video, record["notice"], record  # the page's rating controls show the notice

    def _generate_page(
        self, photo: Upload, clip: Upload, values: dict[str, Any], progress: gr.Progress, **after: Any
    ) -> tuple[str, Any, dict[str, Any]]:
        """The page's Generate: the friends' photos and pickers gathered into /generate's lists."""
        friends, grouped = group(values, after)
        return self._generate(photo, clip, grouped, friends, progress)

    def example(self, photo: Upload, clip: Upload) -> str:
        """A shipped example with default options (cached lazily by Gradio)."""
        with user_errors():
            video, record = self.run(photo, clip, self.options_class(max_duration=self.max_duration))
            self._example_records[Path(video).stem] = record
            return video

    def example_context(self, photo: Upload, clip: Upload, video: Upload) -> dict[str, Any]:
        """What a rating of an example's (cached) video records: as `run` made it, named by the video's file."""
        with user_errors():
            model, notice = self.models.get(DEFAULT_MODEL)
            options = self.options_class(max_duration=self.max_duration, model=model.name or DEFAULT_MODEL)
            name = Path((video.get("path") if isinstance(video, dict) else video) or "").stem  # only its name
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
            session, address = rater(request)
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
        """The Peer review tab and the /peer_review API: a summary line and approval tables."""
        with user_errors(RATING_ERROR):
            return peer_review(self.store)
