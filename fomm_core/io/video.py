"""Streaming video reader: metadata up front, then RGB frames piped out of ffmpeg one at a time."""

from __future__ import annotations

import logging
import math
import os
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import numpy as np

from ..errors import UserError
from ..numbers import parse_float
from .ffmpeg import IMAGE_FORMATS, ffmpeg_exe, file_arg, probe, scan_stream, stderr_tail

log = logging.getLogger(__name__)

#: Frames are never piped larger than this (long side, pixels) unless a size is asked for explicitly.
MAX_SIDE = 1920
#: Clips are refused before decoding when a frame holds more pixels than this (8K is 33 megapixels) ...
MAX_FRAME_PIXELS = 40_000_000
#: ... or when the chosen part holds more source pixels than this in all (a minute of 4K at 60 fps).
MAX_CLIP_PIXELS = 30_000_000_000
COMMON_RATES = tuple(
    Fraction(r)
    for r in (
        "24000/1001",
        "24",
        "25",
        "30000/1001",
        "30",
        "48",
        "50",
        "60000/1001",
        "60",
        "10",
        "12",
        "15",
        "20",
    )
)


@dataclass(frozen=True)
class VideoInfo:
    """A video clip as the reader will deliver it: trimmed, at a fixed frame rate, orientation applied.

    `width`/`height` are the display size of the source (rotation and pixel aspect applied) before any
    downscaling; `frame_count` is exactly the number of frames `read_frames` yields.
    """

    path: Path
    width: int
    height: int
    rate: Fraction  # output frame rate
    frame_count: int
    start: float  # trim start, seconds into the clip
    source_fps: float
    source_duration: float  # seconds of video in the whole file
    has_audio: bool
    codec: str
    rotation: int
    stream_index: int
    damage: str = ""  # for people, when the file is damaged and only part of it could be read; else empty

    @property
    def fps(self) -> float:
        """Output frame rate in frames per second."""
        return float(self.rate)

    @property
    def duration(self) -> float:
        """Seconds of video the reader delivers (frame_count / fps)."""
        return self.frame_count / self.fps


