"""Write a synthetic K-pop group clip with its ground truth, optionally a swapped-dancer version and a contact sheet.

python scripts/make_group_clip.py OUT [--seed 0] [--dancers 5] [--seconds 3] [--fps 25] [--size 384x216]
    [--cuts 2] [--style jumps] [--blur N] [--swap K [--swap-seed S]] [--sheet SHEET.png] [--boxes]

Writes OUT.mp4, OUT.json (ground truth) and OUT.masks.npz (see fomm_core.data.group). --swap K also writes
OUT.swapK.* : the same clip with a random newcomer (drawn from --swap-seed) in dancer K's place, and the
newcomer's photo OUT.swapK.photo.png. --sheet writes a contact sheet of frames on both sides of every cut;
--boxes draws the true boxes and ids on it. Deterministic: the same arguments write the same files.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import cv2
import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from fomm_core.data import (  # noqa: E402
    GroupClip,
    group_scene,
    identity_photo,
    random_identity,
    render_group,
    swap_dancers,
    write_group_clip,
)

COLUMNS = 4


def sheet_frames(clip: GroupClip) -> list[int]:
    """Frames across the clip: its first and last, and the frames on both sides of every cut."""
    picks = {0, len(clip.frames) - 1}
    for cut in clip.cuts:
        picks |= {cut - 1, cut}
    return sorted(picks)


def contact_sheet(clip: GroupClip, boxes: bool) -> np.ndarray:
    """A grid of the sheet frames (RGB), each labelled with its frame number (and the true boxes and ids)."""
    tiles = []
    for t in sheet_frames(clip):
        tile = np.ascontiguousarray(clip.frames[t])
        if boxes:
            for i, box in enumerate(clip.boxes[t]):
                if not np.isnan(box[0]):
                    x0, y0, x1, y1 = (int(v) for v in box)
                    cv2.rectangle(tile, (x0, y0), (x1 - 1, y1 - 1), (255, 255, 255), 1)
                    cv2.putText(tile, str(i), (x0 + 2, y0 + 12), cv2.FONT_HERSHEY_SIMPLEX, 0.4, (255, 255, 0))
        cut = " cut" if t in clip.cuts else ""
        cv2.putText(
            tile, f"{t}{cut}", (4, 14), cv2.FONT_HERSHEY_SIMPLEX, 0.45, (255, 255, 255), 1, cv2.LINE_AA
        )
        tiles.append(tile)
    while len(tiles) % COLUMNS:
        tiles.append(np.zeros_like(tiles[0]))
    rows = [np.concatenate(tiles[i : i + COLUMNS], 1) for i in range(0, len(tiles), COLUMNS)]
    return np.concatenate(rows, 0)


def main() -> None:
    """Parse the arguments and write the files."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--dancers", type=int, default=5)
    parser.add_argument("--seconds", type=float, default=3.0)
    parser.add_argument("--fps", type=float, default=25.0)
    parser.add_argument("--size", default="384x216", help="WIDTHxHEIGHT, both even")
    parser.add_argument("--cuts", type=int, default=2)
    parser.add_argument("--style", default=None)
    parser.add_argument("--blur", type=int, default=1, help="motion blur: instants averaged per frame")
    parser.add_argument("--swap", type=int, default=None, metavar="K")
    parser.add_argument("--swap-seed", type=int, default=1000)
    parser.add_argument("--sheet", type=Path, default=None)
    parser.add_argument("--boxes", action="store_true")
    args = parser.parse_args()
    width, height = (int(v) for v in args.size.lower().split("x"))
    start = time.perf_counter()
    scene = group_scene(
        args.seed, args.dancers, args.seconds, args.fps, (width, height), args.cuts, args.style, args.blur
    )
    clip = render_group(scene)
    rendered = time.perf_counter() - start
    files = write_group_clip(clip, args.out)
    print(f"{files['video']}: {len(clip.frames)} frames, cuts {clip.cuts}, rendered in {rendered:.2f} s")
    if args.swap is not None:
        newcomer = random_identity(np.random.default_rng(args.swap_seed))
        swapped = swap_dancers(scene, {args.swap: newcomer})
        out = files["video"].with_name(f"{files['video'].stem}.swap{args.swap}")
        print(f"{write_group_clip(swapped, out)['video']}: dancer {args.swap} replaced")
        cv2.imwrite(str(out.with_name(out.name + ".photo.png")), identity_photo(newcomer)[..., ::-1])
    if args.sheet is not None:
        args.sheet.parent.mkdir(parents=True, exist_ok=True)
        cv2.imwrite(str(args.sheet), contact_sheet(clip, args.boxes)[..., ::-1])
        print(f"{args.sheet}: frames {sheet_frames(clip)}")


if __name__ == "__main__":
    main()
