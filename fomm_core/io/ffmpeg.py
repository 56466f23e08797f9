"""The bundled ffmpeg: locating it, running it, and reading what `ffmpeg -i` says about a file."""

from __future__ import annotations

import os
import re
import subprocess
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

from ..errors import UserError

VIDEO_EXTENSIONS = ("mp4", "mov", "m4v", "webm", "mkv", "avi", "gif")
ISO_BOXES = (b"ftyp", b"moov", b"mdat", b"wide", b"free", b"skip")  # how an mp4/mov file starts
IMAGE_FORMATS = (
    "image2",
    "png_pipe",
    "jpeg_pipe",
    "webp_pipe",
    "bmp_pipe",
    "tiff_pipe",
    "heif",
    "svg_pipe",
)


def ffmpeg_exe() -> str:
    """Path of the ffmpeg executable shipped with imageio-ffmpeg (or IMAGEIO_FFMPEG_EXE)."""
    import imageio_ffmpeg

    return imageio_ffmpeg.get_ffmpeg_exe()


def file_arg(path: str | os.PathLike) -> str:
    """`path` as an ffmpeg input/output argument: absolute with the file: protocol.

    Spares names starting with '-' or containing ':' from being read as options or protocols.
    """
    return "file:" + os.path.abspath(os.fspath(path))


def run(args: list[str], timeout: float | None = None) -> subprocess.CompletedProcess:
    """Run ffmpeg with `args` (after the executable), capturing stderr as text."""
    return subprocess.run(
        [ffmpeg_exe(), "-hide_banner", "-nostdin", *args],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        timeout=timeout,
        encoding="utf-8",
        errors="replace",
        check=False,
    )


@dataclass(frozen=True)
class StreamProbe:
    """What `ffmpeg -i` says about a file's container and its first real video stream."""

    format: str
    duration: float | None  # container duration in seconds
    video_index: int | None  # absolute stream index of the first video stream that is not cover art
    codec: str = ""
    width: int = 0  # display size: pixel aspect and rotation applied
    height: int = 0
    fps: Fraction | None = None  # average frame rate (frames / duration), when the file states it
    tbr: Fraction | None = None  # ffmpeg's guess of the base frame rate
    rotation: int = 0  # degrees the player turns the picture (counter-clockwise)
    has_audio: bool = False


_STREAM = re.compile(r"^\s*Stream #0:(\d+)[^:]*: (Video|Audio): (.*)$", re.MULTILINE)
_SIZE = re.compile(r", (\d{1,5})x(\d{1,5})")
_SAR = re.compile(r"SAR (\d+):(\d+)")
_RATE = re.compile(r"([\d.]+)(k?) (fps|tbr)")
_ROTATION = re.compile(r"rotation of (-?[\d.]+) degrees", re.IGNORECASE)
_DURATION = re.compile(r"Duration: (\d+):(\d+):([\d.]+)")
_FORMAT = re.compile(r"^Input #0, ([^,]+)", re.MULTILINE)


def _rate(text: str, kind: str) -> Fraction | None:
    rates = {k: float(value) * (1000 if thousand else 1) for value, thousand, k in _RATE.findall(text)}
    value = rates.get(kind)
    if not value or value > 1000:
        return None
    return Fraction(value).limit_denominator(1001)


