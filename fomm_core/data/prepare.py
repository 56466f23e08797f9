"""Training sets in FOMM's folder-of-frames layout, from dance videos or from synthetic dancers.

Layout written (as Tai-Chi-HD's png version, what `fomm_core.train` reads)::

    OUT/train/NAME/0000000.png ...   one folder per video; NAME#000, NAME#001 ... when chunked
    OUT/test/NAME/...                 whole videos go to one split, never both
    OUT/joints/NAME.npy               synthetic sets only: T×J×2 joints in pixels (figure.JOINTS)
    OUT/manifest.json                 settings, and per video: source, split, folders, frames, crop

Videos are prepared the way Tai-Chi-HD was made: the dancer is found through the clip and one
static square crop around all of their boxes (plus margin) is cut from every frame
(`fomm_core.framing`), then resized to the model size. Clips where nobody is found, or shorter than
`min_frames`, are skipped and listed in the manifest. Optional denoising, measured on a synthetic
256×256 clip with Gaussian noise sigma 10 (28.2 dB PSNR): "nlmeans" (OpenCV non-local means, h=7,
7×7 patches, 11×11 search) 39.1 dB at ~70 ms a frame; "bilateral" 35.6 dB at ~2 ms a frame; a
3-frame temporal median only reached 31.5 dB (it smears moving limbs), so it is not offered.
Folders are written under a temporary name and renamed when complete.
"""

from __future__ import annotations

import json
import os
import re
import shutil
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict
from pathlib import Path
from typing import Any

import cv2
import numpy as np

from ..errors import UserError
from .figure import JOINTS

VIDEO_SUFFIXES = (".mp4", ".mov", ".m4v", ".webm", ".mkv", ".avi", ".gif")
DENOISERS: dict[str, Callable[[np.ndarray], np.ndarray]] = {
    "nlmeans": lambda f: cv2.fastNlMeansDenoisingColored(f, None, 7, 7, 7, 11),
    "bilateral": lambda f: cv2.bilateralFilter(f, 5, 30, 5),
}
SPLITS = ("train", "test")
_OURS = (*SPLITS, "joints", "manifest.json")


def _check_fraction(test_fraction: float) -> None:
    if not 0.0 <= test_fraction < 1.0:
        raise UserError(f"--test-fraction must be at least 0 and below 1, got {test_fraction}.")


def split_by_video(names: Sequence[str], test_fraction: float, seed: int = 0) -> dict[str, str]:
    """Each video name -> "train" or "test": a seeded shuffle, round(fraction × n) videos to test.

    With at least two videos and a positive fraction, both splits get at least one video.
    """
    _check_fraction(test_fraction)
    ordered = sorted(names)
    n_test = round(test_fraction * len(ordered))
    if test_fraction > 0 and len(ordered) >= 2:
        n_test = min(max(n_test, 1), len(ordered) - 1)
    order = np.random.default_rng(seed).permutation(len(ordered))
    test = {ordered[i] for i in order[:n_test]}
    return {name: "test" if name in test else "train" for name in ordered}


def write_frames(folder: Path, frames: Iterable[np.ndarray]) -> int:
    """Write RGB uint8 frames as folder/0000000.png ...; the folder appears only when complete."""
    tmp = folder.with_name(f".{folder.name}.partial")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    count = 0
    try:
        for count, frame in enumerate(frames, start=1):
            if not cv2.imwrite(str(tmp / f"{count - 1:07d}.png"), cv2.cvtColor(frame, cv2.COLOR_RGB2BGR)):
                raise OSError(f"could not write a frame into {tmp}")
        os.replace(tmp, folder)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return count


def _write_json(path: Path, data: dict[str, Any]) -> None:
    tmp = path.with_name(f".{path.name}.partial")
    tmp.write_text(json.dumps(data, indent=1))
    os.replace(tmp, path)


def _save_npy(path: Path, array: np.ndarray) -> None:
    tmp = path.with_name(f".{path.stem}.partial.npy")
    np.save(tmp, array)
    os.replace(tmp, path)


def _existing(out_dir: Path, overwrite: bool) -> list[Path]:
    """Our files already in OUT; refuses to mix with an earlier set unless overwrite."""
    existing = [out_dir / name for name in _OURS if (out_dir / name).exists()]
    if existing and not overwrite:
        raise UserError(
            f"{out_dir} already holds a prepared set ({', '.join(p.name for p in existing)}). "
            "Choose an empty folder, or pass --overwrite to replace it."
        )
    return existing


