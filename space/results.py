"""The folder of result videos: a fresh one per app, old files deleted as new ones are made."""

from __future__ import annotations

import tempfile
import time
from pathlib import Path


def results_folder() -> Path:
    """A new folder for this app's result videos."""
    return Path(tempfile.mkdtemp(prefix="kpop-results-"))


def sweep(folder: Path, age_s: float) -> None:
    """Delete result files older than `age_s` (Gradio serves its own copy)."""
    cutoff = time.time() - age_s
    for path in folder.glob("*.mp4"):
        try:
            if path.stat().st_mtime < cutoff:
                path.unlink()
        except FileNotFoundError:
            continue
