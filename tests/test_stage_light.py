"""Stage-light matching: the fan's colours moved toward the light on the dancer they replace, moderated."""

from __future__ import annotations

import cv2
import numpy as np
from stage_fixtures import K, clip, newcomer, swapped

from fomm_core.stage.layer import Layer
from fomm_core.stage.light import MAX_SHIFT, StageLight, lab_stats
from fomm_core.stage.placement import follow, place
from fomm_core.stage.synthetic import still_fan


def _grey_fan() -> Layer:
    """A neutral grey person-sized layer with some shading (a vertical ramp)."""
    ramp = np.linspace(90, 170, 60, dtype=np.float32)[:, None, None] * np.ones((60, 20, 3), np.float32)
    return Layer(ramp, np.ones((60, 20), np.float32), 10, 10)


def _mean_lab(layer: Layer) -> np.ndarray:
    return lab_stats(layer.colour, layer.solid)[0]


def test_a_neutral_fan_is_tinted_toward_the_dancers_light():
    source = clip()
    fan = _grey_fan()
    moved = []
    for t in (5, 30, 65):  # one frame in each shot, each lit in its own colours
        dancer = lab_stats(source.frames[t].astype(np.float32), source.masks[t, K])[0]
        lit = StageLight()(K, fan, source.frames[t], source.masks[t, K], cut=True)
        before, after = _mean_lab(fan), _mean_lab(lit)
        assert np.linalg.norm(after[1:] - dancer[1:]) < 0.6 * np.linalg.norm(before[1:] - dancer[1:])
        assert np.all(np.abs(after - before) <= MAX_SHIFT + 0.5)  # moderated: never more than the clamp
        moved.append(after[1:])
    assert np.linalg.norm(moved[0] - moved[1]) > 3  # different lights, different tints


def test_off_leaves_the_fan_unchanged():
    source = clip()
    fan = _grey_fan()
    out = StageLight(enabled=False)(K, fan, source.frames[5], source.masks[5, K])
    np.testing.assert_array_equal(out.colour, fan.colour)


def test_the_light_is_smoothed_over_time_and_restarts_at_cuts():
    source, fan = clip(), _grey_fan()
    light = StageLight()
    cut = source.cuts[0]
    means = [
        _mean_lab(light(K, fan, source.frames[t], source.masks[t, K], t == cut))
        for t in range(cut - 3, cut + 3)
    ]
    alone = _mean_lab(StageLight()(K, fan, source.frames[cut], source.masks[cut, K], cut=True))
    np.testing.assert_allclose(means[3], alone, atol=1e-3)  # nothing of the last shot carries over
    steps = np.abs(np.diff(means[:3], axis=0)).max()
    assert steps < 3  # within a shot the tint changes slowly


def test_matching_brings_the_fan_closer_to_the_truth_under_the_light():
    """The newcomer's still photo placed on the dancer: its mean Lab colour against the same person really lit."""
    source, truth, fan = clip(), swapped((K,)), still_fan(newcomer(K))
    bodies, _ = follow(source.boxes[:, K], source.cuts, source.scene.fps, K)
    errors = {True: [], False: []}
    for on in errors:
        light = StageLight(on)
        for t in range(len(source.frames)):
            if bodies[t] is None or source.masks[t, K].sum() < 100:
                continue
            layer = light(
                K, place(fan, fan.body(), bodies[t]), source.frames[t], source.masks[t, K], t in source.cuts
            )
            real = lab_stats(truth.frames[t].astype(np.float32), truth.masks[t, K])[0]
            errors[on].append(np.abs(_mean_lab(layer) - real).mean())
    on, off = np.mean(errors[True]), np.mean(errors[False])
    print(f"mean Lab error of the fan against the truth: matched {on:.1f}, unmatched {off:.1f}")
    assert on < off - 0.5


def test_lab_statistics_need_enough_pixels():
    image = np.full((8, 8, 3), 128, np.float32)
    assert lab_stats(image, np.zeros((8, 8), bool)) is None
    mean, std = lab_stats(cv2.GaussianBlur(image, (3, 3), 0), np.ones((8, 8), bool))
    assert abs(mean[1]) < 1 and abs(mean[2]) < 1 and np.all(std < 1)
