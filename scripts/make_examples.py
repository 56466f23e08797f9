"""Write examples/photo.png and examples/dance.mp4: two synthetic dancers and a synthesized beat.

The dance is one dancer doing 8 s of choreography at 120 BPM (256×256, 25 fps, H.264 yuv420p with
+faststart and an AAC drum beat on the same tempo). The photo is a different dancer standing in the
dance's first pose on a plain background, as the app asks users to pose. Deterministic: running it
again writes the same files. Usage: `python scripts/make_examples.py [OUT_DIR]`.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import wave
from pathlib import Path

import cv2
import imageio_ffmpeg
import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from fomm_core.data import Background, choreography, random_identity, render, render_pose  # noqa: E402

BPM = 120.0
FPS = 25.0
SECONDS = 8.0
DANCE_SIZE = 256
PHOTO_SIZE = 384
RATE = 44100
MOVES = ["hip_sway", "point", "step_touch"]
SEED = 2024


def _envelope(n: int, decay: float) -> np.ndarray:
    return np.exp(-np.arange(n) / (decay * RATE))


def beat_audio(seconds: float, bpm: float, rng: np.random.Generator) -> np.ndarray:
    """A mono drum loop (float32 in [-1, 1]): kick on beats 1 and 3, snare on 2 and 4, hats on eighths."""
    out = np.zeros(int(seconds * RATE), np.float32)
    beat = 60.0 / bpm
    t = np.arange(int(0.35 * RATE)) / RATE
    kick = np.sin(2 * np.pi * (45 * t + 90 * 0.04 * (1 - np.exp(-t / 0.04)))) * _envelope(len(t), 0.12)
    snare_n = int(0.2 * RATE)
    snare = (0.6 * rng.normal(0, 0.5, snare_n) + 0.4 * np.sin(2 * np.pi * 185 * t[:snare_n])) * _envelope(snare_n, 0.05)
    hat_n = int(0.05 * RATE)
    noise = rng.normal(0, 0.3, hat_n)
    hat = (noise - np.convolve(noise, np.ones(4) / 4, mode="same")) * _envelope(hat_n, 0.012)

    def add(sound: np.ndarray, at: float, gain: float) -> None:
        start = int(at * RATE)
        end = min(len(out), start + len(sound))
        if start < end:
            out[start:end] += gain * sound[:end - start]

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
        cmd = [imageio_ffmpeg.get_ffmpeg_exe(), "-y", "-hide_banner", "-loglevel", "error",
               "-f", "rawvideo", "-pix_fmt", "rgb24", "-s", f"{size}x{size}", "-r", f"{fps:g}", "-i", "pipe:0",
               "-i", str(wav), "-map", "0:v", "-map", "1:a", "-shortest",
               "-c:v", "libx264", "-preset", "slow", "-crf", "26", "-pix_fmt", "yuv420p", "-threads", "1",
               "-c:a", "aac", "-b:a", "64k", "-movflags", "+faststart", "-map_metadata", "-1",
               "-fflags", "+bitexact", "-flags:v", "+bitexact", "-flags:a", "+bitexact", str(tmp)]
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


def make_examples(out_dir: Path) -> tuple[Path, Path]:
    """Render and write the example photo and dance; returns their paths."""
    out_dir.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(SEED)
    dancer, model = random_identity(rng), random_identity(rng)
    motion = choreography(MOVES, n_frames=int(SECONDS * FPS), fps=FPS, bpm=BPM, rng=rng)
    frames, _ = render(dancer, motion, DANCE_SIZE, Background("gradient", (236, 232, 246), (196, 190, 214), 0.1))
    photo, _ = render_pose(model, motion, PHOTO_SIZE, Background("plain", (238, 236, 230)), index=0)
    photo_path, dance_path = out_dir / "photo.png", out_dir / "dance.mp4"
    write_png(photo_path, photo)
    write_mp4(dance_path, frames, FPS, beat_audio(SECONDS, BPM, rng))
    return photo_path, dance_path


if __name__ == "__main__":
    for written in make_examples(Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "examples"):
        print(f"wrote {written} ({written.stat().st_size // 1024} KB)")
