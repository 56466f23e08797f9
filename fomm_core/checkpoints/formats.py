"""Checkpoint files on disk: the original .pth.tar (read without running pickled code) and safetensors (read and
written atomically, with the model config in its metadata); weights are read as float32, other types refused."""

from __future__ import annotations

import json
import os
import pickle
import re
import uuid
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import torch
from safetensors import SafetensorError, safe_open
from safetensors.torch import save_file

from ..config import ModelConfig, check_config, config_from_model_params, config_to_model_params
from ..engines import engine_claiming
from ..errors import UserError
from ..io.outputs import publish

State = dict[str, dict[str, torch.Tensor]]

FORMAT = "fomm_core"


def _strip_parallel(key: str) -> str:
    """A state-dict key without the `module.` prefix nn.DataParallel adds."""
    return key[len("module.") :] if key.startswith("module.") else key


def _is_module_state(value: Any) -> bool:
    """Whether a checkpoint entry is a module state dict (a non-empty mapping of tensors only)."""
    return (
        isinstance(value, Mapping)
        and bool(value)
        and all(isinstance(t, torch.Tensor) for t in value.values())
    )


#: The weight types a checkpoint may store; they are read as float32.
WEIGHT_DTYPES = (torch.float16, torch.bfloat16, torch.float32, torch.float64)
#: Batch-norm counters, the only integer tensors a checkpoint holds.
COUNTER_DTYPES = (torch.int64, torch.int32)


def _as_float32(tensor: torch.Tensor, key: str, source: str) -> torch.Tensor:
    """Weights as float32, counters (num_batches_tracked) unchanged; any other type refused by name."""
    if tensor.dtype in WEIGHT_DTYPES:
        return tensor.float()
    if key.endswith("num_batches_tracked") and tensor.dtype in COUNTER_DTYPES:
        return tensor
    dtype = str(tensor.dtype).removeprefix("torch.")
    raise UserError(
        f"{source} stores {key} as {dtype}; only float16, bfloat16, float32 and float64 weights can be loaded "
        "(quantized checkpoints are not supported). Use the original checkpoint, or convert it with "
        "`python -m fomm_core convert`."
    )


def _group_modules(raw: Mapping[str, Any], source: str) -> State:
    """Module name → state dict, from nested module dicts and/or flat `module.key` tensors."""
    state: State = {}
    for name, value in raw.items():
        if name.startswith("optimizer"):
            continue
        if _is_module_state(value):
            state.setdefault(name, {}).update(
                {_strip_parallel(k): _as_float32(t, f"{name}.{k}", source) for k, t in value.items()}
            )
        elif isinstance(value, torch.Tensor) and "." in name:
            module, key = name.split(".", 1)
            state.setdefault(module, {})[_strip_parallel(key)] = _as_float32(value, name, source)
    return state


def _load_error_detail(message: str) -> str:
    """The informative part of a torch.load error message."""
    # torch words a refused global in several ways ("GLOBAL x.y was not an allowed global", "unsupported
    # GLOBAL x.y whose module x is blocked"); the name always follows the word GLOBAL.
    unsafe = re.search(r"\bGLOBAL\s+([\w.]+)", message)
    if unsafe:
        return f"its pickle asks to call {unsafe.group(1).rstrip('.')}, which could run code"
    unpickler = re.search(r"WeightsUnpickler error:\s*(.+)", message)
    if unpickler:
        return unpickler.group(1).strip()
    return next((line.split(". ")[0] for line in message.splitlines() if line.strip()), "unknown error")


def _torch_load(path: Path) -> Any:
    """torch.load restricted to plain data and tensors, storages mapped to the CPU."""
    try:
        return torch.load(path, map_location="cpu", weights_only=True)
    except pickle.UnpicklingError as exc:
        raise UserError(
            f"{path.name} is not a plain checkpoint of tensors ({_load_error_detail(str(exc))}). It may carry code, "
            "be damaged, or not be a PyTorch checkpoint; we never execute pickled code, so it cannot be loaded. "
            "Use an original .pth.tar or a .safetensors file, or download it again."
        ) from None
    except Exception as exc:  # zip, storage and EOF errors have no common base type
        raise UserError(
            f"{path.name} could not be read as a PyTorch checkpoint ({_load_error_detail(str(exc))}); "
            "it may be damaged or incomplete: download it again."
        ) from None


def read_checkpoint_with_info(path: str | Path) -> tuple[State, dict[str, str]]:
    """Module state dicts of a .pth.tar or .safetensors file, and its info (`epoch`, safetensors metadata)."""
    path = Path(path)
    if not path.is_file():
        raise UserError(f"Checkpoint file not found: {path}. Check the path.")
    if path.suffix == ".safetensors":
        return read_safetensors(path)
    raw = _torch_load(path)
    if not isinstance(raw, Mapping):
        raise UserError(
            f"{path.name} holds a {type(raw).__name__}, not a checkpoint dict of module state dicts."
        )
    state = _group_modules(raw, path.name)
    if not state:
        raise UserError(
            f"{path.name} has no module state dicts (found keys: {', '.join(map(str, raw))}); "
            "pass an original FOMM or TPSMM checkpoint."
        )
    epoch = raw.get("epoch")
    info = {"epoch": str(int(epoch))} if isinstance(epoch, (int, torch.Tensor)) else {}
    return state, info


