"""/generate's inputs, from the option table: their names and order, their checks, and the options they make.

API callers send the photo, the clip, each page option (`Option.on_page`) in RenderOptions' field order, then
the friends' photos as a list. Every value is checked by its Option, as the command line checks it: the validator
answers with one message per input before the queue, and the handler checks again (a direct call skips the
validator). The page sends each friend's photo and pickers as inputs of their own (space.friends).
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import gradio as gr

from fomm_core.errors import UserError
from fomm_core.options import Option, RenderOptions, check_together, option_table

from . import texts
from .settings import MAX_FRIENDS
from .visitors import language

Upload = str | dict[str, Any] | None
#: /generate's input after the options: the friends' photos, a list of uploads.
API_AFTER = "friends"
_POSITIONAL = inspect.Parameter.POSITIONAL_OR_KEYWORD


def page_options(options_class: type = RenderOptions) -> tuple[Option, ...]:
    """The options the page shows and /generate takes, in order."""
    return tuple(o for o in option_table(options_class) if o.on_page)


def render_options(
    values: Mapping[str, Any], max_duration: float, options_class: type = RenderOptions
) -> RenderOptions:
    """The inputs' values as options, each checked by its Option; a missing value is the option's default."""
    checked = {o.name: o.check(values.get(o.name, o.default)) for o in page_options(options_class)}
    check_together(checked)
    return options_class(**checked, max_duration=max_duration)


def with_option_inputs(
    handler: Callable[..., Any],
    options_class: type,
    special: Sequence[inspect.Parameter],
    after: Sequence[str] = (API_AFTER,),
) -> Callable[..., Any]:
    """A function Gradio calls with the photo, the clip, each page option by name, the inputs named `after`, then
    `special` (Gradio's progress or request): it calls handler(photo, clip, values, **after, **special), `values`
    by option name.

    Its signature names the options, so API callers pass them by name and Gradio finds `special` by type.
    """
    parameters = [
        inspect.Parameter("photo", _POSITIONAL),
        inspect.Parameter("clip", _POSITIONAL),
        *(inspect.Parameter(o.name, _POSITIONAL, default=o.default) for o in page_options(options_class)),
        *(inspect.Parameter(name, _POSITIONAL, default=None) for name in after),
        *special,
    ]
    signature = inspect.Signature(parameters)

    def call(*args: Any, **kwargs: Any) -> Any:
        bound = signature.bind(*args, **kwargs)
        bound.apply_defaults()
        values = dict(bound.arguments)
        photo, clip = values.pop("photo"), values.pop("clip")
        extra = {name: values.pop(name) for name in [*after, *(p.name for p in special)]}
        return handler(photo, clip, values, **extra)

    call.__signature__ = signature  # type: ignore[attr-defined]
    call.__annotations__ = {p.name: p.annotation for p in special}
    call.__name__, call.__doc__ = handler.__name__, handler.__doc__
    return call


def option_checks(
    photo: Upload, clip: Upload, values: dict[str, Any], lang: str, options_class: type = RenderOptions
) -> list[dict[str, Any]]:
    """One gr.validate per input: the photo, the clip, then each page option."""
    checks = [
        gr.validate(photo not in (None, ""), texts.text("v_photo", lang)),
        gr.validate(clip not in (None, ""), texts.text("v_clip", lang)),
    ]  # Gradio itself refuses what is not a file
    checked = {}
    for option in page_options(options_class):
        message = texts.text(option.kind.refusal, lang, **option.kind.refusal_values())
        try:
            checked[option.name] = option.check(values[option.name])
        except UserError:
            checks.append(gr.validate(False, message))
            continue
        checks.append(gr.validate(True, message))
    try:
        check_together(checked)
    except UserError:
        end = [o.name for o in page_options(options_class)].index("trim_end")  # the one check across options
        checks[2 + end] = gr.validate(False, texts.text("v_trim_order", lang))
    return checks


REQUEST = inspect.Parameter("request", _POSITIONAL, default=None, annotation=gr.Request | None)


@functools.cache
def validator(options_class: type = RenderOptions) -> Callable[..., list[dict[str, Any]]]:
    """Gradio's validator for /generate: refuses missing files, values an Option refuses and too many friends
    before the queue, with one message per input, in Korean when the visitor's browser prefers it."""

    def validate_generate(
        photo: Upload, clip: Upload, values: dict[str, Any], friends: Any, request: gr.Request | None
    ) -> list[dict[str, Any]]:
        """One gr.validate per input: the photo, the clip, each page option, then the friends' photos."""
        lang = language(request)
        listed = friends is None or (isinstance(friends, list) and len(friends) <= MAX_FRIENDS)
        return [
            *option_checks(photo, clip, values, lang, options_class),
            gr.validate(listed, texts.text("v_friends", lang, n=MAX_FRIENDS)),
        ]

    return with_option_inputs(validate_generate, options_class, [REQUEST])


validate_generate = validator(RenderOptions)
