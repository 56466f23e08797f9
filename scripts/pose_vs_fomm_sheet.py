"""Contact sheet of bus.jpg danced by both Pose2Sim clips: the pose engine beside the default FOMM model.

python scripts/pose_vs_fomm_sheet.py [--out docs/bus_pose_vs_fomm.png] [--frames 5]

Each result is made as a new user makes it: the command line with default options, only the model named
(`--checkpoint pose`, `--checkpoint default`). Per clip (Demo_SinglePerson and Demo_MultiPerson cam01,
pose2sim 0.10.49, BSD-3-Clause) a row of the dance, then a row per engine, at the same moments. bus.jpg
ships with ultralytics 8.4.190 (AGPL-3.0): the sheet is derived from it and carries that licence.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
from PIL import Image
from sheet_rows import captioned_row, fit_height

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

ROW = 300  # height of each row in the sheet, pixels
GAP = 6
ENGINES = (("pose", "pose engine"), ("default", "default FOMM model (128 px)"))


def _frames_at(path: Path, picks: np.ndarray, max_fps: float = 30.0) -> list[np.ndarray]:
    """The frames `picks` of the video at `path`, read at `max_fps` at most."""
    from fomm_core.io import open_video, read_frames

    wanted = set(picks.tolist())
    return [f for t, f in enumerate(read_frames(open_video(path, max_fps=max_fps))) if t in wanted]


def _render(photo: Path, clip: Path, model: str, out: Path) -> None:
    """The command line's result for `model` with every other option at its default."""
    command = [sys.executable, "-m", "fomm_core", "animate", "--source", str(photo), "--driving", str(clip)]
    command += ["--checkpoint", model, "--out", str(out), "--overwrite"]
    subprocess.run(command, check=True, cwd=ROOT, stdout=subprocess.DEVNULL)


def sheet(count: int) -> np.ndarray:
    """Per clip: the dance's frames, then each engine's result at the same moments."""
    from fomm_core.data.real_media import real_media
    from fomm_core.io import open_video

    media = real_media(("bus", "single_person", "multi_person"))
    rows = []
    with tempfile.TemporaryDirectory() as folder:
        for clip_name in ("single_person", "multi_person"):
            clip = media[clip_name]
            results = {}
            for model, _ in ENGINES:
                results[model] = Path(folder) / f"{clip_name}_{model}.mp4"
                _render(media["bus"], clip, model, results[model])
            made = open_video(results["pose"])
            picks = np.linspace(0, made.frame_count - 1, count).round().astype(int)
            dance = _frames_at(clip, picks, max_fps=made.fps)
            rows.append(
                captioned_row(
                    [fit_height(f, ROW) for f in dance],
                    f"the dance: Pose2Sim {clip_name} cam01, frames {picks.tolist()} at {made.fps:g} fps",
                    GAP,
                )
            )
            for model, label in ENGINES:
                tiles = [fit_height(f, ROW) for f in _frames_at(results[model], picks)]
                rows.append(captioned_row(tiles, f"bus.jpg, {label}, default options", GAP))
    width = max(r.shape[1] for r in rows)
    padded = [np.pad(r, ((0, GAP), (0, width - r.shape[1]), (0, 0)), constant_values=255) for r in rows]
    return np.concatenate(padded)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "bus_pose_vs_fomm.png")
    parser.add_argument("--frames", type=int, default=5)
    args = parser.parse_args()
    Image.fromarray(sheet(args.frames)).save(args.out, optimize=True)
    print(args.out)


if __name__ == "__main__":
    main()
