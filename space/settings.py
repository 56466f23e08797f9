"""The Space's limits and shipped examples, read once from the environment."""

from __future__ import annotations

import os
from pathlib import Path

from fomm_core.checkpoints.fetch import preferred_model
from fomm_core.numbers import parse_float
from fomm_core.options import MAX_PEOPLE

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = [
    (ROOT / "examples" / photo, ROOT / "examples" / clip)
    for photo, clip in [
        ("photo.png", "dance.mp4"),
        ("photo-2.png", "dance-2.mp4"),
        ("photo-3.png", "dance-3.mp4"),
    ]
]
DEFAULT_MODEL = "default"
MAX_CLIP_SECONDS = parse_float(os.environ.get("FOMM_MAX_CLIP_SECONDS", "20"))
MAX_FILE_SIZE = "50mb"
QUEUE_SIZE = 16
MAX_FRIENDS = MAX_PEOPLE - 1  # friends' photos beside the user's own
CONCURRENCY = 1  # one render at a time: a render already uses every core (or the one GPU slice)
CACHE_CLEANUP = (1800, 3600)  # every 30 min, delete uploads and results older than an hour
GENERATE_TIME_LIMIT_S = 600  # a 20 s clip with the slowest model (TPSMM, ~0.63 s/frame on 2 CPU cores) fits


def preload_names() -> list[str]:
    """Models to load before the first request: env FOMM_PRELOAD (comma-separated), else default and preferred."""
    preload_default = ",".join(dict.fromkeys([DEFAULT_MODEL, preferred_model()]))
    return [name for name in os.environ.get("FOMM_PRELOAD", preload_default).split(",") if name]
