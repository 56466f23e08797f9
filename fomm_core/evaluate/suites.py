"""Evaluation suites: (photo, dance clip) cases grouped by motion style.

Built-in suite (`builtin_suite`): synthetic dancers from `fomm_core.data.synthetic`. Each case is a
cross-identity example: the photo shows person A, the dance is person B's, and the expected video is A doing
B's dance (ground truth), with both dancers' joints for the box-follow baseline. Styles are
`fomm_core.data.synthetic.STYLES` (slow_waves, fast_footwork, turns, jumps, floor_moves, travel, arm_close).

Real-clip suite (`folder_suite`), a folder laid out as::

    SUITE_DIR/
      photo.png               optional: the photo animated by every clip that has no photo of its own
      STYLE/                  one folder per motion style; the folder name is the style's label
        CLIP.mp4              a dance clip (.mp4 .mov .webm .mkv .avi .gif); one dancer, whole body
        CLIP.png              optional: the photo for this clip (same stem; .png .jpg .jpeg .webp)

Every clip gives a self-reconstruction case (its own first frame as the photo, the clip as ground truth,
the FOMM paper's protocol) and, when it has a photo, a cross-identity case without ground truth. Clips are
read from their start, at most `max_fps` frames per second and `max_frames` frames, and framed as the
pipeline frames them (fomm_core.framing: the dancer found and cropped square, the photo's person matched to
the dancer's height and position) at the model's frame size.
"""

from __future__ import annotations

import itertools
import os
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image

from ..errors import UserError
from ..framing.crop_path import frame_clip, framed_frames
from ..framing.heuristic import detect_dancers, detect_person
from ..framing.photo_match import match_photo
from ..geometry import Box
from ..io import VideoWriter, load_photo, open_video, to_uint8
from .baselines import joint_boxes

VIDEO_SUFFIXES = (".mp4", ".mov", ".webm", ".mkv", ".avi", ".gif")
PHOTO_SUFFIXES = (".png", ".jpg", ".jpeg", ".webp")


@dataclass
class Case:
    """One (photo, dance) pair: frames float32 in [0, 1] at the model's size.

    `kind` is "cross" (the photo's person differs from the dancer) or "self" (the dancer's own first frame).
    `expected` is the ground-truth result when known; `boxes` (T×4, x0 y0 x1 y1 pixels) the dancer's box per
    frame and `photo_box` the photo's person box, for the box-follow baseline. `result` is the model's video
    when something else (e.g. the whole render pipeline) already made it; the runner then only measures it.
    """

    name: str
    style: str
    photo: np.ndarray
    driving: np.ndarray
    expected: np.ndarray | None = None
    boxes: np.ndarray | None = None
    photo_box: np.ndarray | None = None
    kind: str = "cross"
    result: np.ndarray | None = None


def _float(frames: np.ndarray) -> np.ndarray:
    a = np.asarray(frames)
    return a.astype(np.float32) / 255.0 if a.dtype == np.uint8 else a.astype(np.float32)


def builtin_styles() -> tuple[str, ...]:
    """The synthetic suite's style names."""
    from ..data.synthetic import STYLES

    return tuple(STYLES)


def builtin_suite(
    size: int,
    n_frames: int = 24,
    per_style: int = 4,
    seed: int = 0,
    styles: Sequence[str] | None = None,
    fps: float = 10.0,
) -> list[Case]:
    """Synthetic cross-identity cases with ground truth, `per_style` per style, deterministic from `seed`.

    Clips are sampled at `fps` (default 10: 24 frames cover 2.4 s of dance, a few moves).
    """
    from ..data.synthetic import cross_identity_example

    cases = []
    for s, style in enumerate(styles or builtin_styles()):
        for i in range(per_style):
            ex = cross_identity_example(
                seed=seed + 1000 * s + i, size=size, n_frames=n_frames, style=style, fps=fps
            )
            cases.append(
                Case(
                    name=f"{style}-{i}",
                    style=style,
                    photo=_float(ex["photo"]),
                    driving=_float(ex["driving"]),
                    expected=_float(ex["expected"]),
                    boxes=joint_boxes(ex["joints_driving"]),
                    photo_box=joint_boxes(ex["joints_expected"][:1])[0],
                )
            )
    return cases


def _find_photo(clip: Path, shared: Path | None) -> Path | None:
    for suffix in PHOTO_SUFFIXES:
        for candidate in (clip.with_suffix(suffix), clip.with_suffix(suffix.upper())):
            if candidate.is_file():
                return candidate
    return shared


