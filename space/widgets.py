"""The page's widgets: the Make-a-video tab (the files, their previews and pickers, the options accordion built
from the option table, the result and its rating) and the Peer review tab."""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from contextlib import nullcontext
from dataclasses import dataclass

import gradio as gr

from fomm_core.checkpoints.fetch import preferred_model
from fomm_core.checkpoints.registry import native_size
from fomm_core.option_values import Choice, Flag, FrameChoice, Pick, Seconds
from fomm_core.options import Option
from fomm_core.ratings.record import MAX_COMMENT

from . import texts
from .friends import Friends, friends_section
from .model_cache import ModelCache
from .pickers import PICKERS, Picker, picker
from .settings import DEFAULT_MODEL

SIZE_CHOICES = ["384", "512"]


@dataclass
class MakeTab:
    """The Make-a-video tab's components that events read or update."""

    photo: gr.Image
    clip: gr.Video
    options: dict[str, gr.components.Component]  # one widget per page option, by name
    pickers: dict[str, Picker]  # the pick options' previews, by option name
    friends: Friends
    go: gr.Button
    api_friends: gr.File  # hidden: /generate's list of friends' photos
    api_go: gr.Button  # hidden: /generate's trigger (the page's Generate sends each friend's inputs apart)
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


def make_tab(i18n: gr.I18n, options: Sequence[Option], models: Models) -> MakeTab:
    """The Make-a-video tab: the files and their previews, the options and Generate; the result and its rating."""
    picks = [o for o in options if isinstance(o.kind, Pick)]
    with gr.Row():
        with gr.Column(min_width=280):
            photo = gr.Image(label=i18n("photo"), type="filepath", height=320, elem_id="photo")
            clip = gr.Video(label=i18n("clip"), height=320, elem_id="clip")
            with gr.Row():
                pickers = {o.name: picker(i18n, PICKERS[o.name][0], o.name, o.name) for o in picks}
            friends = friends_section(i18n)
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
    widgets.update({name: shown.dropdown for name, shown in pickers.items()})
    with gr.Row(visible=False):  # /generate's own inputs: the API sends the friends' photos as one list
        api_friends = gr.File(file_count="multiple", label="friends", elem_id="api-friends")
        api_go = gr.Button("generate", elem_id="api-generate")
    return MakeTab(
        photo,
        clip,
        widgets,
        pickers,
        friends,
        go,
        api_friends,
        api_go,
        result,
        notice,
        comment,
        up,
        down,
        thanks,
        rating_status,
    )


def review_tab(i18n: gr.I18n) -> ReviewTab:
    with gr.Tab(i18n("tab_review")) as tab:
        summary = gr.Markdown(elem_id="review-summary", label="summary")
        by_model = gr.Dataframe(label=i18n("by_model"), interactive=False, wrap=True, elem_id="by-model")
        by_options = gr.Dataframe(
            label=i18n("by_options"), interactive=False, wrap=True, elem_id="by-options"
        )
        refresh = gr.Button(i18n("refresh"))
    return ReviewTab(tab, [summary, by_model, by_options], refresh)
