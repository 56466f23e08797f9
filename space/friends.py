""" "Add a friend": up to MAX_FRIENDS more photos, shown one at a time, each with its own person picker and the
dancer it replaces; and how the page's pickers become /generate's lists of photos, people and dancers.

The page sends every friend's photo and pickers as inputs of their own (named in PAGE_AFTER); `group` makes them
the lists /generate takes: the photos in order, and `person` and `dancer` with one entry per photo.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import gradio as gr

from fomm_core.option_values import AUTO
from fomm_core.options import RenderOptions
from fomm_core.pipeline import STAGE_ENGINE

from . import texts
from .inputs import REQUEST, Upload, option_checks, with_option_inputs
from .pickers import Picker, picker
from .settings import MAX_FRIENDS
from .visitors import language

NUMBERS = range(1, MAX_FRIENDS + 1)
#: The page's Generate inputs after the options: each friend's photo, person and dancer, then how many are shown.
PAGE_AFTER = (
    *(f"friend_{n}" for n in NUMBERS),
    *(f"person_{n}" for n in NUMBERS),
    *(f"dancer_{n}" for n in NUMBERS),
    "shown",
)


@dataclass
class Friend:
    """One friend's column: their photo, its people's preview and picker, and the dancer they replace."""

    box: gr.Column
    photo: gr.Image
    person: Picker
    dancer: gr.Dropdown


@dataclass
class Friends:
    """The "Add a friend" button, how many friends are shown, and each friend's column."""

    add: gr.Button
    shown: gr.State
    each: list[Friend]

    def inputs(self) -> list[gr.components.Component]:
        """The page's Generate inputs after the options, in PAGE_AFTER's order."""
        return [
            *(f.photo for f in self.each),
            *(f.person.dropdown for f in self.each),
            *(f.dancer for f in self.each),
            self.shown,
        ]


def friends_section(i18n: gr.I18n) -> Friends:
    """The friends' columns, hidden until "Add a friend" shows the next one."""
    each = []
    for n in NUMBERS:
        with gr.Column(visible=False, elem_id=f"friend-{n}-box") as box:
            with gr.Row():
                photo = gr.Image(
                    label=i18n(f"friend_{n}"), type="filepath", height=240, elem_id=f"friend-{n}"
                )
                person = picker(i18n, "people_preview", "person", f"friend-{n}-person", height=240)
            dancer = gr.Dropdown(
                [(str(i18n("pick_auto")), AUTO)],
                value=AUTO,
                label=i18n("friend_dancer"),
                elem_id=f"friend-{n}-dancer",
            )
        each.append(Friend(box, photo, person, dancer))
    add = gr.Button(i18n("add_friend"), size="sm", elem_id="add-friend")
    return Friends(add, gr.State(0), each)


def friend_events(i18n: gr.I18n) -> tuple[Callable[..., tuple[Any, ...]], Callable[..., tuple[Any, ...]]]:
    """The handlers of "Add a friend" and of a new scene.

    Adding shows one friend more (the new count, each friend's column shown or not, the button while there is
    room) and moves a group off the photo scene onto the stage. Both name the main dancer picker (the dancer you
    replace on the stage or with friends, else the one you follow) and, for the stage or a group, choose the
    engine that draws them.
    """

    def scene_set(scene: str, shown: int) -> tuple[Any, Any]:
        key = "dancer_replace" if scene == "stage" or shown else "dancer"
        engine = gr.update(value=STAGE_ENGINE) if scene == "stage" or shown else gr.skip()
        return gr.update(label=str(i18n(key))), engine

    def add(shown: int, scene: str) -> tuple[Any, ...]:
        count = min((shown or 0) + 1, MAX_FRIENDS)
        scene = "stage" if scene == "photo" else scene  # several photos dance on the stage or side by side
        return (
            count,
            *(gr.update(visible=n <= count) for n in NUMBERS),
            gr.update(visible=count < MAX_FRIENDS),
            scene,
            *scene_set(scene, count),
        )

    return add, scene_set


def _with_photos(after: dict[str, Any]) -> list[int]:
    """The numbers of the shown friends whose photo is in."""
    return [n for n in NUMBERS[: after["shown"] or 0] if after[f"friend_{n}"] not in (None, "")]


def group(values: dict[str, Any], after: dict[str, Any]) -> tuple[list[Upload], dict[str, Any]]:
    """The friends' photos that are in, and `values` with `person` and `dancer` listing every photo's choice
    ("auto" or a number; unchanged without friends)."""
    numbers = _with_photos(after)
    lists = {
        name: [values[name], *(after[f"{name}_{n}"] for n in numbers)] if numbers else values[name]
        for name in ("person", "dancer")
    }
    return [after[f"friend_{n}"] for n in numbers], {**values, **lists}


def _auto(pick: Any) -> Any:
    return None if pick in (None, "", AUTO) else pick


@functools.cache
def page_validator(options_class: type = RenderOptions) -> Callable[..., list[dict[str, Any]]]:
    """Gradio's validator for the page's Generate: /generate's checks, and no two photos on one dancer (the
    later photo's dancer picker says so)."""

    def validate_page(
        photo: Upload, clip: Upload, values: dict[str, Any], request: gr.Request | None, **after: Any
    ) -> list[dict[str, Any]]:
        lang = language(request)
        taken = {_auto(values["dancer"])}
        dancers = {}
        for n in _with_photos(after):
            dancer = _auto(after[f"dancer_{n}"])
            dancers[n] = dancer is None or dancer not in taken
            taken.add(dancer)
        same = texts.text("v_same_dancer", lang)
        return [
            *option_checks(photo, clip, values, lang, options_class),
            *(None for _ in NUMBERS),  # the photos and people: checked when their previews are made
            *(None for _ in NUMBERS),
            *(gr.validate(dancers.get(n, True), same) for n in NUMBERS),
            None,
        ]

    return with_option_inputs(validate_page, options_class, [REQUEST], after=PAGE_AFTER)