def _start(out_dir: Path, overwrite: bool) -> None:
    """Make OUT ready, removing (with overwrite) only the files an earlier preparation wrote."""
    for path in _existing(out_dir, overwrite):
        if path.is_dir():
            shutil.rmtree(path)
        else:
            path.unlink()
    for split in SPLITS:
        (out_dir / split).mkdir(parents=True, exist_ok=True)


def _safe_name(relative: Path) -> str:
    # '#' separates a video id from its chunk number in FOMM's id sampling, so it may not appear in names.
    return (
        re.sub(r"[^A-Za-z0-9._-]+", "_", str(relative.with_suffix("")).replace(os.sep, "__")).strip("._")
        or "video"
    )


def find_videos(videos_dir: Path) -> dict[str, Path]:
    """Video files under videos_dir (recursively), keyed by a unique folder-safe name."""
    if not videos_dir.is_dir():
        raise UserError(f"The videos folder {videos_dir} does not exist; pass a folder of dance videos.")
    found: dict[str, Path] = {}
    for path in sorted(
        p for p in videos_dir.rglob("*") if p.is_file() and p.suffix.lower() in VIDEO_SUFFIXES
    ):
        name = base = _safe_name(path.relative_to(videos_dir))
        k = 2
        while name in found:
            name, k = f"{base}_{k}", k + 1
        found[name] = path
    if not found:
        raise UserError(f"No videos found in {videos_dir} (looked for {' '.join(VIDEO_SUFFIXES)}).")
    return found


def _chunks(frames: Iterable[np.ndarray], length: int) -> Iterable[list[np.ndarray]]:
    chunk: list[np.ndarray] = []
    for frame in frames:
        chunk.append(frame)
        if len(chunk) == length:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _plan(path: Path, max_fps: float, min_frames: int) -> tuple[Any, Any]:
    """Open a video and find its dancer's crop (raises UserError when the video can't be used)."""
    from ..framing.crop_path import frame_clip
    from ..io import open_video

    info = open_video(path, max_fps=max_fps, max_duration=None, label="video")
    if info.frame_count < min_frames:
        raise UserError(f"only {info.frame_count} frames (at {info.fps:g} fps), fewer than {min_frames}")
    framing = frame_clip(info, moving=False)
    if not framing.found:
        raise UserError("no dancer found against the background")
    return info, framing


def _write_video(
    info: Any,
    framing: Any,
    name: str,
    folder: Path,
    size: int,
    denoise: str | None,
    chunk_seconds: float,
    min_frames: int,
) -> dict[str, Any]:
    """Crop, resize, denoise and write one planned video; returns its manifest entry."""
    from ..framing.square_crop import crop_square
    from ..io import read_frames

    clean = DENOISERS[denoise] if denoise else None

    def cropped() -> Iterable[np.ndarray]:
        for t, frame in enumerate(read_frames(info)):
            out = crop_square(frame, framing.square(t), size, framing.fill)
            yield clean(out) if clean else out

    written: list[dict[str, Any]] = []
    if chunk_seconds > 0:
        length = max(min_frames, round(chunk_seconds * info.fps))
        for k, chunk in enumerate(_chunks(cropped(), length)):
            if len(chunk) >= min_frames:
                chunk_name = f"{name}#{k:03d}"
                written.append({"folder": chunk_name, "frames": write_frames(folder / chunk_name, chunk)})
    else:
        written.append({"folder": name, "frames": write_frames(folder / name, cropped())})
    square = framing.square(0)
    return {
        "folders": written,
        "fps": info.fps,
        "crop": {
            "cx": square.cx,
            "cy": square.cy,
            "side": square.side,
            "width": info.width,
            "height": info.height,
        },
    }


