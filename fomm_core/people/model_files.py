"""The pose model's files: BlazePose's detector and full landmark model (with its person mask) and the full-range
face detector, from mediapipe's wheel.

mediapipe 0.10.21 (Apache-2.0) is the last release whose wheel carries these .tflite files. It cannot be a
dependency (it pins numpy<2 and pulls in jax and opencv-contrib-python), so its wheel is downloaded once
without dependencies, for a fixed platform so that every machine gets the same bytes, and only these
members are kept, hash-checked, in the cache. ai-edge-litert runs them (see people/blazepose.py).
"""

from __future__ import annotations

from pathlib import Path

from ..cache import cache_dir
from ..wheel_files import wheel_members

WHEEL = "mediapipe==0.10.21"
WHEEL_PLATFORM = ("--only-binary=:all:", "--platform", "manylinux_2_28_x86_64", "--python-version", "3.12")
DETECTOR = "mediapipe/modules/pose_detection/pose_detection.tflite"
LANDMARKS = "mediapipe/modules/pose_landmark/pose_landmark_full.tflite"
FACES = "mediapipe/modules/face_detection/face_detection_full_range_sparse.tflite"
LICENSE = "mediapipe-0.10.21.dist-info/LICENSE"
FILES = {
    DETECTOR: "9ba9dd3d42efaaba86b4ff0122b06f29c4122e756b329d89dca1e297fd8f866c",
    LANDMARKS: "e9a5c5cb17f736fafd4c2ec1da3b3d331d6edbe8a0d32395855aeb2cdfd64b9f",
    FACES: "2c3728e6da56f21e21a320433396fb06d40d9088f2247c05e5635a688d45dfe1",
    LICENSE: None,
}


def model_files() -> dict[str, Path]:
    """Member name -> local .tflite path; downloads mediapipe's wheel once (WheelFetchError when it cannot)."""
    return wheel_members(WHEEL, FILES, cache_dir() / "people", WHEEL_PLATFORM)


if __name__ == "__main__":
    for member, path in model_files().items():
        print(f"{member} -> {path}")
