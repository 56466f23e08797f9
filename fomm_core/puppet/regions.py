"""The person's mask split into body parts, each a little larger than what it shows, and the texture under the arms.

Every limb is a capsule around its bone, as wide as the mask is around the bone (bounded by the part's
usual width, since an arm held against the body makes the mask wide there); the torso is the quadrilateral
of shoulders and hips. A mask pixel belongs to the arm whose capsule holds it (arms are in front in a photo
of a standing person), else to the part whose outline is nearest. Each part's region reaches under the arms and over the
joints it shares, so that a part moved away never leaves a hole; what the arms hid of the other parts is
filled from the body around it (the texture under the arms).
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from .skeleton import PART_INDEX, PARTS, J, Part

# the half-width of each kind of part, as a fraction of the body's height: (narrowest, widest)
HALF_WIDTH = {
    "head": (0.045, 0.075),
    "upper_arm": (0.022, 0.04),
    "forearm": (0.018, 0.034),
    "hand": (0.018, 0.032),
    "thigh": (0.04, 0.07),
    "shin": (0.03, 0.05),
    "foot": (0.02, 0.04),
}
TORSO_REACH = 0.05  # body heights: how far beyond the shoulder-hip quadrilateral counts as near the torso
TORSO_UNDER = 0.015  # body heights: how far beyond it the torso reaches under an arm
UNDER = 0.7  # a limb reaches under an arm this far into its capsule (in half-widths)
HEAD_TOP = 0.35  # the head's capsule reaches this fraction of neck->head beyond the head's centre
PERSON = 0.5  # mask level counted as the person
EDGE_ROOM = np.ones((5, 5), np.uint8)  # the regions reach 2 pixels beyond the mask's half level
INPAINT_SIDE = 256  # the texture under the arms is filled at this long side at most


@dataclass(frozen=True)
class PartRegions:
    """Which part each person pixel shows (labels, -1 elsewhere), each part's region, each part's half-width."""

    labels: np.ndarray  # H×W int
    regions: list[np.ndarray]  # per part, H×W bool
    radii: np.ndarray  # per part, pixels


def segment(part: Part, joints: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The segment a part's capsule is drawn around."""
    a, b = joints[J[part.start]], joints[J[part.end]]
    if part.kind == "head":
        return a, b + HEAD_TOP * (b - a)
    return a, b


