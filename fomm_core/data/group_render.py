"""Drawing a planned group clip (`group.GroupScene`) and its ground truth (`GroupClip`).

Each dancer is drawn on its own over black and over white: the two give the dancer's colour and coverage
(alpha) exactly, so the dancer is laid over the picture with its anti-aliased edge, and its mask is where
alpha >= 0.5. With motion blur the dancer is drawn at several instants while the shutter is open (half a
frame) and those drawings are averaged, which blurs colour and coverage alike; landmarks stay at the frame's
instant. Where a dancer's alpha is 0, the pixel does not depend on that dancer at all. Dancers are laid far to near (by their distance to the camera); the lights then act on the
whole picture, so a pixel no dancer covers is the same whoever dances. Shadows depend only on where a
dancer stands, not on who it is.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import cv2
import numpy as np

from .draw import figure_parts
from .figure import skeleton
from .landmarks import FACE, LANDMARKS, blazepose_points, face_seen
from .stage import DISTANCE, View, cut_view, draw_set, focal, light, to_base

if TYPE_CHECKING:
    from .group import GroupScene

MASK_ALPHA = 128  # of 255


@dataclass
class GroupClip:
    """A rendered group clip and its ground truth (N dancers, T frames, H×W pixels).

    frames T×H×W×3 uint8; boxes T×N×4 (x0, y0, x1, y1 of the dancer's whole silhouette in the frame, NaN when
    out of it) and visible_boxes (of the part seen, NaN when none is); alpha T×N×H×W uint8 (each dancer's
    coverage 0-255, hidden parts included; `masks` is where it is at least half); labels T×H×W uint8 (who is
    seen at each pixel: dancer id + 1, 0 for the stage); visible T×N (share of the silhouette in the frame not
    hidden by nearer dancers); in_frame T×N (share of the 33 landmarks inside the frame); order T×N (dancer
    ids far to near); landmarks T×N×33×2 in BlazePose's order and landmark_visible T×N×33 (in the frame, not
    behind a nearer dancer, face points only when facing us).
    """

    scene: GroupScene
    frames: np.ndarray
    boxes: np.ndarray
    visible_boxes: np.ndarray
    alpha: np.ndarray
    labels: np.ndarray
    visible: np.ndarray
    in_frame: np.ndarray
    order: np.ndarray
    landmarks: np.ndarray
    landmark_visible: np.ndarray

    @property
    def cuts(self) -> list[int]:
        """The first frame of every shot after the first."""
        return self.scene.cuts

    @property
    def masks(self) -> np.ndarray:
        """Each dancer's whole silhouette, T×N×H×W bool (parts hidden by nearer dancers included)."""
        return self.alpha >= MASK_ALPHA


def _world(dancer: Any) -> dict[str, np.ndarray]:
    """The dancer's skeleton points on the stage (T×3 each): the choreography moved to its path."""
    points = skeleton(dancer.identity, dancer.motion)
    offset = np.stack([dancer.path[:, 0], np.zeros(len(dancer.path)), dancer.path[:, 1]], -1)
    return {name: value + offset for name, value in points.items()}


def _to_frame(points: np.ndarray, views: list[View], width: int, height: int) -> np.ndarray:
    """Frame pixels (T×...×2) of stage points (T×...×3), each frame through its view."""
    base = to_base(points, width, height)
    pan = np.array([[v.pan_x, v.pan_y] for v in views]).reshape((-1,) + (1,) * (base.ndim - 2) + (2,))
    zoom = np.array([v.zoom for v in views]).reshape((-1,) + (1,) * (base.ndim - 1))
    centre = np.array([width / 2, height / 2])
    return centre + zoom * (base - centre - pan)


def _shadow(shade: np.ndarray, centre: np.ndarray, scale: float, lift: float) -> None:
    """Darken a soft ellipse of the floor under a dancer (smaller while it is in the air)."""
    w = 0.17 * scale * max(0.4, 1.0 - 2.5 * lift)
    axes = (max(1, int(w * 16)), max(1, int(0.22 * w * 16)))
    cv2.ellipse(shade, (int(centre[0] * 16), int(centre[1] * 16)), axes, 0, 0, 360, 0.55, -1, cv2.LINE_AA, 4)


