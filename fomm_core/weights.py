"""Checkpoint files: safe reading of original .pth.tar, safetensors, sha256, and the converted cache."""

from __future__ import annotations

import json
import logging
import os
import pickle
import re
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch
from huggingface_hub import hf_hub_download, try_to_load_from_cache
from safetensors import SafetensorError, safe_open
from safetensors.torch import save_file

from .cache import cache_dir
from .config import (
    PRESETS,
    ModelConfig,
    check_config,
    config_from_model_params,
    config_to_model_params,
    load_config,
)
from .engines import engine_claiming
from .errors import UserError
from .hashing import file_sha256 as _compute_sha256
from .io.outputs import publish
from .registry import PACKAGE_DIR, REGISTRY, CheckpointEntry

log = logging.getLogger(__name__)

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


def _temp_name(path: Path) -> Path:
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
    tmp = _temp_name(path)
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


def inference_state(state: State) -> State:
    """Only the modules inference loads, in the engine's order; missing required ones are an error."""
    engine = engine_claiming(state)
    missing = [m for m in engine.required_modules if m not in state]
    if missing:
        raise UserError(
            f"This {engine.name.upper()} checkpoint lacks {', '.join(missing)}; it cannot animate. "
            "Use a complete checkpoint."
        )
    return {m: state[m] for m in engine.modules if m in state}


def _hash_index_path() -> Path:
    return cache_dir() / "sha256.json"


def _read_hash_index() -> dict[str, Any]:
    try:
        return json.loads(_hash_index_path().read_text())
    except (OSError, ValueError):
        return {}


def checkpoint_sha256(path: str | Path) -> str:
    """The sha256 of a checkpoint file, remembered per (real path, size, mtime) so big files are hashed once."""
    real = Path(path).resolve()
    st = real.stat()
    stamp = [st.st_size, st.st_mtime_ns]
    index = _read_hash_index()
    known = index.get(str(real))
    if isinstance(known, dict) and known.get("stamp") == stamp:
        return known["sha256"]
    digest = _compute_sha256(real)
    index[str(real)] = {"stamp": stamp, "sha256": digest}
    target = _hash_index_path()
    tmp = _temp_name(target)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp.write_text(json.dumps(index))
        os.replace(tmp, target)
    except OSError as exc:
        log.debug("could not remember the sha256 of %s: %s", real, exc)
    finally:
        tmp.unlink(missing_ok=True)
    return digest


def verify_sha256(path: Path, expected: str | None) -> str:
    """Check a file against its expected sha256 (UserError on mismatch); log it when none is expected."""
    actual = checkpoint_sha256(path)
    if expected is None:
        log.info("sha256 of %s is %s (no expected hash recorded)", path.name, actual)
    elif actual != expected.lower():
        raise UserError(
            f"{path.name} is damaged or not the expected file: sha256 {actual}, expected {expected}. "
            f"Delete {path} and try again."
        )
    return actual


@dataclass(frozen=True)
class LoadedState:
    """Inference state dicts of a checkpoint and what is known about them."""

    state: State
    engine: str
    config: ModelConfig | None
    sha256: str  # of the original file (the .pth.tar, not our converted copy)
    name: str
    source_path: Path


def _entry_config(entry: CheckpointEntry) -> ModelConfig | None:
    """The registry entry's config: a preset, or a YAML shipped beside an embedded model (None if absent)."""
    if entry.config in PRESETS:
        return PRESETS[entry.config]
    local = PACKAGE_DIR / entry.config
    return load_config(local) if local.is_file() else None


# TPSMM's Tai-Chi model: the best full-body weights we can load (TPSMM vs FOMM on Tai-Chi-HD: L1 0.045 vs
# 0.063, AKD 4.57 vs 6.86, MKR 0.018 vs 0.036), so it is the default wherever its file is present.
PREFERRED = "tpsmm-taichi"


def is_on_this_machine(name: str) -> bool:
    """Whether a registry checkpoint can load without a download: shipped, or already in the Hub cache."""
    entry = REGISTRY[name]
    if entry.repo_id is None:
        return (PACKAGE_DIR / entry.filename).is_file()
    return isinstance(try_to_load_from_cache(entry.repo_id, entry.filename, revision=entry.revision), str)


