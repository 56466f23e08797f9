"""Photo loader: formats, EXIF orientation, alpha, gray/16-bit/CMYK, downscaling, bad files."""

from __future__ import annotations

import subprocess

import numpy as np
import pytest
from PIL import Image
from video_fixtures import marker_frames, write_clip

from fomm_core.errors import UserError
from fomm_core.io import load_photo
from fomm_core.io.ffmpeg import ffmpeg_exe


def _marked(w=60, h=40) -> np.ndarray:
    img = np.full((h, w, 3), 200, np.uint8)
    img[:8, :8] = (255, 0, 0)  # red mark top-left
    return img


@pytest.mark.parametrize("ext", ["jpg", "png", "webp", "bmp", "tiff"])
def test_common_formats(tmp_path, ext):
    path = tmp_path / f"photo.{ext}"
    Image.fromarray(_marked()).save(path)
    img = load_photo(path)
    assert img.shape == (40, 60, 3) and img.dtype == np.uint8
    assert img[2, 2, 0] > 200 and img[2, 2, 1] < 60 and abs(int(img[30, 50, 0]) - 200) < 8


def test_exif_orientation_applied(tmp_path):
    path = tmp_path / "phone.jpg"
    exif = Image.Exif()
    exif[0x0112] = 6  # stored sideways: turn 90° clockwise to display
    Image.fromarray(_marked()).save(path, exif=exif)
    img = load_photo(path)
    assert img.shape == (60, 40, 3)
    assert img[2, -3, 0] > 200 and img[2, -3, 1] < 60  # the top-left mark is now top-right


def test_transparency_composited_on_white(tmp_path):
    rgba = np.zeros((40, 60, 4), np.uint8)
    rgba[10:30, 20:40] = (0, 0, 255, 255)
    Image.fromarray(rgba).save(tmp_path / "cutout.png")
    img = load_photo(tmp_path / "cutout.png")
    assert (img[0, 0] == 255).all() and (img[20, 30] == (0, 0, 255)).all()
    palette = Image.fromarray(rgba).convert("P")
    palette.info["transparency"] = palette.getpixel((0, 0))
    palette.save(tmp_path / "cutout.gif", transparency=palette.getpixel((0, 0)))
    assert (load_photo(tmp_path / "cutout.gif")[0, 0] == 255).all()


def test_gray_16bit_and_cmyk_converted(tmp_path):
    Image.fromarray(np.full((40, 60), 100, np.uint8), "L").save(tmp_path / "gray.png")
    Image.fromarray(np.full((40, 60), 50000, np.uint16)).save(tmp_path / "deep.png")
    Image.new("CMYK", (60, 40), (0, 255, 255, 0)).save(tmp_path / "print.jpg")
    gray, deep, cmyk = (load_photo(tmp_path / n) for n in ("gray.png", "deep.png", "print.jpg"))
    assert gray.shape == deep.shape == cmyk.shape == (40, 60, 3)
    assert (gray == 100).all()
    assert abs(int(deep[0, 0, 0]) - round(50000 / 65535 * 255)) <= 1
    assert cmyk[0, 0, 0] > 200 and cmyk[0, 0, 1] < 60  # cyan-free, magenta+yellow = red


def test_large_photo_downscaled(tmp_path):
    Image.fromarray(np.zeros((3000, 5000, 3), np.uint8)).save(tmp_path / "huge.jpg")
    assert load_photo(tmp_path / "huge.jpg").shape == (1229, 2048, 3)
    assert load_photo(tmp_path / "huge.jpg", max_side=512).shape == (307, 512, 3)


def test_format_pillow_lacks_goes_through_ffmpeg(tmp_path):
    path = tmp_path / "modern.jxl"
    subprocess.run(
        [
            ffmpeg_exe(),
            "-loglevel",
            "error",
            "-f",
            "lavfi",
            "-i",
            "color=c=red:size=64x48",
            "-frames:v",
            "1",
            str(path),
        ],
        check=True,
    )
    img = load_photo(path)
    assert img.shape == (48, 64, 3) and img[..., 0].mean() > 200 and img[..., 1].mean() < 60


def test_arrays_accepted():
    assert load_photo(np.full((40, 60), 0.5, np.float32))[0, 0].tolist() == [128, 128, 128]
    rgba = np.zeros((40, 60, 4), np.uint8)
    assert (load_photo(rgba) == 255).all()


def test_names_with_spaces_and_non_latin(tmp_path):
    path = tmp_path / "내 사진 写真 é.png"
    Image.fromarray(_marked()).save(path, format="PNG")
    assert load_photo(path).shape == (40, 60, 3)


@pytest.mark.parametrize(
    ("case", "message"),
    [
        ("missing.jpg", "not found"),
        ("empty.jpg", r"empty \(0 bytes\)"),
        ("text.jpg", "not an image we can read"),
        ("notes.txt", r"\.txt files are not photos"),
        ("cut.jpg", "damaged"),
        ("dance.mp4", "is a video, not a photo"),
        ("song.m4a", "audio, not a photo"),
        ("tiny.png", "too small"),
    ],
)
def test_bad_photos_give_clear_messages(tmp_path, case, message):
    path = tmp_path / case
    if case in ("text.jpg", "notes.txt"):
        path.write_text("hello\n" * 50)
    elif case == "empty.jpg":
        path.touch()
    elif case == "cut.jpg":
        Image.fromarray(np.random.default_rng(0).integers(0, 255, (200, 200, 3), np.uint8)).save(
            tmp_path / "a.jpg"
        )
        path.write_bytes((tmp_path / "a.jpg").read_bytes()[:3000])
    elif case == "dance.mp4":
        write_clip(path, marker_frames(10), fps=10)
    elif case == "song.m4a":
        subprocess.run(
            [ffmpeg_exe(), "-loglevel", "error", "-f", "lavfi", "-i", "sine=d=1", str(path)], check=True
        )
    elif case == "tiny.png":
        Image.new("RGB", (10, 10)).save(path)
    with pytest.raises(UserError, match=message):
        load_photo(path)


def test_wrong_extension_judged_by_content(tmp_path):
    path = tmp_path / "me.jpg"
    Image.fromarray(_marked()).save(path, format="PNG")
    assert load_photo(path).shape == (40, 60, 3)
