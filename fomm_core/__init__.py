"""Kpop Idol Generator library: animate a full-body photo by a dance clip with FOMM or TPSMM."""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .animate import animate, animate_iter
    from .engine import Keypoints, MotionModel
    from .errors import UserError
    from .models import load_model, random_model
    from .options import RenderOptions
    from .pipeline import prepare, render

# Imported on first use, so `python -m fomm_core` starts (and answers Ctrl-C) before torch is loaded.
_EXPORTS = {
    "Keypoints": ".engine",
    "MotionModel": ".engine",
    "RenderOptions": ".options",
    "UserError": ".errors",
    "animate": ".animate",
    "animate_iter": ".animate",
    "load_model": ".models",
    "prepare": ".pipeline",
    "random_model": ".models",
    "render": ".pipeline",
}
__all__ = [
    "Keypoints",
    "MotionModel",
    "RenderOptions",
    "UserError",
    "animate",
    "animate_iter",
    "load_model",
    "prepare",
    "random_model",
    "render",
]


def __getattr__(name: str) -> Any:
    """The public names, imported from their modules when first asked for."""
    if name not in _EXPORTS:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(_EXPORTS[name], __name__), name)
