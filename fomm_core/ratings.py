"""The peer-review ratings: a SQLite store, an optional Hub push as JSONL, and approval-rate aggregation.

Durability choice: WAL journal with `synchronous=FULL`. In WAL mode a commit appends to the -wal file; with FULL
that append is fsynced before `add()` returns, so an acknowledged rating survives a killed process (NORMAL would
too) and also a power loss or OS crash (NORMAL would not). Ratings arrive at human speed, so one fsync per rating
costs nothing that matters. A process killed mid-transaction leaves only an uncommitted WAL tail, which the next
reader ignores, so the store stays readable.
"""

from __future__ import annotations

import hashlib
import json
import logging
import math
import os
import sqlite3
import threading
import time
import uuid
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any

from .errors import UserError
from .hashing import sha256_file
from .options import RenderOptions

log = logging.getLogger(__name__)

DEFAULT_DB = Path("ratings") / "ratings.db"
MAX_COMMENT = 1000
BUSY_TIMEOUT_MS = 30_000
# Options that do not change the video; left out of the option-set label.
OUTPUT_NEUTRAL = ("model", "batch_size", "device", "max_duration")

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
"""


def default_db_path() -> Path:
    """Where the store lives: env FOMM_RATINGS_DB, else ./ratings/ratings.db."""
    return Path(os.environ.get("FOMM_RATINGS_DB") or DEFAULT_DB)


def file_sha256(path: str | os.PathLike[str]) -> str:
    """Content hash of a file (the uploaded photo or clip)."""
    return sha256_file(path)


def anonymous_session(session_hash: str | None) -> str:
    """A stable pseudonym for a browser session that does not reveal Gradio's session hash."""
    if not session_hash:
        return ""
    return hashlib.sha256(f"fomm-ratings:{session_hash}".encode()).hexdigest()[:16]


@dataclass(frozen=True)
class Rating:
    """One 👍/👎 on one generated video, with everything needed to say how that video was made."""

    generation_id: str
    model: str
    checkpoint_sha256: str | None
    options: dict[str, Any]
    photo_sha256: str
    clip_sha256: str
    rating: int
    comment: str = ""
    session: str = ""
    timestamp: float = field(default_factory=time.time)
    id: str = field(default_factory=lambda: uuid.uuid4().hex)

    def __post_init__(self) -> None:
        if self.rating not in (1, -1):
            raise ValueError(f"rating must be +1 or -1, got {self.rating!r}")
        if len(self.comment) > MAX_COMMENT:
            raise UserError(f"The comment is {len(self.comment)} characters long; "
                            f"please keep it under {MAX_COMMENT}.")

    def to_dict(self) -> dict[str, Any]:
        """Plain-JSON form (the Hub JSONL line)."""
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Rating:
        """Inverse of to_dict, ignoring unknown keys."""
        names = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in names})


class HubMirror:
    """Appends each rating as a JSON line to this process's UUID-named file, pushed by a CommitScheduler."""

    def __init__(self, repo_id: str, folder: str | os.PathLike[str], token: str | None = None,
                 every: float = 5, hf_api: Any = None):
        from huggingface_hub import CommitScheduler

        self.scheduler = CommitScheduler(repo_id=repo_id, repo_type="dataset", folder_path=folder,
                                         path_in_repo="data", every=every, token=token, hf_api=hf_api)
        self.path = Path(self.scheduler.folder_path) / f"ratings-{uuid.uuid4()}.jsonl"

    def append(self, rating: Rating) -> None:
        """Add one line; the scheduler lists and uploads files under the same lock."""
        line = json.dumps(rating.to_dict(), sort_keys=True, ensure_ascii=False) + "\n"
        with self.scheduler.lock, self.path.open("a", encoding="utf-8") as f:
            f.write(line)

    def stop(self) -> None:
        """Push what is pending, then stop the background thread."""
        self.scheduler.trigger().result()
        self.scheduler.stop()


