"""Bounded memory for any upload: decompression bombs are refused from their header or decoded small, measured as the
peak resident memory of a fresh process."""

from __future__ import annotations

import json
import os
import struct
import subprocess
import sys
import threading
import time
import zlib
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from fomm_core.errors import UserError
from fomm_core.io import decode_turn
from fomm_core.io.photo import MAX_PHOTO_PIXELS, load_photo

REPO_ROOT = Path(__file__).resolve().parents[1]
PEAK_LIMIT_MB = 300

MEASURE = """
import json, resource, sys
from fomm_core.errors import UserError
from fomm_core.io.photo import load_photo
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
try:
    image = load_photo(sys.argv[1])
    result = {"shape": list(image.shape), "pixel": image[image.shape[0] // 2, image.shape[1] // 2].tolist()}
except UserError as exc:
    result = {"error": str(exc)}
after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({**result, "peak_mb": (after - before) / 1024}))
"""


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png_bomb(path: Path, width: int, height: int, pixel: bytes, color_type: int, bit_depth: int = 8) -> Path:
    """A PNG of one repeated pixel, compressed as it is written (it never exists decoded here)."""
    row = b"\0" + pixel * width
    compressor = zlib.compressobj(9)
    with open(path, "wb") as f:
        f.write(b"\x89PNG\r\n\x1a\n")
        f.write(_chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, bit_depth, color_type, 0, 0, 0)))
        data = b"".join(compressor.compress(row) for _ in range(height)) + compressor.flush()
        f.write(_chunk(b"IDAT", data))
        f.write(_chunk(b"IEND", b""))
    return path


def measured(path: Path) -> dict:
    """What load_photo made of `path` in a fresh process, and how much its peak resident memory grew."""
    done = subprocess.run(
        [sys.executable, "-c", MEASURE, str(path)],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(REPO_ROOT)},
        timeout=600,
        check=True,
    )
    return json.loads(done.stdout)


@pytest.mark.slow
@pytest.mark.parametrize(
    ("name", "width", "height", "pixel", "color_type", "bit_depth"),
    [
        ("rgba-100mp.png", 10000, 10000, bytes([255, 0, 0, 128]), 6, 8),
        ("gray16-100mp.png", 10000, 10000, struct.pack(">H", 30000), 0, 16),
        ("rgba-300mp.png", 20000, 15000, bytes([255, 0, 0, 128]), 6, 8),
    ],
)
def test_photos_over_the_pixel_budget_are_refused_from_their_header(
    tmp_path: Path, name: str, width: int, height: int, pixel: bytes, color_type: int, bit_depth: int
) -> None:
    path = png_bomb(tmp_path / name, width, height, pixel, color_type, bit_depth)
    assert path.stat().st_size < 2_000_000
    found = measured(path)
    assert found["peak_mb"] < PEAK_LIMIT_MB, found
    assert found["error"].startswith(f"The photo '{name}' is too large: "), found
    assert (
        f"{width * height // 1_000_000} megapixels, over the 40-megapixel limit for photos" in found["error"]
    )


@pytest.mark.slow
@pytest.mark.parametrize("side", [400, 12000, 16000, 20000])
def test_svg_is_refused_as_a_drawing_at_every_size(tmp_path: Path, side: int) -> None:
    path = tmp_path / "drawing.svg"
    path.write_text(
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{side}" height="{side}">'
        '<rect width="100%" height="100%" fill="red"/></svg>'
    )
    renamed = tmp_path / "drawing.png"
    renamed.write_bytes(path.read_bytes())
    for file in (path, renamed):
        found = measured(file)
        assert found["peak_mb"] < PEAK_LIMIT_MB, found
        assert found["error"] == (
            f"The photo '{file.name}' is a drawing (SVG), not a photo. Upload a JPG, PNG or WebP photo of the person."
        )


@pytest.mark.slow
@pytest.mark.parametrize(
    ("name", "pixel", "color_type", "bit_depth", "expected"),
    [
        ("rgba.png", bytes([255, 0, 0, 128]), 6, 8, [255, 127, 127]),
        ("gray16.png", struct.pack(">H", 32768), 0, 16, [128, 128, 128]),
        ("gray-alpha16.png", struct.pack(">HH", 0, 0), 4, 16, [255, 255, 255]),
    ],
)
def test_photos_just_under_the_budget_decode_small_and_right(
    tmp_path: Path, name: str, pixel: bytes, color_type: int, bit_depth: int, expected: list[int]
) -> None:
    side = int(MAX_PHOTO_PIXELS**0.5)
    found = measured(png_bomb(tmp_path / name, side, side, pixel, color_type, bit_depth))
    assert found["peak_mb"] < PEAK_LIMIT_MB, found
    assert found["shape"] == [2048, 2048, 3]
    assert np.abs(np.subtract(found["pixel"], expected)).max() <= 1, found


def test_exif_orientation_and_transparency_after_shrinking(tmp_path: Path) -> None:
    image = Image.new("RGBA", (5000, 1000), (0, 0, 255, 0))
    image.paste((0, 255, 0, 255), (0, 0, 100, 100))
    exif = Image.Exif()
    exif[0x0112] = 6  # the camera was turned: the picture must be rotated 90° clockwise
    path = tmp_path / "turned.png"
    image.save(path, exif=exif)
    photo = load_photo(path)
    assert photo.shape == (2048, 410, 3)
    assert photo[5, -5].tolist() == [0, 255, 0] and photo[1000, 200].tolist() == [255, 255, 255]


def test_large_decodes_take_turns() -> None:
    inside, most = [0], [0]
    lock = threading.Lock()

    def decode() -> None:
        with decode_turn.decode_turn(decode_turn.LARGE_DECODE_PIXELS + 1):
            with lock:
                inside[0] += 1
                most[0] = max(most[0], inside[0])
            time.sleep(0.05)
            with lock:
                inside[0] -= 1

    threads = [threading.Thread(target=decode) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert most[0] == 1
    with decode_turn.decode_turn(100), decode_turn.decode_turn(100):
        pass  # small decodes never wait


def test_a_bomb_past_pillows_own_limit_gets_the_same_message(tmp_path: Path) -> None:
    path = png_bomb(tmp_path / "vast.png", 30000, 30000, b"\0", 0)
    with pytest.raises(UserError, match="is too large: 900 megapixels, over the 40-megapixel limit"):
        load_photo(path)


TWO_AT_ONCE = """
import json, resource, sys, threading
from fomm_core.io.photo import load_photo
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
shapes = []
threads = [threading.Thread(target=lambda: shapes.append(load_photo(sys.argv[1]).shape)) for _ in range(2)]
for t in threads:
    t.start()
for t in threads:
    t.join()
after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({"shapes": [list(s) for s in shapes], "peak_mb": (after - before) / 1024}))
"""


@pytest.mark.slow
def test_a_preview_and_a_render_decoding_at_once_take_turns(tmp_path: Path) -> None:
    side = int(MAX_PHOTO_PIXELS**0.5)
    path = png_bomb(tmp_path / "rgba.png", side, side, bytes([255, 0, 0, 128]), 6)
    done = subprocess.run(
        [sys.executable, "-c", TWO_AT_ONCE, str(path)],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(REPO_ROOT)},
        timeout=600,
        check=True,
    )
    found = json.loads(done.stdout)
    assert found["shapes"] == [[2048, 2048, 3]] * 2
    assert found["peak_mb"] < PEAK_LIMIT_MB, found  # one 40 MP decode at a time: about +200 MB, not +400
