"""Synthetic dance clips for the I/O, framing and pipeline tests: a stick-figure dancer on simple backgrounds."""

from __future__ import annotations

import subprocess
from pathlib import Path

import cv2
import numpy as np

from fomm_core.geometry import Box
from fomm_core.io.ffmpeg import ffmpeg_exe

BACKGROUNDS = ("plain", "gradient", "floor", "texture")
CODECS = {
    ".mp4": ["-c:v", "libx264", "-preset", "ultrafast", "-crf", "12", "-pix_fmt", "yuv420p"],
    ".mov": ["-c:v", "libx264", "-preset", "ultrafast", "-crf", "12", "-pix_fmt", "yuv420p"],
    ".mkv": [
        "-c:v",
        "libx265",
        "-preset",
        "ultrafast",
        "-crf",
        "12",
        "-pix_fmt",
        "yuv420p",
        "-x265-params",
        "log-level=none",
    ],
    ".webm": [
        "-c:v",
        "libvpx-vp9",
        "-deadline",
        "realtime",
        "-cpu-used",
        "8",
        "-crf",
        "15",
        "-b:v",
        "0",
        "-pix_fmt",
        "yuv420p",
    ],
    ".avi": ["-c:v", "mpeg4", "-q:v", "3"],
    ".gif": ["-filter_complex", "[0:v]split[a][b];[a]palettegen[p];[b][p]paletteuse", "-c:v", "gif"],
}
AUDIO_CODECS = {".mp4": "aac", ".mov": "aac", ".mkv": "libopus", ".webm": "libopus", ".avi": "libmp3lame"}


