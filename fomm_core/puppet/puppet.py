"""The photo's person as a puppet: their own pixels, part by part, moved along the dancer's retargeted skeleton.

    puppet = Puppet.from_photo(photo, person)             # once per photo: parts, meshes, textures, backdrop
    for frame in puppet.animate(clip_poses(info, track, default_landmarker()), info.fps, reference=0):
        frame.image                                        # uint8, puppet.size, the person posed like the dancer
        frame.turned                                       # the dancer shows their back: the front is held

Frames are the photo's crop around the person (`canvas`), at `size` pixels (long side up to 1024 unless
asked otherwise), with the person taken out of the background (the inpainted backdrop) and drawn again in
their new pose. Nothing learned but the landmarks: no checkpoint, no download.
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

import cv2
import numpy as np

from ..errors import UserError
from ..framing.crop_path import square_around
from ..people.person import Person
from ..scene.layout import canvas_box
from .backdrop import puppet_backdrop
from .dancer import DancerPose
from .depth import drawing_order
from .ground import foot_points
from .motion import DancerMotion
from .raster import Rasteriser
from .regions import part_regions, texture_under_arms
from .retarget import Posed
from .shadow import FloorShadow
from .skeleton import PARTS, body_height, joints
from .skinning import build_rig

MAX_SIDE = 1024  # the output's long side at most (the app's output cap on CPU)
SOLID = (0.4, 0.6)  # mask levels mapped to alpha 0 and 1: the person solid inside, soft only at the edge


@dataclass(frozen=True)
class PuppetFrame:
    """One rendered frame (uint8 H×W×3) and whether the dancer had turned away in it."""

    image: np.ndarray
    turned: bool


def _padded(image: np.ndarray, box: tuple[int, int, int, int]) -> np.ndarray:
    """`image[y0:y1, x0:x1]`, edge pixels repeated where the box reaches past it (rounding at output scale)."""
    x0, y0, x1, y1 = box
    h, w = image.shape[:2]
    ys = np.clip(np.arange(y0, y1), 0, h - 1)
    xs = np.clip(np.arange(x0, x1), 0, w - 1)
    return np.ascontiguousarray(image[ys][:, xs])


def _smooth_seams(rgba: np.ndarray, seams: np.ndarray) -> None:
    """Replace the `seams` pixels of uint8 RGBA by the 3×3 mean of premultiplied colour and alpha around them:
    the hard steps of the scan conversion anti-aliased."""
    ys, xs = np.nonzero(seams)
    h, w = seams.shape
    colour = np.zeros((len(ys), 3), np.float32)
    alpha = np.zeros((len(ys), 1), np.float32)
    for dy in (-1, 0, 1):
        for dx in (-1, 0, 1):
            near = rgba[np.clip(ys + dy, 0, h - 1), np.clip(xs + dx, 0, w - 1)].astype(np.float32)
            colour += near[:, :3] * near[:, 3:]
            alpha += near[:, 3:]
    rgba[ys, xs, :3] = np.clip(colour / np.maximum(alpha, 1e-3) + 0.5, 0, 255).astype(np.uint8)
    rgba[ys, xs, 3] = (alpha[:, 0] / 9 + 0.5).astype(np.uint8)


class Puppet:
    """The person of a photo, rigged; see the module's docstring for use."""

    def __init__(self, view: np.ndarray, mask: np.ndarray, landmarks: np.ndarray, backdrop: np.ndarray):
        """`view`: the photo's crop at output size (uint8 H×W×3); `mask`: the person in it (H×W in [0, 1]);
        `landmarks`: their 33 landmarks in its pixels; `backdrop`: the view without the person (uint8)."""
        h, w = view.shape[:2]
        self.size = (w, h)
        self.view = view
        self.backdrop = backdrop
        self.joints = joints(landmarks)
        self.height = body_height(self.joints)
        regions = part_regions(mask, self.joints, self.height)
        alpha = np.clip((mask - SOLID[0]) / (SOLID[1] - SOLID[0]), 0, 1)
        alpha8 = (alpha * 255 + 0.5).astype(np.uint8)[..., None]
        under = texture_under_arms(view, mask, regions.labels)
        # one texture atlas: the photo for the arms, beside it the photo with the arms filled in for the rest
        self.atlas = np.concatenate(
            [np.concatenate([view, alpha8], axis=2), np.concatenate([under, alpha8], axis=2)], axis=1
        )
        shift = np.array([[0.0, 0.0] if p.limb else [float(w), 0.0] for p in PARTS])
        self.rig = build_rig(regions, self.joints, self.height)
        self.rasteriser = Rasteriser(self.rig, w, h, shift)
        self.rest = Posed(np.tile(np.eye(2, 3), (len(PARTS), 1, 1)), self.joints)
        self.shadow = FloorShadow(backdrop, mask, self.joints, self.height)
        self.stages = {"retarget": 0.0, "deform": 0.0, "composite": 0.0}  # seconds spent, for benchmarks

    @classmethod
    def from_photo(
        cls,
        photo: np.ndarray,
        person: Person,
        canvas: tuple[int, int, int, int] | None = None,
        size: tuple[int, int] | None = None,
        backdrop: np.ndarray | None = None,
        max_side: int = MAX_SIDE,
    ) -> Puppet:
        """The puppet of `person` (found in `photo`, uint8 H×W×3, by fomm_core.people).

        `canvas` (x0, y0, x1, y1 photo pixels; default: the scene's crop around the person) is what the frames
        show, at `size` (w, h; default: the canvas, its long side at most `max_side`). `backdrop`: the canvas
        without the person at `size` (default: puppet_backdrop, filled from the photo beside them).
        """
        if person.landmarks is None:
            raise UserError(
                "The pose engine needs the pose model's landmarks of the person in the photo, and none were "
                "found. Upload a full-body photo of one person, or choose another engine."
            )
        ph, pw = photo.shape[:2]
        x0, y0, x1, y1 = canvas or canvas_box(pw, ph, square_around(person.box))
        if size is None:
            k = min(1.0, max_side / max(x1 - x0, y1 - y0))
            size = (max(2, 2 * round((x1 - x0) * k / 2)), max(2, 2 * round((y1 - y0) * k / 2)))
        w, h = size
        sx, sy = w / (x1 - x0), h / (y1 - y0)
        # the whole photo at output scale: the backdrop's fill may come from beyond the canvas
        full = (round(pw * sx), round(ph * sy))
        shrink = cv2.INTER_AREA if sx < 1 else cv2.INTER_CUBIC
        scaled = cv2.resize(photo, full, interpolation=shrink)
        scaled_mask = cv2.resize(person.mask(ph, pw), full, interpolation=cv2.INTER_LINEAR)
        cx0, cy0 = round(x0 * sx), round(y0 * sy)
        box = (cx0, cy0, cx0 + w, cy0 + h)
        view = _padded(scaled, box)
        mask = _padded(scaled_mask, box)
        landmarks = (person.landmarks - (x0, y0)) * (sx, sy)
        if backdrop is None:
            backdrop = _padded(
                puppet_backdrop(scaled, scaled_mask, (0, 0, *full), body_height(joints(landmarks))), box
            )
        return cls(view, mask, landmarks, backdrop)

    def draw(
        self, posed: Posed, depths: np.ndarray | None = None
    ) -> tuple[np.ndarray, tuple[int, int, int, int]]:
        """The person alone in `posed`, parts drawn back to front by `depths`: RGBA uint8 (alpha: how much of
        the person covers each pixel) over the box (x0, y0, x1, y1) of the frame that holds them."""
        start = time.perf_counter()
        moved = self.rig.deform(posed.transforms)
        order = drawing_order(depths, self.height)
        map_x, map_y, seams, box = self.rasteriser.backward(moved, posed.transforms, order)
        middle = time.perf_counter()
        # fixed-point maps (1/32 pixel) make the bicubic lookup twice as fast
        fixed, fraction = cv2.convertMaps(map_x, map_y, cv2.CV_16SC2)
        rgba = cv2.remap(self.atlas, fixed, fraction, cv2.INTER_CUBIC, borderMode=cv2.BORDER_CONSTANT)
        _smooth_seams(rgba, seams)
        self.stages["deform"] += middle - start
        self.stages["composite"] += time.perf_counter() - middle
        return rgba, box

    def render(self, posed: Posed, depths: np.ndarray | None = None) -> np.ndarray:
        """The frame (uint8 H×W×3): the backdrop with the person drawn over it in `posed`."""
        rgba, (x0, y0, x1, y1) = self.draw(posed, depths)
        start = time.perf_counter()
        out = self.shadow.backdrop(foot_points(posed.joints))
        a = rgba[..., 3:].astype(np.float32) * (1 / 255)
        under = out[y0:y1, x0:x1].astype(np.float32)
        out[y0:y1, x0:x1] = (under + (rgba[..., :3] - under) * a + 0.5).astype(np.uint8)
        self.stages["composite"] += time.perf_counter() - start
        return out

    def animate(
        self, dancer: Iterable[DancerPose], fps: float, reference: int = 0, travel: float = 1.0
    ) -> Iterator[PuppetFrame]:
        """A frame per dancer pose (`fps` of them per second), the person moving as the dancer has since
        frame `reference` (the photo's pose is taken to be the dancer's there), root motion scaled by body
        height times `travel` (0: the feet stay where they are in the photo)."""
        poses = iter(dancer)
        ahead = list(itertools.islice(poses, reference + 1))
        if not ahead:
            return
        motion = DancerMotion(self.joints, ahead[min(reference, len(ahead) - 1)], fps, travel)
        for pose in itertools.chain(ahead, poses):
            start = time.perf_counter()
            step = motion(pose)
            self.stages["retarget"] += time.perf_counter() - start
            yield PuppetFrame(self.render(step.posed, step.depths), step.turned)
