"""The ratings store: durability, concurrency, Hub JSONL push, Wilson aggregation and the report command."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from types import SimpleNamespace

import pytest

from fomm_core.cli import main
from fomm_core.errors import UserError
from fomm_core.hashing import file_sha256
from fomm_core.options import RenderOptions
from fomm_core.ratings.aggregate import aggregate, option_set, report, wilson_interval
from fomm_core.ratings.mirror import HubMirror, mirror_from_env
from fomm_core.ratings.raters import anonymous_session
from fomm_core.ratings.record import Rating
from fomm_core.ratings.store import RatingsStore

REPO_ROOT = Path(__file__).resolve().parents[1]


def make_rating(rating: int = 1, model: str = "default", session: str = "s1", **options) -> Rating:
    """A rating with plausible fields; options override RenderOptions defaults."""
    return Rating(
        generation_id="gen-" + model,
        model=model,
        checkpoint_sha256="c" * 64,
        options=RenderOptions(model=model, **options).to_dict(),
        photo_sha256="p" * 64,
        clip_sha256="v" * 64,
        rating=rating,
        comment="nice",
        session=anonymous_session(session),
    )


def test_wilson_interval_known_values() -> None:
    low, high = wilson_interval(7, 10)
    assert low == pytest.approx(0.3968, abs=1e-4) and high == pytest.approx(0.8922, abs=1e-4)
    assert wilson_interval(0, 10) == (0.0, pytest.approx(0.2775, abs=1e-4))
    assert wilson_interval(10, 10) == (pytest.approx(0.7225, abs=1e-4), 1.0)
    assert wilson_interval(0, 0) == (0.0, 1.0)
    low3, high3 = wilson_interval(3, 10)
    assert (low3, high3) == (pytest.approx(1 - high), pytest.approx(1 - low))
    assert wilson_interval(7, 10, z=2.576)[0] < low


def test_store_created_on_first_use_and_round_trips(tmp_path: Path) -> None:
    path = tmp_path / "nested" / "ratings.db"
    store = RatingsStore(path, mirror=None)
    assert not path.exists()
    first, second = make_rating(1), make_rating(-1, model="taichi", mode="absolute")
    assert store.add(first) == first.id
    store.add(second)
    assert path.exists()
    assert RatingsStore(path, mirror=None).ratings() == [first, second]
    with sqlite3.connect(path) as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_env_sets_default_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FOMM_RATINGS_DB", str(tmp_path / "env.db"))
    monkeypatch.delenv("FOMM_RATINGS_REPO", raising=False)
    store = RatingsStore()
    store.add(make_rating())
    assert store.path == tmp_path / "env.db" and RatingsStore(tmp_path / "env.db").count() == 1
    assert store.mirror is None


def test_bad_ratings_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError):
        make_rating(rating=0)
    with pytest.raises(UserError, match="under 1000"):
        Rating("g", "default", None, {}, "p", "v", 1, comment="x" * 1001)
    not_a_db = tmp_path / "junk.db"
    not_a_db.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(UserError, match="^Your rating could not be saved: the ratings database is damaged"):
        RatingsStore(not_a_db, mirror=None).add(make_rating())
    assert not_a_db.read_bytes() == b"this is not sqlite" * 100


def test_hashes_are_content_hashes(tmp_path: Path) -> None:
    (tmp_path / "a").write_bytes(b"abc")
    assert file_sha256(tmp_path / "a") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
    assert anonymous_session("xyz") == anonymous_session("xyz") != anonymous_session("xy")
    assert "xyz" not in anonymous_session("xyz") and anonymous_session(None) == ""


def test_aggregate_by_model_and_option_set() -> None:
    ratings = (
        [make_rating(1, "taichi", f"s{i}") for i in range(6)]
        + [make_rating(-1, "taichi", "s0")]
        + [make_rating(1, "default", "a", mode="absolute"), make_rating(-1, "default", "b")]
    )
    rows = aggregate(ratings, ("model",))
    assert [r.key for r in rows] == [("taichi",), ("default",)]
    taichi = rows[0]
    assert (taichi.n, taichi.up, taichi.down, taichi.raters) == (7, 6, 1, 6)
    assert taichi.approval == pytest.approx(6 / 7)
    assert (taichi.low, taichi.high) == wilson_interval(6, 7)
    by_opts = {r.key: r for r in aggregate(ratings, ("model", "options"))}
    assert by_opts[("default", "mode=absolute")].up == 1 and by_opts[("default", "defaults")].down == 1
    assert {r.key for r in aggregate(ratings, ("mode",))} == {("relative",), ("absolute",)}
    with pytest.raises(UserError, match="Cannot group ratings by colour"):
        aggregate(ratings, ("colour",))


def test_option_set_ignores_output_neutral_options() -> None:
    assert option_set(RenderOptions(model="taichi", batch_size=16, device="cpu").to_dict()) == "defaults"
    label = option_set(RenderOptions(side_by_side=True, trim_end=4.0).to_dict())
    assert label == "side_by_side=True, trim_end=4.0"
    old_record = {"mode": "absolute", "unknown_future_knob": 3}  # from before scenes: the plain square
    assert option_set(old_record) == "mode=absolute, scene=plain"


def test_report_command_counts_ratings(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = tmp_path / "r.db"
    store = RatingsStore(db, mirror=None)
    for rating in (make_rating(1, session="a"), make_rating(1, session="b"), make_rating(-1, "taichi", "a")):
        store.add(rating)
    assert main(["ratings", "report", "--db", str(db)]) == 0
    out = capsys.readouterr().out
    assert "3 ratings (2 up) from 2 raters" in out
    default_line = next(line for line in out.splitlines() if line.startswith("default "))
    assert default_line.split()[:5] == ["default", "2", "2", "0", "100%"]
    assert main(["ratings", "report", "--db", str(db), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data == report(store)
    assert data["by_model"][0] == {
        "model": "default",
        "n": 2,
        "up": 2,
        "down": 0,
        "raters": 2,
        "approval": 1.0,
        "low": pytest.approx(wilson_interval(2, 2)[0]),
        "high": 1.0,
    }
    assert main(["ratings", "report", "--db", str(db), "--by", "mode", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)[0]["mode"] == "relative"
    assert main(["ratings", "report", "--db", str(tmp_path / "none.db")]) == 2
    assert "No ratings database" in capsys.readouterr().err


def test_200_concurrent_ratings_lose_none(tmp_path: Path) -> None:
    store = RatingsStore(tmp_path / "r.db", mirror=None)
    ratings = [make_rating(1 if i % 3 else -1, session=str(i)) for i in range(200)]
    with ThreadPoolExecutor(max_workers=32) as pool:
        acknowledged = set(pool.map(store.add, ratings))
    assert acknowledged == {r.id for r in ratings}
    assert store.ids() == acknowledged
    row = aggregate(store)[0]
    assert (row.n, row.down, row.raters) == (200, 67, 200)


CHILD = textwrap.dedent("""
    import sys
    from fomm_core.ratings.record import Rating
    from fomm_core.ratings.store import RatingsStore
    store = RatingsStore(sys.argv[1], mirror=None)
    i = 0
    while True:
        rid = store.add(Rating("g", "default", None, {"n": i}, "p", "v", 1, comment="c" * (i % 900)))
        print(rid, flush=True)
        i += 1
