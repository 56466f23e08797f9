"""Thin-plate spline fit and warp (fomm_core.tps): interpolation, regularisation quirk, far-field behaviour."""

from __future__ import annotations

import numpy as np
import torch

from fomm_core.tps import fit_tps, tps_kernel, warp_points


def _points(seed: int, groups: int = 6) -> tuple[torch.Tensor, torch.Tensor]:
    """Control (driving) and target (source) groups of 5 points each, spread in [-0.8, 0.8]."""
    g = torch.Generator().manual_seed(seed)
    control = torch.rand(groups, 5, 2, generator=g) * 1.6 - 0.8
    target = control + (torch.rand(groups, 5, 2, generator=g) - 0.5) * 0.4
    return control, target


def _float64_solve(control: np.ndarray, target: np.ndarray, reg: float) -> np.ndarray:
    """Independent TPS solve in float64 (numpy), same system: [[U(d²)+reg·I, P], [Pᵀ, reg·I]]."""
    n = len(control)
    d2 = ((control[:, None] - control[None]) ** 2).sum(-1)
    with np.errstate(divide="ignore", invalid="ignore"):
        k = np.where(d2 > 0, d2 * np.log(d2 + 1e-9), 0.0)
    p = np.hstack([control, np.ones((n, 1))])
    system = np.block([[k, p], [p.T, np.zeros((3, 3))]]) + reg * np.eye(n + 3)
    return np.linalg.solve(system, np.vstack([target, np.zeros((3, 2))]))


def test_kernel_is_r2_log_r2_of_the_squared_distance() -> None:
    r = torch.tensor([0.0, 0.5, 1.0, 2.0])
    expected = torch.tensor([0.0, 0.25 * np.log(0.25), 0.0, 4 * np.log(4.0)], dtype=torch.float32)
    assert torch.allclose(tps_kernel(r**2), expected, atol=1e-6)


def test_fit_matches_an_independent_float64_solve() -> None:
    control, target = _points(0)
    affine, weights = fit_tps(control, target)
    for i in range(len(control)):
        params = _float64_solve(control[i].double().numpy(), target[i].double().numpy(), 0.01)
        assert np.abs(weights[i].numpy() - params[:5]).max() < 1e-4
        assert np.abs(affine[i].numpy() - params[5:]).max() < 1e-5


def test_control_points_land_on_their_targets_within_the_regularisation() -> None:
    # With 0.01 added to the diagonal, row i of the system reads T(p_i) + 0.01·w_i = q_i: each control point
    # misses its target by exactly 0.01·|w_i|. Without regularisation it is an exact interpolation.
    control, target = _points(1)
    affine, weights = fit_tps(control, target)
    mapped = torch.stack(
        [
            warp_points(control[i], control[i : i + 1], affine[i : i + 1], weights[i : i + 1])[0]
            for i in range(len(control))
        ]
    )
    assert torch.allclose(mapped + 0.01 * weights, target, atol=2e-5)
    assert (mapped - target).abs().max() > 1e-4  # the regularisation really does move them

    affine0, weights0 = fit_tps(control.double(), target.double(), regularization=0.0)
    mapped0 = torch.stack(
        [
            warp_points(
                control[i].double(), control[i : i + 1].double(), affine0[i : i + 1], weights0[i : i + 1]
            )[0]
            for i in range(len(control))
        ]
    )
    assert torch.allclose(mapped0, target.double(), atol=1e-9)


def _kernel_share(
    control: torch.Tensor, affine: torch.Tensor, weights: torch.Tensor, distances: tuple[float, ...]
) -> list[float]:
    """|TPS − its affine part| / |affine part| at points along one direction, at each distance from the origin."""
    direction = torch.tensor([[0.6, 0.8]], dtype=torch.float64)
    ratios = []
    for r in distances:
        far = direction * r
        full = warp_points(far, control, affine, weights)[0]
        affine_only = far @ affine[0, :2] + affine[0, 2]
        ratios.append(float((full - affine_only).norm() / affine_only.norm()))
    return ratios


def test_exact_tps_reduces_to_its_affine_part_far_from_the_points() -> None:
    # Unregularised, the weights satisfy Σw = 0 and Σw·p = 0, so the kernel term grows only like log r
    # while the affine part grows like r: relative to the affine part it vanishes far away.
    control, target = _points(2, groups=1)
    affine, weights = fit_tps(control.double(), target.double(), regularization=0.0)
    assert (
        weights.sum(1).abs().max() < 1e-9 and (weights.transpose(1, 2) @ control.double()).abs().max() < 1e-9
    )
    ratios = _kernel_share(control.double(), affine, weights, (1e2, 1e4, 1e6))
    assert ratios[0] < 0.05 and ratios[1] < 1e-3 and ratios[2] < 1e-5
    assert ratios[0] > ratios[1] > ratios[2]


def test_regularised_tps_does_not_reduce_to_affine_far_away() -> None:
    # TPSMM's quirk: 0.01 also sits on the affine-constraint block, so Σw = -0.01·(constant row of the affine
    # part) and Σw·p = -0.01·(linear rows), not 0. The kernel term then grows like r²·log r² and dominates
    # far from the points; within the frame it stays a small correction.
    control, target = _points(3, groups=1)
    affine, weights = fit_tps(control.double(), target.double())
    assert torch.allclose(weights.sum(1), -0.01 * affine[:, 2], atol=1e-12)
    assert torch.allclose(
        weights.transpose(1, 2) @ control.double(), -0.01 * affine[:, :2].transpose(1, 2), atol=1e-12
    )
    ratios = _kernel_share(control.double(), affine, weights, (1.0, 1e2, 1e4))
    assert ratios[0] < 0.5 < ratios[2] and ratios[0] < ratios[1] < ratios[2]


def test_identical_point_sets_do_not_give_the_identity() -> None:
    # Also from the regularisation: the same points as control and target still move the grid a little.
    control, _ = _points(4)
    affine, weights = fit_tps(control, control)
    grid = torch.stack(torch.meshgrid(torch.linspace(-1, 1, 9), torch.linspace(-1, 1, 9), indexing="xy"), -1)
    moved = warp_points(grid.view(-1, 2), control, affine, weights)
    shift = (moved - grid.view(1, -1, 2)).abs().max()
    assert 1e-3 < shift < 0.5


def test_affine_targets_are_reproduced_exactly_without_regularisation() -> None:
    control, _ = _points(5, groups=2)
    m = torch.tensor([[1.1, 0.2], [-0.1, 0.9]], dtype=torch.float64)
    t = torch.tensor([0.05, -0.1], dtype=torch.float64)
    target = control.double() @ m + t
    affine, weights = fit_tps(control.double(), target, regularization=0.0)
    assert weights.abs().max() < 1e-10
    points = torch.rand(50, 2, dtype=torch.float64) * 4 - 2
    assert torch.allclose(warp_points(points, control.double(), affine, weights), points @ m + t, atol=1e-10)
