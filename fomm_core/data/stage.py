"""The stage of the synthetic group clips: camera geometry, a dark busy set, and coloured stage lights.

Geometry (body heights, y down, z toward the camera, floor at y = 0): a pinhole camera stands `DISTANCE` in
front of the stage centre at eye height `EYE`, so nearer dancers are larger and stand lower in the picture.
The "base view" is the widest framing (frame pixels at zoom 1); the camera only pans and zooms (it turns
about its centre), so every frame is a scaled and shifted window of the base view: a `View` (pan, zoom).
The set (LED wall, light strips, truss, glossy floor) is drawn once per look into a panorama of the base
view with margins for the pans, and each frame is cut from it. Lights multiply the picture by an ambient
tint plus moving coloured spots, and add haze beams; they are the same for every dancer drawn under them.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

DISTANCE = 4.0
EYE = -0.55
WALL_Z = -2.0
MARGIN = (0.4, 0.3)  # panorama margins around the base view, in base-view widths and heights
OVERSAMPLE = 2  # panorama pixels per base-view pixel, so close-ups stay sharp enough
LIGHT_STEP = 4  # lights are computed on a grid this many pixels apart, then smoothly enlarged
_PALETTE = np.array(
    [
        (255, 40, 200),
        (40, 220, 255),
        (255, 170, 40),
        (70, 90, 255),
        (255, 50, 60),
        (60, 255, 120),
        (170, 70, 255),
        (255, 240, 220),
    ],
    np.float32,
)


def focal(height: int) -> float:
    """Pixels per body height, times the distance, of the base view (a dancer at the centre fills ~45%)."""
    return DISTANCE * height / 2


def to_base(points: np.ndarray, width: int, height: int) -> np.ndarray:
    """Base-view pixels (...×2) of 3-D stage points (...×3)."""
    scale = focal(height) / (DISTANCE - points[..., 2])
    return np.stack([width / 2 + scale * points[..., 0], height / 2 + scale * (points[..., 1] - EYE)], -1)


@dataclass(frozen=True)
class View:
    """A frame's camera: pan (base-view pixels of the frame centre's offset) and zoom (1 = base view).

    A base-view point p shows at frame pixel centre + zoom * (p - centre - pan).
    """

    pan_x: float
    pan_y: float
    zoom: float

    def base(self, frame: np.ndarray, width: int, height: int) -> np.ndarray:
        """Base-view pixels of frame pixels (...×2)."""
        centre = np.array([width / 2, height / 2])
        return centre + np.array([self.pan_x, self.pan_y]) + (frame - centre) / self.zoom


def pan_limit(zoom: float, width: int, height: int) -> tuple[float, float]:
    """The largest |pan_x|, |pan_y| at this zoom that keep the frame inside the panorama."""
    return (
        MARGIN[0] * width + width / 2 * (1 - 1 / zoom),
        MARGIN[1] * height + height / 2 * (1 - 1 / zoom),
    )


@dataclass(frozen=True)
class Look:
    """One look of the set: wall and floor colours, panel pattern and texture seed."""

    wall: tuple[float, float, float]
    glow: tuple[float, float, float]
    pattern: str
    seed: int


PATTERNS = ("checker", "bars", "rings", "scatter")


def random_look(rng: np.random.Generator, avoid: Look | None = None) -> Look:
    """A dark set look whose glow colour and pattern differ from avoid's."""
    while True:
        glow = _PALETTE[rng.integers(len(_PALETTE))]
        pattern = str(rng.choice(PATTERNS))
        if avoid is None or (tuple(glow) != avoid.glow and pattern != avoid.pattern):
            break
    wall = 0.08 * glow + rng.uniform(6, 18, 3)
    return Look(
        tuple(float(v) for v in wall), tuple(float(v) for v in glow), pattern, int(rng.integers(2**31))
    )


