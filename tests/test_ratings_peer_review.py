"""A trustworthy peer review: one rating per video per rater under races, rate limits, raters that new sessions do
not inflate, failing databases that lose nothing silently, and old databases that keep working."""

from __future__ import annotations

import json
import logging
import os
import sqlite3
import subprocess
import sys
import textwrap
import threading
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from app_fixtures import EXAMPLE_CLIP, EXAMPLE_PHOTO, launched_app
from conftest import TINY_FOMM
from gradio_client import Client, handle_file
from gradio_client.exceptions import AppError
from test_ratings import make_rating

from fomm_core.cli import main
from fomm_core.hashing import file_sha256
from fomm_core.ratings.aggregate import report
from fomm_core.ratings.raters import RATER_BASIS, RateLimits, client_address, describe, rater_id
from fomm_core.ratings.record import Rating, generation_record
from fomm_core.ratings.store import AlreadyRated, RateLimited, RatingsError, RatingsStore

REPO_ROOT = Path(__file__).resolve().parents[1]
GENEROUS = RateLimits(session=(10_000, 60), rater=(10_000, 60))
SAVE_FAILED = "Your rating could not be saved: the ratings database is {}. Please try again later."


def generate(client: Client) -> str:
    """A 10-frame video through /generate (its path; the notes are left out)."""
    video, _ = client.predict(
        handle_file(str(EXAMPLE_PHOTO)),
        handle_file(str(EXAMPLE_CLIP)),
        "default",
        "relative",
        True,
        False,
        0,
        0.4,
        api_name="/generate",
    )
    return video


def rate(client: Client, comment: str = "", api_name: str = "/rate_up") -> dict | str:
    """The status dict of a saved rating, or the refusal's message."""
    try:
        return client.predict(comment, api_name=api_name)
    except AppError as exc:
        return str(exc)


@contextmanager
def read_only(path: Path) -> Iterator[None]:
    """Make a file truly read-only, also for root (chmod alone does not stop root; the immutable flag does)."""
    path.chmod(0o444)
    if os.geteuid() == 0:
        subprocess.run(["chattr", "+i", str(path)], check=True)
    try:
        yield
    finally:
        if os.geteuid() == 0:
            subprocess.run(["chattr", "-i", str(path)], check=True)
        path.chmod(0o644)


def damage(path: Path) -> None:
    """Fold the WAL into the file, then overwrite every page but the first (the schema) with garbage."""
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    data = bytearray(path.read_bytes())
    data[4096:] = b"\xab" * (len(data) - 4096)
    path.write_bytes(bytes(data))


@pytest.mark.slow
def test_up_and_down_fired_together_store_one_rating(tmp_path: Path) -> None:
    store = RatingsStore(tmp_path / "r.db", mirror=None, limits=GENEROUS)
    tries = 12
    with launched_app(tmp_path, TINY_FOMM, max_duration=10, examples=False, store=store) as space:
        client = Client(space.url, verbose=False)
        for _ in range(tries):
            generate(client)
            jobs = [client.submit("race", api_name=name) for name in ("/rate_up", "/rate_down")]
            outcomes = []
            for job in jobs:
                try:
                    outcomes.append(job.result()["saved"])
                except AppError as exc:
                    outcomes.append(str(exc))
            assert sorted(outcomes, key=str) == sorted(
                [True, "You already rated this video; generate another one to rate again."], key=str
            )
    per_video = Counter(r.generation_id for r in store.ratings())
    assert len(per_video) == tries and set(per_video.values()) == {1}


