"""Drawing the synthetic dancer with OpenCV: shaded capsules in depth order over a backdrop.

`render(identity, motion, size, background)` returns frames (T×S×S×3 uint8) and the `JOINTS`
in pixels (T×J×2 float32); `render_pose` draws one frame; `figure_parts` gives one frame's parts to
draw anywhere (the group clips place several dancers with their own camera). Parts are sorted far to near by the
depth of their skeleton points, and far parts are drawn darker; light comes from the upper left.
"""

from __future__ import annotations

from collections.abc import Callable

import cv2
import numpy as np

from .background import Background, make_background
from .figure import CAMERA_SCALE, JOINTS, Identity, project, skeleton
from .pose import CHANNEL_INDEX, Motion

_SHIFT = 4  # cv2 fixed-point bits, so sub-pixel motion stays smooth
_ONE = 1 << _SHIFT
_AA = cv2.LINE_AA
_LIGHT = np.array([-0.7, -0.7])


def _fx(p: np.ndarray) -> tuple[int, int]:
    return int(round(p[0] * _ONE)), int(round(p[1] * _ONE))


def _poly(points: list[np.ndarray]) -> np.ndarray:
    return np.round(np.array(points) * _ONE).astype(np.int32)


def _tone(colour: np.ndarray, factor: float) -> tuple[float, ...]:
    return tuple(min(255.0, float(v) * factor) for v in colour)


def _capsule(img: np.ndarray, p0: np.ndarray, p1: np.ndarray, r: float, colour: np.ndarray) -> None:
    """A limb: dark rim, body colour shifted toward the light, and a highlight when large enough."""
    cv2.line(img, _fx(p0), _fx(p1), _tone(colour, 0.68), max(1, int(round(2 * r))), _AA, _SHIFT)
    if r >= 1.5:
        off = _LIGHT * 0.2 * r
        cv2.line(
            img, _fx(p0 + off), _fx(p1 + off), _tone(colour, 1.0), max(1, int(round(1.45 * r))), _AA, _SHIFT
        )
    if r >= 3.0:
        off = _LIGHT * 0.45 * r
        cv2.line(
            img, _fx(p0 + off), _fx(p1 + off), _tone(colour, 1.18), max(1, int(round(0.5 * r))), _AA, _SHIFT
        )


def _edge(a: np.ndarray, b: np.ndarray, c: np.ndarray, v: float) -> np.ndarray:
    """Point at fraction v along the polyline a -> b (at 0.45) -> c."""
    return a + (b - a) * (v / 0.45) if v <= 0.45 else b + (c - b) * ((v - 0.45) / 0.55)


