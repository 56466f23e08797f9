"""No leftovers: the app's result folder goes when the app exits, orphans of killed apps go at the next start,
unfinished renders go after an hour, and each result is stored once."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from app_fixtures import EXAMPLE_CLIP, EXAMPLE_PHOTO, launched_app
from conftest import TINY_FOMM
from gradio.utils import get_upload_folder
from gradio_client import Client, handle_file

from space.results import PARTIAL_AGE_S, PREFIX, new_result_folder, sweep_results

REPO_ROOT = Path(__file__).resolve().parents[1]


def aged(path: Path, seconds: float) -> Path:
    past = time.time() - seconds
    os.utime(path, (past, past))
    return path


def test_the_folder_goes_when_the_process_exits(tmp_path: Path) -> None:
    made = subprocess.run(
        [
            sys.executable,
            "-c",
            f"from space.results import new_result_folder as f; print(f({str(tmp_path)!r}, 3600))",
        ],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(REPO_ROOT)},
        check=True,
    ).stdout.strip()
    assert Path(made).name.startswith(PREFIX) and Path(made).parent == tmp_path
    assert not Path(made).exists() and list(tmp_path.iterdir()) == []


def test_orphans_older_than_the_sweep_age_go_at_the_next_start(tmp_path: Path) -> None:
    old = tmp_path / f"{PREFIX}killed"
    old.mkdir()
    (old / "result.mp4").write_bytes(b"x")
    aged(old, 7200)
    young = tmp_path / f"{PREFIX}running"
    young.mkdir()
    other = tmp_path / "someone-elses"
    other.mkdir()
    aged(other, 7200)
    folder = new_result_folder(tmp_path, 3600)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([folder.name, young.name, other.name])


def test_sweep_removes_old_results_and_hour_old_partials(tmp_path: Path) -> None:
    fresh = tmp_path / "fresh.mp4"
    fresh.write_bytes(b"x")
    stale = tmp_path / "stale.mp4"
    stale.write_bytes(b"x")
    aged(stale, 7200)
    partial = tmp_path / ".abc.partial-1234.mp4"
    partial.write_bytes(b"x")
    aged(partial, PARTIAL_AGE_S + 60)
    running = tmp_path / ".def.partial-5678.mp4"
    running.write_bytes(b"x")
    sweep_results(tmp_path, 3 * 3600)
    assert sorted(p.name for p in tmp_path.iterdir()) == [".def.partial-5678.mp4", "fresh.mp4", "stale.mp4"]
    sweep_results(tmp_path, 3600)
    assert sorted(p.name for p in tmp_path.iterdir()) == [".def.partial-5678.mp4", "fresh.mp4"]
    gone = tmp_path / "removed-as-an-orphan"
    sweep_results(gone, 3600)
    assert gone.is_dir()


@pytest.mark.slow
def test_each_result_is_stored_once(tmp_path: Path) -> None:
    with launched_app(tmp_path, TINY_FOMM, max_duration=10, examples=False) as space:
        client = Client(space.url, verbose=False, download_files=str(tmp_path / "downloads"))
        video, _ = client.predict(
            handle_file(str(EXAMPLE_PHOTO)), handle_file(str(EXAMPLE_CLIP)), api_name="/generate"
        )
        size = Path(video).stat().st_size
        stored = [p for p in Path(get_upload_folder()).rglob("*.mp4") if p.stat().st_size == size]
        assert Path(video).is_relative_to(tmp_path / "downloads")
        assert len(stored) == 1 and stored[0].parent.name.startswith(PREFIX), stored
