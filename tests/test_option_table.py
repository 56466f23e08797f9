"""The option table: every surface comes from it, adding an option is one field, and the command line and the
Space accept and refuse the same values."""

from __future__ import annotations

import argparse
import dataclasses
import inspect
from pathlib import Path
from typing import Any

import pytest
from app_fixtures import offline_models
from conftest import TINY_FOMM

from fomm_core.commands.animate import add_arguments, options_from_args
from fomm_core.errors import UserError
from fomm_core.option_values import Choice, Flag, parse_number
from fomm_core.options import MAX_OUTPUT_WIDTH, OPTIONS, OUTPUT_SIZES, RenderOptions, option, option_table
from fomm_core.ratings.store import RatingsStore
from space import api_docs, handlers, inputs, layout, texts

FILES = ["--source", "p.png", "--driving", "d.mp4"]
FLAGS = {o.name: o.flag for o in OPTIONS}


def cli_options(*argv: str, options_class: type = RenderOptions) -> RenderOptions:
    """RenderOptions from `animate`'s arguments, as `python -m fomm_core animate` makes them."""
    parser = argparse.ArgumentParser()
    add_arguments(parser, options_class)
    return options_from_args(parser.parse_args([*FILES, "--checkpoint", "default", *argv]), options_class)


def cli_refuses(name: str, text: str, capsys: pytest.CaptureFixture[str]) -> bool:
    """Whether the command line refuses `text` for the option `name`, at parsing or when making the options."""
    try:
        cli_options(f"{FLAGS[name]}={text}")
    except SystemExit as exc:
        assert exc.code == 2 and f"argument {FLAGS[name]}" in capsys.readouterr().err
        return True
    except UserError:
        return True
    return False


def app_value(text: str) -> Any:
    """`text` as the page or an API caller sends it: numbers as JSON numbers, the rest as text."""
    if not text.lstrip("-").replace(".", "", 1).isdigit() or not text.isascii():
        return text  # not a plain number: "nan", "1e999", "²" arrive as text
    number = parse_number(text, integer=True)
    return number if number is not None else parse_number(text, integer=False)


def app_check(name: str, value: Any) -> dict[str, Any]:
    """The validator's answer for `value` given to the option `name` (the other inputs valid)."""
    checks = inputs.validate_generate("photo.png", "dance.mp4", **{name: value})
    index = 2 + [o.name for o in inputs.page_options()].index(name)
    assert all(c["is_valid"] for i, c in enumerate(checks) if i != index), checks
    return checks[index]


BAD = {
    "model": ["no-such-model", "Default", "../taichi"],
    "mode": ["sideways", "Relative"],
    "best_frame": ["abc", "-1", "1.5", "²", "yes"],
    "trim_start": ["-1", "nan", "inf", "-inf", "abc", "²", "1e999", "1_0"],
    "trim_end": ["-0.5", "nan", "inf", "²"],
    "output_size": ["32", "63", "513", "1024", "4096", "abc", "²", "64.5", "-64", "١٢٨", "1_28"],
    "person": ["-1", "tall one", "²", "1.5", "٣", "0,x", "0,-1", "0,1,2,3,4,5"],
    "dancer": ["-1", "x", "²", "0.5", "2,2", "1,,1", "0;2"],
    "scene": ["beach", "Photo", "Stage"],
}
GOOD = {
    "model": ["default", "taichi", "tpsmm-ted"],
    "mode": ["relative", "absolute", "avd"],
    "best_frame": ["auto", "0", "3"],
    "trim_start": ["0", "1.5", "2"],
    "trim_end": ["0", "0.4", "12"],
    "output_size": ["native", "64", "384", "512"],
    "person": ["auto", "0", "2", "0,2", "0,0", "auto,1"],
    "dancer": ["auto", "1", "0,2", "3, 1", "auto,4"],
    "scene": ["photo", "plain", "stage"],
}


def test_the_tables_of_values_cover_every_option_that_takes_a_value() -> None:
    valued = {o.name for o in OPTIONS if o.on_page and not isinstance(o.kind, Flag)}
    assert set(BAD) == set(GOOD) == valued


