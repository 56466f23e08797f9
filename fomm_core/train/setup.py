"""Training configuration: an original-style FOMM or TPSMM YAML (dataset_params, model_params, train_params).

Everything the original taichi-256.yaml files say is read with the same meaning (FOMM.md §2, §7; TPSMM.md §6),
except TPSMM's background predictor (`common_params.bg`), which training does not support. Keys of ours,
all optional, in `train_params`: `seed`, `loss` (auto | vgg | l1_ssim), `log_every`, `sample_every` and
`checkpoint_every` (steps), `num_workers`, `freeze_norm_step` (from this step on the generator's batch norms
use their running statistics, as at inference: with small per-process batches of very different images, batch
statistics carry each image's colours away, which the generator then cannot reproduce); in `dataset_params`:
`synthetic_identities` (the epoch size of the on-the-fly synthetic dataset); in `model_params.common_params`:
`align_corners` (FOMM's sampling convention, `fomm_core.config.FOMMConfig`; false as in the original).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from ..config import ModelConfig, TPSMMConfig, config_from_model_params
from ..errors import UserError

_DEFAULT_WEIGHTS = {
    "generator_gan": 0.0,
    "discriminator_gan": 1.0,
    "feature_matching": [10.0, 10.0, 10.0, 10.0],
    "perceptual": [10.0, 10.0, 10.0, 10.0, 10.0],
    "equivariance_value": 10.0,
    "equivariance_jacobian": 10.0,
    "warp_loss": 10.0,
}


@dataclass(frozen=True)
class TrainParams:
    """The `train_params` section."""

    num_epochs: int = 100
    num_repeats: int = 1
    epoch_milestones: tuple[int, ...] = ()
    lr_generator: float = 2.0e-4
    lr_discriminator: float = 2.0e-4
    lr_kp_detector: float = 2.0e-4
    batch_size: int = 30
    scales: tuple[float, ...] = (1.0, 0.5, 0.25, 0.125)
    checkpoint_freq: int = 50
    sigma_affine: float = 0.05
    sigma_tps: float = 0.005
    points_tps: int = 5
    loss_weights: dict[str, Any] = field(default_factory=lambda: dict(_DEFAULT_WEIGHTS))
    seed: int = 0
    loss: str = "auto"
    log_every: int = 10
    sample_every: int = 500
    checkpoint_every: int = 500
    num_workers: int = 0
    freeze_norm_step: int | None = None
    dropout_epoch: int = 0
    dropout_maxp: float = 0.0
    dropout_startp: float = 0.0
    dropout_inc_epoch: int = 10

    def dropout_p(self, epoch: int) -> float:
        """TPSMM's transform-dropout probability: ramps from dropout_startp to dropout_maxp, off from dropout_epoch."""
        if epoch >= self.dropout_epoch:
            return 0.0
        return min(
            epoch / self.dropout_inc_epoch * self.dropout_maxp + self.dropout_startp, self.dropout_maxp
        )

    def lr_factor(self, epoch: int) -> float:
        """MultiStep schedule: ×0.1 at each milestone epoch reached."""
        return 0.1 ** sum(1 for m in self.epoch_milestones if epoch >= m)


@dataclass(frozen=True)
class TrainSetup:
    """A whole training configuration."""

    model: ModelConfig
    train: TrainParams
    dataset: dict[str, Any]
    discriminator: dict[str, Any]
    document: dict[str, Any]

    @property
    def uses_gan(self) -> bool:
        """Whether the discriminator is trained (the original trains it only with a generator GAN weight)."""
        return float(self.train.loss_weights.get("generator_gan", 0)) != 0


def setup_from_dict(document: dict[str, Any]) -> TrainSetup:
    """Parse an original-style config document."""
    if not isinstance(document, dict) or "model_params" not in document:
        raise UserError(
            "A training config needs model_params (and usually dataset_params, train_params), as in "
            "the original FOMM YAML files."
        )
    dataset = dict(document.get("dataset_params") or {})
    frame_size = int((dataset.get("frame_shape") or [256])[0])
    model = config_from_model_params(document["model_params"], frame_size=frame_size)
    if isinstance(model, TPSMMConfig) and model.bg:
        raise UserError(
            "Training TPSMM's background predictor is not supported: set model_params.common_params.bg "
            "to false (the identity transform then models a still background)."
        )
    raw = dict(document.get("train_params") or {})
    weights = dict(_DEFAULT_WEIGHTS)
    weights.update(raw.pop("loss_weights", None) or {})
    transform = raw.pop("transform_params", None) or {}
    if "dataloader_workers" in raw:  # TPSMM's name for it
        raw.setdefault("num_workers", raw.pop("dataloader_workers"))
    raw.pop("bg_start", None)  # TPSMM's background-predictor schedule: nothing to schedule without it
    known = TrainParams.__dataclass_fields__
    unknown = sorted(set(raw) - set(known))
    if unknown:
        raise UserError(f"Unknown train_params {', '.join(unknown)}; remove them or check their spelling.")
    for key in ("epoch_milestones", "scales"):
        if key in raw:
            raw[key] = tuple(raw[key])
    train = TrainParams(
        **raw,
        loss_weights=weights,
        **{k: transform[k] for k in ("sigma_affine", "sigma_tps", "points_tps") if k in transform},
    )
    disc = dict(document["model_params"].get("discriminator_params") or {})
    setup = TrainSetup(model, train, dataset, disc, document)
    if isinstance(model, TPSMMConfig) and setup.uses_gan:
        raise UserError("TPSMM trains without a GAN: set loss_weights.generator_gan to 0.")
    return setup


def load_train_setup(path: str | Path) -> TrainSetup:
    """Read a training config YAML."""
    path = Path(path)
    if not path.is_file():
        raise UserError(
            f"Training config {path} does not exist; pass a YAML like the original taichi-256.yaml."
        )
    try:
        document = yaml.safe_load(path.read_text())
    except yaml.YAMLError as exc:
        raise UserError(f"Training config {path.name} is not valid YAML ({exc}).") from exc
    return setup_from_dict(document)
