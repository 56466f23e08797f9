"""Contact sheets of the stage scene: on a synthetic group clip, and on a real clip with real photos.

python scripts/stage_sheet.py [--out docs/stage.png] [--seed 7]
python scripts/stage_sheet.py --real [--out docs/stage_real.png]

--real: the Pose2Sim two-person clip (fomm_core.data.real_media) and bus.jpg, rendered on the stage with the
default options: bus.jpg's man in beige (person 0) in the place of the dancing man, then both men in the
places of both dancers (the man in beige again on the dancing man, the man in black on the woman). Rows: the
clip, then each render with the photo's people first. bus.jpg is AGPL-3.0 (Ultralytics): the sheet carries its
pixels, so where it is shown its licence is named.

Columns: frames around both cuts. Rows: the clip; the stage render of a newcomer's full-body photo with the
default options (the clip written as a video, its dancers tracked, the one who moves most replaced, drawn by
the pose engine); the truth (the clip drawn with the newcomer in that dancer's place, dancing). The render's
notes are printed. All synthetic: the sheet may be committed.
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


def sheet(seed: int) -> np.ndarray:
    """The sheet (uint8 RGB); the render's notes are printed."""
    import tempfile

    from fomm_core.data import group_scene, random_identity, render_group, swap_dancers
    from fomm_core.data.group import identity_photo, write_group_clip
    from fomm_core.io import open_video
    from fomm_core.options import RenderOptions
    from fomm_core.people.model import default_landmarker
    from fomm_core.stage.cast import cast
    from fomm_core.stage.check import truth_dancer

    scene = group_scene(seed, n_dancers=5, seconds=3.0, size=(512, 288))
    clip = render_group(scene)
    newcomer = random_identity(np.random.default_rng(1000 + seed))
    photo = identity_photo(newcomer, 512)
    landmarker = default_landmarker()
    with tempfile.TemporaryDirectory() as folder:
        info = open_video(write_group_clip(clip, Path(folder) / "group")["video"])
        found = cast([photo], info, RenderOptions(scene="stage"), landmarker)
        out = list(found.clip(info, landmarker).frames())
    for note in found.notes:
        print(f"note: {note}")
    dancer = truth_dancer(found.people.track(found.dancers[0]), clip.boxes)
    truth = swap_dancers(scene, {dancer: newcomer})
    picks = sorted({c + d for c in clip.cuts for d in (-4, 0, 6)})
    rows = [
        captioned_row(
            [clip.frames[t] for t in picks], f"the clip (frames {picks}; cuts at {clip.cuts})", GAP
        ),
        captioned_row(
            [out[t] for t in picks],
            f"the stage: the newcomer's photo in dancer {dancer}'s place (the pose engine), lit like them",
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


def real_sheet() -> np.ndarray:
    """The real sheet (uint8 RGB); the notes of each render are printed."""
    from sheet_rows import fit_height

    from fomm_core.data.real_media import real_media
    from fomm_core.io import load_photo, open_video, read_frames
    from fomm_core.options import RenderOptions
    from fomm_core.people.model import default_landmarker
    from fomm_core.stage.cast import cast

    media = real_media()
    info = open_video(media["multi_person"])
    bus = load_photo(media["bus"])
    landmarker = default_landmarker()
    picks = [0, 16, 32, 48]
    clip = list(read_frames(info, size=(info.width // 4, info.height // 4)))
    height = 360
    rows = [
        captioned_row(
            [fit_height(clip[t], height) for t in picks],
            f"the Pose2Sim two-person clip, frames {picks}: dancer 1 dances, dancer 0 stands",
            GAP,
        )
    ]
    for persons, caption in (
        ("0", "the stage: bus.jpg's man in beige (person 0) in dancer 1's place"),
        ("0,1", "both men: person 0 on dancer 1, person 1 on dancer 0 (from the centre out)"),
    ):
        found = cast(
            [bus] * len(persons.split(",")), info, RenderOptions(scene="stage", person=persons), landmarker
        )
        for note in found.notes:
            print(f"note: {note}")
        frames = list(found.clip(info, landmarker).frames())
        people = [bus[int(p.box.y0) : int(p.box.y1), int(p.box.x0) : int(p.box.x1)] for p in found.persons]
        tiles = [fit_height(np.hstack([fit_height(p, 300) for p in people]), height)]
        rows.append(captioned_row(tiles + [fit_height(frames[t], height) for t in picks], caption, GAP))
    width = max(r.shape[1] for r in rows)
    rows = [np.pad(r, ((0, 0), (0, width - r.shape[1]), (0, 0)), constant_values=255) for r in rows]
    gap = np.full((GAP, width, 3), 255, np.uint8)
    return np.concatenate([part for r in rows for part in (r, gap)][:-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--out", default=None, help="default: docs/stage.png, or docs/stage_real.png with --real"
    )
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--real", action="store_true", help="the real clip and photos (see above)")
    args = parser.parse_args()
    args.out = args.out or str(ROOT / "docs" / ("stage_real.png" if args.real else "stage.png"))
    image = Image.fromarray(real_sheet() if args.real else sheet(args.seed))
    palette = image.quantize(colors=256, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.FLOYDSTEINBERG)
    palette.save(args.out, optimize=True)
    print(args.out)


if __name__ == "__main__":
    main()
