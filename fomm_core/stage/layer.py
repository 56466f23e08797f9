"""A person alone as a layer over a box of the frame: colour and coverage, and where their body is."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

SOLID = 0.5  # coverage from which a pixel counts as the person's


@dataclass(frozen=True)
class Body:
    """A person's centre x, feet row and height in a frame, pixels."""

    x: float
    feet: float
    height: float


@dataclass(frozen=True)
class Layer:
    """colour h×w×3 float32 (0-255, not premultiplied), alpha h×w float32 (0-1), top-left corner (x0, y0)."""

    colour: np.ndarray
    alpha: np.ndarray
    x0: int
    y0: int

    @classmethod
    def from_rgba(cls, rgba: np.ndarray, box: tuple[int, int, int, int]) -> Layer:
        """A layer from an RGBA image (uint8 h×w×4) over the frame box (x0, y0, x1, y1), as engines draw them."""
        x0, y0, x1, y1 = (int(v) for v in box)
        if rgba.shape[:2] != (y1 - y0, x1 - x0) or rgba.shape[2] != 4:
            raise ValueError(f"an RGBA layer of {rgba.shape} does not fit the box {box}")
        return cls(rgba[..., :3].astype(np.float32), rgba[..., 3].astype(np.float32) / 255, x0, y0)

    @classmethod
    def cut_out(cls, frame: np.ndarray, alpha: np.ndarray) -> Layer | None:
        """The part of a frame (uint8 H×W×3) a coverage map (H×W, 0-1) holds; None when it is empty."""
        rows, cols = np.flatnonzero(alpha.max(1) > 0), np.flatnonzero(alpha.max(0) > 0)
        if len(rows) == 0:
            return None
        window = np.s_[rows[0] : rows[-1] + 1, cols[0] : cols[-1] + 1]
        return cls(
            frame[window].astype(np.float32), alpha[window].astype(np.float32), int(cols[0]), int(rows[0])
        )

    @property
    def box(self) -> tuple[int, int, int, int]:
        """x0, y0, x1, y1 in frame pixels."""
        return self.x0, self.y0, self.x0 + self.alpha.shape[1], self.y0 + self.alpha.shape[0]

    @property
    def solid(self) -> np.ndarray:
        """Where the person is (h×w bool)."""
        return self.alpha >= SOLID

    def body(self) -> Body | None:
        """The person's centre x, feet y (bottom) and height, frame pixels; None when nothing is solid."""
        rows, cols = np.flatnonzero(self.solid.any(1)), np.flatnonzero(self.solid.any(0))
        if len(rows) == 0:
            return None
        return Body(
            self.x0 + (cols[0] + cols[-1] + 1) / 2, self.y0 + rows[-1] + 1.0, float(rows[-1] + 1 - rows[0])
        )

    def with_colour(self, colour: np.ndarray) -> Layer:
        """The same layer with other colours."""
        return Layer(colour.astype(np.float32), self.alpha, self.x0, self.y0)
