"""The engine table: each spec builds its networks, names their checkpoint modules and its training objective."""

from __future__ import annotations

import pytest
import torch
from tpsmm_fixtures import TINY_TPSMM

from fomm_core.config import FOMMConfig, TPSMMConfig
from fomm_core.engine import MotionModel
from fomm_core.engines import ENGINES, engine_of
from fomm_core.train.objective import Objective


@pytest.mark.slow
@pytest.mark.parametrize("config", [FOMMConfig(), TPSMMConfig(), TPSMMConfig(bg=False)])
def test_each_spec_builds_the_networks_it_names(config) -> None:
    spec = engine_of(config)
    assert spec.name == config.engine and isinstance(config, spec.config_class)
    assert issubclass(spec.model_class, MotionModel) and issubclass(spec.objective(), Objective)
    with torch.device("meta"):
        nets = spec.build_networks(config)
    assert set(spec.required_modules) <= set(nets) <= set(spec.modules)
    assert not set(spec.required_modules) & set(spec.optional_modules)


def test_random_models_are_their_specs_model_class(tiny_fomm_config) -> None:
    from fomm_core import random_model

    assert set(ENGINES) == {"fomm", "tpsmm"}
    for config in (tiny_fomm_config, TINY_TPSMM):
        assert type(random_model(config)) is engine_of(config).model_class
