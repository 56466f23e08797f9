"""Framing the dancer like the model's training data: person boxes, one square crop per clip, a matched photo.

Detector (chosen by measurement, see benchmarks/io.py): a pixel is the person when it differs from the
background. The background is a per-row blend of the frame's left and right edge colours when that
model fits the edges (plain walls, floors, gradients; works on a single photo and on a dancer standing
still), else the clip's temporal median (any static background, needs the dancer to move).
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterator
from dataclasses import dataclass
from fractions import Fraction

import cv2
import numpy as np

from .errors import UserError
from .io.video import VideoInfo, fit_size, read_frames

DETECT_SIDE = 256  # long side of the frames boxes are detected on
MAX_SAMPLES = 64  # frames sampled per clip for detection, whatever its length (keeps memory flat)
SAMPLE_FPS = 8
MARGIN = 0.1  # added on each side of the union box, as a fraction of its longer side
MOVING_RATIO = 1.4  # use a moving crop when the static square is this much larger than the dancer's
STRIP = 0.04  # width of the edge strips the plain-background model is taken from


@dataclass(frozen=True)
class Box:
    """An axis-aligned box in pixels, (x0, y0) top-left, (x1, y1) bottom-right (exclusive)."""

    x0: float
    y0: float
    x1: float
    y1: float

    @property
    def width(self) -> float:
        return self.x1 - self.x0

    @property
    def height(self) -> float:
        return self.y1 - self.y0

    @property
    def cx(self) -> float:
        return (self.x0 + self.x1) / 2

    @property
    def cy(self) -> float:
        return (self.y0 + self.y1) / 2

    def scaled(self, sx: float, sy: float | None = None) -> Box:
        """The box with x multiplied by sx and y by sy (default sx)."""
        sy = sx if sy is None else sy
        return Box(self.x0 * sx, self.y0 * sy, self.x1 * sx, self.y1 * sy)

    def union(self, other: Box) -> Box:
        """The smallest box containing both."""
        return Box(
            min(self.x0, other.x0), min(self.y0, other.y0), max(self.x1, other.x1), max(self.y1, other.y1)
        )

    def iou(self, other: Box) -> float:
        """Intersection over union."""
        w = max(0.0, min(self.x1, other.x1) - max(self.x0, other.x0))
        h = max(0.0, min(self.y1, other.y1) - max(self.y0, other.y0))
        inter = w * h
        return inter / (self.width * self.height + other.width * other.height - inter)


@dataclass(frozen=True)
class Square:
    """A square crop: centre (cx, cy) and side, in pixels of the frame it crops; may reach outside it."""

    cx: float
    cy: float
    side: float

    @property
    def x0(self) -> float:
        return self.cx - self.side / 2

    @property
    def y0(self) -> float:
        return self.cy - self.side / 2

    def relative(self, box: Box) -> Box:
        """`box` in units of this square: (0, 0) its top-left corner, 1 its side."""
        return Box(
            (box.x0 - self.x0) / self.side,
            (box.y0 - self.y0) / self.side,
            (box.x1 - self.x0) / self.side,
            (box.y1 - self.y0) / self.side,
        )

    def scaled(self, s: float) -> Square:
        return Square(self.cx * s, self.cy * s, self.side * s)


@dataclass(frozen=True)
class Body:
    """A body's line from the head (eyes, nose) to the ankles: its centre and length, in pixels or square units."""

    cx: float
    cy: float
    height: float

    def relative_to(self, square: Square) -> Body:
        """The body in units of `square`: (0, 0) its top-left corner, 1 its side."""
        return Body(
            (self.cx - square.x0) / square.side,
            (self.cy - square.y0) / square.side,
            self.height / square.side,
        )


def square_around(box: Box, margin: float = MARGIN) -> Square:
    """The square centred on `box`, its side the box's longer side plus `margin` of it on each side."""
    return Square(box.cx, box.cy, max(box.width, box.height) * (1 + 2 * margin))


Colour = tuple[int, int, int]
# padding beyond the top and bottom edges (colours) and the left and right edges (colour per row, N×3)
Fill = tuple[Colour, Colour, np.ndarray, np.ndarray]


