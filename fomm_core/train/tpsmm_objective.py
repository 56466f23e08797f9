"""TPSMM's training objective (TPSMM.md §6): reconstruction, keypoint equivariance and the warp loss.

The warp loss pulls the source's encoder maps, warped by the predicted flow, toward the driving frame's own
encoder maps, each masked by the occlusion map of its level; everything except the flow is detached, so it
trains only the keypoint detector and the dense motion network.
"""

from __future__ import annotations

import torch
from torch import nn

from ..engines.tpsmm import build_networks
from ..networks.tpsmm.dense_motion import TPSDenseMotion, TPSDenseMotionNetwork
from ..networks.tpsmm.inpainting import InpaintingNetwork
from ..networks.tpsmm.keypoint_detector import TPSKeypointDetector
from .losses import equivariance_losses
from .objective import Objective, adam
from .setup import TrainSetup
from .transforms import EquivarianceTransform

# the networks TPSMM's first stage trains (the AVD network is a second stage, not trained here)
TRAINED = ("kp_detector", "dense_motion_network", "inpainting_network")
# TPSMM clips gradients of these networks to an infinity norm of 10.
CLIPPED = ("kp_detector", "dense_motion_network")
CLIP_NORM = 10.0


class TPSMMFullModel(nn.Module):
    """Keypoint detector + dense motion + inpainting with every TPSMM loss (weighted), as one module for DDP."""

    def __init__(
        self,
        kp_detector: TPSKeypointDetector,
        dense_motion_network: TPSDenseMotionNetwork,
        inpainting_network: InpaintingNetwork,
        setup: TrainSetup,
        reconstruction: nn.Module,
    ):
        super().__init__()
        self.kp_detector = kp_detector
        self.dense_motion_network = dense_motion_network
        self.inpainting_network = inpainting_network
        self.reconstruction = reconstruction
        self.weights = setup.train.loss_weights

    def forward(
        self,
        source: torch.Tensor,
        driving: torch.Tensor,
        transform: EquivarianceTransform,
        dropout_p: float = 0.0,
    ) -> tuple[dict[str, torch.Tensor], dict[str, torch.Tensor]]:
        """(weighted losses, generated outputs) for a batch; `dropout_p` drops TPS transforms (early epochs)."""
        w = self.weights
        n = source.shape[0]
        equivariance = float(w["equivariance_value"]) != 0
        frames = [source, driving]
        if equivariance:
            frames.append(transform.transform_frame(driving, self.inpainting_network.align_corners))
        # one batch for all frames: the ResNet's batch norms then see 2-3× more images per step
        kp = self.kp_detector(torch.cat(frames))
        kp_source, kp_driving = kp[:n], kp[n : 2 * n]
        motion = self.dense_motion_network(source, kp_driving, kp_source, dropout_p)
        encoded = self.inpainting_network.encode(source)
        prediction = self.inpainting_network.decode(encoded, source, motion)
        losses: dict[str, torch.Tensor] = {}
        if any(float(x) != 0 for x in w["perceptual"]):
            losses["perceptual"] = self.reconstruction(prediction, driving)
        if equivariance:
            value = equivariance_losses(transform, (kp_driving, None), (kp[2 * n :], None))[
                "equivariance_value"
            ]
            losses["equivariance_value"] = float(w["equivariance_value"]) * value
        if float(w["warp_loss"]) != 0:
            losses["warp_loss"] = float(w["warp_loss"]) * self.warp_loss(encoded, driving, motion)
        generated = {
            "prediction": prediction,
            "kp_source": kp_source,
            "kp_driving": kp_driving,
            "deformed": self.inpainting_network.warp(source, motion.deformation),
            "occlusion_map": motion.occlusion_maps[-1],
        }
        return losses, generated

    def warp_loss(
        self, encoded: list[torch.Tensor], driving: torch.Tensor, motion: TPSDenseMotion
    ) -> torch.Tensor:
        """Σ_levels mean |occ·enc(driving) − occ·warp(enc(source))|, gradients through the flow only."""
        with torch.no_grad():
            target = self.inpainting_network.encode(driving)
        total = driving.new_zeros(())
        for level, (src, drv) in enumerate(zip(reversed(encoded), reversed(target), strict=True)):
            occlusion = self.inpainting_network.occlusion_at(motion, level, src).detach()
            total = (
                total
                + ((drv - self.inpainting_network.warp(src.detach(), motion.deformation)) * occlusion)
                .abs()
                .mean()
            )
        return total

    def clip_gradients(self) -> None:
        """Clip the keypoint detector's and dense motion network's gradients as TPSMM does."""
        for name in CLIPPED:
            nn.utils.clip_grad_norm_(getattr(self, name).parameters(), CLIP_NORM, norm_type=float("inf"))


class TPSMMObjective(Objective):
    """The three first-stage networks under one Adam (weight decay 1e-4), transform dropout in early epochs,
    gradient clipping."""

    def __init__(self, setup: TrainSetup, reconstruction: nn.Module, device: torch.device):
        nets = build_networks(setup.model)
        networks = {k: nets[k].to(device) for k in TRAINED}
        optimizer = adam(
            [p for net in networks.values() for p in net.parameters()],
            setup.train.lr_generator,
            weight_decay=1e-4,
        )
        full_model = TPSMMFullModel(**networks, setup=setup, reconstruction=reconstruction).to(device)
        super().__init__(networks, {"optimizer": optimizer}, full_model)
        self.setup = setup

    def step_argument(self, epoch: int) -> float:
        return self.setup.train.dropout_p(epoch)

    def before_update(self) -> None:
        self.full_model.clip_gradients()
