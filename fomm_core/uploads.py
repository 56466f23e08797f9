"""Which files a web request may make the app read: only files the web server itself received, and shipped examples.

An API caller can send any `{"path": ...}` for a file input. Such a path is read only when it is one Gradio stored
for this app (an upload, or Gradio's copy of an example) and lies inside its upload folder, or when it is one of
the app's own example files. Everything else gets one refusal that says nothing about the path, so the app cannot
be used to learn whether a server file exists, is a folder or is readable.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import UserError

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


# Gradio's API routes that carry a call's inputs in the JSON body's "data": the queue, and /call or /run by name
_API_CALL = re.compile(r"/gradio_api/(?:queue/join|(?:call|run|api)/(?P<name>[\w-]+))/?$")


def file_inputs(blocks: Any) -> dict[int | str, dict[int, str]]:
    """The file inputs people upload to, per event of a Gradio Blocks (by index and API name): position → what the
    file is. Components that only show the app's own files (`interactive=False`, e.g. the result) are left out."""
    import gradio as gr

    kinds = ((gr.Image, "photo"), (gr.Video, "dance clip"), (gr.Audio, "file"), (gr.File, "file"))
    found: dict[int | str, dict[int, str]] = {}
    for index, fn in blocks.fns.items():
        files = {
            i: next(what for kind, what in kinds if isinstance(block, kind))
            for i, block in enumerate(fn.inputs)
            if isinstance(block, tuple(kind for kind, _ in kinds)) and block.interactive is not False
        }
        found[index] = files
        if fn.api_name:
            found[str(fn.api_name)] = files
    return found


def _received_file(value: Any, check: UploadCheck) -> bool:
    """Whether a file input's value is empty or names a file the app received (a server path is not)."""
    if value in (None, ""):
        return True
    if isinstance(value, dict):
        path = value.get("path")
        return path in (None, "") or (
            value.get("meta") == FILEDATA_META and isinstance(path, str) and check.allows(path)
        )
    return False


class UnreceivedFiles:
    """ASGI middleware: an API call naming a file the app did not receive (a server path, with or without Gradio's
    file marker) is answered with the one refusal (HTTP 400) before Gradio tries to copy the file, which would log
    a traceback and answer with an empty error."""

    def __init__(self, app: Any, check: UploadCheck, inputs: Callable[[], dict[int | str, dict[int, str]]]):
        self.app = app
        self.check = check
        self.inputs = inputs

    async def __call__(self, scope: dict, receive: Callable, send: Callable) -> None:
        """Refuse an API call with an unreceived file; pass every other request on untouched."""
        route = _API_CALL.search(scope.get("path", "")) if scope["type"] == "http" else None
        if route is None or scope.get("method") != "POST":
            await self.app(scope, receive, send)
            return
        body, more = b"", True
        while more:
            message = await receive()
            body += message.get("body", b"")
            more = message.get("more_body", False)
        what = self._unreceived(body, route["name"])
        if what is not None:
            answer = json.dumps({"detail": refusal(what)}).encode()
            headers = [(b"content-type", b"application/json"), (b"content-length", str(len(answer)).encode())]
            await send({"type": "http.response.start", "status": 400, "headers": headers})
            await send({"type": "http.response.body", "body": answer})
            return
        sent = False

        async def replay() -> dict:
            nonlocal sent
            if sent:
                return await receive()
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}

        await self.app(scope, replay, send)

    def _unreceived(self, body: bytes, name: str | None) -> str | None:
        """What the first file input holding an unreceived file is ("photo", ...), or None."""
        try:
            payload = json.loads(body)
        except ValueError:
            return None
        if not isinstance(payload, dict) or not isinstance(payload.get("data"), list):
            return None
        key = name if name is not None else payload.get("fn_index")
        files = self.inputs().get(key, {}) if isinstance(key, (int, str)) else {}
        data = payload["data"]
        return next(
            (
                what
                for i, what in sorted(files.items())
                if i < len(data) and not _received_file(data[i], self.check)
            ),
            None,
        )
