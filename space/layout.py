"""The Space's Blocks: the widgets (space.widgets) and their events (space.events) around one SpaceApp, and how
the Space is launched."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from typing import Any

import gradio as gr
from gradio.utils import get_upload_folder
from starlette.middleware import Middleware

from fomm_core import RenderOptions, UserError
from fomm_core.ratings.raters import distrust_forwarded_headers, proxy_hops_from_env
from fomm_core.ratings.store import RatingsStore

from . import texts
from .events import wire_generate, wire_inputs, wire_ratings
from .gpu import ON_ZERO_GPU, space_models, zero_gpu_animate
from .handlers import SpaceApp
from .inputs import page_options
from .model_cache import ModelCache
from .results import new_result_folder
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
from .uploads import UnreceivedFiles, UploadCheck, file_inputs, file_paths
from .widgets import MakeTab, Models, example_label, make_tab, review_tab

log = logging.getLogger(__name__)


CSS = """
.gradio-container {max-width: 1100px !important; margin: auto;}
#rate-row button {min-width: 0;}
#models-missing {font-size: var(--text-sm); color: var(--body-text-color-subdued);}
@media (max-width: 640px) {.gradio-container {padding: 4px !important;}}
"""


def _received(demo: gr.Blocks) -> Callable[[str], bool]:
    """A test for paths Gradio stored for this app: files sent to its /upload route, and its copies of the examples."""
    examples = file_paths([block.samples for block in demo.blocks.values() if isinstance(block, gr.Dataset)])
    return lambda path: path in examples or path in demo.upload_file_set


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
        models,
        store,
        animate_fn,
        max_duration,
        new_result_folder(get_upload_folder(), CACHE_CLEANUP[1]),
        time_limit,
        options_class=options_class,
    )
    offered = Models.of(models)
    i18n = texts.page_texts(max_duration, offered.missing, options_class)
    options = page_options(options_class)
    shown = [pair for pair in EXAMPLES if all(path.is_file() for path in pair)] if examples else []

    with gr.Blocks(title="Kpop Idol Generator", delete_cache=CACHE_CLEANUP) as demo:
        gr.Markdown(i18n("intro"))
        generation = gr.State(None)
        with gr.Tab(i18n("tab_make")):
            tab = make_tab(i18n, options, offered)
            if shown:
                _examples(app, i18n, tab, generation, shown)
            gr.Markdown(i18n("tips"))
        review = review_tab(i18n)
        wire_generate(app, tab, generation, options, time_limit)
        wire_inputs(app, i18n, tab)
        wire_ratings(app, tab, review, generation, demo)
    app.uploads = UploadCheck(get_upload_folder(), _received(demo))  # the examples arrive as Gradio's copies
    demo.upload_check = app.uploads
    demo.queue(max_size=QUEUE_SIZE, default_concurrency_limit=CONCURRENCY)
    demo.page_i18n = i18n
    return demo


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
