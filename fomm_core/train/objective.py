"""What the trainer asks of an engine's training objective (the objectives by engine: objectives.py)."""

from __future__ import annotations

from typing import Any

import torch
from torch import nn


def adam(params: Any, lr: float, weight_decay: float = 0.0) -> torch.optim.Adam:
    """Adam as both originals use it (betas 0.5, 0.999)."""
    return torch.optim.Adam(params, lr=lr, betas=(0.5, 0.999), weight_decay=weight_decay)


class Objective:
    """One engine's training: the networks it trains and their optimizers (by checkpoint key), the loss module
    the trainer runs (and wraps for DDP), an optional critic trained after each step, and the step's hooks.

    `full_model(source, driving, transform, step_argument(epoch))` returns (weighted losses, generated outputs).
    """

    #: optimizers that `critic_step` steps (the trainer steps the others after the losses' backward)
    critic_optimizers: tuple[str, ...] = ()

    def __init__(
        self,
        networks: dict[str, nn.Module],
        optimizers: dict[str, torch.optim.Optimizer],
        full_model: nn.Module,
        critic: nn.Module | None = None,
    ):
        self.networks = networks
        self.optimizers = optimizers
        self.full_model = full_model
        self.critic = critic

    def step_argument(self, epoch: int) -> Any:
        """The full model's last argument for a step in `epoch`."""
        return None

    def before_step(self, step: int) -> None:
        """Set what depends on the step before the forward (e.g. which norms use running statistics)."""

    def before_update(self) -> None:
        """Between the backward and the optimizer steps (e.g. gradient clipping)."""

    def critic_step(
        self, critic: nn.Module, driving: torch.Tensor, generated: dict[str, torch.Tensor]
    ) -> dict[str, float]:
        """Train the critic (`critic` is `self.critic`, possibly DDP-wrapped) on the step's outputs."""
        return {}
