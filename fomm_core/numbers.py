"""The one parser of numbers people type: ASCII digits only.

Python's `str.isdigit()` is true for "²" and `int()`/`float()` read Arabic-Indic or full-width digits, so each
number from a form field, an API call, an environment variable or a command-line flag is read here instead.
"""

from __future__ import annotations

import argparse
import re

_INT = re.compile(r"[+-]?[0-9]+")
_FLOAT = re.compile(
    r"[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?|[+-]?(?:nan|inf|infinity)", re.IGNORECASE
)


def parse_int(value: object) -> int:
    """A whole number from an int or its text in ASCII digits (sign and surrounding spaces allowed); else ValueError."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and _INT.fullmatch(value.strip()):
        return int(value.strip())
    raise ValueError(f"{value!r} is not a whole number")


def parse_float(value: object) -> float:
    """A number from an int, a float or its text in ASCII digits (also "nan"/"inf", for callers to refuse by name);
    else ValueError."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value)
    if isinstance(value, str) and _FLOAT.fullmatch(value.strip()):
        return float(value.strip())
    raise ValueError(f"{value!r} is not a number")


def int_argument(text: str) -> int:
    """parse_int as an argparse `type`."""
    try:
        return parse_int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number (digits 0-9)") from None


def float_argument(text: str) -> float:
    """parse_float as an argparse `type`."""
    try:
        return parse_float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number (digits 0-9, e.g. 2.5)") from None
