"""The stage check: synthetic group clips rendered on the stage, scored against the clip drawn with the newcomers.

For each motion style a group clip (5 dancers, a moving camera, two cuts, coloured lights) is drawn and written
as a video; for each people count, that many newcomers' full-body photos are put in the dancers' places by the
whole stage render (people tracking, casting centre outwards, the pose engine, clean plate, light, depth
order). The truth is the same clip drawn with each newcomer in the place of the dancer their fan was put on
(`swap_dancers`: same motion, camera and lights). The score is the person-region L1 (0-255) of the render
against the truth; the untouched clip (the dancer still there) is scored alike for scale.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from ..data import group_scene, random_identity, render_group, swap_dancers
from ..data.group import identity_photo, write_group_clip
from ..io import open_video
from ..options import RenderOptions
from ..people.blazepose import BlazePose
from ..people.clip import Track
from .cast import cast
from .evaluate import person_region, person_region_l1

PHOTO_SIDE = 512  # the newcomers' photos
DANCERS = 5


@dataclass(frozen=True)
class StageScore:
    """One render: style, people count, the clip's dancers replaced, person-region L1 of render and clip, and
    the render's time (people found, tracked and cast, and the stage frames made; seconds)."""

    style: str
    people: int
    dancers: tuple[int, ...]
    stage: float
    untouched: float
    seconds: float


def truth_dancer(track: Track, boxes: np.ndarray) -> int:
    """The clip's dancer (truth boxes T×N×4, NaN unseen) a tracked dancer overlaps most over the clip."""
    overlap = np.zeros(boxes.shape[1])
    for t, box in track.boxes.items():
        if t >= len(boxes):
            continue
        x0 = np.maximum(boxes[t, :, 0], box.x0)
        y0 = np.maximum(boxes[t, :, 1], box.y0)
        x1 = np.minimum(boxes[t, :, 2], box.x1)
        y1 = np.minimum(boxes[t, :, 3], box.y1)
        inter = np.clip(x1 - x0, 0, None) * np.clip(y1 - y0, 0, None)
        areas = (boxes[t, :, 2] - boxes[t, :, 0]) * (boxes[t, :, 3] - boxes[t, :, 1])
        overlap += np.nan_to_num(inter / (areas + box.width * box.height - inter))
    return int(np.argmax(overlap))


def stage_check(
    styles: Sequence[str],
    counts: Sequence[int],
    landmarker: BlazePose,
    folder: Path,
    seed: int = 0,
    size: tuple[int, int] = (640, 360),
    seconds: float = 3.0,
    fps: float = 25.0,
    progress: Callable[[int, int, str], None] | None = None,
) -> list[StageScore]:
    """Score the stage render of every style and people count (the clips are written to `folder`)."""
    scores = []
    total = len(styles) * len(counts)
    for s, style in enumerate(styles):
        scene = group_scene(seed + s, n_dancers=DANCERS, seconds=seconds, fps=fps, size=size, style=style)
        clip = render_group(scene)
        info = open_video(write_group_clip(clip, folder / f"stage-{style}")["video"])
        for count in counts:
            rng = np.random.default_rng(1000 * seed + 10 * s + count)
            newcomers = [random_identity(rng) for _ in range(count)]
            photos = [identity_photo(identity, PHOTO_SIDE) for identity in newcomers]
            start = time.perf_counter()
            found = cast(photos, info, RenderOptions(scene="stage"), landmarker)
            frames = np.stack(list(found.clip(info, landmarker).frames()))
            spent = time.perf_counter() - start
            replaced = [truth_dancer(found.people.track(d), clip.boxes) for d in found.dancers]
            truth = swap_dancers(scene, dict(zip(replaced, newcomers, strict=True)))
            region = person_region(clip.masks, truth.masks, sorted(set(replaced)))
            scores.append(
                StageScore(
                    style,
                    count,
                    tuple(replaced),
                    person_region_l1(frames, truth.frames, region),
                    person_region_l1(clip.frames, truth.frames, region),
                    spent,
                )
            )
            if progress is not None:
                progress(len(scores), total, f"{style}, {count} people")
    return scores


def write_report(scores: Sequence[StageScore], out: Path) -> Path:
    """stage.md (a table per style and people count, then means per people count) and stage.json in `out`."""
    out.mkdir(parents=True, exist_ok=True)
    lines = [
        "# Stage check",
        "",
        "Person-region L1 (0-255, lower is better) of the stage render against the clip drawn with the "
        "newcomers in the dancers' places; the untouched clip (the dancers still there) for scale.",
        "",
        "| style | people | dancers | stage render | untouched clip | seconds |",
        "|---|---|---|---|---|---|",
    ]
    lines += [
        f"| {s.style} | {s.people} | {', '.join(map(str, s.dancers))} | {s.stage:.1f} | {s.untouched:.1f} | "
        f"{s.seconds:.0f} |"
        for s in scores
    ]
    lines += ["", "| people | styles | stage render (mean) | untouched clip (mean) |", "|---|---|---|---|"]
    for count in sorted({s.people for s in scores}):
        rows = [s for s in scores if s.people == count]
        lines.append(
            f"| {count} | {len(rows)} | {np.mean([s.stage for s in rows]):.1f} | "
            f"{np.mean([s.untouched for s in rows]):.1f} |"
        )
    path = out / "stage.md"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    (out / "stage.json").write_text(json.dumps([asdict(s) for s in scores], indent=1), encoding="utf-8")
    return path
