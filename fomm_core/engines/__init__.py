"""The engines by name: the one table of engine knowledge (what an engine provides: base.py)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from ..errors import UserError
from . import fomm, pose, tpsmm
from .base import CheckpointEngine, Engine
from .motion_model import ModelConfig

ENGINES: dict[str, Engine] = {engine.name: engine for engine in (fomm.ENGINE, tpsmm.ENGINE, pose.ENGINE)}


def modes_of(engines: Iterable[Engine]) -> tuple[str, ...]:
    """Every mode of these engines, each once, in table order."""
    return tuple(dict.fromkeys(mode for engine in engines for mode in engine.modes))


#: How the driving motion reaches the photo: the dancer's moves from the photo's pose, the dancer's pose as
#: it is, or TPSMM's animation via disentanglement; each engine lists the ones it has.
MODES = modes_of(ENGINES.values())


def checkpoint_engines() -> list[CheckpointEngine]:
    """The engines whose models load from a checkpoint, in table order."""
    return [engine for engine in ENGINES.values() if isinstance(engine, CheckpointEngine)]


def engine_of(config: ModelConfig) -> CheckpointEngine:
    """The engine a model config describes."""
    engine = ENGINES[config.engine]
    assert isinstance(engine, CheckpointEngine), engine.name
    return engine


def engine_claiming(state: Mapping[str, Any]) -> CheckpointEngine:
    """The engine whose checkpoint has these modules, else a UserError saying what each engine's has."""
    for engine in checkpoint_engines():
        if engine.claims(state):
            return engine
    expected = ", a ".join(
        f"{e.name.upper()} one has {' or '.join(f'`{m}`' for m in e.claim_modules)}"
        for e in checkpoint_engines()
    )
    raise UserError(f"Cannot tell the model type from modules {', '.join(state) or 'none'}: a {expected}.")


def engine_for_params(model_params: Mapping[str, Any]) -> CheckpointEngine:
    """The engine an original YAML config's `model_params` describe, else a UserError naming the keys."""
    for engine in checkpoint_engines():
        if engine.claims_params(model_params):
            return engine
    engines = checkpoint_engines()
    keys = " or ".join(f"{e.params_key} ({e.name.upper()})" for e in engines)
    names = " or ".join(e.name.upper() for e in engines)
    raise UserError(
        f"This config has no model_params.common_params.{keys}; pass an original {names} YAML config."
    )
