"""The Space's page: the Make-a-video tab (inputs, options, result, rating), the Peer review tab, and their events.

The options' widgets and /generate's inputs come from the option table; the handlers are space.handlers.SpaceApp.
"""

from __future__ import annotations

import itertools
import logging
from collections.abc import Callable, Sequence
from contextlib import nullcontext
from dataclasses import dataclass
from typing import Any

import gradio as gr
from gradio.utils import get_upload_folder

from fomm_core import RenderOptions, UserError
from fomm_core.option_values import AUTO, Choice, Flag, FrameChoice, Pick, Seconds
from fomm_core.options import Option
from fomm_core.ratings import MAX_COMMENT, RatingsStore
from fomm_core.registry import native_size
from fomm_core.weights import preferred_model

from . import texts
from .gpu import ON_ZERO_GPU, space_models, zero_gpu_animate
from .handlers import SpaceApp
from .inputs import page_options, validator
from .model_cache import ModelCache
from .results import results_folder
from .settings import (
    CACHE_CLEANUP,
    CONCURRENCY,
    DEFAULT_MODEL,
    EXAMPLES,
    GENERATE_TIME_LIMIT_S,
    MAX_CLIP_SECONDS,
    MAX_FILE_SIZE,
    QUEUE_SIZE,
)
from .uploads import UploadCheck, file_paths

log = logging.getLogger(__name__)

SIZE_CHOICES = ["384", "512"]
#: The pick options' previews: the text key of the preview's label and the file input it numbers.
PICKERS = {"person": ("people_preview", "photo"), "dancer": ("dancers_preview", "clip")}
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


@dataclass
class Picker:
    """A numbered preview, its picker, its notes and (hidden, for the API) what was found, in a column shown
    once a file is in."""

    box: gr.Column
    image: gr.Image
    dropdown: gr.Dropdown
    notes: gr.Markdown
    found: gr.JSON

    def outputs(self) -> list[gr.components.Component]:
        """The preview handler's outputs."""
        return [self.image, self.dropdown, self.notes, self.found]


@dataclass
class MakeTab:
    """The Make-a-video tab's components that events read or update."""

    photo: gr.Image
    clip: gr.Video
    options: dict[str, gr.components.Component]  # one widget per page option, by name
    pickers: dict[str, Picker]  # the pick options' previews, by option name
    go: gr.Button
    result: gr.Video
    notice: gr.Markdown
    comment: gr.Textbox
    up: gr.Button
    down: gr.Button
    thanks: gr.Markdown
    rating_status: gr.JSON

    def rating_controls(self) -> list[gr.components.Component]:
        """👍, 👎, the comment box and the thank-you note."""
        return [self.up, self.down, self.comment, self.thanks]


@dataclass
class ReviewTab:
    """The Peer review tab's components."""

    tab: gr.Tab
    outputs: list[gr.components.Component]  # summary, by model, by options
    refresh: gr.Button


def size_choices(i18n: gr.I18n, model: str | None) -> list[tuple[str, str]]:
    """Output size choices, the first naming the selected model's own size."""
    size = native_size(model or DEFAULT_MODEL) or native_size(DEFAULT_MODEL)
    return [(str(i18n(f"size_native_{size}")), "native"), *((choice, choice) for choice in SIZE_CHOICES)]


def example_label(index: int) -> str:
    """An example's label in both languages: Gradio does not translate example labels."""
    key = f"example_{index + 1}"
    return f"{texts.EN[key]} · {texts.KO[key]}"


def _rating_controls(enabled: bool, thanks: str = "") -> tuple[Any, Any, Any, Any]:
    """Updates for 👍, 👎, the comment box and the thank-you note."""
    return (
        gr.update(interactive=enabled),
        gr.update(interactive=enabled),
        gr.update(interactive=enabled),
        gr.update(value=thanks, visible=bool(thanks)),
    )


def _open_rating(generation: dict[str, Any] | None) -> tuple[Any, ...]:
    if not generation or generation.get("rated"):
        return tuple(gr.skip() for _ in range(5))
    return (
        *_rating_controls(True),
        gr.update(value=generation["notice"], visible=bool(generation["notice"])),
    )


