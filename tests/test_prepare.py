"""Training-set preparation (videos and synthetic) and the example files."""

from __future__ import annotations

import importlib.util
import json
import subprocess
from pathlib import Path

import cv2
import imageio_ffmpeg
import numpy as np
import pytest

from fomm_core.cli import main
from fomm_core.data import Background, choreography, random_identity, render
from fomm_core.data.prepare import DENOISERS, prepare_synthetic, prepare_videos, split_by_video
from fomm_core.errors import UserError

ROOT = Path(__file__).resolve().parent.parent


def _write_mp4(path: Path, frames: np.ndarray, fps: float = 25.0) -> None:
    h, w = frames.shape[1:3]
    writer = imageio_ffmpeg.write_frames(
        str(path),
        (w, h),
        fps=fps,
        codec="libx264",
        pix_fmt_out="yuv420p",
        macro_block_size=1,
        ffmpeg_log_level="error",
    )
    writer.send(None)
    for frame in frames:
        writer.send(np.ascontiguousarray(frame))
    writer.close()


def _dancer_video(seed: int, n_frames: int) -> np.ndarray:
    """A dancer on a plain wall, in a wider-than-tall frame with room on both sides."""
    rng = np.random.default_rng(seed)
    wall = (200, 200, 190)
    frames, _ = render(
        random_identity(rng), choreography(n_frames=n_frames, rng=rng), 120, Background("plain", wall)
    )
    out = np.full((n_frames, 120, 200, 3), wall, np.uint8)
    out[:, :, 40:160] = frames
    return out


@pytest.fixture(scope="module")
def videos_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("videos")
    (folder / "more").mkdir()
    for i, name in enumerate(["a.mp4", "b b.mp4", "c#1.mp4", "more/d.mp4"]):
        _write_mp4(folder / name, _dancer_video(i, 30))
    _write_mp4(folder / "short.mp4", _dancer_video(9, 5))
    _write_mp4(folder / "empty.mp4", np.full((20, 120, 200, 3), 90, np.uint8))
    (folder / "broken.mp4").write_text("not a video")
    (folder / "notes.txt").write_text("ignored")
    return folder


def _folders(root: Path, split: str) -> set[str]:
    return {p.name for p in (root / split).iterdir() if p.is_dir()}


def test_split_by_video_is_seeded_disjoint_and_covers_all() -> None:
    names = [f"v{i}" for i in range(20)]
    split = split_by_video(names, 0.25, seed=3)
    assert split == split_by_video(list(reversed(names)), 0.25, seed=3)
    assert set(split) == set(names)
    assert sum(s == "test" for s in split.values()) == 5
    assert split != split_by_video(names, 0.25, seed=4)
    assert set(split_by_video(["x", "y"], 0.1).values()) == {"train", "test"}
    assert set(split_by_video(names, 0.0).values()) == {"train"}
    with pytest.raises(UserError, match="test-fraction"):
        split_by_video(names, 1.0)