def _segment_distance(xy: np.ndarray, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    d = b - a
    t = np.clip(((xy - a) @ d) / max(float(d @ d), 1e-9), 0.0, 1.0)
    return np.hypot(*(xy - a - t[:, None] * d).T)


def _half_width(part: Part, joints: np.ndarray, inside: np.ndarray, height: float) -> float:
    """The mask's half-width around the part's bone (distance to the mask's edge), within the usual bounds."""
    a, b = segment(part, joints)
    ts = np.linspace(0.25, 0.75, 5)[:, None]
    points = np.round(a + ts * (b - a)).astype(int)
    h, w = inside.shape
    ok = (points[:, 0] >= 0) & (points[:, 0] < w) & (points[:, 1] >= 0) & (points[:, 1] < h)
    seen = inside[points[ok, 1], points[ok, 0]] if ok.any() else np.zeros(0)
    lo, hi = HALF_WIDTH[part.kind]
    measured = float(np.median(seen)) if seen.size else lo * height
    return float(np.clip(measured, lo * height, hi * height))


def part_regions(mask: np.ndarray, joints: np.ndarray, height: float) -> PartRegions:
    """Split the person's `mask` (H×W in [0, 1]) into the parts of `joints` (pixels) of a body `height` tall."""
    person = mask > PERSON
    h, w = mask.shape
    edge_distance = cv2.distanceTransform(person.astype(np.uint8), cv2.DIST_L2, 5)
    ys, xs = np.nonzero(person)
    xy = np.stack([xs, ys], axis=1).astype(np.float64)
    radii = np.zeros(len(PARTS))
    near = np.empty((len(PARTS), len(xy)))  # distance from each part, in its half-widths
    for i, part in enumerate(PARTS):
        if part.kind == "torso":
            radii[i] = TORSO_REACH * height
            near[i] = _torso_distance(joints, (h, w))[ys, xs] / radii[i]
            continue
        radii[i] = _half_width(part, joints, edge_distance, height)
        near[i] = _segment_distance(xy, *segment(part, joints)) / radii[i]
    arms = np.array([p.limb for p in PARTS])
    in_arm = np.where(arms[:, None], near, np.inf)
    beyond = (near - 1) * radii[:, None]  # pixels outside each capsule
    label = np.where(in_arm.min(0) < 1, in_arm.argmin(0), beyond.argmin(0))
    labels = np.full((h, w), -1, np.int64)
    labels[ys, xs] = label
    under = np.where(np.array([p.kind == "torso" for p in PARTS]), TORSO_UNDER / TORSO_REACH, UNDER)
    regions = []
    for i in range(len(PARTS)):
        region = np.zeros((h, w), np.uint8)
        region[ys, xs] = (label == i) | ((near[i] < under[i]) & arms[label])  # and what an arm hides of it
        for j, joint in _joints_shared(i):  # and the round end of each part it is joined to
            reach = min(radii[i], radii[j])
            region[ys, xs] |= (label == j) & (np.hypot(*(xy - joints[J[joint]]).T) < reach)
        region = _connected_to(region, labels == i)
        # a little beyond the person, so the mesh holds the mask's soft edge
        regions.append(cv2.dilate(region, EDGE_ROOM) > 0)
    return PartRegions(labels, regions, radii)


def _joints_shared(index: int) -> list[tuple[int, str]]:
    """The parts joined to part `index`, each with the joint they share."""
    part = PARTS[index]
    return [
        (j, other.start if other.parent == part.name else part.start)
        for j, other in enumerate(PARTS)
        if other.parent == part.name or part.parent == other.name
    ]


def _connected_to(region: np.ndarray, seeds: np.ndarray) -> np.ndarray:
    """The pieces of `region` (uint8) that hold a seed pixel: a part's region is never a speck apart from it."""
    count, pieces = cv2.connectedComponents(region, connectivity=8)
    keep = np.zeros(count, bool)
    keep[np.unique(pieces[seeds & (region > 0)])] = True
    keep[0] = False
    return keep[pieces].astype(np.uint8)


def _torso_distance(joints: np.ndarray, shape: tuple[int, int]) -> np.ndarray:
    quad = joints[[J["l_shoulder"], J["r_shoulder"], J["r_hip"], J["l_hip"]]]
    outside = np.full(shape, 255, np.uint8)
    cv2.fillConvexPoly(outside, np.round(quad).astype(np.int32), 0)
    return cv2.distanceTransform(outside, cv2.DIST_L2, 5)


def texture_under_arms(image: np.ndarray, mask: np.ndarray, labels: np.ndarray) -> np.ndarray:
    """The photo (uint8) with what the arms cover of the body filled in from the body around it."""
    arm_labels = [PART_INDEX[p.name] for p in PARTS if p.limb]
    hidden = np.isin(labels, arm_labels)
    if not hidden.any():
        return image.copy()
    ys, xs = np.nonzero(mask > 0.05)
    pad = 8
    y0, y1 = max(0, ys.min() - pad), min(image.shape[0], ys.max() + pad + 1)
    x0, x1 = max(0, xs.min() - pad), min(image.shape[1], xs.max() + pad + 1)
    crop = image[y0:y1, x0:x1]
    # unknown: the arms and everything that is not the person, so only the body is drawn from
    unknown = (hidden[y0:y1, x0:x1] | (mask[y0:y1, x0:x1] < PERSON)).astype(np.uint8)
    k = min(1.0, INPAINT_SIDE / max(crop.shape[:2]))
    size = (max(1, round(crop.shape[1] * k)), max(1, round(crop.shape[0] * k)))
    small = cv2.resize(crop, size, interpolation=cv2.INTER_AREA)
    small_unknown = cv2.dilate(cv2.resize(unknown, size, interpolation=cv2.INTER_NEAREST), np.ones((3, 3)))
    filled = cv2.inpaint(small, small_unknown, 3, cv2.INPAINT_TELEA)
    filled = cv2.resize(filled, (crop.shape[1], crop.shape[0]), interpolation=cv2.INTER_CUBIC)
    out = image.copy()
    region = out[y0:y1, x0:x1]
    region[hidden[y0:y1, x0:x1]] = filled[hidden[y0:y1, x0:x1]]
    return out
