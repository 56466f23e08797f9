"""The stage scene over a whole clip: its frames streamed, each replaced dancer's place taken by their fan.

The replaced dancers are followed in every frame by the landmark model (puppet.dancer.dancer_poses, one
follower per dancer, all fed the same frame), which gives their pose and their mask. The other dancers are
known from the people tracking every few frames: their box stands for them, and where it comes near a fan
the landmark model is run once on them for their mask and body points (who hides whom, and their cut-out
drawn over the fan when they stand nearer). A dancer counts as in a frame when the tracking saw them within
MAX_STEP frames of it in the same shot.

`plain=True` puts the fans alone on a plain backdrop, in the formation (the group in the plain scene).
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterator, Sequence

import numpy as np

from ..io import VideoInfo, fit_size, read_frames
from ..options import MAX_OUTPUT_WIDTH
from ..people.blazepose import BlazePose
from ..people.clip import MAX_STEP, ClipPeople, Track
from ..people.photo import PRESENCE
from ..puppet.dancer import DancerPose, dancer_poses, roi_around
from .composite import compose, depth_order
from .fan import Fan
from .layer import Layer
from .learned import LearnedFan
from .placement import follow
from .render import StageRenderer

NEAR = 0.25  # another dancer's box within this share of a fan's height of it: their mask is measured
PLAIN = (236, 236, 236)  # the plain scene's backdrop


def stage_size(info: VideoInfo) -> tuple[int, int]:
    """The stage output's size: the clip's display size, the long side at most MAX_OUTPUT_WIDTH, both even."""
    w, h = fit_size(info.width, info.height, MAX_OUTPUT_WIDTH)
    return max(2, w - w % 2), max(2, h - h % 2)


def cut_notes(people: ClipPeople, dancers: Sequence[int], fps: float) -> list[str]:
    """For every cut, whether each replaced dancer was found again in the new shot."""
    notes = []
    for dancer in dancers:
        boxes = np.full((people.frame_count, 4), np.nan)
        for t, box in people.track(dancer).boxes.items():
            if t < len(boxes):
                boxes[t] = (box.x0, box.y0, box.x1, box.y1)
        notes += follow(boxes, people.cuts, fps, dancer)[1]
    return notes


class StageClip:
    """The stage frames of `info`'s clip with `fans` in place (see the module doc), at `size` (w, h)."""

    def __init__(
        self,
        info: VideoInfo,
        people: ClipPeople,
        fans: Sequence[Fan | LearnedFan],
        landmarker: BlazePose,
        size: tuple[int, int],
        light: bool = True,
        plain: bool = False,
    ):
        self.info, self.people, self.fans, self.landmarker = info, people, list(fans), landmarker
        self.size, self.plain = size, plain
        self.renderer = StageRenderer(light=light)
        self.scale = size[0] / people.width  # tracking pixels -> output pixels
        self.replaced = {fan.dancer for fan in self.fans}

    def frames(self) -> Iterator[np.ndarray]:
        """The output frames (uint8 H×W×3), one per clip frame."""
        current: list[np.ndarray] = []

        def feed() -> Iterator[np.ndarray]:
            while True:
                yield current[-1]

        followers = {
            fan.dancer: dancer_poses(
                feed(), self.people.track(fan.dancer), self.landmarker, self.scale, masks=True
            )
            for fan in self.fans
        }
        cuts = sorted(self.people.cuts)
        for t, frame in enumerate(read_frames(self.info, size=self.size)):
            current[:] = [frame]
            cut = t in cuts
            shot = _shot(cuts, t)
            alpha, feet, points, layers = {}, {}, {}, []
            for fan in self.fans:
                fan.seek(t)
                pose = _in_pixels(next(followers[fan.dancer]), self.scale)
                if cut or not _seen(self.people.track(fan.dancer), t, shot):
                    fan.restart()
                    if not _seen(self.people.track(fan.dancer), t, shot):
                        continue
                mask = pose.roi.mask_over(pose.mask, *self.size)
                alpha[fan.dancer], points[fan.dancer] = mask, pose.points
                feet[fan.dancer] = _feet(mask, pose.points)
                layers.append((fan.dancer, fan(pose)))
            if self.plain:
                order = depth_order(feet)
                yield compose(np.full_like(frame, PLAIN), layers, {}, order)
                continue
            self._others(frame, t, shot, layers, alpha, feet, points)
            yield self.renderer.frame(frame, alpha, feet, layers, cut, points)

    def _others(
        self,
        frame: np.ndarray,
        t: int,
        shot: tuple[int, int],
        layers: list[tuple[int, Layer]],
        alpha: dict[int, np.ndarray],
        feet: dict[int, float],
        points: dict[int, np.ndarray],
    ) -> None:
        """The other dancers in frame t: box coverage, or their mask and points where they come near a fan."""
        h, w = frame.shape[:2]
        for track in self.people.tracks:
            if track.id in self.replaced:
                continue
            near_t = _nearest(track, t, shot)
            if near_t is None:
                continue
            box = track.boxes[near_t].scaled(self.scale, self.scale)
            x0, y0 = max(0, int(box.x0)), max(0, int(box.y0))
            x1, y1 = min(w, int(np.ceil(box.x1))), min(h, int(np.ceil(box.y1)))
            if x1 <= x0 or y1 <= y0:
                continue
            feet[track.id] = box.y1
            close = any(_close((x0, y0, x1, y1), layer.box) for _, layer in layers)
            if close and near_t in track.landmarks:
                pose = self.landmarker.landmarks(frame, roi_around(track.landmarks[near_t] * self.scale))
                if pose.presence >= PRESENCE:
                    alpha[track.id] = pose.roi.mask_over(pose.mask, w, h)
                    points[track.id] = pose.landmarks
                    continue
            cover = np.zeros((h, w), np.float32)
            cover[y0:y1, x0:x1] = 1.0
            alpha[track.id] = cover


def _shot(cuts: list[int], t: int) -> tuple[int, int]:
    """The first frame of frame t's shot and the first frame of the next (a huge number for the last shot)."""
    i = bisect_right(cuts, t)
    return (cuts[i - 1] if i else 0), (cuts[i] if i < len(cuts) else 1 << 30)


def _nearest(track: Track, t: int, shot: tuple[int, int]) -> int | None:
    """The frame nearest t, within MAX_STEP and the same shot, where the tracking saw the dancer."""
    near = [u for u in range(t - MAX_STEP, t + MAX_STEP + 1) if shot[0] <= u < shot[1] and u in track.boxes]
    return min(near, key=lambda u: abs(u - t)) if near else None


def _seen(track: Track, t: int, shot: tuple[int, int]) -> bool:
    return _nearest(track, t, shot) is not None


def _in_pixels(pose: DancerPose, scale: float) -> DancerPose:
    """A follower's pose (tracking pixels) in output pixels; its ROI is already in them."""
    return DancerPose(
        pose.points * scale,
        pose.depth * scale,
        pose.visibility,
        round(pose.width * scale),
        round(pose.height * scale),
        pose.roi,
        pose.mask,
    )


def _feet(mask: np.ndarray, points: np.ndarray) -> float:
    """Where a dancer meets the floor: the bottom of their mask (their lowest landmark when it is empty)."""
    rows = np.flatnonzero(mask.max(1) >= 0.5)
    return float(rows[-1] + 1) if len(rows) else float(points[:, 1].max())


def _close(a: tuple[int, int, int, int], b: tuple[int, int, int, int]) -> bool:
    margin = NEAR * (b[3] - b[1])
    return a[0] < b[2] + margin and b[0] - margin < a[2] and a[1] < b[3] + margin and b[1] - margin < a[3]
