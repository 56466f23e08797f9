"""Models loaded once per process by registry name, and which registry models can run here now."""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
from collections.abc import Callable
from urllib.parse import urlparse

from huggingface_hub import constants as hub_constants

from fomm_core.checkpoints.fetch import is_on_this_machine
from fomm_core.checkpoints.load import load_model
from fomm_core.checkpoints.registry import REGISTRY, model_names
from fomm_core.engines.motion_model import MotionModel
from fomm_core.errors import UserError

log = logging.getLogger(__name__)

DEFAULT = "default"
RETRY_AFTER_S = 600
HUB_PROBE_TIMEOUT_S = 2.0


def _offline_by_environment() -> bool:
    return os.environ.get("HF_HUB_OFFLINE", "").strip().upper() in {"1", "ON", "YES", "TRUE"}


def hub_reachable(timeout: float = HUB_PROBE_TIMEOUT_S) -> bool:
    """Whether the Hugging Face Hub can be reached: no when HF_HUB_OFFLINE is set, else one quick connection."""
    if _offline_by_environment():
        return False
    host = urlparse(hub_constants.ENDPOINT).hostname or "huggingface.co"
    try:
        socket.create_connection((host, 443), timeout=timeout).close()
    except OSError:
        return False
    return True


def _set_hub_offline(offline: bool) -> None:
    # huggingface_hub reads this flag before every request: set, a cached file loads at once and a missing one
    # fails at once, where otherwise each download retries for about 24 s before giving up.
    hub_constants.HF_HUB_OFFLINE = offline or _offline_by_environment()


class ModelCache:
    """Models loaded once per process by registry name; a model that cannot load gives way to the default.

    `loader` loads a registry name (default: load_model on `device`), `is_local` says whether a model's weights
    are on this machine and `probe` whether the Hub can be reached; tests replace all three.
    """

    def __init__(
        self,
        loader: Callable[[str], MotionModel] | None = None,
        retry_after: float = RETRY_AFTER_S,
        device: str | None = None,
        is_local: Callable[[str], bool] = is_on_this_machine,
        probe: Callable[[], bool] = hub_reachable,
    ):
        self.loader = loader or (lambda name: load_model(name, device=device))
        self.retry_after = retry_after
        self.is_local = is_local
        self.probe = probe
        self._models: dict[str, MotionModel] = {}
        self._failed: dict[str, tuple[float, str]] = {}
        self._online: tuple[float, bool] | None = None
        self._lock = threading.RLock()

    def online(self) -> bool:
        """Whether the Hub can be reached: probed once, again only after `retry_after` seconds."""
        with self._lock:
            now = time.monotonic()
            if self._online is None or now - self._online[0] > self.retry_after:
                reachable = self.probe()
                if not reachable:
                    log.warning("the Hugging Face Hub cannot be reached: only local models are offered")
                _set_hub_offline(not reachable)
                self._online = (now, reachable)
            return self._online[1]

    def runnable(self, name: str) -> bool:
        """Whether `name` can run now: loaded, or the Hub is up, or its weights are on this machine.

        Asks about the Hub first, so that huggingface_hub is in offline mode before any load that needs it.
        """
        return (
            name in self._models
            or name == DEFAULT
            or name not in REGISTRY  # an engine without a checkpoint downloads nothing
            or self.online()
            or (name in REGISTRY and self.is_local(name))
        )

    def available(self) -> tuple[list[str], list[str]]:
        """Registry names that can run now, and those that cannot (weights not here and the Hub unreachable)."""
        names = list(model_names())
        runnable = [name for name in names if self.runnable(name)]
        return runnable, [name for name in names if name not in runnable]

    def get(self, name: str) -> tuple[MotionModel, str]:
        """The model and a notice for people: empty, unless the default had to stand in for `name`."""
        with self._lock:
            if name in self._models:
                return self._models[name], ""
            if name != DEFAULT and not self.runnable(name):
                reason = (
                    "Its weights are not on this machine and the Hugging Face Hub cannot be reached, "
                    "so they could not be downloaded."
                )
            else:
                failed = self._failed.get(name)
                if failed is None or time.monotonic() - failed[0] > self.retry_after:
                    try:
                        model = self._models[name] = self.loader(name)
                        self._failed.pop(name, None)
                        return model, ""
                    except UserError as exc:
                        if name == DEFAULT:
                            raise
                        log.warning("model %s unavailable, using %s: %s", name, DEFAULT, exc)
                        self._failed[name] = (time.monotonic(), str(exc))
                reason = self._failed[name][1]
            model, _ = self.get(DEFAULT)
        return model, (
            f"The **{name}** model could not be loaded, so the embedded default model made this video "
            f"instead. {reason}"
        )
