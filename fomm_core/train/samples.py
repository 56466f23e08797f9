"""PNG sample sheets of a training batch: source, driving, deformed source, prediction, occlusion map."""

from __future__ import annotations

import os
from pathlib import Path

import cv2
import numpy as np
import torch
import torch.nn.functional as F

_COLOURS = [
    tuple(int(c) for c in cv2.cvtColor(np.uint8([[[h, 220, 255]]]), cv2.COLOR_HSV2RGB)[0, 0])
    for h in range(0, 180, 18)
]


def _image(t: torch.Tensor, size: int) -> np.ndarray:
    """3×h×w or 1×h×w tensor in [0, 1] → size×size×3 uint8."""
    t = t.detach().float().cpu()
    if t.shape[0] == 1:
        t = t.expand(3, -1, -1)
    if t.shape[1:] != (size, size):
        t = F.interpolate(t[None], size=(size, size), mode="bilinear", align_corners=False)[0]
    return np.ascontiguousarray((t.clamp(0, 1).permute(1, 2, 0).numpy() * 255).round().astype(np.uint8))


def _draw_keypoints(image: np.ndarray, kp: torch.Tensor) -> np.ndarray:
    size = image.shape[0]
    radius = max(1, size // 64)
    for i, (x, y) in enumerate(kp.detach().float().cpu().tolist()):
        centre = (int(round((x + 1) / 2 * (size - 1))), int(round((y + 1) / 2 * (size - 1))))
        cv2.circle(image, centre, radius, _COLOURS[i % len(_COLOURS)], -1, lineType=cv2.LINE_AA)
    return image


def sample_sheet(
    batch: dict[str, torch.Tensor], generated: dict[str, torch.Tensor], rows: int = 4
) -> np.ndarray:
    """An RGB uint8 grid, one row per batch item: source+kp, driving+kp, deformed, prediction, occlusion."""
    size = batch["source"].shape[-1]
    lines = []
    for i in range(min(rows, batch["source"].shape[0])):
        cells = [
            _draw_keypoints(_image(batch["source"][i], size), generated["kp_source"][i]),
            _draw_keypoints(_image(batch["driving"][i], size), generated["kp_driving"][i]),
            _image(generated["deformed"][i], size),
            _image(generated["prediction"][i], size),
        ]
        if "occlusion_map" in generated:
            cells.append(_image(generated["occlusion_map"][i], size))
        lines.append(np.concatenate(cells, axis=1))
    return np.concatenate(lines, axis=0)


def write_sample_sheet(
    path: str | Path, batch: dict[str, torch.Tensor], generated: dict[str, torch.Tensor]
) -> None:
    """Write `sample_sheet` as a PNG (atomically)."""
    path = Path(path)
    tmp = path.with_name(path.stem + ".tmp.png")
    cv2.imwrite(str(tmp), cv2.cvtColor(sample_sheet(batch, generated), cv2.COLOR_RGB2BGR))
    os.replace(tmp, path)