def _received(demo: gr.Blocks) -> Callable[[str], bool]:
    """A test for paths Gradio stored for this app: files sent to its /upload route, and its copies of the examples."""
    examples = file_paths([block.samples for block in demo.blocks.values() if isinstance(block, gr.Dataset)])
    return lambda path: path in examples or path in demo.upload_file_set


def _picker(i18n: gr.I18n, preview: str, pick: str) -> Picker:
    with gr.Column(min_width=140, visible=False) as box:
        image = gr.Image(
            label=i18n(preview),
            interactive=False,
            height=320,
            format="png",
            elem_id=f"{pick}-preview",
            buttons=["fullscreen"],  # a narrow column: download and share buttons would cover the label
        )
        dropdown = gr.Dropdown([(str(i18n("pick_auto")), AUTO)], value=AUTO, label=i18n(pick), elem_id=pick)
        notes = gr.Markdown(elem_id=f"{pick}-notes")
        found = gr.JSON(visible=False, label=f"{pick}_found")
    return Picker(box, image, dropdown, notes, found)


@dataclass(frozen=True)
class Models:
    """The models the page offers: those that can run here now, those that cannot, and the one selected."""

    runnable: list[str]
    missing: list[str]
    chosen: str

    @classmethod
    def of(cls, models: ModelCache) -> Models:
        """What `models` can run now; the preferred model is selected when it can run."""
        runnable, missing = models.available()
        preferred = preferred_model()
        return cls(runnable, missing, preferred if preferred in runnable else DEFAULT_MODEL)


def _option_widget(option: Option, i18n: gr.I18n, models: Models) -> gr.components.Component:
    """The widget of one page option in the Options accordion, chosen by its kind of value."""
    label, elem_id = i18n(option.name), option.name.replace("_", "-")
    if option.name == "model":
        widget = gr.Dropdown(
            models.runnable,
            value=models.chosen,
            label=label,
            elem_id=elem_id,
            info=i18n(f"model_{models.chosen}"),
        )
        gr.Markdown(i18n("models_missing"), visible=bool(models.missing), elem_id="models-missing")
        return widget
    if option.name == "output_size":
        return gr.Dropdown(size_choices(i18n, models.chosen), value="native", label=label, elem_id=elem_id)
    if isinstance(option.kind, Choice):
        choices = [(str(i18n(f"{option.name}_{value}")), value) for value in option.kind.names()]
        return gr.Radio(choices, value=option.default, label=label, elem_id=elem_id)
    if isinstance(option.kind, Flag):
        return gr.Checkbox(option.default, label=label, elem_id=elem_id)
    if isinstance(option.kind, FrameChoice):
        return gr.Checkbox(option.default is not None, label=label, elem_id=elem_id)
    if isinstance(option.kind, Seconds):
        return gr.Number(option.default or 0, label=label, minimum=0, min_width=120, elem_id=elem_id)
    raise TypeError(f"no widget for the option {option.name!r} of kind {type(option.kind).__name__}")


def _options_accordion(
    i18n: gr.I18n, options: Sequence[Option], models: Models
) -> dict[str, gr.components.Component]:
    """The Options accordion: one widget per option in table order, consecutive times side by side in a row."""
    widgets = {}
    with gr.Accordion(i18n("options"), open=False):
        for is_time, group in itertools.groupby(options, key=lambda o: isinstance(o.kind, Seconds)):
            with gr.Row() if is_time else nullcontext():
                for option in group:
                    widgets[option.name] = _option_widget(option, i18n, models)
    return widgets


