"""Evaluate a model against baselines across dance styles and write a report (Markdown + PNG plots).

The real-clip suite folder layout is described in fomm_core.evaluate.suites; the report folder's in
fomm_core.evaluate.report.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

from ..errors import UserError


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Options of `python -m fomm_core evaluate`."""
    parser.formatter_class = argparse.RawDescriptionHelpFormatter
    from ..evaluate import suites

    parser.epilog = "Real-clip suite folder (--suite DIR):\n" + suites.folder_layout()
    parser.add_argument("--model", default="default", help="registry name or checkpoint path (default: default)")
    parser.add_argument("--config", default=None, help="config preset or YAML for the checkpoint, if needed")
    parser.add_argument("--suite", default="builtin", help="'builtin' (synthetic, with ground truth) or a folder")
    parser.add_argument("--out", required=True, type=Path, help="report folder (created)")
    parser.add_argument("--device", default=None, help="cpu, cuda, ... (default: automatic)")
    parser.add_argument("--per-style", type=int, default=4, help="builtin: cases per style (default 4)")
    parser.add_argument("--frames", type=int, default=24, help="builtin: frames per clip (default 24)")
    parser.add_argument("--fps", type=float, default=10.0, help="builtin: frame rate of the dances (default 10)")
    parser.add_argument("--styles", default=None, help="builtin: comma-separated subset of the styles")
    parser.add_argument("--seed", type=int, default=0, help="builtin: suite seed (default 0)")
    parser.add_argument("--no-export", action="store_true",
                        help="builtin: do not write the suite's clips and photos to OUT/suite (they let peer "
                             "reviewers rate results per style)")
    parser.add_argument("--max-frames", type=int, default=48, help="folder: frames read per clip (default 48)")
    parser.add_argument("--max-fps", type=float, default=15.0, help="folder: frame rate clips are read at")
    parser.add_argument("--ratings-db", default=None,
                        help="ratings store for the peer-review section (default: $FOMM_RATINGS_DB or "
                             "ratings/ratings.db when it exists)")
    parser.add_argument("--no-perceptual", action="store_true", help="skip the VGG19 perceptual distance")


def _ratings(path: str | None) -> tuple[list | None, str | None]:
    from ..ratings import RatingsStore, default_db_path

    db = Path(path) if path else default_db_path()
    if not db.is_file():
        if path:
            raise UserError(f"The ratings store {db} does not exist; check --ratings-db.")
        return None, None
    return RatingsStore(db, mirror=None).ratings(), str(db)


def run(args: argparse.Namespace) -> int:
    """Build the suite, evaluate, write the report and print where it is."""
    from .. import load_model
    from ..evaluate import report, runner, suites

    for flag, value, least in (("--per-style", args.per_style, 1), ("--frames", args.frames, 2),
                               ("--max-frames", args.max_frames, 2)):
        if value < least:
            raise UserError(f"{flag} must be at least {least}, not {value}.")
    if args.fps <= 0 or args.max_fps <= 0:
        raise UserError("--fps and --max-fps must be positive frame rates.")
    start = time.perf_counter()
    model = load_model(args.model, config=args.config, device=args.device)
    clip_styles: dict[str, str] = {}
    if args.suite == "builtin":
        styles = args.styles.split(",") if args.styles else None
        unknown = sorted(set(styles or ()) - set(suites.builtin_styles()))
        if unknown:
            raise UserError(f"Unknown style(s) {', '.join(unknown)}; choose from {', '.join(suites.builtin_styles())}.")
        cases = suites.builtin_suite(model.frame_size, args.frames, args.per_style, args.seed, styles, args.fps)
        name = "built-in synthetic"
        if not args.no_export:
            clip_styles = suites.export_suite(cases, args.out / "suite", args.fps)
    else:
        cases, clip_styles = suites.folder_suite(args.suite, model.frame_size, args.max_frames, args.max_fps)
        name = f"'{os.path.basename(os.path.normpath(args.suite))}'"
    ratings, db = _ratings(args.ratings_db)

    def progress(done: int, total: int, case: str) -> None:
        print(f"[{done}/{total}] {case}", file=sys.stderr, flush=True)

    evaluation = runner.run(model, cases, name, perceptual=not args.no_perceptual, progress=progress)
    evaluation.info["arguments"] = " ".join(
        f"--{k.replace('_', '-')}" + ("" if v is True else f"={v}") for k, v in sorted(vars(args).items())
        if k not in ("command", "out") and v is not None and v is not False)
    if args.suite == "builtin" and not args.no_export:
        evaluation.notes.append("The suite's dance clips and photos are in `suite/` (the real-clip folder layout): "
                                "peer reviewers can upload them in the Space so their ratings count per style, and "
                                "`--suite OUT/suite` re-runs the suite from those files.")
    path = report.write_report(evaluation, args.out, ratings=ratings, ratings_db=db, clip_styles=clip_styles)
    print(f"report: {path} ({evaluation.info['frames']} frames, {time.perf_counter() - start:.0f} s in all)")
    return 0