def mirror_from_env(folder: str | os.PathLike[str]) -> HubMirror | None:
    """A HubMirror when FOMM_RATINGS_REPO and HF_TOKEN are set and the Hub answers, else None."""
    repo_id, token = os.environ.get("FOMM_RATINGS_REPO"), os.environ.get("HF_TOKEN")
    if not (repo_id and token):
        return None
    try:
        return HubMirror(repo_id, folder, token=token)
    except Exception:
        log.exception("ratings will not be pushed to the Hub dataset %s", repo_id)
        return None


class RatingsStore:
    """The ratings database: SQLite in WAL mode, one short connection per call, so any thread or process may use it.

    `mirror` is "env" (a HubMirror from FOMM_RATINGS_REPO/HF_TOKEN, if set), None, or a HubMirror.
    """

    def __init__(self, path: str | os.PathLike[str] | None = None, mirror: HubMirror | str | None = "env"):
        self.path = Path(path) if path is not None else default_db_path()
        self._ready = False
        self._lock = threading.Lock()
        if mirror == "env":
            mirror = mirror_from_env(self.path.parent / "hub")
        self.mirror = mirror

    def _connect(self) -> sqlite3.Connection:
        conn = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None)
        conn.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        conn.execute("PRAGMA synchronous=FULL")
        if not self._ready:
            self._create(conn)
        return conn

    def _create(self, conn: sqlite3.Connection) -> None:
        with self._lock:
            if self._ready:
                return
            conn.execute("PRAGMA journal_mode=WAL")
            conn.executescript(_SCHEMA)
            self._ready = True

    def _open(self) -> sqlite3.Connection:
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            return self._connect()
        except (OSError, sqlite3.DatabaseError) as exc:
            raise UserError(f"The ratings store {self.path} cannot be opened ({exc}); check the path "
                            "(env FOMM_RATINGS_DB) and that it is a writable SQLite file.") from exc

    def add(self, rating: Rating) -> str:
        """Store one rating durably and return its id; also append it to the Hub mirror when configured."""
        row = (rating.id, rating.timestamp, rating.generation_id, rating.model, rating.checkpoint_sha256,
               json.dumps(rating.options, sort_keys=True), rating.photo_sha256, rating.clip_sha256,
               rating.rating, rating.comment, rating.session)
        conn = self._open()
        try:
            conn.execute("INSERT INTO ratings VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", row)
        finally:
            conn.close()
        if self.mirror is not None:
            try:
                self.mirror.append(rating)
            except Exception:
                log.exception("rating %s stored locally but not queued for the Hub", rating.id)
        return rating.id

    def ratings(self) -> list[Rating]:
        """Every stored rating, oldest first."""
        conn = self._open()
        try:
            rows = conn.execute("SELECT id, timestamp, generation_id, model, checkpoint_sha256, options, "
                                "photo_sha256, clip_sha256, rating, comment, session FROM ratings "
                                "ORDER BY timestamp, id").fetchall()
        finally:
            conn.close()
        return [Rating(id=r[0], timestamp=r[1], generation_id=r[2], model=r[3], checkpoint_sha256=r[4],
                       options=json.loads(r[5]), photo_sha256=r[6], clip_sha256=r[7], rating=r[8],
                       comment=r[9], session=r[10]) for r in rows]

    def ids(self) -> set[str]:
        """The ids of every stored rating."""
        conn = self._open()
        try:
            return {r[0] for r in conn.execute("SELECT id FROM ratings")}
        finally:
            conn.close()

    def count(self) -> int:
        """How many ratings are stored."""
        conn = self._open()
        try:
            return conn.execute("SELECT COUNT(*) FROM ratings").fetchone()[0]
        finally:
            conn.close()


def wilson_interval(k: int, n: int, z: float = 1.96) -> tuple[float, float]:
    """Wilson score interval for a proportion k/n (z=1.96: 95%); (0, 1) when n is 0."""
    if n == 0:
        return 0.0, 1.0
    p = k / n
    denom = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    return max(0.0, centre - half), min(1.0, centre + half)


def option_set(options: dict[str, Any]) -> str:
    """A short canonical label of the options that shape the video: those differing from the defaults."""
    effective = RenderOptions.from_dict(options).to_dict()
    defaults = RenderOptions().to_dict()
    diff = [f"{k}={effective[k]}" for k in sorted(effective)
            if k not in OUTPUT_NEUTRAL and effective[k] != defaults[k]]
    return ", ".join(diff) or "defaults"


