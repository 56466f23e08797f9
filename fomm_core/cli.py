"""Command line: `python -m fomm_core COMMAND ...`; each command lives in its own module."""

from __future__ import annotations

import argparse
import importlib
import importlib.util
import sys

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


def main(argv: list[str] | None = None) -> int:
    """Parse the command line, run one command and return its exit code."""
    parser = argparse.ArgumentParser(prog="python -m fomm_core", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    for name, module_name in COMMANDS.items():
        if importlib.util.find_spec(module_name) is None:
            continue
        module = importlib.import_module(module_name)
        summary = (module.__doc__ or name).strip().splitlines()[0]
        module.add_arguments(sub.add_parser(name, help=summary, description=summary))
    args = parser.parse_args(argv)
    module = importlib.import_module(COMMANDS[args.command])
    try:
        return int(module.run(args) or 0)
    except UserError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
