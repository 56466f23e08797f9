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
from ..io.outputs import check_folder
from ..numbers import float_argument, int_argument


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Options of `python -m fomm_core evaluate`."""
    parser.formatter_class = argparse.RawDescriptionHelpFormatter
    from ..evaluate import suites

    parser.epilog = "Real-clip suite folder (--suite DIR):\n" + suites.folder_layout()
    parser.add_argument(
        "--model", default="default", help="registry name or checkpoint path (default: default)"
    )
    parser.add_argument("--config", default=None, help="config preset or YAML for the checkpoint, if needed")
    parser.add_argument(
        "--suite",
        default="builtin",
        help="'builtin' (synthetic, with ground truth), 'real' (self-reconstruction of real videos: "
        "the Pose2Sim demo clips, fetched from the pose2sim wheel and cached), 'defaults' (the "
        "builtin suite rendered through the pipeline with the heuristic framing, the pose model's "
        "framing and the default scene), 'stage' (synthetic group clips, each style's dancers replaced by "
        "1, 2 and 4 newcomers on the stage with the pose engine, scored against the clip drawn with them) "
        "or a folder",
    )
    parser.add_argument(
        "--people",
        default="1,2,4",
        help="stage: comma-separated numbers of people put in the dancers' places (default 1,2,4)",
    )
    parser.add_argument(
        "--videos",
        default=None,
        help="real: comma-separated subset of the videos (default: all 8, "
        "single_person/cam01 ... multi_person/cam04)",
    )
    parser.add_argument("--out", required=True, type=Path, help="report folder (created)")
    parser.add_argument(
        "--overwrite", action="store_true", help="replace a report already in --out (refused otherwise)"
    )
    parser.add_argument("--device", default=None, help="cpu, cuda, ... (default: automatic)")
    parser.add_argument(
        "--per-style", type=int_argument, default=4, help="builtin: cases per style (default 4)"
    )
    parser.add_argument(
        "--frames", type=int_argument, default=24, help="builtin: frames per clip (default 24)"
    )
    parser.add_argument(
        "--fps", type=float_argument, default=10.0, help="builtin: frame rate of the dances (default 10)"
    )
    parser.add_argument("--styles", default=None, help="builtin: comma-separated subset of the styles")
    parser.add_argument("--seed", type=int_argument, default=0, help="builtin: suite seed (default 0)")
    parser.add_argument(
        "--no-export",
        action="store_true",
        help="builtin: do not write the suite's clips and photos to OUT/suite (they let peer "
        "reviewers rate results per style)",
    )
    parser.add_argument(
        "--max-frames",
        type=int_argument,
        default=None,
        help="folder/real: frames read per clip from its start (default: 48 for a folder, the "
        "whole clip for real)",
    )
    parser.add_argument(
        "--max-fps",
        type=float_argument,
        default=None,
        help="folder/real: frame rate clips are read at, a frame stride (default 15 for a folder, "
        "30 for real: every 2nd frame of the 60 fps videos)",
    )
    parser.add_argument(
        "--ratings-db",
        default=None,
        help="ratings store for the peer-review section (default: $FOMM_RATINGS_DB or "
        "ratings/ratings.db when it exists)",
    )
    parser.add_argument("--no-perceptual", action="store_true", help="skip the VGG19 perceptual distance")


def _ratings(path: str | None) -> tuple[list | None, str | None]:
    from ..ratings.store import RatingsStore, default_db_path

    db = Path(path) if path else default_db_path()
    if not db.is_file():
        if path:
            raise UserError(f"The ratings store {db} does not exist; check --ratings-db.")
        return None, None
    return RatingsStore(db, mirror=None).ratings(), str(db)


def _progress(done: int, total: int, case: str) -> None:
    print(f"[{done}/{total}] {case}", file=sys.stderr, flush=True)


def _styles(text: str | None) -> list[str] | None:
    from ..evaluate import suites

    styles = text.split(",") if text else None
    unknown = sorted(set(styles or ()) - set(suites.builtin_styles()))
    if unknown:
        raise UserError(
            f"Unknown style(s) {', '.join(unknown)}; choose from {', '.join(suites.builtin_styles())}."
        )
    return styles


#: The files a report folder starts with; one of them in --out means a report is already there.
REPORT_FILES = ("report.md", "results.json", "comparison.md", "comparison.json", "stage.md", "stage.json")


def _check_out(out: Path, overwrite: bool) -> None:
    """Refuse a report folder that is a file or a device, or that holds a report, unless `overwrite`."""
    check_folder(out, "report folder")
    existing = [name for name in REPORT_FILES if (out / name).exists()]
    if existing and not overwrite:
        raise UserError(
            f"The report folder {out} already holds a report ({', '.join(existing)}); "
            "pass --overwrite to replace it, or choose another --out."
        )


def _defaults(args: argparse.Namespace, model: object, start: float) -> int:
    """The builtin suite rendered under each named set of defaults: a report per set and a comparison."""
    from ..evaluate import defaults, report, suites

    cases = suites.builtin_suite(
        model.frame_size, args.frames, args.per_style, args.seed, _styles(args.styles), args.fps
    )
    runs = defaults.run_variants(
        model, cases, args.fps, perceptual=not args.no_perceptual, progress=_progress
    )
    path = report.write_comparison(runs, args.out)
    print(f"report: {path} ({len(runs)} sets of defaults, {time.perf_counter() - start:.0f} s in all)")
    return 0


def _stage(args: argparse.Namespace, start: float) -> int:
    """The stage check (fomm_core.stage.check): a report per style and people count."""
    from ..evaluate import suites
    from ..options import MAX_PEOPLE
    from ..people.model import default_landmarker
    from ..stage.check import stage_check, write_report

    try:
        counts = [int(n) for n in args.people.split(",")]
    except ValueError:
        counts = []
    if not counts or not all(1 <= n <= MAX_PEOPLE for n in counts):
        raise UserError(
            f"--people must be numbers from 1 to {MAX_PEOPLE} separated by commas, not {args.people!r}."
        )
    landmarker = default_landmarker()
    if landmarker is None:
        raise UserError(
            "The stage check needs the landmarker (the pose model), which could not be loaded here."
        )
    styles = _styles(args.styles) or list(suites.builtin_styles())
    scores = stage_check(
        styles, counts, landmarker, args.out / "stage-clips", seed=args.seed, progress=_progress
    )
    path = write_report(scores, args.out)
    print(f"report: {path} ({len(scores)} renders, {time.perf_counter() - start:.0f} s in all)")
    return 0


def run(args: argparse.Namespace) -> int:
    """Build the suite, evaluate, write the report and print where it is."""
    from .. import load_model
    from ..evaluate import report, runner, suites

    for flag, value, least in (
        ("--per-style", args.per_style, 1),
        ("--frames", args.frames, 2),
        ("--max-frames", args.max_frames, 2),
    ):
        if value is not None and value < least:
            raise UserError(f"{flag} must be at least {least}, not {value}.")
    if args.fps <= 0 or (args.max_fps is not None and not args.max_fps > 0):
        raise UserError("--fps and --max-fps must be positive frame rates.")
    _check_out(args.out, args.overwrite)
    start = time.perf_counter()
    if args.suite == "stage":
        return _stage(args, start)
    model = load_model(args.model, config=args.config, device=args.device)
    animate_fn, method = runner.default_animate, None
    if not getattr(model, "square_frames", True):
        if args.suite == "defaults":
            raise UserError("--suite defaults compares the learned model's option sets; name a checkpoint.")
        # the engine makes the frames; the default model's keypoints and frame size measure them
        fps = args.fps if args.suite == "builtin" else args.max_fps or 30.0
        engine = model
        animate_fn, method = (
            (lambda _, photo, driving: engine.animate_arrays(photo, driving, fps)),
            engine.name,
        )
        model = load_model("default", device=args.device)
    clip_styles: dict[str, str] = {}
    if args.suite == "defaults":
        return _defaults(args, model, start)
    if args.suite == "builtin":
        cases = suites.builtin_suite(
            model.frame_size, args.frames, args.per_style, args.seed, _styles(args.styles), args.fps
        )
        name = "built-in synthetic"
        if not args.no_export:
            clip_styles = suites.export_suite(cases, args.out / "suite", args.fps)
    elif args.suite == "real":
        from ..evaluate import real

        videos = args.videos.split(",") if args.videos else real.VIDEOS
        cases = real.real_suite(model.frame_size, videos, args.max_frames, args.max_fps or 30.0)
        name = "real videos (Pose2Sim demos, self-reconstruction)"
    else:
        cases, clip_styles = suites.folder_suite(
            args.suite, model.frame_size, args.max_frames or 48, args.max_fps or 15.0
        )
        name = f"'{os.path.basename(os.path.normpath(args.suite))}'"
    ratings, db = _ratings(args.ratings_db)
    evaluation = runner.run(
        model, cases, name, not args.no_perceptual, animate_fn, progress=_progress, name=method
    )
    if method is not None:
        evaluation.info["engine"] = method
        evaluation.notes.append(
            f"{method}: motion measured with the default model's keypoints, at its frame size"
        )
    evaluation.info["arguments"] = " ".join(
        f"--{k.replace('_', '-')}" + ("" if v is True else f"={v}")
        for k, v in sorted(vars(args).items())
        if k not in ("command", "out") and v is not None and v is not False
    )
    if args.suite == "builtin" and not args.no_export:
        evaluation.notes.append(
            "The suite's dance clips and photos are in `suite/` (the real-clip folder layout): "
            "peer reviewers can upload them in the Space so their ratings count per style, and "
            "`--suite OUT/suite` re-runs the suite from those files."
        )
    path = report.write_report(evaluation, args.out, ratings=ratings, ratings_db=db, clip_styles=clip_styles)
    print(f"report: {path} ({evaluation.info['frames']} frames, {time.perf_counter() - start:.0f} s in all)")
    return 0
