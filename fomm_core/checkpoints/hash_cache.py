"""Checkpoint hashes: remembered per file in the cache folder, so a big file is hashed once, and checked."""

from __future__ import annotations

import json
import logging
import os
from pathlib import Path
from typing import Any

from ..cache import cache_dir
from ..errors import UserError
from ..hashing import file_sha256 as _compute_sha256
from .formats import temp_name

log = logging.getLogger(__name__)


def _hash_index_path() -> Path:
    return cache_dir() / "sha256.json"


def _read_hash_index() -> dict[str, Any]:
    try:
        return json.loads(_hash_index_path().read_text())
    except (OSError, ValueError):
        return {}


def checkpoint_sha256(path: str | Path) -> str:
    """The sha256 of a file, remembered per (real path, size, mtime) so big files are hashed once."""
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
    tmp = temp_name(target)
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
