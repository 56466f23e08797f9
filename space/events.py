"""The page's events: Generate and its validator, the previews that follow the files, the model's details,
the rating controls, and the Peer review's refreshes."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import gradio as gr

from fomm_core.options import Option

from .friends import friend_events, page_validator
from .handlers import SpaceApp
from .inputs import validator
from .pickers import PICKERS
from .settings import CONCURRENCY
from .widgets import MakeTab, ReviewTab, size_choices

# Pressing Generate brings the progress and the result into view (on a phone they are below the fold);
# without both files the validator's messages at the inputs are what must stay in view.
SCROLL_TO_RESULT_JS = """(photo, clip) => {
    if (photo && clip) document.getElementById('result')?.scrollIntoView({block: 'nearest'});
    return [photo, clip];
}"""


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


def wire_generate(
    app: SpaceApp, tab: MakeTab, generation: gr.State, options: Sequence[Option], time_limit: float
) -> None:
    """Generate: the rating controls close, the result comes into view, then the render runs (after its
    validator); a new video (generated, or an example's) opens the rating controls. The page sends each friend's
    inputs apart; /generate (the hidden trigger) takes the friends' photos as one list; one render at a time."""
    controls = tab.rating_controls()
    widgets = [tab.options[o.name] for o in options]
    outputs = [tab.result, tab.notice, generation]
    render = {
        "concurrency_limit": CONCURRENCY,
        "concurrency_id": "generate",
        "preprocess": False,
        "time_limit": int(time_limit),
    }
    tab.go.click(
        lambda photo, clip: (*_rating_controls(False), gr.update(visible=False)),
        [tab.photo, tab.clip],
        [*controls, tab.notice],
        js=SCROLL_TO_RESULT_JS,
        preprocess=False,
        api_visibility="private",
        queue=False,
    ).then(
        app.generate_page,
        [tab.photo, tab.clip, *widgets, *tab.friends.inputs()],
        outputs,
        api_visibility="private",
        validator=page_validator(app.options_class),
        **render,
    )
    tab.api_go.click(
        app.generate,
        [tab.photo, tab.clip, *widgets, tab.api_friends],
        outputs,
        api_name="generate",
        validator=validator(app.options_class),
        **render,
    )
    generation.change(
        _open_rating, generation, [*controls, tab.notice], api_visibility="private", queue=False
    )


def wire_inputs(app: SpaceApp, i18n: gr.I18n, tab: MakeTab) -> None:
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
        concurrency_id="people_in_photo",
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
        _follow_file(tab, getattr(tab, PICKERS[name][1]), picker.box)
    _wire_friends(app, i18n, tab)


def _follow_file(tab: MakeTab, component: gr.components.Component, box: gr.Column) -> None:
    """A new file closes the rating of the last video; its preview's column shows while there is a file."""
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
        box,
        api_visibility="private",
        queue=False,
        preprocess=False,
    )


def _wire_friends(app: SpaceApp, i18n: gr.I18n, tab: MakeTab) -> None:
    """ "Add a friend" shows the next friend's column; a friend's photo gets its preview and person picker; a new
    clip preview lists its dancers in every friend's dancer picker; the stage or a group names the main dancer
    picker the dancer you replace and chooses the engine that draws them."""
    friends, scene = tab.friends, tab.options["scene"]
    dancer, model = tab.options["dancer"], tab.options["model"]
    add, scene_set = friend_events(i18n)
    friends.add.click(
        add,
        [friends.shown, scene],
        [friends.shown, *(f.box for f in friends.each), friends.add, scene, dancer, model],
        api_visibility="private",
        queue=False,
    )
    scene.change(scene_set, [scene, friends.shown], [dancer, model], api_visibility="private", queue=False)
    for friend in friends.each:
        friend.photo.change(
            app.people_in_photo,
            friend.photo,
            friend.person.outputs(),
            api_visibility="private",
            concurrency_limit=CONCURRENCY,
            concurrency_id="people_in_photo",
            preprocess=False,
            trigger_mode="always_last",
        )
        _follow_file(tab, friend.photo, friend.person.box)
    tab.pickers["dancer"].found.change(
        app.friend_dancers,
        tab.pickers["dancer"].found,
        [f.dancer for f in friends.each],
        api_visibility="private",
        queue=False,
    )


def wire_ratings(
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
