"""The Thin-Plate Spline Motion Model engine (Zhao & Zhang, CVPR 2022): K thin-plate splines of 5 keypoints,
multi-resolution occlusion, an inpainting network and the optional AVD network, from the original checkpoints."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import torch
from torch import nn

from ..motion import Keypoints, transfer_keypoints
from ..networks.fomm.config import DenseMotionConfig
from ..networks.tpsmm.avd import AVDNetwork
from ..networks.tpsmm.bg_predictor import BGMotionPredictor
from ..networks.tpsmm.config import TPSMMConfig
from ..networks.tpsmm.dense_motion import TPSDenseMotionNetwork, TPSSourceInputs
from ..networks.tpsmm.inpainting import InpaintingNetwork
from ..networks.tpsmm.keypoint_detector import TPSKeypointDetector
from .base import CheckpointEngine, pick_fields
from .motion_model import MotionModel


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
        missing = [key for key in ENGINE.required_modules if key not in state]
        if missing:
            raise KeyError(f"TPSMM checkpoint has no {', '.join(missing)}")
        nets = build_networks(config)
        nets.setdefault("bg_predictor", BGMotionPredictor())
        loaded = {}
        for key in ENGINE.modules:
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


class TPSMM(CheckpointEngine):
    """TPSMM: a checkpoint with an `inpainting_network` or a `dense_motion_network`; its YAML configs have
    `num_tps`."""

    name = "tpsmm"
    modes = MotionModel.modes + ("avd",)
    config_class = TPSMMConfig
    params_key = "num_tps"
    required_modules = ("kp_detector", "dense_motion_network", "inpainting_network")
    optional_modules = ("avd_network", "bg_predictor")
    claim_modules = ("inpainting_network", "dense_motion_network")
    model_class = TPSMMModel

    def config_from_params(self, model_params: Mapping[str, Any], frame_size: int) -> TPSMMConfig:
        common = dict(model_params.get("common_params", {}))
        gen = model_params.get("generator_params", {})
        avd = model_params.get("avd_network_params", {})
        return TPSMMConfig(
            num_tps=common["num_tps"],
            num_channels=common.get("num_channels", 3),
            bg=common.get("bg", False),
            multi_mask=common.get("multi_mask", True),
            frame_size=frame_size,
            inpainting_block_expansion=gen.get("block_expansion", 64),
            inpainting_max_features=gen.get("max_features", 512),
            inpainting_num_down_blocks=gen.get("num_down_blocks", 3),
            dense_motion=pick_fields(DenseMotionConfig, model_params.get("dense_motion_params", {})),
            avd_id_bottle_size=avd.get("id_bottle_size", 128),
            avd_pose_bottle_size=avd.get("pose_bottle_size", 128),
            align_corners=bool(common.get("align_corners", True)),
        )

    def params_of(self, config: TPSMMConfig) -> dict[str, Any]:
        return {
            "common_params": {
                "num_tps": config.num_tps,
                "num_channels": config.num_channels,
                "bg": config.bg,
                "multi_mask": config.multi_mask,
                "align_corners": config.align_corners,
            },
            "generator_params": {
                "block_expansion": config.inpainting_block_expansion,
                "max_features": config.inpainting_max_features,
                "num_down_blocks": config.inpainting_num_down_blocks,
            },
            "dense_motion_params": vars(config.dense_motion).copy(),
            "avd_network_params": {
                "id_bottle_size": config.avd_id_bottle_size,
                "pose_bottle_size": config.avd_pose_bottle_size,
            },
        }

    def build_networks(self, config: TPSMMConfig) -> dict[str, nn.Module]:
        return build_networks(config)


ENGINE = TPSMM()
