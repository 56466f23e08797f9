"""Tiny TPSMM configs, models and checkpoints for fast tests."""

from __future__ import annotations

import torch

from fomm_core.config import DenseMotionConfig, TPSMMConfig
from fomm_core.engines.tpsmm import TPSMMModel, build_networks

# 64×64 frames, 4 transforms (20 keypoints), narrow hourglass and inpainting network (ResNet18 and AVD are
# fixed-width in TPSMM).
TINY_TPSMM = TPSMMConfig(
    num_tps=4,
    frame_size=64,
    inpainting_block_expansion=8,
    inpainting_max_features=64,
    dense_motion=DenseMotionConfig(block_expansion=8, max_features=64, num_blocks=3),
)


def tiny_tpsmm_state(seed: int = 0, config: TPSMMConfig = TINY_TPSMM) -> dict[str, dict[str, torch.Tensor]]:
    """Random networks in the original checkpoint layout, shaped like trained ones where it matters.

    Plain random initialisation puts all keypoints of a frame close together (and the AVD network's output near
    zero), which makes every thin-plate spline nearly singular. Trained detectors spread keypoints over the
    frame and move them moderately, so the keypoint head and AVD output layer get a spread bias and small
    weights; batch-norm layers get non-trivial statistics.
    """
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        nets = build_networks(config)
        with torch.no_grad():
            fc = nets["kp_detector"].fg_encoder.fc
            fc.weight.mul_(3.0)
            fc.bias.uniform_(-1.5, 1.5)
            last = nets["avd_network"].decoder[-1]
            last.weight.mul_(0.5)
            last.bias.uniform_(-0.6, 0.6)
            for m in (m for net in nets.values() for m in net.modules()):
                if isinstance(m, torch.nn.modules.batchnorm._BatchNorm):
                    m.running_mean.uniform_(-0.2, 0.2)
                    m.running_var.uniform_(0.5, 1.5)
                    m.num_batches_tracked.fill_(321)
                elif isinstance(m, torch.nn.InstanceNorm2d):
                    m.weight.uniform_(0.5, 1.5)
                    m.bias.uniform_(-0.2, 0.2)
    return {key: net.state_dict() for key, net in nets.items()}


def tiny_tpsmm(seed: int = 0, without: tuple[str, ...] = ()) -> TPSMMModel:
    """A tiny TPSMM model on the CPU (optionally without some optional networks)."""
    state = {k: v for k, v in tiny_tpsmm_state(seed).items() if k not in without}
    return TPSMMModel.from_state(TINY_TPSMM, state, torch.device("cpu"), name=f"tiny-tpsmm-{seed}")
