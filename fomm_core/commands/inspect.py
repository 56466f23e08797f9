"""Show who would be animated and followed: the people in the photo, the dancers and cuts in the clip (no animation)."""

from __future__ import annotations

import argparse
import json
import sys

from ..io.outputs import check_output, written
from ..options import OPTIONS
from ..people.inspect import inspect_media
from .animate import add_option


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Arguments of `python -m fomm_core inspect`."""
    parser.add_argument("--photo", required=True, help="photo of the person (jpg, png, webp, ...)")
    parser.add_argument("--driving", help="dance clip (mp4, mov, webm, mkv, avi, gif)")
    parser.add_argument("--json", help="write the findings as JSON to this file ('-': standard output)")
    parser.add_argument("--overwrite", action="store_true", help="replace the --json file when it exists")
    for option in OPTIONS:
        if option.name in ("trim_start", "trim_end"):
            add_option(parser, option)  # read and checked as `animate` reads them


def run(args: argparse.Namespace) -> int:
    """Find, print a summary (to stderr when the JSON goes to stdout), write the JSON."""
    if args.json and args.json != "-":
        check_output(args.json, (args.photo, args.driving), overwrite=args.overwrite, what="JSON file")
    result = inspect_media(args.photo, args.driving, args.trim_start or 0.0, args.trim_end)
    found = result.to_dict()
    out = sys.stderr if args.json == "-" else sys.stdout
    photo = found["photo"]
    print(f"photo {photo['size'][0]}x{photo['size'][1]}: {len(photo['people'])} people", file=out)
    for i, person in enumerate(photo["people"]):
        mark = "*" if i == photo["chosen"] else " "
        print(
            f" {mark} person {i}: box {person['box']} {'full body' if person['full_body'] else 'partial'}",
            file=out,
        )
    if "clip" in found:
        clip = found["clip"]
        cuts = f", cuts at frames {clip['cuts']}" if clip["cuts"] else ""
        print(
            f"clip {clip['size'][0]}x{clip['size'][1]}, {clip['frames']} frames at {clip['fps']:g} fps: "
            f"{len(clip['dancers'])} dancers{cuts}",
            file=out,
        )
        for dancer in clip["dancers"]:
            mark = "*" if dancer["id"] == clip["chosen"] else " "
            frames = [int(t) for t in dancer["boxes"]]
            print(f" {mark} dancer {dancer['id']}: seen in frames {min(frames)}-{max(frames)}", file=out)
    for note in result.notes:
        print(f"note: {note}", file=out)
    if args.json == "-":
        json.dump(found, sys.stdout)
        print()
    elif args.json:
        with written(args.json, (args.photo, args.driving), args.overwrite, "JSON file") as tmp:
            tmp.write_text(json.dumps(found))
    return 0
