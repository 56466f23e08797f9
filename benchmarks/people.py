"""Person finding's cost per frame, and its share of a render with the pose engine, measured in one run.

On the real two-person clip (Pose2Sim's demo, 1088x1920, 60 fps) read as a render reads it (at most 30 fps),
per rendered frame:
- tracking: `find_dancers`, every dancer found and followed (frames decoded at 640 px by ffmpeg, cuts, the
  detector and the landmark model);
- the pose engine's render of bus.jpg's chosen man as the chosen dancer (its frames decoded again, the
  dancer's landmarks in every frame, the motion, the rig drawn at 512 px), twice: taking tracking's
  landmarks of the dancer where tracking has them (as the app renders), and running the landmark model
  on every frame itself (the engine alone, its "landmarks" stage whole).
Person finding is what tracking adds to the render: tracking's time less the engine's time it saves (its
landmarks of the chosen dancer, which the engine would otherwise compute). The render is tracking plus the
engine taking tracking's landmarks, so the share is person finding over that sum. Also printed: the runs of
the landmark model and of the detector per frame, which the machine's load does not change, and every
person in bus.jpg.

    python benchmarks/people.py [--repeats 3]
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import replace
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

    alone = replace(track, depth={})  # no tracking answer is taken as the engine's own

    def render(dancer: object) -> None:
        poses = clip_poses(info, dancer, landmarker)
        first = next(poses)
        motion = DancerMotion(puppet.joints, first, info.fps)
        for pose in (first, *poses):
            step = motion(pose)
            puppet.render(step.posed, step.depths)

    frames = info.frame_count
    tracking = best_of(lambda: find_dancers(info, landmarker), args.repeats) / frames
    engine = best_of(lambda: render(track), args.repeats) / frames
    engine_alone = best_of(lambda: render(alone), args.repeats) / frames
    finding = tracking - (engine_alone - engine)
    photo_s = best_of(lambda: find_people(photo, landmarker), args.repeats)
    counter = Counted(landmarker)
    runs = {
        "tracking": counter.counted(lambda: find_dancers(info, counter)),
        "pose engine, taking tracking's landmarks": counter.counted(
            lambda: list(clip_poses(info, track, counter))
        ),
        "pose engine alone": counter.counted(lambda: list(clip_poses(info, alone, counter))),
    }
    print(
        f"clip: {info.path.name} {info.width}x{info.height}, {frames} frames at {info.fps:g} fps, "
        f"{len(found.tracks)} dancers followed"
    )
    print(f"tracking (decoding included):                   {tracking * 1000:6.1f} ms/frame")
    print(f"pose engine render, taking tracking's landmarks: {engine * 1000:6.1f} ms/frame")
    print(f"pose engine render alone:                        {engine_alone * 1000:6.1f} ms/frame")
    print(f"person finding (tracking less what it saves the engine): {finding * 1000:6.1f} ms/frame")
    print(f"share of the render: {100 * finding / (tracking + engine):5.1f}% (target <= 20%)")
    for what, counts in runs.items():
        per_frame = ", ".join(f"{name} {count / frames:.2f}" for name, count in counts.items())
        print(f"{what}: runs per frame: {per_frame}")
    print(f"every person in bus.jpg ({photo.shape[1]}x{photo.shape[0]}): {photo_s * 1000:.0f} ms")


if __name__ == "__main__":
    main()
