"""The dancer's parts registered on their own pixels: each part's motion since the reference frame, refined.

The landmark model places each joint within a pixel or two, which on a short bone is several degrees of
turn. Between two frames of the same dancer each part is nearly rigid, so its motion since the reference
frame can be read from its pixels instead: the reference frame's pixels of the part are aligned on frame t
by a rigid motion (turn and shift), starting from what the landmarks say (Gauss-Newton steps on the colour
difference, inverse compositional: Baker and Matthews, IJCV 2004). A part's answer is taken only when it
settles near where it started and its pixels match well; otherwise the landmarks' answer stands. Where the
landmarks leap from one frame to the next (the model lost the part), the search also starts from where the
part was, where it was heading and where its parent took it. The landmarks each part carries are then
moved by the part's motion.
"""

from __future__ import annotations

import cv2
import numpy as np

from .regions import HALF_WIDTH, segment
from .skeleton import PARENT_INDEX, PARTS, J, body_height, joints

WORK_HEIGHT = 160  # the body's height (pixels) the parts are registered at, at most
BLUR = 1.0  # pixels (at work size): the images are smoothed so that the steps see a few pixels around
STEPS = 12  # Gauss-Newton steps at most
SETTLED = (1e-3, 0.02)  # a step smaller than this (radians, work pixels) ends the search
MAX_TURN = 0.3  # radians: an answer farther than this from the landmarks' turn is refused
MAX_SHIFT = 0.05  # body heights: likewise for the part's centre
MIN_MATCH = 0.95  # the correlation of the part's pixels with the frame's, at least
HUBER = 12.0  # colour levels: differences beyond this count less (another part in front, the background)
MIN_PIXELS = 12  # a part showing fewer pixels than this is left to the landmarks
LEAP = 1.2  # radians: the landmarks' turn changing this much from one frame to the next is not believed

# landmark -> the part that carries it
CARRIER = np.zeros(33, int)
for _name, _landmarks in {
    "torso": (11, 12, 23, 24),
    "head": tuple(range(11)),
    "l_upper_arm": (13,),
    "l_forearm": (15,),
    "l_hand": (17, 19, 21),
    "r_upper_arm": (14,),
    "r_forearm": (16,),
    "r_hand": (18, 20, 22),
    "l_thigh": (25,),
    "l_shin": (27,),
    "l_foot": (29, 31),
    "r_thigh": (26,),
    "r_shin": (28,),
    "r_foot": (30, 32),
}.items():
    CARRIER[list(_landmarks)] = [i for i, p in enumerate(PARTS) if p.name == _name][0]


def _prepared(image: np.ndarray, scale: float) -> np.ndarray:
    """The image (uint8 RGB) at `scale`, smoothed, as float32."""
    if scale != 1.0:
        size = (max(1, round(image.shape[1] * scale)), max(1, round(image.shape[0] * scale)))
        image = cv2.resize(image, size, interpolation=cv2.INTER_AREA)
    return cv2.GaussianBlur(image.astype(np.float32), (0, 0), BLUR)


def part_pixels(points: np.ndarray, shape: tuple[int, int], height: float) -> list[np.ndarray]:
    """For each part, the pixels (N×2, x y) nearest it among the body's capsules around the joints `points`."""
    h, w = shape
    ys, xs = np.mgrid[0:h, 0:w]
    xy = np.stack([xs.ravel(), ys.ravel()], axis=1).astype(np.float64)
    near = np.empty((len(PARTS), len(xy)))
    for i, part in enumerate(PARTS):
        a, b = segment(part, points)
        if part.kind == "torso":  # the spine's capsule, as wide as the shoulders
            reach = max(float(np.hypot(*(points[J["l_shoulder"]] - points[J["r_shoulder"]]))) / 2, 1.0)
        else:
            reach = HALF_WIDTH[part.kind][1] * height
        d = b - a
        t = np.clip(((xy - a) @ d) / max(float(d @ d), 1e-9), 0.0, 1.0)
        near[i] = np.hypot(*(xy - a - t[:, None] * d).T) / reach
    owner = near.argmin(0)
    inside = near.min(0) < 1
    return [xy[inside & (owner == i)] for i in range(len(PARTS))]