class _Frame:
    """One frame's projected points, depths and the drawing routines for each body part."""

    def __init__(self, identity: Identity, pix: dict[str, np.ndarray], z: dict[str, float], scale: float):
        self.id, self.pix, self.z, self.k = identity, pix, z, scale
        self.p = {name: v * scale for name, v in identity.proportions.items()}
        self.base_z = z["pelvis"]

    def shade(self, depth: float) -> float:
        return min(1.08, max(0.7, 1.0 + 1.8 * (depth - self.base_z)))

    def items(self) -> list[tuple[float, Callable[[np.ndarray], None]]]:
        """(depth, draw) for every part, in no particular order."""
        ident, z = self.id, self.z
        skin, top, bottom = (np.array(c, np.float32) for c in (ident.skin, ident.top, ident.bottom))
        legs_clothed = {"pants": (bottom, bottom), "shorts": (bottom, skin), "skirt": (skin, skin)}[
            ident.bottom_style
        ]
        arms_clothed = {"none": (skin, skin), "short": (top, skin), "long": (top, top)}[ident.sleeves]
        out: list[tuple[float, Callable[[np.ndarray], None]]] = []

        def limb(a: str, b: str, radius: str, colour: np.ndarray, bias: float) -> None:
            depth = 0.5 * (z[a] + z[b]) + bias
            out.append(
                (
                    depth,
                    lambda img: _capsule(
                        img, self.pix[a], self.pix[b], self.p[radius], colour * self.shade(depth)
                    ),
                )
            )

        for s in ("r_", "l_"):
            limb(s + "hip", s + "knee", "thigh_r", legs_clothed[0], -0.03)
            limb(s + "knee", s + "ankle", "shank_r", legs_clothed[1], -0.028)
            limb(s + "ankle", s + "toe", "foot_r", np.array(ident.shoes, np.float32), -0.026)
            limb(s + "shoulder", s + "elbow", "arm_r", arms_clothed[0], 0.02)
            limb(s + "elbow", s + "wrist", "forearm_r", arms_clothed[1], 0.022)
            limb(s + "wrist", s + "hand", "hand_r", skin, 0.024)
        limb("chest", "neck", "neck_r", skin, -0.01)
        torso_depth = 0.5 * (z["chest"] + z["pelvis"])
        out.append((torso_depth, lambda img: self.torso(img, top)))
        if ident.bottom_style == "skirt":
            out.append((torso_depth + 0.005, lambda img: self.skirt(img, bottom)))
        head_depth = z["head"] + 0.03
        out.append((head_depth, self.head))
        if ident.hair_style in ("bob", "long", "ponytail", "bun"):
            # Hair hangs behind the shoulders, so its depth follows the chest rather than the head.
            back = z["chest"] - 0.6 * (z["head_front"] - z["head"])
            out.append((back - 0.005, self.hair_back))
        return out

    def torso(self, img: np.ndarray, colour: np.ndarray) -> None:
        pix, p = self.pix, self.p
        shade = self.shade(0.5 * (self.z["chest"] + self.z["pelvis"]))
        # A capsule keeps the torso solid when the dancer turns side-on and the outline collapses.
        axis = pix["chest"] - pix["pelvis"]
        inset = axis * min(0.45, p["torso_depth"] / max(float(np.hypot(*axis)), 1e-6))
        cv2.line(
            img,
            _fx(pix["chest"] - inset),
            _fx(pix["pelvis"] + inset),
            _tone(colour, 0.68 * shade),
            max(1, int(round(2 * p["torso_depth"]))),
            _AA,
            _SHIFT,
        )
        outline = [
            pix[n]
            for n in (
                "r_torso_top",
                "l_torso_top",
                "l_torso_waist",
                "l_torso_hip",
                "r_torso_hip",
                "r_torso_waist",
            )
        ]
        cv2.fillPoly(img, [_poly(outline)], _tone(colour, 0.7 * shade), _AA, _SHIFT)
        centre = np.mean(outline, axis=0)
        inner = [centre + 0.86 * (q - centre) + _LIGHT * 0.08 * p["torso_depth"] for q in outline]
        cv2.fillPoly(img, [_poly(inner)], _tone(colour, shade), _AA, _SHIFT)
        if self.id.pattern != "plain":
            self.pattern(img, np.array(self.id.pattern_colour, np.float32) * shade)

    def pattern(self, img: np.ndarray, colour: np.ndarray) -> None:
        pix = self.pix
        left = (pix["r_torso_top"], pix["r_torso_waist"], pix["r_torso_hip"])
        right = (pix["l_torso_top"], pix["l_torso_waist"], pix["l_torso_hip"])
        if self.id.pattern == "stripes":
            for v in np.arange(0.12, 0.95, 0.17):
                quad = [_edge(*left, v), _edge(*right, v), _edge(*right, v + 0.07), _edge(*left, v + 0.07)]
                cv2.fillPoly(img, [_poly(quad)], _tone(colour, 1.0), _AA, _SHIFT)
            return
        radius = max(1, int(round(0.014 * self.k)))
        for row, v in enumerate(np.arange(0.12, 0.92, 0.16)):
            a, b = _edge(*left, v), _edge(*right, v)
            for u in np.arange(0.2 + 0.15 * (row % 2), 0.9, 0.3):
                cv2.circle(img, _fx(a + (b - a) * u), radius * _ONE, _tone(colour, 1.0), -1, _AA, _SHIFT)

    def skirt(self, img: np.ndarray, colour: np.ndarray) -> None:
        pix = self.pix
        shape = [pix["r_torso_hip"], pix["l_torso_hip"], pix["l_hem"], pix["r_hem"]]
        shade = self.shade(self.z["pelvis"])
        cv2.fillPoly(img, [_poly(shape)], _tone(colour, 0.75 * shade), _AA, _SHIFT)
        centre = np.mean(shape, axis=0)
        inner = [centre + 0.85 * (q - centre) for q in shape]
        cv2.fillPoly(img, [_poly(inner)], _tone(colour, shade), _AA, _SHIFT)

    def _head_axes(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, float]:
        pix = self.pix
        up = (pix["head_top"] - pix["head"]) / 1.1
        return pix["head"], up, pix["head_side"] - pix["head"], float(np.degrees(np.arctan2(up[0], -up[1])))

    def head(self, img: np.ndarray) -> None:
        ident, pix, z, r = self.id, self.pix, self.z, self.p["head_r"]
        centre, up, side, angle = self._head_axes()
        front = pix["head_front"] - centre
        skin, hair = np.array(ident.skin, np.float32), np.array(ident.hair, np.float32)
        axes = (int(round(0.92 * r * _ONE)), int(round(1.05 * r * _ONE)))
        cv2.ellipse(img, _fx(centre), axes, angle, 0, 360, _tone(skin, 0.7), -1, _AA, _SHIFT)
        inner = (int(round(0.8 * r * _ONE)), int(round(0.93 * r * _ONE)))
        cv2.ellipse(
            img, _fx(centre + _LIGHT * 0.1 * r), inner, angle, 0, 360, _tone(skin, 1.0), -1, _AA, _SHIFT
        )
        facing = (z["head_front"] - z["head"]) / max(r / self.k, 1e-6)
        if facing < -0.25:
            cv2.ellipse(
                img,
                _fx(centre - 0.05 * up),
                (int(1.0 * r * _ONE), int(1.12 * r * _ONE)),
                angle,
                0,
                360,
                _tone(hair, 1.0),
                -1,
                _AA,
                _SHIFT,
            )
            return
        eye_r = max(1, int(round(0.11 * r * _ONE)))
        for sign in (-1.0, 1.0):
            eye_depth = 0.9 * (z["head_front"] - z["head"]) + sign * 0.38 * (z["head_side"] - z["head"])
            if eye_depth > 0.1 * r / self.k:
                eye = centre + 0.9 * front + sign * 0.38 * side + 0.05 * up
                cv2.circle(img, _fx(eye), eye_r, (25, 20, 20), -1, _AA, _SHIFT)
        if facing > 0.4:
            mouth = centre + 0.95 * front - 0.45 * up
            cv2.ellipse(
                img,
                _fx(mouth),
                (int(0.22 * r * _ONE), int(0.08 * r * _ONE) + 1),
                angle,
                0,
                360,
                (150, 60, 70),
                -1,
                _AA,
                _SHIFT,
            )
        cap = {
            "buzz": (0.96, 0.55),
            "short": (1.02, 0.9),
            "bob": (1.04, 0.9),
            "long": (1.04, 0.9),
            "ponytail": (1.02, 0.85),
            "bun": (1.02, 0.85),
        }[ident.hair_style]
        axes = (int(round(cap[0] * r * _ONE)), int(round(1.12 * r * cap[1] * _ONE)))
        cv2.ellipse(img, _fx(centre + 0.1 * up), axes, angle, 180, 360, _tone(hair, 1.0), -1, _AA, _SHIFT)

    def hair_back(self, img: np.ndarray) -> None:
        style, r = self.id.hair_style, self.p["head_r"]
        centre, up, _, _ = self._head_axes()
        hair = np.array(self.id.hair, np.float32)
        down = np.array([0.0, r])
        if style == "bun":
            cv2.circle(img, _fx(centre + 1.05 * up), int(0.5 * r * _ONE), _tone(hair, 0.9), -1, _AA, _SHIFT)
        elif style == "ponytail":
            root = centre + 0.75 * up
            cv2.circle(img, _fx(root), int(0.4 * r * _ONE), _tone(hair, 0.9), -1, _AA, _SHIFT)
            _capsule(
                img,
                root + np.array([0.25 * r, 0.0]),
                root + np.array([0.45 * r, 0.0]) + 2.2 * down,
                0.35 * r,
                hair,
            )
        else:
            length, width = (2.6, 1.25) if style == "long" else (1.1, 1.2)
            _capsule(img, centre + 0.2 * up, centre + length * down, width * r, hair)


