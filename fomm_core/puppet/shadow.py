"""The person's shadow on the floor, lifted out of the backdrop and laid again under the feet as they move.

A person standing on a floor darkens it around their feet. Left in the backdrop, that shadow stays behind
when they step or travel away. Where the floor level with the feet is darker under them than to either
side, the darkening (a factor per pixel, below 1) is taken out of the backdrop and multiplied back in each
frame, shifted sideways as far as the feet have moved. A dark band that reaches beyond the feet on both
sides is the floor itself (a line, an edge), not a shadow, and so is any darkening on a patterned floor:
both are left alone.
"""

from __future__ import annotations

import cv2
import numpy as np

from .ground import foot_points
from .skeleton import FEET, J

ABOVE, BELOW = 0.03, 0.05  # body heights: the rows looked at, above and below the lowest foot point
BESIDE = 0.22  # body heights: how far beyond the feet on either side the shadow may reach
SIDE = 0.2  # body heights: the bands beyond that which show the bare floor
DARKER = 0.93  # a pixel this dark relative to the bare floor, or darker, is in shadow
SHADOW = 0.85  # the shadow's mean factor over its pixels must be this dark or darker
EDGE = 0.97  # and the darkening at the window's ends this light or lighter (else it is the floor)
PERSON = 0.2  # mask level counted as the person
CENTRED = 0.06  # body heights: the shadow's middle at most this far from the feet's, sideways
GREY = 0.04  # the spread of a shadow pixel's darkening over its colours, at most (median)
FLAT = 0.02  # the bare floor's spread along a row (median absolute deviation / level) at most: an even floor


class FloorShadow:
    """The backdrop without the shadow, and the shadow's factor over a window around the feet."""

    def __init__(self, backdrop: np.ndarray, mask: np.ndarray, joints: np.ndarray, height: float):
        """`backdrop`: the view without the person (uint8); `mask`: the person (in [0, 1]); `joints` and body
        `height` in its pixels."""
        self.clean = backdrop
        self.window: tuple[int, int, int, int] | None = None
        self.factor: np.ndarray | None = None
        self.feet = foot_points(joints)
        h, w = mask.shape
        lowest = max(float(joints[J[n]][1]) for pair in FEET for n in pair)
        y0, y1 = round(lowest - ABOVE * height), round(lowest + BELOW * height)
        x0 = round(float(self.feet[:, 0].min()) - BESIDE * height)
        x1 = round(float(self.feet[:, 0].max()) + BESIDE * height)
        side = round(SIDE * height)
        if y0 < 0 or y1 > h or x0 < 0 or x1 > w or y1 - y0 < 3:
            return
        floor = backdrop[y0:y1].astype(np.float32)
        clear = mask[y0:y1] < PERSON
        bare = np.zeros((y1 - y0, 3), np.float32)
        spread = np.zeros(y1 - y0)
        for row in range(y1 - y0):
            sides = np.r_[max(0, x0 - side) : x0, x1 : min(w, x1 + side)]
            sides = sides[clear[row, sides]]
            if len(sides) < side // 2:
                return
            bare[row] = np.median(floor[row, sides], axis=0)
            level = floor[row, sides].mean(axis=1)
            spread[row] = np.median(np.abs(level - np.median(level))) / max(float(np.median(level)), 1.0)
        if np.median(spread) > FLAT:  # a patterned floor: its own dark marks would pass for a shadow
            return
        ratios = floor[:, x0:x1] / np.maximum(bare[:, None], 1.0)
        ratio = ratios.mean(axis=2)
        factor = np.where(ratio < DARKER, np.clip(ratio, 0.2, 1.0), 1.0).astype(np.float32)
        person = mask[y0:y1, x0:x1] >= PERSON
        # under the person the backdrop is a copy from elsewhere: the shadow there is drawn from around it
        factor = (
            cv2.inpaint(
                (factor * 255).astype(np.uint8), person.astype(np.uint8), 3, cv2.INPAINT_TELEA
            ).astype(np.float32)
            / 255
        )
        factor = cv2.GaussianBlur(factor, (0, 0), 0.8)
        shaded = factor < DARKER
        ends = max(1, (x1 - x0) // 8)
        if (
            shaded.sum() < 4
            or factor[shaded].mean() > SHADOW
            or min(factor[:, :ends].mean(), factor[:, -ends:].mean()) < EDGE
        ):
            return
        dark = (1 - factor).sum(axis=0)  # how much each column is darkened
        middle = x0 + float((dark * np.arange(len(dark))).sum() / dark.sum())
        grey = ratios[(ratio < DARKER) & ~person]  # a shadow darkens every colour alike
        if abs(middle - self.feet[:, 0].mean()) > CENTRED * height or (
            len(grey) and float(np.median(grey.std(axis=1))) > GREY
        ):
            return
        clean = backdrop.astype(np.float32)
        lifted = np.where(person, 1.0, factor)  # the backdrop outside the person still holds the shadow
        clean[y0:y1, x0:x1] /= lifted[..., None]
        self.clean = np.clip(clean + 0.5, 0, 255).astype(np.uint8)
        self.window, self.factor = (x0, y0, x1, y1), factor

    def backdrop(self, feet: np.ndarray) -> np.ndarray:
        """The backdrop (a new uint8 array) with the shadow under the feet at `feet` (2×2, as foot_points)."""
        out = self.clean.copy()
        if self.window is None:
            return out
        x0, y0, x1, y1 = self.window
        dx = float(np.mean(feet[:, 0] - self.feet[:, 0]))
        left, right = int(np.floor(x0 + dx)), int(np.ceil(x1 + dx)) + 1
        left, right = max(left, 0), min(right, out.shape[1])
        if right <= left:
            return out
        shift = np.array([[1.0, 0.0, x0 + dx - left]], np.float32)
        shift = np.vstack([shift, [[0.0, 1.0, 0.0]]]).astype(np.float32)
        factor = cv2.warpAffine(
            self.factor, shift, (right - left, y1 - y0), flags=cv2.INTER_LINEAR, borderValue=1.0
        )
        region = out[y0:y1, left:right].astype(np.float32) * factor[..., None]
        out[y0:y1, left:right] = (region + 0.5).astype(np.uint8)
        return out
