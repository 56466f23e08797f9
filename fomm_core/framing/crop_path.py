"""The crop path through a clip: one square around the dancer, or a smoothly moving one when they travel far."""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterator
from dataclasses import dataclass
from fractions import Fraction

import numpy as np

from ..geometry import Body, Box, Square
from ..io.video import VideoInfo, fit_size, read_frames
from .heuristic import DETECT_SIDE, detect_dancers, temporal_median
from .square_crop import Fill, crop_square, edge_colours

MAX_SAMPLES = 64  # frames sampled per clip for detection, whatever its length (keeps memory flat)
SAMPLE_FPS = 8
MARGIN = 0.1  # added on each side of the union box, as a fraction of its longer side
MOVING_RATIO = 1.4  # use a moving crop when the static square is this much larger than the dancer's


def square_around(box: Box, margin: float = MARGIN) -> Square:
    """The square centred on `box`, its side the box's longer side plus `margin` of it on each side."""
    return Square(box.cx, box.cy, max(box.width, box.height) * (1 + 2 * margin))


@dataclass(frozen=True)
class ClipFraming:
    """Where to crop each frame of a clip, in the clip's display pixels, and the reference dancer box."""

    centres: np.ndarray  # T×2 (cx, cy) of the crop square per output frame
    side: float
    reference: Box  # the dancer in the reference frame, relative to its square (0..1)
    fill: Fill  # edge colours for crops reaching outside the frame
    moving: bool
    found: bool
    body: Body | None = None  # the dancer's body in the reference frame, relative to its square (pose model)

    def square(self, index: int) -> Square:
        """The crop square of output frame `index`."""
        cx, cy = self.centres[min(index, len(self.centres) - 1)]
        return Square(float(cx), float(cy), self.side)


#: Where the person stands in the square when the clip gives no reference: Tai-Chi-HD-like framing.
DEFAULT_REFERENCE = Box(0.3, 1 / 12, 0.7, 11 / 12)


def frame_clip(
    info: VideoInfo,
    reference_index: int = 0,
    box: Box | None = None,
    enabled: bool = True,
    moving: bool | None = None,
) -> ClipFraming:
    """Find the dancer through the clip and choose the crop: one square, or a smoothly moving one.

    `box` (clip pixels) skips detection and frames that box; `enabled=False` pads the whole frame to a
    square; `moving=None` picks a moving crop only when the dancer travels far.
    """
    t = info.frame_count
    full = Square(info.width / 2, info.height / 2, float(max(info.width, info.height)))
    rate = Fraction(min(info.fps, SAMPLE_FPS, MAX_SAMPLES / info.duration)).limit_denominator(1000)
    size = fit_size(info.width, info.height, DETECT_SIDE)
    detect = enabled and box is None
    frames = read_frames(info, size=size, rate=rate if detect else None)
    samples = np.stack(list(itertools.islice(frames, MAX_SAMPLES if detect else 1)))
    frames.close()
    fill = edge_colours(temporal_median(samples, count=9))
    if not detect:
        square = full if box is None else _static(square_around(box), info)
        reference = DEFAULT_REFERENCE if box is None else square.relative(box)
        return ClipFraming(
            np.tile([square.cx, square.cy], (t, 1)), square.side, reference, fill, False, box is not None
        )
    sx, sy = info.width / size[0], info.height / size[1]
    found = [(k, b.scaled(sx, sy)) for k, b in enumerate(detect_dancers(samples)) if b is not None]
    if not found:
        return ClipFraming(
            np.tile([full.cx, full.cy], (t, 1)), full.side, DEFAULT_REFERENCE, fill, False, False
        )
    times = np.array([k / float(rate) for k, _ in found])
    coords = np.array([[b.x0, b.y0, b.x1, b.y1] for _, b in found])
    frame_times = np.arange(t) / info.fps
    per_frame = np.stack([np.interp(frame_times, times, coords[:, j]) for j in range(4)], axis=1)
    return _crop_path(info, coords, per_frame, reference_index, fill, moving, [0])