def prepare_videos(
    videos_dir: str | Path,
    out_dir: str | Path,
    size: int = 256,
    denoise: str | None = None,
    test_fraction: float = 0.1,
    seed: int = 0,
    max_fps: float = 30.0,
    chunk_seconds: float = 0.0,
    min_frames: int = 16,
    overwrite: bool = False,
    log: Callable[[str], None] = print,
) -> dict[str, Any]:
    """Turn every usable video under videos_dir into frame folders under out_dir; returns the manifest.

    Videos are first opened and framed, then the usable ones are split, so that unusable files
    never take a split's place.
    """
    if denoise is not None and denoise not in DENOISERS:
        raise UserError(f"Unknown denoiser {denoise!r}; choose one of {', '.join(DENOISERS)}.")
    if size < 16:
        raise UserError(f"--size must be at least 16 pixels, got {size}.")
    videos_dir, out_dir = Path(videos_dir), Path(out_dir)
    videos = find_videos(videos_dir)
    _check_fraction(test_fraction)
    _existing(out_dir, overwrite)
    manifest: dict[str, Any] = {
        "format": "fomm-frames",
        "source": "videos",
        "size": size,
        "denoise": denoise,
        "test_fraction": test_fraction,
        "seed": seed,
        "max_fps": max_fps,
        "chunk_seconds": chunk_seconds,
        "videos": [],
        "skipped": [],
    }
    plans = {}
    for name, path in videos.items():
        source = str(path.relative_to(videos_dir))
        try:
            plans[name] = _plan(path, max_fps, min_frames)
        except UserError as exc:
            log(f"skipped {source}: {exc}")
            manifest["skipped"].append({"source": source, "reason": str(exc)})
    if not plans:
        raise UserError(
            f"None of the {len(videos)} videos in {videos_dir} could be used: "
            + "; ".join(f"{s['source']}: {s['reason']}" for s in manifest["skipped"][:5])
        )
    splits = split_by_video(list(plans), test_fraction, seed)
    _start(out_dir, overwrite)
    for i, (name, (info, framing)) in enumerate(plans.items(), start=1):
        source = str(videos[name].relative_to(videos_dir))
        entry = _write_video(
            info, framing, name, out_dir / splits[name], size, denoise, chunk_seconds, min_frames
        )
        manifest["videos"].append({"name": name, "source": source, "split": splits[name], **entry})
        frames = sum(f["frames"] for f in entry["folders"])
        log(f"[{i}/{len(plans)}] {source} -> {splits[name]}/{name} ({frames} frames)")
        _write_json(out_dir / "manifest.json", manifest)
    return manifest


def prepare_synthetic(
    n_videos: int,
    out_dir: str | Path,
    size: int = 256,
    n_frames: int = 100,
    test_fraction: float = 0.1,
    seed: int = 0,
    fps: float = 25.0,
    overwrite: bool = False,
    log: Callable[[str], None] = print,
) -> dict[str, Any]:
    """Write n_videos synthetic dancers (styles in turn, random otherwise) with their joints; returns the manifest."""
    from .moves import STYLES
    from .synthetic import random_clip

    if n_videos < 1 or n_frames < 2:
        raise UserError("--synthetic needs at least 1 video and --frames at least 2.")
    out_dir = Path(out_dir)
    names = [f"dancer{i:05d}" for i in range(n_videos)]
    splits = split_by_video(names, test_fraction, seed)
    _start(out_dir, overwrite)
    (out_dir / "joints").mkdir(exist_ok=True)
    styles: list[str | None] = [None, *STYLES]
    manifest: dict[str, Any] = {
        "format": "fomm-frames",
        "source": "synthetic",
        "size": size,
        "test_fraction": test_fraction,
        "seed": seed,
        "fps": fps,
        "joints": list(JOINTS),
        "videos": [],
    }
    for i, name in enumerate(names):
        style = styles[i % len(styles)]
        clip = random_clip([seed, i], size=size, n_frames=n_frames, fps=fps, style=style, zoom=None)
        write_frames(out_dir / splits[name] / name, clip.frames)
        _save_npy(out_dir / "joints" / f"{name}.npy", clip.joints)
        manifest["videos"].append(
            {
                "name": name,
                "split": splits[name],
                "frames": n_frames,
                "style": style,
                "bpm": clip.motion.bpm,
                "timeline": clip.motion.timeline,
                "identity": asdict(clip.identity),
                "background": asdict(clip.background),
                "joints": f"joints/{name}.npy",
            }
        )
        if (i + 1) % 50 == 0 or i + 1 == n_videos:
            log(f"{i + 1}/{n_videos} synthetic videos written")
    _write_json(out_dir / "manifest.json", manifest)
    return manifest
