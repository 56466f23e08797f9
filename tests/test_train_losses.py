"""Losses, the equivariance transform and augmentation used in training."""

from __future__ import annotations

import pytest
import torch

from fomm_core.networks.vgg19 import Vgg19, load_vgg19
from fomm_core.train.augment import Augmentation, AugmentParams
from fomm_core.train.losses import StructuralLoss, equivariance_losses, reconstruction_loss, ssim
from fomm_core.train.transforms import EquivarianceTransform


def _images(seed: int, n: int = 2, size: int = 32) -> torch.Tensor:
    return torch.rand(n, 3, size, size, generator=torch.Generator().manual_seed(seed))


def test_structural_loss_zero_on_identical_and_positive_otherwise():
    loss = StructuralLoss([1, 0.5, 0.25])
    a, b = _images(0), _images(1)
    assert loss(a, a.clone()).item() == pytest.approx(0.0, abs=1e-6)
    assert loss(a, b).item() > 1.0
    assert loss(a, (a + 0.02).clamp(0, 1)).item() > 0.0


def test_ssim_is_one_on_identical_and_lower_for_noise():
    a = _images(2)
    assert ssim(a, a).item() == pytest.approx(1.0, abs=1e-5)
    assert ssim(a, _images(3)).item() < 0.2


def test_perceptual_loss_zero_on_identical_and_positive_otherwise():
    torch.manual_seed(0)
    from fomm_core.train.losses import PerceptualLoss

    loss = PerceptualLoss(Vgg19(), [1, 0.5], [10] * 5)
    for p in loss.vgg.parameters():
        torch.nn.init.normal_(p, std=0.1)
    a, b = _images(4, size=64), _images(5, size=64)
    assert loss(a, a.clone()).item() == pytest.approx(0.0, abs=1e-6)
    assert loss(a, b).item() > 0.0


def test_vgg19_layout_matches_torchvision_indices():
    keys = [k for k in Vgg19().state_dict() if k.endswith(".weight")]
    assert keys == [f"features.{i}.weight" for i in (0, 2, 5, 7, 10, 12, 14, 16, 19, 21, 23, 25, 28)]
    outputs = Vgg19()(torch.rand(1, 3, 32, 32))
    assert [o.shape[1] for o in outputs] == [64, 128, 256, 512, 512]
    assert [o.shape[-1] for o in outputs] == [32, 16, 8, 4, 2]


def test_auto_loss_falls_back_with_a_warning_when_vgg_is_unavailable(monkeypatch):
    import fomm_core.train.losses as losses

    monkeypatch.setattr(losses, "load_vgg19", lambda device: None)
    with pytest.warns(UserWarning, match="L1 \\+ SSIM"):
        loss = reconstruction_loss("auto", [1, 0.5], [10] * 5)
    assert loss.kind == "l1_ssim"
    from fomm_core.errors import UserError

    with pytest.raises(UserError, match="l1_ssim"):
        reconstruction_loss("vgg", [1], [10])


def test_load_vgg19_reads_weights_from_the_hub_cache(tmp_path, monkeypatch):
    from safetensors.torch import save_file

    reference = Vgg19()
    state = {k: torch.randn_like(v) for k, v in reference.state_dict().items()}
    state["head.fc.weight"] = torch.zeros(2, 2)  # extra tensors in the file are ignored
    path = tmp_path / "model.safetensors"
    save_file(state, str(path))
    import huggingface_hub

    monkeypatch.setattr(huggingface_hub, "hf_hub_download", lambda *a, **k: str(path))
    model = load_vgg19()
    assert torch.equal(model.features[28].weight, state["features.28.weight"])
    assert not model.training


def test_equivariance_transform_with_zero_parameters_is_identity():
    transform = EquivarianceTransform.identity(3)
    points = torch.rand(3, 7, 2) * 2 - 1
    assert torch.allclose(transform.warp_coordinates(points), points, atol=1e-6)
    frames = _images(6, n=3)
    assert torch.allclose(transform.transform_frame(frames, align_corners=True), frames, atol=1e-5)
    jac = transform.jacobian(points)
    assert torch.allclose(jac, torch.eye(2).expand(3, 7, 2, 2), atol=1e-6)


def test_equivariance_jacobian_matches_finite_differences():
    transform = EquivarianceTransform.random(
        2, sigma_affine=0.2, sigma_tps=0.05, generator=torch.Generator().manual_seed(1)
    )
    transform.theta = transform.theta.double()
    transform.control_params = transform.control_params.double()
    points = torch.rand(2, 5, 2, dtype=torch.float64, generator=torch.Generator().manual_seed(2)) * 1.6 - 0.8
    jac = transform.jacobian(points)
    eps = 1e-6
    for j in range(2):
        step = torch.zeros_like(points)
        step[..., j] = eps
        column = (transform.warp_coordinates(points + step) - transform.warp_coordinates(points - step)) / (
            2 * eps
        )
        assert torch.allclose(jac[..., :, j], column, atol=1e-6)
    # the quirk: the TPS offset is the same for x and y, so both rows differ from θ by the same vector
    tps = jac - transform.theta[:, None, :, :2]
    assert torch.allclose(tps[..., 0, :], tps[..., 1, :], atol=1e-9)
    assert tps.abs().max() > 1e-4


