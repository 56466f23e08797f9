"""The Thin-Plate Spline Motion Model engine (Zhao & Zhang, CVPR 2022): owns its networks, on one device."""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import nn

from .config import TPSMMConfig
from .engine import EngineSpec, Keypoints, MotionModel
from .motion import transfer_keypoints
from .networks.tpsmm.avd import AVDNetwork
from .networks.tpsmm.bg_predictor import BGMotionPredictor
from .networks.tpsmm.dense_motion import TPSDenseMotionNetwork, TPSSourceInputs
from .networks.tpsmm.inpainting import InpaintingNetwork
from .networks.tpsmm.keypoint_detector import TPSKeypointDetector


@dataclass
class TPSMMSource:
    """Everything about the source image that does not depend on the driving frame."""

    kp: Keypoints
    image: torch.Tensor  # 1×3×S×S
    encoded: list[torch.Tensor]  # the inpainting network's encoder maps, full resolution first
    motion_inputs: TPSSourceInputs


def build_networks(config: TPSMMConfig) -> dict[str, nn.Module]:
    """Fresh (randomly initialised) TPSMM networks, keyed as in the original checkpoint."""
    nets: dict[str, nn.Module] = {
        "kp_detector": TPSKeypointDetector(config.num_tps),
        "dense_motion_network": TPSDenseMotionNetwork(config),
        "inpainting_network": InpaintingNetwork(config),
        "avd_network": AVDNetwork(config.num_tps, config.avd_id_bottle_size, config.avd_pose_bottle_size),
    }
    if config.bg:
        nets["bg_predictor"] = BGMotionPredictor()
    return nets


class TPSMMModel(MotionModel):
    """TPSMM inference: 5K keypoints, K thin-plate splines; standard ("absolute"), relative and avd modes."""

    def __init__(
        self,
        config: TPSMMConfig,
        nets: dict[str, nn.Module],
        device: torch.device,
        name: str = "",
        sha256: str | None = None,
        fp16: bool = False,
    ):
        super().__init__(config, device, name, sha256, fp16)
        for net in nets.values():
            net.to(device, memory_format=torch.channels_last).eval().requires_grad_(False)
        self.kp_detector: TPSKeypointDetector = nets["kp_detector"]
        self.dense_motion_network: TPSDenseMotionNetwork = nets["dense_motion_network"]
        self.inpainting_network: InpaintingNetwork = nets["inpainting_network"]
        self.avd_network: AVDNetwork | None = nets.get("avd_network")
        # loaded to check the checkpoint and kept for training; inference never uses it
        self.bg_predictor: BGMotionPredictor | None = nets.get("bg_predictor")
        self.modes = ("relative", "absolute") + (("avd",) if self.avd_network is not None else ())

    @classmethod
    def from_state(
        cls,
        config: TPSMMConfig,
        state: dict[str, dict[str, torch.Tensor]],
        device: torch.device,
        *,
        name: str = "",
        sha256: str | None = None,
        fp16: bool = False,
    ) -> TPSMMModel:
        """Build the networks and load each strictly: the three inference networks always, the AVD network and
        background predictor when the checkpoint has them."""
        missing = [key for key in SPEC.required_modules if key not in state]
        if missing:
            raise KeyError(f"TPSMM checkpoint has no {', '.join(missing)}")
        nets = build_networks(config)
        nets.setdefault("bg_predictor", BGMotionPredictor())
        loaded = {}
        for key in SPEC.modules:
            if key in state:
                nets[key].load_state_dict(state[key], strict=True)
                loaded[key] = nets[key]
        return cls(config, loaded, device, name, sha256, fp16)

    def detect_keypoints(self, frames: torch.Tensor) -> Keypoints:
        # Float32 and one frame at a time: the TPS solve amplifies keypoint rounding (~100×), and the ResNet's
        # rounding depends on the batch size, so batching here would make outputs depend on it.
        return Keypoints(torch.cat([self.kp_detector(frames[i : i + 1]) for i in range(frames.shape[0])]))

    def encode_source(self, source: torch.Tensor) -> TPSMMSource:
        kp = self.detect_keypoints(source)
        with self.autocast():
            encoded = self.inpainting_network.encode(source)
            motion_inputs = self.dense_motion_network.prepare_source(source, kp.value)
        return TPSMMSource(kp, source, encoded, motion_inputs)

    def drive_keypoints(
        self,
        source_state: TPSMMSource,
        kp_driving: Keypoints,
        kp_initial: Keypoints,
        mode: str,
        adapt_scale: bool,
    ) -> Keypoints:
        if mode == "avd":
            if self.avd_network is None:
                raise ValueError("this checkpoint has no AVD network")
            # one frame at a time, as for keypoints: a batched matmul rounds differently
            kp = kp_driving.value
            return Keypoints(
                torch.cat(
                    [self.avd_network(source_state.kp.value, kp[i : i + 1]) for i in range(kp.shape[0])]
                )
            )
        return transfer_keypoints(source_state.kp, kp_driving, kp_initial, mode, adapt_scale)

    def generate(self, source_state: TPSMMSource, kp: Keypoints) -> torch.Tensor:
        with self.autocast():
            motion = self.dense_motion_network.forward_prepared(source_state.motion_inputs, kp.value)
            out = self.inpainting_network.decode(source_state.encoded, source_state.image, motion)
        return out.float()


def _objective() -> type:
    from .train.tpsmm_objective import TPSMMObjective  # on demand: training code is not needed to animate

    return TPSMMObjective


SPEC = EngineSpec(
    "tpsmm",
    TPSMMConfig,
    build_networks,
    TPSMMModel,
    required_modules=("kp_detector", "dense_motion_network", "inpainting_network"),
    optional_modules=("avd_network", "bg_predictor"),
    objective=_objective,
)
