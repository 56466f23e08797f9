"""Person finding's cost per frame, and its share of a render with the taichi-size FOMM, measured in one run.

On the real two-person clip (Pose2Sim's demo, 1088x1920, 60 fps) read as a render reads it (at most 30 fps):
every dancer found and followed (frames decoded at 640 px by ffmpeg, then the pose model), per rendered
frame; the same without decoding (frames read beforehand); then the taichi-256 FOMM (random weights time
like trained ones) animating 256x256 frames with fomm_core.animate_iter. Also every person in bus.jpg.

    python benchmarks/people.py [--frames 24] [--repeats 3]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from timing import best_of  # noqa: E402 (benchmarks/, the script's own folder)

RENDER_FPS = 30.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--frames", type=int, default=24, help="frames the model animates for its timing")
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()

    import numpy as np
    import torch

    import fomm_core
    from fomm_core.data.real_media import real_media
    from fomm_core.io import fit_size, load_photo, open_video, read_frames
    from fomm_core.people import default_landmarker, find_dancers, find_people, track_people
    from fomm_core.people.video import WORK_SIDE

    torch.set_num_threads(2)
    media = real_media(("bus", "multi_person"))
    landmarker = default_landmarker()
    if landmarker is None:
        raise SystemExit("the pose model could not load; run python -m fomm_core.people.model_files")
    info = open_video(media["multi_person"], max_fps=RENDER_FPS)
    frames = list(read_frames(info, size=fit_size(info.width, info.height, WORK_SIDE)))
    track_people(frames[:4], info.fps, landmarker)  # warm up the runtime
    with_decoding = best_of(lambda: find_dancers(info, landmarker), args.repeats) / info.frame_count
    tracking = best_of(lambda: track_people(frames, info.fps, landmarker), args.repeats) / info.frame_count
    people = track_people(frames, info.fps, landmarker)
    photo = load_photo(media["bus"])
    photo_s = best_of(lambda: find_people(photo, landmarker), args.repeats)

    fomm = fomm_core.random_model("taichi-256", seed=0, device="cpu")
    rng = np.random.default_rng(0)
    source = rng.random((256, 256, 3), dtype=np.float32)
    driving = rng.random((args.frames, 256, 256, 3), dtype=np.float32)
    list(fomm_core.animate_iter(fomm, source, driving[:2]))  # warm up
    render = best_of(lambda: list(fomm_core.animate_iter(fomm, source, driving)), args.repeats) / args.frames

    print(
        f"clip: {info.path.name} {info.width}x{info.height}, {info.frame_count} frames at {info.fps:g} fps, "
        f"{len(people.tracks)} dancers followed"
    )
    print(f"person finding, pose model only:   {tracking * 1000:6.1f} ms/frame")
    print(f"person finding, with decoding:     {with_decoding * 1000:6.1f} ms/frame")
    print(f"taichi-256 FOMM animation:         {render * 1000:6.1f} ms/frame")
    for label, cost in (("pose model only", tracking), ("with decoding", with_decoding)):
        print(f"share of the render ({label}): {100 * cost / (cost + render):5.1f}% (target <= 20%)")
    print(f"every person in bus.jpg ({photo.shape[1]}x{photo.shape[0]}): {photo_s * 1000:.0f} ms")


if __name__ == "__main__":
    main()
