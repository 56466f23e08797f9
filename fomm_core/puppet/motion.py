"""The dancer's landmarks, frame by frame, made into the person's pose: unseen ones held, smoothed, retargeted."""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from .dancer import DancerPose
from .depth import part_depths
from .one_euro import MIN_CUTOFF, OneEuro
from .register import PartRegistration
from .retarget import Posed, Retarget
from .skeleton import body_height, joints
from .turn import MIRROR, FrontKeeper, sides_differ, turned_away
from .unseen import UnseenLandmarks

# Hz: the One Euro filter's cut-off when still for the landmarks moved by the dancer's registered parts; these
# hardly jitter, and the default's lag would cost more than it smooths
REGISTERED_CUTOFF = 5.0


def registered_cutoff(fps: float) -> float:
    """The still cut-off (Hz) for registered landmarks at `fps`: none (infinite, the landmarks taken as they
    are) where REGISTERED_CUTOFF reaches the clip's Nyquist frequency, as the filter could then only lag."""
    return REGISTERED_CUTOFF if REGISTERED_CUTOFF < fps / 2 else np.inf


@dataclass(frozen=True)
class Step:
    """One frame's motion: the person's pose, each part's depth (pixels, smaller nearer), turned away or not."""

    posed: Posed
    depths: np.ndarray
    turned: bool


class DancerMotion:
    """Feed the dancer's poses in order (at `fps`); get the person's poses, relative to `reference`."""

    def __init__(self, photo_joints: np.ndarray, reference: DancerPose, fps: float, travel: float = 1.0):
        # the photo's pose is taken to be the dancer's at the reference, and the photo shows the person's front:
        # a reference read from the other side is the landmark model mistaking front for back
        if sides_differ(photo_joints, joints(reference.points)):
            reference = mirrored(reference)
        self.reference = reference
        self.height = body_height(joints(reference.points))
        self.retarget = Retarget(photo_joints, joints(reference.points), travel)
        self._unseen = UnseenLandmarks(reference.width, reference.height)
        self._depth_scale = self.retarget.scale
        self._front = FrontKeeper(reference.points)
        self._register = (
            None if reference.image is None else PartRegistration(reference.image, _in_image(reference))
        )
        self._smooth = OneEuro(fps)
        self._registered_cutoff = registered_cutoff(fps)

    def __call__(self, dancer: DancerPose) -> Step:
        """The person's pose for the dancer's next frame."""
        points, depth, visibility = dancer.points, dancer.depth, dancer.visibility
        registered = np.zeros(len(points), bool)
        if self._register is not None and dancer.image is not None:
            points, registered = self._register(dancer.image, _in_image(dancer))
            points = points / (dancer.image.shape[1] / dancer.width)
        if self._front(points):  # the dancer's back to the camera: their left drives the person's right
            points, depth, visibility = points[MIRROR], depth[MIRROR], visibility[MIRROR]
            registered = registered[MIRROR]
        held = self._unseen(np.column_stack([points, depth]), visibility)
        # filtered in body heights, so the filter's speed threshold does not depend on the clip's size
        cutoff = np.where(registered, self._registered_cutoff, MIN_CUTOFF)[:, None]
        smooth = self._smooth(held / self.height, cutoff) * self.height
        posed = self.retarget(joints(smooth[:, :2]))
        turned = turned_away(dancer.points, dancer.visibility, self.reference.points)
        return Step(posed, part_depths(smooth[:, 2]) * self._depth_scale, turned)


def mirrored(dancer: DancerPose) -> DancerPose:
    """The dancer's pose with their sides swapped: each landmark given its counterpart's place (MIRROR)."""
    return replace(
        dancer, points=dancer.points[MIRROR], depth=dancer.depth[MIRROR], visibility=dancer.visibility[MIRROR]
    )


def _in_image(dancer: DancerPose) -> np.ndarray:
    """The dancer's landmarks in the pixels of the frame they were read on."""
    return dancer.points * (dancer.image.shape[1] / dancer.width)
