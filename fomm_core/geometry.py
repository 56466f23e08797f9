"""The shapes the framing works with: an axis-aligned box, a square crop, a body's head-to-ankle line."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Box:
    """An axis-aligned box in pixels, (x0, y0) top-left, (x1, y1) bottom-right (exclusive)."""

    x0: float
    y0: float
    x1: float
    y1: float

    @property
    def width(self) -> float:
        return self.x1 - self.x0

    @property
    def height(self) -> float:
        return self.y1 - self.y0

    @property
    def cx(self) -> float:
        return (self.x0 + self.x1) / 2

    @property
    def cy(self) -> float:
        return (self.y0 + self.y1) / 2

    def scaled(self, sx: float, sy: float | None = None) -> Box:
        """The box with x multiplied by sx and y by sy (default sx)."""
        sy = sx if sy is None else sy
        return Box(self.x0 * sx, self.y0 * sy, self.x1 * sx, self.y1 * sy)

    def union(self, other: Box) -> Box:
        """The smallest box containing both."""
        return Box(
            min(self.x0, other.x0), min(self.y0, other.y0), max(self.x1, other.x1), max(self.y1, other.y1)
        )

    def iou(self, other: Box) -> float:
        """Intersection over union."""
        w = max(0.0, min(self.x1, other.x1) - max(self.x0, other.x0))
        h = max(0.0, min(self.y1, other.y1) - max(self.y0, other.y0))
        inter = w * h
        return inter / (self.width * self.height + other.width * other.height - inter)


@dataclass(frozen=True)
class Square:
    """A square crop: centre (cx, cy) and side, in pixels of the frame it crops; may reach outside it."""

    cx: float
    cy: float
    side: float

    @property
    def x0(self) -> float:
        return self.cx - self.side / 2

    @property
    def y0(self) -> float:
        return self.cy - self.side / 2

    def relative(self, box: Box) -> Box:
        """`box` in units of this square: (0, 0) its top-left corner, 1 its side."""
        return Box(
            (box.x0 - self.x0) / self.side,
            (box.y0 - self.y0) / self.side,
            (box.x1 - self.x0) / self.side,
            (box.y1 - self.y0) / self.side,
        )

    def scaled(self, s: float) -> Square:
        return Square(self.cx * s, self.cy * s, self.side * s)


@dataclass(frozen=True)
class Body:
    """A body's line from the head (eyes, nose) to the ankles: its centre and length, in pixels or square units."""

    cx: float
    cy: float
    height: float

    def relative_to(self, square: Square) -> Body:
        """The body in units of `square`: (0, 0) its top-left corner, 1 its side."""
        return Body(
            (self.cx - square.x0) / square.side,
            (self.cy - square.y0) / square.side,
            self.height / square.side,
        )
