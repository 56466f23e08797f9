"""Entry point for `python -m fomm_core` (fomm_core/__init__.py has already made a stop while loading quiet)."""

import sys

from .cli import main
from .starting import ignore_stop_signals, stop_quietly_while_starting

stop_quietly_while_starting()
_code = main()
ignore_stop_signals()
sys.exit(_code)
