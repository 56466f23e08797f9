"""Person finding's cost per frame, and its share of a render with the pose engine, measured in one run.

On the real two-person clip (Pose2Sim's demo, 1088x1920, 60 fps) read as a render reads it (at most 30 fps),
with bus.jpg's chosen man as the photo, per rendered frame, as the pipeline runs them:
- tracking: `find_dancers`, every dancer in the clip found and followed (the frames decoded at 640 px by
  ffmpeg and kept for the render in a temporary file, the cuts, the detector and the landmark model);
- the render: `fomm_core.pipeline.render` of the plan with the pose engine, as the app makes it (the frames
  tracking kept read back, the chosen dancer's landmarks in every frame, taking tracking's where it has
  them, the motion, the person drawn in their photo, the video encoded);
- the saving, what the render would otherwise do itself and tracking does for it:
  - decoding: the render decoding the frames itself (the plan keeping none) less the render reading the kept
    ones, at most what decoding alone takes. ffmpeg decodes in its own process while the render works, on
    the same two cores; the time the render waits for the frames it decodes (less for the kept ones) is the
    least decoding can cost it, and the share counting only that saving is printed too;
  - landmarks: the landmark-model runs on the chosen dancer the engine takes from tracking instead of
    making them itself (its runs per frame alone, less those taking tracking's), times the mean time of
    one run on the dancer (in the fastest of the engine's passes alone).
Person finding is what tracking adds to the render: tracking's time less the saving. The render with the pose
engine is tracking plus the render; the share is person finding over that sum. Each time is the fastest of the
repeats, each repeat timing tracking, the render, the render decoding itself and decoding alone one after the
other (the machine's load as alike as can be). The rest of the planning (the photo's person, the framing) is
in neither and is printed apart: every person in bus.jpg. The runs per frame do not depend on the machine's
load; the times do.

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


class Waited:
    """The render's frame source: the kept frames (or, with None, decoding), timing how long the render waits."""

    def __init__(self, kept: object):
        self.kept, self.seconds = kept, 0.0

    def read(self, info: object, size: tuple[int, int]) -> object:
        from fomm_core.io import read_kept

        frames = read_kept(info, size, self.kept)
        try:
            while True:
                start = time.perf_counter()
                frame = next(frames, None)
                self.seconds += time.perf_counter() - start
                if frame is None:
                    return
                yield frame
        finally:
            frames.close()

    def close(self) -> None:
        if self.kept is not None:
            self.kept.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()

    import torch

    from fomm_core.checkpoints.load import load_model
    from fomm_core.data.real_media import real_media
    from fomm_core.io import KeptFrames, load_photo, read_frames
    from fomm_core.options import RenderOptions
    from fomm_core.people import default_landmarker, find_dancers, find_people
    from fomm_core.people.video import work_size
    from fomm_core.pipeline import plan_render, render
    from fomm_core.puppet import clip_poses

    torch.set_num_threads(2)
    media = real_media(("bus", "multi_person"))
    landmarker = default_landmarker()
    if landmarker is None:
        raise SystemExit("the pose model could not load; run python -m fomm_core.people.model_files")
    options = RenderOptions(model="pose", max_fps=RENDER_FPS)
    plan = plan_render(media["bus"], media["multi_person"], options, landmarker=landmarker)
    plan.release()  # each repeat below keeps its own
    info, track, size = plan.info, plan.track, work_size(plan.info)
    bare = replace(track, depth={})  # no tracking answer is taken as the engine's own
    counter = Counted(landmarker)
    model = load_model("pose")

    frames = info.frame_count
    times: dict[str, list[float]] = {
        "tracking": [],
        "render": [],
        "render decoding": [],
        "decoding alone": [],
        "waiting, kept": [],
        "waiting, decoding": [],
    }

    def timed(what: str, fn: object) -> None:
        start = time.perf_counter()
        fn()
        times[what].append((time.perf_counter() - start) / frames)

    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder) / "result.mp4"
        for _ in range(args.repeats):
            kept = KeptFrames(info, size)  # as plan_render makes it: tracking fills it, the render reads it
            timed("tracking", lambda: find_dancers(info, landmarker, kept))  # noqa: B023 (called at once)
            if not kept.full:
                raise SystemExit("the frames were not kept (over the budget, or the disk is full)")
            for what, source in (("render", Waited(kept)), ("render decoding", Waited(None))):
                plan.kept = source
                timed(what, lambda: render(plan, model, out))
                times["waiting, kept" if source.kept else "waiting, decoding"].append(source.seconds / frames)
            timed("decoding alone", lambda: sum(1 for _ in read_frames(info, size=size)))
    fastest = {what: min(values) for what, values in times.items()}
    tracking, rendering = fastest["tracking"], fastest["render"]
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
    landmarks_saved = taken * per_run / frames
    decoding_saved = min(fastest["render decoding"] - rendering, fastest["decoding alone"])
    waiting_saved = fastest["waiting, decoding"] - fastest["waiting, kept"]
    finding = tracking - decoding_saved - landmarks_saved
    most = tracking - waiting_saved - landmarks_saved  # counting only the render's waiting for its frames
    photo = load_photo(media["bus"])
    photo_s = best_of(lambda: find_people(photo, landmarker), args.repeats)
    print(f"clip: {info.path.name} {info.width}x{info.height}, {frames} frames at {info.fps:g} fps")
    print(f"tracking (decoding and keeping included): {tracking * 1000:6.1f} ms/frame")
    print(f"render, reading the kept frames:          {rendering * 1000:6.1f} ms/frame")
    print(
        f"saving, decoding: the render decoding itself {fastest['render decoding'] * 1000:.1f} ms less reading "
        f"the kept frames, at most decoding alone ({fastest['decoding alone'] * 1000:.1f} ms at "
        f"{size[0]}x{size[1]}): {decoding_saved * 1000:6.1f} ms/frame"
    )
    print(
        f"saving, landmarks: {taken / frames:.2f} runs/frame x {per_run * 1000:.1f} ms: "
        f"{landmarks_saved * 1000:6.1f} ms/frame"
    )
    print(f"person finding (tracking less savings):   {finding * 1000:6.1f} ms/frame")
    print(f"share of the render: {100 * finding / (tracking + rendering):5.1f}% (target <= 20%)")
    print(
        f"counting only the render's waiting for frames ({fastest['waiting, decoding'] * 1000:.1f} ms decoding, "
        f"{fastest['waiting, kept'] * 1000:.2f} ms kept) as decoding's saving: person finding "
        f"{most * 1000:.1f} ms/frame, {100 * most / (tracking + rendering):.1f}% of the render"
    )
    for what, counts in runs.items():
        per_frame = ", ".join(f"{name} {count / frames:.2f}" for name, count in counts.items())
        print(f"{what}: runs per frame: {per_frame}")
    print(f"every person in bus.jpg ({photo.shape[1]}x{photo.shape[0]}): {photo_s * 1000:.0f} ms")


if __name__ == "__main__":
    main()