def read_checkpoint(path: str | Path) -> State:
    """Module name → state dict of a checkpoint (.pth.tar legacy or zip, or .safetensors); optimizers dropped."""
    return read_checkpoint_with_info(path)[0]


def read_safetensors(path: str | Path) -> tuple[State, dict[str, str]]:
    """Module state dicts (float32) and metadata of a safetensors file with `module.key` names."""
    path = Path(path)
    try:
        with safe_open(str(path), framework="pt", device="cpu") as f:
            metadata = dict(f.metadata() or {})
            flat = {name: f.get_tensor(name) for name in f.keys()}
    except (SafetensorError, OSError) as exc:
        raise UserError(
            f"{path.name} could not be read as safetensors ({exc}); download or convert it again."
        ) from None
    state = _group_modules(flat, path.name)
    if not state:
        raise UserError(f"{path.name} has no tensors named `module.key`; it was not written by fomm_core.")
    order = metadata.get("modules", "").split(",")
    state = {m: state[m] for m in sorted(state, key=lambda m: order.index(m) if m in order else len(order))}
    return state, metadata


def temp_name(path: Path) -> Path:
    """A unique hidden name beside `path` (created with normal permissions, unlike mkstemp's 0600)."""
    return path.with_name(f".{path.name}.{os.getpid()}.{uuid.uuid4().hex[:8]}.tmp")


def _prepared(tensor: torch.Tensor, half: bool) -> torch.Tensor:
    """A contiguous CPU copy to store: fp16 when asked, unless values would overflow it."""
    tensor = tensor.detach().cpu()
    if half and tensor.is_floating_point():
        small = tensor.half()
        if torch.equal(torch.isfinite(small), torch.isfinite(tensor)):
            return small.contiguous()
    return tensor.contiguous().clone()


def write_safetensors(
    state: Mapping[str, Mapping[str, torch.Tensor]],
    path: str | Path,
    *,
    half: bool = False,
    config: ModelConfig | None = None,
    metadata: Mapping[str, str] | None = None,
) -> Path:
    """Write module state dicts as one flat safetensors file (`module.key`), atomically.

    Metadata: `format=fomm_core`, `engine`, `dtype`, `modules` (their order); with a config also
    `model_params` (original-style JSON) and `frame_size`; then any `metadata` given. `half` stores floating
    tensors as fp16, except those that would overflow it.
    """
    path = Path(path)
    meta = {
        "format": FORMAT,
        "engine": detect_engine(state),
        "dtype": "float16" if half else "float32",
        "modules": ",".join(state),
    }
    if config is not None:
        meta["model_params"] = json.dumps(config_to_model_params(config), sort_keys=True)
        meta["frame_size"] = str(config.frame_size)
    for key, value in (metadata or {}).items():
        if not isinstance(key, str) or not isinstance(value, str):
            raise TypeError(f"safetensors metadata must map str to str, got {key!r}: {value!r}")
        meta[key] = value
    flat = {f"{module}.{key}": _prepared(t, half) for module, sd in state.items() for key, t in sd.items()}
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = temp_name(path)
    try:
        try:
            save_file(flat, str(tmp), metadata=meta)
        except SafetensorError as exc:  # its I/O errors carry the OS error number only in the text
            code = re.search(r"os error (\d+)", str(exc))
            if code is None:
                raise
            raise OSError(int(code[1]), os.strerror(int(code[1])), str(path)) from None
        publish(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    return path


def config_from_metadata(metadata: Mapping[str, str]) -> ModelConfig | None:
    """The model config recorded in safetensors metadata, or None."""
    if "model_params" not in metadata:
        return None
    source = "The checkpoint's metadata"
    try:
        frame_size = int(metadata.get("frame_size", 256))
    except ValueError:
        raise UserError(
            f"{source}: frame_size must be a whole number, not {metadata['frame_size']!r}."
        ) from None
    try:
        config = config_from_model_params(json.loads(metadata["model_params"]), frame_size=frame_size)
    except (AttributeError, TypeError, ValueError, KeyError) as exc:
        raise UserError(
            f"{source} holds no readable model config (model_params: {exc}); pass config= a preset "
            "or the original YAML."
        ) from None
    return check_config(config, source)


def detect_engine(state: Mapping[str, Any]) -> str:
    """The name of the engine whose checkpoint has these modules (a UserError when none claims them)."""
    return engine_claiming(state).name
