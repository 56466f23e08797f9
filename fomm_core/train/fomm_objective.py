"""FOMM's training objective (FOMM.md §7): perceptual reconstruction, keypoint and jacobian equivariance, and
optionally the multi-scale LSGAN with feature matching."""

from __future__ import annotations

import torch
from torch import nn

from ..engines.fomm import build_networks
from .gan import MultiScaleDiscriminator, discriminator_loss, generator_gan_losses
from .losses import ImagePyramid, equivariance_losses
from .objective import Objective, adam
from .setup import TrainSetup
from .transforms import EquivarianceTransform


class GeneratorFullModel(nn.Module):
    """Keypoint detector + generator with all generator-side losses (weighted), as one module for DDP."""

    def __init__(
        self,
        kp_detector: nn.Module,
        generator: nn.Module,
        setup: TrainSetup,
        reconstruction: nn.Module,
        disc_scales: tuple[float, ...] = (1.0,),
    ):
        super().__init__()
        self.kp_detector = kp_detector
        self.generator = generator
        self.reconstruction = reconstruction
        self.weights = setup.train.loss_weights
        self.disc_pyramid = ImagePyramid(disc_scales)
        self.use_kp = bool(setup.discriminator.get("use_kp", False))

    def forward(
        self,
        source: torch.Tensor,
        driving: torch.Tensor,
        transform: EquivarianceTransform,
        discriminator: nn.Module | None = None,
    ) -> tuple[dict[str, torch.Tensor], dict[str, torch.Tensor]]:
        """(weighted losses, generated outputs) for a batch; `discriminator` (frozen here) adds GAN terms."""
        w = self.weights
        kp_source = self.kp_detector(source)
        kp_driving = self.kp_detector(driving)
        generated = self.generator(source, kp_driving[0], kp_driving[1], kp_source[0], kp_source[1])
        generated["kp_source"], generated["kp_driving"] = kp_source[0], kp_driving[0]
        losses: dict[str, torch.Tensor] = {}
        if any(float(x) != 0 for x in w["perceptual"]):
            losses["perceptual"] = self.reconstruction(generated["prediction"], driving)
        if discriminator is not None:
            kp = kp_driving[0].detach() if self.use_kp else None
            real = discriminator(self.disc_pyramid(driving), kp)
            fake = discriminator(self.disc_pyramid(generated["prediction"]), kp)
            losses.update(generator_gan_losses(real, fake, float(w["generator_gan"]), w["feature_matching"]))
        if float(w["equivariance_value"]) != 0 or float(w["equivariance_jacobian"]) != 0:
            transformed = transform.transform_frame(driving, self.generator.align_corners)
            kp_transformed = self.kp_detector(transformed)
            for name, value in equivariance_losses(transform, kp_driving, kp_transformed).items():
                if float(w[name]) != 0:
                    losses[name] = float(w[name]) * value
        return losses, generated


class DiscriminatorFullModel(nn.Module):
    """The discriminator with its LSGAN loss on real frames and (detached) predictions."""

    def __init__(self, discriminator: MultiScaleDiscriminator, setup: TrainSetup):
        super().__init__()
        self.discriminator = discriminator
        self.pyramid = ImagePyramid(discriminator.scales)
        self.weight = float(setup.train.loss_weights["discriminator_gan"])

    def forward(
        self, driving: torch.Tensor, prediction: torch.Tensor, kp: torch.Tensor | None
    ) -> dict[str, torch.Tensor]:
        """The discriminator's loss."""
        real = self.discriminator(self.pyramid(driving), kp)
        fake = self.discriminator(self.pyramid(prediction.detach()), kp)
        return {"disc_gan": discriminator_loss(real, fake, self.weight)}


class FOMMObjective(Objective):
    """Generator and keypoint detector, each with its own Adam; with GAN weights, a discriminator trained after
    every generator step. From `freeze_norm_step` on, the generator's batch norms use running statistics."""

    critic_optimizers = ("optimizer_discriminator",)

    def __init__(self, setup: TrainSetup, reconstruction: nn.Module, device: torch.device):
        params = setup.train
        nets = build_networks(setup.model)
        self.generator = nets["generator"].to(device)
        kp_detector = nets["kp_detector"].to(device)
        networks: dict[str, nn.Module] = {"generator": self.generator, "kp_detector": kp_detector}
        optimizers = {
            "optimizer_generator": adam(self.generator.parameters(), params.lr_generator),
            "optimizer_kp_detector": adam(kp_detector.parameters(), params.lr_kp_detector),
        }
        self.discriminator: MultiScaleDiscriminator | None = None
        critic = None
        if setup.uses_gan:
            disc = dict(setup.discriminator)
            scales = tuple(disc.pop("scales", (1,)))
            self.discriminator = MultiScaleDiscriminator(
                scales, num_channels=setup.model.num_channels, num_kp=setup.model.num_kp, **disc
            ).to(device)
            networks["discriminator"] = self.discriminator
            optimizers["optimizer_discriminator"] = adam(
                self.discriminator.parameters(), params.lr_discriminator
            )
            critic = DiscriminatorFullModel(self.discriminator, setup).to(device)
        disc_scales = tuple(float(s) for s in setup.discriminator.get("scales", (1,)))
        full_model = GeneratorFullModel(kp_detector, self.generator, setup, reconstruction, disc_scales).to(
            device
        )
        super().__init__(networks, optimizers, full_model, critic)
        self.setup = setup

    def step_argument(self, epoch: int) -> nn.Module | None:
        return self.discriminator

    def before_step(self, step: int) -> None:
        """Freeze the discriminator for the generator's step; from `freeze_norm_step` on, the generator's batch
        norms use their running statistics, as at inference.

        The keypoint detector keeps batch statistics: frozen there, its jacobians drifted toward singular
        matrices and the equivariance losses diverged within a few hundred steps.
        """
        if self.discriminator is not None:
            self.discriminator.requires_grad_(False)
        freeze_at = self.setup.train.freeze_norm_step
        frozen = freeze_at is not None and step >= freeze_at
        for layer in self.generator.modules():
            if isinstance(layer, nn.modules.batchnorm._BatchNorm):
                layer.train(not frozen)

    def critic_step(
        self, critic: nn.Module, driving: torch.Tensor, generated: dict[str, torch.Tensor]
    ) -> dict[str, float]:
        self.discriminator.requires_grad_(True)
        kp = generated["kp_driving"].detach() if self.setup.discriminator.get("use_kp") else None
        losses = critic(driving, generated["prediction"], kp)
        sum(losses.values()).backward()
        self.optimizers["optimizer_discriminator"].step()
        return {k: float(v.detach()) for k, v in losses.items()}
