"""The One Euro filter (Casiez, Roussel and Vogel, CHI 2012): a low-pass filter whose cut-off rises with speed.

Still, it smooths hard (cut-off `min_cutoff`), so jitter vanishes; moving fast, its cut-off grows by `beta`
times the speed, so it lags little. Works on arrays of any shape, each value filtered on its own.
"""

from __future__ import annotations

import math

import numpy as np

MIN_CUTOFF = 0.8  # Hz, when still
BETA = 4.0  # cut-off added per unit of speed (values in body heights, so per body height per second)
D_CUTOFF = 1.0  # Hz, for the speed estimate itself


def _alpha(cutoff: np.ndarray | float, dt: float) -> np.ndarray | float:
    tau = 1.0 / (2 * math.pi * cutoff)
    return 1.0 / (1.0 + tau / dt)


class OneEuro:
    """Filter one value array per call, at a fixed rate `fps`."""

    def __init__(
        self, fps: float, min_cutoff: float = MIN_CUTOFF, beta: float = BETA, d_cutoff: float = D_CUTOFF
    ):
        self.dt = 1.0 / fps
        self.min_cutoff, self.beta, self.d_cutoff = min_cutoff, beta, d_cutoff
        self._x: np.ndarray | None = None
        self._dx: np.ndarray | None = None

    def __call__(self, x: np.ndarray, min_cutoff: np.ndarray | float | None = None) -> np.ndarray:
        """The filtered value of this sample; `min_cutoff` (broadcast to x) replaces the filter's for it."""
        x = np.asarray(x, np.float64)
        if self._x is None:
            self._x, self._dx = x.copy(), np.zeros_like(x)
            return x.copy()
        dx = (x - self._x) / self.dt
        self._dx = self._dx + _alpha(self.d_cutoff, self.dt) * (dx - self._dx)
        still = self.min_cutoff if min_cutoff is None else min_cutoff
        cutoff = still + self.beta * np.abs(self._dx)
        self._x = self._x + _alpha(cutoff, self.dt) * (x - self._x)
        return self._x.copy()