def figure_parts(
    identity: Identity, pix: dict[str, np.ndarray], depth: dict[str, float], scale: float
) -> list[tuple[float, Callable[[np.ndarray], None]]]:
    """(depth, draw) of every body part in one frame, from the skeleton's pixels, depths and pixels per body height."""
    return _Frame(identity, pix, depth, scale).items()


def _shadow(img: np.ndarray, x: float, ground_y: float, scale: float, lift: float) -> None:
    """A soft dark ellipse on the floor under the dancer; it shrinks while the dancer is in the air."""
    size = img.shape[0]
    gy = int(np.clip(ground_y, 0, size - 1))
    gx = int(np.clip(x, 0, size - 1))
    colour = _tone(img[gy, gx].astype(np.float32), 0.72)
    width = 0.16 * scale * max(0.4, 1.0 - 2.5 * lift)
    cv2.ellipse(
        img,
        _fx(np.array([x, ground_y])),
        (int(width * _ONE), int(0.2 * width * _ONE)),
        0,
        0,
        360,
        colour,
        -1,
        _AA,
        _SHIFT,
    )


def _backdrop(base: np.ndarray, zoom: float) -> np.ndarray:
    if abs(zoom - 1.0) < 1e-6:
        return base.copy()
    size = base.shape[0]
    c = size / 2 * (1 - zoom)
    matrix = np.array([[zoom, 0, c], [0, zoom, c]], np.float32)
    return cv2.warpAffine(base, matrix, (size, size), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REFLECT)


