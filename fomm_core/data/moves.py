"""K-pop-style choreography for the synthetic dancer: named moves on a beat, blended into a `Motion`.

Each move in `MOVES` is a function of the beat position inside the move (b = 0 at its first
beat), a side (+1 leads with the dancer's left, -1 mirrors it) and an amplitude near 1; it returns
the channels it controls (see `pose.CHANNELS`; the rest stay neutral). `choreography` strings moves
together on the beat with half-beat cross-fades, adds a knee bounce and head nod on every beat
(the groove), an optional sideways travel across the frame and an optional camera zoom ramp.
`STYLES` are named recipes (moves, tempo, travel, groove) for the evaluation suite.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from .pose import CHANNEL_INDEX, NEUTRAL, Motion

TAU = 2 * np.pi
# Channels whose sign flips when a move is mirrored.
_SIGNED = ("root_x", "yaw", "pelvis_roll", "spine_roll", "spine_twist", "neck_roll")


def ease(x: np.ndarray) -> np.ndarray:
    """Smoothstep of x clipped to [0, 1]."""
    x = np.clip(x, 0.0, 1.0)
    return x * x * (3 - 2 * x)


def square(b: np.ndarray, period: float, sharpness: float = 3.0) -> np.ndarray:
    """A smooth square wave in [0, 1]: 0 for the first half of each period, 1 for the second."""
    return 0.5 - 0.5 * np.tanh(sharpness * np.cos(TAU * b / period)) / np.tanh(sharpness)


def pulse(b: np.ndarray, period: float) -> np.ndarray:
    """1 on each period's start, falling smoothly to 0 half a period later."""
    return 0.5 + 0.5 * np.cos(TAU * b / period)


class _Pose:
    """Channel values for one move, written with lead/other sides that follow the move's side."""

    def __init__(self, side: float):
        self.side = side
        self.lead, self.other = ("l_", "r_") if side > 0 else ("r_", "l_")
        self.values: dict[str, np.ndarray] = {}

    def __setitem__(self, name: str, value: np.ndarray | float) -> None:
        if name.startswith("lead_"):
            self.values[self.lead + name[5:]] = value
        elif name.startswith("other_"):
            self.values[self.other + name[6:]] = value
        elif name.startswith("both_"):
            self.values["l_" + name[5:]] = value
            self.values["r_" + name[5:]] = value
        else:
            self.values[name] = value * self.side if name in _SIGNED else value


def _hands_on_hips(p: _Pose, which: str = "both") -> None:
    p[f"{which}_arm_abduct"] = 0.8
    p[f"{which}_elbow_abduct"] = -1.6
    p[f"{which}_elbow_flex"] = 0.3


def arm_wave(b: np.ndarray, side: float, amp: float) -> _Pose:
    """Both arms out to the side; a wave rolls from the lead hand through the shoulders to the other."""
    p, w = _Pose(side), TAU * b / 4
    for arm, delay in (("lead", 0.0), ("other", np.pi)):
        p[f"{arm}_arm_abduct"] = np.pi / 2 - 0.05 + 0.22 * amp * np.sin(w - delay)
        p[f"{arm}_elbow_abduct"] = 0.55 * amp * np.sin(w - delay - 1.0)
        p[f"{arm}_wrist"] = 0.7 * amp * np.sin(w - delay - 2.0)
        p[f"{arm}_shoulder_raise"] = 0.012 * amp * (1 + np.sin(w - delay + 0.8))
        p[f"{arm}_elbow_flex"] = 0.1
    p["spine_roll"] = 0.06 * amp * np.sin(w - np.pi / 2)
    return p


def point(b: np.ndarray, side: float, amp: float) -> _Pose:
    """Point up and out on beats 1-2, down and across on beats 3-4; the other hand on the hip."""
    p, s = _Pose(side), square(b, 4, 2.0)
    p["lead_arm_abduct"] = 2.35 * (1 - s) - 0.35 * s
    p["lead_arm_flex"] = 0.25 + 0.55 * s
    p["lead_elbow_abduct"] = 0.05
    p["lead_elbow_flex"] = 0.0
    p["lead_wrist"] = 0.0
    _hands_on_hips(p, "other")
    p["spine_roll"] = amp * (0.1 * (1 - s) - 0.12 * s)
    p["neck_roll"] = amp * (0.15 * (1 - s) - 0.1 * s)
    p["lead_thigh_abduct"] = 0.07 + 0.12 * (1 - s)
    return p


