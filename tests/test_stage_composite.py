"""Compositing in depth order: the fan behind nearer dancers, in front of farther ones; several fans at once."""

from __future__ import annotations

import numpy as np
import pytest
from stage_fixtures import K, clip

from fomm_core.errors import UserError
from fomm_core.stage.composite import compose, depth_order, paste
from fomm_core.stage.layer import Body, Layer
from fomm_core.stage.placement import ground_rows
from fomm_core.stage.plate import grow
from fomm_core.stage.render import StageRenderer

GREEN = (0.0, 255.0, 0.0)


def _flat_fan(mask: np.ndarray) -> Layer:
    """A green layer covering a dancer's silhouette, grown a little."""
    covered = grow(mask, 2).astype(np.float32)
    return Layer.cut_out(np.broadcast_to(np.float32(GREEN), (*mask.shape, 3)), covered)


def _inputs(t: int):
    """What a tracker gives for frame t: each dancer's visible part, floor contact row and landmarks."""
    source = clip()
    seen = [i for i in range(source.alpha.shape[1]) if not np.isnan(source.boxes[t, i, 0])]
    alpha = {i: source.alpha[t, i] / 255.0 * np.isin(source.labels[t], (0, i + 1)) for i in seen}
    ground = {i: ground_rows(source.boxes[:, i, 3], source.cuts, source.scene.fps)[t] for i in seen}
    return alpha, ground, {i: source.landmarks[t, i] for i in seen}


def _overlaps():
    """(frame, other dancer, whether that dancer stands nearer than K) wherever they overlap K by 30+ pixels."""
    source = clip()
    found = []
    for t in range(len(source.frames)):
        order = list(source.order[t])
        for j in range(source.alpha.shape[1]):
            if j != K and (source.masks[t, j] & source.masks[t, K]).sum() >= 30:
                found.append((t, j, order.index(j) > order.index(K)))
    return found


def test_depth_order_is_by_the_feet():
    assert depth_order({0: 120.0, 1: 90.0, 2: 130.0}) == [1, 0, 2]


def test_who_stands_nearer_is_found_where_dancers_overlap():
    """Feet rows alone get close, similar depths wrong (a jump, bent knees); what the frame hides settles most."""
    cases = _overlaps()
    right = {"feet": 0, "feet and occlusion": 0}
    for t, j, near in cases:
        alpha, ground, landmarks = _inputs(t)
        for name, order in (
            ("feet", depth_order(ground)),
            ("feet and occlusion", depth_order(ground, landmarks, {i: a >= 0.5 for i, a in alpha.items()})),
        ):
            right[name] += (order.index(j) > order.index(K)) == near
    print({name: f"{n}/{len(cases)}" for name, n in right.items()})
    assert right["feet and occlusion"] >= 0.9 * len(cases) and right["feet and occlusion"] > right["feet"]


def test_nearer_dancers_cover_the_fan_and_farther_ones_are_covered():
    source = clip()
    cases = _overlaps()
    assert any(near for *_, near in cases) and any(not near for *_, near in cases)
    checked = 0
    for t, j, near in cases:
        alpha, ground, landmarks = _inputs(t)
        order = depth_order(ground, landmarks, {i: a >= 0.5 for i, a in alpha.items()})
        if (order.index(j) > order.index(K)) != near:
            continue  # the few the depth cues get wrong are counted above
        checked += 1
        fan = _flat_fan(source.masks[t, K])
        out = StageRenderer(light=False).frame(
            source.frames[t], alpha, ground, [(K, fan)], landmarks=landmarks
        )
        x0, y0, x1, y1 = fan.box
        under = np.zeros(source.masks.shape[2:], bool)
        under[y0:y1, x0:x1] = fan.alpha == 1
        both = under & source.masks[t, j] & (source.alpha[t, j] == 255)
        if near:  # the other dancer, as in the clip, over the fan
            np.testing.assert_array_equal(
                out[both & (source.labels[t] == j + 1)], source.frames[t][both & (source.labels[t] == j + 1)]
            )
        else:  # the fan over them
            assert (out[both] == np.uint8(GREEN)).all()
    assert checked >= 0.9 * len(cases)


def test_edges_are_anti_aliased():
    out = np.zeros((10, 10, 3), np.uint8)
    alpha = np.zeros((10, 10), np.float32)
    alpha[:, 5] = 0.5
    alpha[:, 6:] = 1
    paste(out, Layer(np.full((10, 10, 3), 200, np.float32), alpha, 0, 0))
    assert list(out[0, 4:7, 0]) == [0, 100, 200]


def test_layers_reaching_past_the_frame_are_clipped():
    out = np.zeros((10, 10, 3), np.uint8)
    paste(out, Layer(np.full((6, 6, 3), 50, np.float32), np.ones((6, 6), np.float32), -3, 7))
    assert (out[7:, :3] == 50).all() and out[:7].max() == 0 and out[:, 3:].max() == 0


def test_two_fans_for_one_dancer_are_refused():
    layer = Layer(np.zeros((2, 2, 3), np.float32), np.ones((2, 2), np.float32), 0, 0)
    frame = np.zeros((8, 8, 3), np.uint8)
    with pytest.raises(UserError, match="Photos 1 and 3 both take dancer 2's place"):
        compose(frame, [(2, layer), (0, layer), (2, layer)], {}, [0, 2])


def test_several_fans_each_take_their_dancer():
    source = clip()
    t = 5
    alpha, ground, landmarks = _inputs(t)
    colours = {1: (255.0, 0.0, 0.0), 3: (0.0, 0.0, 255.0)}
    fans = [
        (d, _flat_fan(source.masks[t, d]).with_colour(np.full((1, 1, 3), c, np.float32)))
        for d, c in colours.items()
    ]
    fans = [
        (d, Layer(np.broadcast_to(np.float32(colours[d]), f.alpha.shape + (3,)).copy(), f.alpha, f.x0, f.y0))
        for d, f in fans
    ]
    out = StageRenderer(light=False).frame(source.frames[t], alpha, ground, fans, landmarks=landmarks)
    for d, colour in colours.items():
        seen = source.labels[t] == d + 1
        assert (np.abs(out[seen].astype(int) - np.array(colour, int)).max(1) <= 1).mean() > 0.9
    untouched = source.alpha[t, [1, 3]].max(0) == 0
    untouched &= ~grow(source.masks[t, [1, 3]].any(0), 6)
    np.testing.assert_array_equal(out[untouched], source.frames[t][untouched])


def test_an_engines_rgba_layer_is_taken_as_drawn():
    rgba = np.zeros((4, 3, 4), np.uint8)
    rgba[..., :3] = 90
    rgba[1:, :, 3] = 255
    layer = Layer.from_rgba(rgba, (5, 6, 8, 10))
    assert layer.box == (5, 6, 8, 10) and layer.alpha[0].max() == 0 and layer.alpha[1:].min() == 1
    assert layer.body() == Body(6.5, 10.0, 3.0)
    with pytest.raises(ValueError, match="does not fit the box"):
        Layer.from_rgba(rgba, (5, 6, 9, 10))
