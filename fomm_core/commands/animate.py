"""Animate a full-body photo by a dance clip and write the result as an mp4 (with the clip's audio)."""

from __future__ import annotations

import argparse
import math
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ..errors import UserError
from ..geometry import Box
from ..io.outputs import check_output
from ..option_values import Choice, Flag
from ..options import Option, RenderOptions, check_together, option_table


def add_arguments(parser: argparse.ArgumentParser, options_class: type = RenderOptions) -> None:
    """Command-line arguments of `python -m fomm_core animate`: the files, then one flag per option."""
    parser.add_argument(
        "--source",
        required=True,
        action="append",
        help="photo of the person (jpg, png, webp, ...); repeat it for friends, each taking one dancer's place",
    )
    parser.add_argument("--driving", required=True, help="dance clip (mp4, mov, webm, mkv, avi, gif)")
    parser.add_argument("--out", default="result.mp4", help="output mp4 path (default: result.mp4)")
    parser.add_argument(
        "--overwrite", action="store_true", help="replace --out when it exists (never an input or a device)"
    )
    parser.add_argument(
        "--config", help="config preset name or original YAML, if the checkpoint does not say"
    )
    parser.add_argument("--photo-box", type=_box, help="person in the photo by hand: x0,y0,x1,y1 in pixels")
    parser.add_argument("--dance-box", type=_box, help="dancer in the clip by hand: x0,y0,x1,y1 in pixels")
    for option in option_table(options_class):
        add_option(parser, option)


def add_option(parser: argparse.ArgumentParser, option: Option) -> None:
    """The flag of one option: a switch that turns a boolean's default around, or a flag taking a value (None
    when not given)."""
    if isinstance(option.kind, Flag):
        action, help = (
            ("store_false", f"do not {option.help}") if option.default else ("store_true", option.help)
        )
        parser.add_argument(option.flag, dest=option.name, action=action, help=help)
        return
    group = parser.add_mutually_exclusive_group() if option.shortcuts else parser
    help = option.help if "default" in option.help else f"{option.help} (default: {option.default})"
    takes = {"type": _reader(option), "metavar": option.flag.lstrip("-").upper().replace("-", "_")}
    if isinstance(option.kind, Choice) and not option.cli_files:
        takes = {"choices": option.kind.names()}  # argparse lists them in its usage and refusals
    group.add_argument(option.flag, dest=option.name, help=help.replace("%", "%%"), **takes)
    for value in option.shortcuts:
        group.add_argument(
            f"--{value}",
            dest=option.name,
            action="store_const",
            const=value,
            help=f"same as {option.flag} {value}",
        )


def _reader(option: Option) -> Callable[[str], Any]:
    """argparse's `type` for an option: the text read and checked as the Space checks it."""

    def read(text: str) -> Any:
        if option.cli_files and Path(text).is_file():
            return text
        try:
            return option.check(option.kind.read(text))
        except UserError as exc:
            raise argparse.ArgumentTypeError(str(exc)) from None

    return read


def _box(text: str) -> Box:
    try:
        x0, y0, x1, y1 = (float(v) for v in text.split(","))
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected x0,y0,x1,y1 in pixels, got {text!r}") from None
    if not all(math.isfinite(v) for v in (x0, y0, x1, y1)):
        raise argparse.ArgumentTypeError(f"box {text!r} has a value that is not a finite number of pixels")
    if x1 <= x0 or y1 <= y0:
        raise argparse.ArgumentTypeError(f"box {text!r} is empty: need x1 > x0 and y1 > y0")
    return Box(x0, y0, x1, y1)


def options_from_args(args: argparse.Namespace, options_class: type = RenderOptions) -> RenderOptions:
    """The RenderOptions the arguments ask for; the model, when not named, is the preferred one here, and the
    pose engine on the stage and for a group (the only engine that draws them)."""
    values = {o.name: getattr(args, o.name) for o in option_table(options_class)}
    values = {name: value for name, value in values.items() if value is not None}
    check_together(values)
    if "model" not in values and (values.get("scene") == "stage" or len(args.source) > 1):
        from ..pipeline import STAGE_ENGINE

        values["model"] = STAGE_ENGINE
    elif "model" not in values:
        from ..checkpoints.fetch import preferred_model  # imported here: it brings in huggingface_hub

        values["model"] = preferred_model()
    return options_class(**values)


def _progress_bar(total: int) -> tuple[Callable[[int, int], None], Callable[[], None]]:
    """A progress callback and its closer: tqdm when installed, else a simple stderr line."""
    try:
        from tqdm import tqdm
    except ImportError:

        def report(done: int, total: int) -> None:
            if done == total or done % 10 == 0:
                print(f"frames {done}/{total}", file=sys.stderr, flush=True)

        return report, lambda: None
    bar = tqdm(total=total, unit="frame", desc="animating")

    def update(done: int, _total: int) -> None:
        bar.update(done - bar.n)

    return update, bar.close


def run(args: argparse.Namespace) -> int:
    """Render the video; prints notes about the framing and the output path."""
    from ..checkpoints.load import load_model
    from ..pipeline import plan_render, render

    options = options_from_args(args)
    check_output(args.out, (*args.source, args.driving), overwrite=args.overwrite)
    plan = plan_render(args.source, args.driving, options, photo_box=args.photo_box, dance_box=args.dance_box)
    for note in plan.notes:
        print(f"note: {note}", file=sys.stderr)
    shown = len(plan.notes)
    model = load_model(options.model, config=args.config, device=options.device)
    progress, close = _progress_bar(plan.frame_count)
    try:
        out = render(plan, model, args.out, progress=progress, overwrite=args.overwrite)
    finally:
        close()
    for note in plan.notes[shown:]:  # what the render itself found (a dancer turning away)
        print(f"note: {note}", file=sys.stderr)
    print(out)
    return 0
