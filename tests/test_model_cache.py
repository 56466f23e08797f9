"""ModelCache: models loaded once, the default standing in for one that cannot load, and offline behaviour."""

from __future__ import annotations

import socket
from collections.abc import Callable
from typing import Any

import pytest
from app_fixtures import offline_loader
from conftest import TINY_FOMM
from huggingface_hub import constants as hub_constants

from fomm_core.checkpoints.registry import REGISTRY
from fomm_core.errors import UserError
from space.model_cache import ModelCache, hub_reachable

LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1"}


class Probe:
    """A Hub probe with a fixed answer that counts how often it is asked."""

    def __init__(self, reachable: bool):
        self.reachable, self.calls = reachable, 0

    def __call__(self) -> bool:
        self.calls += 1
        return self.reachable


@pytest.fixture(autouse=True)
def _hub_flag_restored(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(hub_constants, "HF_HUB_OFFLINE", False)


def test_loads_once_and_falls_back_with_a_notice() -> None:
    loader = offline_loader(TINY_FOMM)
    cache = ModelCache(loader, probe=Probe(True))
    default, notice = cache.get("default")
    assert notice == "" and cache.get("default")[0] is default
    model, notice = cache.get("taichi")
    assert model is default
    assert "**taichi** model could not be loaded" in notice and "embedded default model" in notice
    cache.get("taichi")
    assert loader.calls == ["default", "taichi"]  # the failure is remembered, not retried at once
    retrying = ModelCache(loader, retry_after=0, probe=Probe(True))
    retrying.get("taichi")
    retrying.get("taichi")
    assert loader.calls.count("taichi") == 3


def test_missing_default_model_is_a_user_error() -> None:
    def nothing(name: str) -> None:
        raise UserError("The embedded 'default' model is missing.")

    with pytest.raises(UserError, match="missing"):
        ModelCache(nothing, probe=Probe(True)).get("taichi")


def test_offline_lists_only_local_models_and_never_tries_the_hub_for_the_others() -> None:
    loader, probe = offline_loader(TINY_FOMM), Probe(False)
    cache = ModelCache(loader, is_local=lambda name: name in {"default", "tpsmm-taichi"}, probe=probe)
    # the pose engine downloads nothing, so it is offered offline too
    assert cache.available() == (
        ["default", "tpsmm-taichi", "pose"],
        [n for n in REGISTRY if n not in {"default", "tpsmm-taichi"}],
    )
    model, notice = cache.get("fashion")
    cache.get("fashion")
    assert loader.calls == ["default"]  # "fashion" was never handed to the loader
    assert "Hugging Face Hub cannot be reached" in notice
    assert probe.calls == 1  # one quick probe, remembered
    assert hub_constants.HF_HUB_OFFLINE  # huggingface_hub now answers from its cache without retrying


def test_online_lists_every_registry_model_and_the_pose_engine() -> None:
    probe = Probe(True)
    cache = ModelCache(offline_loader(TINY_FOMM), is_local=lambda name: name == "default", probe=probe)
    assert cache.available() == ([*REGISTRY, "pose"], [])
    assert probe.calls == 1 and not hub_constants.HF_HUB_OFFLINE


def test_offline_load_of_a_local_model_makes_no_network_attempt(monkeypatch: pytest.MonkeyPatch) -> None:
    attempts: list[object] = []

    def no_network(real: Callable[..., Any]) -> Callable[..., Any]:
        def attempt(address: Any, *args: Any, **kwargs: Any) -> Any:
            host = address[0] if isinstance(address, tuple) else address
            if host in LOCAL_HOSTS:  # other tests' local servers winding down
                return real(address, *args, **kwargs)
            attempts.append(host)
            raise OSError("network is unreachable (test)")

        return attempt

    monkeypatch.setattr(socket, "getaddrinfo", no_network(socket.getaddrinfo))
    monkeypatch.setattr(socket, "create_connection", no_network(socket.create_connection))
    cache = ModelCache(
        is_local=lambda name: True
    )  # the real loader and the real probe; "taichi" claims local
    cache.get("default")
    assert attempts == []  # the embedded model needs no Hub
    model, notice = cache.get(
        "taichi"
    )  # not really in the Hub cache: the real hf_hub_download must fail at once
    assert model.name == "default" and "could not be loaded" in notice
    assert (
        len(attempts) == 1
    )  # the probe's one connection; none from huggingface_hub (it retries 5 times online)


def test_hub_offline_variable_means_unreachable_without_a_connection(monkeypatch: pytest.MonkeyPatch) -> None:
    tried: list[object] = []
    real = socket.create_connection

    def connect(address: Any, *args: Any, **kwargs: Any) -> Any:
        if address[0] not in LOCAL_HOSTS:
            tried.append(address)
        return real(address, *args, **kwargs)

    monkeypatch.setattr(socket, "create_connection", connect)
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    assert hub_reachable() is False
    assert tried == []
