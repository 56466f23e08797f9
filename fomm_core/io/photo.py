"""Loading the person's photo: any common format, EXIF orientation, alpha/grayscale/CMYK handled, size capped."""

from __future__ import annotations

import io
import os
import re
import subprocess
import warnings
from collections.abc import Callable
from pathlib import Path

import numpy as np
from PIL import ExifTags, Image, UnidentifiedImageError

from ..errors import UserError
from .decode_turn import decode_turn
from .ffmpeg import IMAGE_FORMATS, check_file, count_frames, ffmpeg_exe, file_arg, parse_probe, run
from .video import fit_size

#: Photos are downscaled so their longer side is at most this many pixels.
MAX_PHOTO_SIDE = 2048
#: Photos stating more pixels than this in their header are refused before decoding (a 40 MP decode of RGBA
#: takes 160 MB; phone photos are 12-50 MP... 48-50 MP ones are binned to 12 MP by the phone itself).
MAX_PHOTO_PIXELS = 40_000_000
MIN_PHOTO_SIDE = 32
FORMATS_HINT = "Upload a JPG, PNG or WebP photo"
PHOTO_EXTENSIONS = ("jpg", "jpeg", "png", "webp", "heic", "heif", "avif", "bmp", "tif", "tiff", "gif")


def load_photo(
    photo: str | os.PathLike | np.ndarray | Image.Image, max_side: int = MAX_PHOTO_SIDE, label: str = "photo"
) -> np.ndarray:
    """The photo as uint8 H×W×3 RGB: upright (EXIF), transparency on white, longer side ≤ `max_side`.

    Accepts a path (jpg, png, webp, avif, bmp, tiff, ...; formats Pillow lacks, such as HEIC, are tried
    through ffmpeg), a PIL image, or an array (uint8, or float in [0, 1]; gray, RGB or RGBA). A file's size is
    read from its header first: over MAX_PHOTO_PIXELS it is refused before decoding, and a larger one than the
    working size is decoded in the one large-decode turn (fomm_core.io.decode_turn) and shrunk while still in
    its own pixel type, so memory stays bounded whatever is uploaded. SVG drawings are refused at any size.
    """
    if isinstance(photo, np.ndarray):
        image = _array_to_rgb(photo)
    elif isinstance(photo, Image.Image):
        image = _pil_to_rgb(photo, max_side)
    else:
        pil = _open(photo, label)
        if pil is None:
            image = _ffmpeg_image(Path(photo), max_side, label)
        else:
            with decode_turn(pil.width * pil.height):
                image = _pil_to_rgb(pil, max_side, Path(photo).name, label)
    h, w = image.shape[:2]
    if min(h, w) < MIN_PHOTO_SIDE:
        raise UserError(
            f"The {label} is too small ({w}×{h} pixels). Upload a photo at least 256 pixels tall."
        )
    if max(h, w) > max_side:
        image = np.asarray(Image.fromarray(image).resize(fit_size(w, h, max_side), Image.LANCZOS))
    return np.ascontiguousarray(image)


def _is_svg(path: Path) -> bool:
    """Whether the file is an SVG drawing (by its name, or by an <svg> element near its start)."""
    if path.suffix.lower() in (".svg", ".svgz"):
        return True
    with open(path, "rb") as f:
        head = f.read(4096).lower()
    return b"<svg" in head


def _too_large(name: str, label: str, width: int | None, height: int | None, pixels: int) -> UserError:
    size = f"{width}×{height} pixels, " if width and height else ""
    return UserError(
        f"The {label} '{name}' is too large: {size}{pixels / 1e6:.0f} megapixels, over the "
        f"{MAX_PHOTO_PIXELS // 1_000_000}-megapixel limit for photos. Upload a smaller photo (a phone photo of "
        "12 megapixels is fine), or shrink it first."
    )


def check_pixels(name: str, label: str, width: int, height: int) -> None:
    """Refuse a photo whose header states more than MAX_PHOTO_PIXELS, naming the limit."""
    if width * height > MAX_PHOTO_PIXELS:
        raise _too_large(name, label, width, height, width * height)


