"""Keypoint arithmetic: hull areas, the adapt-scale factor, best-frame choice, config loading."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

from fomm_core.config import PRESETS, FOMMConfig, TPSMMConfig, load_config
from fomm_core.errors import UserError
from fomm_core.motion import (
    Keypoints,
    best_frame_index,
    convex_hull_area,
    movement_scale,
    reference_frame,
    transfer_keypoints,
)


def test_hull_area_of_hand_computed_polygons() -> None:
    square = [[-1, -1], [1, -1], [1, 1], [-1, 1]]
    assert convex_hull_area(square) == 4.0
    assert convex_hull_area(square + [[0, 0], [0.5, -0.2]]) == 4.0  # interior points don't count
    assert convex_hull_area([[0, 0], [4, 0], [0, 3]]) == 6.0
    assert convex_hull_area([[0, 0], [1, 1], [2, 2]]) == 0.0  # collinear
    hexagon = [[math.cos(a), math.sin(a)] for a in np.arange(6) * math.pi / 3]
    assert convex_hull_area(hexagon) == pytest.approx(3 * math.sqrt(3) / 2, abs=1e-12)


def test_adapt_scale_factor_is_the_square_root_of_the_hull_area_ratio() -> None:
    source = torch.tensor([[[0.0, 0.0], [0.4, 0.0], [0.4, 0.4], [0.0, 0.4], [0.2, 0.1]]])  # area 0.16
    initial = torch.tensor([[[0.0, 0.0], [0.2, 0.0], [0.0, 0.2], [0.05, 0.05], [0.1, 0.05]]])  # area 0.02
    assert movement_scale(source, initial) == pytest.approx(math.sqrt(0.16) / math.sqrt(0.02), rel=1e-6)
    driving = initial + torch.tensor([0.1, -0.05])
    kp = transfer_keypoints(
        Keypoints(source), Keypoints(driving), Keypoints(initial), "relative", adapt_scale=True
    )
    expected = source + torch.tensor([0.1, -0.05]) * math.sqrt(0.16 / 0.02)
    assert torch.allclose(kp.value, expected, atol=1e-6)


def test_the_reference_frame_is_the_first_a_checked_number_or_the_closest_pose() -> None:
    assert reference_frame(None, 10) == 0
    assert reference_frame("auto", 10) == 0  # nothing to compare poses with yet
    assert reference_frame("auto", 10, lambda: 7) == 7
    assert reference_frame(3, 10) == reference_frame("3", 10) == 3
    with pytest.raises(UserError, match=r"best_frame 10 is outside the clip, which has 10 frames \(0 to 9\)"):
        reference_frame(10, 10)
    with pytest.raises(UserError, match="'auto', a frame number or empty"):
        reference_frame("first", 10)


def test_best_frame_is_the_pose_matching_the_source_up_to_position_and_size() -> None:
    rng = np.random.default_rng(0)
    source = rng.uniform(-0.5, 0.5, (10, 2))
    driving = rng.uniform(-0.5, 0.5, (6, 10, 2))
    driving[4] = source * 0.5 + [0.2, -0.1]  # same pose, smaller and elsewhere
    assert best_frame_index(source, driving) == 4


def test_original_yaml_config_loads_as_the_preset(tmp_path) -> None:
    yaml_text = """
dataset_params: {root_dir: data/taichi-png, frame_shape: [256, 256, 3]}
model_params:
  common_params: {num_kp: 10, num_channels: 3, estimate_jacobian: True}
  kp_detector_params: {temperature: 0.1, block_expansion: 32, max_features: 1024, scale_factor: 0.25, num_blocks: 5}
  generator_params:
    block_expansion: 64
    max_features: 512
    num_down_blocks: 2
    num_bottleneck_blocks: 6
    estimate_occlusion_map: True
    dense_motion_params: {block_expansion: 64, max_features: 1024, num_blocks: 5, scale_factor: 0.25}
  discriminator_params: {scales: [1], block_expansion: 32, max_features: 512, num_blocks: 4}
"""
    path = tmp_path / "taichi-256.yaml"
    path.write_text(yaml_text)
    assert load_config(path) == PRESETS["taichi-256"]
    tpsmm = tmp_path / "tpsmm.yaml"
    tpsmm.write_text(
        "dataset_params: {frame_shape: null}\nmodel_params:\n  common_params: {num_tps: 10, "
        "num_channels: 3, bg: True, multi_mask: True}\n"
    )
    assert isinstance(load_config(tpsmm), TPSMMConfig) and load_config(tpsmm).num_kp == 50
    assert isinstance(load_config("mgif-256"), FOMMConfig)


@pytest.mark.parametrize(
    "text,message",
    [
        ("a: [1", "not valid YAML"),
        ("foo: 1", "no model_params"),
        ("model_params: {common_params: {}}", "num_kp"),
    ],
)
def test_bad_configs_are_user_errors(tmp_path, text, message) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(text)
    with pytest.raises(UserError, match=message):
        load_config(path)
    with pytest.raises(UserError, match="Unknown config"):
        load_config(tmp_path / "missing.yaml")