def body_roll(b: np.ndarray, side: float, amp: float) -> _Pose:
    """A wave down the body every two beats: chest out, hips follow, knees give."""
    p, w = _Pose(side), TAU * b / 2
    p["spine_pitch"] = 0.22 * amp * np.sin(w)
    p["spine_roll"] = 0.14 * amp * np.sin(w + 0.6)
    p["pelvis_roll"] = -0.08 * amp * np.sin(w - 0.6)
    p["neck_pitch"] = -0.18 * amp * np.sin(w - 0.7)
    bend = 0.5 - 0.5 * np.cos(w - 1.2)
    p["both_knee"] = 0.12 + 0.35 * amp * bend
    p["both_thigh_flex"] = 0.04 + 0.18 * amp * bend
    p["both_arm_abduct"] = 0.35 + 0.1 * np.sin(w)
    p["both_elbow_flex"] = 0.9
    p["both_elbow_abduct"] = -0.4
    return p


def step_touch(b: np.ndarray, side: float, amp: float) -> _Pose:
    """Step to the side and touch the other foot in, back again every two beats; arms swing and clap low."""
    p, s = _Pose(side), square(b, 4, 2.0)
    p["root_x"] = 0.05 * amp * (2 * s - 1)
    p["lead_thigh_abduct"] = 0.05 + 0.2 * (1 - s)
    p["other_thigh_abduct"] = 0.05 + 0.2 * s
    p["both_knee"] = 0.12 + 0.3 * pulse(b, 1)
    p["both_thigh_flex"] = 0.04 + 0.12 * pulse(b, 1)
    swing = np.sin(TAU * b / 4)
    p["both_arm_abduct"] = 0.45 + 0.25 * amp * swing
    p["both_elbow_flex"] = 1.0
    p["both_elbow_abduct"] = 0.2 * swing
    p["spine_roll"] = 0.05 * amp * (2 * s - 1)
    return p


def turn(b: np.ndarray, side: float, amp: float) -> _Pose:
    """A full spin over three beats with the arms pulled in, then arms open on beat four."""
    p = _Pose(side)
    spin = ease((b - 0.25) / 2.6)
    p["yaw"] = np.mod(TAU * spin, TAU)
    tuck = np.sin(np.pi * spin)
    open_arms = ease((b - 2.9) / 0.6) * (1 - ease((b - 3.7) / 0.5))
    p["both_arm_abduct"] = 0.4 - 0.15 * tuck + 1.3 * amp * open_arms
    p["both_elbow_flex"] = 0.3 + 1.1 * tuck
    p["both_elbow_abduct"] = -0.5 * tuck
    p["both_thigh_abduct"] = 0.07 - 0.05 * tuck
    p["both_knee"] = 0.1 + 0.15 * tuck
    p["both_ankle"] = 0.25 * tuck
    return p


def jump(b: np.ndarray, side: float, amp: float) -> _Pose:
    """Two jumps per four beats: crouch, leave the floor with arms and legs out, land soft."""
    p, phase = _Pose(side), np.mod(b, 2.0)
    air = np.where((phase > 0.55) & (phase < 1.35), np.sin(np.pi * np.clip((phase - 0.55) / 0.8, 0, 1)), 0.0)
    crouch = np.exp(-(((phase - 0.3) / 0.2) ** 2)) + np.exp(-(((phase - 1.55) / 0.22) ** 2))
    p["lift"] = 0.09 * amp * air
    p["both_knee"] = 0.1 + 0.75 * crouch + 0.2 * air
    p["both_thigh_flex"] = 0.04 + 0.4 * crouch + 0.1 * air
    p["both_thigh_abduct"] = 0.07 + 0.22 * air
    p["both_ankle"] = 0.6 * air
    # The arms swing up from the crouch and are highest at the top of the jump.
    swing = np.exp(-(((phase - 0.95) / 0.45) ** 2))
    p["both_arm_abduct"] = 0.25 + 1.6 * amp * swing
    p["both_elbow_flex"] = 0.3 + 0.6 * crouch
    p["spine_pitch"] = 0.25 * crouch
    return p


