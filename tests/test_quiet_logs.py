"""Logs hold what someone needs: the command line prints no native libraries' chatter and no empty findings, and
a refused rating is one log line without a traceback."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest
from app_fixtures import offline_models
from conftest import TINY_FOMM
from people_fixtures import real  # noqa: F401

from fomm_core.people.native_stderr import without_native_lines
from fomm_core.ratings.store import RateLimited, RatingsStore

REPO_ROOT = Path(__file__).resolve().parents[1]


def test_native_lines_with_a_fragment_are_left_out_and_the_rest_is_kept(capfd) -> None:
    with without_native_lines("chatter"):
        os.write(2, b"INFO: some chatter\n")
        os.write(2, b"ERROR: a real problem\n")
    os.write(2, b"after\n")
    assert capfd.readouterr().err == "ERROR: a real problem\nafter\n"


def test_stderr_is_restored_when_the_block_fails(capfd) -> None:
    with pytest.raises(RuntimeError), without_native_lines("chatter"):
        os.write(2, b"chatter before the failure\n")
        raise RuntimeError("failed")
    os.write(2, b"still here\n")
    assert capfd.readouterr().err == "still here\n"


@pytest.mark.slow
def test_inspect_prints_no_delegate_notice_and_no_empty_cut_list(real) -> None:  # noqa: F811
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT)}
    done = subprocess.run(
        [sys.executable, "-m", "fomm_core", "inspect", "--photo", str(real["bus"])]
        + ["--driving", str(real["single_person"]), "--trim-end", "1"],
        capture_output=True,
        text=True,
        cwd=REPO_ROOT,
        env=env,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""  # no XNNPACK delegate notice, no warning, no traceback
    clip_line = next(line for line in done.stdout.splitlines() if line.startswith("clip "))
    assert clip_line.endswith("dancers") and "cuts" not in clip_line


def test_refused_ratings_are_one_log_line_each_without_a_traceback(tmp_path, caplog) -> None:
    import gradio as gr

    from space import errors, handlers

    store = RatingsStore(tmp_path / "r.db", mirror=None)
    space = handlers.SpaceApp(offline_models(TINY_FOMM), store, None, 10.0, tmp_path)
    limit = "You rated too often from this browser session; try again in a minute."
    with caplog.at_level(logging.INFO, logger="space.errors"):
        with pytest.raises(gr.Error) as again:
            space.rate(1, {"rated": True}, "", None)
        with pytest.raises(gr.Error) as limited, errors.user_errors(errors.RATING_ERROR):
            raise RateLimited(limit)
    assert not again.value.print_exception and not limited.value.print_exception  # Gradio prints no traceback
    lines = [r for r in caplog.records if r.name == "space.errors"]
    assert [r.getMessage() for r in lines] == [
        "rating refused: You already rated this video; generate another one to rate again.",
        f"rating refused: {limit}",
    ]
    assert all(r.exc_info is None and r.levelno == logging.INFO for r in lines)
