"""Test helpers: small checkpoints in the original FOMM/TPSMM layout and a pre-populated offline Hub cache."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import huggingface_hub.constants
import pytest
import torch
from torch import nn


def _module(parts: dict[str, nn.Module], seed: int) -> nn.Module:
    """A tiny module with random weights and BatchNorm statistics (so num_batches_tracked is an int64 > 0)."""
    torch.manual_seed(seed)
    module = nn.ModuleDict(parts)
    for sub in module.modules():
        if isinstance(sub, nn.modules.batchnorm._BatchNorm):
            sub.running_mean.uniform_(-1, 1)
            sub.running_var.uniform_(0.5, 2)
            sub.num_batches_tracked.fill_(7 + seed)
    return module


def _adam_state(module: nn.Module) -> dict[str, Any]:
    """A real optimizer state dict (tensors, ints, floats, lists), as training saves it."""
    opt = torch.optim.Adam(module.parameters(), lr=2e-4, betas=(0.5, 0.999))
    sum(p.square().sum() for p in module.parameters()).backward()
    opt.step()
    return opt.state_dict()


def conv_bn(cin: int, cout: int) -> nn.Module:
    return nn.Sequential(nn.Conv2d(cin, cout, 3, padding=1), nn.BatchNorm2d(cout))


def fomm_checkpoint(seed: int = 0) -> dict[str, Any]:
    """A dict shaped like an original FOMM .pth.tar: three modules, three optimizers, epoch."""
    kp = _module({"predictor": conv_bn(3, 4), "kp": nn.Conv2d(4, 2, 1), "jacobian": nn.Conv2d(4, 8, 1)}, seed)
    kp.register_buffer("down_weight", torch.rand(3, 1, 5, 5))
    gen = _module({"first": conv_bn(3, 4), "final": nn.Conv2d(4, 3, 3)}, seed + 1)
    disc = _module({"down": conv_bn(3, 2)}, seed + 2)
    return {
        "kp_detector": kp.state_dict(),
        "generator": gen.state_dict(),
        "discriminator": disc.state_dict(),
        "optimizer_kp_detector": _adam_state(kp),
        "optimizer_generator": _adam_state(gen),
        "optimizer_discriminator": _adam_state(disc),
        "epoch": 99,
    }


def tpsmm_checkpoint(seed: int = 10) -> dict[str, Any]:
    """A dict shaped like a TPSMM training checkpoint: five modules, two optimizers, epoch."""
    modules = {
        "kp_detector": _module({"fg_encoder": conv_bn(3, 4), "fc": nn.Linear(4, 20)}, seed),
        "dense_motion_network": _module({"hourglass": conv_bn(12, 4), "maps": nn.Conv2d(4, 3, 7)}, seed + 1),
        "inpainting_network": _module({"first": conv_bn(3, 4), "final": nn.Conv2d(4, 3, 7)}, seed + 2),
        "avd_network": _module({"id_encoder": nn.Sequential(nn.Linear(20, 8), nn.BatchNorm1d(8))}, seed + 3),
        "bg_predictor": _module({"bg_encoder": conv_bn(6, 4)}, seed + 4),
    }
    ckpt: dict[str, Any] = {name: m.state_dict() for name, m in modules.items()}
    ckpt["optimizer"] = _adam_state(modules["inpainting_network"])
    ckpt["optimizer_bg_predictor"] = _adam_state(modules["bg_predictor"])
    ckpt["epoch"] = 42
    return ckpt


def save_original(ckpt: dict[str, Any], path: Path, legacy: bool) -> Path:
    """torch.save as the originals were: legacy (pre-1.6) or zip serialization."""
    torch.save(ckpt, path, _use_new_zipfile_serialization=not legacy)
    return path


def populate_hub_cache(
    cache: Path,
    repo_id: str,
    filename: str,
    data: bytes,
    revision: str = "main",
    commit: str = "0123456789abcdef0123456789abcdef01234567",
) -> Path:
    """Put a file into a Hub cache laid out as hf_hub_download leaves it (refs + snapshots)."""
    repo = cache / f"models--{repo_id.replace('/', '--')}"
    (repo / "refs").mkdir(parents=True, exist_ok=True)
    (repo / "refs" / revision).write_text(commit)
    target = repo / "snapshots" / commit / filename
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(data)
    return target


def use_offline_hub(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Make an empty offline Hub cache current; huggingface_hub read its env at import, so patch its constants."""
    cache = tmp_path / "hf_hub"
    cache.mkdir()
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("HF_HUB_CACHE", str(cache))
    monkeypatch.setattr(huggingface_hub.constants, "HF_HUB_OFFLINE", True)
    monkeypatch.setattr(huggingface_hub.constants, "HF_HUB_CACHE", str(cache))
    return cache
