"""Evaluation metrics against hand-computed values on constructed inputs."""

import math

import numpy as np
import pytest
from skimage.metrics import structural_similarity

from fomm_core.evaluate import metrics


def _video(seed: int, t: int = 4, size: int = 24) -> np.ndarray:
    return np.random.default_rng(seed).random((t, size, size, 3), dtype=np.float32)


def test_identical_videos_give_zero_l1_infinite_psnr_unit_ssim_zero_flicker():
    v = _video(0)
    assert metrics.l1(v, v.copy()) == 0.0
    assert metrics.psnr(v, v.copy()) == math.inf
    assert metrics.ssim(v, v.copy()) == pytest.approx(1.0, abs=1e-12)
    assert metrics.excess_flicker(v, v.copy()) == 0.0


def test_l1_and_psnr_of_a_constant_offset():
    a = np.zeros((3, 16, 16, 3), np.float32)
    b = a + 0.1
    assert metrics.l1(a, b) == pytest.approx(0.1, abs=1e-7)
    assert metrics.psnr(a, b) == pytest.approx(20.0, abs=1e-4)  # 10·log10(1/0.01)


def test_psnr_counts_the_whole_clip():
    a = np.zeros((2, 8, 8, 3), np.float32)
    b = a.copy()
    b[1] = 0.1  # MSE = 0.01 on one frame of two → 0.005 over the clip
    assert metrics.psnr(a, b) == pytest.approx(10 * math.log10(200), abs=1e-4)


def test_ssim_of_constant_images_has_its_closed_form():
    a = np.full((1, 20, 20, 3), 0.2)
    b = np.full((1, 20, 20, 3), 0.6)
    c1 = 0.01**2
    expected = (2 * 0.2 * 0.6 + c1) / (0.2**2 + 0.6**2 + c1)  # variances are zero: the contrast term is 1
    assert metrics.ssim(a, b) == pytest.approx(expected, rel=1e-9)


def test_ssim_matches_scikit_image_gaussian_ssim():
    a, b = _video(1, t=1, size=40)[0], _video(2, t=1, size=40)[0]
    b = 0.5 * a + 0.5 * b
    ref = structural_similarity(
        a.astype(np.float64),
        b.astype(np.float64),
        gaussian_weights=True,
        sigma=1.5,
        use_sample_covariance=False,
        data_range=1.0,
        channel_axis=-1,
    )
    assert metrics.ssim(a, b) == pytest.approx(ref, abs=1e-9)


def test_excess_flicker_ignores_change_the_reference_explains():
    still = np.zeros((4, 8, 8, 3), np.float32)
    blinking = still.copy()
    blinking[1] = blinking[3] = 0.3  # changes of 0.3 at each of the 3 steps
    assert metrics.excess_flicker(blinking, blinking.copy()) == 0.0
    assert metrics.excess_flicker(blinking, still) == pytest.approx(0.3, abs=1e-6)
    assert metrics.excess_flicker(still, blinking) == 0.0  # a frozen result does not flicker
    half = still.copy()
    half[1] = half[3] = 0.1
    assert metrics.excess_flicker(blinking, half) == pytest.approx(0.2, abs=1e-6)


def test_identity_distance_zero_for_same_person_one_for_disjoint_colours():
    photo = np.zeros((32, 32, 3), np.float32)
    photo[8:24, 12:20] = (0.9, 0.1, 0.1)
    moved = np.roll(photo, 4, axis=1)
    assert metrics.identity_distance(photo, np.stack([photo, moved])) == pytest.approx(0.0, abs=1e-12)
    other = photo.copy()
    other[8:24, 12:20] = (0.1, 0.1, 0.9)
    assert metrics.identity_distance(photo, other[None]) == pytest.approx(1.0, abs=1e-12)
    half = photo.copy()
    half[8:16, 12:20] = (0.1, 0.1, 0.9)  # half the person changes colour: BC = √0.5
    assert metrics.identity_distance(photo, half[None]) == pytest.approx(
        math.sqrt(1 - math.sqrt(0.5)), abs=1e-12
    )


def test_trajectory_error_compares_displacements_scaled_by_the_photo_spread():
    rng = np.random.default_rng(3)
    ref = rng.uniform(-0.5, 0.5, (5, 6, 2))
    copy = 2.0 * ref + 0.1  # the same motion, twice as large, elsewhere
    assert metrics.trajectory_error(copy, ref, frame_size=64, scale=2.0) == pytest.approx(0.0, abs=1e-9)
    assert metrics.motion_scale(copy[0], ref[0]) == pytest.approx(2.0)
    frozen = np.repeat(ref[:1], 5, axis=0)
    moving = frozen.copy()
    moving[1:] += np.array([0.1, 0.0])  # every keypoint moves 0.1 = 3.2 px at size 64 in frames 1..4
    assert metrics.trajectory_error(frozen, moving, frame_size=64) == pytest.approx(3.2 * 4 / 5)
    assert metrics.motion_scale(np.zeros((3, 2)), ref[0]) == 1.0


def test_mismatched_shapes_are_refused():
    with pytest.raises(ValueError):
        metrics.l1(_video(0, t=3), _video(0, t=4))


def test_perceptual_is_zero_for_identical_clips_and_averages_layers():
    import torch

    def features(x: torch.Tensor) -> list[torch.Tensor]:
        return [x, 2 * x]  # layer distances d and 2d: their mean is 1.5·d

    a = np.zeros((3, 8, 8, 3), np.float32)
    assert metrics.perceptual(features, a, a.copy()) == 0.0
    assert metrics.perceptual(features, a, a + 0.2, batch_size=2) == pytest.approx(0.3, abs=1e-6)


def test_perceptual_extractor_says_when_vgg_weights_are_missing(monkeypatch):
    from fomm_core.networks import vgg19

    monkeypatch.setattr(vgg19, "load_vgg19", lambda device="cpu": None)
    features, note = metrics.perceptual_extractor()
    assert features is None and note.startswith("perceptual distance skipped")
    net = vgg19.Vgg19()  # random weights stand in for the real ones: only the wiring is tested here
    monkeypatch.setattr(vgg19, "load_vgg19", lambda device="cpu": net)
    features, note = metrics.perceptual_extractor()
    assert features is net and "VGG19 ImageNet" in note


def test_person_mask_ignores_a_gradient_background():
    image = np.repeat(np.linspace(0.1, 0.9, 48, dtype=np.float32)[:, None, None], 48, axis=1).repeat(
        3, axis=2
    )
    image[10:40, 20:28] = (0.9, 0.1, 0.1)
    expected = np.zeros((48, 48), bool)
    expected[10:40, 20:28] = True
    assert np.array_equal(metrics.person_mask(image), expected)


def test_person_l1_averages_only_over_the_person_region():
    photo = np.zeros((24, 24, 3), np.float32)
    photo[8:16, 8:12] = 0.8  # the person: 8×4 pixels
    expected = photo[None].copy()
    result = expected.copy()
    result[0, 0:2, :] = 1.0  # far from the person: ignored
    assert metrics.person_l1(result, expected, photo, margin=1) == 0.0
    result[0, 8:16, 8:12] = 0.4  # the whole person off by 0.4; the region is the 10×6 grown box
    assert metrics.person_l1(result, expected, photo, margin=1) == pytest.approx(0.4 * 32 / 60)
