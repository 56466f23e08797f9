"""Pictures of what inspect found: the photo's people and a frame of the clip with numbered boxes."""

from __future__ import annotations

import itertools
from collections.abc import Sequence

import cv2
import numpy as np

from ..geometry import Box
from ..io import load_photo, open_video, read_frames
from .inspect import OWN_RATE, Inspection

CHOSEN = (255, 64, 160)  # pink: the one animated or followed by default
OTHER = (80, 200, 255)


def draw_numbered(image: np.ndarray, boxes: Sequence[tuple[int, Box]], chosen: int | None) -> np.ndarray:
    """A copy of the RGB uint8 image with each (number, box) drawn and numbered; the chosen number stands out."""
    out = image.copy()
    thickness = max(2, round(max(out.shape[:2]) / 300))
    scale = max(0.6, max(out.shape[:2]) / 500)  # labels readable when the picture is shown small
    for number, box in boxes:
        colour = CHOSEN if number == chosen else OTHER
        x0, y0, x1, y1 = (round(v) for v in (box.x0, box.y0, box.x1, box.y1))
        cv2.rectangle(out, (x0, y0), (x1, y1), colour, thickness)
        label = str(number)
        (tw, th), _ = cv2.getTextSize(label, cv2.FONT_HERSHEY_SIMPLEX, scale, thickness)
        top = max(th + 2 * thickness, y0)
        cv2.rectangle(out, (x0, top - th - 2 * thickness), (x0 + tw + 2 * thickness, top), colour, -1)
        cv2.putText(
            out,
            label,
            (x0 + thickness, top - thickness),
            cv2.FONT_HERSHEY_SIMPLEX,
            scale,
            (0, 0, 0),
            thickness,
        )
    return out


def photo_preview(photo, found: Inspection) -> np.ndarray:
    """The photo (as loaded, upright) with its people numbered."""
    image = load_photo(photo)
    sx, sy = image.shape[1] / found.photo_size[0], image.shape[0] / found.photo_size[1]
    return draw_numbered(image, [(i, p.box.scaled(sx, sy)) for i, p in enumerate(found.people)], found.person)


def clip_preview(
    clip,
    found: Inspection,
    trim_start: float = 0.0,
    trim_end: float | None = None,
    max_fps: float = OWN_RATE,
) -> np.ndarray:
    """The clip's frame in which the most dancers were seen (earliest such), with the dancers numbered.

    `trim_start`, `trim_end` and `max_fps` must be those `found` was inspected with (its frame numbers).
    """
    if found.clip is None:
        raise ValueError("the inspection has no clip")
    seen = {t: [k for k in found.clip.tracks if t in k.boxes] for k in found.clip.tracks for t in k.boxes}
    frame_index = max(sorted(seen), key=lambda t: len(seen[t])) if seen else 0
    info = open_video(clip, trim_start=trim_start, trim_end=trim_end, max_fps=max_fps)
    frames = read_frames(info)
    frame = next(itertools.islice(frames, frame_index, None))
    frames.close()
    sx, sy = frame.shape[1] / found.clip.width, frame.shape[0] / found.clip.height
    boxes = [(k.id, k.boxes[frame_index].scaled(sx, sy)) for k in seen.get(frame_index, [])]
    return draw_numbered(np.ascontiguousarray(frame), boxes, found.dancer)
