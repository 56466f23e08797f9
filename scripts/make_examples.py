"""Write the app's examples: each a synthetic dancer's clip with a drum beat, and a photo to animate by it.

Each clip is one dancer doing a few seconds of choreography at the example's tempo (256×256, 25 fps, H.264
yuv420p with +faststart and an AAC drum beat on the same tempo). Each photo is a different dancer standing
in the dance's first pose on a plain background, as the app asks users to pose. The first example
(photo.png, dance.mp4) is the one the tests pin. Deterministic: running it again writes the same files.
Usage: `python scripts/make_examples.py [OUT_DIR]`.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import wave
from pathlib import Path
from typing import NamedTuple

import cv2
import imageio_ffmpeg
import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from fomm_core.data import Background, choreography, random_identity, render, render_pose  # noqa: E402

FPS = 25.0
DANCE_SIZE = 256
PHOTO_SIZE = 384
RATE = 44100


class Example(NamedTuple):
    """One example: file names, the dance (moves, tempo, length), the random seed and the clip's backdrop.

    A NamedTuple, not a dataclass: tests load this script by path, outside sys.modules, where dataclass fails.
    """

    photo: str
    dance: str
    moves: tuple[str, ...]
    bpm: float
    seconds: float
    seed: int
    backdrop: Background
    photo_colour: tuple[int, int, int]


EXAMPLES = [
    Example(
        "photo.png",
        "dance.mp4",
        ("hip_sway", "point", "step_touch"),
        120.0,
        8.0,
        2024,
        Background("gradient", (236, 232, 246), (196, 190, 214), 0.1),
        (238, 236, 230),
    ),
    Example(
        "photo-2.png",
        "dance-2.mp4",
        ("clap", "arm_cross", "shoulder_shimmy", "point"),
        112.0,
        6.0,
        7,
        Background("gradient", (250, 236, 222), (222, 196, 180), 0.1),
        (232, 240, 236),
    ),
    Example(
        "photo-3.png",
        "dance-3.mp4",
        ("step_touch", "kick", "walk"),
        132.0,
        6.0,
        31,
        Background("plain", (226, 238, 250), (190, 206, 226), 0.15),
        (244, 236, 242),
    ),
]


def _envelope(n: int, decay: float) -> np.ndarray:
    return np.exp(-np.arange(n) / (decay * RATE))


def beat_audio(seconds: float, bpm: float, rng: np.random.Generator) -> np.ndarray:
    """A mono drum loop (float32 in [-1, 1]): kick on beats 1 and 3, snare on 2 and 4, hats on eighths."""
    out = np.zeros(int(seconds * RATE), np.float32)
    beat = 60.0 / bpm
    t = np.arange(int(0.35 * RATE)) / RATE
    kick = np.sin(2 * np.pi * (45 * t + 90 * 0.04 * (1 - np.exp(-t / 0.04)))) * _envelope(len(t), 0.12)
    snare_n = int(0.2 * RATE)
    snare = (0.6 * rng.normal(0, 0.5, snare_n) + 0.4 * np.sin(2 * np.pi * 185 * t[:snare_n])) * _envelope(
        snare_n, 0.05
    )
    hat_n = int(0.05 * RATE)
    noise = rng.normal(0, 0.3, hat_n)
    hat = (noise - np.convolve(noise, np.ones(4) / 4, mode="same")) * _envelope(hat_n, 0.012)

    def add(sound: np.ndarray, at: float, gain: float) -> None:
        start = int(at * RATE)
        end = min(len(out), start + len(sound))
        if start < end:
            out[start:end] += gain * sound[: end - start]

    for k in range(int(seconds / beat) + 1):
        add(kick if k % 2 == 0 else snare, k * beat, 0.8 if k % 2 == 0 else 0.5)
        add(hat, k * beat + beat / 2, 0.3)
        add(hat, k * beat, 0.2)
    return np.clip(out / max(1.0, float(np.abs(out).max()) / 0.9), -1, 1)


def write_wav(path: Path, samples: np.ndarray) -> None:
    """16-bit mono WAV."""
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(RATE)
        w.writeframes((samples * 32767).astype("<i2").tobytes())


def write_mp4(path: Path, frames: np.ndarray, fps: float, audio: np.ndarray) -> None:
    """H.264 yuv420p +faststart with AAC audio, bit-exact flags so reruns give identical files."""
    tmp = path.with_name(f".{path.stem}.tmp{path.suffix}")
    size = frames.shape[1]
    with tempfile.TemporaryDirectory() as folder:
        wav = Path(folder) / "beat.wav"
        write_wav(wav, audio)
        cmd = [
            imageio_ffmpeg.get_ffmpeg_exe(),
            "-y",
            "-hide_banner",
            "-loglevel",
            "error",
            "-f",
            "rawvideo",
            "-pix_fmt",
            "rgb24",
            "-s",
            f"{size}x{size}",
            "-r",
            f"{fps:g}",
            "-i",
            "pipe:0",
            "-i",
            str(wav),
            "-map",
            "0:v",
            "-map",
            "1:a",
            "-shortest",
            "-c:v",
            "libx264",
            "-preset",
            "slow",
            "-crf",
            "26",
            "-pix_fmt",
            "yuv420p",
            "-threads",
            "1",
            "-c:a",
            "aac",
            "-b:a",
            "64k",
            "-movflags",
            "+faststart",
            "-map_metadata",
            "-1",
            "-fflags",
            "+bitexact",
            "-flags:v",
            "+bitexact",
            "-flags:a",
            "+bitexact",
            str(tmp),
        ]
        try:
            subprocess.run(cmd, input=np.ascontiguousarray(frames).tobytes(), check=True)
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise
    os.replace(tmp, path)


def write_png(path: Path, image: np.ndarray) -> None:
    tmp = path.with_name(f".{path.stem}.tmp{path.suffix}")
    if not cv2.imwrite(str(tmp), cv2.cvtColor(image, cv2.COLOR_RGB2BGR), [cv2.IMWRITE_PNG_COMPRESSION, 9]):
        raise OSError(f"could not write {tmp}")
    os.replace(tmp, path)


def make_examples(out_dir: Path, example: Example = EXAMPLES[0]) -> tuple[Path, Path]:
    """Render and write one example's photo and dance (by default the first); returns their paths."""
    out_dir.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(example.seed)
    dancer, model = random_identity(rng), random_identity(rng)
    motion = choreography(
        list(example.moves), n_frames=int(example.seconds * FPS), fps=FPS, bpm=example.bpm, rng=rng
    )
    frames, _ = render(dancer, motion, DANCE_SIZE, example.backdrop)
    photo, _ = render_pose(model, motion, PHOTO_SIZE, Background("plain", example.photo_colour), index=0)
    photo_path, dance_path = out_dir / example.photo, out_dir / example.dance
    write_png(photo_path, photo)
    write_mp4(dance_path, frames, FPS, beat_audio(example.seconds, example.bpm, rng))
    return photo_path, dance_path


if __name__ == "__main__":
    for example in EXAMPLES:
        for written in make_examples(Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "examples", example):
            print(f"wrote {written} ({written.stat().st_size // 1024} KB)")
