"""Random affine + thin-plate-spline warps for the equivariance losses (FOMM.md §7, with its quirks)."""

from __future__ import annotations

import torch
import torch.nn.functional as F

from ..networks.common.sampling import make_coordinate_grid


class EquivarianceTransform:
    """One random warp per batch item: p ↦ θ·[p; 1] + Σ_k w_k · d_k² · log(d_k + 1e-6).

    d_k is the L1 distance |Δx| + |Δy| from p to control point k of a regular grid on [-1, 1], and the same
    scalar TPS offset is added to both x and y: both quirks of the original are kept so that trained models
    behave like the published ones.
    """

    def __init__(self, theta: torch.Tensor, control_points: torch.Tensor, control_params: torch.Tensor):
        self.theta = theta  # N×2×3
        self.control_points = control_points  # P×2
        self.control_params = control_params  # N×P

    @classmethod
    def random(
        cls,
        batch_size: int,
        sigma_affine: float = 0.05,
        sigma_tps: float = 0.005,
        points_tps: int = 5,
        generator: torch.Generator | None = None,
        device: torch.device | str = "cpu",
    ) -> EquivarianceTransform:
        """Sample θ = [I | 0] + N(0, σ_affine²) and TPS weights N(0, σ_tps²) on a points_tps² control grid."""
        noise = torch.randn(batch_size, 2, 3, generator=generator) * sigma_affine
        theta = noise + torch.eye(2, 3)
        control_points = make_coordinate_grid(points_tps, points_tps).view(-1, 2)
        control_params = torch.randn(batch_size, points_tps**2, generator=generator) * sigma_tps
        return cls(theta.to(device), control_points.to(device), control_params.to(device))

    @classmethod
    def identity(
        cls, batch_size: int, points_tps: int = 5, device: torch.device | str = "cpu"
    ) -> EquivarianceTransform:
        """The transform with every random parameter at zero: the identity map."""
        return cls.random(batch_size, 0.0, 0.0, points_tps, device=device)

    def warp_coordinates(self, coords: torch.Tensor) -> torch.Tensor:
        """Warp points N×K×2 (x, y) in [-1, 1]."""
        theta = self.theta.to(coords.dtype)
        warped = coords @ theta[:, :, :2].transpose(1, 2) + theta[:, :, 2].unsqueeze(1)
        distances = (
            (coords.unsqueeze(2) - self.control_points.to(coords.dtype).view(1, 1, -1, 2)).abs().sum(-1)
        )
        radial = distances**2 * torch.log(distances + 1e-6)
        offset = (radial * self.control_params.to(coords.dtype).unsqueeze(1)).sum(-1, keepdim=True)
        return warped + offset

    def transform_frame(self, frames: torch.Tensor, align_corners: bool = False) -> torch.Tensor:
        """Resample frames N×C×H×W at the warped pixel grid (reflection padding)."""
        n, _, h, w = frames.shape
        grid = make_coordinate_grid(h, w, frames.device, frames.dtype).view(1, h * w, 2).expand(n, -1, -1)
        grid = self.warp_coordinates(grid).view(n, h, w, 2)
        return F.grid_sample(frames, grid, padding_mode="reflection", align_corners=align_corners)

    def jacobian(self, coords: torch.Tensor) -> torch.Tensor:
        """∂warp/∂p at points N×K×2 as N×K×2×2 (rows: x, y outputs), differentiable w.r.t. coords."""
        if not coords.requires_grad:
            coords = coords.detach().requires_grad_(True)
        warped = self.warp_coordinates(coords)
        rows = [torch.autograd.grad(warped[..., i].sum(), coords, create_graph=True)[0] for i in range(2)]
        return torch.stack(rows, dim=-2)