def test_prepare_videos_crops_splits_by_video_and_skips_bad_clips(videos_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "set"
    manifest = prepare_videos(
        videos_dir, out, size=64, test_fraction=0.25, seed=0, chunk_seconds=0.64, log=lambda _: None
    )
    names = {v["name"] for v in manifest["videos"]}
    assert names == {"a", "b_b", "c_1", "more__d"}
    skipped = {s["source"] for s in manifest["skipped"]}
    assert skipped == {"short.mp4", "empty.mp4", "broken.mp4"}
    train, test = _folders(out, "train"), _folders(out, "test")
    assert len(test) > 0 and len(train) > 0
    # Chunks carry their video's id before '#', and no video has chunks in both splits.
    ids = {split: {f.split("#")[0] for f in folders} for split, folders in (("train", train), ("test", test))}
    assert not ids["train"] & ids["test"]
    assert ids["train"] | ids["test"] == names
    for video in manifest["videos"]:
        assert [f["frames"] for f in video["folders"]] == [16]  # 30 frames: one whole chunk of 16; 14 dropped
        folder = out / video["split"] / video["folders"][0]["folder"]
        frames = sorted(folder.glob("*.png"))
        assert [f.name for f in frames[:2]] == ["0000000.png", "0000001.png"] and len(frames) == 16
        image = cv2.imread(str(frames[0]))
        assert image.shape == (64, 64, 3)
        # The dancer fills the crop: the 200-wide frame was cut to a square around them.
        assert video["crop"]["side"] < 200
        assert np.abs(image.astype(int) - image[0, 0].astype(int)).sum(-1).max() > 60
    assert json.loads((out / "manifest.json").read_text())["videos"] == manifest["videos"]
    assert not list(out.rglob(".*partial*"))


def test_prepare_refuses_to_mix_sets_unless_overwrite(tmp_path: Path) -> None:
    prepare_synthetic(2, tmp_path, size=32, n_frames=3, log=lambda _: None)
    with pytest.raises(UserError, match="--overwrite"):
        prepare_synthetic(2, tmp_path, size=32, n_frames=3, log=lambda _: None)
    manifest = prepare_synthetic(3, tmp_path, size=32, n_frames=4, overwrite=True, log=lambda _: None)
    assert len(manifest["videos"]) == 3
    assert sum(len(_folders(tmp_path, s)) for s in ("train", "test")) == 3


def test_prepare_synthetic_writes_frames_joints_and_manifest(tmp_path: Path) -> None:
    manifest = prepare_synthetic(
        5, tmp_path, size=48, n_frames=6, test_fraction=0.4, seed=1, log=lambda _: None
    )
    train, test = _folders(tmp_path, "train"), _folders(tmp_path, "test")
    assert len(test) == 2 and len(train) == 3 and not train & test
    for video in manifest["videos"]:
        frames = sorted((tmp_path / video["split"] / video["name"]).glob("*.png"))
        assert len(frames) == 6
        joints = np.load(tmp_path / video["joints"])
        assert joints.shape == (6, 20, 2)
        image = cv2.imread(str(frames[0]))
        assert image.shape == (48, 48, 3)
    assert {v["style"] for v in manifest["videos"]} >= {None, "slow_waves"}
    again = tmp_path / "again"
    prepare_synthetic(5, again, size=48, n_frames=6, test_fraction=0.4, seed=1, log=lambda _: None)
    first = tmp_path / manifest["videos"][0]["split"] / "dancer00000" / "0000003.png"
    second = again / manifest["videos"][0]["split"] / "dancer00000" / "0000003.png"
    np.testing.assert_array_equal(cv2.imread(str(first)), cv2.imread(str(second)))


def test_prepare_command(videos_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["prepare", "--synthetic", "3", str(tmp_path / "s"), "--size", "32", "--frames", "3"]) == 0
    assert "2 train and 1 test videos" in capsys.readouterr().out
    assert main(["prepare", str(videos_dir), str(tmp_path / "v"), "--size", "32", "--denoise"]) == 0
    assert "3 skipped" in capsys.readouterr().out
    assert json.loads((tmp_path / "v" / "manifest.json").read_text())["denoise"] == "nlmeans"
    assert main(["prepare", str(tmp_path / "nowhere"), str(tmp_path / "x")]) == 2
    assert "does not exist" in capsys.readouterr().err
    assert main(["prepare", "--synthetic", "2", str(tmp_path / "a"), str(tmp_path / "b")]) == 2


@pytest.mark.parametrize("method", sorted(DENOISERS))
def test_denoisers_remove_noise(method: str) -> None:
    frames, _ = render(random_identity(np.random.default_rng(0)), choreography(n_frames=1), 96, Background())
    clean = frames[0].astype(np.float32)
    noisy = np.clip(clean + np.random.default_rng(1).normal(0, 10, clean.shape), 0, 255).astype(np.uint8)
    denoised = DENOISERS[method](noisy).astype(np.float32)
    assert np.mean((denoised - clean) ** 2) < 0.5 * np.mean((noisy - clean) ** 2)


def _load_make_examples():
    spec = importlib.util.spec_from_file_location("make_examples", ROOT / "scripts" / "make_examples.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_make_examples_writes_photo_and_dance_with_audio(tmp_path: Path) -> None:
    photo, dance = _load_make_examples().make_examples(tmp_path)
    image = cv2.imread(str(photo))
    assert image.shape[:2] == (384, 384)
    # The committed example is what the script makes.
    np.testing.assert_array_equal(image, cv2.imread(str(ROOT / "examples" / "photo.png")))
    for path in (dance, ROOT / "examples" / "dance.mp4"):
        info = subprocess.run(
            [imageio_ffmpeg.get_ffmpeg_exe(), "-hide_banner", "-i", str(path)], capture_output=True, text=True
        ).stderr
        assert "Audio: aac" in info
        assert "Video: h264" in info and "yuv420p" in info and "256x256" in info
        assert "Duration: 00:00:08.0" in info
        data = path.read_bytes()
        assert data.index(b"moov") < data.index(b"mdat")  # +faststart
        assert len(data) < 300_000
    assert (ROOT / "examples" / "photo.png").stat().st_size < 300_000
