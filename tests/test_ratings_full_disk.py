"""A full disk under the ratings database: the rating is refused saying the disk is full (whether SQLite fails at
COMMIT or cannot even create its -wal file), nothing stored is lost, and the peer review stays readable."""

from __future__ import annotations

import dataclasses
import sqlite3
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from test_ratings import make_rating

from fomm_core.ratings.aggregate import report
from fomm_core.ratings.raters import RateLimits
from fomm_core.ratings.store import RatingsError, RatingsStore

GENEROUS = RateLimits(session=(10_000, 60), rater=(10_000, 60))
FULL = "Your rating could not be saved: the server's disk is full. Please try again later."


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A 1 MB tmpfs mounted for the test (the tests run as root)."""
    mount = tmp_path / "disk"
    mount.mkdir()
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(mount)], check=True)
    try:
        yield mount
    finally:
        subprocess.run(["umount", str(mount)], check=True)


def fill(folder: Path) -> None:
    with open(folder / "filler", "wb", buffering=0) as f:
        try:
            while True:
                f.write(b"\0" * 4096)
        except OSError:
            pass


def stored(path: Path, n: int) -> RatingsStore:
    store = RatingsStore(path, mirror=None, limits=GENEROUS)
    for i in range(n):
        store.add(make_rating(model=f"m{i}"))
    return store


def test_full_disk_without_a_wal_file_says_full_and_the_review_stays_readable(small_disk: Path) -> None:
    stored(small_disk / "ratings.db", 3)
    fill(small_disk)
    store = RatingsStore(small_disk / "ratings.db", mirror=None, limits=GENEROUS)  # as after a restart
    with pytest.raises(RatingsError) as info:
        store.add(make_rating(model="late"))
    assert str(info.value) == FULL
    assert store.count() == 3 and len(store.ratings()) == 3
    assert report(store)["ratings"] == 3


def test_full_disk_at_commit_is_not_masked_by_the_rollback(small_disk: Path) -> None:
    store = stored(small_disk / "ratings.db", 1)
    keeper = sqlite3.connect(small_disk / "ratings.db")  # another reader keeps the -wal file in place
    keeper.execute("SELECT COUNT(*) FROM ratings").fetchone()
    try:
        fill(small_disk)
        messages = set()
        for i in range(3):  # large comments make the commit need pages the disk no longer has
            with pytest.raises(RatingsError) as info:
                store.add(dataclasses.replace(make_rating(model=f"big{i}"), comment="x" * 900))
            messages.add(str(info.value))
            assert "no transaction is active" not in info.value.detail
        assert messages == {FULL}
        assert store.count() == 1 and report(store)["ratings"] == 1
    finally:
        keeper.close()
