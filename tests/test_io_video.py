"""Video reader: formats, frame rate, rotation, VFR, trimming, large and tiny clips, bad files."""

from __future__ import annotations

import re
import shutil
import subprocess

import numpy as np
import pytest
from video_fixtures import dancer_frames, marker_frames, write_clip

from fomm_core.errors import UserError
from fomm_core.io import VideoWriter, open_video, read_frames
from fomm_core.io.ffmpeg import ffmpeg_exe


def _pattern(n: int, size=(64, 48)) -> list[np.ndarray]:
    frames, _ = dancer_frames(n, size=size, noise=0)
    for i, f in enumerate(frames):
        f[:6, :10] = (255, 0, 0)  # an asymmetric corner mark to check orientation
        f[-6:, -10:, 1] = (i * 10) % 255
    return frames


@pytest.mark.parametrize("ext", [".mp4", ".mov", ".mkv", ".webm", ".avi", ".gif"])
def test_formats_round_trip(tmp_path, ext):
    frames = _pattern(20)
    path = write_clip(tmp_path / f"clip{ext}", frames, fps=10)
    info = open_video(path)
    assert (info.width, info.height) == (64, 48)
    assert info.fps == 10 and info.frame_count == 20 and info.duration == pytest.approx(2.0)
    out = list(read_frames(info))
    assert len(out) == 20
    assert all(f.shape == (48, 64, 3) and f.dtype == np.uint8 for f in out)
    error = np.mean([np.abs(a.astype(float) - b).mean() for a, b in zip(out, frames, strict=True)])
    assert error < (12 if ext == ".gif" else 6)


def test_fps_capped_and_frame_count_known_up_front(tmp_path):
    path = write_clip(tmp_path / "fast.mp4", marker_frames(100), fps=50)
    info = open_video(path, max_fps=30)
    assert info.source_fps == pytest.approx(50)
    assert info.fps == 30 and info.frame_count == 60
    assert sum(1 for _ in read_frames(info)) == 60
    slow = open_video(path, max_fps=60)
    assert slow.fps == 50 and slow.frame_count == 100


def test_rotation_metadata_applied(tmp_path):
    frames = _pattern(6)
    path = write_clip(tmp_path / "phone.mp4", frames, fps=10, rotation=90)
    info = open_video(path)
    assert info.rotation == 90 and (info.width, info.height) == (48, 64)
    first = next(read_frames(info))
    expected = np.rot90(frames[0], k=1)  # display rotation is counter-clockwise
    assert first.shape == expected.shape
    assert np.abs(first.astype(float) - expected).mean() < 6
    assert first[-6:, :6, 0].mean() > 200  # the red mark went from top-left to bottom-left


def test_variable_frame_rate_resampled(tmp_path):
    # 30 frames at 30 fps with every third dropped: irregular 1/30 and 2/30 s gaps, 20 fps on average.
    ramp = [np.full((48, 64, 3), 8 * i, np.uint8) for i in range(30)]
    path = write_clip(tmp_path / "vfr.mp4", ramp, fps=30, vfr=True)
    info = open_video(path)
    # the stream ends with frame 28 (shown for 1/30 s): 20 frames in 29/30 s
    assert info.source_duration == pytest.approx(29 / 30, abs=1e-3)
    assert info.fps == pytest.approx(20 * 30 / 29, abs=0.01) and info.frame_count == 20
    shown = [round(f.mean() / 8) for f in read_frames(info)]
    assert len(shown) == 20
    kept = [i for i in range(30) if i % 3 != 2]
    on_screen = [max(i for i in kept if i / 30 <= k / info.fps + 1e-6) for k in range(20)]
    assert shown == on_screen  # output frame k is the source frame on screen at k / fps


def test_trim_reads_exact_segment(tmp_path):
    frames = [np.full((48, 64, 3), 4 * i, np.uint8) for i in range(50)]
    path = write_clip(tmp_path / "ramp.mp4", frames, fps=25)
    info = open_video(path, trim_start=0.4, trim_end=1.2)
    shown = [round(f.mean() / 4) for f in read_frames(info)]
    assert shown == list(range(10, 30))


def test_max_duration_refuses_with_advice(tmp_path):
    path = write_clip(tmp_path / "clip.mp4", marker_frames(50), fps=25)
    with pytest.raises(UserError, match=r"2\.0 s long, over the 1\.5 s limit.*trim"):
        open_video(path, max_duration=1.5)
    assert open_video(path, max_duration=1.5, trim_start=0.5).frame_count == 38


