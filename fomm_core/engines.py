"""The engines by name, one EngineSpec each: the only table of engine knowledge."""

from __future__ import annotations

from .config import ModelConfig
from .engine import EngineSpec
from .fomm import SPEC as FOMM
from .tpsmm import SPEC as TPSMM

ENGINES: dict[str, EngineSpec] = {spec.name: spec for spec in (FOMM, TPSMM)}


def engine_of(config: ModelConfig) -> EngineSpec:
    """The spec of the engine a config describes."""
    return ENGINES[config.engine]
