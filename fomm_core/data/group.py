"""Synthetic K-pop group clips: 1-7 dancers on a lit stage, a panning and zooming camera, hard cuts.

`group_scene(seed, ...)` plans a clip, deterministically from the seed: each dancer's looks (`Identity`,
distinct outfits), choreography (everyone jumps and spins; see `moves`), formation changes with crossings
(`formation`), and the shots: each shot has a framing (wide, medium, close), a camera that pans and zooms
through it, a look of the set and a lighting rig (`stage`); a cut changes all of them at once.
`render_group(scene)` draws it with its ground truth (`GroupClip`, see group_render.py).
`swap_dancers(scene, {k: identity, ...})` is the same clip with other people in those dancers' places (same
motion, camera, lights): the reference for a stage-scene render; `swap_dancers(scene, {k: None})` removes k;
`identity_photo(identity)` is that person's full-body photo to start such a render from.
`write_group_clip(clip, path)` writes the mp4 (H.264 yuv420p), its ground truth JSON and the dancers' alpha
and labels (npz).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from ..io import VideoWriter
from .background import Background
from .draw import render_pose
from .figure import Identity, random_identity
from .formation import formation_paths
from .group_render import GroupClip, render_group, truth_json
from .moves import MOVES, STYLES, choreography
from .pose import Motion
from .stage import DISTANCE, EYE, Lights, Look, View, focal, pan_limit, random_lights, random_look

# Zoom range and the height (body heights above the floor) kept mid-frame: whole bodies, knees up, waist up.
FRAMINGS = {"wide": ((1.0, 1.15), 0.5), "medium": ((1.35, 1.6), 0.6), "close": ((1.75, 2.05), 0.68)}
MIN_SHOT = 0.5  # seconds
DISTINCT_TOPS = 90.0  # RGB distance between any two dancers' tops, at least


@dataclass(frozen=True)
class GroupDancer:
    """One member: id, looks (None: not drawn), choreography and stage path (T×2: x, z in body heights)."""

    id: int
    identity: Identity | None
    motion: Motion
    path: np.ndarray


@dataclass(frozen=True)
class Shot:
    """A shot: its first frame, framing, the set's look and the lighting."""

    start: int
    framing: str
    look: Look
    lights: Lights


@dataclass(frozen=True)
class GroupScene:
    """Everything a group clip is drawn from: dancers, shots, a camera `View` per frame, the picture size."""

    seed: int
    width: int
    height: int
    fps: float
    dancers: tuple[GroupDancer, ...]
    shots: tuple[Shot, ...]
    views: tuple[View, ...]
    formations: tuple[tuple[str, int, int], ...]
    motion_blur: int = 1  # instants the dancers are drawn at and averaged, per frame (1: sharp)

    @property
    def cuts(self) -> list[int]:
        """The first frame of every shot after the first."""
        return [shot.start for shot in self.shots[1:]]

    def shot_of(self, frame: int) -> Shot:
        """The shot that frame belongs to."""
        return [shot for shot in self.shots if shot.start <= frame][-1]


def _identities(n: int, rng: np.random.Generator) -> list[Identity]:
    """n dancers whose tops differ clearly from each other (redrawn until they do, or for 200 tries)."""
    found: list[Identity] = []
    for _ in range(200):
        candidate = random_identity(rng)
        tops = [np.subtract(candidate.top, other.top, dtype=np.float32) for other in found]
        if all(np.linalg.norm(d) > DISTINCT_TOPS for d in tops):
            found.append(candidate)
        if len(found) == n:
            return found
    return found + [random_identity(rng) for _ in range(n - len(found))]


def _moves(style: str | None, rng: np.random.Generator) -> list[str]:
    """The group's routine: a jump and a spin first (in random order), then moves of the style."""
    pool = STYLES[style].moves if style is not None else tuple(MOVES)
    first = ["jump", "turn"] if rng.random() < 0.5 else ["turn", "jump"]
    return first + [str(m) for m in rng.choice(pool, 4)]


def _cut_frames(n_frames: int, n_cuts: int, fps: float, rng: np.random.Generator) -> list[int]:
    """Frames where shots start after the first: spread over the clip, every shot at least MIN_SHOT long."""
    shortest = max(2, int(round(MIN_SHOT * fps)))
    if n_cuts and n_frames < (n_cuts + 1) * shortest:
        raise ValueError(f"{n_frames} frames cannot hold {n_cuts} cuts of shots {shortest} frames or longer")
    even = np.linspace(0, n_frames, n_cuts + 2)[1:-1]
    slack = (n_frames / (n_cuts + 1) - shortest) / 2
    return [int(round(c + rng.uniform(-slack, slack))) for c in even]


def _centre(
    dancers: list[GroupDancer], frames: range, picked: list[int], above: float, width: int, height: int
) -> np.ndarray:
    """Base-view pixels (len(frames)×2) of the picked dancers' mean position, `above` body heights up."""
    x = np.mean([d.path[frames.start : frames.stop, 0] for d in dancers if d.id in picked], 0)
    z = np.mean([d.path[frames.start : frames.stop, 1] for d in dancers if d.id in picked], 0)
    scale = focal(height) / (DISTANCE - z)
    return np.stack([width / 2 + scale * x, height / 2 + scale * (-above - EYE)], -1)


