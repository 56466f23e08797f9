"""Placement: the fan at the dancer's place and size in every frame, through pans, zooms and cuts."""

from __future__ import annotations

import numpy as np
import pytest
from stage_fixtures import K, clip, newcomer

from fomm_core.stage.layer import Body
from fomm_core.stage.placement import follow, ground_rows, place
from fomm_core.stage.synthetic import still_fan


@pytest.fixture(scope="module")
def fan():
    return still_fan(newcomer(K), 128)


def test_the_layer_lands_on_the_body_at_its_size(fan):
    at = Body(140.3, 120.6, 71.0)
    placed = place(fan, fan.body(), at)
    body = placed.body()
    assert body.x == pytest.approx(at.x, abs=1) and body.feet == pytest.approx(at.feet, abs=1)
    assert body.height == pytest.approx(at.height, rel=0.03)
    assert placed.alpha.max() <= 1 and ((placed.alpha > 0.05) & (placed.alpha < 0.95)).any()  # soft edge kept


def test_the_fan_stays_on_the_dancer_through_pans_and_zooms(fan):
    """Centre, feet and height of the placed fan against the dancer's true box (a still fan: arms differ)."""
    source = clip()
    bodies, _ = follow(source.boxes[:, K], source.cuts, source.scene.fps, K)
    off = []
    for t, body in enumerate(bodies):
        if source.in_frame[t, K] < 1 or body is None:
            continue
        placed = place(fan, fan.body(), body).body()
        x0, y0, x1, y1 = source.boxes[t, K]
        height = y1 - y0
        off.append(
            ((placed.x - (x0 + x1) / 2) / height, (placed.feet - y1) / height, placed.height / height - 1)
        )
    off = np.abs(np.array(off))
    zooms = [v.zoom for v in source.scene.views]
    assert max(zooms) / min(zooms) > 1.5 and len(off) > 40
    print(
        f"fan off the dancer (share of height): centre {off[:, 0].max():.3f}, feet {off[:, 1].max():.3f}, "
        f"height {off[:, 2].max():.3f} at worst"
    )
    assert off[:, 0].max() < 0.1 and off[:, 1].max() < 0.05 and off[:, 2].max() < 0.1


def test_each_cut_gets_a_note():
    source = clip()
    _, notes = follow(source.boxes[:, K], source.cuts, source.scene.fps, K)
    assert len(notes) == len(source.cuts) == 2
    for cut, note in zip(source.cuts, notes, strict=True):
        assert f"(frame {cut})" in note and "found again at once" in note


def test_a_dancer_missing_after_a_cut_is_said_so():
    boxes = np.full((30, 4), np.nan)
    boxes[:10] = [10, 10, 30, 60]
    boxes[15:20] = [50, 12, 70, 62]
    bodies, notes = follow(boxes, [10, 20], 10.0, 3)
    assert "dancer 3 is found again 0.50 s later (frame 15)" in notes[0]
    assert "dancer 3 is not in the next shot" in notes[1]
    assert bodies[12] is None and bodies[15].x == pytest.approx(60) and bodies[25] is None


def test_smoothing_does_not_cross_a_cut():
    boxes = np.array([[0, 0, 10, 50]] * 5 + [[100, 0, 140, 100]] * 5, float)
    bodies, _ = follow(boxes, [5], 25.0)
    assert bodies[4].x == 5 and bodies[5].x == 120 and bodies[5].height == 100


def test_the_floor_contact_ignores_a_jump():
    feet = np.array([100.0] * 5 + [90, 85, 90] + [100.0] * 5 + [np.nan])
    ground = ground_rows(feet, [], 25.0)
    assert (ground[:-1] == 100).all() and np.isnan(ground[-1])
