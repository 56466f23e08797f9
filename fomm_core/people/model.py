"""The landmarker (BlazePose), loaded once per process; None with a reason when it cannot run (the fallback is used then)."""

from __future__ import annotations

import logging
from functools import lru_cache
from typing import Literal

from .blazeface import BlazeFace
from .blazepose import BlazePose

log = logging.getLogger(__name__)
#: The `landmarker` argument that means the process's shared one (`default_landmarker()`).
DEFAULT = "default"
LandmarkerChoice = BlazePose | None | Literal["default"]
FALLBACK_NOTE = (
    "The pose model could not be loaded ({reason}), so a simple background-difference heuristic "
    "looked for the person instead: it finds one person at most, misses people on busy "
    "backgrounds and cannot tell full-body from partial."
)


@lru_cache(maxsize=1)
def _load() -> tuple[BlazePose | None, str]:
    try:
        from .model_files import DETECTOR, LANDMARKS, model_files

        files = model_files()
        return BlazePose(str(files[DETECTOR]), str(files[LANDMARKS])), ""
    except Exception as exc:  # noqa: BLE001 - any failure (no runtime, no network, bad file) means: fall back
        log.warning("landmarker unavailable: %s", exc)
        return None, f"{type(exc).__name__}: {exc}"


@lru_cache(maxsize=1)
def face_model() -> BlazeFace | None:
    """The full-range face detector, or None when it cannot run here (people are then found without it)."""
    if default_landmarker() is None:
        return None
    try:
        from .model_files import FACES, model_files

        return BlazeFace(str(model_files()[FACES]))
    except Exception as exc:  # noqa: BLE001 - as for the landmarker: without it, fall back
        log.warning("face detector unavailable: %s", exc)
        return None


def default_landmarker() -> BlazePose | None:
    """The process's shared BlazePose landmarker, or None when it cannot run here (see `fallback_note`)."""
    return _load()[0]


def chosen_landmarker(landmarker: LandmarkerChoice) -> BlazePose | None:
    """The landmarker itself: `landmarker`, or the shared one for DEFAULT."""
    return default_landmarker() if landmarker == DEFAULT else landmarker


def fallback_note(landmarker: BlazePose | None = None) -> str | None:
    """Why the fallback heuristic is in use with `landmarker` (None: there is none), for the user; None when
    it runs."""
    if landmarker is not None:
        return None
    reason = _load()[1] or "none was given"
    return FALLBACK_NOTE.format(reason=reason)