def parse_probe(stderr: str) -> StreamProbe:
    """Parse the stderr of `ffmpeg -i FILE` into a StreamProbe."""
    fmt = _FORMAT.search(stderr)
    dur = _DURATION.search(stderr)
    duration = None if dur is None else int(dur[1]) * 3600 + int(dur[2]) * 60 + float(dur[3])
    streams = list(_STREAM.finditer(stderr))
    has_audio = any(m[2] == "Audio" for m in streams)
    for i, m in enumerate(streams):
        desc = m[3]
        if m[2] != "Video" or "attached pic" in desc:
            continue
        end = streams[i + 1].start() if i + 1 < len(streams) else len(stderr)
        block = stderr[m.start() : end]
        size = _SIZE.search(desc)
        if size is None:
            continue
        width, height = int(size[1]), int(size[2])
        sar = _SAR.search(desc)
        if sar and int(sar[1]) > 0 and int(sar[2]) > 0 and sar[1] != sar[2]:
            width = max(2, round(width * int(sar[1]) / int(sar[2])))
        rot = _ROTATION.search(block)
        rotation = round(float(rot[1])) % 360 if rot else 0
        if rotation in (90, 270):
            width, height = height, width
        return StreamProbe(
            format=fmt[1] if fmt else "",
            duration=duration,
            video_index=int(m[1]),
            codec=desc.split(maxsplit=1)[0].rstrip(","),
            width=width,
            height=height,
            fps=_rate(desc, "fps"),
            tbr=_rate(desc, "tbr"),
            rotation=rotation,
            has_audio=has_audio,
        )
    return StreamProbe(format=fmt[1] if fmt else "", duration=duration, video_index=None, has_audio=has_audio)


def check_file(path: str | os.PathLike, label: str) -> Path:
    """The path, after refusing a missing, non-regular or empty file with a message for people."""
    p = Path(path)
    if not p.exists():
        raise UserError(f"The {label} '{p.name}' was not found. Check the path, or upload it again.")
    if not p.is_file():
        raise UserError(f"The {label} '{p.name}' is not a file. Choose a file, not a folder.")
    if p.stat().st_size == 0:
        raise UserError(
            f"The {label} '{p.name}' is empty (0 bytes); the upload probably failed. Upload it again."
        )
    return p


def probe(path: str | os.PathLike, label: str = "dance clip") -> StreamProbe:
    """Inspect a media file with `ffmpeg -i`, raising UserError when ffmpeg cannot open it at all."""
    p = check_file(path, label)
    stderr = run(["-i", file_arg(p)], timeout=60).stderr
    if "Error opening input" in stderr or _FORMAT.search(stderr) is None:
        raise UserError(_open_error(p, stderr, label))
    return parse_probe(stderr)


def _open_error(path: Path, stderr: str, label: str) -> str:
    ext = path.suffix.lower().lstrip(".")
    with open(path, "rb") as f:
        head = f.read(12)
    if "moov atom not found" in stderr and head[4:8] in ISO_BOXES:
        return (
            f"The {label} '{path.name}' is damaged or incomplete (the file seems cut off). "
            "Export or download it again, then upload the new file."
        )
    if ext in VIDEO_EXTENSIONS:
        return (
            f"The {label} '{path.name}' could not be opened: its contents are not .{ext} video (the file "
            "is damaged, or another kind of file was renamed). Upload an MP4, MOV, WebM, MKV, AVI or "
            "animated GIF."
        )
    kind = f".{ext} files are not videos" if ext else "it has no file extension"
    return (
        f"The {label} '{path.name}' is not a video we can read ({kind}). "
        "Upload an MP4, MOV, WebM, MKV, AVI or animated GIF."
    )


# What ffmpeg's demuxers say when a file ends before its data does (mp4/mov, mkv/webm, avi)
_CUT_OFF = re.compile(
    r"partial file|File ended prematurely|corrupt input packet|Packet corrupt", re.IGNORECASE
)


def scan_stream(path: Path, stream_index: int) -> tuple[int, bool]:
    """Packets (frames) in a stream, counted by a stream copy (fast, nothing decoded), and whether the file
    ended early or had corrupt packets on the way."""
    stderr = run(
        ["-i", file_arg(path), "-map", f"0:{stream_index}", "-c", "copy", "-f", "null", "-"], timeout=300
    ).stderr
    frames = re.findall(r"frame=\s*(\d+)", stderr)
    return (int(frames[-1]) if frames else 0), bool(_CUT_OFF.search(stderr))


def count_frames(path: Path, stream_index: int) -> int:
    """Number of packets (frames) in a stream, counted by a stream copy: fast, nothing is decoded."""
    return scan_stream(path, stream_index)[0]


def stderr_tail(text: str, lines: int = 5) -> str:
    """The last few non-empty lines of ffmpeg's stderr, for error messages."""
    return " | ".join([line.strip() for line in text.splitlines() if line.strip()][-lines:])