def hip_sway(b: np.ndarray, side: float, amp: float) -> _Pose:
    """Hands on hips, hips swing side to side every beat while the chest counters."""
    p, w = _Pose(side), np.pi * b
    shift = np.sin(w)
    p["root_x"] = 0.025 * amp * shift
    p["pelvis_roll"] = 0.14 * amp * shift
    p["spine_roll"] = -0.22 * amp * shift
    p["neck_roll"] = 0.1 * amp * shift
    p["lead_thigh_abduct"] = 0.09 - 0.12 * amp * shift
    p["other_thigh_abduct"] = 0.09 + 0.12 * amp * shift
    p["lead_knee"] = 0.1 + 0.2 * np.clip(-shift, 0, 1)
    p["other_knee"] = 0.1 + 0.2 * np.clip(shift, 0, 1)
    _hands_on_hips(p)
    return p


def shoulder_shimmy(b: np.ndarray, side: float, amp: float) -> _Pose:
    """Shoulders pop up alternately twice a beat, elbows bent in front, chest twisting."""
    p, w = _Pose(side), TAU * 2 * b
    p["lead_shoulder_raise"] = 0.045 * amp * np.clip(np.sin(w), 0, 1)
    p["other_shoulder_raise"] = 0.045 * amp * np.clip(-np.sin(w), 0, 1)
    p["spine_twist"] = 0.3 * amp * np.sin(w)
    p["spine_roll"] = 0.06 * amp * np.sin(w)
    p["spine_pitch"] = -0.08
    p["both_arm_abduct"] = 0.5
    p["both_arm_flex"] = 0.3
    p["both_elbow_flex"] = 1.3
    p["lead_elbow_abduct"] = -0.3 + 0.3 * np.sin(w)
    p["other_elbow_abduct"] = -0.3 - 0.3 * np.sin(w)
    p["both_knee"] = 0.15 + 0.1 * pulse(b, 1)
    return p


def clap(b: np.ndarray, side: float, amp: float) -> _Pose:
    """Claps in front of the chest on beats 2 and 4; arms open out in between."""
    p = _Pose(side)
    opened = 1 - pulse(b - 1, 2)
    p["both_arm_abduct"] = 0.3 + 0.6 * amp * opened
    p["both_arm_flex"] = 0.9 - 0.4 * opened
    p["both_elbow_abduct"] = -1.0 * (1 - opened) + 0.4 * opened
    p["both_elbow_flex"] = 0.6
    p["spine_pitch"] = 0.06 * (1 - opened)
    p["neck_pitch"] = 0.1 * (1 - opened)
    p["both_knee"] = 0.1 + 0.2 * (1 - opened)
    return p


def kick(b: np.ndarray, side: float, amp: float) -> _Pose:
    """Kick the lead leg out on beat 2 and the other on beat 4; arms out for balance."""
    p = _Pose(side)
    for leg, at in (("lead", 1.0), ("other", 3.0)):
        kick_env = np.exp(-(((np.mod(b - at + 2, 4) - 2) / 0.35) ** 2))
        p[f"{leg}_thigh_flex"] = 0.04 + 0.7 * amp * kick_env
        p[f"{leg}_thigh_abduct"] = 0.07 + 0.45 * amp * kick_env
        p[f"{leg}_knee"] = 0.1 + 0.3 * kick_env * (1 - kick_env)
        p[f"{leg}_ankle"] = 0.5 * kick_env
    p["both_arm_abduct"] = 1.1 + 0.1 * np.sin(np.pi * b)
    p["both_elbow_flex"] = 0.3
    p["spine_roll"] = 0.08 * np.sin(np.pi * (b - 1) / 2)
    return p


def arm_cross(b: np.ndarray, side: float, amp: float) -> _Pose:
    """Arms cross over the chest on beat 1, open wide on beat 3, close again."""
    p = _Pose(side)
    opened = 1 - pulse(b, 4)
    p["both_arm_abduct"] = -0.15 + 1.45 * amp * opened
    p["both_arm_flex"] = 0.7 * (1 - opened)
    p["both_elbow_abduct"] = -1.0 * (1 - opened)
    p["both_elbow_flex"] = 0.6 * (1 - opened)
    p["lead_arm_flex"] = 0.85 * (1 - opened)
    p["neck_pitch"] = 0.2 * (1 - opened)
    p["both_knee"] = 0.1 + 0.15 * pulse(b, 1)
    return p