def _base_image(background: Background | np.ndarray | None, size: int) -> np.ndarray:
    if background is None:
        background = Background()
    if isinstance(background, Background):
        return make_background(background, size)
    if background.shape != (size, size, 3):
        raise ValueError(f"background image must be {size}x{size}x3, got {background.shape}")
    return np.asarray(background, np.uint8)


def render(
    identity: Identity, motion: Motion, size: int = 256, background: Background | np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Frames (T×size×size×3 uint8) of identity dancing motion, and its JOINTS in pixels (T×J×2 float32)."""
    base = _base_image(background, size)
    pts = skeleton(identity, motion)
    zoom = motion["zoom"].astype(np.float64)
    pix = {k: project(v, zoom, size) for k, v in pts.items()}
    depth = {k: v[:, 2] for k, v in pts.items()}
    lift = motion["lift"]
    frames = np.empty((len(motion), size, size, 3), np.uint8)
    for t in range(len(motion)):
        scale = CAMERA_SCALE * size * zoom[t]
        img = _backdrop(base, zoom[t])
        ground_y = project(np.zeros((1, 3)), zoom[t : t + 1], size)[0, 1]
        feet_x = 0.5 * (pix["r_ankle"][t, 0] + pix["l_ankle"][t, 0])
        _shadow(img, feet_x, ground_y, scale, float(lift[t]))
        frame = _Frame(
            identity, {k: v[t] for k, v in pix.items()}, {k: float(v[t]) for k, v in depth.items()}, scale
        )
        for _, draw in sorted(frame.items(), key=lambda item: item[0]):
            draw(img)
        frames[t] = img
    joints = np.stack([pix[name] for name in JOINTS], 1).astype(np.float32)
    return frames, joints


def render_pose(
    identity: Identity,
    pose: Motion | np.ndarray,
    size: int = 256,
    background: Background | np.ndarray | None = None,
    index: int = 0,
) -> tuple[np.ndarray, np.ndarray]:
    """One frame (size×size×3 uint8) and its JOINTS (J×2): frame `index` of a Motion, or a single pose vector."""
    if not isinstance(pose, Motion):
        pose = Motion(np.asarray(pose, np.float32).reshape(1, len(CHANNEL_INDEX)))
    else:
        pose = pose.frames(index)
    frames, joints = render(identity, pose, size, background)
    return frames[0], joints[0]