def crop_square(image: np.ndarray, square: Square, size: int, fill: Fill | Colour) -> np.ndarray:
    """The `square` of `image` resampled to size×size uint8; beyond an edge, that edge's `fill` colour."""
    if not isinstance(fill[0], tuple):
        fill = (fill, fill, np.array([fill]), np.array([fill]))
    scale = size / square.side
    if scale < 0.5:  # shrink with area averaging first, then the warp only nudges
        factor = min(1.0, 2 * scale)
        h, w = image.shape[:2]
        small = cv2.resize(
            image, (max(1, round(w * factor)), max(1, round(h * factor))), interpolation=cv2.INTER_AREA
        )
        square = square.scaled(small.shape[1] / w)
        image, scale = small, size / square.side
    h, w = image.shape[:2]
    top, left = max(0, math.ceil(-square.y0) + 1), max(0, math.ceil(-square.x0) + 1)
    bottom = max(0, math.ceil(square.y0 + square.side - h) + 1)
    right = max(0, math.ceil(square.x0 + square.side - w) + 1)
    if left or right:
        columns = [
            cv2.resize(np.asarray(c, np.uint8)[:, None], (1, h), interpolation=cv2.INTER_LINEAR)
            for c in fill[2:]
        ]
        image = np.concatenate(
            [np.repeat(columns[0], left, axis=1), image, np.repeat(columns[1], right, axis=1)], 1
        )
    if top or bottom:
        image = cv2.copyMakeBorder(image, top, 0, 0, 0, cv2.BORDER_CONSTANT, value=fill[0])
        image = cv2.copyMakeBorder(image, 0, bottom, 0, 0, cv2.BORDER_CONSTANT, value=fill[1])
    shift_x = (0.5 - square.x0 - left) * scale - 0.5
    shift_y = (0.5 - square.y0 - top) * scale - 0.5
    matrix = np.array([[scale, 0.0, shift_x], [0.0, scale, shift_y]], dtype=np.float64)
    interpolation = cv2.INTER_CUBIC if scale > 1.2 else cv2.INTER_LINEAR
    return cv2.warpAffine(image, matrix, (size, size), flags=interpolation, borderMode=cv2.BORDER_REPLICATE)


