"""Body height from pose landmarks: head (eyes, nose) to ankles, which raised arms and bent elbows leave alone."""

from __future__ import annotations

import numpy as np

from ..geometry import Body

HEAD = (0, 2, 5)  # nose, left eye, right eye
ANKLES = (27, 28)


def body_of(landmarks: np.ndarray | None) -> Body | None:
    """The body line of 33 BlazePose landmarks (pixels): centre between head and ankles, and its length;
    None without landmarks or when they collapse to a point."""
    if landmarks is None:
        return None
    head = landmarks[list(HEAD)].mean(axis=0)
    ankles = landmarks[list(ANKLES)].mean(axis=0)
    height = float(np.hypot(*(ankles - head)))
    if not np.isfinite(height) or height < 1e-6:
        return None
    centre = (head + ankles) / 2
    return Body(float(centre[0]), float(centre[1]), height)
