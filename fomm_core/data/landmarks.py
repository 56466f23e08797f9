"""The synthetic dancer's skeleton as BlazePose's 33 landmarks (Bazarevsky et al., 2020), in their order.

Body landmarks (shoulders to ankles) are the figure's joints. The face ones sit where `draw` paints the eyes
and mouth on the head (nose at the front of the face, ears at its sides); the figure's hand is one capsule,
so pinky and index both end at its tip and the thumb sits along it; the heel lies behind the ankle and the
foot index is the toe. Left and right are the dancer's own, as in BlazePose.
"""

from __future__ import annotations

import numpy as np

LANDMARKS: tuple[str, ...] = (
    "nose",
    "left_eye_inner",
    "left_eye",
    "left_eye_outer",
    "right_eye_inner",
    "right_eye",
    "right_eye_outer",
    "left_ear",
    "right_ear",
    "mouth_left",
    "mouth_right",
    "left_shoulder",
    "right_shoulder",
    "left_elbow",
    "right_elbow",
    "left_wrist",
    "right_wrist",
    "left_pinky",
    "right_pinky",
    "left_index",
    "right_index",
    "left_thumb",
    "right_thumb",
    "left_hip",
    "right_hip",
    "left_knee",
    "right_knee",
    "left_ankle",
    "right_ankle",
    "left_heel",
    "right_heel",
    "left_foot_index",
    "right_foot_index",
)
FACE = slice(0, 11)
# Face points as (front, side, up) multiples of the head radius from the head centre; side is the dancer's left.
_FACE = {
    "nose": (1.0, 0.0, -0.2),
    "left_eye_inner": (0.95, 0.2, 0.05),
    "left_eye": (0.9, 0.38, 0.05),
    "left_eye_outer": (0.8, 0.55, 0.05),
    "left_ear": (-0.1, 1.0, 0.0),
    "mouth_left": (0.92, 0.2, -0.45),
}
_BODY = ("shoulder", "elbow", "wrist", "hip", "knee", "ankle")


def blazepose_points(points: dict[str, np.ndarray]) -> np.ndarray:
    """BlazePose's 33 landmarks (T×33×3) from `figure.skeleton`'s named 3-D points (each T×3)."""
    centre = points["head"]
    front = points["head_front"] - centre
    side = points["head_side"] - centre
    up = (points["head_top"] - centre) / 1.1
    named: dict[str, np.ndarray] = {}
    for name, (f, s, u) in _FACE.items():
        named[name] = centre + f * front + s * side + u * up
        if name != "nose":
            mirrored = name.replace("left", "right")
            named[mirrored] = centre + f * front - s * side + u * up
    for side_name, prefix in (("left", "l_"), ("right", "r_")):
        for joint in _BODY:
            named[f"{side_name}_{joint}"] = points[prefix + joint]
        wrist, hand = points[prefix + "wrist"], points[prefix + "hand"]
        named[f"{side_name}_pinky"] = hand
        named[f"{side_name}_index"] = hand
        named[f"{side_name}_thumb"] = wrist + 0.6 * (hand - wrist)
        ankle, toe = points[prefix + "ankle"], points[prefix + "toe"]
        named[f"{side_name}_heel"] = ankle - 0.3 * (toe - ankle)
        named[f"{side_name}_foot_index"] = toe
    return np.stack([named[name] for name in LANDMARKS], 1)


def face_seen(points: dict[str, np.ndarray]) -> np.ndarray:
    """Per frame (T): whether the face turns toward the camera (its front nearer than the head's centre)."""
    return points["head_front"][:, 2] > points["head"][:, 2]
