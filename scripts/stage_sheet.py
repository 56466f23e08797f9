"""Contact sheet of the stage scene on a synthetic group clip: the dancer removed and a fan in their place.

python scripts/stage_sheet.py [--out docs/stage.png] [--seed 7] [--dancer 2]

Columns: frames around both cuts. Rows: the clip; the clean plate (the dancer removed); the stage render
(the newcomer's still photo placed on the dancer, lit like them, in depth order); the truth (the clip
rendered with the newcomer in the dancer's place, dancing). The puppet engine would make the fan dance;
here the photo stands still, so only its place, size, light and depth are shown. The placement notes are
printed. All synthetic: the sheet may be committed.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
from PIL import Image
from sheet_rows import captioned_row

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

GAP = 4


def sheet(seed: int, dancer: int) -> np.ndarray:
    """The sheet (uint8 RGB); the placement notes are printed."""
    from fomm_core.data import group_scene, random_identity, render_group, swap_dancers
    from fomm_core.stage.plate import CleanPlate, dancer_hole
    from fomm_core.stage.synthetic import stage_render, still_fan

    scene = group_scene(seed, n_dancers=5, seconds=3.0, size=(384, 216))
    clip = render_group(scene)
    newcomer = random_identity(np.random.default_rng(1000 + seed))
    truth = swap_dancers(scene, {dancer: newcomer})
    out, notes = stage_render(clip, {dancer: still_fan(newcomer)})
    for note in notes:
        print(f"note: {note}")
    plate, plates = CleanPlate(), []
    for t, frame in enumerate(clip.frames):
        order = list(clip.order[t])
        nearer = order[order.index(dancer) + 1 :]
        front = clip.masks[t, nearer].any(0) if nearer else None
        plates.append(
            plate(frame, dancer_hole(clip.masks[t, dancer], front), clip.masks[t].any(0), t in clip.cuts)
        )
    picks = sorted({c + d for c in clip.cuts for d in (-4, 0, 6)})
    rows = [
        captioned_row(
            [clip.frames[t] for t in picks], f"the clip (frames {picks}; cuts at {clip.cuts})", GAP
        ),
        captioned_row([plates[t] for t in picks], f"the clean plate: dancer {dancer} removed", GAP),
        captioned_row(
            [out[t] for t in picks],
            "the stage render: the newcomer's photo in the dancer's place, lit like them",
            GAP,
        ),
        captioned_row(
            [truth.frames[t] for t in picks],
            "the truth: the clip drawn with the newcomer dancing in that place",
            GAP,
        ),
    ]
    gap = np.full((GAP, rows[0].shape[1], 3), 255, np.uint8)
    return np.concatenate([part for r in rows for part in (r, gap)][:-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=str(ROOT / "docs" / "stage.png"))
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--dancer", type=int, default=2)
    args = parser.parse_args()
    image = Image.fromarray(sheet(args.seed, args.dancer))
    palette = image.quantize(colors=256, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.FLOYDSTEINBERG)
    palette.save(args.out, optimize=True)
    print(args.out)


if __name__ == "__main__":
    main()
