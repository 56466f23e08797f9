"""Clips are measured before decoding: frames over the frame budget, or a chosen part over the clip budget, are
refused with the budget named; an SVG given as the clip is a still image."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from video_fixtures import marker_frames, write_clip

from fomm_core.errors import UserError
from fomm_core.io import video
from fomm_core.io.ffmpeg import ffmpeg_exe


def lavfi_clip(path: Path, size: str, seconds: float, rate: int, codec: str = "png") -> Path:
    cmd = [ffmpeg_exe(), "-loglevel", "error", "-f", "lavfi", "-i", f"color=c=red:s={size}:r={rate}"]
    subprocess.run([*cmd, "-t", str(seconds), "-c:v", codec, str(path)], check=True)
    return path


@pytest.mark.slow
def test_frames_over_the_frame_budget_are_refused_before_decoding(tmp_path: Path) -> None:
    clip = lavfi_clip(tmp_path / "huge.mkv", "8000x6000", 1, 2)
    with pytest.raises(
        UserError, match=r"frames of 8000×6000 pixels \(48 megapixels\), over the 40-megapixel"
    ):
        video.open_video(clip)


def test_a_part_over_the_clip_budget_is_refused_naming_it(tmp_path: Path, monkeypatch) -> None:
    clip = tmp_path / "dance.mp4"
    write_clip(clip, marker_frames(20), fps=10)
    assert video.open_video(clip).frame_count == 20
    monkeypatch.setattr(video, "MAX_CLIP_PIXELS", 64 * 48 * 10)
    with pytest.raises(
        UserError, match=r"The chosen 2\.0 s of the dance clip hold [0-9.]+ gigapixels of frames"
    ):
        video.open_video(clip)
    assert video.open_video(clip, trim_end=1.0).frame_count == 10


def test_an_svg_clip_is_a_still_image(tmp_path: Path) -> None:
    path = tmp_path / "drawing.svg"
    path.write_text('<svg xmlns="http://www.w3.org/2000/svg" width="12000" height="12000"></svg>')
    with pytest.raises(UserError, match="is a still image, not a video"):
        video.open_video(path)