def test_equivariance_losses_vanish_for_consistent_keypoints_and_not_otherwise():
    transform = EquivarianceTransform.random(2, generator=torch.Generator().manual_seed(3))
    kp_t = torch.rand(2, 4, 2) * 1.6 - 0.8
    jac_t = torch.eye(2).expand(2, 4, 2, 2).clone()
    kp_d = transform.warp_coordinates(kp_t).detach()
    jac_d = (transform.jacobian(kp_t) @ jac_t).detach()
    losses = equivariance_losses(transform, (kp_d, jac_d), (kp_t, jac_t))
    assert losses["equivariance_value"].item() == pytest.approx(0.0, abs=1e-6)
    assert losses["equivariance_jacobian"].item() == pytest.approx(0.0, abs=1e-5)
    wrong = equivariance_losses(transform, (kp_d + 0.1, jac_d * 1.5), (kp_t, jac_t))
    assert wrong["equivariance_value"].item() == pytest.approx(0.1, rel=1e-4)
    assert wrong["equivariance_jacobian"].item() > 0.1


def test_augmentation_applies_the_same_parameters_to_every_frame():
    aug = Augmentation(True, True, 0.1, 0.1, 0.1, 0.1, (0.9, 1.1))
    frames = _images(7, n=2)
    for seed in range(8):
        params = aug.sample(torch.Generator().manual_seed(seed))
        both = aug.apply(frames, params)
        one_by_one = [aug.apply(frames[i : i + 1], params)[0] for i in range(2)]
        if params.time_flip:
            one_by_one.reverse()
        assert torch.allclose(both[0], one_by_one[0], atol=1e-6)
        assert torch.allclose(both[1], one_by_one[1], atol=1e-6)
        assert both.min() >= 0 and both.max() <= 1
    seeded = aug(frames, torch.Generator().manual_seed(5))
    assert torch.equal(seeded, aug(frames, torch.Generator().manual_seed(5)))


def test_augmentation_operations():
    frames = _images(8, n=2)
    apply = Augmentation.apply
    assert torch.equal(apply(frames, AugmentParams()), frames)
    assert torch.equal(apply(frames, AugmentParams(time_flip=True)), frames.flip(0))
    assert torch.equal(apply(frames, AugmentParams(hflip=True)), frames.flip(3))
    assert torch.allclose(apply(frames, AugmentParams(hue=1e-7)), frames, atol=1e-5)
    red = torch.zeros(1, 3, 4, 4)
    red[:, 0] = 1
    green = apply(red, AugmentParams(hue=1 / 3))
    assert torch.allclose(green[0, :, 0, 0], torch.tensor([0.0, 1.0, 0.0]), atol=1e-5)
    assert torch.allclose(
        apply(frames, AugmentParams(saturation=0.0)).std(dim=1), torch.zeros(2, 32, 32), atol=1e-6
    )
    zoomed = apply(frames, AugmentParams(scale=1.1))
    assert zoomed.shape == frames.shape and not torch.allclose(zoomed, frames)


def test_time_flip_is_never_combined_with_horizontal_flip():
    aug = Augmentation(True, True)
    draws = [aug.sample(torch.Generator().manual_seed(s)) for s in range(200)]
    assert not any(d.time_flip and d.hflip for d in draws)
    assert 70 < sum(d.time_flip for d in draws) < 130
    assert 25 < sum(d.hflip for d in draws) < 75


def test_augmentation_from_original_params():
    aug = Augmentation.from_params(
        {
            "flip_param": {"horizontal_flip": True, "time_flip": False},
            "jitter_param": {"hue": 0.5},
            "resize_param": {"ratio": [0.9, 1.1]},
        }
    )
    assert aug.horizontal_flip and not aug.time_flip
    assert aug.jitter == (0.0, 0.0, 0.0, 0.5) and aug.scale == (0.9, 1.1)


def test_strided_antialias_equals_the_networks_downsampling():
    from fomm_core.networks.common.sampling import AntiAliasInterpolation2d
    from fomm_core.train.losses import StridedAntiAlias

    x = _images(9, size=64)
    for scale in (0.5, 0.25, 0.125):
        assert torch.allclose(StridedAntiAlias(3, scale)(x), AntiAliasInterpolation2d(3, scale)(x), atol=1e-6)