def _open(path: str | os.PathLike, label: str) -> Image.Image | None:
    """The image with only its header read (size checked), or None when Pillow does not know the format."""
    p = check_file(path, label)
    if _is_svg(p):
        raise UserError(
            f"The {label} '{p.name}' is a drawing (SVG), not a photo. {FORMATS_HINT} of the person."
        )
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            image = Image.open(p)
    except UnidentifiedImageError:
        return None
    except Image.DecompressionBombError as exc:  # Pillow's own refusal, far above ours
        pixels = re.search(r"\((\d+) pixels\)", str(exc))
        raise _too_large(
            p.name, label, None, None, int(pixels[1]) if pixels else MAX_PHOTO_PIXELS + 1
        ) from None
    except (OSError, SyntaxError, ValueError) as exc:
        raise _damaged(p.name, label, exc) from None
    check_pixels(p.name, label, *image.size)
    return image


def _damaged(name: str, label: str, exc: BaseException) -> UserError:
    return UserError(f"The {label} '{name}' is damaged and could not be read ({exc}). {FORMATS_HINT}.")


# EXIF orientation → the transpose that makes the picture upright
_UPRIGHT = {
    2: Image.Transpose.FLIP_LEFT_RIGHT,
    3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_270,
    7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_90,
}
# Modes Pillow shrinks without a full-size copy; the others are converted band by band as they are shrunk
_REDUCIBLE = ("L", "RGB", "I", "F")
_ALPHA = ("RGBA", "LA", "PA", "RGBa", "La")
#: Pixels converted at a time when a mode must change before shrinking (RGBA, 16-bit, CMYK, palette, ...)
BAND_PIXELS = 1 << 20


def _pil_to_rgb(image: Image.Image, max_side: int, name: str = "", label: str = "photo") -> np.ndarray:
    """Decode, shrink to the working size in 8 bits (or the one 16/32-bit channel) per pixel, then turn upright
    and into RGB: no full-size float or second full-size copy is ever made."""
    if image.format == "JPEG":
        image.draft("RGB", (max_side, max_side))  # decode large JPEGs at a reduced scale directly
    try:
        orientation = image.getexif().get(ExifTags.Base.Orientation)
        image.load()
    except (OSError, SyntaxError, ValueError) as exc:
        raise _damaged(name, label, exc) from None
    factor = max(1, max(image.size) // max_side)
    if image.mode in _REDUCIBLE:
        image = image.reduce(factor) if factor > 1 else image
    else:
        image = _reduce_in_bands(image, factor, _converter(image))
    if max(image.size) > max_side:
        image = image.resize(fit_size(*image.size, max_side), Image.LANCZOS)
    if orientation in _UPRIGHT:
        image = image.transpose(_UPRIGHT[orientation])
    if image.mode in ("I", "F"):
        return _array_to_rgb(_to_unit(np.asarray(image)))
    return np.asarray(image.convert("RGB"))


def _converter(image: Image.Image) -> Callable[[Image.Image], Image.Image]:
    """How a band of `image` becomes one of the reducible modes: on white when transparent, else RGB or I."""
    if image.mode in _ALPHA or (image.mode == "P" and "transparency" in image.info):
        return _on_white
    if image.mode.startswith("I;16"):
        return lambda band: band.convert("I")
    return lambda band: band.convert("RGB")


def _on_white(band: Image.Image) -> Image.Image:
    """A band with transparency composited on white, as RGB."""
    band = band.convert("RGBA")
    return Image.alpha_composite(Image.new("RGBA", band.size, (255, 255, 255, 255)), band).convert("RGB")


def _reduce_in_bands(
    image: Image.Image, factor: int, convert: Callable[[Image.Image], Image.Image]
) -> Image.Image:
    """`image` converted and shrunk `factor` times, a band of rows at a time."""
    w, h = image.size
    rows = factor * max(1, BAND_PIXELS // (w * factor))
    out = None
    for top in range(0, h, rows):
        band = convert(image.crop((0, top, w, min(h, top + rows))))
        band = band.reduce(factor) if factor > 1 else band
        if out is None:
            out = Image.new(band.mode, (-(-w // factor), -(-h // factor)))
        out.paste(band, (0, top // factor))
    return out


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
    check_pixels(path.name, label, info.width, info.height)
    width, height = fit_size(info.width, info.height, max_side)
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
        "-vf",
        f"scale={width}:{height}",
        "-f",
        "image2pipe",
        "-c:v",
        "png",
        "pipe:1",
    ]
    with decode_turn(info.width * info.height):
        out = subprocess.run(cmd, capture_output=True, timeout=60, check=False).stdout
    try:
        image = Image.open(io.BytesIO(out))
        image.load()
    except (OSError, UnidentifiedImageError):
        raise UserError(f"The {label} '{path.name}' could not be decoded. {FORMATS_HINT}.") from None
    return _pil_to_rgb(image, max_side, path.name, label)