def background(kind: str, width: int, height: int, seed: int = 0) -> np.ndarray:
    """A static backdrop: plain wall, vertical gradient, wall with floor, or a busy blurred texture."""
    rng = np.random.default_rng(seed)
    if kind == "plain":
        return np.full((height, width, 3), (196, 204, 212), np.uint8)
    if kind == "gradient":
        ramp = np.linspace(0.0, 1.0, height, dtype=np.float32)[:, None, None]
        img = (150 + 80 * ramp) * np.array([1.0, 0.95, 0.9], np.float32)
        return np.broadcast_to(img, (height, width, 3)).astype(np.uint8).copy()
    if kind == "floor":
        img = np.full((height, width, 3), (210, 200, 185), np.uint8)
        img[int(height * 0.72) :] = (120, 95, 70)
        return img
    if kind == "texture":
        blocks = rng.integers(40, 230, size=(max(2, height // 12), max(2, width // 12), 3), dtype=np.uint8)
        return cv2.GaussianBlur(
            cv2.resize(blocks, (width, height), interpolation=cv2.INTER_NEAREST), (5, 5), 0
        )
    raise ValueError(kind)


def draw_dancer(frame: np.ndarray, phase: float, cx: float, feet_y: float, height: float) -> Box:
    """Draw a stick-figure dancer (in place) whose feet are at (cx, feet_y); returns its exact box."""
    mask = np.zeros(frame.shape[:2], np.uint8)
    u = height / 100.0
    thick = max(2, round(4 * u))
    hip = np.array([cx, feet_y - 48 * u])
    neck = np.array([cx + 2 * u * np.sin(phase), feet_y - 82 * u])
    swing, kick = np.sin(phase), np.sin(phase + 1.3)

    def limb(start, a1, a2, length):
        mid = start + length * np.array([np.sin(a1), np.cos(a1)])
        return [start, mid, mid + length * np.array([np.sin(a2), np.cos(a2)])]

    arms = [
        limb(neck + [side * 6 * u, 2 * u], side * (0.6 + 0.9 * swing), side * (1.2 + 1.1 * swing), 17 * u)
        for side in (-1, 1)
    ]
    legs = [
        limb(hip + [side * 5 * u, 0], side * (0.1 + 0.25 * kick), side * 0.05 * kick, 23.5 * u)
        for side in (-1, 1)
    ]
    parts = (
        [([neck, hip], (200, 40, 60), thick * 2.2)]
        + [(a, (200, 40, 60), thick) for a in arms]
        + [(leg, (40, 50, 110), thick * 1.4) for leg in legs]
    )
    for canvas, paint in ((frame, None), (mask, 255)):
        for points, colour, width in parts:
            pts = np.round(np.array(points)).astype(np.int32)
            cv2.polylines(canvas, [pts], False, paint or colour, max(1, round(width)), cv2.LINE_8)
        head = (round(neck[0]), round(neck[1] - 8 * u))
        cv2.circle(canvas, head, max(2, round(7.5 * u)), paint or (225, 185, 150), -1, cv2.LINE_8)
    ys, xs = np.nonzero(mask)
    return Box(float(xs.min()), float(ys.min()), float(xs.max() + 1), float(ys.max() + 1))


def dancer_frames(
    n: int,
    size: tuple[int, int] = (160, 120),
    backdrop: str = "plain",
    travel: float = 0.0,
    still: bool = False,
    scale: float = 0.75,
    noise: float = 2.0,
    seed: int = 0,
) -> tuple[list[np.ndarray], list[Box]]:
    """n frames of a dancer (height `scale` of the frame) moving its limbs; `travel` moves it sideways
    by that fraction of the width over the clip. Returns the frames and the true boxes."""
    w, h = size
    rng = np.random.default_rng(seed)
    back = background(backdrop, w, h, seed)
    frames, boxes = [], []
    for i in range(n):
        frame = back.copy()
        phase = 0.0 if still else 2 * np.pi * i / 12
        cx = w * (0.5 + travel * (i / max(n - 1, 1) - 0.5))
        boxes.append(draw_dancer(frame, phase, cx, h * (0.5 + scale / 2), h * scale))
        if noise:
            frame = np.clip(frame + rng.normal(0, noise, frame.shape), 0, 255).astype(np.uint8)
        frames.append(frame)
    return frames, boxes


def write_clip(
    path: Path,
    frames: list[np.ndarray],
    fps: float = 25,
    audio: str | None = None,
    rotation: int = 0,
    vfr: bool = False,
) -> Path:
    """Encode frames to `path` (codec chosen by extension) with ffmpeg.

    audio: None, "tone" (a 440 Hz sine) or "beep" (1 kHz from 1.0 s to 1.2 s, silence elsewhere).
    rotation: display-matrix rotation in degrees (counter-clockwise), as phones write it.
    vfr: drop every third frame and keep the timestamps, so frames are irregularly spaced.
    """
    path = Path(path)
    h, w = frames[0].shape[:2]
    duration = len(frames) / fps
    cmd = [
        ffmpeg_exe(),
        "-hide_banner",
        "-loglevel",
        "error",
        "-y",
        "-f",
        "rawvideo",
        "-pix_fmt",
        "rgb24",
        "-s",
        f"{w}x{h}",
        "-r",
        str(fps),
        "-i",
        "pipe:0",
    ]
    if audio is not None:
        expr = "sin(2*PI*440*t)*0.5" if audio == "tone" else "if(between(t,1,1.2),sin(2*PI*1000*t)*0.8,0)"
        cmd += [
            "-f",
            "lavfi",
            "-i",
            f"aevalsrc=exprs='{expr}':s=44100:d={duration}",
            "-c:a",
            AUDIO_CODECS[path.suffix],
        ]
    if vfr:
        cmd += ["-vf", r"select=not(eq(mod(n\,3)\,2))", "-fps_mode", "vfr"]
    target = path.with_name("unrotated-" + path.name) if rotation else path
    subprocess.run(
        [*cmd, *CODECS[path.suffix], str(target)], input=b"".join(f.tobytes() for f in frames), check=True
    )
    if rotation:
        subprocess.run(
            [
                ffmpeg_exe(),
                "-hide_banner",
                "-loglevel",
                "error",
                "-y",
                "-display_rotation",
                str(rotation),
                "-i",
                str(target),
                "-c",
                "copy",
                str(path),
            ],
            check=True,
        )
        target.unlink()
    return path


def marker_frames(n: int, size: tuple[int, int] = (64, 48)) -> list[np.ndarray]:
    """Frames whose brightness encodes their index (i * 8 mod 256 in all pixels), for timing checks;
    frames 25..29 (1.0-1.2 s at 25 fps) are white flashes, in time with the "beep" audio."""
    w, h = size
    frames = [np.full((h, w, 3), (i * 8) % 200, np.uint8) for i in range(n)]
    for i in range(25, min(30, n)):
        frames[i][:] = 255
    return frames


def decode_audio(path: Path, rate: int = 8000) -> np.ndarray:
    """A file's first audio stream decoded to mono float samples at `rate` Hz."""
    out = subprocess.run(
        [
            ffmpeg_exe(),
            "-hide_banner",
            "-loglevel",
            "error",
            "-i",
            str(path),
            "-map",
            "0:a:0",
            "-ac",
            "1",
            "-ar",
            str(rate),
            "-f",
            "s16le",
            "pipe:1",
        ],
        capture_output=True,
        check=True,
    )
    return np.frombuffer(out.stdout, np.int16).astype(np.float32) / 32768.0


def has_audio_stream(path: Path) -> bool:
    """Whether ffmpeg lists an audio stream in the file."""
    err = subprocess.run(
        [ffmpeg_exe(), "-hide_banner", "-i", str(path)], capture_output=True, text=True
    ).stderr
    return "Audio:" in err