def open_video(
    path: str | os.PathLike,
    trim_start: float | str = 0.0,
    trim_end: float | str | None = None,
    max_fps: float = 30.0,
    max_duration: float | None = None,
    label: str = "dance clip",
) -> VideoInfo:
    """Inspect a clip and decide what will be read: the trimmed segment at min(clip fps, max_fps).

    A segment longer than `max_duration` seconds is refused (UserError), not silently cut: the user
    chooses which part to keep with the trim times (numbers or their text; NaN and infinities are refused).
    """
    if not max_fps > 0:  # NaN included
        raise UserError(f"The maximum frame rate must be above 0 fps, not {max_fps:g}.")
    if max_duration is not None and not max_duration > 0:
        raise UserError(f"The maximum duration must be above 0 seconds, not {max_duration:g}.")
    trim_start = finite_seconds(trim_start, "trim start")
    trim_end = None if trim_end is None else finite_seconds(trim_end, "trim end")
    info = probe(path, label)
    p = Path(path)
    if info.video_index is None:
        if info.has_audio:
            raise UserError(
                f"The {label} '{p.name}' contains only audio, no video. Upload the dance video itself."
            )
        raise UserError(
            f"The {label} '{p.name}' has no video stream that can be read: it is damaged or not a "
            "video. Export or download it again, or convert it to MP4 (H.264)."
        )
    if info.format in IMAGE_FORMATS:
        raise UserError(
            f"The {label} '{p.name}' is a still image, not a video. Upload a dance video "
            "(the photo of the person goes in the photo field)."
        )
    if info.width * info.height > MAX_FRAME_PIXELS:
        raise UserError(
            f"The {label} '{p.name}' has frames of {info.width}×{info.height} pixels "
            f"({info.width * info.height / 1e6:.0f} megapixels), over the {MAX_FRAME_PIXELS // 1_000_000}-megapixel "
            "limit for a frame. Export the clip at 4K or less and upload it again."
        )
    packets, cut_off = scan_stream(p, info.video_index)
    if cut_off and packets < 2:
        raise UserError(
            f"The {label} '{p.name}' is damaged or incomplete: {packets} frame(s) of it could be read. "
            "Export or download it again, then upload the new file."
        )
    if packets == 0:
        raise UserError(
            f"The {label} '{p.name}' has a video stream with no frames in it. "
            "Export or download the clip again."
        )
    if packets == 1:
        raise UserError(
            f"The {label} '{p.name}' has a single frame: it is a still image, not a video. "
            "Upload a dance video."
        )
    source_duration = _video_duration(info.duration, info.fps, packets)
    source_fps = packets / source_duration
    rate = _snap_rate(min(source_fps, max_fps))
    damage = _damage(p.name, label, packets, source_duration, info.duration) if cut_off else ""
    start, end = _check_trim(trim_start, trim_end, source_duration, label, damaged=bool(damage))
    length = end - start
    if max_duration is not None and length > max_duration + 1e-6:
        trimmed = " after trimming" if (start > 0 or trim_end is not None) else ""
        raise UserError(
            f"The {label} is {length:.1f} s long{trimmed}, over the {max_duration:g} s limit. "
            f"Choose a part of at most {max_duration:g} s with the trim start/end times."
        )
    decoded = info.width * info.height * math.ceil(length * source_fps)
    if decoded > MAX_CLIP_PIXELS:
        raise UserError(
            f"The chosen {length:.1f} s of the {label} hold {decoded / 1e9:.1f} gigapixels of frames "
            f"({info.width}×{info.height} at {source_fps:.0f} fps), over the {MAX_CLIP_PIXELS // 10**9}-gigapixel "
            "limit (about a minute of 4K at 60 fps). Choose a shorter part with the trim times, or export the "
            "clip smaller."
        )
    frame_count = math.floor(length * rate + 0.5)
    if frame_count < 2:
        raise UserError(
            f"The chosen part of the {label} ({length:.2f} s) is too short: it holds "
            f"{frame_count} frame(s). Choose at least a fraction of a second with the trim times."
        )
    return VideoInfo(
        path=p,
        width=info.width,
        height=info.height,
        rate=rate,
        frame_count=frame_count,
        start=start,
        source_fps=source_fps,
        source_duration=source_duration,
        has_audio=info.has_audio,
        codec=info.codec,
        rotation=info.rotation,
        stream_index=info.video_index,
        damage=damage,
    )


def _damage(name: str, label: str, packets: int, readable: float, stated: float | None) -> str:
    """What a user reads about a clip that ends before its data does (cut off, or an interrupted download)."""
    # a container that lost its index (avi) only estimates its length: name it when clearly longer
    of = f" of its {stated:.1f} s" if stated and stated > 1.1 * readable else ""
    return (
        f"The {label} '{name}' is damaged or incomplete (cut off?): only {readable:.1f} s ({packets} frames)"
        f"{of} could be read, so the result covers that part. For the whole dance, export or download the "
        "clip again and upload the new file."
    )


def _video_duration(container: float | None, fps: Fraction | None, packets: int) -> float:
    """Length of the video stream in seconds.

    ffmpeg reports a stream's fps as its average rate (frames / duration), so packets / fps is the
    stream's own length even for variable frame rate; the container's duration (which also covers
    audio) is the fallback and the upper bound.
    """
    if fps:
        duration = packets / float(fps)
        return min(duration, container) if container and duration > container + 0.5 else duration
    return container or packets / 25.0


def _snap_rate(fps: float) -> Fraction:
    """The frame rate as a fraction, snapped to a common rate when within 0.5% of one."""
    nearest = min(COMMON_RATES, key=lambda common: abs(fps / common - 1))
    return nearest if abs(fps / nearest - 1) < 0.005 else Fraction(fps).limit_denominator(1001)


def finite_seconds(value: float | str, name: str) -> float:
    """`value` (a number or its text) as seconds; NaN and infinities are refused, naming `name`."""
    try:
        seconds = parse_float(value)
    except ValueError:
        raise UserError(f"The {name} {value!r} is not a number of seconds; enter e.g. 2.5.") from None
    if not math.isfinite(seconds):
        raise UserError(
            f"The {name} {value!r} is not a finite number of seconds (NaN and infinity are not "
            "times); enter e.g. 2.5, or leave it empty."
        )
    return seconds


