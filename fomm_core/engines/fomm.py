"""The First Order Motion Model engine (Siarohin et al., NeurIPS 2019): keypoints with local affine jacobians,
a dense motion network and an occlusion-aware generator, loaded from the original checkpoints."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import torch

from ..motion import Keypoints, transfer_keypoints
from ..networks.fomm.config import DenseMotionConfig, FOMMConfig, GeneratorConfig, KeypointDetectorConfig
from ..networks.fomm.dense_motion import SourceMotionInputs
from ..networks.fomm.generator import OcclusionAwareGenerator
from ..networks.fomm.keypoint_detector import KPDetector
from .base import CheckpointEngine, pick_fields
from .motion_model import MotionModel


@dataclass
class FOMMSource:
    """Everything about the source image that does not depend on the driving frame."""

    kp: Keypoints
    features: torch.Tensor  # the generator's encoded source, 1×C×h×w
    motion_inputs: SourceMotionInputs


def build_networks(config: FOMMConfig) -> dict[str, torch.nn.Module]:
    """Fresh (randomly initialised) FOMM networks, keyed as in the original checkpoint."""
    return {"kp_detector": KPDetector(config), "generator": OcclusionAwareGenerator(config)}


class FOMMModel(MotionModel):
    """FOMM inference: keypoints with jacobians, relative or absolute motion transfer."""

    modes = ("relative", "absolute")

    def __init__(
        self,
        config: FOMMConfig,
        kp_detector: KPDetector,
        generator: OcclusionAwareGenerator,
        device: torch.device,
        name: str = "",
        sha256: str | None = None,
        fp16: bool = False,
    ):
        super().__init__(config, device, name, sha256, fp16)
        self.kp_detector = self._prepare(kp_detector, device)
        self.generator = self._prepare(generator, device)

    @staticmethod
    def _prepare(net: torch.nn.Module, device: torch.device) -> torch.nn.Module:
        return net.to(device, memory_format=torch.channels_last).eval().requires_grad_(False)

    @classmethod
    def from_state(
        cls,
        config: FOMMConfig,
        state: dict[str, dict[str, torch.Tensor]],
        device: torch.device,
        *,
        name: str = "",
        sha256: str | None = None,
        fp16: bool = False,
    ) -> FOMMModel:
        """Build the networks and load the checkpoint's kp_detector and generator strictly."""
        nets = build_networks(config)
        for key in ENGINE.required_modules:
            nets[key].load_state_dict(state[key], strict=True)
        return cls(config, nets["kp_detector"], nets["generator"], device, name, sha256, fp16)

    def detect_keypoints(self, frames: torch.Tensor) -> Keypoints:
        with self.autocast():
            value, jacobian = self.kp_detector(frames)
        return Keypoints(value.float(), None if jacobian is None else jacobian.float())

    def encode_source(self, source: torch.Tensor) -> FOMMSource:
        kp = self.detect_keypoints(source)
        with self.autocast():
            features = self.generator.encode(source)
            motion_inputs = self.generator.dense_motion_network.prepare_source(source, kp.value)
        return FOMMSource(kp, features, motion_inputs)

    def drive_keypoints(
        self,
        source_state: FOMMSource,
        kp_driving: Keypoints,
        kp_initial: Keypoints,
        mode: str,
        adapt_scale: bool,
    ) -> Keypoints:
        return transfer_keypoints(source_state.kp, kp_driving, kp_initial, mode, adapt_scale)

    def generate(self, source_state: FOMMSource, kp: Keypoints) -> torch.Tensor:
        src = source_state.kp
        with self.autocast():
            motion = self.generator.dense_motion_network.forward_prepared(
                source_state.motion_inputs, kp.value, kp.jacobian, src.value, src.jacobian
            )
            return self.generator.decode(source_state.features, motion).float()


class FOMM(CheckpointEngine):
    """FOMM: a checkpoint with a `generator`; its YAML configs have `num_kp`."""

    name = "fomm"
    modes = FOMMModel.modes
    config_class = FOMMConfig
    params_key = "num_kp"
    required_modules = ("kp_detector", "generator")
    claim_modules = ("generator",)
    model_class = FOMMModel

    def config_from_params(self, model_params: Mapping[str, Any], frame_size: int) -> FOMMConfig:
        common = dict(model_params.get("common_params", {}))
        kp = model_params.get("kp_detector_params", {})
        gen = dict(model_params.get("generator_params", {}))
        dense = gen.pop("dense_motion_params", {})
        return FOMMConfig(
            num_kp=common["num_kp"],
            num_channels=common.get("num_channels", 3),
            estimate_jacobian=common.get("estimate_jacobian", True),
            frame_size=frame_size,
            kp_detector=pick_fields(KeypointDetectorConfig, kp),
            generator=pick_fields(GeneratorConfig, gen, dense_motion=pick_fields(DenseMotionConfig, dense)),
            align_corners=bool(common.get("align_corners", False)),
        )

    def params_of(self, config: FOMMConfig) -> dict[str, Any]:
        gen = {k: v for k, v in vars(config.generator).items() if k != "dense_motion"}
        gen["dense_motion_params"] = vars(config.generator.dense_motion).copy()
        return {
            "common_params": {
                "num_kp": config.num_kp,
                "num_channels": config.num_channels,
                "estimate_jacobian": config.estimate_jacobian,
                "align_corners": config.align_corners,
            },
            "kp_detector_params": vars(config.kp_detector).copy(),
            "generator_params": gen,
        }

    def build_networks(self, config: FOMMConfig) -> dict[str, torch.nn.Module]:
        return build_networks(config)


ENGINE = FOMM()
