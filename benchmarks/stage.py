"""The stage scene's cost per frame for 1, 2 and 4 fans: clean plate, light matching, placement, compositing.

A synthetic group clip of 7 dancers (640×360, 2 s at 25 fps, two cuts, a moving camera); each fan is a
newcomer's still photo placed on a dancer (centre outwards), as the engines' layers would be. The per-frame
inputs (visible masks, floor rows, landmarks) come from the clip's ground truth, as a tracker gives them.
`--end-to-end` times the whole stage render instead, from the clip's video file and the newcomers' photos:
people found and tracked, dancers cast, each fan followed (landmarks and mask every frame) and drawn by the
pose engine, the others' masks measured near the fans, the clean plate and the compositing.

    python benchmarks/stage.py [--repeats 2] [--end-to-end]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--end-to-end", action="store_true", help="time the whole stage render")
    args = parser.parse_args()
    if args.end_to_end:
        end_to_end()
        return

    import numpy as np

    from fomm_core.data import group_clip, random_identity
    from fomm_core.stage.assign import assign_dancers
    from fomm_core.stage.placement import follow, ground_rows, place
    from fomm_core.stage.render import StageRenderer
    from fomm_core.stage.synthetic import still_fan

    clip = group_clip(3, n_dancers=7, seconds=2.0, size=(640, 360))
    n, fps = clip.alpha.shape[1], clip.scene.fps
    ground = np.stack([ground_rows(clip.boxes[:, i, 3], clip.cuts, fps) for i in range(n)], 1)
    inputs = []
    for t in range(len(clip.frames)):
        seen = [i for i in range(n) if not np.isnan(clip.boxes[t, i, 0])]
        alpha = {i: clip.alpha[t, i] / np.float32(255) * np.isin(clip.labels[t], (0, i + 1)) for i in seen}
        inputs.append(
            (alpha, {i: float(ground[t, i]) for i in seen}, {i: clip.landmarks[t, i] for i in seen})
        )
    centres = {i: float(np.nanmean(clip.boxes[0, i, [0, 2]])) for i in range(n)}
    print(f"{len(clip.frames)} frames {clip.scene.width}x{clip.scene.height}, {n} dancers, cuts {clip.cuts}")
    costs = {}
    for count in (1, 2, 4):
        dancers = assign_dancers(count, centres, clip.scene.width)
        fans = {d: still_fan(random_identity(np.random.default_rng(d)), 256) for d in dancers}
        bodies = {d: follow(clip.boxes[:, d], clip.cuts, fps, d)[0] for d in dancers}
        best = {"plate": np.inf, "the rest": np.inf}
        for _ in range(args.repeats):
            renderer = StageRenderer()
            spent = {"plate": 0.0, "the rest": 0.0}
            plate = renderer.plate.__call__

            def timed_plate(*a, _plate=plate, _spent=spent, **k):
                start = time.perf_counter()
                out = _plate(*a, **k)
                _spent["plate"] += time.perf_counter() - start
                return out

            renderer.plate = timed_plate
            for t, (alpha, feet, landmarks) in enumerate(inputs):
                start = time.perf_counter()
                placed = [
                    (d, place(fans[d], fans[d].body(), bodies[d][t]))
                    for d in dancers
                    if bodies[d][t] is not None and d in alpha
                ]
                renderer.frame(clip.frames[t], alpha, feet, placed, t in clip.cuts, landmarks)
                spent["the rest"] += time.perf_counter() - start
            spent["the rest"] -= spent["plate"]
            best = {k: min(best[k], spent[k] / len(inputs)) for k in best}
        costs[count] = best
        total = sum(best.values())
        print(
            f"{count} fan{'s' if count > 1 else ''} (dancers {dancers}): {1000 * total:.1f} ms/frame "
            f"(clean plate {1000 * best['plate']:.1f}, light + placement + depth order + compositing "
            f"{1000 * best['the rest']:.1f})"
        )
    for count in (2, 4):
        ratio = sum(costs[count].values()) / sum(costs[1].values())
        print(f"{count} fans cost {ratio:.2f}x one fan (linear would be {count}x)")


def end_to_end() -> None:
    """The whole stage render's time for 1, 2 and 4 people, split into casting (tracking) and frames."""
    import tempfile

    import numpy as np

    from fomm_core.data import group_clip, random_identity
    from fomm_core.data.group import identity_photo, write_group_clip
    from fomm_core.io import open_video
    from fomm_core.options import RenderOptions
    from fomm_core.people.model import default_landmarker
    from fomm_core.stage.cast import cast

    clip = group_clip(3, n_dancers=7, seconds=2.0, size=(640, 360))
    landmarker = default_landmarker()
    with tempfile.TemporaryDirectory() as folder:
        info = open_video(write_group_clip(clip, Path(folder) / "group")["video"])
        print(f"{info.frame_count} frames {info.width}x{info.height}, 7 dancers, cuts {clip.cuts}")
        costs = {}
        for count in (1, 2, 4):
            photos = [identity_photo(random_identity(np.random.default_rng(i)), 512) for i in range(count)]
            start = time.perf_counter()
            found = cast(photos, info, RenderOptions(scene="stage"), landmarker)
            casting = time.perf_counter() - start
            frames = sum(1 for _ in found.clip(info, landmarker).frames())
            drawing = (time.perf_counter() - start - casting) / frames
            costs[count] = drawing
            print(
                f"{count} people (dancers {found.dancers}): casting {casting:.1f} s, then "
                f"{1000 * drawing:.0f} ms/frame ({1 / drawing:.1f} frames/s)"
            )
    for count in (2, 4):
        print(f"{count} people cost {costs[count] / costs[1]:.2f}x one per frame (linear would be {count}x)")


if __name__ == "__main__":
    main()
