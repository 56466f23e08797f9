"""Every knob a user can set, in one dataclass shared by the CLI, the app and the ratings store."""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from typing import Any

from .engines import MODES
from .errors import UserError

#: The result is at most this many pixels wide, side-by-side dance included: the models make 128 to 384 pixel
#: frames, so more is upscaling that adds no detail, and the encoder's time grows with the pixel count.
MAX_OUTPUT_WIDTH = 1024
#: Where the person dances: in their photo, its background still ("photo"), or on the photo's square crop as
#: the models' training data look ("plain", the only behaviour before scenes).
SCENES = ("photo", "plain")


def check_mode(mode: object) -> str:
    """`mode` when it is one of MODES, else a UserError listing them."""
    if mode not in MODES:
        raise UserError(f"Unknown motion mode {mode!r}; choose one of: {', '.join(MODES)}.")
    return mode


def check_scene(scene: object) -> str:
    """`scene` when it is one of SCENES, else a UserError listing them."""
    if scene not in SCENES:
        raise UserError(f"Unknown scene {scene!r}; choose one of: {', '.join(SCENES)}.")
    return scene


def _legacy_mode(data: dict[str, Any]) -> str:
    """The mode an old record meant with its `relative` and `avd` booleans."""
    if data.get("avd"):
        return "avd"
    return "relative" if data.get("relative", True) else "absolute"


@dataclass(frozen=True)
class RenderOptions:
    """How one result video is made from a photo and a dance clip."""

    model: str = "default"
    mode: str = "relative"  # one of MODES; "avd" needs a TPSMM checkpoint with its AVD network
    adapt_scale: bool = True
    best_frame: str | int | None = None  # None, "auto" or a driving-frame index
    trim_start: float = 0.0  # seconds into the clip
    trim_end: float | None = None  # seconds into the clip; None = to the end
    max_duration: float = 60.0  # seconds; a longer clip (after trimming) is refused
    max_fps: float = 30.0  # output frame rate = min(clip fps, max_fps)
    framing: bool = True  # find and crop the dancer; match the photo's person to it
    side_by_side: bool = False  # output layout: dance | result
    output_size: int | None = None  # square output side in pixels; None = the model's
    keep_audio: bool = True
    batch_size: int | None = None  # None = automatic (1 on CPU, 8 on CUDA)
    device: str | None = None  # None = automatic
    person: int | None = None  # which person in the photo (inspect's numbering); None = chosen automatically
    dancer: int | None = None  # which dancer in the clip (inspect's ids); None = chosen automatically
    scene: str = "photo"  # one of SCENES

    def __post_init__(self) -> None:
        check_mode(self.mode)
        check_scene(self.scene)

    def to_dict(self) -> dict[str, Any]:
        """Plain-JSON form, as stored with each rating."""
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> RenderOptions:
        """Build from a dict, ignoring unknown keys; records from before `mode` have it set from `relative`/`avd`,
        and records from before `scene` were made on the plain square."""
        names = {f.name for f in fields(cls)}
        known = {k: v for k, v in data.items() if k in names}
        known.setdefault("mode", _legacy_mode(data))
        known.setdefault("scene", "plain")
        return cls(**known)
