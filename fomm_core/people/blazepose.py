"""BlazePose (Bazarevsky et al., 2020) run through LiteRT: a person detector, then 33 landmarks and a mask per person.

The detector is an SSD over 2254 anchors; each detection carries the hips' centre and a point on the circle
around the whole body, which give a rotated square region of interest (ROI). The landmark model reads that
ROI at 256x256 and returns 39 points (33 body landmarks, then 2 that define the next frame's ROI, which is
how a person is tracked without re-detecting), a presence score and a person mask.
"""

from __future__ import annotations

import math
import threading
from dataclasses import dataclass

import cv2
import numpy as np

from .native_stderr import without_native_lines

DETECTOR_SIZE = 224
LANDMARK_SIZE = 256
ROI_SCALE = 1.25  # the ROI is the body circle's diameter times this
DETECTION_SCORE = 0.5
NMS_IOU = 0.3
XNNPACK_NOTICE = "Created TensorFlow Lite XNNPACK delegate"


@dataclass(frozen=True)
class Roi:
    """A rotated square in image pixels: centre, side, rotation (radians, clockwise as the image is drawn)."""

    cx: float
    cy: float
    side: float
    angle: float

    def to_image(self, points: np.ndarray) -> np.ndarray:
        """Points in the ROI's unit square ([0, 1]², N×2) -> image pixels."""
        c, s = math.cos(self.angle), math.sin(self.angle)
        u = (points[:, 0] - 0.5) * self.side
        v = (points[:, 1] - 0.5) * self.side
        return np.stack([self.cx + u * c - v * s, self.cy + u * s + v * c], axis=1)

    def affine(self, size: int) -> np.ndarray:
        """2×3 matrix taking image pixels to the ROI's size×size crop."""
        corners = self.to_image(np.array([[0.0, 0.0], [1.0, 0.0], [0.0, 1.0]]))
        return cv2.getAffineTransform(
            corners.astype(np.float32), np.array([[0, 0], [size, 0], [0, size]], np.float32)
        )

    def mask_over(self, mask: np.ndarray, width: int, height: int) -> np.ndarray:
        """A mask over the ROI's square crop (any size²) laid back over a width×height image (0 outside it)."""
        return cv2.warpAffine(
            mask,
            self.affine(mask.shape[0]),
            (width, height),
            flags=cv2.WARP_INVERSE_MAP | cv2.INTER_LINEAR,
            borderValue=0.0,
        )


def roi_from_points(centre: np.ndarray, edge: np.ndarray) -> Roi:
    """The ROI from the body's centre and a point on its circle: upright along centre -> edge, scaled."""
    dx, dy = edge - centre
    angle = math.pi / 2 - math.atan2(-dy, dx)
    angle = (angle + math.pi) % (2 * math.pi) - math.pi
    return Roi(float(centre[0]), float(centre[1]), 2 * math.hypot(dx, dy) * ROI_SCALE, angle)


@dataclass(frozen=True)
class Detection:
    """One detector hit: score, box (x0, y0, x1, y1) and its ROI, in image pixels."""

    score: float
    box: tuple[float, float, float, float]
    roi: Roi


@dataclass(frozen=True)
class Pose:
    """The landmark model's answer for one ROI, in image pixels."""

    landmarks: np.ndarray  # 33×2 (x, y)
    visibility: np.ndarray  # 33, in [0, 1]: the point is seen (not hidden, inside the ROI)
    presence: float  # the ROI holds a person
    next_roi: Roi  # where to look in the next frame
    roi: Roi
    mask: np.ndarray  # LANDMARK_SIZE² float32 in [0, 1], in the ROI's frame
    crop: np.ndarray  # the ROI as the model saw it, LANDMARK_SIZE² RGB uint8
    depth: np.ndarray | None = (
        None  # 33, image pixels: each landmark's depth, smaller nearer (hips' centre ≈ 0)
    )


def _anchors() -> np.ndarray:
    """The detector's anchor centres (2254×2, unit coordinates): 2 per cell at strides 8 and 16, 6 at 32."""
    centres = []
    for stride, per_cell in ((8, 2), (16, 2), (32, 6)):
        n = DETECTOR_SIZE // stride
        ys, xs = np.mgrid[0:n, 0:n]
        grid = np.stack([(xs + 0.5) / n, (ys + 0.5) / n], axis=-1).reshape(-1, 1, 2)
        centres.append(np.repeat(grid, per_cell, axis=1).reshape(-1, 2))
    return np.concatenate(centres).astype(np.float32)


ANCHORS = _anchors()


