"""The pipeline (photo + clip + options → mp4) and the `animate` command, end to end on synthetic inputs."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import cv2
import numpy as np
import pytest
from cli_fixtures import tiny_checkpoint
from conftest import TINY_FOMM
from PIL import Image
from video_fixtures import decode_audio, has_audio_stream, marker_frames, write_clip

import fomm_core.checkpoints.load
import fomm_core.pipeline
from fomm_core import RenderOptions, random_model
from fomm_core.errors import UserError
from fomm_core.framing.heuristic import detect_person
from fomm_core.io import open_video, read_frames
from fomm_core.io.ffmpeg import ffmpeg_exe
from fomm_core.pipeline import plan_render, render


class Stub:
    """Stands in for a MotionModel where only the frame size matters."""

    frame_size = 32


def echo(model, source, driving, **kwargs):
    """animate_fn that shows each framed driving frame (so the output can be checked against the clip)."""
    echo.kwargs = kwargs
    for frame in driving:
        yield frame.astype(np.float32) / 255.0


@pytest.fixture(scope="module")
def inputs(tmp_path_factory) -> tuple[Path, Path]:
    """A 2 s, 20 fps dance clip with a tone, and a photo of another figure."""
    from video_fixtures import dancer_frames

    folder = tmp_path_factory.mktemp("inputs")
    frames, _ = dancer_frames(40, size=(192, 108), backdrop="floor", travel=0.1)
    clip = write_clip(folder / "dance clip ダンス.mp4", frames, fps=20, audio="tone")
    photo, _ = dancer_frames(1, size=(150, 200), backdrop="plain", scale=0.5, seed=3)
    Image.fromarray(photo[0]).save(folder / "photo 写真.png")
    return folder / "photo 写真.png", clip


def test_render_writes_framed_video_with_audio_and_reports_progress(tmp_path, inputs):
    photo, clip = inputs
    calls = []
    options = RenderOptions(output_size=64, best_frame=3, batch_size=2, scene="plain")
    out = render(
        plan_render(photo, clip, options),
        Stub(),
        tmp_path / "out.mp4",
        progress=lambda done, total: calls.append((done, total)),
        animate_fn=echo,
    )
    assert calls == [(i, 40) for i in range(1, 41)]
    assert echo.kwargs == dict(mode="relative", adapt_scale=True, best_frame=3, batch_size=2)
    info = open_video(out)
    assert (info.width, info.height, info.frame_count, info.fps) == (64, 64, 40, 20)
    assert abs(len(decode_audio(out)) / 8000 - info.duration) <= 1 / info.fps
    first = next(read_frames(info))
    assert detect_person(first) is not None  # the dancer is in the framed output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.mp4"]


def test_side_by_side_without_audio_and_framing_off(tmp_path, inputs):
    photo, clip = inputs
    options = RenderOptions(side_by_side=True, keep_audio=False, framing=False)
    out = render(plan_render(photo, clip, options), Stub(), tmp_path / "sbs.mp4", animate_fn=echo)
    info = open_video(out)
    assert (info.width, info.height) == (64, 32) and not has_audio_stream(out)
    left, right = np.split(next(read_frames(info)).astype(int), 2, axis=1)
    assert np.abs(left - right).mean() < 8  # echo: the result is the dance itself


def test_plan_knows_frame_count_and_matches_photo(inputs):
    photo, clip = inputs
    plan = plan_render(photo, clip, RenderOptions(trim_start=0.5, trim_end=1.5))
    assert plan.frame_count == 20 and plan.info.fps == 20 and not plan.notes
    source = plan.source(128)
    person = detect_person(source)
    reference = plan.framing.reference.scaled(128)
    assert abs(person.height - reference.height) < 6 and abs(person.cy - reference.cy) < 6


def test_tiny_random_model_end_to_end(tmp_path, inputs):
    photo, clip = inputs
    model = random_model(TINY_FOMM, seed=0)
    for best_frame in (None, "auto"):
        out = render(
            plan_render(
                photo, clip, RenderOptions(best_frame=best_frame, trim_end=0.5, output_size=48, scene="plain")
            ),
            model,
            tmp_path / f"{best_frame}.mp4",
        )
        info = open_video(out)
        assert (info.width, info.frame_count) == (48, 10)


def test_a_plan_takes_one_photo_alone_or_in_a_sequence_and_a_group_where_it_can_dance(tmp_path, inputs):
    photo, clip = inputs
    options = RenderOptions(scene="plain", trim_end=0.5)
    alone, listed = plan_render(photo, clip, options), plan_render([photo], clip, options)
    assert alone.inputs == listed.inputs == (photo, clip)
    assert np.array_equal(alone.source(32), listed.source(32))
    with pytest.raises(UserError, match="2 photos dance together .* choose scene 'stage' or 'plain'"):
        plan_render([photo, photo], clip, RenderOptions(trim_end=0.5))
    with pytest.raises(UserError, match="Groups are drawn by the pose engine .*'default' animates one photo"):
        plan_render([photo, photo], clip, options)
    with pytest.raises(UserError, match="6 photos were given; a render takes at most 5"):
        plan_render([photo] * 6, clip, options)
    with pytest.raises(UserError, match="No photo was given"):
        plan_render((), clip, options)


def test_the_plans_inputs_are_never_written_as_the_result(tmp_path, inputs):
    photo, clip = inputs
    before = photo.read_bytes()
    plan = plan_render(photo, clip, RenderOptions(scene="plain", trim_end=0.5))
    with pytest.raises(UserError, match="writing it would destroy the input"):
        render(plan, Stub(), photo, animate_fn=echo)
    assert photo.read_bytes() == before


def test_inputs_checked_before_the_model_is_loaded(tmp_path, inputs, monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("model loaded before the inputs were checked")

    monkeypatch.setattr(fomm_core.checkpoints.load, "load_model", refuse)
    photo, _ = inputs
    notes = tmp_path / "notes.txt"
    notes.write_text("not a video")
    with pytest.raises(UserError, match="not a video"):
        render(plan_render(photo, notes, RenderOptions()), out=tmp_path / "out.mp4")


@pytest.mark.parametrize(
    ("case", "message"),
    [
        ("blank photo", "No person found in the photo"),
        ("photo is text", "not an image we can read"),
        ("clip too long", "over the 1 s limit"),
        ("clip is audio", "only audio"),
        ("bad best frame", "outside the clip"),
        ("bad output size", "Output size"),
    ],
)
def test_bad_input_leaves_nothing_behind(tmp_path, inputs, case, message):
    photo, clip = inputs
    options = RenderOptions()
    out = tmp_path / "out.mp4"
    if case == "blank photo":
        photo = tmp_path / "blank.png"
        Image.new("RGB", (200, 300), (180, 180, 180)).save(photo)
    elif case == "photo is text":
        photo = tmp_path / "me.jpg"
        photo.write_text("hello")
    elif case == "clip too long":
        options = RenderOptions(max_duration=1)
    elif case == "clip is audio":
        clip = tmp_path / "song.m4a"
        subprocess.run(
            [ffmpeg_exe(), "-loglevel", "error", "-f", "lavfi", "-i", "sine=d=1", str(clip)], check=True
        )
    elif case == "bad best frame":
        options = RenderOptions(best_frame=40)
    elif case == "bad output size":
        options = RenderOptions(output_size=5000)
    with pytest.raises(UserError, match=message):
        render(plan_render(photo, clip, options), Stub(), out, animate_fn=echo)
    assert not out.exists() and not [p for p in tmp_path.iterdir() if p.name.startswith(".")]


@pytest.mark.parametrize(
    ("size", "side_by_side", "message"),
    [
        (
            2048,
            False,
            "Output size 2048 is out of range: choose 32 to 1024 pixels (results are at most 1024 pixels",
        ),
        (1025, False, "Output size 1025 is out of range: choose 32 to 1024 pixels"),
        (600, True, "Output size 600 is out of range: choose 32 to 512 pixels with the dance side by side"),
        (
            2048,
            True,
            "choose 32 to 512 pixels with the dance side by side (results are at most 1024 pixels wide",
        ),
    ],
)
def test_output_size_is_capped_before_any_work(tmp_path, inputs, monkeypatch, size, side_by_side, message):
    def refuse(*args, **kwargs):
        raise AssertionError("the clip was opened before the output size was checked")

    monkeypatch.setattr(fomm_core.pipeline, "open_video", refuse)
    with pytest.raises(UserError, match=re.escape(message)):
        plan_render(inputs[0], inputs[1], RenderOptions(output_size=size, side_by_side=side_by_side))


def test_largest_side_by_side_output_is_1024_wide(tmp_path, inputs):
    options = RenderOptions(output_size=512, side_by_side=True, trim_end=0.2, scene="plain")
    out = render(plan_render(*inputs, options), Stub(), tmp_path / "o.mp4", animate_fn=echo)
    info = open_video(out)
    assert (info.width, info.height) == (1024, 512)


def test_a_damaged_clip_renders_what_was_read_with_a_note(tmp_path, inputs):
    photo, clip = inputs
    whole = render(plan_render(photo, clip, RenderOptions()), Stub(), tmp_path / "whole.mp4", animate_fn=echo)
    cut = tmp_path / "cut.mp4"  # our results are +faststart, so a cut one still opens
    cut.write_bytes(whole.read_bytes()[: whole.stat().st_size * 2 // 3])
    plan = plan_render(photo, cut, RenderOptions())
    assert plan.notes[0].startswith("The dance clip 'cut.mp4' is damaged or incomplete (cut off?): only ")
    assert (
        f"({plan.frame_count} frames) of its 2.0 s could be read" in plan.notes[0] and plan.frame_count < 36
    )
    out = render(plan, Stub(), tmp_path / "out.mp4", animate_fn=echo)
    assert open_video(out).frame_count == plan.frame_count


@pytest.mark.slow
def test_failing_animation_keeps_the_old_result(tmp_path, inputs):
    photo, clip = inputs
    out = tmp_path / "out.mp4"
    out.write_bytes(b"old")

    def crash(model, source, driving, **kwargs):
        yield from echo(model, source, list(driving)[:5], **kwargs)
        raise RuntimeError("GPU lost")

    with pytest.raises(RuntimeError, match="GPU lost"):
        render(plan_render(photo, clip, RenderOptions()), Stub(), out, animate_fn=crash)

    def short(model, source, driving, **kwargs):
        yield from echo(model, source, list(driving)[:5], **kwargs)

    with pytest.raises(RuntimeError, match="5 frames for a 40-frame clip"):
        render(plan_render(photo, clip, RenderOptions()), Stub(), out, animate_fn=short)
    assert out.read_bytes() == b"old" and [p.name for p in tmp_path.iterdir()] == ["out.mp4"]


@pytest.mark.slow
def test_large_clip_is_framed_without_piping_4k(tmp_path):
    from video_fixtures import background, draw_dancer

    frames = []
    for i in range(4):
        frame = background("plain", 3840, 2160)
        draw_dancer(frame, i * 0.5, 1920, 1900, 1500)
        frames.append(frame)
    clip = write_clip(tmp_path / "uhd.mp4", frames, fps=10)
    photo = tmp_path / "p.png"
    Image.fromarray(cv2.resize(frames[0], (384, 216))).save(photo)
    plan = plan_render(photo, clip, RenderOptions())
    assert plan.framing.found and 1500 < plan.framing.side < 2160
    out = render(plan, Stub(), tmp_path / "o.mp4", animate_fn=echo)
    assert open_video(out).frame_count == 4


@pytest.mark.slow
def test_animate_command(tmp_path, inputs):
    photo, clip = inputs
    checkpoint = tiny_checkpoint(tmp_path / "tiny.safetensors")
    out = tmp_path / "result 結果.mp4"
    cmd = [
        sys.executable,
        "-m",
        "fomm_core",
        "animate",
        "--source",
        str(photo),
        "--driving",
        str(clip),
        "--out",
        str(out),
        "--checkpoint",
        str(checkpoint),
        "--device",
        "cpu",
        "--trim-start",
        "0.5",
        "--trim-end",
        "1.0",
        "--side-by-side",
        "--output-size",
        "64",
        "--best-frame",
        "2",
        "--batch-size",
        "3",
        "--scene",
        "plain",
    ]
    done = subprocess.run(cmd, capture_output=True, text=True, cwd=Path(__file__).parents[1])
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == str(out)
    info = open_video(out)
    assert (info.width, info.height, info.frame_count) == (128, 64, 10) and has_audio_stream(out)

    bad = subprocess.run(
        [*cmd[:5], str(clip), "--driving", str(photo), "--out", str(tmp_path / "x.mp4")],
        capture_output=True,
        text=True,
        cwd=Path(__file__).parents[1],
    )
    assert bad.returncode == 2 and "still image" in bad.stderr and "Traceback" not in bad.stderr
    assert not (tmp_path / "x.mp4").exists()


def test_marker_clip_timing_survives_the_pipeline(tmp_path):
    clip = write_clip(tmp_path / "beep.mp4", marker_frames(75, size=(64, 64)), fps=25, audio="beep")
    photo = tmp_path / "p.png"
    Image.new("RGB", (64, 64), (90, 90, 90)).save(photo)
    out = render(
        plan_render(photo, clip, RenderOptions(framing=False, trim_start=0.6)),
        Stub(),
        tmp_path / "o.mp4",
        animate_fn=echo,
    )
    flashes = [i for i, f in enumerate(read_frames(open_video(out))) if f.mean() > 240]
    loud = np.nonzero(np.abs(decode_audio(out)) > 0.3)[0] / 8000
    assert flashes[0] == 10 and abs(loud[0] - flashes[0] / 25) <= 1 / 25


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("trim_start", "nan"),
        ("trim_end", "inf"),
        ("trim_start", "-inf"),
        ("trim_end", float("nan")),
        ("trim_start", float("inf")),
    ],
)
def test_non_finite_trim_times_from_the_app_and_library_are_refused_by_name(tmp_path, inputs, field, value):
    from space import handlers

    space = handlers.SpaceApp(models=None, store=None, animate_fn=None, max_duration=20, work_dir=tmp_path)
    times = {"trim_start": 0, "trim_end": 0, field: value}
    name = field.replace("_", " ")
    with pytest.raises(UserError, match=f"The {name} .* is not a finite number of seconds"):
        options = space.options(
            "default",
            "relative",
            True,
            False,
            times["trim_start"],
            times["trim_end"],
            True,
            False,
            "native",
            True,
        )
        plan_render(*inputs, options)
    with pytest.raises(
        UserError, match=f"The {name} {re.escape(repr(value))} is not a finite number of seconds"
    ):
        plan_render(*inputs, RenderOptions(**{field: value}))