def _matrix(turn: float, shift: np.ndarray, centre: np.ndarray) -> np.ndarray:
    """The 3×3 rigid motion turning by `turn` about `centre`, then shifting by `shift`."""
    c, s = np.cos(turn), np.sin(turn)
    r = np.array([[c, -s], [s, c]])
    m = np.eye(3)
    m[:2, :2] = r
    m[:2, 2] = centre + shift - r @ centre
    return m


def _sample(image: np.ndarray, xy: np.ndarray) -> np.ndarray:
    """The image's colours (N×3) at the points `xy` (N×2), bilinear."""
    maps = xy.astype(np.float32).reshape(-1, 1, 2)
    return cv2.remap(image, maps, None, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE).reshape(-1, 3)


class _Template:
    """One part's reference pixels, colours and the steepest-descent images of the rigid motion."""

    def __init__(self, image: np.ndarray, gx: np.ndarray, gy: np.ndarray, xy: np.ndarray):
        self.xy = xy
        self.centre = xy.mean(axis=0)
        ix, iy = xy[:, 0].astype(int), xy[:, 1].astype(int)
        self.colour = image[iy, ix]  # N×3 float32
        g = np.stack([gx[iy, ix], gy[iy, ix]], axis=-1)  # N×3×2
        rel = xy - self.centre
        jac = np.zeros((len(xy), 2, 3))  # d(warped point)/d(turn, shift x, shift y) at rest
        jac[:, 0, 0], jac[:, 1, 0] = -rel[:, 1], rel[:, 0]
        jac[:, 0, 1] = jac[:, 1, 2] = 1.0
        self.steepest = np.einsum("ncj,njp->ncp", g, jac).reshape(-1, 3).astype(np.float32)  # (N·3)×3

    def align(self, frame: np.ndarray, start: np.ndarray) -> tuple[np.ndarray, float]:
        """The rigid motion (3×3, reference -> frame) from `start`, and how well the pixels then match."""
        m = start.copy()
        inside = np.all((self.xy >= 0) & (self.xy < np.array(frame.shape[1::-1])), axis=1)
        seen = np.repeat(inside, 3).astype(np.float32)
        sd = self.steepest
        for _ in range(STEPS):
            r = (_sample(frame, self.xy @ m[:2, :2].T + m[:2, 2]) - self.colour).ravel()
            w = seen * np.minimum(1.0, HUBER / np.maximum(np.abs(r), 1e-6))
            weighted = sd * w[:, None]
            step = np.linalg.solve(weighted.T @ sd + 1e-6 * np.eye(3), weighted.T @ r)
            m = m @ _undo(step, self.centre)
            if abs(step[0]) < SETTLED[0] and np.hypot(step[1], step[2]) < SETTLED[1]:
                break
        moved = _sample(frame, self.xy @ m[:2, :2].T + m[:2, 2]).ravel()
        return m, float(np.corrcoef(moved, self.colour.ravel())[0, 1])


def _undo(step: np.ndarray, centre: np.ndarray) -> np.ndarray:
    """The inverse (3×3) of the rigid motion turning by step[0] about `centre` and shifting by step[1:]."""
    c, s = np.cos(step[0]), np.sin(step[0])
    back = np.array([[c, s], [-s, c]])  # the turn's inverse
    m = np.eye(3)
    m[:2, :2] = back
    m[:2, 2] = centre - back @ (centre + step[1:])
    return m


def _near(m: np.ndarray, start: np.ndarray, centre: np.ndarray, reach: float) -> bool:
    """Whether motion `m` settled near `start`: turned at most MAX_TURN from it, `centre` moved at most `reach`."""
    turn = np.arctan2(m[1, 0], m[0, 0]) - np.arctan2(start[1, 0], start[0, 0])
    c = np.append(centre, 1.0)
    shift = float(np.hypot(*(m @ c - start @ c)[:2]))
    return abs((turn + np.pi) % (2 * np.pi) - np.pi) <= MAX_TURN and shift <= reach


