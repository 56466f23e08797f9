"""Measure the people tracker on synthetic group clips: tracks against the true dancers, cuts found against true cuts.

python scripts/group_tracks.py [--seeds 0 1] [--dancers 5 7] [--size 384x216]

For each (seed, dancers) a group clip is written to a temporary mp4 and read back through
`fomm_core.people.find_dancers`, as the app reads an upload. Each track box is matched to the true dancer
whose box (whole silhouette, or the part seen) overlaps it most (IoU >= 0.5); a track's dancer is the one most of its boxes match. Reported:
tracks found, boxes matching no dancer (ghosts), ids per dancer (fragmentation), dancers per track (switches),
recall (of the frames the tracker followed, those where a dancer is at least half seen and some track box
matches it), the share of track boxes on their track's own dancer, and the cuts. Which dancer a track box is on
is told by the pixels, not by boxes (`fomm_core.people.scoring.bodies_seen`): the dancer seen under the track's
torso in the clip's label map; a track's own dancer is the one most of its boxes are on. `off_own` lists every
box on another dancer (or on nobody) as (track id, frame, dancer seen).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from fomm_core.data import GroupClip, group_clip, write_group_clip  # noqa: E402
from fomm_core.io import open_video  # noqa: E402
from fomm_core.people import default_landmarker, find_dancers  # noqa: E402
from fomm_core.people.scoring import bodies_seen, dancer_seen  # noqa: E402

MATCH_IOU = 0.5


def _iou(a: np.ndarray, b: np.ndarray) -> float:
    w = min(a[2], b[2]) - max(a[0], b[0])
    h = min(a[3], b[3]) - max(a[1], b[1])
    inter = max(w, 0.0) * max(h, 0.0)
    union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter
    return inter / union if union > 0 else 0.0


def _match(clip: GroupClip, t: int, box: np.ndarray) -> int | None:
    """The true dancer whose box (whole, or the part seen) overlaps box most, if by IoU >= MATCH_IOU."""
    scores = [
        (max(_iou(box, whole), _iou(box, seen)), i)
        for i, (whole, seen) in enumerate(zip(clip.boxes[t], clip.visible_boxes[t], strict=True))
        if not np.isnan(whole[0])
    ]
    best = max(scores, default=(0.0, None))
    return best[1] if best[0] >= MATCH_IOU else None


def _off_own(clip: GroupClip, people: object, seen: object) -> list[tuple[int, int, int | None]]:
    """(track id, frame, dancer seen under its torso or None) for every box not on its track's own dancer."""
    return [
        (track.id, t, dancer)
        for track in people.tracks
        for t in sorted(track.boxes)
        if (dancer := dancer_seen(track.landmarks[t], clip.labels[t])) != seen.owner(track.id)
    ]


def measure(clip: GroupClip, landmarker: object) -> dict[str, object]:
    """The tracker's result on the clip against its truth."""
    with tempfile.TemporaryDirectory() as folder:
        files = write_group_clip(clip, Path(folder) / "clip")
        start = time.perf_counter()
        people = find_dancers(open_video(files["video"]), landmarker)
        seconds = time.perf_counter() - start
    owners, ghosts, matched = {}, 0, set()
    for track in people.tracks:
        hits = Counter()
        for t, box in track.boxes.items():
            who = _match(clip, t, np.array([box.x0, box.y0, box.x1, box.y1]))
            ghosts += who is None
            if who is not None:
                hits[who] += 1
                matched.add((t, who))
        owners[track.id] = hits
    looked = {t for k in people.tracks for t in k.boxes}
    seen = [(t, i) for t in sorted(looked) for i in range(clip.boxes.shape[1]) if clip.visible[t, i] >= 0.5]
    ids_per_dancer = {
        i: sorted(k for k, hits in owners.items() if hits[i] >= 3) for i in range(clip.boxes.shape[1])
    }
    seen_bodies = bodies_seen(people, clip.labels)
    off_own = _off_own(clip, people, seen_bodies)
    majority = [seen_bodies.owner(k) for k in seen_bodies.on]
    return dict(
        seconds=round(seconds, 2),
        tracks=len(people.tracks),
        dancers=clip.boxes.shape[1],
        true_cuts=clip.cuts,
        found_cuts=people.cuts,
        boxes=sum(len(k.boxes) for k in people.tracks),
        ghost_boxes=ghosts,
        track_dancers={k: dict(hits) for k, hits in owners.items()},
        ids_per_dancer=ids_per_dancer,
        recall=round(len([p for p in seen if p in matched]) / max(1, len(seen)), 3),
        on_own_dancer=round(1 - len(off_own) / max(1, sum(len(k.boxes) for k in people.tracks)), 3),
        off_own=off_own,
        one_track_per_dancer=sorted(o for o in majority if o is not None) == list(range(clip.boxes.shape[1])),
    )


def main() -> None:
    """Measure each clip and print the results."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1])
    parser.add_argument("--dancers", type=int, nargs="+", default=[5, 7])
    parser.add_argument("--size", default="384x216")
    args = parser.parse_args()
    width, height = (int(v) for v in args.size.lower().split("x"))
    landmarker = default_landmarker()
    for seed, n in zip(args.seeds, args.dancers, strict=True):
        result = measure(group_clip(seed, n_dancers=n, size=(width, height)), landmarker)
        print(f"seed {seed}, {n} dancers:")
        for key, value in result.items():
            print(f"  {key}: {value}")


if __name__ == "__main__":
    main()
