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
from dataclasses import dataclass

from .errors import UserError

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
    if value and not value.isdigit():
        log.warning("FOMM_PROXY_HOPS=%r is not a count of trusted proxies; using %d", value, default)
    return int(value) if value.isdigit() else default


def client_address(host: str | None, forwarded_for: str | None, proxy_hops: int) -> str:
    """The client's network address ('' if unknown): the connecting host, or the proxies' entry in X-Forwarded-For."""
    if proxy_hops <= 0:
        return host or ""
    entries = [entry.strip() for entry in (forwarded_for or "").split(",") if entry.strip()]
    return entries[-proxy_hops] if len(entries) >= proxy_hops else ""


def rater_id(salt: str, address: str, session: str) -> str:
    """The stored rater pseudonym: 'a:' + salted hash of the address, else 's:' + of the session, else ''."""
    kind, value = ("a", address) if address else ("s", session) if session else ("", "")
    if not value:
        return ""
    return f"{kind}:" + hashlib.sha256(f"{salt}:{kind}:{value}".encode()).hexdigest()[:16]


def _limit(name: str, default: tuple[int, int]) -> tuple[int, int]:
    value = os.environ.get(name)
    if not value:
        return default
    count, _, seconds = value.partition("/")
    if not (count.isdigit() and seconds.isdigit() and int(seconds) > 0):
        raise UserError(f"{name}={value!r} is not a rate limit; write COUNT/SECONDS, e.g. 10/600.")
    return int(count), int(seconds)


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
