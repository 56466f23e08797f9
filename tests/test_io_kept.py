"""A clip's frames kept by their first read: the same frames as a fresh decode, nothing kept over the budget or
on a full disk, and the file gone once closed."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import numpy as np
import pytest
from kept_fixtures import files_open_in, temp_folder  # noqa: F401 - fixture
from video_fixtures import write_clip

from fomm_core.io import KeptFrames, open_video, read_frames, read_kept
from fomm_core.io import kept as kept_module


@pytest.fixture(scope="module")
def clip(tmp_path_factory) -> Path:
    rng = np.random.default_rng(3)
    frames = [rng.integers(0, 256, (96, 160, 3), np.uint8) for _ in range(30)]
    return write_clip(tmp_path_factory.mktemp("kept") / "noise.mp4", frames, fps=30)


def _all(frames) -> np.ndarray:
    return np.stack(list(frames))


def test_the_kept_frames_are_a_fresh_decodes(clip, temp_folder):  # noqa: F811
    info, size = open_video(clip, trim_start=0.2), (80, 48)
    fresh = _all(read_frames(info, size=size))
    kept = KeptFrames(info, size)
    first = _all(kept.read(info, size))
    assert kept.full and files_open_in(temp_folder)
    second = list(kept.read(info, size))
    assert np.array_equal(first, fresh) and np.array_equal(_all(second), fresh)
    second[0][:] = 0  # a reader's frame is its own: the kept one stays
    assert np.array_equal(_all(kept.read(info, size)), fresh)
    kept.close()
    assert kept.closed and not files_open_in(temp_folder) and not os.listdir(temp_folder)


def test_another_trim_rate_or_size_is_decoded_not_taken_from_the_keep(clip, temp_folder):  # noqa: F811
    info, size = open_video(clip), (80, 48)
    kept = KeptFrames(info, size)
    _all(kept.read(info, size))
    for other, other_size in [
        (open_video(clip, trim_start=0.5), size),
        (open_video(clip, max_fps=15), size),
        (info, (40, 24)),
    ]:
        expected = _all(read_frames(other, size=other_size))
        assert np.array_equal(_all(read_kept(other, other_size, kept)), expected)
    kept.close()


def test_a_clip_over_the_budget_is_not_kept_and_still_read(clip, temp_folder):  # noqa: F811
    info, size = open_video(clip), (80, 48)
    fresh = _all(read_frames(info, size=size))
    kept = KeptFrames(info, size, budget=info.frame_count * 80 * 48 * 3 - 1)
    assert np.array_equal(_all(kept.read(info, size)), fresh)
    assert not kept.full and kept.closed and not os.listdir(temp_folder)
    assert np.array_equal(_all(kept.read(info, size)), fresh)


def test_a_read_stopped_half_way_keeps_nothing(clip, temp_folder):  # noqa: F811
    info, size = open_video(clip), (80, 48)
    kept = KeptFrames(info, size)
    reader = kept.read(info, size)
    next(reader)
    assert files_open_in(temp_folder)
    reader.close()
    assert not kept.full and kept.closed and not files_open_in(temp_folder)
    assert np.array_equal(_all(kept.read(info, size)), _all(read_frames(info, size=size)))


@pytest.mark.parametrize("room", [5000, 10**9], ids=["after the first frame", "at the last flush"])
def test_a_full_disk_keeps_nothing_and_the_frames_still_flow(clip, temp_folder, monkeypatch, room):  # noqa: F811
    made, temporary = [], tempfile.TemporaryFile

    class FullDisk:
        """A temporary file on a disk that fills up once `room` bytes are written, or at the flush."""

        def __init__(self):
            self.written, self.closed = 0, False
            made.append(self)

        def write(self, data) -> int:
            if self.written > room:
                raise OSError(28, "No space left on device")
            self.written += memoryview(data).nbytes
            return memoryview(data).nbytes

        def flush(self) -> None:
            raise OSError(28, "No space left on device")

        def close(self) -> None:
            self.closed = True

    def temporary_file(*args, **named):
        kept_frames = named.get("prefix") == "kpop-frames-"  # ffmpeg's error log is a temporary file too
        return FullDisk() if kept_frames else temporary(*args, **named)

    monkeypatch.setattr(kept_module.tempfile, "TemporaryFile", temporary_file)
    info, size = open_video(clip), (80, 48)
    kept = KeptFrames(info, size)
    assert np.array_equal(_all(kept.read(info, size)), _all(read_frames(info, size=size)))
    frames_in = 1 if room < 80 * 48 * 3 else info.frame_count
    assert made and made[0].written == frames_in * 80 * 48 * 3 and made[0].closed
    assert not kept.full and kept.closed


def test_a_dropped_keep_removes_its_file(clip, temp_folder):  # noqa: F811
    info, size = open_video(clip), (80, 48)
    kept = KeptFrames(info, size)
    _all(kept.read(info, size))
    assert files_open_in(temp_folder)
    del kept
    assert not files_open_in(temp_folder)
