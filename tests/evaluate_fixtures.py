"""A tiny evaluation suite built by hand: a block 'dancer' (with a moving band) sliding on a plain background."""

from __future__ import annotations

import numpy as np

from fomm_core.evaluate.suites import Case

SIZE = 32


def _scene(colour: tuple[float, float, float], boxes: np.ndarray, background: float = 0.9) -> np.ndarray:
    frames = np.full((len(boxes), SIZE, SIZE, 3), background, np.float32)
    for t, (frame, (x0, y0, x1, y1)) in enumerate(zip(frames, boxes.astype(int), strict=True)):
        frame[y0:y1, x0:x1] = colour
        band = y0 + 4 * (t % 3)  # a skin-coloured band moving inside the box: motion the box does not show
        frame[band : band + 3, x0 + 1 : x1 - 1] = (0.9, 0.7, 0.6)
    return frames


def tiny_cases(n_frames: int = 6) -> list[Case]:
    """Two styles ("slide", "bob") × two cases; the expected video is the photo's block moved like the dancer's."""
    cases = []
    for style, step in (("slide", (2, 0)), ("bob", (0, 2))):
        for i in range(2):
            t = np.arange(n_frames)[:, None]
            start = np.array([[8 + i, 6, 16 + i, 24]])
            boxes = (start + t * np.array([step + step])).astype(np.float64)
            dancer = _scene((0.1, 0.2, 0.8), boxes)
            expected = _scene((0.8, 0.2, 0.1 + 0.1 * i), boxes)
            cases.append(
                Case(
                    name=f"{style}-{i}",
                    style=style,
                    photo=expected[0].copy(),
                    driving=dancer,
                    expected=expected,
                    boxes=boxes,
                    photo_box=boxes[0],
                )
            )
    return cases


def oracle(cases: list[Case]):
    """An animate_fn that returns each case's ground truth: the perfect result."""
    by_driving = {id(c.driving): c.expected for c in cases}
    return lambda model, photo, driving: by_driving[id(driving)]
