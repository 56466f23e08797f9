"""The First Order Motion Model's hyperparameters: what its networks are built from."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class KeypointDetectorConfig:
    """FOMM keypoint detector: an hourglass on a downscaled frame, heatmap and jacobian heads."""

    block_expansion: int = 32
    max_features: int = 1024
    num_blocks: int = 5
    temperature: float = 0.1
    scale_factor: float = 0.25
    single_jacobian_map: bool = False
    pad: int = 0


@dataclass(frozen=True)
class DenseMotionConfig:
    """FOMM dense motion network: hourglass over heatmaps and deformed sources."""

    block_expansion: int = 64
    max_features: int = 1024
    num_blocks: int = 5
    scale_factor: float = 0.25
    kp_variance: float = 0.01


@dataclass(frozen=True)
class GeneratorConfig:
    """FOMM occlusion-aware generator: encoder, feature warp, bottleneck, decoder."""

    block_expansion: int = 64
    max_features: int = 512
    num_down_blocks: int = 2
    num_bottleneck_blocks: int = 6
    estimate_occlusion_map: bool = True
    dense_motion: DenseMotionConfig = field(default_factory=DenseMotionConfig)


@dataclass(frozen=True)
class FOMMConfig:
    """A whole First Order Motion Model."""

    num_kp: int = 10
    num_channels: int = 3
    estimate_jacobian: bool = True
    frame_size: int = 256
    kp_detector: KeypointDetectorConfig = field(default_factory=KeypointDetectorConfig)
    generator: GeneratorConfig = field(default_factory=GeneratorConfig)
    # The sampling convention the weights were trained with. False: the original code as it runs on PyTorch >= 1.3
    # (how the public checkpoints are used). True: a grid's -1 and 1 are the centres of the edge pixels in
    # every grid_sample and every resize of the deformation, so the identity deformation leaves pixels in place.
    align_corners: bool = False
    engine: str = "fomm"
