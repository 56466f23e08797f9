"""Entry point for `python -m fomm_core`."""

import os
import signal
import sys


def _stop_while_starting(signum: int, _frame: object) -> None:
    """A stop signal while the command is still loading: nothing has been written yet, so leave at once."""
    name = "Ctrl-C (SIGINT)" if signum == signal.SIGINT else signal.Signals(signum).name
    os.write(2, f"stopped by {name} while starting: nothing was done.\n".encode())
    os._exit(128 + signum)


_SIGNALS = [getattr(signal, name) for name in ("SIGINT", "SIGTERM", "SIGHUP") if hasattr(signal, name)]
for _signum in _SIGNALS:
    signal.signal(_signum, _stop_while_starting)

from .cli import main  # noqa: E402 (after the handlers: importing the commands takes about a second)

_code = main()
for _signum in _SIGNALS:  # the command has finished: a late signal changes nothing
    signal.signal(_signum, signal.SIG_IGN)
sys.exit(_code)
