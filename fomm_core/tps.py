"""Thin-plate spline transforms (Bookstein 1989) as TPSMM fits them: r²·log r² kernel, 0.01 on the whole diagonal."""

from __future__ import annotations

import torch

REGULARIZATION = 0.01


def tps_kernel(squared_distance: torch.Tensor) -> torch.Tensor:
    """U(s) = s·log(s + 1e-9) of squared distances s = r², i.e. the kernel r²·log r²."""
    return squared_distance * torch.log(squared_distance + 1e-9)


def fit_tps(
    control: torch.Tensor, target: torch.Tensor, regularization: float = REGULARIZATION
) -> tuple[torch.Tensor, torch.Tensor]:
    """Fit TPS mapping `control` points (…×n×2) near `target` points (…×n×2).

    Returns (affine …×3×2 with rows for x, y, 1; weights …×n×2). The regularisation is added to the whole
    (n+3)×(n+3) diagonal, including the affine-constraint block, and the system is solved with an explicit
    float32 inverse, as TPSMM does.
    """
    n = control.shape[-2]
    lead = control.shape[:-2]
    # TPSMM takes the Euclidean norm and squares it here (but sums squares when warping points).
    kernel = tps_kernel(
        torch.linalg.vector_norm(control[..., :, None, :] - control[..., None, :, :], dim=-1) ** 2
    )
    p = torch.cat([control, control.new_ones(*lead, n, 1)], dim=-1)
    top = torch.cat([kernel, p], dim=-1)
    bottom = torch.cat([p.transpose(-1, -2), control.new_zeros(*lead, 3, 3)], dim=-1)
    system = torch.cat([top, bottom], dim=-2)
    system = system + torch.eye(n + 3, dtype=system.dtype, device=system.device) * regularization
    rhs = torch.cat([target, target.new_zeros(*lead, 3, 2)], dim=-2)
    params = torch.matmul(torch.inverse(system), rhs)
    return params[..., n:, :], params[..., :n, :]


def warp_points(
    points: torch.Tensor, control: torch.Tensor, affine: torch.Tensor, weights: torch.Tensor
) -> torch.Tensor:
    """Apply fitted TPS (…×n×2 control points, …×3×2 affine, …×n×2 weights) to points P×2 → …×P×2."""
    moved = torch.matmul(points, affine[..., :2, :]) + affine[..., 2:, :]
    squared = ((points[..., :, None, :] - control[..., None, :, :]) ** 2).sum(-1)
    return moved + torch.matmul(tps_kernel(squared), weights)