def _check_trim(
    trim_start: float, trim_end: float | None, duration: float, label: str, damaged: bool = False
) -> tuple[float, float]:
    if trim_start < 0 or (trim_end is not None and trim_end < 0):
        raise UserError("Trim times must be zero or positive seconds.")
    if trim_end is not None and trim_end <= trim_start:
        raise UserError(f"Trim end ({trim_end:g} s) must be after trim start ({trim_start:g} s).")
    if trim_start >= duration:
        length = (
            f"only its first {duration:.2f} s could be read: it is damaged"
            if damaged
            else f"{duration:.2f} s long"
        )
        raise UserError(
            f"Trim start ({trim_start:g} s) is past the end of the {label} ({length}). "
            "Choose an earlier start."
        )
    end = duration if trim_end is None else min(trim_end, duration)
    return float(trim_start), float(end)


def fit_size(width: int, height: int, max_side: int) -> tuple[int, int]:
    """(w, h) scaled down (never up) so the longer side is at most `max_side`, keeping the aspect ratio."""
    scale = min(1.0, max_side / max(width, height))
    return max(1, round(width * scale)), max(1, round(height * scale))


def read_frames(
    info: VideoInfo,
    size: tuple[int, int] | None = None,
    rate: Fraction | None = None,
) -> Iterator[np.ndarray]:
    """Yield the clip's frames as uint8 H×W×3 RGB arrays, streamed from an ffmpeg pipe.

    `size` (w, h) scales in ffmpeg (default: the display size, capped at MAX_SIDE on the long side), so
    4K/8K frames are never piped whole. Yields exactly `info.frame_count` frames at `info.rate`, or at
    `rate` (frame count scaled to it) when given; a clip that ends early repeats its last frame.
    """
    w, h = size or fit_size(info.width, info.height, MAX_SIDE)
    out_rate = rate or info.rate
    total = info.frame_count if rate is None else max(1, math.floor(info.duration * out_rate + 0.5))
    # round=up: output frame k is the frame on screen at time k / rate (the default shows a later one)
    filters = [f"fps={out_rate.numerator}/{out_rate.denominator}:round=up"]
    flags = "area" if w * h < info.width * info.height else "bicubic"
    filters += [f"scale={w}:{h}:flags={flags}", "setsar=1"]
    cmd = [ffmpeg_exe(), "-hide_banner", "-nostdin", "-loglevel", "error"]
    if info.start > 0:
        cmd += ["-ss", f"{info.start:.6f}"]
    cmd += [
        "-i",
        file_arg(info.path),
        "-map",
        f"0:{info.stream_index}",
        "-an",
        "-sn",
        "-dn",
        "-vf",
        ",".join(filters),
        "-frames:v",
        str(total),
        "-f",
        "rawvideo",
        "-pix_fmt",
        "rgb24",
        "pipe:1",
    ]
    nbytes = w * h * 3
    with tempfile.TemporaryFile() as errors:
        # its own session: a terminal's Ctrl-C reaches only Python, which stops this reader in order
        proc = subprocess.Popen(
            cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=errors, start_new_session=True
        )
        done, last = 0, None
        try:
            while done < total:
                buf = bytearray(nbytes)
                if proc.stdout.readinto(buf) < nbytes:
                    break
                last = np.frombuffer(buf, np.uint8).reshape(h, w, 3)
                yield last
                done += 1
            if last is None:
                proc.wait()
                errors.seek(0)
                detail = stderr_tail(errors.read().decode("utf-8", "replace"))
                raise UserError(
                    f"No frames could be decoded from '{info.path.name}': the file is damaged "
                    f"or uses an unsupported codec ({detail or info.codec}). Convert it to "
                    "MP4 (H.264) and try again."
                )
            if done < total:
                log.info("%s ended %d frame(s) early; repeating its last frame", info.path.name, total - done)
            for _ in range(total - done):
                yield last.copy()
        finally:
            if proc.poll() is None:
                proc.kill()
            proc.stdout.close()
            proc.wait()
