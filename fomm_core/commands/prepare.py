"""Make a training set of frame folders from a folder of dance videos, or from synthetic dancers.

Usage: `python -m fomm_core prepare VIDEOS_DIR OUT_DIR [--size 256] [--denoise [nlmeans|bilateral]]
[--test-fraction 0.1] [--seed 0] [--chunk-seconds S]`, or `python -m fomm_core prepare --synthetic N OUT_DIR
[--frames 100]`. Writes OUT_DIR/train/VIDEO/0000000.png ..., OUT_DIR/test/..., OUT_DIR/manifest.json
(see fomm_core.data.prepare).
"""

from __future__ import annotations

import argparse

from ..data.prepare import DENOISERS, prepare_synthetic, prepare_videos
from ..errors import UserError
from ..io.outputs import check_folder
from ..numbers import float_argument, int_argument


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Arguments of `prepare`."""
    parser.add_argument(
        "paths", nargs="+", metavar="DIR", help="VIDEOS_DIR OUT_DIR; with --synthetic only OUT_DIR"
    )
    parser.add_argument(
        "--synthetic", type=int_argument, metavar="N", help="write N synthetic dancer videos instead"
    )
    parser.add_argument(
        "--size", type=int_argument, default=256, help="square frame side in pixels (default 256)"
    )
    parser.add_argument(
        "--denoise",
        nargs="?",
        const="nlmeans",
        choices=sorted(DENOISERS),
        help="denoise frames: nlmeans (default when given; ~70 ms/frame) or bilateral (~2 ms)",
    )
    parser.add_argument(
        "--test-fraction", type=float_argument, default=0.1, help="share of videos for test (default 0.1)"
    )
    parser.add_argument(
        "--seed", type=int_argument, default=0, help="seed of the train/test split and synthetic data"
    )
    parser.add_argument(
        "--max-fps", type=float_argument, default=30.0, help="videos: frames per second kept (default 30)"
    )
    parser.add_argument(
        "--chunk-seconds",
        type=float_argument,
        default=0.0,
        help="videos: split each into chunks NAME#000... of this length (default: whole)",
    )
    parser.add_argument(
        "--min-frames", type=int_argument, default=16, help="videos: skip clips shorter than this"
    )
    parser.add_argument(
        "--frames", type=int_argument, default=100, help="synthetic: frames per video (default 100)"
    )
    parser.add_argument("--overwrite", action="store_true", help="replace a set already in OUT_DIR")


def run(args: argparse.Namespace) -> int:
    """Prepare the set and print a summary."""
    check_folder(args.paths[-1], "OUT_DIR")
    if args.synthetic is not None:
        if len(args.paths) != 1:
            raise UserError(
                "With --synthetic N give only OUT_DIR, e.g. `prepare --synthetic 200 data/synth`."
            )
        manifest = prepare_synthetic(
            args.synthetic,
            args.paths[0],
            size=args.size,
            n_frames=args.frames,
            test_fraction=args.test_fraction,
            seed=args.seed,
            overwrite=args.overwrite,
        )
        out = args.paths[0]
    else:
        if len(args.paths) != 2:
            raise UserError(
                "Give VIDEOS_DIR and OUT_DIR, e.g. `prepare videos/ data/dance` "
                "(or `prepare --synthetic N OUT_DIR`)."
            )
        manifest = prepare_videos(
            args.paths[0],
            args.paths[1],
            size=args.size,
            denoise=args.denoise,
            test_fraction=args.test_fraction,
            seed=args.seed,
            max_fps=args.max_fps,
            chunk_seconds=args.chunk_seconds,
            min_frames=args.min_frames,
            overwrite=args.overwrite,
        )
        out = args.paths[1]
    counts = {split: sum(1 for v in manifest["videos"] if v["split"] == split) for split in ("train", "test")}
    skipped = len(manifest.get("skipped", []))
    print(
        f"{out}: {counts['train']} train and {counts['test']} test videos"
        + (f", {skipped} skipped (see manifest.json)" if skipped else "")
    )
    return 0
