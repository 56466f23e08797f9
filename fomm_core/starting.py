"""`python -m fomm_core` while it loads (importing torch takes about a second): a stop signal then ends the process
with one line, not a traceback, since nothing has been written yet."""

from __future__ import annotations

import os
import signal

SIGNALS = tuple(getattr(signal, name) for name in ("SIGINT", "SIGTERM", "SIGHUP") if hasattr(signal, name))


def _stop_while_starting(signum: int, _frame: object) -> None:
    name = "Ctrl-C (SIGINT)" if signum == signal.SIGINT else signal.Signals(signum).name
    os.write(2, f"stopped by {name} while starting: nothing was done.\n".encode())
    os._exit(128 + signum)


def stop_quietly_while_starting() -> None:
    """Until a command installs its own handling, SIGINT/SIGTERM/SIGHUP end the process at once with one line."""
    for signum in SIGNALS:
        signal.signal(signum, _stop_while_starting)


def ignore_stop_signals() -> None:
    """After the command has finished, a late stop signal changes nothing."""
    for signum in SIGNALS:
        signal.signal(signum, signal.SIG_IGN)