@pytest.mark.parametrize(
    ("start", "end", "message"),
    [
        (3.0, None, "past the end"),
        (1.0, 0.5, "must be after"),
        (-1.0, None, "zero or positive"),
        (1.96, None, "too short"),
    ],
)
def test_bad_trim_times(tmp_path, start, end, message):
    path = write_clip(tmp_path / "clip.mp4", marker_frames(50), fps=25)
    with pytest.raises(UserError, match=message):
        open_video(path, trim_start=start, trim_end=end)


@pytest.mark.slow
@pytest.mark.parametrize(("size", "codec"), [((3840, 2160), "mpeg4"), ((7680, 4320), "mjpeg")])
def test_4k_and_8k_are_downscaled_in_ffmpeg(tmp_path, size, codec):
    path = tmp_path / f"big{size[0]}.mkv"
    subprocess.run(
        [
            ffmpeg_exe(),
            "-hide_banner",
            "-loglevel",
            "error",
            "-f",
            "lavfi",
            "-i",
            f"testsrc2=size={size[0]}x{size[1]}:rate=10:duration=0.3",
            "-c:v",
            codec,
            str(path),
        ],
        check=True,
    )
    info = open_video(path)
    assert (info.width, info.height) == size and info.frame_count == 3
    frames = list(read_frames(info))
    assert len(frames) == 3 and frames[0].shape == (1080, 1920, 3)
    assert next(read_frames(info, size=(256, 144))).shape == (144, 256, 3)


def test_tiny_clip(tmp_path):
    frames = [np.full((12, 16, 3), 10 * i, np.uint8) for i in range(10)]
    info = open_video(write_clip(tmp_path / "tiny.avi", frames, fps=10))
    assert (info.width, info.height, info.frame_count) == (16, 12, 10)
    assert next(read_frames(info, size=(64, 48))).shape == (48, 64, 3)


def test_names_with_spaces_and_non_latin_characters(tmp_path):
    folder = tmp_path / "my clips -x"
    folder.mkdir()
    path = write_clip(folder / "댄스 クリップ 舞.mp4", marker_frames(10), fps=10)
    dash = shutil.copy(path, folder / "-dance:1.mp4")
    for p in (path, dash):
        assert sum(1 for _ in read_frames(open_video(p))) == 10


def test_reader_closes_ffmpeg_when_stopped_early(tmp_path):
    info = open_video(write_clip(tmp_path / "clip.mp4", marker_frames(50), fps=25))
    frames = read_frames(info)
    next(frames)
    frames.close()  # must not hang or leak the ffmpeg process
    assert sum(1 for _ in read_frames(info)) == 50


def _zeroed_video_data(src, dst):
    data = bytearray(src.read_bytes())
    start = data.index(b"mdat") + 4
    data[start:] = bytes(len(data) - start)
    dst.write_bytes(data)