def _make_tab(i18n: gr.I18n, options: Sequence[Option], models: Models) -> MakeTab:
    """The Make-a-video tab: the files and their previews, the options and Generate; the result and its rating."""
    picks = [o for o in options if isinstance(o.kind, Pick)]
    with gr.Row():
        with gr.Column(min_width=280):
            photo = gr.Image(label=i18n("photo"), type="filepath", height=320, elem_id="photo")
            clip = gr.Video(label=i18n("clip"), height=320, elem_id="clip")
            with gr.Row():
                pickers = {o.name: _picker(i18n, PICKERS[o.name][0], o.name) for o in picks}
            widgets = _options_accordion(i18n, [o for o in options if o not in picks], models)
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
    widgets.update({name: picker.dropdown for name, picker in pickers.items()})
    return MakeTab(
        photo, clip, widgets, pickers, go, result, notice, comment, up, down, thanks, rating_status
    )


def _examples(app: SpaceApp, i18n: gr.I18n, tab: MakeTab, generation: gr.State, shown: Sequence[Any]) -> None:
    """The shipped examples, rendered with default options on first use; their videos can be rated too."""
    tried = gr.Examples(
        [[str(p), str(c)] for p, c in shown],
        inputs=[tab.photo, tab.clip],
        outputs=[tab.result],
        fn=app.example,
        cache_examples=True,
        cache_mode="lazy",
        label=i18n("examples"),
        preprocess=False,
        example_labels=[example_label(i) for i in range(len(shown))],
    )
    tried.cache_event.success(
        app.example_context,
        [tab.photo, tab.clip, tab.result],
        generation,
        preprocess=False,
        api_visibility="private",
    )


def _review_tab(i18n: gr.I18n) -> ReviewTab:
    with gr.Tab(i18n("tab_review")) as tab:
        summary = gr.Markdown(elem_id="review-summary", label="summary")
        by_model = gr.Dataframe(label=i18n("by_model"), interactive=False, wrap=True, elem_id="by-model")
        by_options = gr.Dataframe(
            label=i18n("by_options"), interactive=False, wrap=True, elem_id="by-options"
        )
        refresh = gr.Button(i18n("refresh"))
    return ReviewTab(tab, [summary, by_model, by_options], refresh)


def _wire_generate(
    app: SpaceApp, tab: MakeTab, generation: gr.State, options: Sequence[Option], time_limit: float
) -> None:
    """Generate: the rating controls close, the result comes into view, then /generate runs (after its
    validator); a new video (generated, or an example's) opens the rating controls."""
    controls = tab.rating_controls()
    tab.go.click(
        lambda photo, clip: (*_rating_controls(False), gr.update(visible=False)),
        [tab.photo, tab.clip],
        [*controls, tab.notice],
        js=SCROLL_TO_RESULT_JS,
        preprocess=False,
        api_visibility="private",
        queue=False,
    ).then(
        app.generate,
        [tab.photo, tab.clip, *(tab.options[o.name] for o in options)],
        [tab.result, tab.notice, generation],
        api_name="generate",
        concurrency_limit=CONCURRENCY,
        preprocess=False,
        validator=validator(app.options_class),
        time_limit=int(time_limit),
    )
    generation.change(
        _open_rating, generation, [*controls, tab.notice], api_visibility="private", queue=False
    )


def _wire_inputs(app: SpaceApp, i18n: gr.I18n, tab: MakeTab) -> None:
    """A new model updates its description and size choices; a new photo or clip (or trim) its preview, and
    closes the rating of the last video."""
    model, output_size = tab.options["model"], tab.options["output_size"]
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
    tab.photo.change(
        app.people_in_photo,
        tab.photo,
        tab.pickers["person"].outputs(),
        api_name="people_in_photo",
        concurrency_limit=CONCURRENCY,
        preprocess=False,
        trigger_mode="always_last",
    )
    trims = [tab.options["trim_start"], tab.options["trim_end"]]
    gr.on(
        [tab.clip.change, *(trim.change for trim in trims)],
        app.dancers_in_clip,
        [tab.clip, *trims],
        tab.pickers["dancer"].outputs(),
        api_name="dancers_in_clip",
        concurrency_limit=CONCURRENCY,
        preprocess=False,
        trigger_mode="always_last",
    )
    for name, picker in tab.pickers.items():
        component = getattr(tab, PICKERS[name][1])
        component.change(
            lambda: _rating_controls(False),
            None,
            tab.rating_controls(),
            api_visibility="private",
            queue=False,
        )
        component.change(
            lambda value: gr.update(visible=value is not None),
            component,
            picker.box,
            api_visibility="private",
            queue=False,
            preprocess=False,
        )


