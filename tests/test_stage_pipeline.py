"""The stage and groups from the command line, as a user runs them: real media, the clip's frames and rate out."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from people_fixtures import real  # noqa: F401 - fixture

from fomm_core.cli import main
from fomm_core.io import open_video, read_frames
from fomm_core.stage.clip import PLAIN

pytestmark = pytest.mark.slow


def _animate(media: dict, out: Path, *argv: str) -> int:
    """`animate` on the two-person clip's first 0.3 s; its exit code (argparse's refusals exit 2 too)."""
    try:
        return main(
            [
                "animate",
                "--driving",
                str(media["multi_person"]),
                "--out",
                str(out),
                "--trim-end",
                "0.3",
                *argv,
            ]
        )
    except SystemExit as exc:
        return int(exc.code)


def _change_from_clip(media: dict, out: Path) -> np.ndarray:
    """Per pixel and frame, how far the video `out` is from `_animate`'s clip (mean over colours, 0-255)."""
    made = open_video(out)
    size = (made.width, made.height)
    frames = np.stack(list(read_frames(made, size=size))).astype(np.float32)
    return np.abs(
        frames - np.stack(list(read_frames(open_video(media["multi_person"], trim_end=0.3), size=size)))
    ).mean(-1)


def test_the_stage_from_the_command_line_is_the_clip_with_the_fan_in(
    real: dict,  # noqa: F811
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    out = tmp_path / "stage.mp4"
    assert _animate(real, out, "--source", str(real["bus"]), "--person", "0", "--scene", "stage") == 0
    err = capsys.readouterr().err
    assert "note: The photo's person takes the place of dancer 1." in err
    made, clip = open_video(out), open_video(real["multi_person"], trim_end=0.3)
    assert made.frame_count == clip.frame_count == 9 and made.fps == clip.fps
    assert (made.width, made.height) == (580, 1024)  # the clip's picture, its long side capped
    change = _change_from_clip(real, out)
    assert (change > 40).mean() > 0.01  # the dancer replaced
    assert np.median(change) < 2  # the room as it was


def test_the_embedded_learned_model_takes_the_dancers_place_on_the_stage_too(
    real: dict,  # noqa: F811
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    out = tmp_path / "learned.mp4"
    argv = ["--source", str(real["bus"]), "--person", "0", "--scene", "stage", "--checkpoint", "default"]
    assert _animate(real, out, *argv) == 0
    assert "note: The photo's person takes the place of dancer 1." in capsys.readouterr().err
    made = open_video(out)
    assert (made.frame_count, made.width, made.height) == (9, 580, 1024)
    change = _change_from_clip(real, out)
    assert (change > 40).mean() > 0.01  # the dancer replaced by the generated person
    assert np.median(change) < 2  # the room as it was


def test_a_group_on_a_plain_backdrop_and_the_refusals(
    real: dict,  # noqa: F811
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    bus = str(real["bus"])
    out = tmp_path / "plain.mp4"
    assert _animate(real, out, "--source", bus, "--source", bus, "--person", "0,1", "--scene", "plain") == 0
    made = open_video(out)
    frames = np.stack(list(read_frames(made, size=(made.width, made.height))))
    assert (made.width, made.height) == (580, 1024)
    backdrop = (np.abs(frames.astype(np.int16) - PLAIN).max(-1) < 12).mean(axis=(1, 2))
    assert backdrop.min() > 0.6 and backdrop.max() < 0.98  # a plain backdrop, two people on it
    capsys.readouterr()
    refused = {
        "photo scene": ["--source", bus, "--source", bus, "--person", "0,1"],
        "learned model": ["--source", bus, "--source", bus, "--scene", "stage", "--checkpoint", "default"],
        "one dancer twice": ["--source", bus, "--source", bus, "--scene", "stage", "--dancer", "1,1"],
        "too many dancers": ["--source", bus, "--scene", "stage", "--dancer", "0,1"],
    }
    messages = {}
    for name, argv in refused.items():
        assert _animate(real, tmp_path / f"{name}.mp4", *argv) == 2, name
        messages[name] = capsys.readouterr().err
        assert not (tmp_path / f"{name}.mp4").exists()
    assert "choose scene 'stage' or 'plain'" in messages["photo scene"]
    assert "pose engine" in messages["learned model"] and "--checkpoint pose" in messages["learned model"]
    assert "Two photos take dancer 1" in messages["one dancer twice"]
    assert "2 dancers were named for 1 photo" in messages["too many dancers"]


def test_the_stage_keeps_the_clips_music_and_length(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    examples = Path(__file__).resolve().parents[1] / "examples"
    clip, out = open_video(examples / "dance.mp4", trim_end=1.0), tmp_path / "stage.mp4"
    argv = ["--source", str(examples / "photo.png"), "--driving", str(examples / "dance.mp4")]
    assert main(["animate", *argv, "--scene", "stage", "--trim-end", "1", "--out", str(out)]) == 0
    made = open_video(out)
    assert clip.has_audio and made.has_audio
    assert made.frame_count == clip.frame_count and made.fps == clip.fps
    assert abs(made.duration - clip.duration) < 0.1
    assert "takes the place of dancer" in capsys.readouterr().err
