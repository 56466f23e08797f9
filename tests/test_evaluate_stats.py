"""Summaries, consistency and ranking of per-clip metrics; the baselines."""

import math

import numpy as np
import pytest

from fomm_core.evaluate import baselines, stats
from fomm_core.evaluate.stats import ClipResult


def test_mean_ci_is_a_student_t_interval():
    m, low, high = stats.mean_ci([1.0, 2.0, 3.0])
    assert m == 2.0
    assert high - m == pytest.approx(4.303 / math.sqrt(3))
    assert m - low == pytest.approx(high - m)
    assert stats.mean_ci([5.0]) == (5.0, 5.0, 5.0)


def _results():
    rows = []
    for style, ours, static in [("turns", [0.02, 0.04], [0.10, 0.12]), ("jumps", [0.05, 0.07], [0.09, 0.11])]:
        for i in range(2):
            rows.append(ClipResult(f"{style}-{i}", style, "ours", {"l1": ours[i], "psnr": math.inf}))
            rows.append(ClipResult(f"{style}-{i}", style, "static", {"l1": static[i], "psnr": 20.0}))
    return rows


def test_summaries_per_style_and_overall_with_infinite_psnr_capped():
    table = stats.lookup(stats.summarise(_results()))
    assert table[("ours", "turns", "l1")].mean == pytest.approx(0.03)
    assert table[("ours", "turns", "l1")].n == 2
    assert table[("ours", "all", "l1")].mean == pytest.approx(0.045)
    assert table[("static", "all", "l1")].n == 4
    assert table[("ours", "jumps", "psnr")].mean == stats.PSNR_CAP
    assert table[("ours", "jumps", "psnr")].low == stats.PSNR_CAP  # identical values: no spread


def test_intervals_are_cut_to_the_metric_range():
    rows = [ClipResult(f"c{i}", "s", "m", {"l1": v, "ssim": 1.0 - v}) for i, v in enumerate([0.0, 0.1])]
    table = stats.lookup(stats.summarise(rows))
    assert table[("m", "s", "l1")].low == 0.0 and table[("m", "s", "l1")].high == pytest.approx(
        0.05 + 12.706 * 0.05
    )
    assert table[("m", "s", "ssim")].high == 1.0


def test_consistency_names_the_worst_style_and_the_spread():
    rows = {(c.method, c.metric): c for c in stats.consistency(stats.summarise(_results()))}
    ours = rows[("ours", "l1")]
    assert ours.worst_style == "jumps"
    assert ours.worst == pytest.approx(0.06)
    assert ours.spread == pytest.approx(0.03)
    assert ours.std == pytest.approx(0.015)
    assert rows[("static", "l1")].worst_style == "turns"


def test_rank_and_wins_respect_each_metrics_direction():
    summaries = stats.summarise(_results())
    assert [s.method for s in stats.rank(summaries, "l1")] == ["ours", "static"]
    assert [s.method for s in stats.rank(summaries, "psnr")] == ["ours", "static"]
    assert stats.wins(summaries, "ours", ["static"], "l1") == {"jumps": True, "turns": True}
    assert stats.wins(summaries, "static", ["ours"], "l1") == {"jumps": False, "turns": False}


def test_static_photo_repeats_the_photo():
    photo = np.random.default_rng(0).random((8, 8, 3), dtype=np.float32)
    video = baselines.static_photo(photo, 3)
    assert video.shape == (3, 8, 8, 3)
    assert all(np.array_equal(f, photo) for f in video)


def test_box_follow_moves_the_photo_with_the_box():
    photo = np.zeros((32, 32, 3), np.float32)
    photo[10:20, 8:14] = 1.0
    boxes = np.array([[8, 10, 14, 20], [8, 10, 14, 20], [12, 13, 18, 23]], np.float64)  # still, then +4, +3
    video = baselines.box_follow(photo, boxes)
    assert np.array_equal(video[0], photo) and np.array_equal(video[1], photo)
    assert np.array_equal(video[2], np.roll(np.roll(photo, 4, axis=1), 3, axis=0))
    # a photo person twice the dancer's size moves twice as far
    big = baselines.box_follow(photo, boxes, photo_box=np.array([0, 0, 12, 20]))
    assert np.array_equal(big[2, 16:26, 16:22], photo[10:20, 8:14])


def test_box_follow_scales_about_the_box():
    photo = np.zeros((40, 40, 3), np.float32)
    photo[10:20, 10:20] = 1.0
    boxes = np.array([[10, 10, 20, 20], [10, 10, 30, 30]], np.float64)  # doubles, anchored at the top left
    frame = baselines.box_follow(photo, boxes)[1]
    assert frame[12:28, 12:28].min() == 1.0
    assert frame[32:, :].max() == 0.0 and frame[:, 32:].max() == 0.0


def test_joint_boxes_enclose_the_joints():
    joints = np.array([[[1, 2], [5, 3], [2, 9]], [[0, 0], [1, 1], [2, 2]]], np.float32)
    assert baselines.joint_boxes(joints).tolist() == [[1, 2, 5, 9], [0, 0, 2, 2]]
