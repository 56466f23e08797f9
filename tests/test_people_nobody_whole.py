"""A photo in which nobody is seen head to feet (multi_face.jpg, five people from the waist up): Automatic
renders nobody and asks for a pick, a pick renders with the note kept, a full-body photo (bus.jpg) still renders
on Automatic. Through the library and the command line; the app's /generate is in test_app_people.py."""

from __future__ import annotations

from pathlib import Path

import pytest
from cli_fixtures import tiny_checkpoint
from people_fixtures import real  # noqa: F401 - fixture

from fomm_core.cli import main
from fomm_core.errors import UserError
from fomm_core.io import open_video
from fomm_core.options import RenderOptions
from fomm_core.people.inspect import inspect_media
from fomm_core.pipeline import STAGE_ENGINE, plan_render

TRIM = 0.3  # the two-person clip's first 0.3 s: 9 frames at the render's 30 fps
ASKED = "Nobody in the photo is seen head to feet (person 0 lacks their"


def test_automatic_plans_nothing_and_names_who_lacks_what(real: dict) -> None:  # noqa: F811
    for options in (
        RenderOptions(trim_end=TRIM),
        RenderOptions(trim_end=TRIM, scene="stage", model=STAGE_ENGINE),
    ):
        with pytest.raises(UserError) as refused:
            plan_render(real["multi_face"], real["multi_person"], options)
        message = str(refused.value)
        assert message.startswith(ASKED) and "lacks their feet" in message, message
        assert "`--person`" in message and "upload a full-body photo" in message


def test_inspect_chooses_nobody_and_says_so_at_upload(real: dict, capsys: pytest.CaptureFixture[str]) -> None:  # noqa: F811
    found = inspect_media(real["multi_face"])
    assert found.person is None and len(found.people) == 5 and found.to_dict()["photo"]["chosen"] is None
    assert [n for n in found.notes if n.startswith(ASKED)]
    assert main(["inspect", "--photo", str(real["multi_face"])]) == 0
    printed = capsys.readouterr().out
    assert "* person" not in printed and f"note: {ASKED}" in printed


def test_a_picked_person_is_planned_with_what_they_lack_in_the_notes(real: dict) -> None:  # noqa: F811
    plan = plan_render(real["multi_face"], real["multi_person"], RenderOptions(trim_end=TRIM, person=1))
    (note,) = [n for n in plan.notes if "as picked" in n]
    assert note.startswith("Nobody in the photo is seen head to feet; person 1, as picked, lacks their")
    assert plan.person_box is not None and plan.person_box.height > 300  # a waist-up person, not a face


def test_a_friends_photo_with_nobody_whole_is_named_by_its_number(real: dict) -> None:  # noqa: F811
    photos = [real["bus"], real["multi_face"]]
    group = RenderOptions(trim_end=TRIM, scene="stage", model=STAGE_ENGINE)
    with pytest.raises(UserError, match=r"^Nobody in photo 2 is seen head to feet \(person 0 lacks their"):
        plan_render(photos, real["multi_person"], group)
    picked = RenderOptions(trim_end=TRIM, scene="stage", model=STAGE_ENGINE, person="auto,1")
    plan = plan_render(photos, real["multi_person"], picked)
    assert any(
        n.startswith("Nobody in photo 2 is seen head to feet; person 1, as picked") for n in plan.notes
    )
    assert len(plan.stage.persons) == 2 and plan.stage.persons[0].full_body  # bus.jpg's man on Automatic


@pytest.fixture(scope="module")
def checkpoint(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tiny_checkpoint(tmp_path_factory.mktemp("tiny") / "tiny.safetensors")


def _animate(photo: Path, clip: Path, out: Path, checkpoint: Path, *argv: str) -> int:
    return main(
        ["animate", "--source", str(photo), "--driving", str(clip), "--out", str(out)]
        + ["--checkpoint", str(checkpoint), "--device", "cpu", "--trim-end", str(TRIM), *argv]
    )


@pytest.mark.slow
def test_the_command_line_asks_for_a_person_and_renders_the_one_picked(
    real: dict,  # noqa: F811
    checkpoint: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    auto = tmp_path / "auto.mp4"
    assert _animate(real["multi_face"], real["multi_person"], auto, checkpoint) == 2
    err = capsys.readouterr().err
    assert f"error: {ASKED}" in err and "--person" in err and not auto.exists()
    picked = tmp_path / "picked.mp4"
    assert _animate(real["multi_face"], real["multi_person"], picked, checkpoint, "--person", "3") == 0
    assert "note: Nobody in the photo is seen head to feet; person 3, as picked" in capsys.readouterr().err
    assert open_video(picked).frame_count == 9
    whole = tmp_path / "whole.mp4"
    assert _animate(real["bus"], real["multi_person"], whole, checkpoint) == 0
    assert "head to feet" not in capsys.readouterr().err  # a full-body man is animated on Automatic
    assert open_video(whole).frame_count == 9
