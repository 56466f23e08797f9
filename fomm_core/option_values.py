"""The kinds of value a render option takes: how each is read from command-line text, checked, and described.

`read` turns command-line text into a value; `check` takes a value as the command line, the page or an API caller
gives it and returns it as RenderOptions holds it, or raises UserError. The CLI and the Space both call `check`,
so they refuse the same values.
"""

from __future__ import annotations

import abc
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from .errors import UserError
from .numbers import parse_float, parse_int

EMPTY = (None, "")
AUTO = "auto"


def parse_number(text: str, integer: bool) -> int | float | None:
    """`text` as a number written in ASCII digits (fomm_core.numbers: "²", "٣" and "1_000" are not numbers), None
    when it is not one."""
    try:
        return parse_int(text) if integer else parse_float(text)
    except ValueError:
        return None


def _number(value: Any, integer: bool) -> int | float | None:
    """A JSON number or (for whole numbers) its ASCII digits; booleans are not numbers."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int) or (isinstance(value, float) and not integer):
        return value
    if integer and isinstance(value, str):
        return parse_number(value, integer=True)
    return None


class Kind(abc.ABC):
    """A kind of option value; subclasses say how to read, check and describe it."""

    #: The value's JSON type, as the README's API table names it.
    json_type = "string"
    #: The key of the Space's message when `check` refuses a value (a key of space.texts).
    refusal = "v_choice"
    #: What an empty value stands for, in the README's API table.
    unset = ""

    def read(self, text: str) -> Any:
        """The value command-line text stands for (checked later by `check`)."""
        return text

    @abc.abstractmethod
    def check(self, value: Any, default: Any) -> Any:
        """`value` as RenderOptions holds it; empty means `default`. Raises UserError naming what is allowed."""

    @abc.abstractmethod
    def accepted(self) -> str:
        """The values accepted, in words (the README's API table)."""

    def refusal_values(self) -> dict[str, Any]:
        """The placeholders of the refusal message."""
        return {}


@dataclass(frozen=True)
class Choice(Kind):
    """One of a list of names; `choices` may be a callable when the list is known only later (the registry)."""

    choices: Sequence[str] | Callable[[], Sequence[str]]
    what: str

    def names(self) -> tuple[str, ...]:
        """The names accepted."""
        return tuple(self.choices() if callable(self.choices) else self.choices)

    def check(self, value: Any, default: Any) -> Any:
        if value in EMPTY:
            return default
        if value not in self.names():
            raise UserError(f"Unknown {self.what} {value!r}; choose one of: {', '.join(self.names())}.")
        return value

    def accepted(self) -> str:
        return ", ".join(f'"{name}"' for name in self.names())

    def refusal_values(self) -> dict[str, Any]:
        return {"names": ", ".join(self.names())}


@dataclass(frozen=True)
class Flag(Kind):
    """True or false; on the command line a switch that turns the default around."""

    json_type = "boolean"
    refusal = "v_bool"

    def check(self, value: Any, default: Any) -> Any:
        if not isinstance(value, bool):
            raise UserError(f"{value!r} is not true or false.")
        return value

    def accepted(self) -> str:
        return "true, false"


@dataclass(frozen=True)
class Seconds(Kind):
    """A time into the clip, 0 or more; empty or 0 means the default. `what` names it in refusals."""

    what: str
    json_type = "number"
    refusal = "v_seconds"
    unset = "`0`"

    def read(self, text: str) -> Any:
        # argparse puts the flag before the message, so the text is called "the time" here
        number = parse_number(text, integer=False)
        if number is None:
            raise UserError(f"The time {text!r} is not a number of seconds; enter e.g. 2.5.")
        if not math.isfinite(number):
            raise UserError(_not_finite("time", text))
        return number

    def check(self, value: Any, default: Any) -> Any:
        if value in EMPTY or (value == 0 and not isinstance(value, bool)):
            return default
        number = _number(value, integer=False)
        if number is None or not math.isfinite(number):
            raise UserError(_not_finite(self.what, value))
        if number < 0:
            raise UserError(f"The {self.what} {value!r} is before the clip's start; enter 0 or more seconds.")
        return float(number)

    def accepted(self) -> str:
        return "seconds, 0 or more (0: none)"


def _not_finite(what: str, value: Any) -> str:
    return (
        f"The {what} {value!r} is not a finite number of seconds (NaN and infinity are not times); enter e.g. "
        "2.5, or leave it empty."
    )


@dataclass(frozen=True)
class Positive(Kind):
    """A number above 0 (a limit or a rate), or a whole number of at least 1 when `integer`."""

    what: str
    integer: bool = False

    @property
    def json_type(self) -> str:  # type: ignore[override]
        return "integer" if self.integer else "number"

    def read(self, text: str) -> Any:
        number = parse_number(text, integer=self.integer)
        if number is None:
            raise UserError(f"The {self.what} {text!r} is not a {self._noun()}.")
        return number

    def check(self, value: Any, default: Any) -> Any:
        if value in EMPTY:
            return default
        number = _number(value, integer=self.integer)
        if number is None or not math.isfinite(number) or number <= 0:
            raise UserError(f"The {self.what} {value!r} is not a {self._noun()} above 0.")
        return number

    def _noun(self) -> str:
        return "whole number" if self.integer else "number"

    def accepted(self) -> str:
        return f"a {self._noun()} above 0"


@dataclass(frozen=True)
class Size(Kind):
    """A square's side in pixels from `low` to `high`, or "native" (empty) for the model's own."""

    low: int
    high: int
    json_type = "string | integer"
    refusal = "v_size"
    unset = '`"native"`'

    def check(self, value: Any, default: Any) -> Any:
        if value in (*EMPTY, "native"):
            return default
        number = _number(value, integer=True)
        if number is None or not self.low <= number <= self.high:
            raise UserError(
                f"Output size {value!r} is not 'native' or a whole number of pixels from {self.low} to "
                f"{self.high}."
            )
        return number

    def accepted(self) -> str:
        return f'"native", or pixels from {self.low} to {self.high}'

    def refusal_values(self) -> dict[str, Any]:
        return {"low": self.low, "high": self.high}


@dataclass(frozen=True)
class Pick(Kind):
    """For each photo in turn, a number shown by `inspect` (a person or a dancer) or "auto": one number, a list,
    or the numbers separated by commas ("0,2"). Held as a tuple with None for "auto", or None when every entry
    is automatic. `most` is the number of photos; `distinct` refuses one number twice (two photos on one dancer).
    """

    what: str
    most: int
    distinct: bool = False
    json_type = "string | integer | array"
    refusal = "v_pick"
    unset = '`"auto"`'

    def check(self, value: Any, default: Any) -> Any:
        if value in (*EMPTY, AUTO):
            return default
        if isinstance(value, str):
            entries: Sequence[Any] = [entry.strip() for entry in value.split(",")]
        elif isinstance(value, (list, tuple)):
            entries = value
        else:
            entries = [value]
        picks = tuple(self._entry(entry, value) for entry in entries)
        if not picks or len(picks) > self.most:
            raise UserError(
                f"The {self.what}s {value!r} are not one to {self.most} entries, one per photo; give e.g. "
                "'auto', 1 or '0,2'."
            )
        chosen = [pick for pick in picks if pick is not None]
        if self.distinct and len(set(chosen)) < len(chosen):
            twice = next(pick for pick in chosen if chosen.count(pick) > 1)
            raise UserError(
                f"Two photos take {self.what} {twice} ({value!r}): give each photo a different {self.what}."
            )
        return picks if chosen else default

    def _entry(self, entry: Any, value: Any) -> int | None:
        if entry in (*EMPTY, AUTO):
            return None
        number = _number(entry, integer=True)
        if number is None or number < 0:
            raise UserError(
                f"The {self.what} {value!r} is not a number shown by the preview or `inspect`; choose "
                "'auto' or one of 0, 1, ... (one per photo, separated by commas)."
            )
        return number

    def accepted(self) -> str:
        return f'"auto", a number 0, 1, ..., or one per photo (up to {self.most}): a list or "0,2"'


@dataclass(frozen=True)
class FrameChoice(Kind):
    """Where the dance starts from: "auto" (true) for the frame whose pose is closest to the photo, a frame
    number, or none (false, empty): the clip's first frame."""

    json_type = "boolean | string | integer"
    refusal = "v_bool"
    unset = "`false`"

    def check(self, value: Any, default: Any) -> Any:
        if value is False or value in EMPTY:
            return None
        if value is True or value == AUTO:
            return AUTO
        number = _number(value, integer=True)
        if number is None or number < 0:
            raise UserError(f"The best frame must be 'auto' or a frame number (0, 1, ...), not {value!r}.")
        return number

    def accepted(self) -> str:
        return 'true/"auto", false, or a frame number 0, 1, ...'


@dataclass(frozen=True)
class Text(Kind):
    """Free text (a device name): checked where it is used."""

    def check(self, value: Any, default: Any) -> Any:
        if value in EMPTY:
            return default
        if not isinstance(value, str):
            raise UserError(f"{value!r} is not text.")
        return value

    def accepted(self) -> str:
        return "text"
