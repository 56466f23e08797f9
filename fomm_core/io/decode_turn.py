"""One memory budget for large decodes: in one process (the app's previews and its renders alike) at most one
large image is decoded at a time, so two uploads cannot add up their decoding memory."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

#: Decodes of more pixels than the working size (2048²) wait for their turn.
LARGE_DECODE_PIXELS = 2048 * 2048
_TURN = threading.RLock()


@contextmanager
def decode_turn(pixels: int) -> Iterator[None]:
    """Hold the one large-decode turn while decoding `pixels` pixels, when that is more than the working size."""
    if pixels <= LARGE_DECODE_PIXELS:
        yield
        return
    with _TURN:
        yield
