"""Where the library keeps what it fetches or converts once: model files, real media, converted weights."""

from __future__ import annotations

import os
from pathlib import Path


def cache_dir() -> Path:
    """Our cache folder: $FOMM_CORE_CACHE, else ~/.cache/fomm_core."""
    return Path(os.environ.get("FOMM_CORE_CACHE") or Path.home() / ".cache" / "fomm_core")
