"""Typed model configs, presets for the public checkpoints, and reading original YAML configs."""

from __future__ import annotations

import math
from dataclasses import MISSING, fields, is_dataclass, replace
from pathlib import Path
from typing import Any

import yaml

from .engines import engine_for_params, engine_of
from .engines.motion_model import ModelConfig
from .errors import UserError
from .networks.fomm.config import DenseMotionConfig, FOMMConfig, GeneratorConfig, KeypointDetectorConfig
from .networks.tpsmm.config import TPSMMConfig

__all__ = [
    "PRESETS",
    "RANGES",
    "DenseMotionConfig",
    "FOMMConfig",
    "GeneratorConfig",
    "KeypointDetectorConfig",
    "ModelConfig",
    "TPSMMConfig",
    "check_config",
    "config_from_model_params",
    "config_to_model_params",
    "load_config",
    "with_frame_size",
]


PRESETS: dict[str, ModelConfig] = {
    "taichi-256": FOMMConfig(),
    "fashion-256": FOMMConfig(),
    "vox-256": FOMMConfig(),
    "mgif-256": FOMMConfig(kp_detector=KeypointDetectorConfig(single_jacobian_map=True)),
    "tpsmm-taichi-256": TPSMMConfig(),
    "tpsmm-vox-256": TPSMMConfig(),
    "tpsmm-ted-384": TPSMMConfig(frame_size=384),
    "tpsmm-mgif-256": TPSMMConfig(bg=False),
}


def config_from_model_params(model_params: dict[str, Any], frame_size: int = 256) -> ModelConfig:
    """Build a config from the `model_params` section of an original YAML of any engine in the table."""
    return engine_for_params(model_params).config_from_params(model_params, frame_size)


def load_config(spec: str | Path | ModelConfig) -> ModelConfig:
    """A config from a preset name, an original YAML file, or a config object (returned as is)."""
    if is_dataclass(spec) and not isinstance(spec, type):
        return spec
    if str(spec) in PRESETS:
        return PRESETS[str(spec)]
    path = Path(spec)
    if not path.is_file():
        raise UserError(f"Unknown config {spec!r}: use one of {', '.join(PRESETS)} or a path to a YAML file.")
    try:
        data = yaml.safe_load(path.read_text())
    except yaml.YAMLError as exc:
        raise UserError(
            f"Config {path.name} is not valid YAML ({exc}); fix the file or use a preset."
        ) from exc
    if not isinstance(data, dict) or "model_params" not in data:
        raise UserError(
            f"Config {path.name} has no model_params section; pass an original FOMM or TPSMM config."
        )
    try:
        frame_shape = (data.get("dataset_params") or {}).get("frame_shape") or [256]
        config = config_from_model_params(data["model_params"], frame_size=int(frame_shape[0]))
    except (AttributeError, TypeError, ValueError, KeyError) as exc:
        raise UserError(
            f"Config {path.name} is not laid out like an original FOMM or TPSMM config ({exc}); "
            "fix the file or use a preset."
        ) from None
    return check_config(config, f"Config {path.name}")


#: Allowed values of numeric config fields (by field name, in any of the config classes), inclusive: wide
#: enough for every published and plausible model, narrow enough that a damaged or hostile file cannot ask
#: for a network or a frame that would exhaust memory.
RANGES: dict[str, tuple[float, float]] = {
    "frame_size": (32, 1024),
    "num_kp": (1, 64),
    "num_tps": (1, 32),
    "num_channels": (1, 4),
    "block_expansion": (1, 512),
    "max_features": (1, 4096),
    "num_blocks": (1, 8),
    "num_down_blocks": (0, 6),
    "num_bottleneck_blocks": (0, 32),
    "inpainting_block_expansion": (1, 512),
    "inpainting_max_features": (1, 4096),
    "inpainting_num_down_blocks": (0, 6),
    "avd_id_bottle_size": (1, 4096),
    "avd_pose_bottle_size": (1, 4096),
    "temperature": (1e-4, 10.0),
    "scale_factor": (1 / 16, 1.0),
    "kp_variance": (1e-6, 1.0),
    "pad": (0, 8),
}
_KINDS = {bool: "true or false", int: "a whole number", float: "a number", str: "text"}


def check_config(config: ModelConfig, source: str = "the config") -> ModelConfig:
    """`config` when every field has its type and lies in RANGES, else a UserError naming the field and range."""
    _check_fields(config, "", source)
    return config


def _check_fields(obj: Any, prefix: str, source: str) -> None:
    for f in fields(obj):
        value, name = getattr(obj, f.name), prefix + f.name
        default = f.default if f.default is not MISSING else f.default_factory()
        if is_dataclass(default):
            if not isinstance(value, type(default)):
                raise UserError(f"{source}: {name} must be a section of settings, not {value!r}.")
            _check_fields(value, name + ".", source)
            continue
        kind = type(default)
        accepted = (int, float) if kind is float else (kind,)
        if not isinstance(value, accepted) or (kind is not bool and isinstance(value, bool)):
            raise UserError(f"{source}: {name} must be {_KINDS[kind]}, not {value!r}.")
        low, high = RANGES.get(f.name, (-math.inf, math.inf))
        if kind in (int, float) and not low <= value <= high:  # NaN fails too
            raise UserError(
                f"{source}: {name} = {value!r} is out of range; allowed: {low:g} to {high:g}. The "
                "file is damaged or not a FOMM/TPSMM config: pass config= a preset or the original YAML."
            )


def config_to_model_params(config: ModelConfig) -> dict[str, Any]:
    """The inverse of config_from_model_params: an original-style `model_params` dict."""
    return engine_of(config).params_of(config)


def with_frame_size(config: ModelConfig, frame_size: int) -> ModelConfig:
    """The same config for another frame size."""
    return replace(config, frame_size=frame_size)
