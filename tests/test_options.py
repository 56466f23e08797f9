"""The motion mode end to end: one `mode` field, checked where it enters, old stored ratings still read."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from conftest import TINY_FOMM, smooth_frames

import fomm_core
from fomm_core.cli import main
from fomm_core.commands.animate import add_arguments, options_from_args
from fomm_core.options import MODES, RenderOptions
from fomm_core.ratings.aggregate import aggregate, option_set, report
from fomm_core.ratings.record import Rating
from fomm_core.ratings.store import RatingsStore

# A rating's options as stored before `mode` existed: the `relative` and `avd` booleans.
OLD_OPTIONS = {
    "model": "default",
    "relative": True,
    "adapt_scale": True,
    "best_frame": None,
    "avd": False,
    "trim_start": 0.0,
    "trim_end": None,
    "max_duration": 60.0,
    "max_fps": 30.0,
    "framing": True,
    "side_by_side": False,
    "output_size": None,
    "keep_audio": True,
    "batch_size": None,
    "device": None,
}


def _old_rating(rating: int, session: str, **old: object) -> Rating:
    return Rating(
        generation_id=f"g-{session}",
        model="default",
        checkpoint_sha256=None,
        options={**OLD_OPTIONS, **old},
        photo_sha256="p" * 64,
        clip_sha256="v" * 64,
        rating=rating,
        session=session,
    )


@pytest.mark.parametrize(
    "old,mode",
    [
        ({}, "relative"),
        ({"relative": False}, "absolute"),
        ({"avd": True}, "avd"),
        ({"relative": False, "avd": True}, "avd"),
    ],
)
def test_old_records_map_to_a_mode(old, mode):
    options = RenderOptions.from_dict({**OLD_OPTIONS, **old})
    assert options.mode == mode and "relative" not in options.to_dict() and "avd" not in options.to_dict()
    assert RenderOptions.from_dict({"mode": "absolute", "relative": True}).mode == "absolute"  # mode wins


def test_old_ratings_group_and_report_by_mode(tmp_path: Path, capsys: pytest.CaptureFixture[str]):
    db = tmp_path / "ratings.db"
    store = RatingsStore(db, mirror=None)
    for rating in (
        _old_rating(1, "a"),
        _old_rating(-1, "b", relative=False),
        _old_rating(1, "c", relative=False),
        _old_rating(1, "d", avd=True),
    ):
        store.add(rating)
    store.add(
        Rating(
            generation_id="g-new",
            model="default",
            checkpoint_sha256=None,
            options=RenderOptions(mode="absolute").to_dict(),
            photo_sha256="p" * 64,
            clip_sha256="v" * 64,
            rating=1,
            session="e",
        )
    )
    by_mode = {row.key: (row.n, row.up) for row in aggregate(store, ("mode",))}
    assert by_mode == {("relative",): (1, 1), ("absolute",): (3, 2), ("avd",): (1, 1)}
    labels = {row["options"]: row["n"] for row in report(store)["by_options"]}
    # records from before scenes were made on the plain square, and their label says so
    assert labels == {
        "scene=plain": 1,
        "mode=absolute, scene=plain": 2,
        "mode=absolute": 1,
        "mode=avd, scene=plain": 1,
    }
    assert option_set(OLD_OPTIONS | {"relative": False}) == "mode=absolute, scene=plain"
    assert main(["ratings", "report", "--db", str(db), "--by", "mode", "--json"]) == 0
    rows = {row["mode"]: row["n"] for row in json.loads(capsys.readouterr().out)}
    assert rows == {"relative": 1, "absolute": 3, "avd": 1}


def test_an_unknown_mode_is_refused_by_name():
    with pytest.raises(
        fomm_core.UserError, match="Unknown motion mode 'sideways'; choose one of: relative, absolute, avd"
    ):
        RenderOptions(mode="sideways")
    model = fomm_core.random_model(TINY_FOMM)
    frames, source = smooth_frames(3, 32), smooth_frames(1, 32, seed=1)[0]
    with pytest.raises(fomm_core.UserError, match="Unknown motion mode 'Relative'"):
        fomm_core.animate(model, source, frames, mode="Relative")
    with pytest.raises(fomm_core.UserError, match="has no 'avd' mode; choose one of: relative, absolute"):
        fomm_core.animate(model, source, frames, mode="avd")
    relative, absolute = (fomm_core.animate(model, source, frames, mode=m) for m in ("relative", "absolute"))
    assert np.abs(relative - absolute).max() > 1e-5  # the mode reaches the engine (random weights: small)


@pytest.mark.parametrize(
    "argv,mode",
    [
        ([], "relative"),
        (["--absolute"], "absolute"),
        (["--avd"], "avd"),
        (["--mode", "absolute"], "absolute"),
        (["--mode", "avd"], "avd"),
    ],
)
def test_command_line_mode_and_its_old_flags(argv, mode):
    import argparse

    parser = argparse.ArgumentParser()
    add_arguments(parser)
    args = parser.parse_args(["--source", "p.png", "--driving", "d.mp4", "--checkpoint", "default", *argv])
    assert options_from_args(args).mode == mode
    with pytest.raises(SystemExit):
        parser.parse_args(["--source", "p.png", "--driving", "d.mp4", "--mode", "relative", "--absolute"])
    assert set(MODES) == {"relative", "absolute", "avd"}


def test_person_and_dancer_take_one_choice_per_photo():
    options = RenderOptions(person="auto,1", dancer=[2, 0])
    assert options.person == (None, 1) and options.dancer == (2, 0)
    assert [options.person_for(i) for i in range(3)] == [None, 1, None]
    assert [options.dancer_for(i) for i in range(3)] == [2, 0, None]
    assert RenderOptions(person="auto, auto").person is None  # every photo automatic: one way to say it
    assert RenderOptions().person_for(0) is None and RenderOptions(dancer=3).dancer_for(0) == 3
    # a record stores lists; an old record's int reads as the first photo's choice
    stored = json.loads(json.dumps(options.to_dict()))
    assert RenderOptions.from_dict(stored) == options
    assert RenderOptions.from_dict({**OLD_OPTIONS, "person": 1, "dancer": 0}).dancer == (0,)
    with pytest.raises(fomm_core.UserError, match=r"Two photos take dancer 2 \('2,1,2'\)"):
        RenderOptions(dancer="2,1,2")
    with pytest.raises(fomm_core.UserError, match="3 dancers were named for 2 photos"):
        RenderOptions(dancer="0,1,2").check_people(2)
    with pytest.raises(fomm_core.UserError, match="6 photos were given; a render takes at most 5"):
        RenderOptions().check_people(6)
    RenderOptions(person="0,0", dancer="0,1").check_people(2)  # one photo twice, two people in it


def test_the_command_line_takes_several_photos_and_their_dancers():
    import argparse

    parser = argparse.ArgumentParser()
    add_arguments(parser)
    argv = ["--source", "me.png", "--source", "friend.png", "--driving", "d.mp4", "--checkpoint", "default"]
    args = parser.parse_args(
        [*argv, "--dancer", "0,2", "--person", "1", "--scene", "stage", "--no-stage-light"]
    )
    assert args.source == ["me.png", "friend.png"]
    options = options_from_args(args)
    assert options.dancer == (0, 2) and options.person == (1,) and options.scene == "stage"
    assert options.stage_light is False and RenderOptions().stage_light is True