def _camera(
    dancers: list[GroupDancer], frames: range, framing: str, rng: np.random.Generator, width: int, height: int
) -> list[View]:
    """A shot's views: the zoom ramps in or out within the framing's range while the camera pans."""
    (low, high), above = FRAMINGS[framing]
    z0, z1 = (low, high) if rng.random() < 0.5 else (high, low)
    n = len(dancers)
    if framing == "wide":
        picked = [d.id for d in dancers]
    else:
        size = 3 if framing == "medium" else 2
        first = int(rng.integers(max(1, n - size + 1)))
        by_x = sorted(dancers, key=lambda d: d.path[frames.start, 0])
        picked = [d.id for d in by_x[first : first + size]]
    target = _centre(dancers, frames, picked, above, width, height) - np.array([width / 2, height / 2])
    drift = rng.uniform(0.05, 0.12) * width * rng.choice([-1.0, 1.0])
    views = []
    for i in range(len(frames)):
        u = i / max(1, len(frames) - 1)
        zoom = z0 + (z1 - z0) * u
        limit = pan_limit(zoom, width, height)
        pan = target[i] + np.array([drift * (u - 0.5), 0.0])
        views.append(
            View(
                float(np.clip(pan[0], -limit[0], limit[0])),
                float(np.clip(pan[1], -limit[1], limit[1])),
                float(zoom),
            )
        )
    return views


def group_scene(
    seed: int,
    n_dancers: int = 5,
    seconds: float = 3.0,
    fps: float = 25.0,
    size: tuple[int, int] = (384, 216),
    n_cuts: int = 2,
    style: str | None = None,
    motion_blur: int = 1,
) -> GroupScene:
    """Plan a group clip (size is width, height; both even), deterministically from the seed.

    motion_blur > 1 draws the dancers at that many instants per frame while the shutter is open, averaged.
    """
    if not 1 <= n_dancers <= 7:
        raise ValueError(f"a group clip has 1 to 7 dancers, not {n_dancers}")
    if style is not None and style not in STYLES:
        raise ValueError(f"unknown style {style!r}; choose from {sorted(STYLES)}")
    if motion_blur < 1:
        raise ValueError(f"motion_blur counts instants per frame: 1 or more, not {motion_blur}")
    rng = np.random.default_rng(seed)
    width, height = size
    n_frames = int(round(seconds * fps))
    identities = _identities(n_dancers, rng)
    paths, formations = formation_paths(n_dancers, n_frames, fps, rng)
    routine = _moves(style, rng)
    bpm = float(rng.uniform(105, 125))
    dancers = []
    for i, identity in enumerate(identities):
        # Neighbours mirror each other and half the group starts with the other half's move (a canon).
        moves = routine if i % 2 == 0 else [routine[1], routine[0], *routine[2:]]
        motion = choreography(moves, n_frames, fps, bpm, rng, travel=0.0)
        dancers.append(GroupDancer(i, identity, motion, paths[:, i]))
    starts = [0, *_cut_frames(n_frames, n_cuts, fps, rng)]
    shots, views = [], []
    framings = ["wide"]
    for _ in starts[1:]:
        framings.append(str(rng.choice([f for f in FRAMINGS if f != framings[-1]])))
    look, lights = None, None
    for i, start in enumerate(starts):
        stop = starts[i + 1] if i + 1 < len(starts) else n_frames
        look, lights = random_look(rng, look), random_lights(rng, lights)
        shots.append(Shot(start, framings[i], look, lights))
        views += _camera(dancers, range(start, stop), framings[i], rng, width, height)
    return GroupScene(
        seed, width, height, fps, tuple(dancers), tuple(shots), tuple(views), tuple(formations), motion_blur
    )


def group_clip(
    seed: int,
    n_dancers: int = 5,
    seconds: float = 3.0,
    fps: float = 25.0,
    size: tuple[int, int] = (384, 216),
    n_cuts: int = 2,
    style: str | None = None,
    motion_blur: int = 1,
) -> GroupClip:
    """A rendered group clip with its ground truth, deterministically from the seed (see `group_scene`)."""
    return render_group(group_scene(seed, n_dancers, seconds, fps, size, n_cuts, style, motion_blur))


def swap_dancers(
    scene: GroupScene, newcomers: Mapping[int, Identity | None], own_body: bool = False
) -> GroupClip:
    """The same clip with newcomers[k] in dancer k's place for every k given (None: dancer k and shadow removed).

    By default a newcomer takes the dancer's body (height and proportions), as a render placing a person at
    the dancer's place and size would; own_body=True keeps the newcomer's own proportions.
    """
    dancers = list(scene.dancers)
    for k, identity in newcomers.items():
        if not 0 <= k < len(dancers):
            raise ValueError(f"no dancer {k}: the clip has dancers 0-{len(dancers) - 1}")
        if identity is not None and not own_body:
            identity = identity.with_proportions_of(dancers[k].identity)
        dancers[k] = replace(dancers[k], identity=identity)
    return render_group(replace(scene, dancers=tuple(dancers)))


def identity_photo(identity: Identity, size: int = 256) -> np.ndarray:
    """A full-body photo of a person standing neutrally on a light plain backdrop (size×size×3 uint8)."""
    photo, _ = render_pose(identity, Motion.still(), size, Background("plain", (228, 228, 232)))
    return photo


def write_group_clip(clip: GroupClip, path: str | Path) -> dict[str, Path]:
    """Write clip as PATH.mp4, its ground truth as PATH.json and its alpha and labels as PATH.masks.npz."""
    path = Path(path)
    path = path.with_suffix("") if path.suffix == ".mp4" else path
    files = {key: path.with_name(path.name + ext) for key, ext in (("video", ".mp4"), ("truth", ".json"))}
    files["masks"] = path.with_name(path.name + ".masks.npz")
    with VideoWriter(files["video"], clip.scene.fps, (clip.scene.width, clip.scene.height)) as writer:
        for frame in clip.frames:
            writer.write(frame)
    truth = truth_json(clip)
    truth["masks_file"] = files["masks"].name
    files["truth"].write_text(json.dumps(truth, indent=1))
    np.savez_compressed(files["masks"], labels=clip.labels, alpha=clip.alpha)
    return files
