"""Training FOMM: losses, equivariance transforms, augmentation, datasets, the trainer (DDP-ready).

- `load_train_setup(yaml)` / `setup_from_dict(doc)`: an original-style config (setup.py).
- `make_dataset("synthetic" | ROOT, frame_size, dataset_params)`: pairs addressed by (index, seed) (dataset.py).
- `Trainer(setup, dataset, out_dir, resume=False, device=None).run(steps)`: checkpoints in the original FOMM
  layout, exact resume, log.jsonl, sample sheets; joins a torchrun process group when WORLD_SIZE > 1.
- `reconstruction_loss(kind, scales, weights)`: VGG19 perceptual pyramid or the L1 + SSIM fallback (losses.py);
  `load_vgg19()` gives the ImageNet VGG19 trunk or None (vgg19.py).
- `EquivarianceTransform` (transforms.py), `Augmentation` (augment.py), `MultiScaleDiscriminator` (gan.py).
The command line is `python -m fomm_core train` (fomm_core/commands/train.py).
"""

from ..networks.vgg19 import Vgg19, load_vgg19
from .augment import Augmentation, AugmentParams
from .dataset import FramesDataset, StepBatchSampler, SyntheticDataset, make_dataset
from .gan import MultiScaleDiscriminator
from .losses import PerceptualLoss, StructuralLoss, equivariance_losses, reconstruction_loss
from .setup import TrainParams, TrainSetup, load_train_setup, setup_from_dict
from .trainer import Trainer
from .transforms import EquivarianceTransform

__all__ = [
    "AugmentParams",
    "Augmentation",
    "EquivarianceTransform",
    "FramesDataset",
    "MultiScaleDiscriminator",
    "PerceptualLoss",
    "StepBatchSampler",
    "StructuralLoss",
    "SyntheticDataset",
    "TrainParams",
    "TrainSetup",
    "Trainer",
    "Vgg19",
    "equivariance_losses",
    "load_train_setup",
    "load_vgg19",
    "make_dataset",
    "reconstruction_loss",
    "setup_from_dict",
]