def _layer(
    identity: Any,
    samples: list[tuple[dict[str, np.ndarray], dict[str, float]]],
    scale: float,
    width: int,
    height: int,
) -> tuple[tuple[int, int], np.ndarray, np.ndarray] | None:
    """The dancer drawn alone, averaged over the shutter's samples (pixels, depths by point name).

    Returns the crop's origin, its premultiplied colour and its transmission (share of what lies behind that
    still shows, per channel), both float32 crop×3; None when the dancer is off the frame.
    """
    points = np.concatenate([np.stack(list(pix.values())) for pix, _ in samples])
    margin = 0.2 * scale + 3
    x0, y0 = np.maximum(np.floor(points.min(0) - margin).astype(int), 0)
    x1 = min(width, int(np.ceil(points[:, 0].max() + margin)))
    y1 = min(height, int(np.ceil(points[:, 1].max() + margin)))
    if x1 <= x0 or y1 <= y0:
        return None
    colour = np.zeros((y1 - y0, x1 - x0, 3), np.float32)
    transmission = np.zeros_like(colour)
    for pix, depth in samples:
        shifted = {name: p - np.array([x0, y0]) for name, p in pix.items()}
        dark = np.zeros((y1 - y0, x1 - x0, 3), np.uint8)
        bright = np.full_like(dark, 255)
        for _, draw in sorted(figure_parts(identity, shifted, depth, scale), key=lambda item: item[0]):
            draw(dark)
            draw(bright)
        colour += dark
        transmission += bright.astype(np.float32) - dark
    return (x0, y0), colour / len(samples), transmission / (255 * len(samples))


def _shutter(world: dict[str, np.ndarray], samples: int) -> list[dict[str, np.ndarray]]:
    """The skeleton at `samples` instants over the first half of each frame (an open shutter), linearly."""
    ahead = {k: np.concatenate([v[1:], v[-1:]]) for k, v in world.items()}
    return [{k: v + (j / (2 * samples)) * (ahead[k] - v) for k, v in world.items()} for j in range(samples)]


def render_group(scene: GroupScene) -> GroupClip:
    """Draw every frame of the scene with its ground truth."""
    w, h, views = scene.width, scene.height, list(scene.views)
    n_frames, present = len(views), [d for d in scene.dancers if d.identity is not None]
    n = len(scene.dancers)
    pix: dict[int, list[dict[str, np.ndarray]]] = {}
    depth: dict[int, list[dict[str, np.ndarray]]] = {}
    marks = np.full((n_frames, n, len(LANDMARKS), 2), np.nan, np.float32)
    facing = np.zeros((n_frames, n), bool)
    for d in present:
        world = _world(d)
        instants = _shutter(world, scene.motion_blur)
        pix[d.id] = [{k: _to_frame(v, views, w, h) for k, v in at.items()} for at in instants]
        depth[d.id] = [{k: v[:, 2] for k, v in at.items()} for at in instants]
        marks[:, d.id] = _to_frame(blazepose_points(world), views, w, h)
        facing[:, d.id] = face_seen(world)
    panoramas = {}
    frames = np.empty((n_frames, h, w, 3), np.uint8)
    alpha = np.zeros((n_frames, n, h, w), np.uint8)
    labels = np.zeros((n_frames, h, w), np.uint8)
    order = np.zeros((n_frames, n), np.int32)
    for t, view in enumerate(views):
        shot = scene.shot_of(t)
        if shot.look not in panoramas:
            panoramas[shot.look] = draw_set(shot.look, w, h)
        img = cut_view(panoramas[shot.look], view, w, h)
        nearness = {d.id: d.path[t, 1] for d in scene.dancers}
        order[t] = sorted(nearness, key=lambda i: (nearness[i], i))
        shade = np.ones((h, w), np.float32)
        for d in present:
            floor = _to_frame(np.array([[d.path[t, 0], 0.0, d.path[t, 1]]]), [view], w, h)[0]
            scale = view.zoom * focal(h) / (DISTANCE - d.path[t, 1])
            _shadow(shade, floor, scale, float(d.motion["lift"][t]))
        img *= shade[..., None]
        for i in order[t]:
            if i not in pix:
                continue
            samples = [
                ({k: v[t] for k, v in at.items()}, {k: float(v[t]) for k, v in z.items()})
                for at, z in zip(pix[i], depth[i], strict=True)
            ]
            scale = view.zoom * focal(h) / (DISTANCE - scene.dancers[i].path[t, 1])
            layer = _layer(scene.dancers[i].identity, samples, scale, w, h)
            if layer is None:
                continue
            (x0, y0), colour, transmission = layer
            window = np.s_[y0 : y0 + colour.shape[0], x0 : x0 + colour.shape[1]]
            img[window] = img[window] * transmission + colour
            # Coverage rounded up, so a pixel with alpha 0 does not depend on the dancer at all.
            cover = np.ceil(255 * (1 - transmission.min(-1)) - 1e-3).clip(0, 255).astype(np.uint8)
            alpha[t, i][window] = cover
            labels[t][window][cover >= MASK_ALPHA] = i + 1
        gain, haze = light(shot.lights, view, t / scene.fps, w, h)
        frames[t] = np.clip(img * gain + haze + 0.5, 0, 255).astype(np.uint8)
    return _truth(scene, frames, alpha, labels, order, marks, facing)


