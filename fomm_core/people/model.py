"""The person model, loaded once per process; None with a reason when it cannot run (the fallback is used then)."""

from __future__ import annotations

import logging
from functools import lru_cache

from .blazeface import BlazeFace
from .blazepose import BlazePose

log = logging.getLogger(__name__)
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
        log.warning("pose model unavailable: %s", exc)
        return None, f"{type(exc).__name__}: {exc}"


@lru_cache(maxsize=1)
def face_model() -> BlazeFace | None:
    """The full-range face detector, or None when it cannot run here (people are then found without it)."""
    if pose_model() is None:
        return None
    try:
        from .model_files import FACES, model_files

        return BlazeFace(str(model_files()[FACES]))
    except Exception as exc:  # noqa: BLE001 - as for the pose model: without it, fall back
        log.warning("face detector unavailable: %s", exc)
        return None


def pose_model() -> BlazePose | None:
    """The BlazePose model, or None when it cannot run here (see `fallback_note`)."""
    return _load()[0]


def fallback_note() -> str | None:
    """Why the fallback heuristic is in use, for the user; None when the pose model runs."""
    model, reason = _load()
    return None if model is not None else FALLBACK_NOTE.format(reason=reason)
