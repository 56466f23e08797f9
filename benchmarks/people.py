"""Person finding's cost per frame, and its share of a render with the pose engine, measured in one run.

On the real two-person clip (Pose2Sim's demo, 1088x1920, 60 fps) read as a render reads it (at most 30 fps),
with bus.jpg's chosen man as the photo, per rendered frame:
- tracking: `find_dancers`, every dancer in the clip found and followed (the frames decoded at 640 px by
  ffmpeg, the cuts, the detector and the landmark model);
- the render: `fomm_core.pipeline.render` of the plan with the pose engine, as the app makes it (the frames
  decoded again, the chosen dancer's landmarks in every frame, taking tracking's where it has them, the
  motion, the person drawn in their photo, the video encoded);
- the saving: the landmark-model runs on the chosen dancer the engine takes from tracking instead of making
  them itself (its runs per frame alone, less those taking tracking's), times the mean time of one run on
  the dancer (in the fastest of the engine's passes alone).
Person finding is what tracking adds to the render: tracking's time less the saving (the engine's
"landmarks" stage done by tracking). The render with the pose engine is tracking plus the render; the share is
person finding over that sum. The rest of the planning (the photo's person, the framing) is in neither and is
printed apart: every person in bus.jpg. The runs per frame do not depend on the machine's load; the times do.

    python benchmarks/people.py [--repeats 3]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from timing import best_of  # noqa: E402 (benchmarks/, the script's own folder)

RENDER_FPS = 30.0


class Counted:
    """The landmarker, counting its landmark-model and detector runs and timing the landmark model's."""

    def __init__(self, landmarker: object):
        self.landmarker, self.runs, self.seconds = landmarker, {"landmarks": 0, "detect": 0}, 0.0

    def landmarks(self, *args: object) -> object:
        self.runs["landmarks"] += 1
        start = time.perf_counter()
        pose = self.landmarker.landmarks(*args)
        self.seconds += time.perf_counter() - start
        return pose

    def detect(self, *args: object) -> object:
        self.runs["detect"] += 1
        return self.landmarker.detect(*args)

    def counted(self, fn: object) -> dict[str, int]:
        """The runs one call of fn() makes."""
        self.runs, self.seconds = {"landmarks": 0, "detect": 0}, 0.0
        fn()
        return dict(self.runs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()

    import torch

    from fomm_core.checkpoints.load import load_model
    from fomm_core.data.real_media import real_media
    from fomm_core.io import load_photo
    from fomm_core.options import RenderOptions
    from fomm_core.people import default_landmarker, find_dancers, find_people
    from fomm_core.pipeline import plan_render, render
    from fomm_core.puppet import clip_poses

    torch.set_num_threads(2)
    media = real_media(("bus", "multi_person"))
    landmarker = default_landmarker()
    if landmarker is None:
        raise SystemExit("the pose model could not load; run python -m fomm_core.people.model_files")
    options = RenderOptions(model="pose", max_fps=RENDER_FPS)
    plan = plan_render(media["bus"], media["multi_person"], options, landmarker=landmarker)
    info, track = plan.info, plan.track
    bare = replace(track, depth={})  # no tracking answer is taken as the engine's own
    counter = Counted(landmarker)
    model = load_model("pose")

    with tempfile.TemporaryDirectory() as folder:
        frames = info.frame_count
        tracking = best_of(lambda: find_dancers(info, landmarker), args.repeats) / frames
        rendering = best_of(lambda: render(plan, model, Path(folder) / "result.mp4"), args.repeats) / frames
    seconds = []
    for _ in range(
        args.repeats
    ):  # the landmark model's time on the dancer, the fastest pass's as for the rest
        alone = counter.counted(lambda: list(clip_poses(info, bare, counter)))
        seconds.append(counter.seconds)
    per_run = min(seconds) / max(1, alone["landmarks"])
    runs = {
        "tracking": counter.counted(lambda: find_dancers(info, counter)),
        "pose engine, taking tracking's landmarks": counter.counted(
            lambda: list(clip_poses(info, track, counter))
        ),
        "pose engine alone": alone,
    }
    taken = alone["landmarks"] - runs["pose engine, taking tracking's landmarks"]["landmarks"]
    saving = taken * per_run / frames
    finding = tracking - saving
    photo = load_photo(media["bus"])
    photo_s = best_of(lambda: find_people(photo, landmarker), args.repeats)
    print(f"clip: {info.path.name} {info.width}x{info.height}, {frames} frames at {info.fps:g} fps")
    print(f"tracking (decoding included):            {tracking * 1000:6.1f} ms/frame")
    print(f"render, taking tracking's landmarks:     {rendering * 1000:6.1f} ms/frame")
    print(f"saving: {taken / frames:.2f} runs/frame x {per_run * 1000:.1f} ms: {saving * 1000:6.1f} ms/frame")
    print(f"person finding (tracking less saving):   {finding * 1000:6.1f} ms/frame")
    print(f"share of the render: {100 * finding / (tracking + rendering):5.1f}% (target <= 20%)")
    for what, counts in runs.items():
        per_frame = ", ".join(f"{name} {count / frames:.2f}" for name, count in counts.items())
        print(f"{what}: runs per frame: {per_frame}")
    print(f"every person in bus.jpg ({photo.shape[1]}x{photo.shape[0]}): {photo_s * 1000:.0f} ms")


if __name__ == "__main__":
    main()
