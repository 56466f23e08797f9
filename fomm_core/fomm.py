"""The First Order Motion Model engine: owns the keypoint detector and generator, on one device."""

from __future__ import annotations

from dataclasses import dataclass

import torch

from .config import FOMMConfig
from .engine import EngineSpec, Keypoints, MotionModel
from .motion import transfer_keypoints
from .networks.fomm.dense_motion import SourceMotionInputs
from .networks.fomm.generator import OcclusionAwareGenerator
from .networks.fomm.keypoint_detector import KPDetector


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
        for key in SPEC.required_modules:
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


def _objective() -> type:
    from .train.fomm_objective import FOMMObjective  # on demand: training code is not needed to animate

    return FOMMObjective


SPEC = EngineSpec(
    "fomm",
    FOMMConfig,
    build_networks,
    FOMMModel,
    required_modules=("kp_detector", "generator"),
    optional_modules=(),
    objective=_objective,
)
