"""Registry checkpoints on this machine: found in the package or the Hub cache, else downloaded, and hash-checked.

Downloads go through huggingface_hub, so its settings apply (HF_HUB_OFFLINE, HF_HUB_CACHE).
"""

from __future__ import annotations

from pathlib import Path

from huggingface_hub import hf_hub_download, try_to_load_from_cache

from ..errors import UserError
from .hash_cache import verify_sha256
from .registry import REGISTRY, shipped_path

# TPSMM's Tai-Chi model: the best full-body weights we can load (TPSMM vs FOMM on Tai-Chi-HD: L1 0.045 vs
# 0.063, AKD 4.57 vs 6.86, MKR 0.018 vs 0.036), so it is the default wherever its file is present.
PREFERRED = "tpsmm-taichi"


def is_on_this_machine(name: str) -> bool:
    """Whether a registry checkpoint can load without a download: shipped, or already in the Hub cache."""
    entry = REGISTRY[name]
    if entry.repo_id is None:
        return shipped_path(entry).is_file()
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
        path = shipped_path(entry)
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
