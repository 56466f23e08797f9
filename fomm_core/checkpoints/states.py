"""The inference state dicts of a checkpoint, from a registry name or a file: fetched, verified, and converted to
safetensors once (kept in the cache folder under the original file's sha256)."""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from pathlib import Path

from ..cache import cache_dir
from ..config import ModelConfig
from ..engines import engine_claiming
from ..errors import UserError
from .fetch import fetch
from .formats import (
    State,
    config_from_metadata,
    detect_engine,
    read_checkpoint_with_info,
    read_safetensors,
    write_safetensors,
)
from .hash_cache import checkpoint_sha256
from .registry import REGISTRY, entry_config

log = logging.getLogger(__name__)


def inference_state(state: State) -> State:
    """Only the modules inference loads, in the engine's order; missing required ones are an error."""
    engine = engine_claiming(state)
    missing = [m for m in engine.required_modules if m not in state]
    if missing:
        raise UserError(
            f"This {engine.name.upper()} checkpoint lacks {', '.join(missing)}; it cannot animate. "
            "Use a complete checkpoint."
        )
    return {m: state[m] for m in engine.modules if m in state}


@dataclass(frozen=True)
class LoadedState:
    """Inference state dicts of a checkpoint and what is known about them."""

    state: State
    engine: str
    config: ModelConfig | None
    sha256: str  # of the original file (the .pth.tar, not our converted copy)
    name: str
    source_path: Path


def _converted(path: Path, sha256: str, config: ModelConfig | None) -> tuple[State, dict[str, str]]:
    """Inference modules of a .pth.tar via the safetensors cache (written on first load)."""
    cached = cache_dir() / "converted" / f"{sha256}.safetensors"
    if cached.is_file():
        try:
            return read_safetensors(cached)
        except UserError as exc:
            log.warning("ignoring unreadable cached conversion %s: %s", cached, exc)
    state, info = read_checkpoint_with_info(path)
    state = inference_state(state)
    meta = {**info, "source_sha256": sha256, "source_name": path.name}
    try:
        write_safetensors(state, cached, config=config, metadata=meta)
    except OSError as exc:
        log.warning("could not cache a safetensors copy of %s in %s: %s", path.name, cached.parent, exc)
    return state, meta


CHECKPOINT_SUFFIXES = (".pth", ".tar", ".pt", ".ckpt", ".bin", ".safetensors")


def _looks_like_path(spec: str) -> bool:
    """Whether a checkpoint argument was meant as a file (has a folder separator or a checkpoint suffix)."""
    return "/" in spec or os.sep in spec or spec.lower().endswith(CHECKPOINT_SUFFIXES)


def load_state(spec: str | Path) -> LoadedState:
    """Inference state dicts from a registry name or a .pth.tar/.safetensors path (fetched, verified, cached)."""
    entry = REGISTRY.get(str(spec)) if isinstance(spec, str) else None
    if entry is not None:
        path = fetch(entry.name)
        sha256 = checkpoint_sha256(path)
        name = entry.name
    else:
        path = Path(spec)
        if not path.is_file() and _looks_like_path(str(spec)):
            raise UserError(
                f"Checkpoint file not found: {spec}. Check the path, or use a registry name: "
                f"{', '.join(REGISTRY)}."
            )
        if not path.is_file():
            raise UserError(
                f"Unknown checkpoint {str(spec)!r}: use one of {', '.join(REGISTRY)} "
                "or a path to a .pth.tar or .safetensors file."
            )
        sha256 = checkpoint_sha256(path)
        entry = next((e for e in REGISTRY.values() if e.sha256 == sha256), None)
        name = path.name
    config = entry_config(entry) if entry is not None else None
    if path.suffix == ".safetensors":
        state, meta = read_safetensors(path)
        state = inference_state(state)
    else:
        state, meta = _converted(path, sha256, config)
    if config is None:
        config = config_from_metadata(meta)
    return LoadedState(
        state=state, engine=detect_engine(state), config=config, sha256=sha256, name=name, source_path=path
    )
