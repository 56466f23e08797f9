"""What an engine is: its name and modes, whether it needs a checkpoint, and how its models are made.

An engine is one way of animating a photo by a dance clip. Every engine gives

- `name`: what users pick it by, the key in the table (fomm_core.engines.ENGINES), and `config.engine`;
- `modes`: every motion mode its models can support (fomm_core.engines.MODES is their union);
- `needs_checkpoint`: whether its models are loaded from a weights file;
- `square_frames`: whether its networks see the photo and the dance as `frame_size`² squares.

A `CheckpointEngine` (FOMM, TPSMM) has keypoint networks trained at one square size: it claims checkpoints
by their module names, builds its config from an original YAML's `model_params` and back, builds fresh
networks keyed as in the checkpoint, and makes a `MotionModel` (fomm_core.engines.motion_model) from their
state dicts.

An engine that needs no checkpoint and no square networks (the pose engine, which moves the photo's own
pixels along the dancer's skeleton) subclasses `Engine` directly and provides:

- `needs_checkpoint = False`: `load_model(name)` calls its `build(device)` instead of reading a file, so its
  name works as `RenderOptions.model` and the CLI's `--checkpoint` (the app's model list is the registry's);
- `square_frames = False`: its model has no `frame_size`, so the render must not cut the photo and the dance
  to squares for it nor pass it through `fomm_core.animate`; it works at the photo's own resolution;
- `build(device)`: its model, ready to animate;
- `modes`: the motion modes its model accepts (at least "relative");
- nothing else: it claims no checkpoint and parses no YAML (the defaults below), so weights and configs of
  other engines never reach it, and it has no config.

Adding an engine is one module beside this one and one row in the table. Its training objective, if it can
be trained, is registered under its name in fomm_core.train.objectives; inference never imports training.
"""

from __future__ import annotations

import abc
from collections.abc import Mapping
from typing import Any

import torch
from torch import nn

from ..errors import UserError
from .motion_model import ModelConfig, MotionModel


def pick_fields(cls: type, params: Mapping[str, Any], **extra: Any) -> Any:
    """Instantiate a config dataclass from the keys of `params` it knows."""
    known = {k: v for k, v in params.items() if k in cls.__dataclass_fields__}
    return cls(**known, **extra)


class Engine(abc.ABC):
    """One engine; see the module docstring for what each must provide."""

    name: str
    description: str = ""  # for people choosing a model; checkpoint engines' models have the registry's
    modes: tuple[str, ...]
    needs_checkpoint: bool
    square_frames: bool

    def claims(self, modules: Mapping[str, Any]) -> bool:
        """Whether a checkpoint with these module names holds this engine's model."""
        return False

    def claims_params(self, model_params: Mapping[str, Any]) -> bool:
        """Whether an original YAML config's `model_params` describe this engine's model."""
        return False

    def build(self, device: torch.device) -> Any:
        """The engine's model, made without a checkpoint."""
        raise UserError(f"The {self.name} engine animates with trained weights: name a checkpoint for it.")


class CheckpointEngine(Engine):
    """An engine of keypoint networks loaded from a checkpoint and run on `frame_size`² squares."""

    needs_checkpoint = True
    square_frames = True
    #: the config dataclass, with `engine` equal to `name`
    config_class: type
    #: the common_params key that only this engine's original YAML configs have
    params_key: str
    #: checkpoint modules inference cannot do without, then those loaded when present, in checkpoint order
    required_modules: tuple[str, ...]
    optional_modules: tuple[str, ...] = ()
    #: checkpoint modules only this engine has: a checkpoint with any of them is this engine's
    claim_modules: tuple[str, ...]
    #: the model class, whose `from_state(config, state, device, name=, sha256=, fp16=)` loads the networks
    model_class: type[MotionModel]

    @property
    def modules(self) -> tuple[str, ...]:
        """Every checkpoint module inference loads, in checkpoint order."""
        return self.required_modules + self.optional_modules

    def claims(self, modules: Mapping[str, Any]) -> bool:
        return any(m in modules for m in self.claim_modules)

    def claims_params(self, model_params: Mapping[str, Any]) -> bool:
        return self.params_key in dict(model_params.get("common_params", {}))

    @abc.abstractmethod
    def config_from_params(self, model_params: Mapping[str, Any], frame_size: int) -> ModelConfig:
        """The config an original YAML's `model_params` describe (frame size from its dataset_params)."""

    @abc.abstractmethod
    def params_of(self, config: Any) -> dict[str, Any]:
        """The inverse of config_from_params: an original-style `model_params` dict."""

    @abc.abstractmethod
    def build_networks(self, config: Any) -> dict[str, nn.Module]:
        """Fresh (randomly initialised) networks, keyed as in the original checkpoint."""

    def from_state(
        self,
        config: Any,
        state: Mapping[str, Mapping[str, torch.Tensor]],
        device: torch.device,
        *,
        name: str = "",
        sha256: str | None = None,
        fp16: bool = False,
    ) -> MotionModel:
        """The model with its networks loaded strictly from a checkpoint's module state dicts."""
        return self.model_class.from_state(config, state, device, name=name, sha256=sha256, fp16=fp16)
