"""Media in and out: streaming video reader (its frames kept for a second read), H.264 writer with audio, photo
loader (all through ffmpeg/Pillow)."""

from .kept import KeptFrames, read_kept
from .photo import load_photo
from .video import VideoInfo, fit_size, open_video, read_frames
from .writer import AudioSegment, VideoWriter, to_uint8

__all__ = [
    "AudioSegment",
    "KeptFrames",
    "VideoInfo",
    "VideoWriter",
    "fit_size",
    "load_photo",
    "open_video",
    "read_frames",
    "read_kept",
    "to_uint8",
]
