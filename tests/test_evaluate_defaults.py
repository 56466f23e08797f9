"""The built-in suite rendered through the pipeline under named sets of defaults (framing and scene)."""

import json

import numpy as np
import pytest
from conftest import TINY_FOMM

from fomm_core import load_model
from fomm_core.checkpoints.formats import write_safetensors
from fomm_core.cli import main
from fomm_core.engines import fomm
from fomm_core.evaluate import defaults, suites
from fomm_core.options import RenderOptions
from fomm_core.people import default_landmarker


@pytest.fixture
def checkpoint(tmp_path, monkeypatch):
    default_landmarker()  # loaded once per process from the shared cache, before the cache is redirected
    monkeypatch.setenv("FOMM_CORE_CACHE", str(tmp_path / "cache"))
    nets = fomm.build_networks(TINY_FOMM)
    return write_safetensors(
        {k: n.state_dict() for k, n in nets.items()}, tmp_path / "tiny.safetensors", config=TINY_FOMM
    )


def test_a_rendered_case_is_compared_with_the_ground_truth_cut_by_the_same_framing(checkpoint, tmp_path):
    model = load_model(str(checkpoint))
    case = suites.builtin_suite(32, n_frames=6, per_style=1, styles=["travel"])[0]
    # framing off keeps the whole (square) frame: the cut ground truth is the ground truth, up to mp4 loss
    made, _ = defaults.rendered_case(
        model, case, defaults.options_variant(RenderOptions(framing=False)), tmp_path / "off", fps=10
    )
    assert made.result.shape == made.expected.shape == made.driving.shape == (6, 32, 32, 3)
    assert np.abs(made.expected - case.expected).mean() < 0.03
    assert np.abs(made.driving - case.driving).mean() < 0.03
    assert np.abs(made.photo - case.photo).mean() < 0.03
    # the heuristic framing crops around the dancer: the same crop cuts the driving and the ground truth
    cut, _ = defaults.rendered_case(model, case, defaults.heuristic_plan, tmp_path / "old", fps=10)
    assert cut.expected.shape == (6, 32, 32, 3)
    assert np.abs(cut.expected - case.expected).mean() > 0.01  # zoomed in on the dancer


@pytest.mark.slow
def test_evaluate_defaults_reports_every_set_of_defaults_side_by_side(checkpoint, tmp_path, capsys):
    out = tmp_path / "report"
    code = main(
        [
            "evaluate",
            "--model",
            str(checkpoint),
            "--suite",
            "defaults",
            "--styles",
            "turns",
            "--per-style",
            "2",
            "--frames",
            "5",
            "--fps",
            "10",
            "--no-perceptual",
            "--out",
            str(out),
        ]
    )
    assert code == 0
    assert f"{len(defaults.VARIANTS)} sets of defaults" in capsys.readouterr().out
    text = (out / "comparison.md").read_text()
    names = [name for name, _ in defaults.VARIANTS]
    assert f"| style | {names[0]} | {names[1]} |" in text
    assert "| turns |" in text and "| **all** |" in text and "## L1 ↓" in text
    data = json.loads((out / "comparison.json").read_text())
    assert set(data["metrics"]["l1"]["turns"]) == set(names)
    assert all(data["metrics"]["l1"]["all"][n]["n"] == 2 for n in names)
    for name in names:
        report = out / "".join(c if c.isalnum() or c in "-_" else "_" for c in name) / "report.md"
        assert report.is_file() and f"built-in synthetic, {name}" in report.read_text()


def test_the_photo_scene_is_measured_on_the_source_square_of_photo_and_ground_truth(checkpoint, tmp_path):
    model = load_model(str(checkpoint))
    case = suites.builtin_suite(128, n_frames=4, per_style=1, styles=["jumps"])[0]
    photo_scene = defaults.options_variant(RenderOptions())
    made, notes = defaults.rendered_case(model, case, photo_scene, tmp_path / "scene", fps=10)
    assert not any("scene 'plain'" in note for note in notes)  # the person danced in the photo
    assert made.result.shape == made.expected.shape == (4, 32, 32, 3)
    # the ground truth's first frame is the photo: cut by the same square, it is the model's source
    assert np.abs(made.expected[0] - made.photo).mean() < 0.03
    assert np.abs(made.result[0] - made.expected[0]).mean() < 0.1
