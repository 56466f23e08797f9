"""Every knob a user can set, in one dataclass shared by the CLI, the app and the ratings store."""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from typing import Any


@dataclass(frozen=True)
class RenderOptions:
    """How one result video is made from a photo and a dance clip."""

    model: str = "default"
    relative: bool = True
    adapt_scale: bool = True
    best_frame: str | int | None = None  # None, "auto" or a driving-frame index
    avd: bool = False  # TPSMM only: animation via disentanglement
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

    def to_dict(self) -> dict[str, Any]:
        """Plain-JSON form, as stored with each rating."""
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> RenderOptions:
        """Build from a dict, ignoring unknown keys (older or newer records)."""
        names = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in names})