def follow_dancer(
    info: VideoInfo,
    boxes: dict[int, Box],
    cuts: list[int] = (),
    reference_index: int = 0,
    moving: bool | None = None,
) -> ClipFraming:
    """A smooth square crop following one dancer's boxes (output frame index -> box, clip display pixels).

    Between boxes the box is interpolated within each shot (`cuts`: first frame of each new shot), and the
    crop's path is smoothed shot by shot, so it never slides across a cut.
    """
    t = info.frame_count
    if not boxes:
        raise ValueError("follow_dancer needs at least one box")
    frames = sorted(boxes)
    coords = np.array([[boxes[k].x0, boxes[k].y0, boxes[k].x1, boxes[k].y1] for k in frames])
    starts = sorted({0, *(c for c in cuts if 0 < c < t)})
    per_frame = np.empty((t, 4))
    for start, end in zip(starts, [*starts[1:], t], strict=True):
        inside = [i for i, k in enumerate(frames) if start <= k < end] or list(range(len(frames)))
        at = np.array(frames)[inside]
        span = np.arange(start, end)
        per_frame[start:end] = np.stack([np.interp(span, at, coords[inside, j]) for j in range(4)], axis=1)
    small = read_frames(info, size=fit_size(info.width, info.height, DETECT_SIDE))
    fill = edge_colours(temporal_median(np.stack(list(itertools.islice(small, 9))), count=9))
    small.close()
    return _crop_path(info, coords, per_frame, reference_index, fill, moving, starts, fit_frame=True)


def _crop_path(
    info: VideoInfo,
    coords: np.ndarray,
    per_frame: np.ndarray,
    reference_index: int,
    fill: Fill,
    moving: bool | None,
    shot_starts: list[int],
    fit_frame: bool = False,
) -> ClipFraming:
    """One square over all the dancer's boxes (N×4), or, when they travel far, a square of the dancer's size
    whose centre follows the per-frame boxes (T×4), smoothed within each shot. `fit_frame`: the margins
    give way before the square outgrows the frame's short side (no padding where the dancer fits)."""
    t = info.frame_count
    union = Box(*coords[:, :2].min(0), *coords[:, 2:].max(0))
    static = _static(square_around(union), info)
    ref = Box(*per_frame[min(reference_index, t - 1)])
    extent = float(np.max(coords[:, 2:] - coords[:, :2]))
    dancer_side = extent * (1 + 2 * MARGIN)
    if fit_frame:
        short = min(info.width, info.height)
        dancer_side = max(extent, min(dancer_side, short))
        if static.side > short:
            static = _static(Square(static.cx, static.cy, max(short, max(union.width, union.height))), info)
    if moving is None:
        moving = static.side > MOVING_RATIO * dancer_side
    if not moving:
        return ClipFraming(
            np.tile([static.cx, static.cy], (t, 1)), static.side, static.relative(ref), fill, False, True
        )
    centres = np.stack([(per_frame[:, 0] + per_frame[:, 2]) / 2, (per_frame[:, 1] + per_frame[:, 3]) / 2], 1)
    for start, end in zip(shot_starts, [*shot_starts[1:], t], strict=True):
        centres[start:end] = _smooth(centres[start:end], sigma=0.5 * info.fps)
    centres = _inside(centres, dancer_side, info.width, info.height)
    ref_square = Square(*centres[min(reference_index, t - 1)], dancer_side)
    return ClipFraming(centres, dancer_side, ref_square.relative(ref), fill, True, True)


def _static(square: Square, info: VideoInfo) -> Square:
    ((cx, cy),) = _inside(np.array([[square.cx, square.cy]]), square.side, info.width, info.height)
    return Square(float(cx), float(cy), square.side)


def _inside(centres: np.ndarray, side: float, width: int, height: int) -> np.ndarray:
    """Crop centres (N×2) moved so the square stays inside the frame along each axis where it fits."""
    out = np.array(centres, dtype=np.float64).reshape(-1, 2)
    for axis, length in ((0, width), (1, height)):
        if side <= length:
            out[:, axis] = np.clip(out[:, axis], side / 2, length - side / 2)
    return out


def framed_frames(info: VideoInfo, framing: ClipFraming, size: int) -> Iterator[np.ndarray]:
    """The clip's frames cut to the framing's squares, size×size uint8, streamed.

    ffmpeg first scales the frame so the square is about `size` pixels (area filter), so large clips are
    never piped whole and the final warp only shifts by sub-pixel amounts.
    """
    factor = min(1.0, size / framing.side)
    width, height = max(1, round(info.width * factor)), max(1, round(info.height * factor))
    sx = width / info.width
    frames = read_frames(info, size=(width, height))
    try:
        for i, frame in enumerate(frames):
            yield crop_square(frame, framing.square(i).scaled(sx), size, framing.fill)
    finally:
        frames.close()


def _smooth(values: np.ndarray, sigma: float) -> np.ndarray:
    """Gaussian smoothing along axis 0 with edge values held."""
    radius = max(1, math.ceil(3 * sigma))
    kernel = np.exp(-0.5 * (np.arange(-radius, radius + 1) / sigma) ** 2)
    kernel /= kernel.sum()
    padded = np.pad(values, ((radius, radius), (0, 0)), mode="edge")
    return np.stack([np.convolve(padded[:, j], kernel, mode="valid") for j in range(values.shape[1])], 1)
