"""Runner and report on a tiny hand-made suite with a tiny random model (and a perfect oracle)."""

import json
import math

import numpy as np
import pytest
from evaluate_fixtures import oracle, tiny_cases

from fomm_core import random_model
from fomm_core.evaluate import runner, stats
from fomm_core.evaluate.report import write_report
from fomm_core.ratings.record import Rating

SECTIONS = [
    "## Setup",
    "## Summary",
    "## Metrics per style",
    "## Consistency across styles",
    "## Worst cases",
    "## Contact sheets",
    "## Peer review",
    "## Definitions and notes",
]


@pytest.fixture(scope="module")
def model():
    from conftest import TINY_FOMM

    return random_model(TINY_FOMM, seed=0)


def _png(path) -> bool:
    return path.is_file() and path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_random_model_run_measures_every_clip_and_baseline(model):
    cases = tiny_cases()
    run = runner.run(model, cases, "tiny", perceptual=False)
    assert run.methods == [model.name, runner.STATIC, runner.BOX_FOLLOW, runner.GROUND_TRUTH]
    assert run.compared == [model.name, runner.STATIC, runner.BOX_FOLLOW]
    assert run.styles == ["slide", "bob"]
    assert len(run.results) == 4 * len(cases)
    for r in run.results:
        wanted = (
            {"identity", "motion"}
            if r.method == runner.GROUND_TRUTH
            else {"l1", "person_l1", "psnr", "ssim", "flicker", "identity", "motion"}
        )
        assert set(r.metrics) == wanted
        assert all(not math.isnan(v) for v in r.metrics.values())
    by = {(r.case, r.method): r.metrics for r in run.results}
    # following the dancer's box puts the photo's block where the expected video has it
    assert all(by[(c.name, runner.BOX_FOLLOW)]["l1"] < by[(c.name, runner.STATIC)]["l1"] for c in cases)
    assert by[("slide-0", runner.STATIC)]["flicker"] == 0.0
    assert by[("slide-0", runner.STATIC)]["motion"] > 0.0
    # the expected video shows exactly the photo's colours in every frame
    assert by[("slide-0", runner.GROUND_TRUTH)]["identity"] == pytest.approx(0.0, abs=1e-12)
    assert by[("slide-0", model.name)]["identity"] > 0.1
    assert run.info["frames"] == 4 * 6 and run.info["model_fps"] > 0
    assert any("perceptual distance skipped" in n for n in run.notes)


def test_a_perfect_result_ranks_above_the_static_baseline(model):
    cases = tiny_cases()
    run = runner.run(model, cases, "tiny", perceptual=False, animate_fn=oracle(cases))
    ours = [r for r in run.results if r.method == model.name]
    assert all(
        r.metrics["l1"] == 0.0 and r.metrics["psnr"] == math.inf and r.metrics["flicker"] == 0.0 for r in ours
    )
    summaries = stats.summarise(run.results)
    for metric in ("l1", "person_l1", "psnr", "ssim", "flicker"):
        order = [s.method for s in stats.rank(summaries, metric)]
        assert order.index(model.name) < order.index(runner.STATIC), metric
    assert stats.wins(summaries, model.name, [runner.STATIC], "l1") == {"bob": True, "slide": True}


def test_report_has_every_section_plots_sheets_and_peer_review(model, tmp_path):
    cases = tiny_cases()
    run = runner.run(model, cases, "tiny", perceptual=False, animate_fn=oracle(cases))
    ratings = [
        Rating("g1", model.name, None, {}, "p", "clip-a", 1, session="s1"),
        Rating("g2", model.name, None, {}, "p", "clip-a", 1, session="s2"),
        Rating("g3", model.name, None, {}, "p", "clip-b", -1, session="s2"),
        Rating("g4", "taichi", None, {}, "p", "other", 1, session="s3"),
    ]
    path = write_report(
        run,
        tmp_path / "rep",
        ratings=ratings,
        ratings_db="ratings.db",
        clip_styles={"clip-a": "slide", "clip-b": "bob"},
    )
    text = path.read_text()
    positions = [text.index(s) for s in SECTIONS]
    assert positions == sorted(positions)
    assert (
        "beats every baseline on L1 ↓ in **2 of 2 styles** (on PSNR dB in 2, SSIM in 2, person-region L1 in 2 "
        "of them)"
    ) in text
    assert "| slide | 2 |" in text and text.count("| L1, PSNR dB, SSIM, person-region L1 |") == 2
    assert "∞" in text  # the perfect result's PSNR
    assert "**4 ratings** (3 👍) from **3 raters**" in text
    assert f"| {model.name} | 3 | 2 | 1 | 67% | 21%–94% | 2 |" in text  # Wilson 95% for 2/3
    assert f"| slide | {model.name} | 2 | 2 | 0 |" in text
    assert "| not a suite clip | taichi | 1 |" in text
    rep = tmp_path / "rep"
    for name in ("l1", "person_l1", "psnr", "ssim", "flicker", "identity", "motion", "peer_review"):
        assert _png(rep / "plots" / f"{name}.png"), name
        assert name == "peer_review" or f"(plots/{name}.png)" in text
    for name in ("slide", "bob", "worst"):
        assert _png(rep / "sheets" / f"{name}.png")
    data = json.loads((rep / "results.json").read_text())
    assert len(data["clips"]) == len(run.results)
    assert data["clips"][0]["metrics"]["psnr"] == "inf"
    assert data["peer_review"]["totals"]["raters"] == 3
    assert (rep / "clips.csv").read_text().count("\n") == len(run.results) + 1
    assert not [p for p in rep.rglob(".*")]  # no temporary files left behind


def test_report_without_a_ratings_store_says_so(model, tmp_path):
    cases = tiny_cases()[:2]
    run = runner.run(model, cases, "tiny", perceptual=False)
    text = write_report(run, tmp_path).read_text()
    assert "No ratings store was given" in text
    assert all(s in text for s in SECTIONS)
    assert not (tmp_path / "plots" / "peer_review.png").exists()
    assert np.isfinite([s.mean for s in stats.summarise(run.results)]).all()


def test_report_counts_raters_like_the_peer_review_tab() -> None:
    from fomm_core.evaluate.report import peer_review

    ratings = [
        Rating("g1", "m", None, {}, "p", "clip-a", 1, session="s1", rater="a:one"),
        Rating(
            "g2", "m", None, {}, "p", "clip-a", 1, session="s2", rater="a:one"
        ),  # new session, same client
        Rating("g3", "m", None, {}, "p", "clip-a", -1, session="s3"),
    ]  # stored before raters were recorded
    *_, totals = peer_review(ratings, {"clip-a": "turns"})
    assert totals == {"ratings": 3, "up": 2, "raters": 2}