""")


@pytest.mark.slow
def test_killed_writer_keeps_every_acknowledged_rating(tmp_path: Path) -> None:
    db = tmp_path / "r.db"
    acknowledged: list[str] = []
    for round_ in range(3):
        child = subprocess.Popen(
            [sys.executable, "-c", CHILD, str(db)],
            stdout=subprocess.PIPE,
            text=True,
            cwd=REPO_ROOT,
            env={**os.environ, "PYTHONPATH": str(REPO_ROOT)},
        )
        assert child.stdout is not None
        lines = [child.stdout.readline() for _ in range(20 + 17 * round_)]
        child.send_signal(signal.SIGKILL)
        rest, _ = child.communicate()
        assert child.returncode == -signal.SIGKILL
        lines += rest.splitlines()
        acknowledged += [line.strip() for line in lines if line.strip()]
    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    stored = RatingsStore(db, mirror=None).ids()
    assert len(acknowledged) >= 20 + 37 + 54
    assert set(acknowledged) <= stored


class FakeHubApi:
    """Stands in for HfApi: records commits instead of uploading."""

    def __init__(self) -> None:
        self.commits: list[dict[str, bytes]] = []

    def create_repo(self, repo_id: str, **_: object) -> SimpleNamespace:
        return SimpleNamespace(repo_id=repo_id)

    def run_as_future(self, fn) -> Future:
        future: Future = Future()
        future.set_result(fn())
        return future

    def create_commit(self, operations, **_: object) -> None:
        files = {}
        for op in operations:
            with op.as_file() as f:
                files[op.path_in_repo] = f.read()
        self.commits.append(files)


def test_hub_mirror_appends_jsonl_and_pushes(tmp_path: Path) -> None:
    api = FakeHubApi()
    mirror = HubMirror("me/ratings", tmp_path / "hub", hf_api=api)
    store = RatingsStore(tmp_path / "r.db", mirror=mirror)
    ratings = [make_rating(1), make_rating(-1, "taichi")]
    for rating in ratings:
        store.add(rating)
    mirror.stop()
    pushed = api.commits[-1]
    assert list(pushed) == [f"data/{mirror.path.name}"]
    assert mirror.path.name.startswith("ratings-") and mirror.path.suffix == ".jsonl"
    lines = pushed[f"data/{mirror.path.name}"].decode().splitlines()
    assert [Rating.from_dict(json.loads(line)) for line in lines] == ratings


def test_failing_mirror_keeps_local_rating(tmp_path: Path) -> None:
    class Broken:
        def append(self, rating: Rating) -> None:
            raise OSError("disk full")

    store = RatingsStore(tmp_path / "r.db", mirror=Broken())  # type: ignore[arg-type]
    rating = make_rating()
    assert store.add(rating) == rating.id and store.ids() == {rating.id}


def test_mirror_needs_repo_and_token(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("HF_TOKEN", raising=False)
    monkeypatch.setenv("FOMM_RATINGS_REPO", "me/ratings")
    assert mirror_from_env(tmp_path) is None


@pytest.mark.slow
def test_unreachable_hub_keeps_ratings_local(tmp_path: Path) -> None:
    script = textwrap.dedent("""
        from fomm_core.ratings.record import Rating
        from fomm_core.ratings.store import RatingsStore
        store = RatingsStore()
        assert store.mirror is None
        print(store.add(Rating("g", "default", None, {}, "p", "v", 1)))
    """)
    env = {
        **os.environ,
        "HF_HUB_OFFLINE": "1",
        "FOMM_RATINGS_REPO": "me/ratings",
        "HF_TOKEN": "hf_test",
        "FOMM_RATINGS_DB": str(tmp_path / "r.db"),
        "PYTHONPATH": str(REPO_ROOT),
    }
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, env=env, cwd=tmp_path
    )
    assert done.returncode == 0, done.stderr
    assert "ratings will not be pushed to the Hub dataset me/ratings" in done.stderr
    assert RatingsStore(tmp_path / "r.db", mirror=None).ids() == {done.stdout.strip()}


def test_a_rating_records_how_many_people_made_the_video(tmp_path: Path) -> None:
    from fomm_core.ratings.record import generation_record

    photos = [tmp_path / "me.png", tmp_path / "friend.png"]
    for i, photo in enumerate(photos):
        photo.write_bytes(bytes([i]) * 10)
    (tmp_path / "clip.mp4").write_bytes(b"clip")
    options = RenderOptions(scene="stage", dancer="2,0").to_dict()
    group = generation_record("g", "pose", None, options, photos, tmp_path / "clip.mp4")
    alone = generation_record("h", "pose", None, options, photos[0], tmp_path / "clip.mp4")
    assert group["options"]["people"] == 2 and alone["options"]["people"] == 1
    assert group["photo_sha256"] == alone["photo_sha256"] == file_sha256(photos[0])  # the user's photo
    ratings = [
        Rating.of_generation(record, vote, "", session, "")
        for record, vote, session in ((group, 1, "a"), (group, -1, "b"), (alone, 1, "c"))
    ]
    assert "people=2" in option_set(ratings[0].options) and "people" not in option_set(ratings[2].options)
    assert option_set(RenderOptions().to_dict()) == "defaults"  # records from before groups: one person
    by_people = {row.key: (row.n, row.up) for row in aggregate(ratings, ("people",))}
    assert by_people == {(2,): (2, 1), (1,): (1, 1)}
