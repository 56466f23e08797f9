"""The synthetic dancer's body: `Identity` (looks and proportions) and its skeleton in 3-D.

`skeleton(identity, motion)` runs forward kinematics over the joint hierarchy
pelvis -> spine -> chest -> (neck -> head, shoulders -> elbows -> wrists -> hands) and
pelvis -> hips -> knees -> ankles -> toes, places the lowest foot on the ground (y = 0, y points
down, z toward the camera, unit = body heights) and returns named 3-D points for every frame.
`project` maps them to pixels of a square frame with the fixed camera of `render`: the body
centre sits mid-frame and a 1.0-tall dancer fills 80 % of the frame height, like Tai-Chi-HD.
`JOINTS` names the 20 joints returned by `render` (T×20×2, pixels).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from .pose import CHANNEL_INDEX, Motion

JOINTS: tuple[str, ...] = (
    "pelvis",
    "chest",
    "neck",
    "head",
    "r_shoulder",
    "r_elbow",
    "r_wrist",
    "r_hand",
    "l_shoulder",
    "l_elbow",
    "l_wrist",
    "l_hand",
    "r_hip",
    "r_knee",
    "r_ankle",
    "r_toe",
    "l_hip",
    "l_knee",
    "l_ankle",
    "l_toe",
)
HAIR_STYLES = ("short", "buzz", "bob", "long", "ponytail", "bun")
PATTERNS = ("plain", "stripes", "dots")
SLEEVES = ("none", "short", "long")
BOTTOMS = ("pants", "shorts", "skirt")
PROPORTIONS = (
    "head_r",
    "neck",
    "torso",
    "shoulder_w",
    "waist_w",
    "hip_w",
    "upper_arm",
    "forearm",
    "hand",
    "thigh",
    "shank",
    "foot",
    "arm_r",
    "forearm_r",
    "hand_r",
    "thigh_r",
    "shank_r",
    "foot_r",
    "neck_r",
    "torso_depth",
)
# Reference proportions of a 1.0-tall dancer (half-widths for *_w, radii for *_r).
_BASE = dict(
    head_r=0.07,
    neck=0.045,
    torso=0.29,
    shoulder_w=0.1,
    waist_w=0.076,
    hip_w=0.074,
    upper_arm=0.165,
    forearm=0.145,
    hand=0.07,
    thigh=0.24,
    shank=0.22,
    foot=0.085,
    arm_r=0.026,
    forearm_r=0.022,
    hand_r=0.019,
    thigh_r=0.042,
    shank_r=0.031,
    foot_r=0.021,
    neck_r=0.024,
    torso_depth=0.065,
)
_SKIN_TONES = np.array(
    [
        (255, 224, 196),
        (241, 194, 160),
        (224, 172, 130),
        (198, 134, 90),
        (160, 102, 64),
        (120, 74, 44),
        (88, 54, 34),
    ],
    np.float32,
)
_HAIR_COLOURS = np.array(
    [
        (20, 18, 18),
        (52, 34, 24),
        (96, 60, 36),
        (222, 190, 120),
        (236, 120, 170),
        (70, 110, 220),
        (200, 200, 210),
        (190, 40, 40),
    ],
    np.float32,
)
CAMERA_SCALE = 0.8  # frame heights per body height
CAMERA_CENTRE_Y = -0.52  # the body-space height shown at the frame centre
Colour = tuple[int, int, int]


@dataclass(frozen=True)
class Identity:
    """How one dancer looks: proportions (body heights) and colours (RGB 0-255)."""

    height: float
    proportions: dict[str, float]
    skin: Colour
    hair: Colour
    hair_style: str
    top: Colour
    pattern: str
    pattern_colour: Colour
    sleeves: str
    bottom: Colour
    bottom_style: str
    shoes: Colour

    def with_proportions_of(self, other: Identity) -> Identity:
        """This dancer's looks on the other dancer's body."""
        return replace(self, height=other.height, proportions=dict(other.proportions))

    def colours(self) -> list[Colour]:
        """The colours that cover most of the figure (used to keep backgrounds contrasting)."""
        return [self.skin, self.hair, self.top, self.bottom]


def _colour(rng: np.random.Generator) -> Colour:
    hue = rng.uniform(0, 6)
    sat, val = rng.uniform(0.25, 0.95), rng.uniform(0.3, 0.95)
    channel = np.clip(np.abs((hue - np.array([3.0, 1.0, 5.0])) % 6 - 3) - 1, 0, 1)
    return tuple(int(v) for v in 255 * val * (1 - sat + sat * channel))


def _jitter(rng: np.random.Generator, colour: np.ndarray, amount: float) -> Colour:
    return tuple(int(v) for v in np.clip(colour + rng.normal(0, amount, 3), 0, 255))


def random_identity(rng: np.random.Generator) -> Identity:
    """A random dancer: skin tone, hair, outfit and proportions, all drawn from rng."""
    build = rng.uniform(0.85, 1.2)
    props = {k: v * rng.uniform(0.92, 1.08) for k, v in _BASE.items()}
    for k in ("shoulder_w", "waist_w", "hip_w", "arm_r", "forearm_r", "thigh_r", "shank_r", "torso_depth"):
        props[k] *= build
    for k in ("upper_arm", "forearm", "thigh", "shank"):
        props[k] *= rng.uniform(0.95, 1.05)
    skin = _SKIN_TONES[rng.integers(len(_SKIN_TONES))]
    identity = Identity(
        height=float(rng.uniform(0.86, 0.97)),
        proportions=props,
        skin=_jitter(rng, skin, 6),
        hair=_jitter(rng, _HAIR_COLOURS[rng.integers(len(_HAIR_COLOURS))], 10),
        hair_style=str(rng.choice(HAIR_STYLES)),
        top=_colour(rng),
        pattern=str(rng.choice(PATTERNS)),
        pattern_colour=_colour(rng),
        sleeves=str(rng.choice(SLEEVES)),
        bottom=_colour(rng),
        bottom_style=str(rng.choice(BOTTOMS)),
        shoes=_colour(rng),
    )
    return _scaled_to_height(identity)


def _scaled_to_height(identity: Identity) -> Identity:
    """Scale all proportions so that the dancer, standing neutrally, is identity.height tall."""
    points = skeleton(identity, Motion.still())
    standing = -points["head_top"][0, 1]
    factor = identity.height / standing
    return replace(identity, proportions={k: v * factor for k, v in identity.proportions.items()})


def _rot_x(a: np.ndarray) -> np.ndarray:
    c, s, o, z = np.cos(a), np.sin(a), np.ones_like(a), np.zeros_like(a)
    return np.stack([o, z, z, z, c, s, z, -s, c], -1).reshape(-1, 3, 3)


def _rot_y(a: np.ndarray) -> np.ndarray:
    c, s, o, z = np.cos(a), np.sin(a), np.ones_like(a), np.zeros_like(a)
    return np.stack([c, z, s, z, o, z, -s, z, c], -1).reshape(-1, 3, 3)


def _rot_z(a: np.ndarray) -> np.ndarray:
    c, s, o, z = np.cos(a), np.sin(a), np.ones_like(a), np.zeros_like(a)
    return np.stack([c, -s, z, s, c, z, z, z, o], -1).reshape(-1, 3, 3)


def _limb(frame: np.ndarray, abduct: np.ndarray, flex: np.ndarray, side: float) -> np.ndarray:
    """Unit direction of a limb in the parent frame (T×3×3) from mirrored abduct/flex angles."""
    local = np.stack([side * np.sin(abduct) * np.cos(flex), np.cos(abduct) * np.cos(flex), np.sin(flex)], -1)
    return (frame @ local[..., None])[..., 0]


def _offset(
    frame: np.ndarray, x: float | np.ndarray, y: float | np.ndarray, z: float | np.ndarray
) -> np.ndarray:
    local = np.stack(np.broadcast_arrays(x, y, z), -1)
    return frame @ local if local.ndim == 1 else (frame @ local[..., None])[..., 0]


def skeleton(identity: Identity, motion: Motion) -> dict[str, np.ndarray]:
    """Named 3-D points (T×3, body heights, y down, ground at 0) for every frame of motion."""
    p = identity.proportions
    pose = motion.pose.astype(np.float64)

    def ch(name: str) -> np.ndarray:
        return pose[:, CHANNEL_INDEX[name]]

    pelvis_frame = _rot_y(ch("yaw")) @ _rot_z(ch("pelvis_roll"))
    spine = pelvis_frame @ _rot_z(ch("spine_roll")) @ _rot_x(ch("spine_pitch")) @ _rot_y(ch("spine_twist"))
    head_frame = spine @ _rot_z(ch("neck_roll")) @ _rot_x(ch("neck_pitch"))
    pts: dict[str, np.ndarray] = {"pelvis": np.zeros((len(pose), 3))}
    pts["chest"] = _offset(spine, 0.0, -p["torso"], 0.0)
    pts["waist"] = _offset(spine, 0.0, -0.45 * p["torso"], 0.0)
    pts["neck"] = pts["chest"] + _offset(head_frame, 0.0, -p["neck"], 0.0)
    pts["head"] = pts["neck"] + _offset(head_frame, 0.0, -p["head_r"] * 1.05, 0.0)
    pts["head_top"] = pts["head"] + _offset(head_frame, 0.0, -p["head_r"] * 1.1, 0.0)
    pts["head_front"] = pts["head"] + _offset(head_frame, 0.0, 0.0, p["head_r"])
    pts["head_side"] = pts["head"] + _offset(head_frame, p["head_r"], 0.0, 0.0)
    for prefix, side in (("r_", -1.0), ("l_", 1.0)):

        def c(name: str, _prefix: str = prefix) -> np.ndarray:
            return ch(_prefix + name)

        shoulder = pts["chest"] + _offset(spine, side * p["shoulder_w"], -c("shoulder_raise"), 0.0)
        arm_a, arm_f = c("arm_abduct"), c("arm_flex")
        fore_a, fore_f = arm_a + c("elbow_abduct"), arm_f + c("elbow_flex")
        pts[prefix + "shoulder"] = shoulder
        pts[prefix + "elbow"] = shoulder + p["upper_arm"] * _limb(spine, arm_a, arm_f, side)
        pts[prefix + "wrist"] = pts[prefix + "elbow"] + p["forearm"] * _limb(spine, fore_a, fore_f, side)
        pts[prefix + "hand"] = pts[prefix + "wrist"] + p["hand"] * _limb(
            spine, fore_a + c("wrist"), fore_f, side
        )
        hip = _offset(pelvis_frame, side * p["hip_w"], 0.0, 0.0)
        thigh_a, thigh_f = c("thigh_abduct"), c("thigh_flex")
        pts[prefix + "hip"] = hip
        pts[prefix + "knee"] = hip + p["thigh"] * _limb(pelvis_frame, thigh_a, thigh_f, side)
        pts[prefix + "ankle"] = pts[prefix + "knee"] + p["shank"] * _limb(
            pelvis_frame, thigh_a, thigh_f - c("knee"), side
        )
        # Feet point forward and a little outward; `ankle` extends them (pointed toes in a jump).
        pts[prefix + "toe"] = pts[prefix + "ankle"] + p["foot"] * _limb(
            pelvis_frame, thigh_a + 0.6, 1.05 - c("ankle"), side
        )
        pts[prefix + "torso_top"] = pts["chest"] + _offset(
            spine, side * (p["shoulder_w"] + 0.9 * p["arm_r"]), -0.5 * c("shoulder_raise"), 0.0
        )
        pts[prefix + "torso_waist"] = pts["waist"] + _offset(spine, side * p["waist_w"], 0.0, 0.0)
        pts[prefix + "torso_hip"] = _offset(pelvis_frame, side * (p["hip_w"] + 0.7 * p["thigh_r"]), 0.0, 0.0)
        pts[prefix + "hem"] = pts[prefix + "torso_hip"] + _offset(
            pelvis_frame, side * 0.6 * p["thigh_r"], 0.6 * p["thigh"], 0.0
        )
    lowest = np.max(
        np.stack(
            [
                pts["r_ankle"][:, 1] + p["foot_r"],
                pts["l_ankle"][:, 1] + p["foot_r"],
                pts["r_toe"][:, 1] + p["foot_r"],
                pts["l_toe"][:, 1] + p["foot_r"],
                pts["r_knee"][:, 1] + p["shank_r"],
                pts["l_knee"][:, 1] + p["shank_r"],
            ]
        ),
        axis=0,
    )
    shift = np.stack([ch("root_x"), -lowest - ch("lift"), np.zeros(len(pose))], -1)
    return {k: v + shift for k, v in pts.items()}


def project(points: np.ndarray, zoom: np.ndarray, size: int) -> np.ndarray:
    """Pixel (x, y) of 3-D points (T×...×3) in a size×size frame with per-frame camera zoom (T)."""
    scale = (CAMERA_SCALE * size * zoom).reshape((-1,) + (1,) * (points.ndim - 1))
    centre = np.array([0.0, CAMERA_CENTRE_Y])
    return (points[..., :2] - centre) * scale + size / 2


def pose_joints(identity: Identity, motion: Motion, size: int) -> np.ndarray:
    """The `JOINTS` of identity doing motion, in pixels of a size×size frame: T×J×2 float32."""
    pts = skeleton(identity, motion)
    stacked = np.stack([pts[name] for name in JOINTS], 1)
    return project(stacked, motion["zoom"], size).astype(np.float32)