def preferred_model() -> str:
    """The model to use when none is named: TPSMM taichi when its weights are here (preloaded on the Space,
    or downloaded before), else the embedded default model, which always works offline."""
    return PREFERRED if is_on_this_machine(PREFERRED) else "default"


def fetch(name: str) -> Path:
    """The local path of a registry checkpoint: downloaded (or found in the Hub cache) and sha256-checked."""
    entry = REGISTRY.get(name)
    if entry is None:
        raise UserError(f"Unknown checkpoint {name!r}: use one of {', '.join(REGISTRY)}.")
    if entry.repo_id is None:
        path = PACKAGE_DIR / entry.filename
        if not path.is_file():
            raise UserError(
                f"The embedded {name!r} model is missing ({path}); reinstall fomm_core "
                "or pass another checkpoint."
            )
    else:
        try:
            path = Path(hf_hub_download(entry.repo_id, entry.filename, revision=entry.revision))
        except Exception as exc:  # the hub client raises many unrelated types (HTTP, offline, cache, OS)
            raise UserError(
                f"The {name!r} weights ({entry.repo_id}/{entry.filename}) could not be fetched "
                f"({type(exc).__name__}). Check the internet connection and try again, or use the embedded "
                "'default' model, which works offline."
            ) from exc
    verify_sha256(path, entry.sha256)
    return path


def _converted(path: Path, sha256: str, config: ModelConfig | None) -> tuple[State, dict[str, str]]:
    """Inference modules of a .pth.tar via the safetensors cache (written on first load)."""
    cached = cache_dir() / "converted" / f"{sha256}.safetensors"
    if cached.is_file():
        try:
            return read_safetensors(cached)
        except UserError as exc:
            log.warning("ignoring unreadable cached conversion %s: %s", cached, exc)
    state, info = read_checkpoint_with_info(path)
    state = inference_state(state)
    meta = {**info, "source_sha256": sha256, "source_name": path.name}
    try:
        write_safetensors(state, cached, config=config, metadata=meta)
    except OSError as exc:
        log.warning("could not cache a safetensors copy of %s in %s: %s", path.name, cached.parent, exc)
    return state, meta


CHECKPOINT_SUFFIXES = (".pth", ".tar", ".pt", ".ckpt", ".bin", ".safetensors")


def _looks_like_path(spec: str) -> bool:
    """Whether a checkpoint argument was meant as a file (has a folder separator or a checkpoint suffix)."""
    return "/" in spec or os.sep in spec or spec.lower().endswith(CHECKPOINT_SUFFIXES)


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


def load_state(spec: str | Path) -> LoadedState:
    """Inference state dicts from a registry name or a .pth.tar/.safetensors path (fetched, verified, cached)."""
    entry = REGISTRY.get(str(spec)) if isinstance(spec, str) else None
    if entry is not None:
        path = fetch(entry.name)
        sha256 = checkpoint_sha256(path)
        name = entry.name
    else:
        path = Path(spec)
        if not path.is_file() and _looks_like_path(str(spec)):
            raise UserError(
                f"Checkpoint file not found: {spec}. Check the path, or use a registry name: "
                f"{', '.join(REGISTRY)}."
            )
        if not path.is_file():
            raise UserError(
                f"Unknown checkpoint {str(spec)!r}: use one of {', '.join(REGISTRY)} "
                "or a path to a .pth.tar or .safetensors file."
            )
        sha256 = checkpoint_sha256(path)
        entry = next((e for e in REGISTRY.values() if e.sha256 == sha256), None)
        name = path.name
    config = _entry_config(entry) if entry is not None else None
    if path.suffix == ".safetensors":
        state, meta = read_safetensors(path)
        state = inference_state(state)
    else:
        state, meta = _converted(path, sha256, config)
    if config is None:
        config = config_from_metadata(meta)
    return LoadedState(
        state=state, engine=detect_engine(state), config=config, sha256=sha256, name=name, source_path=path
    )