class PartRegistration:
    """The dancer's reference frame, its parts ready to be found again in later frames of the same clip."""

    def __init__(self, image: np.ndarray, landmarks: np.ndarray):
        """`image`: the reference frame (uint8 RGB); `landmarks`: the dancer's 33 landmarks in its pixels."""
        self.landmarks = np.asarray(landmarks, np.float64)[:, :2]
        reference = joints(self.landmarks)
        self.scale = min(1.0, WORK_HEIGHT / body_height(reference))
        self.height = body_height(reference) * self.scale
        work = _prepared(image, self.scale)
        gx = cv2.Sobel(work, cv2.CV_32F, 1, 0, ksize=3) / 8
        gy = cv2.Sobel(work, cv2.CV_32F, 0, 1, ksize=3) / 8
        self.reference = reference * self.scale
        pixels = part_pixels(self.reference, work.shape[:2], self.height)
        self._last: list[np.ndarray | None] = [None] * len(PARTS)  # each part's motion in the last frame
        self._before: list[np.ndarray | None] = [None] * len(PARTS)  # and in the one before
        self._turns = np.zeros(len(PARTS))  # each part's turn by the landmarks in the last frame
        self.templates = [_Template(work, gx, gy, xy) if len(xy) >= MIN_PIXELS else None for xy in pixels]

    def motions(self, image: np.ndarray, landmarks: np.ndarray) -> list[np.ndarray | None]:
        """Each part's rigid motion (3×3, reference pixels -> `image` pixels) when found, else None; call in
        frame order (a part lost by the landmarks is looked for where it was, or where its parent took it)."""
        frame = _prepared(image, self.scale)
        found = joints(np.asarray(landmarks, np.float64)[:, :2]) * self.scale
        now: list[np.ndarray | None] = []
        for i, (part, template) in enumerate(zip(PARTS, self.templates, strict=True)):
            if template is None:
                now.append(None)
                continue
            a0, b0 = segment(part, self.reference)
            a1, b1 = segment(part, found)
            turn = np.arctan2(*(b1 - a1)[::-1]) - np.arctan2(*(b0 - a0)[::-1])
            starts = [_matrix(turn, (a1 + b1) / 2 - (a0 + b0) / 2, (a0 + b0) / 2)]
            last, before, parent = self._last[i], self._before[i], PARENT_INDEX[i]
            # the landmarks are trusted while they move on smoothly; a leap means they lost the part
            leap = abs((turn - self._turns[i] + np.pi) % (2 * np.pi) - np.pi) > LEAP
            if last is not None and leap:
                starts.append(last)
                if before is not None:  # moving on as it moved
                    starts.append(last @ np.linalg.inv(before) @ last)
                if parent >= 0 and now[parent] is not None and self._last[parent] is not None:
                    starts.append(now[parent] @ np.linalg.inv(self._last[parent]) @ last)
            best, best_match = None, MIN_MATCH
            for start in starts:
                m, match = template.align(frame, start)
                if match >= best_match and _near(m, start, template.centre, MAX_SHIFT * self.height):
                    best, best_match = m, match
            now.append(best)
            self._turns[i] = turn
        self._before, self._last = self._last, now
        s = np.diag([self.scale, self.scale, 1.0])
        return [None if m is None else np.linalg.inv(s) @ m @ s for m in now]

    def __call__(self, image: np.ndarray, landmarks: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The 33 landmarks (33×D, the first two columns x y in `image`'s pixels), each moved as the part
        carrying it moved since the reference frame where that part was found, else as given; and which
        were moved so (33 bool)."""
        out = np.array(landmarks, np.float64)
        moved = np.zeros(len(out), bool)
        for i, m in enumerate(self.motions(image, landmarks)):
            if m is None:
                continue
            carried = CARRIER == i
            out[carried, :2] = self.landmarks[carried] @ m[:2, :2].T + m[:2, 2]
            moved |= carried
        return out, moved
