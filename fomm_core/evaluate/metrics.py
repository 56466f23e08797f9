"""Per-clip quality metrics on videos (T×H×W×3 float32 in [0, 1]).

Definitions (every number in the evaluation report is one of these):
- `l1`: mean absolute difference over all pixels, channels and frames.
- `psnr`: 10·log10(1 / MSE) with the MSE over the whole clip; +inf when the clips are identical.
- `person_l1`: L1 inside the person region only: the person (see `identity_distance`) in the expected frame
  or in the photo, grown by 4 pixels; it separates the animation of the person from the background.
- `ssim`: structural similarity (Wang et al. 2004) with an 11-tap Gaussian window (σ = 1.5), K1 = 0.01,
  K2 = 0.03, data range 1, per channel, averaged over the valid (unpadded) window positions and frames.
- `excess_flicker`: temporal stability. D(t) = mean |f(t) − f(t−1)| is a clip's frame-to-frame change; the
  metric is mean over t of max(0, D_out(t) − D_ref(t)): change in the result that the reference clip's own
  change does not explain (reference = the expected video when known, else the driving clip).
- `identity_distance`: identity preservation by colour. The person region of an image is every pixel whose
  colour differs by more than 30/255 (any channel) from the framing's plain-background model (each row
  interpolated between its left and right edge colours; the proposal assumes simple backgrounds); its
  colours are binned in an 8×8×8 RGB histogram; the distance is the Hellinger distance (0 = same colours,
  1 = disjoint) between the photo's person and each result frame's person, averaged over frames.
- `motion_error`: motion fidelity by the model's own keypoint detector, in pixels at the model's frame size:
  the mean distance between the result's keypoint displacements from its first frame and the driving clip's,
  the latter scaled by √(hull area of the photo's keypoints / hull area of the first driving frame's), the
  motion a relative animation with adapt-scale should reproduce. Caveat: the generator was trained to make
  frames its own detector reads as the keypoints it was given, so its results can score below the ground
  truth's own error (the report shows that floor); it measures "follows the keypoints", not realism.
- `perceptual`: mean over the five layers of the mean |φ(result) − φ(expected)| with φ = VGG19 relu1_1…relu5_1
  features (ImageNet weights, fomm_core.networks.vgg19); computed only when those weights can be loaded.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable

import cv2
import numpy as np
import torch

from ..framing.heuristic import edge_background
from ..motion import convex_hull_area

FOREGROUND_THRESHOLD = 30
PERSON_MARGIN = 4
SSIM_SIGMA = 1.5
SSIM_TAPS = 11

FeatureFn = Callable[[torch.Tensor], list[torch.Tensor]]


def _check_pair(a: np.ndarray, b: np.ndarray) -> None:
    if a.shape != b.shape:
        raise ValueError(f"videos differ in shape: {a.shape} vs {b.shape}")


def l1(result: np.ndarray, expected: np.ndarray) -> float:
    """Mean absolute difference."""
    _check_pair(result, expected)
    return float(np.mean(np.abs(result.astype(np.float64) - expected.astype(np.float64))))


def psnr(result: np.ndarray, expected: np.ndarray, peak: float = 1.0) -> float:
    """Peak signal-to-noise ratio in dB over the whole clip; +inf for identical clips."""
    _check_pair(result, expected)
    mse = float(np.mean((result.astype(np.float64) - expected.astype(np.float64)) ** 2))
    if mse == 0.0:
        return math.inf
    return 10.0 * math.log10(peak * peak / mse)


def _gaussian_taps(taps: int = SSIM_TAPS, sigma: float = SSIM_SIGMA) -> np.ndarray:
    x = np.arange(taps, dtype=np.float64) - (taps - 1) / 2
    g = np.exp(-(x**2) / (2 * sigma**2))
    return g / g.sum()


def ssim(result: np.ndarray, expected: np.ndarray) -> float:
    """Mean SSIM of two clips (or two images) with a Gaussian window."""
    _check_pair(result, expected)
    a = result[None] if result.ndim == 3 else result
    b = expected[None] if expected.ndim == 3 else expected
    if min(a.shape[1:3]) < SSIM_TAPS:
        raise ValueError(f"frames must be at least {SSIM_TAPS} pixels on each side for SSIM")
    c1, c2 = 0.01**2, 0.03**2
    taps = _gaussian_taps()
    r = SSIM_TAPS // 2

    def blur(img: np.ndarray) -> np.ndarray:
        # Any border mode will do: only positions whose whole window lies inside the image are kept.
        return cv2.sepFilter2D(img, cv2.CV_64F, taps, taps)[r:-r, r:-r]

    total, count = 0.0, 0
    for x, y in zip(a.astype(np.float64), b.astype(np.float64), strict=True):
        mx, my = blur(x), blur(y)
        vx = blur(x * x) - mx * mx
        vy = blur(y * y) - my * my
        cxy = blur(x * y) - mx * my
        s = ((2 * mx * my + c1) * (2 * cxy + c2)) / ((mx * mx + my * my + c1) * (vx + vy + c2))
        total += float(s.sum())
        count += s.size
    return total / count


def person_l1(
    result: np.ndarray, expected: np.ndarray, photo: np.ndarray, margin: int = PERSON_MARGIN
) -> float:
    """Mean absolute difference inside the person region: each expected frame's person ∪ the photo's person,
    grown by `margin` pixels (the whole frame when no person is found)."""
    _check_pair(result, expected)
    kernel = np.ones((2 * margin + 1, 2 * margin + 1), np.uint8)
    photo_mask = person_mask(photo)
    total, count = 0.0, 0
    for r, e in zip(result, expected, strict=True):
        region = cv2.dilate((person_mask(e) | photo_mask).astype(np.uint8), kernel) > 0
        if not region.any():
            region[:] = True
        total += float(np.abs(r[region].astype(np.float64) - e[region]).sum())
        count += int(region.sum()) * r.shape[-1]
    return total / count


def frame_changes(video: np.ndarray) -> np.ndarray:
    """D(t) = mean |f(t) − f(t−1)| for t = 1…T−1."""
    v = video.astype(np.float32)
    return np.abs(np.diff(v, axis=0)).reshape(len(v) - 1, -1).mean(axis=1)


def excess_flicker(result: np.ndarray, reference: np.ndarray) -> float:
    """Mean frame-to-frame change of the result beyond the reference clip's own change."""
    if len(result) != len(reference):
        raise ValueError(f"clips differ in length: {len(result)} vs {len(reference)}")
    if len(result) < 2:
        return 0.0
    return float(np.mean(np.maximum(0.0, frame_changes(result) - frame_changes(reference))))


