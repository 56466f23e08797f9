"""Animate a full-body photo by a dance clip and write the result as an mp4 (with the clip's audio)."""

from __future__ import annotations

import argparse
import math
import sys
from collections.abc import Callable

from ..errors import UserError
from ..framing import Box
from ..io.outputs import check_output
from ..io.video import finite_seconds
from ..options import MAX_OUTPUT_WIDTH, MODES, SCENES, RenderOptions


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Command-line arguments of `python -m fomm_core animate`."""
    defaults = RenderOptions()
    parser.add_argument("--source", required=True, help="photo of the person (jpg, png, webp, ...)")
    parser.add_argument("--driving", required=True, help="dance clip (mp4, mov, webm, mkv, avi, gif)")
    parser.add_argument("--out", default="result.mp4", help="output mp4 path (default: result.mp4)")
    parser.add_argument(
        "--overwrite", action="store_true", help="replace --out when it exists (never an input or a device)"
    )
    parser.add_argument(
        "--checkpoint",
        default=None,
        help="registry name (e.g. taichi) or a .pth.tar/.safetensors path (default: tpsmm-taichi when "
        "its weights are on this machine, else the embedded default model)",
    )
    parser.add_argument(
        "--config", help="config preset name or original YAML, if the checkpoint does not say"
    )
    motion = parser.add_mutually_exclusive_group()
    motion.add_argument(
        "--mode",
        choices=MODES,
        help="motion transfer: relative (the dancer's moves from the photo's pose), absolute (the "
        "dancer's pose as it is) or avd (TPSMM only: animation via disentanglement); "
        f"default: {defaults.mode}",
    )
    motion.add_argument(
        "--absolute", dest="mode", action="store_const", const="absolute", help="same as --mode absolute"
    )
    motion.add_argument("--avd", dest="mode", action="store_const", const="avd", help="same as --mode avd")
    parser.add_argument("--no-adapt-scale", action="store_true", help="do not scale motion by body size")
    parser.add_argument("--best-frame", help="'auto' or a frame number to align the photo's pose with")
    parser.add_argument("--device", help="cpu, cuda, cuda:1 ... (default: automatic)")
    parser.add_argument(
        "--trim-start", type=seconds, default=0.0, help="start of the dance, seconds into the clip"
    )
    parser.add_argument("--trim-end", type=seconds, help="end of the dance, seconds into the clip")
    parser.add_argument(
        "--max-duration",
        type=float,
        default=defaults.max_duration,
        help="refuse longer segments, in seconds (default: %(default)s)",
    )
    parser.add_argument(
        "--max-fps", type=float, default=defaults.max_fps, help="output frame rate cap (default: %(default)s)"
    )
    parser.add_argument("--no-framing", action="store_true", help="use the whole frames, padded to squares")
    parser.add_argument("--photo-box", type=_box, help="person in the photo by hand: x0,y0,x1,y1 in pixels")
    parser.add_argument("--dance-box", type=_box, help="dancer in the clip by hand: x0,y0,x1,y1 in pixels")
    parser.add_argument(
        "--scene",
        choices=SCENES,
        default=defaults.scene,
        help="photo: the person dances where they stand in their photo, its background still (the output "
        "keeps the photo's framing); plain: the photo cropped square around the person, as the models' "
        "training data look (default: %(default)s)",
    )
    parser.add_argument(
        "--side-by-side", action="store_true", help="output the dance and the result side by side"
    )
    parser.add_argument(
        "--output-size",
        type=int,
        help=f"output square side in pixels (default: the model's); at most {MAX_OUTPUT_WIDTH} "
        f"pixels wide in all, so {MAX_OUTPUT_WIDTH // 2} with --side-by-side",
    )
    parser.add_argument("--no-audio", action="store_true", help="leave the clip's audio out")
    parser.add_argument("--batch-size", type=int, default=defaults.batch_size, help="frames per model batch")
    parser.add_argument(
        "--person",
        type=int,
        help="which person in the photo to animate, numbered as `inspect` "
        "shows them (default: the most complete, largest and most central)",
    )
    parser.add_argument(
        "--dancer",
        type=int,
        help="which dancer in the clip to follow, by `inspect`'s id (default: the one who moves most)",
    )


def seconds(text: str) -> float:
    """A time in seconds from the command line; "nan" and "inf" are refused by name."""
    try:
        return finite_seconds(text, "time")
    except UserError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


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


def options_from_args(args: argparse.Namespace) -> RenderOptions:
    """The RenderOptions the arguments ask for."""
    best = args.best_frame
    if best is not None and best != "auto":
        try:
            best = int(best)
        except ValueError:
            raise UserError(f"--best-frame must be 'auto' or a frame number, not {best!r}.") from None
    from ..weights import preferred_model  # imported here: it brings in huggingface_hub

    return RenderOptions(
        model=args.checkpoint or preferred_model(),
        mode=args.mode or RenderOptions.mode,
        adapt_scale=not args.no_adapt_scale,
        best_frame=best,
        trim_start=args.trim_start,
        trim_end=args.trim_end,
        max_duration=args.max_duration,
        max_fps=args.max_fps,
        framing=not args.no_framing,
        side_by_side=args.side_by_side,
        output_size=args.output_size,
        keep_audio=not args.no_audio,
        batch_size=args.batch_size,
        device=args.device,
        person=args.person,
        dancer=args.dancer,
        scene=args.scene,
    )


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
    from ..models import load_model
    from ..pipeline import prepare, render

    options = options_from_args(args)
    check_output(args.out, (args.source, args.driving), overwrite=args.overwrite)
    plan = prepare(args.source, args.driving, options, photo_box=args.photo_box, dance_box=args.dance_box)
    for note in plan.notes:
        print(f"note: {note}", file=sys.stderr)
    model = load_model(options.model, config=args.config, device=options.device)
    progress, close = _progress_bar(plan.frame_count)
    try:
        out = render(
            args.source,
            args.driving,
            options,
            out_path=args.out,
            progress=progress,
            model=model,
            plan=plan,
            overwrite=args.overwrite,
        )
    finally:
        close()
    print(out)
    return 0
