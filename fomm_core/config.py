"""Typed model configs, presets for the public checkpoints, and reading original YAML configs."""

from __future__ import annotations

import math
from dataclasses import MISSING, dataclass, field, fields, is_dataclass, replace
from pathlib import Path
from typing import Any

import yaml

from .errors import UserError


@dataclass(frozen=True)
class KeypointDetectorConfig:
    """FOMM keypoint detector: an hourglass on a downscaled frame, heatmap and jacobian heads."""

    block_expansion: int = 32
    max_features: int = 1024
    num_blocks: int = 5
    temperature: float = 0.1
    scale_factor: float = 0.25
    single_jacobian_map: bool = False
    pad: int = 0


@dataclass(frozen=True)
class DenseMotionConfig:
    """FOMM dense motion network: hourglass over heatmaps and deformed sources."""

    block_expansion: int = 64
    max_features: int = 1024
    num_blocks: int = 5
    scale_factor: float = 0.25
    kp_variance: float = 0.01


@dataclass(frozen=True)
class GeneratorConfig:
    """FOMM occlusion-aware generator: encoder, feature warp, bottleneck, decoder."""

    block_expansion: int = 64
    max_features: int = 512
    num_down_blocks: int = 2
    num_bottleneck_blocks: int = 6
    estimate_occlusion_map: bool = True
    dense_motion: DenseMotionConfig = field(default_factory=DenseMotionConfig)


@dataclass(frozen=True)
class FOMMConfig:
    """A whole First Order Motion Model."""

    num_kp: int = 10
    num_channels: int = 3
    estimate_jacobian: bool = True
    frame_size: int = 256
    kp_detector: KeypointDetectorConfig = field(default_factory=KeypointDetectorConfig)
    generator: GeneratorConfig = field(default_factory=GeneratorConfig)
    # The sampling convention the weights were trained with. False: the original code as it runs on PyTorch >= 1.3
    # (how the public checkpoints are used today). True: a grid's -1 and 1 are the centres of the edge pixels in
    # every grid_sample and every resize of the deformation, so the identity deformation leaves pixels in place.
    align_corners: bool = False
    engine: str = "fomm"


@dataclass(frozen=True)
class TPSMMConfig:
    """A whole Thin-Plate Spline Motion Model (num_tps transforms of 5 keypoints each)."""

    num_tps: int = 10
    num_channels: int = 3
    bg: bool = True
    multi_mask: bool = True
    frame_size: int = 256
    inpainting_block_expansion: int = 64
    inpainting_max_features: int = 512
    inpainting_num_down_blocks: int = 3
    dense_motion: DenseMotionConfig = field(default_factory=DenseMotionConfig)
    avd_id_bottle_size: int = 128
    avd_pose_bottle_size: int = 128
    # The sampling convention (see FOMMConfig.align_corners); the original TPSMM code uses True everywhere.
    align_corners: bool = True
    engine: str = "tpsmm"

    @property
    def num_kp(self) -> int:
        """Keypoints in all: five control points per transform."""
        return 5 * self.num_tps


ModelConfig = FOMMConfig | TPSMMConfig

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


def _pick(cls: type, params: dict[str, Any], **extra: Any) -> Any:
    """Instantiate a config dataclass from the keys of `params` it knows."""
    known = {k: v for k, v in params.items() if k in cls.__dataclass_fields__}
    return cls(**known, **extra)


def config_from_model_params(model_params: dict[str, Any], frame_size: int = 256) -> ModelConfig:
    """Build a config from the `model_params` section of an original FOMM or TPSMM YAML."""
    common = dict(model_params.get("common_params", {}))
    if "num_tps" in common:
        gen = model_params.get("generator_params", {})
        avd = model_params.get("avd_network_params", {})
        return TPSMMConfig(
            num_tps=common["num_tps"],
            num_channels=common.get("num_channels", 3),
            bg=common.get("bg", False),
            multi_mask=common.get("multi_mask", True),
            frame_size=frame_size,
            inpainting_block_expansion=gen.get("block_expansion", 64),
            inpainting_max_features=gen.get("max_features", 512),
            inpainting_num_down_blocks=gen.get("num_down_blocks", 3),
            dense_motion=_pick(DenseMotionConfig, model_params.get("dense_motion_params", {})),
            avd_id_bottle_size=avd.get("id_bottle_size", 128),
            avd_pose_bottle_size=avd.get("pose_bottle_size", 128),
            align_corners=bool(common.get("align_corners", True)),
        )
    if "num_kp" not in common:
        raise UserError(
            "This config has no model_params.common_params.num_kp (FOMM) or num_tps (TPSMM); "
            "pass an original FOMM or TPSMM YAML config."
        )
    kp = model_params.get("kp_detector_params", {})
    gen = dict(model_params.get("generator_params", {}))
    dense = gen.pop("dense_motion_params", {})
    return FOMMConfig(
        num_kp=common["num_kp"],
        num_channels=common.get("num_channels", 3),
        estimate_jacobian=common.get("estimate_jacobian", True),
        frame_size=frame_size,
        kp_detector=_pick(KeypointDetectorConfig, kp),
        generator=_pick(GeneratorConfig, gen, dense_motion=_pick(DenseMotionConfig, dense)),
        align_corners=bool(common.get("align_corners", False)),
    )


def load_config(spec: str | Path | ModelConfig) -> ModelConfig:
    """A config from a preset name, an original YAML file, or a config object (returned as is)."""
    if isinstance(spec, (FOMMConfig, TPSMMConfig)):
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
    if isinstance(config, TPSMMConfig):
        return {
            "common_params": {
                "num_tps": config.num_tps,
                "num_channels": config.num_channels,
                "bg": config.bg,
                "multi_mask": config.multi_mask,
                "align_corners": config.align_corners,
            },
            "generator_params": {
                "block_expansion": config.inpainting_block_expansion,
                "max_features": config.inpainting_max_features,
                "num_down_blocks": config.inpainting_num_down_blocks,
            },
            "dense_motion_params": vars(config.dense_motion).copy(),
            "avd_network_params": {
                "id_bottle_size": config.avd_id_bottle_size,
                "pose_bottle_size": config.avd_pose_bottle_size,
            },
        }
    gen = {k: v for k, v in vars(config.generator).items() if k != "dense_motion"}
    gen["dense_motion_params"] = vars(config.generator.dense_motion).copy()
    return {
        "common_params": {
            "num_kp": config.num_kp,
            "num_channels": config.num_channels,
            "estimate_jacobian": config.estimate_jacobian,
            "align_corners": config.align_corners,
        },
        "kp_detector_params": vars(config.kp_detector).copy(),
        "generator_params": gen,
    }


def with_frame_size(config: ModelConfig, frame_size: int) -> ModelConfig:
    """The same config for another frame size."""
    return replace(config, frame_size=frame_size)
