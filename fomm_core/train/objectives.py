"""The training objective of each engine that can be trained, by engine name (fomm_core.engines' names)."""

from __future__ import annotations

from ..errors import UserError
from .fomm_objective import FOMMObjective
from .objective import Objective
from .tpsmm_objective import TPSMMObjective

OBJECTIVES: dict[str, type[Objective]] = {"fomm": FOMMObjective, "tpsmm": TPSMMObjective}


def objective_of(engine: str) -> type[Objective]:
    """The objective that trains `engine`'s networks, else a UserError listing the engines that can be trained."""
    if engine not in OBJECTIVES:
        raise UserError(f"The {engine} engine cannot be trained here; train one of: {', '.join(OBJECTIVES)}.")
    return OBJECTIVES[engine]
