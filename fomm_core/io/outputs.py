"""Where a command may write: never over one of its inputs, never over anything but a regular file, and over an
existing file only when asked (`overwrite`).

Every result is written to a temporary file in the destination folder and renamed into place only after the
rules are checked once more, so a device node, a folder or an input can never be replaced, not even by a race.
"""

from __future__ import annotations

import errno
import os
import stat
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

from ..errors import UserError

OVERWRITE_HINT = "pass --overwrite to replace it, or choose another path"


def _same(a: str | os.PathLike, b: str | os.PathLike) -> bool:
    if os.path.realpath(a) == os.path.realpath(b):
        return True
    try:
        return os.path.samefile(a, b)
    except OSError:
        return False


def check_output(
    path: str | os.PathLike,
    inputs: Iterable[str | os.PathLike | None] = (),
    overwrite: bool = False,
    what: str = "output",
) -> Path:
    """The resolved path to write, after refusing an input, an existing non-regular file, or (unless `overwrite`)
    an existing file, each with a UserError that names the path."""
    target = Path(os.path.realpath(path))
    for given in inputs:
        if given is not None and _same(given, path):
            raise UserError(
                f"The {what} {os.fspath(path)} is the input {os.fspath(given)}: writing it would destroy "
                "the input. Choose another output path."
            )
    try:
        mode = os.stat(target).st_mode
    except FileNotFoundError:
        return target
    except OSError as exc:
        raise UserError(f"The {what} {os.fspath(path)} cannot be checked ({exc.strerror}).") from None
    if stat.S_ISDIR(mode):
        raise UserError(
            f"The {what} {os.fspath(path)} is a folder. Give a file name, e.g. {Path(path) / 'result.mp4'}."
        )
    if not stat.S_ISREG(mode):
        raise UserError(
            f"The {what} {os.fspath(path)} exists and is not a regular file (a device, pipe or socket); "
            "it is never replaced. Choose another output path."
        )
    if not overwrite:
        raise UserError(f"The {what} {os.fspath(path)} already exists; {OVERWRITE_HINT}.")
    return target


def publish(
    tmp: str | os.PathLike, path: str | os.PathLike, overwrite: bool = True, what: str = "output"
) -> Path:
    """Rename the finished temporary file onto `path` if the rules still allow it (else delete it and refuse)."""
    try:
        target = check_output(path, overwrite=overwrite, what=what)
    except UserError:
        Path(tmp).unlink(missing_ok=True)
        raise
    os.replace(tmp, target)
    return target


def temporary_beside(path: str | os.PathLike, suffix: str = "") -> Path:
    """A new empty hidden file in the folder of `path` (created with it), to be published onto `path`."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(
        prefix=f".{target.stem}.partial-", suffix=suffix or target.suffix, dir=target.parent
    )
    os.close(fd)
    return Path(tmp)


@contextmanager
def written(
    path: str | os.PathLike,
    inputs: Iterable[str | os.PathLike | None] = (),
    overwrite: bool = False,
    what: str = "output",
) -> Iterator[Path]:
    """Checks `path`, yields a temporary file beside it to write, then publishes it (removed on any failure).

    Disk-full and other OS errors while writing become a UserError naming the path and the cause.
    """
    target = check_output(path, inputs, overwrite, what)
    tmp = temporary_beside(target)
    try:
        yield tmp
        publish(tmp, target, overwrite=overwrite, what=what)
    except OSError as exc:
        raise UserError(write_failure(path, exc, what)) from None
    finally:
        tmp.unlink(missing_ok=True)


def write_failure(path: str | os.PathLike, exc: OSError, what: str = "output") -> str:
    """The message for an OS error while writing `path`: a full disk is called that."""
    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        return f"The disk holding {os.fspath(path)} is full: the {what} could not be written. Free some space or choose another folder."
    return (
        f"The {what} {os.fspath(path)} could not be written ({exc.strerror or exc}). Choose a writable path."
    )


def check_folder(path: str | os.PathLike, what: str = "output folder") -> Path:
    """`path` as a folder to write into: refused when it exists and is not a folder (a file or a device)."""
    target = Path(path)
    if target.exists() and not target.is_dir():
        raise UserError(
            f"The {what} {os.fspath(path)} exists and is not a folder; give a folder path (it is created)."
        )
    return target