@pytest.mark.parametrize("name, text", [(n, t) for n, texts_ in BAD.items() for t in texts_])
def test_the_command_line_and_the_space_refuse_the_same_values(
    name: str, text: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli_refuses(name, text, capsys)
    assert not app_check(name, app_value(text))["is_valid"]
    assert not app_check(name, text)["is_valid"]  # as text too, as a dropdown sends it
    number = parse_number(text, integer=False)
    if number is not None:  # and as a JSON number (Python's client sends NaN and infinities as numbers too)
        assert not app_check(name, number)["is_valid"]


@pytest.mark.parametrize("name, text", [(n, t) for n, texts_ in GOOD.items() for t in texts_])
def test_the_command_line_and_the_space_accept_the_same_values_alike(
    name: str, text: str, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    assert not cli_refuses(name, text, capsys)
    value = app_value(text)
    assert app_check(name, value)["is_valid"]
    space = handlers.SpaceApp(None, None, None, 60.0, tmp_path)
    from_cli = cli_options(f"{FLAGS[name]}={text}")
    assert getattr(space.options(**{name: value}), name) == getattr(from_cli, name)


def test_a_trim_end_before_its_start_is_refused_by_both(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(UserError, match=r"Trim end \(2 s\) must be after trim start \(3 s\)"):
        cli_options("--trim-start", "3", "--trim-end", "2")
    checks = inputs.validate_generate("photo.png", "dance.mp4", trim_start=3, trim_end=2)
    assert [c["is_valid"] for c in checks].count(False) == 1
    assert (
        checks[2 + [o.name for o in inputs.page_options()].index("trim_end")]["message"]
        == texts.EN["v_trim_order"]
    )
    assert (
        cli_options("--trim-start", "3", "--trim-end", "0").trim_end is None
    )  # 0: the clip's end, as on the page


def test_the_output_sizes_a_user_may_choose_fit_beside_the_dance() -> None:
    assert OUTPUT_SIZES == (64, MAX_OUTPUT_WIDTH // 2)
    assert cli_options("--output-size", "512", "--side-by-side").output_size == 512
    assert f"from {OUTPUT_SIZES[0]} to {OUTPUT_SIZES[1]}" in texts.text(
        "v_size", low=OUTPUT_SIZES[0], high=OUTPUT_SIZES[1]
    )


def test_every_option_is_labelled_in_both_languages_and_has_its_own_flag() -> None:
    assert len({o.flag for o in OPTIONS}) == len(OPTIONS)
    assert [o.name for o in OPTIONS] == [f.name for f in dataclasses.fields(RenderOptions)]
    tables = texts.page_texts(20, []).translations_dict
    for o in OPTIONS:
        assert o.help and all(o.label) and o.label[0] != o.label[1]
        assert tables["en"][o.name] == o.label[0] and tables["ko"][o.name] == o.label[1]
        if isinstance(o.kind, Choice) and o.on_page and o.name != "model":  # models: the registry's words
            assert set(o.choice_labels) == set(o.kind.names()), o.name
            for value in o.kind.names():
                assert tables["en"][f"{o.name}_{value}"] and tables["ko"][f"{o.name}_{value}"]


def test_the_readme_lists_generates_inputs_as_the_table_declares_them() -> None:
    readme = api_docs.README.read_text(encoding="utf-8")
    assert api_docs.readme_with_table(readme) == readme, "run `python -m space.api_docs`"
    rows = [line for line in api_docs.inputs_table().splitlines() if line.startswith("| ") and "`" in line]
    names = ["photo", "clip", *(o.name for o in inputs.page_options()), inputs.API_AFTER]
    assert [row.split("`")[1] for row in rows] == names


@dataclasses.dataclass(frozen=True)
class WithSparkle(RenderOptions):
    """RenderOptions with one more option, declared as every option is."""

    sparkle: bool = option(False, Flag(), ("Sparkles", "반짝이"), "add sparkles to the result", "--sparkle")


def test_adding_an_option_is_one_field(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert option_table(WithSparkle)[-1].name == "sparkle"
    # the command line: a switch
    assert cli_options("--sparkle", options_class=WithSparkle).sparkle is True
    assert cli_options(options_class=WithSparkle).sparkle is False
    # the page: a widget, the last option of /generate's inputs (the friends' photos follow), named in its API
    demo = layout.build_demo(
        models=offline_models(TINY_FOMM),
        store=RatingsStore(tmp_path / "r.db", mirror=None),
        examples=False,
        preload=(),
        options_class=WithSparkle,
    )
    generate = next(fn for fn in demo.fns.values() if fn.api_name == "generate")
    assert generate.inputs[-2].elem_id == "sparkle" and generate.inputs[-2].label is not None
    assert generate.inputs[-1].elem_id == "api-friends"
    names = list(inspect.signature(generate.fn).parameters)
    assert names[-4:] == ["stage_light", "sparkle", "friends", "progress"]
    assert demo.page_i18n.translations_dict["ko"]["sparkle"] == "반짝이"
    # the validator
    check = generate.validator
    assert check("p.png", "d.mp4", sparkle=True)[-2]["is_valid"]
    assert check("p.png", "d.mp4", sparkle="yes")[-2]["message"] == texts.EN["v_bool"]
    # the record a rating keeps, and the README's table
    space = handlers.SpaceApp(None, None, None, 10.0, tmp_path, options_class=WithSparkle)
    assert space.options(sparkle=True).to_dict()["sparkle"] is True
    assert "| `sparkle` | boolean | `false` |" in api_docs.inputs_table(WithSparkle)