def suite_files(root: str | Path) -> list[tuple[str, Path, Path | None]]:
    """(style, clip path, photo path or None) for every clip of a real-clip suite folder, sorted."""
    root = Path(root)
    if not root.is_dir():
        raise UserError(
            f"The suite folder {root} does not exist; pass 'builtin' or a folder laid out as "
            "SUITE/STYLE/CLIP.mp4 (see `python -m fomm_core evaluate --help`)."
        )
    shared = _find_photo(root / "photo", None)
    found = []
    for style_dir in sorted(p for p in root.iterdir() if p.is_dir()):
        for clip in sorted(style_dir.iterdir()):
            if clip.is_file() and clip.suffix.lower() in VIDEO_SUFFIXES:
                found.append((style_dir.name, clip, _find_photo(clip, shared)))
    if not found:
        raise UserError(
            f"The suite folder {root} holds no clips; put dance clips in one sub-folder per style, "
            "e.g. SUITE/turns/clip1.mp4."
        )
    return found


def export_suite(cases: Sequence[Case], folder: str | Path, fps: float) -> dict[str, str]:
    """Write cross-identity cases as a real-clip suite folder (STYLE/CASE.mp4 + STYLE/CASE.png).

    Peer reviewers can upload these files to the Space; their ratings then match a style by the clip's
    sha256 (the encoding is deterministic). Returns {clip sha256: style}.
    """
    from ..hashing import file_sha256

    clip_styles = {}
    for case in cases:
        if case.kind != "cross":
            continue
        style_dir = Path(folder) / case.style
        style_dir.mkdir(parents=True, exist_ok=True)
        size = (case.driving.shape[2], case.driving.shape[1])
        with VideoWriter(style_dir / f"{case.name}.mp4", fps, size) as writer:
            for frame in case.driving:
                writer.write(frame)
        photo = style_dir / f"{case.name}.png"
        tmp = photo.with_name(f".{photo.stem}.partial.png")
        Image.fromarray(to_uint8(case.photo)).save(tmp)
        os.replace(tmp, photo)
        clip_styles[file_sha256(style_dir / f"{case.name}.mp4")] = case.style
    return clip_styles


def folder_layout() -> str:
    """The real-clip folder layout, as documented in this module's docstring."""
    return textwrap.dedent(__doc__.split("::", 1)[1].split("\n\n")[1])


def _clip_frames(clip: Path, size: int, max_frames: int, max_fps: float) -> tuple[np.ndarray, Box]:
    """The clip's first frames framed as the pipeline frames them (uint8 T×S×S×3) and the dancer's reference box."""
    info = open_video(clip, trim_end=max_frames / max_fps, max_fps=max_fps, label=f"clip {clip.name}")
    framing = frame_clip(info)
    frames = framed_frames(info, framing, size)
    try:
        return np.stack(list(itertools.islice(frames, max_frames))), framing.reference
    finally:
        frames.close()


def _tracked_boxes(frames: np.ndarray) -> np.ndarray | None:
    """Per-frame dancer boxes T×4 (pixels) by the framing detector; gaps filled from neighbours; None if none."""
    found = detect_dancers(frames)
    known = [i for i, b in enumerate(found) if b is not None]
    if not known:
        return None
    coords = np.array([[b.x0, b.y0, b.x1, b.y1] for b in found if b is not None])
    t = np.arange(len(frames))
    return np.stack([np.interp(t, known, coords[:, j]) for j in range(4)], axis=1)


def folder_suite(
    root: str | Path,
    size: int,
    max_frames: int = 48,
    max_fps: float = 15.0,
) -> tuple[list[Case], dict[str, str]]:
    """Cases of a real-clip suite folder at the model's size, and {clip file sha256: style} for the ratings."""
    from ..hashing import file_sha256

    cases, clip_styles = [], {}
    for style, clip, photo_path in suite_files(root):
        clip_styles[file_sha256(clip)] = style
        frames, reference = _clip_frames(clip, size, max_frames, max_fps)
        boxes = _tracked_boxes(frames)
        driving = _float(frames)
        cases.append(
            Case(
                name=f"{style}/{clip.stem} (self)",
                style=style,
                photo=driving[0].copy(),
                driving=driving,
                expected=driving,
                boxes=boxes,
                kind="self",
            )
        )
        if photo_path is None:
            continue
        photo = load_photo(photo_path)
        matched = match_photo(photo, detect_person(photo), reference, size)
        person = detect_person(matched)
        photo_box = None if person is None else np.array([person.x0, person.y0, person.x1, person.y1])
        cases.append(
            Case(
                name=f"{style}/{clip.stem}",
                style=style,
                photo=_float(matched),
                driving=driving,
                boxes=boxes,
                photo_box=photo_box,
            )
        )
    return cases, clip_styles
