"""The command line: every --help works, bad numbers are refused by name, and a stopped render leaves nothing."""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from cli_fixtures import noise_photo, pattern_clip, tiny_checkpoint

from fomm_core.cli import build_parser, main

REPO_ROOT = Path(__file__).resolve().parents[1]


def _command_paths(parser: argparse.ArgumentParser, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    """Every command path of the parser (the top level, each command, each sub-command), found from it."""
    paths = [prefix]
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                paths += _command_paths(sub, (*prefix, name))
    return paths


COMMAND_PATHS = _command_paths(build_parser())


def test_the_commands_are_discovered():
    assert {("animate",), ("convert",), ("ratings",), ("ratings", "report"), ()} <= set(COMMAND_PATHS)


@pytest.mark.parametrize("path", COMMAND_PATHS, ids=lambda p: " ".join(p) or "top")
def test_every_help_prints_usage(path, capsys):
    with pytest.raises(SystemExit) as exit_:
        main([*path, "--help"])
    assert exit_.value.code == 0
    out = capsys.readouterr().out
    assert out.startswith("usage: python -m fomm_core" + "".join(f" {p}" for p in path))
    if not path:
        assert "Wilson 95% intervals" in out  # the ratings summary's literal % survives argparse
    if path == ("animate",):
        assert "at most 1024 pixels wide in all, so 512 with" in " ".join(out.split())


@pytest.mark.slow
def test_top_level_help_in_a_real_process():
    done = subprocess.run(
        [sys.executable, "-m", "fomm_core", "--help"], capture_output=True, text=True, cwd=REPO_ROOT
    )
    assert done.returncode == 0 and "Traceback" not in done.stderr and "ratings" in done.stdout


@pytest.mark.parametrize("value", ["nan", "inf", "-inf"])
@pytest.mark.parametrize("flag", ["--trim-start", "--trim-end"])
def test_non_finite_trim_times_are_refused_by_name(flag, value, capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["animate", "--source", "p.png", "--driving", "d.mp4", f"{flag}={value}"])
    assert exit_.value.code == 2
    err = capsys.readouterr().err
    assert f"argument {flag}: The time '{value}' is not a finite number of seconds" in err


def test_a_box_with_nan_is_refused(capsys):
    with pytest.raises(SystemExit):
        main(["animate", "--source", "p.png", "--driving", "d.mp4", "--photo-box", "0,0,nan,10"])
    assert "box '0,0,nan,10' has a value that is not a finite number of pixels" in capsys.readouterr().err


@pytest.fixture(scope="module")
def long_render(tmp_path_factory) -> list[str]:
    """Arguments of an `animate` run that takes minutes: a 20 s clip, a tiny model, a 256-pixel output."""
    folder = tmp_path_factory.mktemp("cli")
    clip = pattern_clip(folder / "dance.mp4", 20, 25)
    photo = noise_photo(folder / "photo.png")
    model = tiny_checkpoint(folder / "tiny.safetensors")
    return [
        sys.executable,
        "-m",
        "fomm_core",
        "animate",
        "--source",
        str(photo),
        "--driving",
        str(clip),
        "--checkpoint",
        str(model),
        "--device",
        "cpu",
        "--no-framing",
        "--output-size",
        "256",
    ]


def _partial_files(folder: Path) -> list[Path]:
    return sorted(folder.glob(".result.partial-*.mp4"))


@pytest.mark.slow
@pytest.mark.parametrize(
    ("signum", "label"),
    [(signal.SIGTERM, "SIGTERM"), (signal.SIGHUP, "SIGHUP"), (signal.SIGINT, "Ctrl-C (SIGINT)")],
)
def test_a_stopped_render_removes_its_partial_file_and_says_one_line(tmp_path, long_render, signum, label):
    out = tmp_path / "result.mp4"
    env = {**os.environ, "TQDM_DISABLE": "1"}  # no progress bar: stderr holds only what the stop prints
    proc = subprocess.Popen(
        [*long_render, "--out", str(out)],
        cwd=REPO_ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 600  # a guard against a hang, not a speed check
        while not any(p.stat().st_size > 0 for p in _partial_files(tmp_path) if p.exists()):
            assert proc.poll() is None, proc.communicate()
            assert time.monotonic() < deadline, "no frames were written"
            time.sleep(0.05)
        proc.send_signal(signum)
        stdout, stderr = proc.communicate(timeout=120)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    assert proc.returncode == 128 + signum, stderr
    assert stderr.splitlines() == [f"stopped by {label}: `animate` did not finish."]
    assert stdout == "" and _partial_files(tmp_path) == [] and not out.exists()
