"""The real-video suite: AKD/MKR definitions, landmarks on real framed frames, and `evaluate --suite real` end to end."""

import json

import numpy as np
import pytest

from fomm_core.cli import main
from fomm_core.evaluate import pose_metrics
from fomm_core.evaluate.pose_metrics import Landmarks, akd, clip_landmarks, mkr
from fomm_core.evaluate.real import framed_video, real_videos
from fomm_core.io import open_video, read_frames
from fomm_core.options import RenderOptions
from fomm_core.people import default_landmarker
from fomm_core.pipeline import plan_render


def _marks(points, detected):
    return Landmarks(np.asarray(points, np.float64), np.asarray(detected, bool))


def test_akd_is_the_mean_coordinate_difference_over_landmarks_found_in_both():
    driving = _marks(np.zeros((2, 33, 2)), np.ones((2, 33)))
    shifted = _marks(np.tile([3.0, 5.0], (2, 33, 1)), np.ones((2, 33)))
    assert akd(driving, driving) == 0.0
    assert akd(shifted, driving) == pytest.approx(4.0)  # mean of |3| and |5|
    # landmarks missing in the result do not count towards AKD, however far off their points are
    partial = _marks(
        np.where(np.arange(33)[None, :, None] < 10, 3.0, 1000.0) * np.ones((2, 33, 2)),
        np.tile(np.arange(33) < 10, (2, 1)),
    )
    assert akd(partial, driving) == pytest.approx(3.0)
    assert np.isnan(akd(_marks(np.zeros((2, 33, 2)), np.zeros((2, 33))), driving))


def test_mkr_is_the_share_of_driving_landmarks_the_result_misses():
    driving = _marks(np.zeros((2, 33, 2)), np.tile(np.arange(33) < 20, (2, 1)))  # 40 shown in all
    result = _marks(np.zeros((2, 33, 2)), np.tile(np.arange(33) < 10, (2, 1)))  # finds 20 of them
    assert mkr(result, driving) == pytest.approx(0.5)
    assert mkr(driving, driving) == 0.0
    # landmarks the result finds but the driving does not are not "missing"
    assert mkr(_marks(np.zeros((2, 33, 2)), np.ones((2, 33))), driving) == 0.0
    assert np.isnan(mkr(result, _marks(np.zeros((2, 33, 2)), np.zeros((2, 33)))))
    with pytest.raises(ValueError, match="differ in length"):
        mkr(_marks(np.zeros((1, 33, 2)), np.ones((1, 33))), driving)


@pytest.fixture(scope="module")
def framed():
    """The first 5 frames of the two-person clip at 10 fps, framed as the pipeline frames the dancer, 64 px."""
    path = real_videos(["multi_person/cam01"])["multi_person/cam01"]
    return path, framed_video(path, 64, max_frames=5, max_fps=10)


def test_real_videos_are_framed_exactly_as_the_pipeline_frames_the_dancer(framed):
    path, video = framed
    assert video.shape == (5, 64, 64, 3) and video.dtype == np.float32
    reader = read_frames(open_video(path, max_fps=10))
    photo = next(reader)  # the video's own first frame as the user's photo
    reader.close()
    plan = plan_render(photo, path, RenderOptions(max_fps=10, trim_end=0.5))
    frames = plan.driving(64)
    try:
        expected = np.stack(list(frames)).astype(np.float32) / 255.0
    finally:
        frames.close()
    assert expected.shape == video.shape
    assert np.array_equal(expected, video)


def test_landmarks_of_a_real_dancer_match_themselves_and_go_missing_on_blank_frames(framed):
    _, video = framed
    marks = clip_landmarks(default_landmarker(), video)
    # the framed dancer has her back to the camera (no face for the detector): she is found all the same
    assert marks.detected.sum(axis=1).min() >= 15
    inside = marks.points[marks.detected]
    assert (inside >= 0).all() and (inside < pose_metrics.POSE_SIDE).all()
    assert akd(marks, marks) == 0.0 and mkr(marks, marks) == 0.0
    blank = clip_landmarks(default_landmarker(), np.full_like(video, 0.8))
    assert not blank.detected.any()
    assert mkr(blank, marks) == 1.0 and np.isnan(akd(blank, marks))
    # the static photo (frame 0 repeated) misses nothing at frame 0 and drifts from the moving dancer later
    static = marks.repeat(len(video))
    assert akd(static, marks) > 0.0


@pytest.mark.slow
def test_evaluate_real_suite_end_to_end_with_the_embedded_model(tmp_path, capsys):
    out = tmp_path / "report"
    code = main(
        [
            "evaluate",
            "--model",
            "default",
            "--suite",
            "real",
            "--videos",
            "single_person/cam01,multi_person/cam02",
            "--max-frames",
            "3",
            "--max-fps",
            "10",
            "--no-perceptual",
            "--out",
            str(out),
        ]
    )
    assert code == 0
    assert "report:" in capsys.readouterr().out
    text = (out / "report.md").read_text()
    assert "AKD px ↓ default" in text and "MKR ↓ static photo" in text
    assert "| single_person | 1 |" in text and "| multi_person | 1 |" in text and "| **all** | 2 |" in text
    assert "## Per video" in text and "| multi_person/cam02 | static photo |" in text
    for sheet in ("single_person_cam01", "multi_person_cam02"):
        assert f"(sheets/{sheet}.png)" in text and (out / "sheets" / f"{sheet}.png").stat().st_size > 1000
    rows = json.loads((out / "results.json").read_text())["clips"]
    assert {(r["case"], r["method"]) for r in rows} == {
        (c, m) for c in ("single_person/cam01", "multi_person/cam02") for m in ("default", "static photo")
    }
    for r in rows:
        assert set(r["metrics"]) == {"self_l1", "akd", "mkr"}
        assert 0 <= r["metrics"]["mkr"] <= 1 and r["metrics"]["akd"] >= 0
    data = json.loads((out / "results.json").read_text())
    assert data["info"]["frames"] == 6
    assert any("AKD/MKR: BlazePose" in n for n in data["notes"])


def test_unknown_real_video_is_a_user_error(tmp_path, capsys):
    assert (
        main(["evaluate", "--suite", "real", "--videos", "single_person/cam09", "--out", str(tmp_path / "r")])
        == 2
    )
    assert "Unknown real video(s) single_person/cam09" in capsys.readouterr().err
