"""Our VGG19 feature extractor for the perceptual loss and metric, with ImageNet weights fetched from the Hub.

The layer indices match torchvision's `vgg19().features` (and timm's `vgg19.tv_in1k`, the same weights stored
as safetensors), so the published tensors `features.N.weight|bias` load as they are. Outputs are the
activations after relu1_1, relu2_1, relu3_1, relu4_1 and relu5_1, as in FOMM's perceptual loss.
"""

from __future__ import annotations

import logging
import warnings

import torch
from torch import nn

log = logging.getLogger(__name__)

VGG19_REPO = "timm/vgg19.tv_in1k"
VGG19_FILENAME = "model.safetensors"
# The commit that added the weights (the repo's later commits only touched README tags).
VGG19_REVISION = "128d4708565b3a414bcbb9bbad440b2fe37b9f18"

# torchvision's VGG19 configuration up to relu5_1: conv widths, "M" for 2×2 max pooling.
_LAYERS = (64, 64, "M", 128, 128, "M", 256, 256, 256, 256, "M", 512, 512, 512, 512, "M", 512)
# features[a:b] slices ending at relu1_1, relu2_1, relu3_1, relu4_1, relu5_1.
_SLICES = ((0, 2), (2, 7), (7, 12), (12, 21), (21, 30))
_MEAN = (0.485, 0.456, 0.406)
_STD = (0.229, 0.224, 0.225)


class Vgg19(nn.Module):
    """Frozen VGG19 trunk: images N×3×H×W in [0, 1] → five feature maps (relu1_1 … relu5_1)."""

    def __init__(self):
        super().__init__()
        layers: list[nn.Module] = []
        channels = 3
        for spec in _LAYERS:
            if spec == "M":
                layers.append(nn.MaxPool2d(kernel_size=2, stride=2))
            else:
                layers += [nn.Conv2d(channels, spec, kernel_size=3, padding=1), nn.ReLU(inplace=True)]
                channels = spec
        self.features = nn.Sequential(*layers)
        self.register_buffer("mean", torch.tensor(_MEAN).view(1, 3, 1, 1), persistent=False)
        self.register_buffer("std", torch.tensor(_STD).view(1, 3, 1, 1), persistent=False)
        self.requires_grad_(False)

    def forward(self, x: torch.Tensor) -> list[torch.Tensor]:
        """The five feature maps of images in [0, 1]."""
        x = (x - self.mean) / self.std
        outputs = []
        for start, stop in _SLICES:
            for layer in self.features[start:stop]:
                x = layer(x)
            outputs.append(x)
        return outputs


def load_vgg19(device: torch.device | str = "cpu", revision: str = VGG19_REVISION) -> Vgg19 | None:
    """VGG19 with ImageNet weights (Hub cache or download), in eval mode; None with a warning if unavailable."""
    from huggingface_hub import hf_hub_download
    from safetensors import safe_open

    try:
        path = hf_hub_download(VGG19_REPO, VGG19_FILENAME, revision=revision)
    except Exception as exc:  # noqa: BLE001 - any Hub failure (offline, DNS, HTTP) means "not available"
        warnings.warn(
            f"VGG19 ImageNet weights could not be fetched from {VGG19_REPO} ({type(exc).__name__}); "
            "the perceptual loss is unavailable.",
            stacklevel=2,
        )
        return None
    model = Vgg19()
    wanted = model.state_dict()
    with safe_open(path, framework="pt") as f:
        state = {key: f.get_tensor(key) for key in wanted}
    model.load_state_dict(state)
    log.info("Loaded VGG19 weights from %s", path)
    return model.to(device).eval()
