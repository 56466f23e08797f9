"""The temporary folder kept frames go to, watched: which of this process's open files are in it (Linux)."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest


def files_open_in(folder: Path) -> list[str]:
    """This process's open files in `folder`, named or already unlinked."""
    links = []
    for fd in os.listdir("/proc/self/fd"):
        try:
            links.append(os.readlink(f"/proc/self/fd/{fd}"))
        except FileNotFoundError:  # the listing's own descriptor, closed by now
            continue
    return [link for link in links if link.startswith(str(folder))]


@pytest.fixture
def temp_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The temporary folder for this test alone: every temporary file it makes goes there."""
    folder = tmp_path / "temp"
    folder.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    return folder
