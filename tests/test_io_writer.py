"""H.264 writer: round trip, +faststart, audio muxed in sync, clips without audio, no half-written files."""

from __future__ import annotations

import subprocess

import numpy as np
import pytest
from video_fixtures import decode_audio, has_audio_stream, marker_frames, write_clip

from fomm_core.io import AudioSegment, VideoWriter, open_video, read_frames
from fomm_core.io.ffmpeg import ffmpeg_exe


def _ffmpeg_info(path) -> str:
    return subprocess.run(
        [ffmpeg_exe(), "-hide_banner", "-i", str(path)], capture_output=True, text=True
    ).stderr


def test_round_trip_h264_yuv420p_faststart(tmp_path):
    out = tmp_path / "out.mp4"
    frames = [np.full((64, 96, 3), 5 * i, np.uint8) for i in range(30)]
    with VideoWriter(out, 24, (96, 64)) as writer:
        for f in frames:
            writer.write(f.astype(np.float32) / 255.0)  # float frames in [0, 1] are accepted too
    info = _ffmpeg_info(out)
    assert "Video: h264" in info and "yuv420p" in info and "Audio:" not in info
    data = out.read_bytes()
    assert data.index(b"moov") < data.index(b"mdat")  # +faststart: playable while downloading
    clip = open_video(out)
    assert clip.fps == 24 and clip.frame_count == 30
    assert [round(f.mean() / 5) for f in read_frames(clip)] == list(range(30))
    assert list(tmp_path.iterdir()) == [out]


def test_audio_of_trimmed_segment_in_sync(tmp_path):
    # flash frames 25-29 and a beep at 1.0-1.2 s; trimming 0.6 s must move both to 0.4 s.
    clip = write_clip(tmp_path / "beep.mp4", marker_frames(75), fps=25, audio="beep")
    info = open_video(clip, trim_start=0.6, trim_end=2.6)
    out = tmp_path / "out.mp4"
    with VideoWriter(out, info.rate, (64, 48), audio=AudioSegment(info.path, info.start, info.duration)) as w:
        for f in read_frames(info):
            w.write(f)
    assert "Audio: aac" in _ffmpeg_info(out)
    result = open_video(out)
    samples = decode_audio(out)
    assert abs(len(samples) / 8000 - result.duration) <= 1 / result.fps
    flashes = [i for i, f in enumerate(read_frames(result)) if f.mean() > 240]
    loud = np.nonzero(np.abs(samples) > 0.3)[0] / 8000
    assert flashes[0] / 25 == pytest.approx(0.4, abs=0.001)
    assert abs(loud[0] - flashes[0] / 25) <= 1 / 25 and abs(loud[-1] - (flashes[-1] + 1) / 25) <= 1 / 25


def test_audio_shorter_than_video_is_padded(tmp_path):
    clip = write_clip(tmp_path / "tone.mp4", marker_frames(25), fps=25, audio="tone")
    out = tmp_path / "out.mp4"
    with VideoWriter(out, 25, (64, 48), audio=AudioSegment(clip, 0.5, 2.0)) as w:
        for f in marker_frames(50):
            w.write(f)
    assert len(decode_audio(out)) / 8000 == pytest.approx(2.0, abs=1 / 25)


def test_clip_without_audio_stream(tmp_path):
    silent = write_clip(tmp_path / "silent.mp4", marker_frames(20), fps=10)
    out = tmp_path / "out.mp4"
    with VideoWriter(out, 10, (64, 48), audio=AudioSegment(silent, 0.0, 2.0)) as w:
        for f in marker_frames(20):
            w.write(f)
    assert not has_audio_stream(out) and open_video(out).frame_count == 20


def test_failure_leaves_no_partial_file_and_keeps_old_result(tmp_path):
    out = tmp_path / "result.mp4"
    out.write_bytes(b"previous result")
    with pytest.raises(RuntimeError, match="model crashed"):
        with VideoWriter(out, 10, (64, 48)) as w:
            w.write(marker_frames(1)[0])
            raise RuntimeError("model crashed")
    assert out.read_bytes() == b"previous result"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["result.mp4"]


def test_no_frames_is_an_error_not_an_empty_file(tmp_path):
    out = tmp_path / "out.mp4"
    with pytest.raises(RuntimeError, match="0 frames"):
        VideoWriter(out, 10, (64, 48)).close()
    assert list(tmp_path.iterdir()) == []


def test_bad_sizes_rejected(tmp_path):
    with pytest.raises(ValueError, match="even"):
        VideoWriter(tmp_path / "odd.mp4", 10, (63, 48))
    writer = VideoWriter(tmp_path / "x.mp4", 10, (64, 48))
    with pytest.raises(ValueError, match="does not match"):
        writer.write(np.zeros((48, 60, 3), np.uint8))
    writer.abort()
    assert list(tmp_path.iterdir()) == []
