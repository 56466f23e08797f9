"""The ratings store: SQLite, one rating per video per rater, rate limits checked as ratings arrive.

Durability choice: WAL journal with `synchronous=FULL`. In WAL mode a commit appends to the -wal file; with FULL
that append is fsynced before `add()` returns, so an acknowledged rating survives a killed process (NORMAL would
too) and also a power loss or OS crash (NORMAL would not). Ratings arrive at human speed, so one fsync per rating
costs nothing that matters. A process killed mid-transaction leaves only an uncommitted WAL tail, which the next
reader ignores, so the store stays readable.

Trust: one rating per video per rater is a UNIQUE index checked inside the insert's transaction, so two votes fired
together store one. A rater is a client network address (salted hash; the salt lives only in the database), or the
browser session when no address is known, so opening new sessions does not make one person count as many. Rate
limits per session and per rater are checked in the same transaction (see RateLimits).
"""

from __future__ import annotations

import json
import logging
import math
import os
import shutil
import sqlite3
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from ..errors import UserError
from .mirror import HubMirror, mirror_from_env
from .raters import RateLimits, describe, rater_id
from .record import Rating

log = logging.getLogger(__name__)

DEFAULT_DB = Path("ratings") / "ratings.db"
BUSY_TIMEOUT_MS = 30_000

_SCHEMA = """
CREATE TABLE IF NOT EXISTS ratings (
    id TEXT PRIMARY KEY,
    timestamp REAL NOT NULL,
    generation_id TEXT NOT NULL,
    model TEXT NOT NULL,
    checkpoint_sha256 TEXT,
    options TEXT NOT NULL,
    photo_sha256 TEXT NOT NULL,
    clip_sha256 TEXT NOT NULL,
    rating INTEGER NOT NULL CHECK (rating IN (-1, 1)),
    comment TEXT NOT NULL,
    session TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS ratings_model ON ratings (model);
CREATE TABLE IF NOT EXISTS settings (name TEXT PRIMARY KEY, value TEXT NOT NULL);
"""
# Version 2 adds the rater column. Ratings stored before it have rater '' and stay outside the unique index.
_SCHEMA_V2 = """
CREATE UNIQUE INDEX IF NOT EXISTS ratings_once_per_rater ON ratings (generation_id, rater) WHERE rater != '';
CREATE INDEX IF NOT EXISTS ratings_rater_time ON ratings (rater, timestamp);
CREATE INDEX IF NOT EXISTS ratings_session_time ON ratings (session, timestamp);
INSERT OR IGNORE INTO settings VALUES ('rater_salt', lower(hex(randomblob(16))));
"""
_COLUMNS = (
    "id, timestamp, generation_id, model, checkpoint_sha256, options, photo_sha256, clip_sha256, rating, "
    "comment, session"
)


def default_db_path() -> Path:
    """Where the store lives: env FOMM_RATINGS_DB, else ./ratings/ratings.db."""
    return Path(os.environ.get("FOMM_RATINGS_DB") or DEFAULT_DB)


class RatingsError(UserError):
    """The ratings database failed in an expected way (damaged, read-only, busy, full); `detail` is for the log."""

    def __init__(self, message: str, detail: str):
        super().__init__(message)
        self.detail = detail


class AlreadyRated(UserError):
    """This rater has already rated this video."""


class RateLimited(UserError):
    """Too many ratings from one session or rater in the limit's window."""


#: A folder with less free space than this is full as far as the ratings database goes.
FULL_DISK_BYTES = 1 << 20


def _disk_full(folder: Path) -> bool:
    try:
        return shutil.disk_usage(folder).free < FULL_DISK_BYTES
    except OSError:
        return False


def _reason(exc: BaseException, folder: Path | None = None) -> str:
    """What went wrong, in words safe to show a visitor (no paths, no settings names).

    SQLite says only "disk I/O error" when a full disk stops it creating its -wal file, so an I/O error in a
    `folder` with (almost) no free space is called a full disk too.
    """
    text = (exc.strerror or "" if isinstance(exc, OSError) else str(exc)).lower()
    for words, reason in (
        (("readonly", "read-only", "permission"), "the ratings database is read-only"),
        (("malformed", "not a database", "corrupt"), "the ratings database is damaged"),
        (("locked", "busy"), "the ratings database is busy"),
        (("full", "no space"), "the server's disk is full"),
    ):
        if any(word in text for word in words):
            return reason
    if ("i/o" in text or "unable to open" in text) and folder is not None and _disk_full(folder):
        return "the server's disk is full"
    return "the ratings database cannot be used"


