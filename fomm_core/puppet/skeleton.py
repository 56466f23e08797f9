"""The body as a puppet: joints made of BlazePose's 33 landmarks, and rigid parts hung on them as a tree.

Each part has a bone (start joint -> end joint); a part turns about its start joint, which it shares with
its parent, so a tree of parts keeps every joint attached.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

# joint -> the BlazePose landmarks whose mean it is
JOINTS: dict[str, tuple[int, ...]] = {
    "pelvis": (23, 24),
    "neck": (11, 12),
    "head": (2, 5, 7, 8),  # between the eyes and the ears: the head's centre seen from the front
    "l_shoulder": (11,),
    "r_shoulder": (12,),
    "l_elbow": (13,),
    "r_elbow": (14,),
    "l_wrist": (15,),
    "r_wrist": (16,),
    "l_hand": (17, 19),  # pinky and index knuckles
    "r_hand": (18, 20),
    "l_hip": (23,),
    "r_hip": (24,),
    "l_knee": (25,),
    "r_knee": (26,),
    "l_ankle": (27,),
    "r_ankle": (28,),
    "l_heel": (29,),
    "r_heel": (30,),
    "l_toe": (31,),
    "r_toe": (32,),
}
JOINT_NAMES = tuple(JOINTS)
J = {name: i for i, name in enumerate(JOINT_NAMES)}

# landmark -> the landmark it hangs from (the tree used to keep unseen landmarks plausible)
LANDMARK_PARENT: dict[int, int] = {
    13: 11, 15: 13, 17: 15, 19: 15, 21: 15,
    14: 12, 16: 14, 18: 16, 20: 16, 22: 16,
    25: 23, 27: 25, 29: 27, 31: 27,
    26: 24, 28: 26, 30: 28, 32: 28,
}  # fmt: skip


@dataclass(frozen=True)
class Part:
    """A rigid body part: its bone (start, end joints), its parent part, and its kind (for its width)."""

    name: str
    start: str
    end: str
    parent: str | None
    kind: str
    limb: bool  # an arm segment: drawn over the torso and kept out of the torso's texture


PARTS: tuple[Part, ...] = (
    Part("torso", "pelvis", "neck", None, "torso", False),
    Part("head", "neck", "head", "torso", "head", False),
    Part("l_upper_arm", "l_shoulder", "l_elbow", "torso", "upper_arm", True),
    Part("l_forearm", "l_elbow", "l_wrist", "l_upper_arm", "forearm", True),
    Part("l_hand", "l_wrist", "l_hand", "l_forearm", "hand", True),
    Part("r_upper_arm", "r_shoulder", "r_elbow", "torso", "upper_arm", True),
    Part("r_forearm", "r_elbow", "r_wrist", "r_upper_arm", "forearm", True),
    Part("r_hand", "r_wrist", "r_hand", "r_forearm", "hand", True),
    Part("l_thigh", "l_hip", "l_knee", "torso", "thigh", False),
    Part("l_shin", "l_knee", "l_ankle", "l_thigh", "shin", False),
    Part("l_foot", "l_ankle", "l_toe", "l_shin", "foot", False),
    Part("r_thigh", "r_hip", "r_knee", "torso", "thigh", False),
    Part("r_shin", "r_knee", "r_ankle", "r_thigh", "shin", False),
    Part("r_foot", "r_ankle", "r_toe", "r_shin", "foot", False),
)
PART_INDEX = {p.name: i for i, p in enumerate(PARTS)}
PARENT_INDEX = np.array([-1 if p.parent is None else PART_INDEX[p.parent] for p in PARTS])
# the landmarks whose depth is the part's depth
PART_LANDMARKS: tuple[tuple[int, ...], ...] = tuple(
    JOINTS[p.start] + JOINTS[p.end] if p.name != "torso" else (11, 12, 23, 24) for p in PARTS
)
FEET = (("l_heel", "l_toe"), ("r_heel", "r_toe"))


def joints(landmarks: np.ndarray) -> np.ndarray:
    """The joints (len(JOINTS)×D) of 33 landmarks (33×D, any D columns: x, y, maybe z)."""
    return np.stack([landmarks[list(idx)].mean(axis=0) for idx in JOINTS.values()])


def bone_vectors(points: np.ndarray) -> np.ndarray:
    """Each part's bone, start joint to end joint (P×2 pixels), from joints (N×2)."""
    return points[[J[p.end] for p in PARTS]] - points[[J[p.start] for p in PARTS]]


def bone_angles(points: np.ndarray) -> np.ndarray:
    """Each part's bone direction in the image (radians, atan2 of dy, dx), from joints (N×2)."""
    d = bone_vectors(points)
    return np.arctan2(d[:, 1], d[:, 0])


def bone_lengths(points: np.ndarray) -> np.ndarray:
    """Each part's bone length on the picture (pixels), from joints (N×2)."""
    return np.hypot(*bone_vectors(points).T)


def torso_width(points: np.ndarray) -> float:
    """How wide the torso looks (pixels): shoulder to shoulder plus hip to hip, from joints (N×2)."""
    shoulders = points[J["l_shoulder"]] - points[J["r_shoulder"]]
    hips = points[J["l_hip"]] - points[J["r_hip"]]
    return float(np.hypot(*shoulders) + np.hypot(*hips))


def body_height(points: np.ndarray) -> float:
    """Head to ankles (pixels) from joints: the scale that root motion and every tolerance use."""
    ankles = (points[J["l_ankle"]] + points[J["r_ankle"]]) / 2
    return float(max(np.hypot(*(ankles - points[J["head"]])), 1e-6))


# joint -> the part that carries it (a part carries its end joint; the torso its corners)
JOINT_OWNER: dict[str, str] = {
    **{p.end: p.name for p in PARTS if p.name != "torso"},
    **{j: "torso" for j in ("pelvis", "neck", "l_shoulder", "r_shoulder", "l_hip", "r_hip")},
    "l_heel": "l_foot",
    "r_heel": "r_foot",
}
OWNER_INDEX = np.array([PART_INDEX[JOINT_OWNER[name]] for name in JOINT_NAMES])
