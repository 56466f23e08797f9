"""BlazeFace full range (Bazarevsky et al., 2019), run through LiteRT: every face in a picture at once.

The BlazePose detector answers best for the most prominent person; this one, an SSD over a 48×48 grid of
anchors on a 192×192 input, finds small and crowded faces too. Each face seeds the landmark model's search
for that person's body (fomm_core.people.photo).
"""

from __future__ import annotations

import threading

import cv2
import numpy as np

from ..geometry import Box

SIZE = 192
STRIDE = 4
FACE_SCORE = 0.6
FACE_NMS_IOU = 0.3


def _anchors() -> np.ndarray:
    n = SIZE // STRIDE
    ys, xs = np.mgrid[0:n, 0:n]
    return np.stack([(xs + 0.5) / n, (ys + 0.5) / n], axis=-1).reshape(-1, 2).astype(np.float32)


ANCHORS = _anchors()


class BlazeFace:
    """The face detector, loaded once; one call at a time (LiteRT interpreters are not thread-safe)."""

    def __init__(self, path: str, threads: int = 2):
        from ai_edge_litert.interpreter import Interpreter

        self._net = Interpreter(model_path=path, num_threads=threads)
        self._net.allocate_tensors()
        self._in = self._net.get_input_details()[0]["index"]
        self._out = [d["index"] for d in self._net.get_output_details()]
        self._lock = threading.Lock()

    def detect(self, image: np.ndarray) -> list[tuple[float, Box]]:
        """(score, face box in image pixels) for every face in an RGB uint8 image, best first."""
        h, w = image.shape[:2]
        scale = SIZE / max(h, w)
        sw, sh = max(1, round(w * scale)), max(1, round(h * scale))
        left, top = (SIZE - sw) // 2, (SIZE - sh) // 2
        square = np.zeros((SIZE, SIZE, 3), np.uint8)
        square[top : top + sh, left : left + sw] = cv2.resize(image, (sw, sh), interpolation=cv2.INTER_AREA)
        with self._lock:
            self._net.set_tensor(self._in, square.astype(np.float32)[None] / 127.5 - 1.0)
            self._net.invoke()
            raw = self._net.get_tensor(self._out[0])[0, :, :4].copy()
            logits = self._net.get_tensor(self._out[1])[0, :, 0].copy()
        scores = 1 / (1 + np.exp(-np.clip(logits, -60, 60)))
        keep = np.flatnonzero(scores >= FACE_SCORE)
        centres = (ANCHORS[keep] + raw[keep, :2] / SIZE) * SIZE
        sizes = raw[keep, 2:4]
        corners = np.concatenate([centres - sizes / 2, centres + sizes / 2], axis=1)
        corners = (corners - [left, top, left, top]) / [sw / w, sh / h, sw / w, sh / h]
        faces: list[tuple[float, Box]] = []
        for i in np.argsort(-scores[keep]):
            box = Box(*(float(v) for v in corners[i]))
            if all(box.iou(other) <= FACE_NMS_IOU for _, other in faces):
                faces.append((float(scores[keep][i]), box))
        return faces