def edge_colours(image: np.ndarray, width: float = STRIP) -> Fill:
    """Padding colours continuing the image: medians of the top and bottom strips, and of the left and
    right strips row by row (so a floor continues sideways as floor)."""
    h, w = image.shape[:2]
    b = max(1, round(min(h, w) * width))
    top, bottom = (
        tuple(int(v) for v in np.median(s.reshape(-1, 3), axis=0)) for s in (image[:b], image[-b:])
    )
    k = max(3, (h // 40) | 1)
    left, right = (
        cv2.GaussianBlur(np.median(s, axis=1).astype(np.uint8)[:, None], (1, k), 0)[:, 0]
        for s in (image[:, :b], image[:, -b:])
    )
    return top, bottom, left, right


def edge_background(image: np.ndarray) -> tuple[np.ndarray, bool]:
    """Plain-background model: each row interpolated between its left and right edge colours.

    Returns the model (uint8 H×W×3) and whether it is trustworthy: the edge strips are smooth and
    the model predicts the top strip well (a wall, a floor line and gradients pass; a busy scene fails).
    """
    h, w = image.shape[:2]
    b = max(2, round(w * STRIP))
    img = image.astype(np.float32)
    left = np.median(img[:, :b], axis=1)
    right = np.median(img[:, -b:], axis=1)
    k = max(3, (h // 40) | 1)
    left = cv2.GaussianBlur(left[:, None], (1, k), 0)[:, 0]
    right = cv2.GaussianBlur(right[:, None], (1, k), 0)[:, 0]
    t = np.linspace(0.0, 1.0, w, dtype=np.float32)[None, :, None]
    model = left[:, None] * (1 - t) + right[:, None] * t
    strips = np.concatenate(
        [
            np.abs(img[:, :b] - left[:, None]).max(2).ravel(),
            np.abs(img[:, -b:] - right[:, None]).max(2).ravel(),
        ]
    )
    top = np.abs(img[:b] - model[:b]).max(2)
    smooth = np.percentile(strips, 90) < 24 and np.percentile(top, 90) < 30
    return (model + 0.5).astype(np.uint8), bool(smooth)


def _difference(frame: np.ndarray, background: np.ndarray) -> np.ndarray:
    """Largest per-channel absolute difference, H×W uint8."""
    d = cv2.absdiff(frame, np.asarray(background).astype(np.uint8))
    return np.maximum(np.maximum(d[..., 0], d[..., 1]), d[..., 2])


def mask_box(mask: np.ndarray, min_fraction: float = 0.002) -> Box | None:
    """Box around the person in a foreground mask (at about DETECT_SIDE pixels): gaps closed, specks
    removed, then the largest blob plus blobs at least 10% its size."""
    mask = cv2.morphologyEx(mask.astype(np.uint8), cv2.MORPH_CLOSE, np.ones((7, 7), np.uint8))  # rejoin limbs
    mask = cv2.morphologyEx(mask, cv2.MORPH_OPEN, np.ones((3, 3), np.uint8))  # drop specks
    n, _, stats, _ = cv2.connectedComponentsWithStats(mask, connectivity=8)
    if n <= 1:
        return None
    areas = stats[1:, cv2.CC_STAT_AREA]
    if areas.max() < min_fraction * mask.size:
        return None
    keep = stats[1:][areas >= 0.1 * areas.max()]
    x0, y0 = keep[:, 0].min(), keep[:, 1].min()
    x1 = (keep[:, 0] + keep[:, 2]).max()
    y1 = (keep[:, 1] + keep[:, 3]).max()
    return Box(float(x0), float(y0), float(x1), float(y1))


def _temporal_median(samples: np.ndarray, count: int = 25) -> np.ndarray:
    """Per-pixel median of up to `count` frames spread over the samples: the static background."""
    picks = np.linspace(0, len(samples) - 1, min(count, len(samples))).round().astype(int)
    return np.median(samples[picks], axis=0).astype(np.uint8)


def detect_dancers(samples: np.ndarray, threshold: int = 30) -> list[Box | None]:
    """Person box in each of K sampled frames (K×H×W×3 uint8, one static-camera clip), in their pixels."""
    motion_bg = None
    boxes = []
    for frame in samples:
        edge_bg, plain = edge_background(frame)
        if not plain and motion_bg is None and len(samples) >= 3:
            motion_bg = _temporal_median(samples)
        background = edge_bg if plain or motion_bg is None else motion_bg
        boxes.append(mask_box(_difference(frame, background) > threshold))
    return boxes


def detect_person(image: np.ndarray, threshold: int = 30) -> Box | None:
    """The person's box in a photo (uint8 H×W×3), or None when nothing stands out from the background.

    Raises UserError when the photo is one plain colour. When the background is too busy to model,
    returns the whole image (the photo is taken as framed already).
    """
    h, w = image.shape[:2]
    small = cv2.resize(image, fit_size(w, h, DETECT_SIDE), interpolation=cv2.INTER_AREA)
    if small.reshape(-1, 3).std(axis=0).max() < 2.0:
        raise UserError(
            "No person found in the photo: it is a single plain colour. Upload a full-body photo "
            "of one person against a simple background."
        )
    background, plain = edge_background(small)
    if not plain:
        return Box(0.0, 0.0, float(w), float(h))
    box = mask_box(_difference(small, background) > threshold, min_fraction=0.01)
    if box is None:
        return None
    return box.scaled(w / small.shape[1], h / small.shape[0])


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
    fill = edge_colours(_temporal_median(samples, count=9))
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
    fill = edge_colours(_temporal_median(np.stack(list(itertools.islice(small, 9))), count=9))
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


def photo_square(
    width: int, height: int, person: Box | None, reference: Box, bodies: tuple[Body, Body] | None = None
) -> Square:
    """The square of a width×height photo in which the person has the reference's height and position.

    `reference` is the dancer's box relative to its crop square; `person` the photo's person box (None: the
    whole photo). `bodies` (the photo person's body in pixels, the dancer's relative to the square) match
    body heights instead of boxes, so raised arms or a jump in the reference frame do not shrink the person.
    """
    if person is None:
        return Square(width / 2, height / 2, float(max(width, height)))
    own, ref = bodies or (
        Body(person.cx, person.cy, person.height),
        Body(reference.cx, reference.cy, reference.height),
    )
    side = own.height / ref.height
    return Square(own.cx - (ref.cx - 0.5) * side, own.cy - (ref.cy - 0.5) * side, side)


def match_photo(
    photo: np.ndarray, person: Box | None, reference: Box, size: int, bodies: tuple[Body, Body] | None = None
) -> np.ndarray:
    """The photo cropped/padded to size×size around `photo_square`; padding continues each edge's colour
    (wall above, floor below)."""
    h, w = photo.shape[:2]
    return crop_square(photo, photo_square(w, h, person, reference, bodies), size, edge_colours(photo))
