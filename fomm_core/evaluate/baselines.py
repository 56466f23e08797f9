"""Reference methods every evaluated model stands against.

- `static_photo`: the photo repeated for every frame (no motion at all).
- `box_follow`: a global affine warp of the photo that follows the dancer's bounding box: the box's motion
  since the first frame (scale and translation per axis) is applied to the photo's person box, the same
  relative convention the model's relative mode uses. Boxes come from ground-truth joints or a detector.
"""

from __future__ import annotations

import cv2
import numpy as np


def static_photo(photo: np.ndarray, n_frames: int) -> np.ndarray:
    """The photo repeated n_frames times (T×H×W×3 float32)."""
    return np.repeat(np.asarray(photo, np.float32)[None], n_frames, axis=0)


def joint_boxes(joints: np.ndarray) -> np.ndarray:
    """Boxes T×4 (x0, y0, x1, y1) enclosing each frame's joints T×J×2 (pixels)."""
    j = np.asarray(joints, np.float64)
    return np.concatenate([j.min(axis=1), j.max(axis=1)], axis=1)


def _box_affine(box: np.ndarray) -> np.ndarray:
    """3×3 matrix taking the unit square to the box."""
    w = max(box[2] - box[0], 1e-6)
    h = max(box[3] - box[1], 1e-6)
    return np.array([[w, 0, box[0]], [0, h, box[1]], [0, 0, 1]])


def box_follow(photo: np.ndarray, boxes: np.ndarray, photo_box: np.ndarray | None = None) -> np.ndarray:
    """The photo warped in every frame t by the driving box's motion from frame 0 to t.

    With P the photo's person box and B_t the dancer's, frame t shows the photo under P·B_0⁻¹·B_t·P⁻¹
    (P defaults to B_0, i.e. the photo's person stands where the dancer starts). Uncovered borders take
    the nearest edge colour.
    """
    photo = np.asarray(photo, np.float32)
    boxes = np.asarray(boxes, np.float64)
    p = _box_affine(boxes[0] if photo_box is None else np.asarray(photo_box, np.float64))
    b0_inv = np.linalg.inv(_box_affine(boxes[0]))
    p_inv = np.linalg.inv(p)
    h, w = photo.shape[:2]
    frames = []
    for box in boxes:
        m = p @ b0_inv @ _box_affine(box) @ p_inv
        frames.append(
            cv2.warpAffine(photo, m[:2], (w, h), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
        )
    return np.stack(frames)
