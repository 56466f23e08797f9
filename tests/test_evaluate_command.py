"""`python -m fomm_core evaluate` end to end: built-in synthetic suite and a real-clip folder, tiny random model."""

import json

import numpy as np
import pytest
from conftest import TINY_FOMM
from PIL import Image

from fomm_core.checkpoints.formats import write_safetensors
from fomm_core.cli import main
from fomm_core.engines import fomm
from fomm_core.evaluate import suites
from fomm_core.io import VideoWriter
from fomm_core.people import default_landmarker
from fomm_core.ratings.record import Rating
from fomm_core.ratings.store import RatingsStore


@pytest.fixture
def checkpoint(tmp_path, monkeypatch):
    default_landmarker()  # loaded once per process from the shared cache, before the cache is redirected
    monkeypatch.setenv("FOMM_CORE_CACHE", str(tmp_path / "cache"))
    monkeypatch.delenv("FOMM_RATINGS_DB", raising=False)
    monkeypatch.chdir(tmp_path)  # no ./ratings/ratings.db here
    nets = fomm.build_networks(TINY_FOMM)
    return write_safetensors(
        {k: n.state_dict() for k, n in nets.items()}, tmp_path / "tiny.safetensors", config=TINY_FOMM
    )


def test_builtin_suite_report_with_exported_clips_and_per_style_peer_review(checkpoint, tmp_path, capsys):
    cases = suites.builtin_suite(32, n_frames=6, per_style=2, styles=["turns", "jumps"])
    clip_styles = suites.export_suite(cases, tmp_path / "first", fps=10)
    assert sorted(clip_styles.values()) == ["jumps", "jumps", "turns", "turns"]
    turns_clip = next(sha for sha, style in clip_styles.items() if style == "turns")
    store = RatingsStore(tmp_path / "ratings.db", mirror=None)
    store.add(Rating("g1", "tiny.safetensors", None, {}, "p", turns_clip, 1, session="s1"))

    out = tmp_path / "report"
    code = main(
        [
            "evaluate",
            "--model",
            str(checkpoint),
            "--suite",
            "builtin",
            "--styles",
            "turns,jumps",
            "--per-style",
            "2",
            "--frames",
            "6",
            "--fps",
            "10",
            "--no-perceptual",
            "--ratings-db",
            str(tmp_path / "ratings.db"),
            "--out",
            str(out),
        ]
    )
    assert code == 0
    assert "report:" in capsys.readouterr().out
    text = (out / "report.md").read_text()
    assert "| turns | 2 |" in text and "| jumps | 2 |" in text
    # the report's exported clips are byte-identical to the first export, so the rating finds its style
    assert "| turns | tiny.safetensors | 1 | 1 | 0 |" in text
    assert (out / "suite" / "turns" / "turns-0.mp4").is_file() and (
        out / "suite" / "jumps" / "jumps-1.png"
    ).is_file()
    data = json.loads((out / "results.json").read_text())
    methods = {c["method"] for c in data["clips"]}
    assert methods == {"tiny.safetensors", "static photo", "box follow", "ground truth"}
    assert {c["case"] for c in data["clips"]} == {"turns-0", "turns-1", "jumps-0", "jumps-1"}
    assert data["info"]["frames"] == 4 * 6


def test_builtin_suite_is_deterministic_and_has_ground_truth():
    a = suites.builtin_suite(32, n_frames=5, per_style=1, styles=["travel"])
    b = suites.builtin_suite(32, n_frames=5, per_style=1, styles=["travel"])
    assert np.array_equal(a[0].driving, b[0].driving) and np.array_equal(a[0].expected, b[0].expected)
    case = a[0]
    assert case.driving.dtype == np.float32 and case.driving.shape == (5, 32, 32, 3)
    assert np.array_equal(case.photo, case.expected[0])  # A's photo is A in B's first pose
    assert case.boxes.shape == (5, 4) and case.photo_box.shape == (4,)
    assert set(suites.builtin_styles()) >= {
        "slow_waves",
        "fast_footwork",
        "turns",
        "jumps",
        "floor_moves",
        "travel",
        "arm_close",
    }


