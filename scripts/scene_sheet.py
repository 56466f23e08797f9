"""Contact sheet of the photo scene: the photo, a few dance frames and the matching output frames.

python scripts/scene_sheet.py [--out docs/scene.png] [--model default] [--frames 5] [--photo-time 0.0]

Photo: a frame of Pose2Sim's Demo_SinglePerson cam01; dance: Demo_MultiPerson cam01 (pose2sim 0.10.49,
BSD-3-Clause, read out of its wheel by fomm_core.data.real_media). Only BSD-3 media: the sheet may be committed.
"""

from __future__ import annotations

import argparse
import itertools
import sys
import tempfile
from pathlib import Path

import cv2
import numpy as np
from PIL import Image
from sheet_rows import LABEL, captioned_row, fit_height

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

ROW = 320  # height of each row in the sheet, pixels
GAP = 6


def _frame_at(clip: Path, seconds: float) -> np.ndarray:
    """The clip's frame `seconds` in, uint8 RGB."""
    from fomm_core.io import open_video, read_frames

    frames = read_frames(open_video(clip, trim_start=seconds))
    try:
        return next(frames)
    finally:
        frames.close()


def sheet(model_name: str, count: int, photo_time: float) -> np.ndarray:
    """The contact sheet: photo | dance frames (the followed dancer's crop) / output frames."""
    from fomm_core.data.real_media import real_media
    from fomm_core.io import open_video, read_frames
    from fomm_core.options import RenderOptions
    from fomm_core.pipeline import plan_render, render

    media = real_media(("single_person", "multi_person"))
    options = RenderOptions(model=model_name, max_fps=15, output_size=ROW, keep_audio=False)
    with tempfile.TemporaryDirectory(prefix="scene-sheet-") as tmp:
        photo = Path(tmp) / "photo.png"
        Image.fromarray(_frame_at(media["single_person"], photo_time)).save(photo)
        plan = plan_render(photo, media["multi_person"], options)
        for note in plan.notes:
            print(f"note: {note}")
        out = render(plan, out=Path(tmp) / "out.mp4")
        picks = np.linspace(0, plan.frame_count - 1, count).round().astype(int)
        dance = list(itertools.islice(plan.driving(ROW), plan.frame_count))
        frames = read_frames(open_video(out, max_fps=1000.0))
        made = list(frames)
        frames.close()
    top = captioned_row(
        [dance[i] for i in picks], "the dance (Demo_MultiPerson, the followed dancer's crop)", GAP
    )
    bottom = captioned_row(
        [fit_height(made[i], ROW) for i in picks], "the result: the photo's person dancing in place", GAP
    )
    width = max(top.shape[1], bottom.shape[1])
    rows = [np.pad(r, ((0, 0), (0, width - r.shape[1]), (0, 0)), constant_values=255) for r in (top, bottom)]
    right = np.concatenate([rows[0], np.full((GAP, width, 3), 255, np.uint8), rows[1]])
    photo_tile = fit_height(plan.photo, right.shape[0] - LABEL)
    left = np.full((right.shape[0], photo_tile.shape[1], 3), 255, np.uint8)
    left[LABEL:] = photo_tile
    cv2.putText(
        left, "the photo", (4, LABEL - 8), cv2.FONT_HERSHEY_SIMPLEX, 0.6, (20, 20, 20), 1, cv2.LINE_AA
    )
    return np.concatenate([left, np.full((right.shape[0], GAP, 3), 255, np.uint8), right], axis=1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=str(ROOT / "docs" / "scene.png"))
    parser.add_argument("--model", default="default")
    parser.add_argument("--frames", type=int, default=5)
    parser.add_argument("--photo-time", type=float, default=0.0, help="seconds into the photo's clip")
    args = parser.parse_args()
    image = Image.fromarray(sheet(args.model, args.frames, args.photo_time))
    palette = image.quantize(colors=256, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.FLOYDSTEINBERG)
    palette.save(args.out, optimize=True)  # a third of the size of full colour, no visible loss
    print(args.out)


if __name__ == "__main__":
    main()
