"""The pose engine's speed (fomm_core.puppet): frames per second end to end at 512 px output, and the cost per stage.

Photo: bus.jpg's chosen man (ultralytics 8.4.190); dance: Pose2Sim Demo_SinglePerson cam01 (BSD-3), both read
out of their wheels by fomm_core.data.real_media. Per frame: decode (the clip read at the people tracking's
size), landmarks (BlazePose's landmark model on the followed dancer), retarget (unseen landmarks held,
One Euro smoothing, retargeting), deform (mesh skinning and the index buffer), composite (texture lookup,
blend over the backdrop), encode (H.264 by ffmpeg). Once per render: the puppet's rig and backdrop, and the
people tracking that finds the dancer (which the learned engines need too). Beside it, the learned engines'
generation alone on the same clip: the embedded default FOMM (128 px) and a taichi-size FOMM (256 px,
random weights time like trained ones).

    python benchmarks/pose.py [--side 512] [--repeats 2] [--no-fomm]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

STAGES = ("decode", "landmarks", "retarget", "deform", "composite", "encode")


def _render(
    photo, person, info, track, landmarker, side: int, out: Path
) -> tuple[dict[str, float], int, float]:
    """One render, timed: seconds per stage, frames made, seconds for the puppet's rig and backdrop."""
    from fomm_core.io import VideoWriter, fit_size, read_frames
    from fomm_core.people.video import WORK_SIDE
    from fomm_core.puppet import Puppet, dancer_poses

    start = time.perf_counter()
    puppet = Puppet.from_photo(photo, person, max_side=side)
    setup = time.perf_counter() - start
    spent = dict.fromkeys(STAGES, 0.0)
    size = fit_size(info.width, info.height, WORK_SIDE)

    def timed_frames():
        frames = read_frames(info, size=size)
        while True:
            start = time.perf_counter()
            frame = next(frames, None)
            spent["decode"] += time.perf_counter() - start
            if frame is None:
                return
            yield frame

    def timed_poses():
        poses = dancer_poses(timed_frames(), track, landmarker, size[0] / info.width)
        while True:
            start = time.perf_counter()
            pose = next(poses, None)
            spent["landmarks"] += time.perf_counter() - start
            if pose is None:
                return
            yield pose

    count = 0
    with VideoWriter(out, info.rate, puppet.size) as writer:
        for frame in puppet.animate(timed_poses(), info.fps):
            start = time.perf_counter()
            writer.write(frame.image)
            spent["encode"] += time.perf_counter() - start
            count += 1
        start = time.perf_counter()
    spent["encode"] += time.perf_counter() - start  # the encoder's tail, flushed on close
    spent["landmarks"] -= spent["decode"]  # the poses' clock ran while frames were read
    spent.update({k: puppet.stages[k] for k in ("retarget", "deform", "composite")})
    return spent, count, setup


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--side", type=int, default=512)
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--no-fomm", action="store_true", help="skip the learned engines' timing")
    args = parser.parse_args()

    from fomm_core.data.real_media import real_media
    from fomm_core.io import load_photo, open_video
    from fomm_core.people import choose_dancer, choose_person, default_landmarker, find_dancers, find_people

    media = real_media(("bus", "single_person"))
    landmarker = default_landmarker()
    photo = load_photo(media["bus"])
    people = find_people(photo, landmarker)
    person = people[choose_person(people, photo.shape[1], photo.shape[0])]
    info = open_video(media["single_person"])
    start = time.perf_counter()
    found = find_dancers(info, landmarker)
    tracking = time.perf_counter() - start
    track = found.track(choose_dancer(found))
    best = None
    with tempfile.TemporaryDirectory(prefix="pose-bench-") as tmp:
        for _ in range(args.repeats):
            spent, count, setup = _render(
                photo, person, info, track, landmarker, args.side, Path(tmp) / "o.mp4"
            )
            if best is None or sum(spent.values()) < sum(best[0].values()):
                best = (spent, count, setup)
    spent, count, setup = best
    total = sum(spent.values())
    print(
        f"pose engine, {args.side} px output, {count} frames of {info.width}x{info.height} at {info.fps:g} fps"
    )
    print(f"end to end: {count / total:.1f} frames/s ({1000 * total / count:.1f} ms/frame)")
    for stage in STAGES:
        print(f"  {stage:<10} {1000 * spent[stage] / count:6.1f} ms/frame")
    print(
        f"once: puppet rig + backdrop {1000 * setup:.0f} ms; people tracking over the clip {1000 * tracking:.0f} ms"
    )
    if not args.no_fomm:
        for name, seconds in _learned(media["bus"], media["single_person"]).items():
            print(f"{name}: generation alone {1000 * seconds:.1f} ms/frame ({1 / seconds:.1f} frames/s)")


def _learned(photo: Path, clip: Path) -> dict[str, float]:
    """Seconds per frame the learned engines take to generate the clip's frames (source encoded once)."""
    import itertools

    import torch

    import fomm_core
    from fomm_core.options import RenderOptions
    from fomm_core.pipeline import plan_render

    torch.set_num_threads(2)
    plan = plan_render(photo, clip, RenderOptions(keep_audio=False))
    models = {
        "default FOMM (128 px)": fomm_core.load_model("default", device="cpu"),
        "taichi-size FOMM (256 px)": fomm_core.random_model("taichi-256", seed=0, device="cpu"),
    }
    spent = {}
    for name, model in models.items():
        size = model.frame_size
        source = plan.source(size)
        driving = list(itertools.islice(plan.driving(size), plan.frame_count))
        list(fomm_core.animate_iter(model, source, driving[:2]))  # warm up
        start = time.perf_counter()
        for _ in fomm_core.animate_iter(model, source, driving):
            pass
        spent[name] = (time.perf_counter() - start) / len(driving)
    return spent


if __name__ == "__main__":
    main()
