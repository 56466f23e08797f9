"""The engine table: each engine builds its networks, names its checkpoint modules and has a training objective;
an engine is added by one module and one row."""

from __future__ import annotations

from dataclasses import dataclass
from types import SimpleNamespace

import numpy as np
import pytest
import torch
from conftest import smooth_frames
from torch import nn
from tpsmm_fixtures import TINY_TPSMM

from fomm_core.config import FOMMConfig, TPSMMConfig
from fomm_core.engines import ENGINES, MODES, checkpoint_engines, engine_claiming, engine_of, modes_of
from fomm_core.engines.base import CheckpointEngine, Engine
from fomm_core.engines.motion_model import MotionModel
from fomm_core.errors import UserError
from fomm_core.motion import Keypoints
from fomm_core.train.objective import Objective
from fomm_core.train.objectives import OBJECTIVES


@pytest.mark.slow
@pytest.mark.parametrize("config", [FOMMConfig(), TPSMMConfig(), TPSMMConfig(bg=False)])
def test_each_spec_builds_the_networks_it_names(config) -> None:
    spec = engine_of(config)
    assert spec.name == config.engine and isinstance(config, spec.config_class)
    assert issubclass(spec.model_class, MotionModel) and issubclass(OBJECTIVES[spec.name], Objective)
    with torch.device("meta"):
        nets = spec.build_networks(config)
    assert set(spec.required_modules) <= set(nets) <= set(spec.modules)
    assert not set(spec.required_modules) & set(spec.optional_modules)


def test_random_models_are_their_specs_model_class(tiny_fomm_config) -> None:
    from fomm_core import random_model

    assert set(ENGINES) == {"fomm", "tpsmm", "pose"}
    for config in (tiny_fomm_config, TINY_TPSMM):
        assert type(random_model(config)) is engine_of(config).model_class


# --- adding an engine: one module (here, the classes below) and one row in ENGINES ---------------------------


@dataclass(frozen=True)
class TintConfig:
    """A toy engine's config: one 1×1 conv that tints the photo, on 32×32 squares."""

    tint_channels: int = 3
    frame_size: int = 32
    align_corners: bool = False
    engine: str = "tint"


class TintModel(MotionModel):
    """Shows the photo through its conv in every frame; its keypoint is the frame's mean colour."""

    def __init__(self, config: TintConfig, net: nn.Module, device: torch.device, name: str = "", **_: object):
        super().__init__(config, device, name)
        self.net = net.to(device).eval()

    @classmethod
    def from_state(cls, config, state, device, *, name="", sha256=None, fp16=False) -> TintModel:
        net = nn.Conv2d(config.tint_channels, config.tint_channels, 1)
        net.load_state_dict(state["tint_net"], strict=True)
        return cls(config, net, device, name)

    def detect_keypoints(self, frames: torch.Tensor) -> Keypoints:
        return Keypoints(frames.mean(dim=(2, 3))[:, None, :2] * 2 - 1)

    def encode_source(self, source: torch.Tensor) -> SimpleNamespace:
        return SimpleNamespace(kp=self.detect_keypoints(source), image=source)

    def drive_keypoints(self, source_state, kp_driving, kp_initial, mode, adapt_scale) -> Keypoints:
        return kp_driving

    def generate(self, source_state: SimpleNamespace, kp: Keypoints) -> torch.Tensor:
        return self.net(source_state.image.expand(len(kp), -1, -1, -1)).clamp(0, 1)


class Tint(CheckpointEngine):
    name = "tint"
    modes = ("relative", "absolute", "tint")
    config_class = TintConfig
    params_key = "tint_channels"
    required_modules = ("tint_net",)
    claim_modules = ("tint_net",)
    model_class = TintModel

    def config_from_params(self, model_params, frame_size: int) -> TintConfig:
        return TintConfig(model_params["common_params"]["tint_channels"], frame_size)

    def params_of(self, config: TintConfig) -> dict:
        return {"common_params": {"tint_channels": config.tint_channels}}

    def build_networks(self, config: TintConfig) -> dict[str, nn.Module]:
        return {"tint_net": nn.Conv2d(config.tint_channels, config.tint_channels, 1)}


class Still(Engine):
    """An engine without a checkpoint or square networks: its model is built from nothing."""

    name = "still"
    modes = ("relative",)
    needs_checkpoint = False
    square_frames = False

    def build(self, device: torch.device) -> SimpleNamespace:
        return SimpleNamespace(engine=self.name, device=device)


@pytest.fixture
def tint_and_still(monkeypatch):
    """The two toy engines' rows in the table, for one test."""
    monkeypatch.setitem(ENGINES, "tint", Tint())
    monkeypatch.setitem(ENGINES, "still", Still())


def test_a_new_checkpoint_engine_is_detected_configured_loaded_and_animated(tint_and_still, tmp_path) -> None:
    from fomm_core import animate, load_model, random_model
    from fomm_core.checkpoints.formats import detect_engine, write_safetensors
    from fomm_core.checkpoints.states import inference_state
    from fomm_core.config import config_from_model_params, config_to_model_params

    config = TintConfig()
    assert config_from_model_params(config_to_model_params(config), frame_size=32) == config
    model = random_model(config, seed=1)
    assert isinstance(model, TintModel)
    state = {"tint_net": model.net.state_dict(), "optimizer": {"step": torch.zeros(1)}}
    assert detect_engine(state) == "tint" and list(inference_state(state)) == ["tint_net"]
    path = write_safetensors(
        {"tint_net": model.net.state_dict()}, tmp_path / "tint.safetensors", config=config
    )

    loaded = load_model(str(path), device="cpu")  # engine from its modules, config from the metadata
    assert isinstance(loaded, TintModel) and loaded.config == config
    photo, dance = smooth_frames(1, 48, seed=1)[0], smooth_frames(3, 48, seed=2)
    frames = animate(loaded, photo, dance)
    assert frames.shape == (3, 32, 32, 3) and np.array_equal(frames, animate(model, photo, dance))
    with torch.no_grad():
        expected = model.net(model.to_tensor(photo)).clamp(0, 1)[0].permute(1, 2, 0).numpy()
    assert np.allclose(frames[0], expected) and frames.std() > 0.01
    assert modes_of(ENGINES.values()) == ("relative", "absolute", "avd", "tint")


def test_an_engine_without_a_checkpoint_is_built_by_name_and_claims_no_checkpoint(tint_and_still) -> None:
    from fomm_core import load_model

    model = load_model("still", device="cpu")
    assert model.engine == "still" and model.device == torch.device("cpu")
    assert not ENGINES["still"].needs_checkpoint and not ENGINES["still"].square_frames
    assert ENGINES["still"] not in checkpoint_engines()
    with pytest.raises(UserError, match="Cannot tell the model type"):
        engine_claiming({"still": {}})
    with pytest.raises(UserError, match="name a checkpoint"):
        ENGINES["fomm"].build(torch.device("cpu"))


def test_the_toy_engines_rows_are_gone_after_their_test() -> None:
    assert set(ENGINES) == {"fomm", "tpsmm", "pose"} and MODES == ("relative", "absolute", "avd")


def test_the_pose_engine_needs_no_checkpoint_and_loads_by_name() -> None:
    from fomm_core import load_model
    from fomm_core.puppet.model import PoseModel

    pose = ENGINES["pose"]
    assert not pose.needs_checkpoint and not pose.square_frames and pose not in checkpoint_engines()
    assert pose.modes == ("relative",)
    assert isinstance(load_model("pose", device="cpu"), PoseModel)
