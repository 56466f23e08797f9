"""Build a model from a checkpoint (registry name or file), from random weights, or for an engine that needs
no checkpoint, by its name."""

from __future__ import annotations

import re
from dataclasses import replace

import torch

from ..config import ModelConfig, load_config
from ..engines import ENGINES, engine_of
from ..engines.motion_model import MotionModel, choose_device
from ..errors import UserError


def _with_align_corners(config: ModelConfig, align_corners: bool | None) -> ModelConfig:
    """The config with its sampling convention overridden (None keeps the config's)."""
    if align_corners is None:
        return config
    return replace(config, align_corners=align_corners)


_SIZE_MISMATCH = re.compile(
    r"size mismatch for ([\w.]+): copying a param with shape torch\.Size\((\[[^\]]*\])\) "
    r"from checkpoint, the shape in current model is torch\.Size\((\[[^\]]*\])\)"
)
_KEYS = re.compile(r"(Missing|Unexpected) key\(s\) in state_dict: (.+?)\.\s*$", re.MULTILINE)


def _listed(names: list[str], most: int = 3) -> str:
    return ", ".join(names[:most]) + (f" and {len(names) - most} more" if len(names) > most else "")


def fit_error_detail(exc: BaseException) -> str:
    """What a checkpoint that does not fit a network differs in: the first mismatched tensors with both shapes,
    missing and unexpected keys (torch's load_state_dict message condensed), else the error's first line."""
    message = exc.args[0] if isinstance(exc, KeyError) and exc.args else str(exc)
    module = re.search(r"loading state_dict for (\w+)", message)
    parts = [
        f"{key}: {ours} in the checkpoint, {theirs} in the network"
        for key, ours, theirs in _SIZE_MISMATCH.findall(message)
    ]
    if len(parts) > 2:
        more = len(parts) - 2
        parts[2:] = [f"{more} more size mismatch{'es' if more > 1 else ''}"]
    for kind, keys in _KEYS.findall(message):
        names = re.findall(r'"([^"]+)"', keys)
        parts.append(f"{kind.lower()} keys {_listed(names)}")
    if not parts:
        return next((line.strip() for line in str(message).splitlines() if line.strip()), type(exc).__name__)
    return (f"{module.group(1)}: " if module else "") + "; ".join(parts)


def load_model(
    checkpoint: str,
    config: str | ModelConfig | None = None,
    device: str | torch.device | None = None,
    align_corners: bool | None = None,
    fp16: bool = False,
) -> MotionModel:
    """Load a model from a registry name or a .pth.tar/.safetensors path, ready for `animate`.

    `config` is a preset name, an original YAML path or a config object; when omitted it comes from the
    registry entry or the safetensors metadata. `align_corners` overrides the config's sampling convention.
    `fp16` enables float16 autocast on CUDA only. The name of an engine that needs no checkpoint gives that
    engine's model.
    """
    engine = ENGINES.get(checkpoint)
    if engine is not None and not engine.needs_checkpoint:
        return engine.build(choose_device(device))
    # imported here: huggingface_hub is slow to import and only loading needs it
    from .states import load_state

    loaded = load_state(checkpoint)
    cfg = load_config(config) if config is not None else loaded.config
    if cfg is None:
        raise UserError(
            f"The checkpoint {checkpoint} does not say which architecture it is; pass config= a preset "
            "name (e.g. taichi-256) or the original YAML config it was trained with."
        )
    if cfg.engine != loaded.engine:
        raise UserError(
            f"The checkpoint {checkpoint} holds a {loaded.engine.upper()} model but the config describes "
            f"{cfg.engine.upper()}; pass the matching config."
        )
    cfg = _with_align_corners(cfg, align_corners)
    try:
        return engine_of(cfg).from_state(
            cfg, loaded.state, choose_device(device), name=loaded.name, sha256=loaded.sha256, fp16=fp16
        )
    except (RuntimeError, KeyError) as exc:
        raise UserError(
            f"The checkpoint {checkpoint} does not fit the {cfg.engine.upper()} config given "
            f"({fit_error_detail(exc)}); pass the config it was trained with."
        ) from exc


def random_model(
    config: str | ModelConfig,
    seed: int = 0,
    device: str | torch.device | None = None,
    align_corners: bool | None = None,
) -> MotionModel:
    """A model with random weights (seeded), for tests and benchmarks."""
    cfg = _with_align_corners(load_config(config), align_corners)
    engine = engine_of(cfg)
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        nets = engine.build_networks(cfg)
        state = {key: net.state_dict() for key, net in nets.items()}
    return engine.from_state(cfg, state, choose_device(device), name=f"random-{cfg.engine}-{seed}")
