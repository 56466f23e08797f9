"""Whether the dancer has turned their back (or side) to the camera, from their landmarks.

Seen from behind, the left shoulder is on the other side of the right one than it was facing the camera,
and the face's landmarks are not visible. The person's photo shows only their front, so in such frames
the puppet keeps showing it (its last frontal appearance) and the frame is reported as turned.
"""

from __future__ import annotations

import numpy as np

FACE = (0, 2, 5)  # nose and eyes
FACE_SEEN = 0.5
SIDE_ON = 0.6  # shoulders narrower than this fraction of their reference width, face unseen: turned


def turned_away(points: np.ndarray, visibility: np.ndarray, reference: np.ndarray) -> bool:
    """The dancer (33 landmarks, visibility) shows their back or side, relative to `reference` landmarks."""
    width = points[11, 0] - points[12, 0]
    ref_width = reference[11, 0] - reference[12, 0]
    if abs(ref_width) < 1e-6:
        return False
    across = width / ref_width  # 1 facing as in the reference, < 0 shoulders swapped
    face_hidden = float(np.mean(visibility[list(FACE)])) < FACE_SEEN
    return bool(across < 0 or (face_hidden and across < SIDE_ON))