def test_concurrent_threads_store_one_rating_per_video_per_rater(tmp_path: Path) -> None:
    store = RatingsStore(tmp_path / "r.db", mirror=None, limits=GENEROUS)
    videos, voters = 40, 4
    outcomes: Counter[str] = Counter()
    lock = threading.Lock()

    def vote(generation_id: str, barrier: threading.Barrier, n: int) -> None:
        rating = Rating(
            generation_id, "default", None, {}, "p", "v", 1 if n % 2 else -1, session="s", rater="a:one"
        )
        barrier.wait()
        try:
            store.add(rating)
            outcome = "saved"
        except AlreadyRated:
            outcome = "refused"
        with lock:
            outcomes[outcome] += 1

    for v in range(videos):
        barrier = threading.Barrier(voters)
        threads = [threading.Thread(target=vote, args=(f"g{v}", barrier, n)) for n in range(voters)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert outcomes == {"saved": videos, "refused": videos * (voters - 1)}
    assert sorted(Counter(r.generation_id for r in store.ratings()).values()) == [1] * videos
    other = Rating("g0", "default", None, {}, "p", "v", 1, session="t", rater="a:two")
    assert store.add(other) == other.id  # another rater may rate the same video


VOTER = textwrap.dedent("""
    import sys
    from fomm_core.ratings.record import Rating
    from fomm_core.ratings.store import AlreadyRated, RatingsStore
    store = RatingsStore(sys.argv[1], mirror=None)
    saved = 0
    for v in range(int(sys.argv[2])):
        try:
            store.add(Rating(f"g{v}", "default", None, {}, "p", "v", 1, rater="a:same"))
            saved += 1
        except AlreadyRated:
            pass
    print(saved)
""")


@pytest.mark.slow
def test_concurrent_processes_store_one_rating_per_video_per_rater(tmp_path: Path) -> None:
    db, videos = tmp_path / "r.db", 60
    RatingsStore(db, mirror=None).count()  # created before the race, as the app does at its first rating
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT), "FOMM_RATE_LIMIT_RATER": "100000/60"}
    children = [
        subprocess.Popen(
            [sys.executable, "-c", VOTER, str(db), str(videos)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
        )
        for _ in range(4)
    ]
    saved = []
    for child in children:
        out, err = child.communicate(timeout=300)
        assert child.returncode == 0, err
        saved.append(int(out))
    assert sum(saved) == videos
    assert Counter(r.generation_id for r in RatingsStore(db, mirror=None).ratings()) == {
        f"g{v}": 1 for v in range(videos)
    }


@pytest.mark.slow
def test_rate_limits_and_new_sessions_from_one_client_count_as_one_rater(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    store = RatingsStore(tmp_path / "r.db", mirror=None, limits=RateLimits(session=(2, 600), rater=(3, 600)))
    with launched_app(tmp_path, TINY_FOMM, max_duration=10, examples=False, store=store) as space:
        first = Client(space.url, verbose=False)
        for _ in range(2):
            generate(first)
            assert rate(first)["saved"] is True
        generate(first)
        refused = rate(first)
        assert refused.startswith(
            "Thank you for rating so much! The peer review takes at most 2 ratings per "
            "10 minutes from this browser session; please rate again in 10 minutes."
        )
        second = Client(space.url, verbose=False)  # a new session from the same address
        generate(second)
        assert rate(second, api_name="/rate_down")["rating"] == "down"
        third = Client(space.url, verbose=False)
        generate(third)
        assert "at most 3 ratings per 10 minutes from your network address" in rate(third)
        summary, by_model, _ = third.predict(api_name="/peer_review")
    assert store.count() == 3
    assert summary.startswith(f"**3 ratings** (2 👍) from 1 rater: {RATER_BASIS}.")
    assert "at most 2 ratings per 10 minutes per session and 3 ratings per 10 minutes per address" in summary
    assert by_model["headers"][-1] == "raters" and by_model["data"][0][-1] == 1
    assert len({r.session for r in store.ratings()}) == 2 and len({r.rater for r in store.ratings()}) == 1
    assert main(["ratings", "report", "--db", str(store.path)]) == 0
    out = capsys.readouterr().out
    assert "3 ratings (2 up) from 1 raters" in out and f"Raters: {RATER_BASIS}." in out


@pytest.mark.slow
def test_rate_endpoints_return_a_named_status(tmp_path: Path) -> None:
    with launched_app(tmp_path, TINY_FOMM, max_duration=10, examples=False) as space:
        client = Client(space.url, verbose=False)
        api = client.view_api(return_format="dict", print_info=False)["named_endpoints"]
        for name in ("/rate_up", "/rate_down"):
            assert [r["label"] for r in api[name]["returns"]] == ["rating"]
        returns = api["/peer_review"]["returns"]
        assert len(returns) == 3 and returns[0]["label"] == "summary"
        video = generate(client)
        status = rate(client, "  good  ")
        (stored,) = space.store.ratings()
    assert status == {
        "saved": True,
        "rating": "up",
        "rating_id": stored.id,
        "generation_id": Path(video).stem,
        "message": "Thank you! Your rating was saved and counts in the **Peer review** tab.",
    }
    assert stored.comment == "good" and stored.rater.startswith("a:") and len(stored.rater) == 18


@pytest.mark.slow
def test_read_only_and_damaged_database_through_the_app(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, capfd: pytest.CaptureFixture[str]
) -> None:
    store = RatingsStore(tmp_path / "r.db", mirror=None, limits=GENEROUS)
    with (
        launched_app(tmp_path, TINY_FOMM, max_duration=10, examples=False, store=store) as space,
        caplog.at_level(logging.WARNING, logger="space.errors"),
    ):
        client = Client(space.url, verbose=False)
        generate(client)
        assert rate(client)["saved"] is True
        generate(client)
        with read_only(store.path):
            assert rate(client, "kept?") == SAVE_FAILED.format("read-only")
        assert (
            rate(client, "kept!")["saved"] is True
        )  # the refused rating was not marked done: rating again works
        for _ in range(60):
            store.add(make_rating(session="filler"))  # enough pages to damage beyond the schema page
        generate(client)
        damage(store.path)
        assert rate(client) == SAVE_FAILED.format("damaged")
        with pytest.raises(AppError) as info:
            client.predict(api_name="/peer_review")
        assert str(info.value) == (
            "The ratings could not be read: the ratings database is damaged. Please try again later."
        )
    lines = [r for r in caplog.records if r.name == "space.errors"]
    assert len(lines) == 3 and all(r.exc_info is None and r.levelno == logging.WARNING for r in lines)
    assert all(str(store.path) in r.getMessage() and "\n" not in r.getMessage() for r in lines)
    assert "Traceback" not in capfd.readouterr().err


def test_store_errors_name_no_path_and_keep_the_file(tmp_path: Path) -> None:
    db = tmp_path / "r.db"
    store = RatingsStore(db, mirror=None)
    store.add(make_rating())
    with read_only(db):
        with pytest.raises(RatingsError) as info:
            store.add(make_rating(session="other"))
        assert str(info.value) == SAVE_FAILED.format("read-only")
        assert str(tmp_path) not in str(info.value) and "FOMM_" not in str(info.value)
        assert str(db) in info.value.detail
        assert len(RatingsStore(db, mirror=None, writable=False).ratings()) == 1  # reading still works
    blocked = tmp_path / "file-in-the-way"
    blocked.write_text("x")
    with pytest.raises(
        RatingsError, match="^Your rating could not be saved: the ratings database cannot be used"
    ):
        RatingsStore(blocked / "r.db", mirror=None).add(make_rating())


@pytest.mark.parametrize(
    "content, message",
    [
        (b"", "is empty (0 bytes), not a ratings database"),
        (b"name,rating\nx,1\n" * 50, "Cannot read the ratings database"),
        (None, "Cannot read the ratings database"),  # a damaged database
    ],
)
def test_report_refuses_what_is_not_a_ratings_database_and_never_writes(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: bytes | None, message: str
) -> None:
    db = tmp_path / "r.db"
    sqlite_file = content is None
    if sqlite_file:
        store = RatingsStore(db, mirror=None)
        for i in range(60):
            store.add(make_rating(session=str(i)))
        damage(db)
        content = db.read_bytes()
    else:
        db.write_bytes(content)
    assert main(["ratings", "report", "--db", str(db)]) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err
    assert db.read_bytes() == content
    if not sqlite_file:  # (a WAL database's reader may add its -shm index beside it)
        assert sorted(p.name for p in tmp_path.iterdir()) == ["r.db"]
    assert main(["ratings", "report", "--db", str(tmp_path)]) == 2
    assert "Cannot read the ratings database" in capsys.readouterr().err


def test_report_reads_a_read_only_database(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = tmp_path / "r.db"
    RatingsStore(db, mirror=None).add(make_rating())
    with read_only(db):
        assert main(["ratings", "report", "--db", str(db), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["ratings"] == 1


OLD_SCHEMA = """
CREATE TABLE ratings (id TEXT PRIMARY KEY, timestamp REAL NOT NULL, generation_id TEXT NOT NULL,
    model TEXT NOT NULL, checkpoint_sha256 TEXT, options TEXT NOT NULL, photo_sha256 TEXT NOT NULL,
    clip_sha256 TEXT NOT NULL, rating INTEGER NOT NULL CHECK (rating IN (-1, 1)), comment TEXT NOT NULL,
    session TEXT NOT NULL);
CREATE INDEX ratings_model ON ratings (model);
"""


def test_old_database_is_migrated_and_its_ratings_still_read(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "old.db"
    conn = sqlite3.connect(db)
    conn.executescript(OLD_SCHEMA)
    old = [
        ("a", 1.0, "g1", "s1", 1),
        ("b", 2.0, "g1", "s1", -1),
        ("c", 3.0, "g2", "s2", 1),
    ]  # g1: the old race
    conn.executemany(
        "INSERT INTO ratings VALUES (?, ?, ?, 'default', NULL, '{}', 'p', 'v', ?, '', ?)",
        [(i, t, g, v, s) for i, t, g, s, v in old],
    )
    conn.commit()
    conn.close()
    assert (
        main(["ratings", "report", "--db", str(db), "--json"]) == 0
    )  # read-only: reads the old schema as is
    data = json.loads(capsys.readouterr().out)
    assert (data["ratings"], data["raters"], data["ratings_counted_by_session"]) == (3, 2, 3)

    store = RatingsStore(db, mirror=None)
    assert [(r.id, r.rater) for r in store.ratings()] == [("a", ""), ("b", ""), ("c", "")]
    store.add(Rating("g1", "default", None, {}, "p", "v", 1, session="s3", rater="a:new"))
    with pytest.raises(AlreadyRated):
        store.add(Rating("g1", "default", None, {}, "p", "v", -1, session="s4", rater="a:new"))
    assert store.count() == 4 and report(store)["raters"] == 3
    assert store.rater("10.0.0.1", "x") == RatingsStore(db, mirror=None).rater(
        "10.0.0.1", "y"
    )  # salt is kept
    old_line = {k: v for k, v in Rating("g", "m", None, {}, "p", "v", 1).to_dict().items() if k != "rater"}
    assert Rating.from_dict(old_line).rater == ""  # Hub JSONL written before raters were recorded


def test_rate_limit_counts_per_session_and_per_rater_in_the_store(tmp_path: Path) -> None:
    store = RatingsStore(tmp_path / "r.db", mirror=None, limits=RateLimits(session=(2, 60), rater=(3, 60)))
    for session in ("s1", "s1", "s2"):
        store.add(
            Rating(f"g-{session}-{store.count()}", "m", None, {}, "p", "v", 1, session=session, rater="a:x")
        )
    with pytest.raises(RateLimited, match="from this browser session"):
        store.add(Rating("g9", "m", None, {}, "p", "v", 1, session="s1", rater="a:y"))
    with pytest.raises(RateLimited, match="at most 3 ratings per minute from your network address"):
        store.add(Rating("g9", "m", None, {}, "p", "v", 1, session="s3", rater="a:x"))
    after_window = store.ratings()[-1].timestamp + 61
    later = Rating("g9", "m", None, {}, "p", "v", 1, session="s1", rater="a:x", timestamp=after_window)
    assert store.add(later) == later.id  # the window has passed


def test_rater_identity_rules() -> None:
    assert (
        client_address("10.1.1.1", "6.6.6.6", 0) == "10.1.1.1"
    )  # no proxy: the header is the client's to forge
    assert client_address("10.0.0.2", "6.6.6.6, 203.0.113.9", 1) == "203.0.113.9"  # the proxy's own entry
    assert client_address("10.0.0.2", "6.6.6.6, 203.0.113.9, 10.0.0.1", 2) == "203.0.113.9"
    assert client_address("10.0.0.2", None, 1) == ""
    by_address = rater_id("salt", "203.0.113.9", "session-1")
    assert (
        by_address == rater_id("salt", "203.0.113.9", "session-2") != rater_id("pepper", "203.0.113.9", "s")
    )
    assert by_address.startswith("a:") and "203" not in by_address
    assert rater_id("salt", "", "session-1").startswith("s:") and rater_id("salt", "", "") == ""
    assert describe((10, 600)) == "10 ratings per 10 minutes" and describe((1, 3600)) == "1 rating per hour"


def test_rate_limits_from_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FOMM_RATE_LIMIT_SESSION", "5/60")
    monkeypatch.delenv("FOMM_RATE_LIMIT_RATER", raising=False)
    assert RateLimits.from_env() == RateLimits(session=(5, 60), rater=RateLimits().rater)
    monkeypatch.setenv("FOMM_RATE_LIMIT_RATER", "lots")
    with pytest.raises(Exception, match="is not a rate limit; write COUNT/SECONDS"):
        RateLimits.from_env()


def test_generation_record_and_rating_of_it() -> None:
    record = generation_record(
        "gen1", "default", "c" * 64, {"relative": True}, EXAMPLE_PHOTO, EXAMPLE_CLIP, "note"
    )
    assert record == {
        "generation_id": "gen1",
        "model": "default",
        "checkpoint_sha256": "c" * 64,
        "options": {"relative": True, "people": 1},
        "photo_sha256": file_sha256(EXAMPLE_PHOTO),
        "clip_sha256": file_sha256(EXAMPLE_CLIP),
        "notice": "note",
        "rated": False,
    }
    rating = Rating.of_generation(record, -1, "  meh ", "sess", "a:r")
    assert (rating.generation_id, rating.rating, rating.comment, rating.session, rating.rater) == (
        "gen1",
        -1,
        "meh",
        "sess",
        "a:r",
    )
    assert rating.photo_sha256 == record["photo_sha256"] and rating.options == {"relative": True, "people": 1}