def _glow_pattern(look: Look, cols: np.ndarray, rows: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Brightness (0-1) of each LED panel at grid position (cols, rows)."""
    noise = rng.uniform(0.05, 0.35, cols.shape)
    if look.pattern == "checker":
        return noise + 0.5 * ((cols + rows) % 2)
    if look.pattern == "bars":
        return noise + 0.55 * (cols % 3 == 0)
    if look.pattern == "rings":
        r = np.hypot(cols - cols.mean(), 1.6 * (rows - rows.mean()))
        return noise + 0.5 * (np.cos(r * 1.3) > 0.3)
    return noise + 0.6 * (rng.random(cols.shape) < 0.2)


def draw_set(look: Look, width: int, height: int) -> np.ndarray:
    """The set's panorama (float32 RGB 0-255) covering the base view and its margins, at OVERSAMPLE."""
    rng = np.random.default_rng(look.seed)
    mx, my = MARGIN[0] * width, MARGIN[1] * height
    pw, ph = int(round((width + 2 * mx) * OVERSAMPLE)), int(round((height + 2 * my) * OVERSAMPLE))
    k = OVERSAMPLE
    horizon = int(round((to_base(np.array([0.0, 0.0, WALL_Z]), width, height)[1] + my) * k))
    wall, glow = np.array(look.wall, np.float32), np.array(look.glow, np.float32)
    img = np.empty((ph, pw, 3), np.float32)
    shade = np.linspace(0.6, 1.2, horizon, dtype=np.float32)[:, None, None]
    img[:horizon] = wall * shade
    # LED screen: a grid of panels over the middle of the wall, dark seams between them.
    panel = max(4, int(round(height / 9 * k)))
    top, bottom = int(0.18 * horizon), int(0.86 * horizon)
    rows, cols = np.mgrid[0 : (bottom - top) // panel + 1, 0 : pw // panel + 1]
    level = _glow_pattern(look, cols, rows, rng)
    screen = cv2.resize(level.astype(np.float32), None, fx=panel, fy=panel, interpolation=cv2.INTER_NEAREST)
    screen = screen[: bottom - top, :pw]
    seam = np.ones_like(screen)
    seam[::panel] = 0.25
    seam[:, ::panel] = 0.25
    img[top:bottom] = np.maximum(img[top:bottom], (0.55 * glow)[None, None] * (screen * seam)[..., None])
    # Light strips and fairy lights, with a glow.
    lights = np.zeros((ph, pw), np.float32)
    for x in rng.uniform(0, pw, int(rng.integers(4, 8))):
        cv2.line(lights, (int(x), 0), (int(x), horizon), 1.0, max(1, k))
    for x, y in zip(rng.uniform(0, pw, 90), rng.uniform(0, horizon, 90), strict=True):
        cv2.circle(lights, (int(x), int(y)), max(1, k // 2), 0.9, -1)
    lights += 0.6 * cv2.GaussianBlur(lights, (0, 0), 3 * k)
    img[:horizon] += np.minimum(lights[:horizon], 1.0)[..., None] * (0.45 * glow + 110)
    # Truss: a grey beam with a zigzag across the top.
    beam = int(0.07 * horizon)
    img[beam : 2 * beam] = 38
    for x in range(0, pw, 2 * beam):
        cv2.line(img, (x, beam), (x + beam, 2 * beam), (70, 70, 74), max(1, k))
        cv2.line(img, (x + beam, 2 * beam), (x + 2 * beam, beam), (70, 70, 74), max(1, k))
    # Glossy floor: the wall's reflection, dimmed and blurred, seams toward the vanishing point.
    floor = ph - horizon
    mirrored = img[max(0, horizon - floor) : horizon][::-1]
    reflection = cv2.GaussianBlur(mirrored, (0, 0), 4 * k)
    img[horizon:] = 10 + wall * 0.6
    img[horizon : horizon + len(reflection)] += 0.3 * reflection
    vanish = ((width / 2 + mx) * k, (height / 2 + my) * k)
    for x in np.linspace(-pw, 2 * pw, 25):
        t = (horizon - vanish[1]) / (ph - vanish[1])
        start = (int(vanish[0] + t * (x - vanish[0])), horizon)
        cv2.line(img, start, (int(x), ph), (26, 26, 30), max(1, k // 2), cv2.LINE_AA)
    front = int(round((to_base(np.array([0.0, 0.0, 1.4]), width, height)[1] + my) * k))
    img[front : front + k] = 0.5 * glow + 60
    return np.clip(img, 0, 255)


def cut_view(panorama: np.ndarray, view: View, width: int, height: int) -> np.ndarray:
    """The frame the view sees (float32 H×W×3) cut from the set's panorama."""
    k, mx, my = OVERSAMPLE, MARGIN[0] * width, MARGIN[1] * height
    s = k / view.zoom
    origin = view.base(np.array([0.0, 0.0]), width, height)
    matrix = np.array([[s, 0, (origin[0] + mx) * k], [0, s, (origin[1] + my) * k]], np.float32)
    return cv2.warpAffine(
        panorama,
        matrix,
        (width, height),
        flags=cv2.WARP_INVERSE_MAP | cv2.INTER_LINEAR,
        borderMode=cv2.BORDER_REFLECT,
    )


@dataclass(frozen=True)
class Lights:
    """A shot's lighting: ambient tint (multiplier per channel), spots and beams, each with a colour and motion."""

    ambient: tuple[float, float, float]
    spots: tuple[tuple[tuple[float, float, float], float, float, float], ...]  # colour, phase, speed, height
    beams: tuple[tuple[tuple[float, float, float], float, float], ...]  # colour, source x (0-1), phase


def random_lights(rng: np.random.Generator, avoid: Lights | None = None) -> Lights:
    """A coloured lighting rig: a dim tinted wash, 2-3 moving spots and 3-5 sweeping beams."""
    while True:
        tint = _PALETTE[rng.integers(len(_PALETTE))] / 255
        if avoid is None or np.abs(tint * 0.35 + 0.5 - np.array(avoid.ambient)).sum() > 0.15:
            break
    ambient = tuple(float(v) for v in 0.5 + 0.35 * tint)
    spots = tuple(
        (
            tuple(float(v) for v in _PALETTE[rng.integers(len(_PALETTE))] / 255),
            float(rng.uniform(0, 2 * np.pi)),
            float(rng.uniform(0.6, 1.4)),
            float(rng.uniform(0.35, 0.6)),
        )
        for _ in range(int(rng.integers(2, 4)))
    )
    beams = tuple(
        (
            tuple(float(v) for v in _PALETTE[rng.integers(len(_PALETTE))]),
            float(rng.uniform(0.05, 0.95)),
            float(rng.uniform(0, 2 * np.pi)),
        )
        for _ in range(int(rng.integers(3, 6)))
    )
    return Lights(ambient, spots, beams)


def light(
    lights: Lights, view: View, seconds: float, width: int, height: int
) -> tuple[np.ndarray, np.ndarray]:
    """The lighting of one frame: a multiplier and an added haze (both float32 H×W×3)."""
    gw, gh = width // LIGHT_STEP + 1, height // LIGHT_STEP + 1
    grid = np.stack(np.meshgrid(np.linspace(0, width, gw), np.linspace(0, height, gh)), -1)
    base = view.base(grid, width, height)
    gain = np.broadcast_to(np.array(lights.ambient, np.float32), (gh, gw, 3)).copy()
    sigma = 0.32 * height
    for colour, phase, speed, level in lights.spots:
        cx = width / 2 + 0.42 * width * np.sin(speed * seconds + phase)
        cy = height * (0.55 + 0.08 * np.cos(1.7 * speed * seconds + phase))
        d2 = ((base - np.array([cx, cy])) ** 2).sum(-1) / (2 * sigma**2)
        gain += (level * np.exp(-d2))[..., None] * np.array(colour, np.float32)
    haze = np.zeros((gh, gw, 3), np.float32)
    for colour, source, phase in lights.beams:
        origin = np.array([(source - 0.5) * 1.6 * width + width / 2, -MARGIN[1] * height])
        angle = 0.55 * np.sin(0.9 * seconds + phase)
        offset = base - origin
        across = offset[..., 0] * np.cos(angle) - offset[..., 1] * np.sin(angle)
        along = np.maximum(offset[..., 1] * np.cos(angle) + offset[..., 0] * np.sin(angle), 1.0)
        spread = across / (0.09 * along + 2.0)
        haze += (0.16 * np.exp(-0.5 * spread**2) * np.exp(-along / (1.4 * height)))[..., None] * np.array(
            colour, np.float32
        )
    size = (width, height)
    return (
        cv2.resize(gain.astype(np.float32), size, interpolation=cv2.INTER_LINEAR),
        cv2.resize(haze, size, interpolation=cv2.INTER_LINEAR),
    )
