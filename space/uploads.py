"""Which files a web request may make the app read: only files the web server itself received, and shipped examples.

An API caller can send any `{"path": ...}` for a file input. Such a path is read only when it is one Gradio stored
for this app (an upload, or Gradio's copy of an example) and lies inside its upload folder, or when it is one of
the app's own example files. Everything else gets one refusal that says nothing about the path, so the app cannot
be used to learn whether a server file exists, is a folder or is readable.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fomm_core.errors import UserError

FILEDATA_META = {"_type": "gradio.FileData"}


def file_paths(value: Any) -> set[str]:
    """Every `path` of a file dict found in nested lists and dicts (e.g. Gradio's processed example samples)."""
    if isinstance(value, dict):
        found = {value["path"]} if isinstance(value.get("path"), str) else set()
        return found.union(*(file_paths(v) for v in value.values()))
    if isinstance(value, (list, tuple)):
        return set().union(*(file_paths(v) for v in value))
    return set()


def refusal(what: str) -> str:
    """The one message for any file a request may not read."""
    return (
        f"The {what} was not uploaded to this app. Upload it again: in the page, or from the API with "
        "gradio_client.handle_file(...)."
    )


def _real(path: str | os.PathLike[str]) -> str:
    return os.path.realpath(os.path.abspath(path))


def _within(path: str, folder: str) -> bool:
    return path == folder or path.startswith(folder.rstrip(os.sep) + os.sep)


@dataclass(frozen=True)
class UploadCheck:
    """The rule for one app: its upload folder, a test for paths the server received, and its example files."""

    upload_dir: str | os.PathLike[str]
    received: Callable[[str], bool] = lambda path: False
    shipped: Iterable[str | os.PathLike[str]] = ()
    _shipped: frozenset[str] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_shipped", frozenset(_real(p) for p in self.shipped))

    def allows(self, path: str) -> bool:
        """True when `path` is a shipped example, or a file the server received inside its upload folder."""
        real = _real(path)
        if real in self._shipped:
            return True
        return self.received(path) and _within(real, _real(self.upload_dir))

    def path(self, upload: str | dict[str, Any] | None, what: str) -> str | None:
        """The path to read for an upload (None when there is none), or UserError with the one refusal."""
        if isinstance(upload, dict):
            if upload.get("path") in (None, ""):
                return None
            if upload.get("meta") != FILEDATA_META:
                raise UserError(refusal(what))
            upload = upload["path"]
        if upload in (None, ""):
            return None
        if not isinstance(upload, (str, Path)) or not self.allows(str(upload)):
            raise UserError(refusal(what))
        return str(upload)
