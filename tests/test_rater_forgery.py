"""A rater is an address nobody can forge: through the real HTTP API, an X-Forwarded-For header written by the client
neither adds a rater nor resets a limit, with no proxy (0 hops) and behind one (1 hop)."""

from __future__ import annotations

from contextlib import nullcontext
from pathlib import Path

import pytest
from app_fixtures import launched_app
from conftest import TINY_FOMM
from forwarding_proxy import forwarding_proxy
from gradio_client import Client
from test_ratings_peer_review import generate, rate

from fomm_core.ratings.raters import RateLimits, client_address, request_address
from fomm_core.ratings.store import RatingsStore

LIMITED = "at most 2 ratings per 10 minutes from your network address"
FORGED = ("9.9.9.1", "9.9.9.1, 8.8.8.8", "127.0.0.2")


@pytest.mark.slow
@pytest.mark.parametrize("hops", [0, 1])
def test_a_forged_forwarded_for_neither_adds_a_rater_nor_resets_the_limit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, hops: int
) -> None:
    monkeypatch.setenv("FOMM_PROXY_HOPS", str(hops))
    monkeypatch.setenv(
        "FORWARDED_ALLOW_IPS", "127.0.0.1,::1"
    )  # uvicorn's own default, which would trust loopback
    store = RatingsStore(tmp_path / "r.db", mirror=None, limits=RateLimits(session=(10, 600), rater=(2, 600)))
    with launched_app(tmp_path, TINY_FOMM, max_duration=10, examples=False, store=store) as space:
        with forwarding_proxy(space.url) if hops else nullcontext(space.url) as url:
            first = Client(url, verbose=False, headers={"X-Forwarded-For": "9.9.9.9"})
            generate(first)
            assert rate(first)["saved"] is True
            generate(first)
            assert rate(first)["saved"] is True
            for forged in FORGED:
                client = Client(url, verbose=False, headers={"X-Forwarded-For": forged})
                generate(client)
                assert LIMITED in rate(client), forged
    assert store.count() == 2
    assert len({r.rater for r in store.ratings()}) == 1


class _Headers(dict):
    def getlist(self, name: str) -> list[str]:
        return self.get("all", [])


class _Request:
    def __init__(self, host: str, forwarded: list[str]):
        self.client = type("Client", (), {"host": host})()
        self.headers = _Headers(all=forwarded)


def test_every_forwarded_for_header_counts_and_only_the_trusted_entries() -> None:
    # a client that sends its own header line before the proxy's cannot push the proxy's entry out of place
    request = _Request("10.0.0.2", ["6.6.6.6", "203.0.113.9"])
    assert request_address(request, 1) == "203.0.113.9"
    assert request_address(request, 0) == "10.0.0.2"
    assert request_address(request, 3) == ""
    assert client_address("10.0.0.2", ["1.1.1.1, 2.2.2.2", "3.3.3.3"], 2) == "2.2.2.2"