@dataclass(frozen=True)
class Row:
    """Approval for one group: `key` holds the values of the grouping fields, in order."""

    key: tuple[Any, ...]
    n: int
    up: int
    down: int
    raters: int
    approval: float
    low: float
    high: float

    def to_dict(self, by: Sequence[str]) -> dict[str, Any]:
        """Plain-JSON form with the grouping fields named."""
        data = dict(zip(by, self.key, strict=True))
        data.update({k: v for k, v in asdict(self).items() if k != "key"})
        return data


GROUP_FIELDS = ("model", "checkpoint_sha256", "options") + tuple(
    f.name for f in fields(RenderOptions) if f.name != "model")


def _group_value(rating: Rating, name: str) -> Any:
    if name == "model":
        return rating.model
    if name == "checkpoint_sha256":
        return rating.checkpoint_sha256
    if name == "options":
        return option_set(rating.options)
    return RenderOptions.from_dict(rating.options).to_dict()[name]


def aggregate(store: RatingsStore | Iterable[Rating] | str | os.PathLike[str] | None = None,
              by: Sequence[str] = ("model",), z: float = 1.96) -> list[Row]:
    """Approval rate per group with Wilson intervals, most-rated group first.

    `by` names fields from GROUP_FIELDS: "model", "checkpoint_sha256", "options" (the option-set label) or any
    RenderOptions field. `store` is a RatingsStore, ratings, a database path, or None for the default store.
    """
    unknown = [name for name in by if name not in GROUP_FIELDS]
    if unknown:
        raise UserError(f"Cannot group ratings by {', '.join(unknown)}; choose from {', '.join(GROUP_FIELDS)}.")
    if store is None or isinstance(store, (str, os.PathLike)):
        store = RatingsStore(store, mirror=None)
    ratings = store.ratings() if isinstance(store, RatingsStore) else list(store)
    groups: dict[tuple[Any, ...], list[Rating]] = defaultdict(list)
    for rating in ratings:
        groups[tuple(_group_value(rating, name) for name in by)].append(rating)
    rows = []
    for key, members in groups.items():
        up = sum(1 for r in members if r.rating > 0)
        n = len(members)
        low, high = wilson_interval(up, n, z)
        raters = len({r.session for r in members if r.session})
        rows.append(Row(key, n, up, n - up, raters, up / n, low, high))
    return sorted(rows, key=lambda r: (-r.n, [str(v) for v in r.key]))


def format_table(rows: Sequence[Row], by: Sequence[str]) -> str:
    """A plain-text table of aggregated rows."""
    header = [*by, "n", "up", "down", "approval", "95% CI", "raters"]
    lines = [[*(str(v) for v in row.key), str(row.n), str(row.up), str(row.down), f"{row.approval:.0%}",
              f"{row.low:.0%}-{row.high:.0%}", str(row.raters)] for row in rows]
    widths = [max(len(h), *(len(line[i]) for line in lines)) if lines else len(h) for i, h in enumerate(header)]
    return "\n".join("  ".join(c.ljust(w) for c, w in zip(line, widths, strict=True)).rstrip() for line in [header, *lines])


REPORT_GROUPINGS = {"by_model": ("model",), "by_options": ("model", "options")}


def report(store: RatingsStore | str | os.PathLike[str] | None = None) -> dict[str, Any]:
    """The peer-review summary the app and `ratings report` show: totals and the standard groupings."""
    if store is None or isinstance(store, (str, os.PathLike)):
        store = RatingsStore(store, mirror=None)
    ratings = store.ratings()
    data: dict[str, Any] = {
        "db": str(store.path),
        "ratings": len(ratings),
        "up": sum(1 for r in ratings if r.rating > 0),
        "raters": len({r.session for r in ratings if r.session}),
    }
    for name, by in REPORT_GROUPINGS.items():
        data[name] = [row.to_dict(by) for row in aggregate(ratings, by)]
    return data