def test_unknown_style_or_empty_suite_is_a_user_error(checkpoint, tmp_path, capsys):
    code = main(
        ["evaluate", "--model", str(checkpoint), "--styles", "moonwalk", "--out", str(tmp_path / "r")]
    )
    assert code == 2
    assert "Unknown style(s) moonwalk" in capsys.readouterr().err
    assert (
        main(["evaluate", "--model", str(checkpoint), "--per-style", "0", "--out", str(tmp_path / "r")]) == 2
    )
    assert "--per-style must be at least 1" in capsys.readouterr().err


def _dance(path, n=12, size=64):
    with VideoWriter(path, 10, (size, size)) as writer:
        for t in range(n):
            frame = np.full((size, size, 3), 230, np.uint8)
            x = 20 + t
            frame[14:52, x : x + 12] = (30, 60, 200)
            frame[14:22, x + 2 : x + 10] = (230, 180, 150)
            writer.write(frame)


@pytest.mark.slow
def test_folder_suite_with_self_and_cross_cases_and_peer_review_by_style(checkpoint, tmp_path, capsys):
    root = tmp_path / "suite"
    (root / "slide").mkdir(parents=True)
    _dance(root / "slide" / "a.mp4")
    _dance(root / "slide" / "b.mp4", n=30)
    photo = np.full((80, 60, 3), 240, np.uint8)
    photo[15:70, 24:38] = (200, 40, 40)
    Image.fromarray(photo).save(root / "slide" / "a.png")

    cases, clip_styles = suites.folder_suite(root, 32, max_frames=10, max_fps=10)
    assert [c.name for c in cases] == ["slide/a (self)", "slide/a", "slide/b (self)"]
    assert [c.kind for c in cases] == ["self", "cross", "self"]
    assert all(c.driving.shape == (10, 32, 32, 3) for c in cases)  # b (30 frames) read up to max_frames
    assert cases[1].expected is None and cases[1].boxes is not None
    assert sorted(clip_styles.values()) == ["slide", "slide"]

    sha = next(iter(clip_styles))
    store = RatingsStore(tmp_path / "ratings.db", mirror=None)
    store.add(Rating("g1", "tiny.safetensors", None, {}, "p", sha, 1, session="s1"))
    store.add(Rating("g2", "tiny.safetensors", None, {}, "p", "elsewhere", -1, session="s2"))
    out = tmp_path / "report"
    code = main(
        [
            "evaluate",
            "--model",
            str(checkpoint),
            "--suite",
            str(root),
            "--max-frames",
            "10",
            "--max-fps",
            "10",
            "--no-perceptual",
            "--ratings-db",
            str(tmp_path / "ratings.db"),
            "--out",
            str(out),
        ]
    )
    assert code == 0
    text = (out / "report.md").read_text()
    assert "self-reconstruction L1 ↓ tiny.safetensors" in text
    assert "**2 ratings** (1 👍) from **2 raters**" in text
    assert "| slide | tiny.safetensors | 1 | 1 | 0 |" in text
    rows = json.loads((out / "results.json").read_text())["clips"]
    cross = [r for r in rows if not r["case"].endswith("(self)")]
    assert {tuple(sorted(r["metrics"])) for r in cross} == {("flicker", "identity", "motion")}
    # self-reconstruction: L1, plus the pose model's AKD/MKR wherever it finds landmarks on the block figure
    assert all({"self_l1"} <= set(r["metrics"]) <= {"self_l1", "akd", "mkr"} for r in rows if r not in cross)


def test_empty_or_missing_suite_folder_is_a_user_error(checkpoint, tmp_path, capsys):
    (tmp_path / "empty" / "turns").mkdir(parents=True)
    assert (
        main(
            [
                "evaluate",
                "--model",
                str(checkpoint),
                "--suite",
                str(tmp_path / "empty"),
                "--out",
                str(tmp_path / "r"),
            ]
        )
        == 2
    )
    assert "holds no clips" in capsys.readouterr().err
    assert (
        main(
            [
                "evaluate",
                "--model",
                str(checkpoint),
                "--suite",
                str(tmp_path / "nope"),
                "--out",
                str(tmp_path / "r"),
            ]
        )
        == 2
    )
    assert "does not exist" in capsys.readouterr().err
