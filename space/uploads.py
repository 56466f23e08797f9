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


# Gradio's API routes that carry a call's inputs in the JSON body's "data": the queue, and /call or /run by name
_API_CALL = re.compile(r"/gradio_api/(?:queue/join|(?:call|run|api)/(?P<name>[\w-]+))/?$")


@dataclass(frozen=True)
class FileInput:
    """A file input of an event: what it holds ("photo", "dance clip", "file") and whether Gradio takes a plain
    `{"path": ...}` for it (images do; videos and files want Gradio's file marker)."""

    what: str
    takes_plain_path: bool


def file_inputs(blocks: Any) -> dict[int | str, dict[int, FileInput]]:
    """The file inputs people upload to, per event of a Gradio Blocks (by index and API name), by position.
    Components that only show the app's own files (`interactive=False`, e.g. the result) are left out."""
    import gradio as gr

    kinds = ((gr.Image, "photo"), (gr.Video, "dance clip"), (gr.Audio, "file"), (gr.File, "file"))
    found: dict[int | str, dict[int, FileInput]] = {}
    for index, fn in blocks.fns.items():
        files = {
            i: FileInput(
                next(what for kind, what in kinds if isinstance(block, kind)), isinstance(block, gr.Image)
            )
            for i, block in enumerate(fn.inputs)
            if isinstance(block, tuple(kind for kind, _ in kinds)) and block.interactive is not False
        }
        found[index] = files
        if fn.api_name:
            found[str(fn.api_name)] = files
    return found


def _received_file(value: Any, check: UploadCheck) -> bool:
    """Whether a file input's value is empty or names files the app received (a server path is not); a list
    (the friends' photos) only when each of its files was received."""
    if value in (None, ""):
        return True
    if isinstance(value, list):
        return all(_received_file(v, check) for v in value)
    if isinstance(value, dict):
        path = value.get("path")
        return path in (None, "") or (
            value.get("meta") == FILEDATA_META and isinstance(path, str) and check.allows(path)
        )
    return False


def _answer(status: int, detail: Any) -> tuple[int, bytes]:
    return status, json.dumps({"detail": detail}).encode()


class UnreceivedFiles:
    """ASGI middleware: an API call naming a file the app did not receive (a server path, with or without Gradio's
    file marker, or as a plain string) gets the one refusal before Gradio tries to copy the file, which would log a
    traceback and answer with an empty error.

    A REST call (/call, /run) is answered HTTP 400 with the refusal; a queued call (what gradio_client and the page
    use) HTTP 422 in the form of Gradio's input validation, which gradio_client raises as a ValidationError naming
    the input. A plain `{"path": ...}` for a photo is let through: the app's UploadCheck refuses it the same way.
    """

    def __init__(
        self, app: Any, check: UploadCheck, inputs: Callable[[], dict[int | str, dict[int, FileInput]]]
    ):
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
        refused = self._refusal(body, route["name"])
        if refused is not None:
            status, answer = refused
            headers = [(b"content-type", b"application/json"), (b"content-length", str(len(answer)).encode())]
            await send({"type": "http.response.start", "status": status, "headers": headers})
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

    def _refusal(self, body: bytes, name: str | None) -> tuple[int, bytes] | None:
        """The answer to a call whose file inputs hold an unreceived file (None: let it through)."""
        try:
            payload = json.loads(body)
        except ValueError:
            return None
        if not isinstance(payload, dict) or not isinstance(payload.get("data"), list):
            return None
        queued = name is None
        key = payload.get("fn_index") if queued else name
        files = self.inputs().get(key, {}) if isinstance(key, (int, str)) else {}
        data = payload["data"]
        for i, file in sorted(files.items()):
            value = data[i] if i < len(data) else None
            if _received_file(value, self.check):
                continue
            plain = isinstance(value, dict) and "meta" not in value
            if queued and plain and file.takes_plain_path:
                return None
            if not queued:
                return _answer(400, refusal(file.what))
            checks = [
                {"__type__": "validate", "is_valid": j != i, "message": refusal(file.what) if j == i else ""}
                | ({"parameter_name": file.what} if j == i else {})
                for j in range(len(data))
            ]
            return _answer(422, checks)
        return None
