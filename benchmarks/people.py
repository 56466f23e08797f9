"""Person finding's cost per frame, and its share of a render with the pose engine, measured in one run.

On the real two-person clip (Pose2Sim's demo, 1088x1920, 60 fps) read as a render reads it (at most 30 fps):
every dancer found and followed (frames decoded at 640 px by ffmpeg, cuts, the detector and the landmark
model), per rendered frame; then the rest of the pose engine's render of bus.jpg's chosen man as the chosen
dancer (the dancer's landmarks in every frame, the motion, the rig drawn at 512 px). The share is person
finding's time over both, and the runs of the landmark model and of the detector per frame, which the
machine's load does not change. Also every person in bus.jpg.

    python benchmarks/people.py [--repeats 3]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from timing import best_of  # noqa: E402 (benchmarks/, the script's own folder)

RENDER_FPS = 30.0
RIG_SIDE = 512


class Counted:
    """The landmarker, counting its landmark-model and detector runs."""

    def __init__(self, landmarker: object):
        self.landmarker, self.runs = landmarker, {"landmarks": 0, "detect": 0}

    def landmarks(self, *args: object) -> object:
        self.runs["landmarks"] += 1
        return self.landmarker.landmarks(*args)

    def detect(self, *args: object) -> object:
        self.runs["detect"] += 1
        return self.landmarker.detect(*args)

    def counted(self, fn: object) -> dict[str, int]:
        """The runs one call of fn() makes."""
        self.runs = {"landmarks": 0, "detect": 0}
        fn()
        return dict(self.runs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()

    import torch

    from fomm_core.data.real_media import real_media
    from fomm_core.io import load_photo, open_video
    from fomm_core.people import choose_dancer, choose_person, default_landmarker, find_dancers, find_people
    from fomm_core.puppet import Puppet, clip_poses
    from fomm_core.puppet.motion import DancerMotion

    torch.set_num_threads(2)
    media = real_media(("bus", "multi_person"))
    landmarker = default_landmarker()
    if landmarker is None:
        raise SystemExit("the pose model could not load; run python -m fomm_core.people.model_files")
    info = open_video(media["multi_person"], max_fps=RENDER_FPS)
    photo = load_photo(media["bus"])
    people = find_people(photo, landmarker)
    person = people[choose_person(people, photo.shape[1], photo.shape[0])]
    puppet = Puppet.from_photo(photo, person, max_side=RIG_SIDE)
    found = find_dancers(info, landmarker)
    track = found.track(choose_dancer(found))

    def render() -> None:
        poses = clip_poses(info, track, landmarker)
        first = next(poses)
        motion = DancerMotion(puppet.joints, first, info.fps)
        for pose in (first, *poses):
            step = motion(pose)
            puppet.render(step.posed, step.depths)

    finding = best_of(lambda: find_dancers(info, landmarker), args.repeats) / info.frame_count
    engine = best_of(render, args.repeats) / info.frame_count
    photo_s = best_of(lambda: find_people(photo, landmarker), args.repeats)
    counter = Counted(landmarker)
    finding_runs = counter.counted(lambda: find_dancers(info, counter))
    engine_runs = counter.counted(lambda: list(clip_poses(info, track, counter)))
    print(
        f"clip: {info.path.name} {info.width}x{info.height}, {info.frame_count} frames at {info.fps:g} fps, "
        f"{len(found.tracks)} dancers followed"
    )
    print(f"person finding (decoding included):  {finding * 1000:6.1f} ms/frame")
    print(f"pose engine render, the rest:         {engine * 1000:6.1f} ms/frame")
    print(f"share of the render: {100 * finding / (finding + engine):5.1f}% (target <= 20%)")
    for what, runs in (("person finding", finding_runs), ("pose engine", engine_runs)):
        per_frame = ", ".join(f"{name} {count / info.frame_count:.2f}" for name, count in runs.items())
        print(f"{what}: runs per frame: {per_frame}")
    print(f"every person in bus.jpg ({photo.shape[1]}x{photo.shape[0]}): {photo_s * 1000:.0f} ms")


if __name__ == "__main__":
    main()