def walk(b: np.ndarray, side: float, amp: float) -> _Pose:
    """Walking in place, body turned a little toward the lead side, arms swinging opposite the legs."""
    p, w = _Pose(side), np.pi * b
    stride = np.sin(w)
    p["yaw"] = 0.45
    p["lead_thigh_flex"] = 0.05 + 0.35 * amp * stride
    p["other_thigh_flex"] = 0.05 - 0.35 * amp * stride
    # Each knee bends while its leg swings forward.
    p["lead_knee"] = 0.15 + 0.5 * np.clip(np.cos(w), 0, 1) ** 2
    p["other_knee"] = 0.15 + 0.5 * np.clip(-np.cos(w), 0, 1) ** 2
    p["lead_arm_flex"] = -0.4 * amp * stride
    p["other_arm_flex"] = 0.4 * amp * stride
    p["both_elbow_flex"] = 0.5
    p["both_arm_abduct"] = 0.12
    return p


def squat(b: np.ndarray, side: float, amp: float) -> _Pose:
    """Low: a deep squat held with a bounce while the arms sweep side to side."""
    p = _Pose(side)
    down = ease(b / 1.5) * (1 - ease((b - 6.5) / 1.5))
    sweep = np.sin(np.pi * b / 2)
    p["both_thigh_flex"] = 0.04 + 1.25 * down * amp
    p["both_knee"] = 0.1 + (2.0 * amp + 0.15 * pulse(b, 1)) * down
    p["both_thigh_abduct"] = 0.07 + 0.25 * down
    p["spine_pitch"] = 0.35 * down
    p["spine_roll"] = 0.15 * sweep * down
    p["lead_arm_abduct"] = 0.3 + 0.9 * down * (0.5 + 0.5 * sweep)
    p["other_arm_abduct"] = 0.3 + 0.9 * down * (0.5 - 0.5 * sweep)
    p["both_arm_flex"] = 0.5 * down
    p["both_elbow_flex"] = 0.3
    return p


def floor_sweep(b: np.ndarray, side: float, amp: float) -> _Pose:
    """Low: drop onto the lead knee, sweep the lead arm along the floor and back, stand up."""
    p = _Pose(side)
    down = ease(b / 1.5) * (1 - ease((b - 6.3) / 1.5))
    sweep = 0.5 - 0.5 * np.cos(np.pi * np.clip(b - 1.5, 0, 4.5) / 2.25)
    p["lead_thigh_flex"] = 0.04 + 0.15 * down
    p["lead_knee"] = 0.1 + 1.55 * down * amp
    p["other_thigh_flex"] = 0.04 + 1.35 * down * amp
    p["other_knee"] = 0.1 + 1.45 * down * amp
    p["other_thigh_abduct"] = 0.07 + 0.2 * down
    p["spine_roll"] = 0.25 * down * (sweep - 0.3)
    p["spine_pitch"] = 0.3 * down
    p["lead_arm_abduct"] = 0.2 + down * (0.4 + 1.5 * sweep)
    p["lead_elbow_flex"] = 0.1
    p["other_arm_abduct"] = 0.3 + 1.0 * down
    p["other_elbow_flex"] = 0.8
    return p


@dataclass(frozen=True)
class Move:
    """A named move: its pose function and how many beats it lasts."""

    function: Callable[[np.ndarray, float, float], _Pose]
    beats: int


MOVES: dict[str, Move] = {
    "arm_wave": Move(arm_wave, 8),
    "point": Move(point, 4),
    "body_roll": Move(body_roll, 4),
    "step_touch": Move(step_touch, 8),
    "turn": Move(turn, 4),
    "jump": Move(jump, 4),
    "hip_sway": Move(hip_sway, 4),
    "shoulder_shimmy": Move(shoulder_shimmy, 4),
    "clap": Move(clap, 4),
    "kick": Move(kick, 4),
    "arm_cross": Move(arm_cross, 4),
    "walk": Move(walk, 8),
    "squat": Move(squat, 8),
    "floor_sweep": Move(floor_sweep, 8),
}


@dataclass(frozen=True)
class Style:
    """A recipe for `choreography`: moves to draw from, tempo range, travel and groove strength."""

    moves: tuple[str, ...]
    bpm: tuple[float, float] = (95.0, 125.0)
    travel: float = 0.0
    groove: float = 1.0


