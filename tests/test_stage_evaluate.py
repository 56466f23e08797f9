"""The stage score: person-region L1 against the clip rendered with the newcomer in the dancer's place."""

from __future__ import annotations

import numpy as np
import pytest
from stage_fixtures import K, clip, removed, swapped

from fomm_core.stage.evaluate import person_region, person_region_l1
from fomm_core.stage.synthetic import stage_render, truth_fans


def test_an_exact_fan_scores_near_zero_and_a_wrong_one_does_not():
    source, truth = clip(), swapped((K,))
    exact = truth_fans(truth, removed(K), K)
    region = person_region(source.masks, truth.masks, [K])
    good, _ = stage_render(source, {K: exact}, light=False)
    wrong, _ = stage_render(source, {(K + 1) % 5: exact}, light=False)  # the fan over another dancer's place
    scores = person_region_l1(good, truth.frames, region), person_region_l1(wrong, truth.frames, region)
    print(f"person-region L1: exact fan {scores[0]:.1f}, fan on the wrong dancer {scores[1]:.1f}")
    assert scores[0] < 6 and scores[1] > 3 * scores[0]
    # Untouched clip: the dancer is still there.
    assert person_region_l1(source.frames, truth.frames, region) > 3 * scores[0]


def test_the_region_holds_both_silhouettes_and_only_them():
    source, truth = clip(), swapped((K,))
    region = person_region(source.masks, truth.masks, [K])
    assert region[source.masks[:, K] | truth.masks[:, K]].all()
    others = source.masks[:, [i for i in range(5) if i != K]].any(1) & ~region
    assert others.any() and region.mean() < 0.2
    with pytest.raises(ValueError, match="empty"):
        person_region_l1(source.frames, truth.frames, np.zeros_like(region))