@pytest.mark.parametrize(
    ("case", "message"),
    [
        ("text.mp4", r"contents are not \.mp4 video"),
        ("notes.txt", r"not a video we can read \(\.txt files are not videos\)"),
        ("empty.mp4", r"empty \(0 bytes\)"),
        ("cut.mp4", "damaged or incomplete"),
        ("song.m4a", "only audio"),
        ("photo.png", "still image"),
        ("zero.mp4", "no frames"),
        ("missing.mp4", "not found"),
    ],
)
def test_bad_clips_give_clear_messages(tmp_path, case, message):
    good = write_clip(tmp_path / "good.mp4", marker_frames(20), fps=10)
    path = tmp_path / case
    if case == "text.mp4" or case == "notes.txt":
        path.write_text("this is not a video\n" * 20)
    elif case == "empty.mp4":
        path.touch()
    elif case == "cut.mp4":
        path.write_bytes(good.read_bytes()[: good.stat().st_size // 2])
    elif case == "song.m4a":
        subprocess.run(
            [ffmpeg_exe(), "-loglevel", "error", "-f", "lavfi", "-i", "sine=d=1", str(path)], check=True
        )
    elif case == "photo.png":
        subprocess.run(
            [
                ffmpeg_exe(),
                "-loglevel",
                "error",
                "-f",
                "lavfi",
                "-i",
                "testsrc=size=64x48",
                "-frames:v",
                "1",
                str(path),
            ],
            check=True,
        )
    elif case == "zero.mp4":
        faststart = tmp_path / "faststart.mp4"
        subprocess.run(
            [
                ffmpeg_exe(),
                "-loglevel",
                "error",
                "-i",
                str(good),
                "-c",
                "copy",
                "-movflags",
                "+faststart",
                str(faststart),
            ],
            check=True,
        )
        _zeroed_video_data(faststart, path)
    with pytest.raises(UserError, match=message):
        info = open_video(path)
        list(read_frames(info))


def test_wrong_extension_judged_by_content(tmp_path):
    good = write_clip(tmp_path / "good.mp4", marker_frames(10), fps=10)
    renamed = tmp_path / "dance.txt"
    renamed.write_bytes(good.read_bytes())
    assert open_video(renamed).frame_count == 10  # a real video with an odd name is accepted
    image = tmp_path / "dance.mp4"
    subprocess.run(
        [
            ffmpeg_exe(),
            "-loglevel",
            "error",
            "-f",
            "lavfi",
            "-i",
            "testsrc=size=64x48",
            "-frames:v",
            "1",
            "-c:v",
            "png",
            "-f",
            "image2",
            str(image),
        ],
        check=True,
    )
    with pytest.raises(UserError, match="still image"):
        open_video(image)


def test_non_square_pixels_shown_at_display_aspect(tmp_path):
    path = write_clip(tmp_path / "anamorphic.mp4", marker_frames(5), fps=10)
    wide = tmp_path / "wide.mp4"
    subprocess.run(
        [
            ffmpeg_exe(),
            "-loglevel",
            "error",
            "-i",
            str(path),
            "-vf",
            "setsar=2",
            "-c:v",
            "libx264",
            str(wide),
        ],
        check=True,
    )
    info = open_video(wide)
    assert (info.width, info.height) == (128, 48)
    assert next(read_frames(info)).shape == (48, 128, 3)


def test_nan_max_duration_refused(tmp_path):
    path = write_clip(tmp_path / "clip.mp4", marker_frames(20), fps=10)
    with pytest.raises(UserError, match="maximum duration must be above 0 seconds, not nan"):
        open_video(path, max_duration=float("nan"))


def test_nonpositive_max_fps_refused(tmp_path):
    path = write_clip(tmp_path / "clip.mp4", marker_frames(10), fps=10)
    with pytest.raises(UserError, match="frame rate"):
        open_video(path, max_fps=0)


def _cut_in_half(path, dst):
    dst.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
    return dst


@pytest.mark.parametrize("ext", [".mp4", ".mkv", ".avi"])
def test_a_clip_cut_in_half_is_read_as_far_as_it_goes_and_called_damaged(tmp_path, ext):
    frames = _pattern(200)
    if ext == ".mp4":  # moov first, as web and phone exports are: the cut leaves a file ffmpeg still opens
        whole = tmp_path / "whole.mp4"
        with VideoWriter(whole, 25, (64, 48)) as writer:
            for frame in frames:
                writer.write(frame)
    else:
        whole = write_clip(tmp_path / f"whole{ext}", frames, fps=25)
    intact = open_video(whole)
    assert intact.damage == "" and intact.frame_count == 200
    info = open_video(_cut_in_half(whole, tmp_path / f"cut{ext}"))
    assert 20 < info.frame_count < 180
    read = info.frame_count / 25
    assert f"'cut{ext}' is damaged or incomplete" in info.damage
    stated = "" if ext == ".avi" else " of its 8.0 s"  # a cut avi loses its index: its length is a guess
    assert f"only {read:.1f} s ({info.frame_count} frames){stated} could be read" in info.damage
    assert len(list(read_frames(info))) == info.frame_count
    with pytest.raises(
        UserError,
        match=rf"past the end of the dance clip \(only its first {read:.2f} s could be "
        "read: it is damaged\\)",
    ):
        open_video(tmp_path / f"cut{ext}", trim_start=read + 1)


@pytest.mark.parametrize(
    "value", ["nan", "NaN", "inf", "-inf", "Infinity", float("nan"), float("inf"), float("-inf")]
)
@pytest.mark.parametrize("field", ["trim_start", "trim_end"])
def test_non_finite_trim_times_are_refused_by_name(tmp_path, value, field):
    path = write_clip(tmp_path / "clip.mp4", marker_frames(20), fps=10)
    name = field.replace("_", " ")
    with pytest.raises(
        UserError, match=rf"The {name} {re.escape(repr(value))} is not a finite number of seconds"
    ):
        open_video(path, **{field: value})
    assert open_video(path, trim_start="0.5", trim_end="1.5").frame_count == 10  # numbers as text are fine
    with pytest.raises(UserError, match="The trim end 'soon' is not a number of seconds"):
        open_video(path, trim_end="soon")
