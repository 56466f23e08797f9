"""The render's framing from real people: the photo's chosen person, the followed dancer, the user's picks."""

from __future__ import annotations

import re

import numpy as np
import pytest
from people_fixtures import real  # noqa: F401 - fixture

from fomm_core.errors import UserError
from fomm_core.options import RenderOptions
from fomm_core.pipeline import plan_render


@pytest.fixture(scope="module")
def plan(real):  # noqa: F811
    return plan_render(real["bus"], real["multi_person"], RenderOptions())


def _chosen_dancer(plan) -> int:
    (note,) = [n for n in plan.notes if "dancers are in the clip" in n]
    return int(re.search(r"dancer (\d+) \(", note).group(1))


@pytest.mark.slow
def test_default_plan_animates_a_full_body_man_and_follows_one_dancer(plan):
    assert plan.person_box is not None and plan.person_box.height > 400  # a whole man, not the street
    assert 40 < plan.person_box.x0 < 260
    assert plan.framing.found
    assert any("2 dancers are in the clip" in note for note in plan.notes)
    ref = plan.framing.reference  # the dancer relative to the square: inside it, not a tiny figure
    assert 0 <= ref.x0 < ref.x1 <= 1 and 0 <= ref.y0 < ref.y1 <= 1.01
    assert ref.height > 0.5
    assert plan.framing.side < 1920  # a crop around the dancer, not the whole frame


def test_crop_path_is_smooth(plan):
    centres = plan.framing.centres
    assert len(centres) == plan.frame_count
    jerk = np.abs(np.diff(centres, n=2, axis=0)).max()
    assert jerk < 0.01 * plan.framing.side


@pytest.mark.slow
def test_other_dancer_and_person_can_be_picked(real, plan):  # noqa: F811
    other = plan_render(
        real["bus"], real["multi_person"], RenderOptions(person=0, dancer=1 - _chosen_dancer(plan))
    )
    assert (
        plan.person_box.x0 > 200 and other.person_box.x1 < 260
    )  # the central man by default; person 0 the left one
    assert not any("dancers are in the clip" in n for n in other.notes)  # the user's pick needs no note
    # the default follows the man who lunges (behind, higher in the frame); the other pick the woman near
    # the camera
    assert other.framing.square(0).cy > plan.framing.square(0).cy + 100


@pytest.mark.slow
@pytest.mark.parametrize(
    "options,message", [(RenderOptions(person=9), "no person 9"), (RenderOptions(dancer=7), "no dancer 7")]
)
def test_picks_that_do_not_exist_are_refused_clearly(real, options, message):  # noqa: F811
    with pytest.raises(UserError, match=message):
        plan_render(real["bus"], real["multi_person"], options)


def test_best_pose_frame_ignores_position_and_scale():
    from fomm_core.motion import best_pose_frame

    rng = np.random.default_rng(0)
    poses = {t: rng.random((33, 2)) for t in range(0, 20, 2)}
    photo = poses[12] * 3.0 + 40.0  # the same pose, larger and elsewhere
    assert best_pose_frame(photo, poses) == 12


@pytest.mark.slow
def test_auto_best_frame_is_the_dancers_frame_posed_like_the_photo(real, tmp_path):  # noqa: F811
    from PIL import Image

    from fomm_core.io import open_video, read_frames

    info = open_video(real["single_person"], max_fps=30)
    frames = list(read_frames(info))
    photo = tmp_path / "posed.png"
    Image.fromarray(frames[36]).save(photo)  # the dancer mid-lunge, as a photo
    plan = plan_render(photo, real["single_person"], RenderOptions(best_frame="auto"))
    assert plan.best_frame is not None and abs(plan.best_frame - 36) <= 2
    assert any(f"frame {plan.best_frame}" in note for note in plan.notes)
    start = plan_render(photo, real["single_person"], RenderOptions())
    assert start.best_frame is None  # only asked for with best_frame="auto"


def test_animate_command_takes_person_and_dancer():
    import argparse

    from fomm_core.commands.animate import add_arguments, options_from_args

    parser = argparse.ArgumentParser()
    add_arguments(parser)
    args = parser.parse_args(
        [
            "--source",
            "p.jpg",
            "--driving",
            "c.mp4",
            "--checkpoint",
            "default",
            "--person",
            "2",
            "--dancer",
            "1",
        ]
    )
    options = options_from_args(args)
    assert (options.person, options.dancer) == ((2,), (1,))  # one choice per photo, for the one photo
    assert (options.person_for(0), options.dancer_for(0)) == (2, 1)
    assert RenderOptions.from_dict(options.to_dict()) == options  # stored with ratings and read back
    plain = options_from_args(
        parser.parse_args(["--source", "p.jpg", "--driving", "c.mp4", "--checkpoint", "default"])
    )
    assert (plain.person, plain.dancer) == (None, None)


@pytest.mark.slow
def test_without_the_pose_model_the_heuristic_frames_and_says_so(real, monkeypatch):  # noqa: F811
    from fomm_core.people import model as person_model
    from fomm_core.wheel_files import WheelFetchError

    def offline():
        raise WheelFetchError("no network")

    monkeypatch.setattr("fomm_core.people.model_files.model_files", offline)
    person_model._load.cache_clear()
    try:
        plan = plan_render(real["bus"], real["multi_person"], RenderOptions())
        assert any("heuristic" in note and "no network" in note for note in plan.notes)
        assert plan.person_box is not None
        with pytest.raises(UserError, match="no dancer 1"):
            plan_render(real["bus"], real["multi_person"], RenderOptions(dancer=1))
    finally:
        person_model._load.cache_clear()