class BlazePose:
    """The two networks, loaded once; `detect` finds people, `landmarks` reads one person's ROI.

    One call at a time runs each network (LiteRT interpreters are not thread-safe; the app serves several
    requests at once).
    """

    def __init__(self, detector_path: str, landmark_path: str, threads: int = 2):
        from ai_edge_litert.interpreter import Interpreter

        with without_native_lines(XNNPACK_NOTICE):  # LiteRT says it on every interpreter it makes
            self._detector = Interpreter(model_path=detector_path, num_threads=threads)
            self._landmarker = Interpreter(model_path=landmark_path, num_threads=threads)
            for net in (self._detector, self._landmarker):
                net.allocate_tensors()
        self._det_in = self._detector.get_input_details()[0]["index"]
        self._det_out = [d["index"] for d in self._detector.get_output_details()]
        self._lm_in = self._landmarker.get_input_details()[0]["index"]
        self._lm_out = [d["index"] for d in self._landmarker.get_output_details()]
        self._detector_lock, self._landmarker_lock = threading.Lock(), threading.Lock()

    def detect(self, image: np.ndarray) -> list[Detection]:
        """Every person the detector finds in an RGB uint8 image, best first (weighted non-maximum suppression)."""
        h, w = image.shape[:2]
        scale = DETECTOR_SIZE / max(h, w)
        # letterbox: the image scaled into a square, centred, black around it
        sw, sh = max(1, round(w * scale)), max(1, round(h * scale))
        left, top = (DETECTOR_SIZE - sw) // 2, (DETECTOR_SIZE - sh) // 2
        square = np.zeros((DETECTOR_SIZE, DETECTOR_SIZE, 3), np.uint8)
        square[top : top + sh, left : left + sw] = cv2.resize(image, (sw, sh), interpolation=cv2.INTER_AREA)
        scale_x, scale_y = sw / w, sh / h
        x = square.astype(np.float32)[None] / 127.5 - 1.0
        with self._detector_lock:
            self._detector.set_tensor(self._det_in, x)
            self._detector.invoke()
            raw = self._detector.get_tensor(self._det_out[0])[0].copy()
            logits = self._detector.get_tensor(self._det_out[1])[0, :, 0].copy()
        scores = _sigmoid(logits)
        keep = np.flatnonzero(scores >= DETECTION_SCORE)
        if keep.size == 0:
            return []
        coords = raw[keep] / DETECTOR_SIZE
        centres = ANCHORS[keep]
        boxes = np.concatenate(
            [centres + coords[:, 0:2] - coords[:, 2:4] / 2, centres + coords[:, 0:2] + coords[:, 2:4] / 2],
            axis=1,
        )
        keypoints = centres[:, None] + coords[:, 4:12].reshape(-1, 4, 2)
        shift, scales = np.array([left, top], np.float32), np.array([scale_x, scale_y], np.float32)
        boxes = (boxes * DETECTOR_SIZE - np.tile(shift, 2)) / np.tile(scales, 2)
        keypoints = (keypoints * DETECTOR_SIZE - shift) / scales
        found = []
        for members, weights in _weighted_nms(boxes, scores[keep]):
            box = (boxes[members] * weights[:, None]).sum(0)
            kp = (keypoints[members] * weights[:, None, None]).sum(0)
            found.append(
                Detection(
                    float(scores[keep][members[0]]),
                    tuple(float(v) for v in box),
                    roi_from_points(kp[0], kp[1]),
                )
            )
        return found

    def landmarks(self, image: np.ndarray, roi: Roi) -> Pose:
        """The person's 33 landmarks, visibility, presence and mask inside `roi` of an RGB uint8 image."""
        crop = cv2.warpAffine(
            image,
            roi.affine(LANDMARK_SIZE),
            (LANDMARK_SIZE, LANDMARK_SIZE),
            flags=cv2.INTER_LINEAR,
            borderMode=cv2.BORDER_CONSTANT,
        )
        with self._landmarker_lock:
            self._landmarker.set_tensor(self._lm_in, crop.astype(np.float32)[None] / 255.0)
            self._landmarker.invoke()
            raw = self._landmarker.get_tensor(self._lm_out[0])[0].reshape(39, 5).copy()
            presence = float(self._landmarker.get_tensor(self._lm_out[1]).ravel()[0])
            mask_logits = self._landmarker.get_tensor(self._lm_out[2])[0, :, :, 0].copy()
        points = roi.to_image(raw[:, :2] / LANDMARK_SIZE)
        visibility = _sigmoid(raw[:33, 3])
        return Pose(
            landmarks=points[:33],
            visibility=visibility,
            presence=presence,
            next_roi=roi_from_points(points[33], points[34]),
            roi=roi,
            mask=_sigmoid(mask_logits).astype(np.float32),
            crop=crop,
            depth=raw[:33, 2] * (roi.side / LANDMARK_SIZE),
        )


def _weighted_nms(boxes: np.ndarray, scores: np.ndarray) -> list[tuple[np.ndarray, np.ndarray]]:
    """Groups of overlapping boxes (best first) with their score weights; each group is one detection."""
    order = np.argsort(-scores)
    groups = []
    while order.size:
        best = boxes[order[0]]
        overlap = _iou(best, boxes[order])
        members = order[overlap > NMS_IOU]
        members = members if members.size else order[:1]
        weights = scores[members] / scores[members].sum()
        groups.append((members, weights))
        order = order[overlap <= NMS_IOU]
        order = order[order != members[0]]
    return groups


def _iou(box: np.ndarray, boxes: np.ndarray) -> np.ndarray:
    w = np.clip(np.minimum(box[2], boxes[:, 2]) - np.maximum(box[0], boxes[:, 0]), 0, None)
    h = np.clip(np.minimum(box[3], boxes[:, 3]) - np.maximum(box[1], boxes[:, 1]), 0, None)
    inter = w * h
    area = (box[2] - box[0]) * (box[3] - box[1])
    areas = (boxes[:, 2] - boxes[:, 0]) * (boxes[:, 3] - boxes[:, 1])
    return inter / np.maximum(area + areas - inter, 1e-9)


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 1 / (1 + np.exp(-np.clip(x, -60, 60)))
