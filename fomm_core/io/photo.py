"""Loading the person's photo: any common format, EXIF orientation, alpha/grayscale/CMYK handled, size capped."""

from __future__ import annotations

import io
import os
import subprocess
import warnings
from pathlib import Path

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

from ..errors import UserError
from .ffmpeg import IMAGE_FORMATS, check_file, count_frames, ffmpeg_exe, file_arg, parse_probe, run
from .video import fit_size

#: Photos are downscaled so their longer side is at most this many pixels.
MAX_PHOTO_SIDE = 2048
MIN_PHOTO_SIDE = 32
FORMATS_HINT = "Upload a JPG, PNG or WebP photo"
PHOTO_EXTENSIONS = ("jpg", "jpeg", "png", "webp", "heic", "heif", "avif", "bmp", "tif", "tiff", "gif")


def load_photo(
    photo: str | os.PathLike | np.ndarray | Image.Image, max_side: int = MAX_PHOTO_SIDE, label: str = "photo"
) -> np.ndarray:
    """The photo as uint8 H×W×3 RGB: upright (EXIF), transparency on white, longer side ≤ `max_side`.

    Accepts a path (jpg, png, webp, avif, bmp, tiff, ...; formats Pillow lacks, such as HEIC, are tried
    through ffmpeg), a PIL image, or an array (uint8, or float in [0, 1]; gray, RGB or RGBA).
    """
    if isinstance(photo, np.ndarray):
        image = _array_to_rgb(photo)
    else:
        pil = _open(photo, label) if not isinstance(photo, Image.Image) else photo
        image = _pil_to_rgb(pil, max_side) if pil is not None else _ffmpeg_image(Path(photo), max_side, label)
    h, w = image.shape[:2]
    if min(h, w) < MIN_PHOTO_SIDE:
        raise UserError(
            f"The {label} is too small ({w}×{h} pixels). Upload a photo at least 256 pixels tall."
        )
    if max(h, w) > max_side:
        image = np.asarray(Image.fromarray(image).resize(fit_size(w, h, max_side), Image.LANCZOS))
    return np.ascontiguousarray(image)


def _open(path: str | os.PathLike, label: str) -> Image.Image | None:
    """The opened image, or None when Pillow does not know the format (ffmpeg gets a try)."""
    p = check_file(path, label)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            image = Image.open(p)
            image.load()
    except UnidentifiedImageError:
        return None
    except Image.DecompressionBombError as exc:
        raise UserError(
            f"The {label} '{p.name}' is too large to open safely ({exc}). "
            "Upload a smaller photo (under 50 megapixels)."
        ) from None
    except (OSError, SyntaxError, ValueError) as exc:
        raise UserError(
            f"The {label} '{p.name}' is damaged and could not be read ({exc}). {FORMATS_HINT}."
        ) from None
    return image


def _pil_to_rgb(image: Image.Image, max_side: int) -> np.ndarray:
    if image.format == "JPEG":
        image.draft("RGB", (max_side, max_side))  # decode large JPEGs at a reduced scale directly
    image = ImageOps.exif_transpose(image)
    if image.mode in ("I;16", "I;16B", "I;16L", "I", "F"):
        return _array_to_rgb(_to_unit(np.asarray(image)))
    if image.mode in ("RGBA", "LA", "PA", "RGBa", "La") or (
        image.mode == "P" and "transparency" in image.info
    ):
        return _array_to_rgb(np.asarray(image.convert("RGBA")))
    if image.mode != "RGB":
        image = image.convert("RGB")
    if max(image.size) > max_side:
        image.thumbnail((max_side, max_side), Image.LANCZOS)
    return np.asarray(image)


def _to_unit(a: np.ndarray) -> np.ndarray:
    """High-bit-depth gray pixels scaled to float [0, 1]."""
    a = a.astype(np.float32)
    top = a.max(initial=0.0)
    return a / (1.0 if top <= 1.0 else 255.0 if top <= 255.0 else 65535.0)


def _array_to_rgb(a: np.ndarray) -> np.ndarray:
    """Gray/RGB/RGBA uint8 or float [0, 1] array → uint8 RGB, alpha composited on white."""
    a = np.asarray(a)
    if a.ndim == 2:
        a = a[..., None]
    if a.ndim != 3 or a.shape[2] not in (1, 2, 3, 4):
        raise UserError(f"The photo array has shape {a.shape}; expected H×W, H×W×3 or H×W×4.")
    a = a.astype(np.float32) / 255.0 if a.dtype == np.uint8 else np.clip(a.astype(np.float32), 0.0, 1.0)
    if a.shape[2] in (2, 4):
        alpha = a[..., -1:]
        a = a[..., :-1] * alpha + (1.0 - alpha)
    if a.shape[2] == 1:
        a = np.repeat(a, 3, axis=2)
    return (a * 255.0 + 0.5).astype(np.uint8)


def _ffmpeg_image(path: Path, max_side: int, label: str) -> np.ndarray:
    """Decode a still image Pillow cannot read (e.g. HEIC) with ffmpeg, or explain what the file is."""
    info = parse_probe(run(["-i", file_arg(path)], timeout=60).stderr)
    if info.video_index is None:
        ext = path.suffix.lower().lstrip(".")
        kind = (
            "audio, not a photo"
            if info.has_audio
            else f"not an image (.{ext} files are not photos)"
            if ext and ext not in PHOTO_EXTENSIONS
            else "not an image we can read: it is damaged or in an unknown format"
        )
        raise UserError(f"The {label} '{path.name}' is {kind}. {FORMATS_HINT}.")
    if info.format not in IMAGE_FORMATS and count_frames(path, info.video_index) > 1:
        raise UserError(
            f"The {label} '{path.name}' is a video, not a photo. {FORMATS_HINT} of the person "
            "(the dance video goes in the dance clip field)."
        )
    cmd = [
        ffmpeg_exe(),
        "-hide_banner",
        "-nostdin",
        "-loglevel",
        "error",
        "-i",
        file_arg(path),
        "-frames:v",
        "1",
        "-f",
        "image2pipe",
        "-c:v",
        "png",
        "pipe:1",
    ]
    out = subprocess.run(cmd, capture_output=True, timeout=60, check=False).stdout
    try:
        image = Image.open(io.BytesIO(out))
        image.load()
    except (OSError, UnidentifiedImageError):
        raise UserError(f"The {label} '{path.name}' could not be decoded. {FORMATS_HINT}.") from None
    return _pil_to_rgb(image, max_side)
