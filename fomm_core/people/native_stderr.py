"""Native libraries' chatter on file descriptor 2, kept out of the user's terminal."""

from __future__ import annotations

import os
import sys
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager

_lock = threading.Lock()  # one redirection at a time: each must restore the descriptor the other saved


@contextmanager
def without_native_lines(*fragments: str) -> Iterator[None]:
    """Leave out of fd 2 the lines that native code writes during the block and that contain a fragment.

    Everything else written to fd 2 meanwhile (a native error, another thread's log line) is written back after
    the block; fd 2 is restored however the block ends. Where fd 2 cannot be redirected, nothing is filtered.
    """
    with _lock, tempfile.TemporaryFile() as captured:
        sys.stderr.flush()
        try:
            saved = os.dup(2)
        except OSError:
            yield
            return
        try:
            os.dup2(captured.fileno(), 2)
            yield
        finally:
            sys.stderr.flush()
            os.dup2(saved, 2)
            os.close(saved)
            captured.seek(0)
            kept = [line for line in captured.read().splitlines(keepends=True) if not _has(line, fragments)]
            if kept:
                os.write(2, b"".join(kept))


def _has(line: bytes, fragments: tuple[str, ...]) -> bool:
    return any(fragment.encode() in line for fragment in fragments)