def _wire_ratings(
    app: SpaceApp, tab: MakeTab, review: ReviewTab, generation: gr.State, demo: gr.Blocks
) -> None:
    """👍 and 👎 store a rating and close the controls; the Peer review tab refreshes on demand, when shown
    and when the page loads."""
    for button, rate, name in ((tab.up, app.rate_up, "rate_up"), (tab.down, app.rate_down, "rate_down")):
        button.click(rate, [generation, tab.comment], [generation, tab.rating_status], api_name=name).success(
            lambda status: _rating_controls(False, status["message"]),
            tab.rating_status,
            tab.rating_controls(),
            api_visibility="private",
            queue=False,
        )
    review.refresh.click(app.peer_review, None, review.outputs, api_name="peer_review")
    review.tab.select(app.peer_review, None, review.outputs, api_visibility="private")
    demo.load(app.peer_review, None, review.outputs, api_visibility="private")


def _loaded(models: ModelCache | None, preload: Sequence[str]) -> ModelCache:
    """The model cache (the Space's own by default) with the `preload` models loaded now: on ZeroGPU they must
    be in memory before the GPU worker forks."""
    models = models if models is not None else space_models()
    for name in preload:
        try:
            models.get(name)
        except UserError as exc:
            log.warning("could not preload %s: %s", name, exc)
    return models


def build_demo(
    models: ModelCache | None = None,
    store: RatingsStore | None = None,
    animate_fn: Callable[..., Any] | None = None,
    max_duration: float = MAX_CLIP_SECONDS,
    examples: bool = True,
    preload: Sequence[str] = (DEFAULT_MODEL,),
    time_limit: float = GENERATE_TIME_LIMIT_S,
    options_class: type = RenderOptions,
) -> gr.Blocks:
    """The Space's Blocks (launch it with `launch`). Tests pass a ModelCache with a tiny model and a RatingsStore
    in a temporary folder, and may pass a RenderOptions subclass that declares more options."""
    if animate_fn is None and ON_ZERO_GPU:
        animate_fn = zero_gpu_animate
    models = _loaded(models, preload)
    store = store if store is not None else RatingsStore()
    app = SpaceApp(
        models, store, animate_fn, max_duration, results_folder(), time_limit, options_class=options_class
    )
    offered = Models.of(models)
    i18n = texts.page_texts(max_duration, offered.missing, options_class)
    options = page_options(options_class)
    shown = [pair for pair in EXAMPLES if all(path.is_file() for path in pair)] if examples else []

    with gr.Blocks(title="Kpop Idol Generator", delete_cache=CACHE_CLEANUP) as demo:
        gr.Markdown(i18n("intro"))
        generation = gr.State(None)
        with gr.Tab(i18n("tab_make")):
            tab = _make_tab(i18n, options, offered)
            if shown:
                _examples(app, i18n, tab, generation, shown)
            gr.Markdown(i18n("tips"))
        review = _review_tab(i18n)
        _wire_generate(app, tab, generation, options, time_limit)
        _wire_inputs(app, i18n, tab)
        _wire_ratings(app, tab, review, generation, demo)
    app.uploads = UploadCheck(get_upload_folder(), _received(demo))  # the examples arrive as Gradio's copies
    demo.queue(max_size=QUEUE_SIZE, default_concurrency_limit=CONCURRENCY)
    demo.page_i18n = i18n
    return demo


def launch(demo: gr.Blocks, **kwargs: Any) -> None:
    """Launch a build_demo Blocks with the Space's theme, CSS, upload limit and translations."""
    demo.launch(
        theme=gr.themes.Soft(primary_hue="pink"),
        css=CSS,
        max_file_size=MAX_FILE_SIZE,
        i18n=demo.page_i18n,
        **kwargs,
    )
