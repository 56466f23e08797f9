"""Who a peer reviewer is, and how often they may rate: the rules that keep the peer review hard to stuff.

A rater is one client network address, hashed with a secret salt (kept in the ratings database, never pushed), so
that opening new browser sessions does not turn one person into many raters and the stored id cannot be reversed
by hashing every IPv4 address. When no address is known, the browser session stands in.

Behind a reverse proxy (a Hugging Face Space) the connecting address is the proxy's; the client's is in
X-Forwarded-For, where each proxy appends the address it saw. A client can forge entries on the left but not the
ones the trusted proxies append, so the address taken is the `proxy_hops`-th from the right.
"""

from __future__ import annotations

import hashlib
import logging
import os
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from ..errors import UserError
from ..numbers import parse_int

log = logging.getLogger(__name__)

RATER_BASIS = (
    "one rater = one client network address (salted hash), or one browser session when the address "
    "is unknown, so new sessions from one client do not add raters"
)
RATE_LIMIT_SESSION = (
    10,
    600,
)  # a browser session: 10 ratings per 10 minutes (one video takes ~a minute to make)
RATE_LIMIT_RATER = (
    30,
    3600,
)  # a client address: 30 per hour (room for a household or classroom behind one NAT)


def proxy_hops_from_env() -> int:
    """Trusted proxies in front of the app: env FOMM_PROXY_HOPS, else 1 on a Hugging Face Space, else 0."""
    default = 1 if os.environ.get("SPACE_ID") else 0
    value = os.environ.get("FOMM_PROXY_HOPS", "")
    try:
        hops = parse_int(value)
    except ValueError:
        hops = -1
    if hops >= 0:
        return hops
    if value:
        log.warning("FOMM_PROXY_HOPS=%r is not a count of trusted proxies; using %d", value, default)
    return default


def client_address(host: str | None, forwarded_for: str | Sequence[str] | None, proxy_hops: int) -> str:
    """The client's network address ('' if unknown): the socket's peer, or the entry the `proxy_hops` trusted
    proxies vouch for in X-Forwarded-For (the `proxy_hops`-th from the right; every X-Forwarded-For header of
    the request counts, in order)."""
    if proxy_hops <= 0:
        return host or ""
    values = [forwarded_for] if isinstance(forwarded_for, str) else list(forwarded_for or ())
    entries = [entry.strip() for value in values for entry in value.split(",") if entry.strip()]
    return entries[-proxy_hops] if len(entries) >= proxy_hops else ""


def request_address(request: Any, proxy_hops: int | None = None) -> str:
    """client_address of a web request (Gradio's or Starlette's), with FOMM_PROXY_HOPS unless `proxy_hops` is given.

    The peer is the socket's only when the web server rewrites nothing from headers: see distrust_forwarded_headers.
    """
    client = getattr(request, "client", None)
    headers = getattr(request, "headers", None) or {}
    if hasattr(headers, "getlist"):
        forwarded = headers.getlist("x-forwarded-for")
    else:
        forwarded = [headers.get("x-forwarded-for") or ""]
    hops = proxy_hops_from_env() if proxy_hops is None else proxy_hops
    return client_address(getattr(client, "host", None), forwarded, hops)


def distrust_forwarded_headers(proxy_hops: int) -> None:
    """With no trusted proxy, make the web server take the client from the socket, not from X-Forwarded-For.

    Gradio starts uvicorn without `forwarded_allow_ips`, so uvicorn reads env FORWARDED_ALLOW_IPS (default
    "127.0.0.1,::1": it would rewrite the client of every loopback connection from a header the client wrote).
    Call before launching. With proxies (hops > 0) the address is read from the header here, whatever the
    server does with it.
    """
    if proxy_hops <= 0:
        os.environ["FORWARDED_ALLOW_IPS"] = ""


def rater_id(salt: str, address: str, session: str) -> str:
    """The stored rater pseudonym: 'a:' + salted hash of the address, else 's:' + of the session, else ''."""
    kind, value = ("a", address) if address else ("s", session) if session else ("", "")
    if not value:
        return ""
    return f"{kind}:" + hashlib.sha256(f"{salt}:{kind}:{value}".encode()).hexdigest()[:16]


def anonymous_session(session_hash: str | None) -> str:
    """A stable pseudonym for a browser session that does not reveal Gradio's session hash."""
    if not session_hash:
        return ""
    return hashlib.sha256(f"fomm-ratings:{session_hash}".encode()).hexdigest()[:16]


def _limit(name: str, default: tuple[int, int]) -> tuple[int, int]:
    value = os.environ.get(name)
    if not value:
        return default
    count, _, seconds = value.partition("/")
    try:
        limit = parse_int(count), parse_int(seconds)
    except ValueError:
        limit = (-1, 0)
    if limit[0] < 0 or limit[1] <= 0:
        raise UserError(f"{name}={value!r} is not a rate limit; write COUNT/SECONDS, e.g. 10/600.")
    return limit


@dataclass(frozen=True)
class RateLimits:
    """At most `count` ratings per `seconds`, per browser session and per rater (client address)."""

    session: tuple[int, int] = RATE_LIMIT_SESSION
    rater: tuple[int, int] = RATE_LIMIT_RATER

    @classmethod
    def from_env(cls) -> RateLimits:
        """The limits from env FOMM_RATE_LIMIT_SESSION and FOMM_RATE_LIMIT_RATER (COUNT/SECONDS), else defaults."""
        return cls(
            _limit("FOMM_RATE_LIMIT_SESSION", RATE_LIMIT_SESSION),
            _limit("FOMM_RATE_LIMIT_RATER", RATE_LIMIT_RATER),
        )


def describe(limit: tuple[int, int]) -> str:
    """'10 ratings per 10 minutes' and the like."""
    count, seconds = limit
    span = (
        "hour"
        if seconds == 3600
        else f"{seconds // 3600} hours"
        if seconds % 3600 == 0
        else "minute"
        if seconds == 60
        else f"{seconds // 60} minutes"
        if seconds % 60 == 0
        else f"{seconds} seconds"
    )
    return f"{count} rating{'s' * (count != 1)} per {span}"
