"""The app's folder of result videos: one per running app, swept by age while it runs, removed when it exits, and
removed at the next start when an app was killed before it could remove its own.

Made inside Gradio's upload folder, so Gradio serves each result from where it was written instead of copying it
(each result is stored once).
"""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
import time
from pathlib import Path

PREFIX = "kpop-results-"
#: Temporary files of renders that never finished (a killed process leaves them) are removed after this long.
PARTIAL_AGE_S = 3600


def _older(path: Path, cutoff: float) -> bool:
    try:
        return path.stat().st_mtime < cutoff
    except FileNotFoundError:
        return False


def new_result_folder(parent: str | os.PathLike, max_age_s: float) -> Path:
    """A new result folder in `parent`, removed when this process exits; other apps' folders untouched for
    `max_age_s` (left by killed apps) are removed first."""
    parent = Path(parent)
    parent.mkdir(parents=True, exist_ok=True)
    cutoff = time.time() - max_age_s
    for orphan in parent.glob(f"{PREFIX}*"):
        if orphan.is_dir() and not orphan.is_symlink() and _older(orphan, cutoff):
            shutil.rmtree(orphan, ignore_errors=True)
    folder = Path(tempfile.mkdtemp(prefix=PREFIX, dir=parent))
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    return folder


def sweep_results(folder: str | os.PathLike, max_age_s: float) -> None:
    """Delete results older than `max_age_s` and unfinished renders older than PARTIAL_AGE_S (re-making the folder
    if another app's start removed it as an orphan)."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    now = time.time()
    for path in folder.iterdir():
        age = PARTIAL_AGE_S if ".partial" in path.name else max_age_s
        if path.is_file() and _older(path, now - age):
            path.unlink(missing_ok=True)
