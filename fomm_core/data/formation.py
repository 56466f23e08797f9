"""Formations of a dance group on the stage, and the paths the dancers walk between them.

A formation is a set of stage slots (x, z in body heights; z toward the camera): a line, two staggered rows,
a V, an inverted V, a diagonal or a tight cluster. The group holds a formation, then moves to the next;
at every change the dancers swap slots so that at least two neighbours cross each other. Dancers moving to
the right pass a little in front and those moving left a little behind, as dancers weave through a
formation, so a crossing is also an occlusion.
"""

from __future__ import annotations

import numpy as np

from .moves import ease

SPACING = 0.42  # body heights between neighbours in a line
WEAVE = 0.3  # how far in front of / behind its path a dancer passes while changing places


def _line(n: int) -> np.ndarray:
    return np.stack([SPACING * (np.arange(n) - (n - 1) / 2), np.zeros(n)], -1)


def _rows(n: int) -> np.ndarray:
    slots = _line(n)
    slots[:, 1] = np.where(np.arange(n) % 2, -0.45, 0.35)
    return slots


def _wedge(n: int, sign: float) -> np.ndarray:
    slots = _line(n)
    slots[:, 1] = sign * (0.5 - 0.9 * np.abs(slots[:, 0]) / max(1e-6, np.abs(slots[:, 0]).max()))
    return slots


def _diagonal(n: int) -> np.ndarray:
    slots = _line(n) * [0.9, 0.0]
    slots[:, 1] = np.linspace(-0.5, 0.5, n)
    return slots


def _cluster(n: int) -> np.ndarray:
    angle = 2 * np.pi * np.arange(n) / max(n - 1, 1)
    radius = np.where(np.arange(n) == 0, 0.0, 0.45)
    slots = np.stack([radius * np.cos(angle), 0.7 * radius * np.sin(angle)], -1)
    return slots[np.argsort(slots[:, 0], kind="stable")]


FORMATIONS = {
    "line": _line,
    "rows": _rows,
    "v": lambda n: _wedge(n, 1.0),
    "inverted_v": lambda n: _wedge(n, -1.0),
    "diagonal": _diagonal,
    "cluster": _cluster,
}


def _reassign(order: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """A new slot order: a random shuffle in which at least one dancer swaps with a neighbour."""
    n = len(order)
    if n < 2:
        return order.copy()
    new = order.copy()
    a = int(rng.integers(n - 1))
    new[[a, a + 1]] = new[[a + 1, a]]
    for _ in range(int(rng.integers(0, n // 2 + 1))):
        i, j = rng.choice(n, 2, replace=False)
        new[[i, j]] = new[[j, i]]
    if np.array_equal(new, order):
        new[[a, a + 1]] = new[[a + 1, a]]
    return new


def formation_paths(
    n_dancers: int, n_frames: int, fps: float, rng: np.random.Generator
) -> tuple[np.ndarray, list[tuple[str, int, int]]]:
    """Stage positions (T×N×2: x, z) of every dancer, and the formations held as (name, first, last frame)."""
    names = list(FORMATIONS)
    name = str(rng.choice(names))
    order = rng.permutation(n_dancers)  # order[slot] = dancer
    paths = np.zeros((n_frames, n_dancers, 2))
    held: list[tuple[str, int, int]] = []
    t = 0
    slots = FORMATIONS[name](n_dancers)
    while t < n_frames:
        hold = int(round(rng.uniform(0.45, 0.8) * fps))
        end = min(n_frames, t + hold)
        paths[t:end, order] = slots
        held.append((name, t, end - 1))
        t = end
        if t >= n_frames:
            break
        name = str(rng.choice([other for other in names if other != name]))
        new_order = _reassign(order, rng)
        new_slots = FORMATIONS[name](n_dancers)
        start = np.zeros((n_dancers, 2))
        start[order] = slots
        goal = np.zeros((n_dancers, 2))
        goal[new_order] = new_slots
        move = int(round(rng.uniform(0.6, 0.85) * fps))
        for step in range(min(move, n_frames - t)):
            w = ease(np.array((step + 1) / move))
            pos = start + w * (goal - start)
            pos[:, 1] += WEAVE * np.sign(goal[:, 0] - start[:, 0]) * np.sin(np.pi * w)
            paths[t + step] = pos
        t += move
        order, slots = new_order, new_slots
    return paths, held