def _truth(
    scene: GroupScene,
    frames: np.ndarray,
    alpha: np.ndarray,
    labels: np.ndarray,
    order: np.ndarray,
    marks: np.ndarray,
    facing: np.ndarray,
) -> GroupClip:
    """Boxes, visibility and landmark visibility from the masks and who stands in front of whom."""
    masks = alpha >= MASK_ALPHA
    n_frames, n = masks.shape[:2]
    h, w = labels.shape[1:]
    boxes = np.full((n_frames, n, 4), np.nan, np.float32)
    visible_boxes = boxes.copy()
    visible = np.zeros((n_frames, n), np.float32)
    in_frame = np.zeros((n_frames, n), np.float32)
    seen = np.zeros(marks.shape[:3], bool)
    for t in range(n_frames):
        rank = np.empty(n, int)
        rank[order[t]] = np.arange(n)
        for i in range(n):
            area = masks[t, i].sum()
            if area == 0:
                continue
            boxes[t, i] = _box(masks[t, i])
            seen_part = labels[t] == i + 1
            visible[t, i] = seen_part.sum() / area
            if visible[t, i] > 0:
                visible_boxes[t, i] = _box(seen_part)
            xy = np.round(marks[t, i]).astype(int)
            inside = (xy[:, 0] >= 0) & (xy[:, 0] < w) & (xy[:, 1] >= 0) & (xy[:, 1] < h)
            owner = np.zeros(len(xy), int)
            owner[inside] = labels[t, xy[inside, 1], xy[inside, 0]]
            nearer = (owner > 0) & (rank[np.maximum(owner - 1, 0)] > rank[i])
            in_frame[t, i] = inside.mean()
            seen[t, i] = inside & ~nearer
            seen[t, i, FACE] &= facing[t, i]
    return GroupClip(
        scene, frames, boxes, visible_boxes, alpha, labels, visible, in_frame, order, marks, seen
    )


def _box(mask: np.ndarray) -> tuple[int, int, int, int]:
    """x0, y0, x1, y1 (exclusive) around a non-empty mask."""
    rows, cols = np.flatnonzero(mask.any(1)), np.flatnonzero(mask.any(0))
    return int(cols[0]), int(rows[0]), int(cols[-1]) + 1, int(rows[-1]) + 1


def truth_json(clip: GroupClip) -> dict[str, Any]:
    """The ground truth as plain JSON data: clip facts, shots, dancers and, per frame, every dancer's truth."""
    scene = clip.scene
    per_frame = []
    for t in range(len(clip.frames)):
        dancers = []
        for i in range(len(scene.dancers)):
            box, seen_box = clip.boxes[t, i], clip.visible_boxes[t, i]
            dancers.append(
                dict(
                    id=i,
                    box=None if np.isnan(box[0]) else [int(v) for v in box],
                    visible_box=None if np.isnan(seen_box[0]) else [int(v) for v in seen_box],
                    visible=round(float(clip.visible[t, i]), 4),
                    in_frame=round(float(clip.in_frame[t, i]), 4),
                    landmarks=[
                        [round(float(x), 2), round(float(y), 2), bool(v)]
                        for (x, y), v in zip(clip.landmarks[t, i], clip.landmark_visible[t, i], strict=True)
                    ]
                    if not np.isnan(clip.landmarks[t, i, 0, 0])
                    else None,
                )
            )
        view = scene.views[t]
        per_frame.append(
            dict(
                camera=dict(pan_x=round(view.pan_x, 3), pan_y=round(view.pan_y, 3), zoom=round(view.zoom, 4)),
                far_to_near=[int(i) for i in clip.order[t]],
                dancers=dancers,
            )
        )
    return dict(
        seed=scene.seed,
        width=scene.width,
        height=scene.height,
        fps=scene.fps,
        frame_count=len(clip.frames),
        cuts=scene.cuts,
        shots=[
            dict(start=s.start, framing=s.framing, set_pattern=s.look.pattern, set_glow=list(s.look.glow))
            for s in scene.shots
        ],
        formations=[dict(name=name, first=a, last=b) for name, a, b in scene.formations],
        landmark_names=list(LANDMARKS),
        dancers=[
            dict(
                id=d.id,
                identity=None if d.identity is None else _identity_json(d.identity),
                moves=[m for m, _, _ in d.motion.timeline],
                path=[[round(float(x), 3), round(float(z), 3)] for x, z in d.path],
            )
            for d in scene.dancers
        ],
        frames=per_frame,
    )


def _identity_json(identity: Any) -> dict[str, Any]:
    return dict(
        height=identity.height,
        skin=list(identity.skin),
        hair=list(identity.hair),
        hair_style=identity.hair_style,
        top=list(identity.top),
        pattern=identity.pattern,
        sleeves=identity.sleeves,
        bottom=list(identity.bottom),
        bottom_style=identity.bottom_style,
        shoes=list(identity.shoes),
    )
