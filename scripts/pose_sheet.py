"""Contact sheet of the pose engine (fomm_core.puppet): a photo's full-body people driven by both Pose2Sim clips.

python scripts/pose_sheet.py [--photo bus|pose2sim] [--out docs/pose_sheet.png] [--frames 5] [--side 512]

For each clip (Demo_SinglePerson and Demo_MultiPerson cam01, pose2sim 0.10.49, BSD-3-Clause) a row of the
followed dancer's frames, then for each full-body person of the photo a row of the puppet's frames.
`--photo bus` uses ultralytics' bus.jpg (AGPL-3.0, like the package it ships in): a sheet made from it is
AGPL-3.0 too and is committed only with that licence named beside it (docs/bus_pose_vs_fomm.md).
`--photo pose2sim` (the default) uses the first frame of Demo_SinglePerson cam01 (so its first row is the
person driven by their own motion), so the sheet holds only BSD-3 media.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
from PIL import Image
from sheet_rows import captioned_row, fit_height

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

ROW = 240  # height of each row in the sheet, pixels
GAP = 6


def _photo(name: str) -> np.ndarray:
    from fomm_core.data.real_media import real_media
    from fomm_core.io import load_photo, open_video, read_frames

    if name == "bus":
        return load_photo(real_media(("bus",))["bus"])
    clip = real_media(("single_person",))["single_person"]
    frames = read_frames(open_video(clip))
    try:
        return np.ascontiguousarray(next(frames))
    finally:
        frames.close()


def _dancer_crop(frame: np.ndarray, points: np.ndarray) -> np.ndarray:
    """The dancer's part of a clip frame, a little wider than their landmarks."""
    h, w = frame.shape[:2]
    x0, y0 = points.min(0)
    x1, y1 = points.max(0)
    pad = 0.2 * (y1 - y0)
    x0, x1 = int(max(0, x0 - pad)), int(min(w, x1 + pad))
    y0, y1 = int(max(0, y0 - pad)), int(min(h, y1 + pad))
    return frame[y0:y1, x0:x1]


def sheet(photo_name: str, count: int, side: int) -> np.ndarray:
    """The contact sheet: per clip, the dancer's frames, then each full-body person's puppet frames."""
    from fomm_core.data.real_media import real_media
    from fomm_core.io import open_video, read_frames
    from fomm_core.people import choose_dancer, default_landmarker, find_dancers, find_people
    from fomm_core.puppet import Puppet, clip_poses

    landmarker = default_landmarker()
    photo = _photo(photo_name)
    people = [p for p in find_people(photo, landmarker) if p.full_body][:2]
    puppets = [Puppet.from_photo(photo, p, max_side=side) for p in people]
    rows = []
    for clip_name in ("single_person", "multi_person"):
        clip = real_media((clip_name,))[clip_name]
        info = open_video(clip, max_fps=30)
        found = find_dancers(info, landmarker)
        track = found.track(choose_dancer(found))
        poses = list(clip_poses(info, track, landmarker))
        picks = np.linspace(0, len(poses) - 1, count).round().astype(int)
        frames = [f for t, f in enumerate(read_frames(info)) if t in set(picks)]
        crops = [
            fit_height(_dancer_crop(f, poses[t].points), ROW) for f, t in zip(frames, picks, strict=True)
        ]
        rows.append(
            captioned_row(crops, f"the dance: Pose2Sim {clip_name} cam01, frames {picks.tolist()}", GAP)
        )
        for n, puppet in enumerate(puppets):
            made = [f for t, f in enumerate(puppet.animate(poses, info.fps)) if t in set(picks)]
            turned = sum(f.turned for f in made)
            tiles = [fit_height(f.image, ROW) for f in made]
            rows.append(
                captioned_row(
                    tiles,
                    f"person {n} of the photo, pose engine" + (f" ({turned} turned)" * bool(turned)),
                    GAP,
                )
            )
    width = max(r.shape[1] for r in rows)
    padded = [np.pad(r, ((0, GAP), (0, width - r.shape[1]), (0, 0)), constant_values=255) for r in rows]
    return np.concatenate(padded)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--photo", choices=("bus", "pose2sim"), default="pose2sim")
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "pose_sheet.png")
    parser.add_argument("--frames", type=int, default=5)
    parser.add_argument("--side", type=int, default=512)
    args = parser.parse_args()
    Image.fromarray(sheet(args.photo, args.frames, args.side)).save(args.out)
    print(args.out)


if __name__ == "__main__":
    main()
