"""Command line: `python -m fomm_core COMMAND ...`; each command lives in its own module."""

from __future__ import annotations

import argparse
import importlib
import importlib.util
import signal
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from .errors import UserError

# command name -> module with `add_arguments(parser)`, `run(args) -> int` and a docstring first line.
COMMANDS = {
    "animate": "fomm_core.commands.animate",
    "convert": "fomm_core.commands.convert",
    "prepare": "fomm_core.commands.prepare",
    "train": "fomm_core.commands.train",
    "evaluate": "fomm_core.commands.evaluate",
    "ratings": "fomm_core.commands.ratings",
    "inspect": "fomm_core.commands.inspect",
}
#: Signals that stop a command in an orderly way: raised as Stopped, so writers delete their partial files.
STOP_SIGNALS = tuple(
    getattr(signal, name) for name in ("SIGINT", "SIGTERM", "SIGHUP") if hasattr(signal, name)
)


class Stopped(BaseException):
    """A stop signal as an exception (a BaseException, like KeyboardInterrupt, so `except Exception` lets it by)."""

    def __init__(self, signum: int):
        super().__init__(signum)
        self.signum = signum

    @property
    def label(self) -> str:
        """How the user sent it, e.g. "Ctrl-C (SIGINT)"."""
        name = signal.Signals(self.signum).name
        return f"Ctrl-C ({name})" if self.signum == signal.SIGINT else name


def _raise_stopped(signum: int, _frame: object) -> None:
    for s in STOP_SIGNALS:  # the clean-up that follows runs once, not cut short by a second signal
        signal.signal(s, signal.SIG_IGN)
    raise Stopped(signum)


@contextmanager
def _stop_signals_raise() -> Iterator[None]:
    """Within the block, SIGINT/SIGTERM/SIGHUP raise Stopped (main thread only; handlers restored after)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = {s: signal.signal(s, _raise_stopped) for s in STOP_SIGNALS}
    try:
        yield
    finally:
        for s, handler in previous.items():
            signal.signal(s, signal.SIG_DFL if handler is None else handler)


def build_parser() -> argparse.ArgumentParser:
    """The parser of every command that is installed (a command's module may be left out of a build)."""
    parser = argparse.ArgumentParser(prog="python -m fomm_core", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    for name, module_name in COMMANDS.items():
        if importlib.util.find_spec(module_name) is None:
            continue
        module = importlib.import_module(module_name)
        summary = (module.__doc__ or name).strip().splitlines()[0]
        # argparse %-formats help strings: a literal % (as in "95% intervals") must be doubled
        module.add_arguments(sub.add_parser(name, help=summary.replace("%", "%%"), description=summary))
    return parser


def main(argv: list[str] | None = None) -> int:
    """Parse the command line, run one command and return its exit code (128 + signal number when stopped)."""
    args = build_parser().parse_args(argv)
    module = importlib.import_module(COMMANDS[args.command])
    try:
        with _stop_signals_raise():
            return int(module.run(args) or 0)
    except UserError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except Stopped as exc:
        print(f"stopped by {exc.label}: `{args.command}` did not finish.", file=sys.stderr)
        return 128 + exc.signum