def person_mask(image: np.ndarray, threshold: int = FOREGROUND_THRESHOLD) -> np.ndarray:
    """Pixels differing by more than `threshold` (of 255, any channel) from the plain-background model."""
    u8 = np.clip(np.asarray(image) * 255.0 + 0.5, 0, 255).astype(np.uint8)
    background, _ = edge_background(u8)
    return np.abs(u8.astype(np.float32) - background).max(axis=-1) > threshold


def colour_histogram(image: np.ndarray, mask: np.ndarray | None = None, bins: int = 8) -> np.ndarray:
    """Normalised bins³ RGB histogram of the masked pixels (all pixels when the mask is empty or None)."""
    pixels = image.reshape(-1, 3)
    if mask is not None and mask.any():
        pixels = pixels[mask.reshape(-1)]
    idx = np.clip((pixels * bins).astype(np.int64), 0, bins - 1)
    flat = (idx[:, 0] * bins + idx[:, 1]) * bins + idx[:, 2]
    hist = np.bincount(flat, minlength=bins**3).astype(np.float64)
    return hist / hist.sum()


def hellinger(p: np.ndarray, q: np.ndarray) -> float:
    """Hellinger distance of two normalised histograms, in [0, 1]."""
    bc = float(np.sum(np.sqrt(p * q)))
    return math.sqrt(max(0.0, 1.0 - bc))


def identity_distance(photo: np.ndarray, result: np.ndarray) -> float:
    """Mean Hellinger distance between the colour histograms of the photo's person and each frame's person."""
    ref = colour_histogram(photo, person_mask(photo))
    return float(np.mean([hellinger(ref, colour_histogram(f, person_mask(f))) for f in result]))


def trajectory_error(
    kp_result: np.ndarray, kp_reference: np.ndarray, frame_size: int, scale: float = 1.0
) -> float:
    """Mean distance (pixels) between two T×K×2 keypoint tracks in [-1, 1], each relative to its first frame,
    the reference's displacements multiplied by `scale`."""
    if kp_result.shape != kp_reference.shape:
        raise ValueError(f"keypoint tracks differ in shape: {kp_result.shape} vs {kp_reference.shape}")
    d_res = kp_result - kp_result[:1]
    d_ref = (kp_reference - kp_reference[:1]) * scale
    return float(np.mean(np.linalg.norm(d_res - d_ref, axis=-1)) * frame_size / 2)


def motion_scale(kp_photo: np.ndarray, kp_initial: np.ndarray) -> float:
    """√(hull area of the photo's keypoints / hull area of the first driving frame's), 1 when degenerate."""
    a, b = convex_hull_area(kp_photo), convex_hull_area(kp_initial)
    return math.sqrt(a / b) if a > 0 and b > 0 else 1.0


def model_keypoints(model: object, video: np.ndarray, batch_size: int = 16) -> np.ndarray:
    """T×K×2 keypoint positions of a clip by the model's own detector."""
    out = []
    with torch.no_grad():
        for i in range(0, len(video), batch_size):
            frames = model.to_tensor(video[i : i + batch_size])
            kp = model.detect_keypoints(frames)
            out.append(model.keypoint_positions(kp).float().cpu().numpy())
    return np.concatenate(out)


def perceptual_extractor() -> tuple[FeatureFn | None, str]:
    """(VGG19 feature function or None, a note saying which weights were used or why the metric is skipped)."""
    try:
        from ..networks.vgg19 import VGG19_REPO, load_vgg19
    except ImportError:
        return (
            None,
            "perceptual distance skipped: this install has no VGG19 loader (fomm_core.networks.vgg19)",
        )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        net = load_vgg19("cpu")
    if net is None:
        return None, (
            f"perceptual distance skipped: the VGG19 ImageNet weights ({VGG19_REPO}) are neither "
            "cached nor downloadable here"
        )
    return net, f"perceptual distance: VGG19 ImageNet features relu1_1…relu5_1 ({VGG19_REPO})"


def perceptual(features: FeatureFn, result: np.ndarray, expected: np.ndarray, batch_size: int = 8) -> float:
    """Mean over layers of the mean |φ(result) − φ(expected)| for a feature function φ of images in [0, 1]."""
    _check_pair(result, expected)
    total = 0.0
    with torch.no_grad():
        for i in range(0, len(result), batch_size):
            x = torch.from_numpy(np.ascontiguousarray(result[i : i + batch_size])).float().permute(0, 3, 1, 2)
            y = (
                torch.from_numpy(np.ascontiguousarray(expected[i : i + batch_size]))
                .float()
                .permute(0, 3, 1, 2)
            )
            fx, fy = features(x), features(y)
            total += sum(float((a - b).abs().mean()) for a, b in zip(fx, fy, strict=True)) / len(fx) * len(x)
    return total / len(result)