STYLES: dict[str, Style] = {
    "slow_waves": Style(("arm_wave", "body_roll", "hip_sway"), (70, 88), groove=0.5),
    "fast_footwork": Style(("step_touch", "kick", "walk", "step_touch"), (124, 140)),
    "turns": Style(("turn", "turn", "point", "turn"), (100, 118)),
    "jumps": Style(("jump", "jump", "kick"), (110, 126)),
    "floor_moves": Style(("squat", "floor_sweep"), (84, 100), groove=0.5),
    "travel": Style(("walk", "step_touch", "hip_sway"), (100, 120), travel=1.0),
    "arm_close": Style(("clap", "arm_cross", "shoulder_shimmy", "point"), (100, 124), groove=0.6),
}
TRAVEL_RANGE = 0.22  # body heights either side of the centre at travel=1
_FADE = 0.5  # beats either side of a move boundary


def _move_pose(name: str, b: np.ndarray, side: float, amp: float) -> np.ndarray:
    pose = np.tile(NEUTRAL.astype(np.float64), (len(b), 1))
    for channel, value in MOVES[name].function(b, side, amp).values.items():
        pose[:, CHANNEL_INDEX[channel]] = value
    return pose


def _zoom_curve(zoom: float | tuple[float, float] | None, t: np.ndarray) -> np.ndarray:
    if zoom is None:
        return np.ones_like(t)
    start, end = (1.0, float(zoom)) if np.isscalar(zoom) else (float(zoom[0]), float(zoom[1]))
    return start + (end - start) * ease(t / max(t[-1], 1e-6))


def choreography(
    moves: Sequence[str] | None = None,
    n_frames: int = 100,
    fps: float = 25.0,
    bpm: float | None = None,
    rng: np.random.Generator | None = None,
    travel: float | None = None,
    zoom: float | tuple[float, float] | None = None,
    style: str | None = None,
    groove: float | None = None,
) -> Motion:
    """A dance of n_frames at fps: moves in order (cycled) or drawn at random from the style or all MOVES.

    bpm defaults to a random tempo from the style; travel (0-1) drifts the dancer from one side of the
    frame to the other over the clip; zoom is a final camera zoom (from 1) or a (start, end) pair.
    """
    rng = rng if rng is not None else np.random.default_rng()
    if style is not None and style not in STYLES:
        raise ValueError(f"unknown style {style!r}; choose from {sorted(STYLES)}")
    recipe = STYLES[style] if style is not None else Style(tuple(MOVES))
    unknown = [m for m in (moves or ()) if m not in MOVES]
    if unknown:
        raise ValueError(f"unknown moves {unknown}; choose from {sorted(MOVES)}")
    bpm = float(bpm if bpm is not None else rng.uniform(*recipe.bpm))
    travel = recipe.travel if travel is None else travel
    groove = recipe.groove if groove is None else groove
    t = np.arange(n_frames) / fps
    beats = t * bpm / 60
    segments: list[tuple[str, float, float, float]] = []
    start = 0.0
    while start < beats[-1] + _FADE or not segments:
        name = moves[len(segments) % len(moves)] if moves else str(rng.choice(recipe.moves))
        segments.append((name, start, float(rng.choice([-1.0, 1.0])), float(rng.uniform(0.85, 1.15))))
        start += MOVES[name].beats
    pose = np.zeros((n_frames, len(NEUTRAL)))
    timeline = []
    for i, (name, begin, side, amp) in enumerate(segments):
        local = beats - begin
        end = MOVES[name].beats
        weight = np.ones(n_frames)
        if i > 0:
            weight *= ease((local + _FADE) / (2 * _FADE))
        if i < len(segments) - 1:
            weight *= 1 - ease((local - end + _FADE) / (2 * _FADE))
        active = weight > 0
        pose[active] += weight[active, None] * _move_pose(name, local[active], side, amp)
        timeline.append((name, begin * 60 / bpm, min((begin + end) * 60 / bpm, n_frames / fps)))
    bounce = groove * pulse(beats, 1)
    for s in ("r_", "l_"):
        pose[:, CHANNEL_INDEX[s + "knee"]] += 0.12 * bounce
        pose[:, CHANNEL_INDEX[s + "thigh_flex"]] += 0.06 * bounce
    pose[:, CHANNEL_INDEX["neck_pitch"]] += 0.06 * bounce
    if travel:
        direction = float(rng.choice([-1.0, 1.0]))
        pose[:, CHANNEL_INDEX["root_x"]] += (
            direction * travel * TRAVEL_RANGE * -np.cos(np.pi * t / max(t[-1], 1e-6))
        )
    pose[:, CHANNEL_INDEX["zoom"]] = _zoom_curve(zoom, t)
    return Motion(pose.astype(np.float32), fps, bpm, timeline)