def _rollback(conn: sqlite3.Connection) -> None:
    """Roll back the open transaction, if any: a failed COMMIT may have ended it, and its error is the one to tell."""
    if conn.in_transaction:
        try:
            conn.execute("ROLLBACK")
        except sqlite3.Error:
            pass


class RatingsStore:
    """The ratings database: SQLite in WAL mode, one short connection per call, so any thread or process may use it.

    `mirror` is "env" (a HubMirror from FOMM_RATINGS_REPO/HF_TOKEN, if set), None, or a HubMirror. `limits` apply
    to ratings that carry a session or rater (None: from the environment, see RateLimits.from_env). A store opened
    with `writable=False` never creates, migrates or writes the file (`ratings report`).
    """

    def __init__(
        self,
        path: str | os.PathLike[str] | None = None,
        mirror: HubMirror | str | None = "env",
        limits: RateLimits | None = None,
        writable: bool = True,
    ):
        self.path = Path(path) if path is not None else default_db_path()
        self.limits = limits if limits is not None else RateLimits.from_env()
        self.writable = writable
        self._ready = False
        self._salt = ""
        self._lock = threading.Lock()
        if mirror == "env":
            mirror = mirror_from_env(self.path.parent / "hub")
        self.mirror = mirror

    def _connect(self) -> sqlite3.Connection:
        if not self.writable:
            return sqlite3.connect(
                f"{self.path.resolve().as_uri()}?mode=ro",
                uri=True,
                isolation_level=None,
                timeout=BUSY_TIMEOUT_MS / 1000,
            )
        self.path.parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None)
        try:
            conn.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
            conn.execute("PRAGMA synchronous=FULL")
            if not self._ready:
                self._create(conn)
        except BaseException:
            conn.close()
            raise
        return conn

    def _create(self, conn: sqlite3.Connection) -> None:
        """Create or migrate the schema in one transaction, and read the rater salt."""
        with self._lock:
            if self._ready:
                return
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("BEGIN IMMEDIATE")
            try:
                for statement in _statements(_SCHEMA):
                    conn.execute(statement)
                if "rater" not in _column_names(conn):
                    conn.execute("ALTER TABLE ratings ADD COLUMN rater TEXT NOT NULL DEFAULT ''")
                for statement in _statements(_SCHEMA_V2):
                    conn.execute(statement)
                self._salt = conn.execute("SELECT value FROM settings WHERE name = 'rater_salt'").fetchone()[
                    0
                ]
                conn.execute("COMMIT")
            except BaseException:
                _rollback(conn)
                raise
            self._ready = True

    def _snapshot(self) -> sqlite3.Connection:
        """A read-only connection that creates and locks nothing (valid when the -wal file holds no commits)."""
        return sqlite3.connect(
            f"{self.path.resolve().as_uri()}?mode=ro&immutable=1", uri=True, isolation_level=None
        )

    def _read(self, doing: str, read: Callable[[sqlite3.Connection], Any]) -> Any:
        """`read(conn)` on a normal connection; when that fails (a full or read-only disk cannot take SQLite's
        -wal and -shm files) and every commit is in the main file, on a snapshot of the file instead."""
        try:
            with self._session(doing) as conn:
                return read(conn)
        except RatingsError:
            wal = self.path.with_name(self.path.name + "-wal")
            if not self.path.is_file() or (wal.exists() and wal.stat().st_size > 0):
                raise
        with self._session(doing, snapshot=True) as conn:
            return read(conn)

    @contextmanager
    def _session(self, doing: str, snapshot: bool = False) -> Iterator[sqlite3.Connection]:
        """A connection; any database or file error becomes a RatingsError saying what could not be done."""
        conn = None
        try:
            conn = self._snapshot() if snapshot else self._connect()
            yield conn
        except (OSError, sqlite3.Error) as exc:
            raise RatingsError(
                f"{doing}: {_reason(exc, self.path.parent)}. Please try again later.",
                f"{self.path}: {type(exc).__name__}: {exc}",
            ) from exc
        finally:
            if conn is not None:
                conn.close()

    def rater(self, address: str, session: str) -> str:
        """The rater pseudonym for a client address (or, when unknown, a session); see fomm_core.ratings.raters."""
        if not self._ready:
            with self._session("Your rating could not be saved"):
                pass  # connecting creates or migrates the schema and reads the salt
        return rater_id(self._salt, address, session)

    def add(self, rating: Rating) -> str:
        """Store one rating durably and return its id; also append it to the Hub mirror when configured.

        The rate limits, the one-rating-per-video-per-rater rule and the insert form one transaction.
        """
        row = (
            rating.id,
            rating.timestamp,
            rating.generation_id,
            rating.model,
            rating.checkpoint_sha256,
            json.dumps(rating.options, sort_keys=True),
            rating.photo_sha256,
            rating.clip_sha256,
            rating.rating,
            rating.comment,
            rating.session,
            rating.rater,
        )
        with self._session("Your rating could not be saved") as conn:
            conn.execute("BEGIN IMMEDIATE")
            try:
                self._check_limits(conn, rating)
                conn.execute(
                    f"INSERT INTO ratings ({_COLUMNS}, rater) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    row,
                )
                conn.execute("COMMIT")
            except sqlite3.IntegrityError as exc:
                _rollback(conn)
                if "UNIQUE" not in str(exc) or "ratings.id" in str(exc):
                    raise
                raise AlreadyRated(
                    "You already rated this video; generate another one to rate again."
                ) from None
            except BaseException:
                _rollback(conn)
                raise
        if self.mirror is not None:
            try:
                self.mirror.append(rating)
            except Exception as exc:
                log.warning("rating %s stored locally but not queued for the Hub: %s", rating.id, exc)
        return rating.id

    def _check_limits(self, conn: sqlite3.Connection, rating: Rating) -> None:
        """RateLimited when the rating's session or rater reached its limit (inside the insert's transaction)."""
        rater_is = "your network address" if rating.rater.startswith("a:") else "this browser session"
        for column, key, (count, seconds), who in (
            ("session", rating.session, self.limits.session, "this browser session"),
            ("rater", rating.rater, self.limits.rater, rater_is),
        ):
            if not key:
                continue
            done, oldest = conn.execute(
                f"SELECT COUNT(*), MIN(timestamp) FROM ratings WHERE {column} = ? AND timestamp > ?",
                (key, rating.timestamp - seconds),
            ).fetchone()
            if done >= count:
                wait = max(1, math.ceil((oldest + seconds - rating.timestamp) / 60))
                raise RateLimited(
                    f"Thank you for rating so much! The peer review takes at most "
                    f"{describe((count, seconds))} from {who}; please rate again in {wait} "
                    f"minute{'s' * (wait != 1)}."
                )

    def ratings(self) -> list[Rating]:
        """Every stored rating, oldest first (ratings stored before raters were recorded have rater '')."""

        def read(conn: sqlite3.Connection) -> list[tuple]:
            names = _column_names(conn)
            if not names:
                raise sqlite3.DatabaseError("not a ratings database (no ratings table)")
            rater = "rater" if "rater" in names else "''"
            return conn.execute(f"SELECT {_COLUMNS}, {rater} FROM ratings ORDER BY timestamp, id").fetchall()

        rows = self._read("The ratings could not be read", read)
        return [
            Rating(
                id=r[0],
                timestamp=r[1],
                generation_id=r[2],
                model=r[3],
                checkpoint_sha256=r[4],
                options=json.loads(r[5]),
                photo_sha256=r[6],
                clip_sha256=r[7],
                rating=r[8],
                comment=r[9],
                session=r[10],
                rater=r[11],
            )
            for r in rows
        ]

    def ids(self) -> set[str]:
        """The ids of every stored rating."""
        return self._read(
            "The ratings could not be read",
            lambda conn: {r[0] for r in conn.execute("SELECT id FROM ratings")},
        )

    def count(self) -> int:
        """How many ratings are stored."""
        return self._read(
            "The ratings could not be read",
            lambda conn: conn.execute("SELECT COUNT(*) FROM ratings").fetchone()[0],
        )


def _statements(script: str) -> list[str]:
    return [statement.strip() for statement in script.split(";") if statement.strip()]


def _column_names(conn: sqlite3.Connection) -> set[str]:
    return {row[1] for row in conn.execute("PRAGMA table_info(ratings)")}
