"""Framing: detector accuracy on synthetic dancers, crops holding the whole figure, photo matching, padding."""

from __future__ import annotations

import numpy as np
import pytest
from video_fixtures import BACKGROUNDS, background, dancer_frames, draw_dancer, write_clip

from fomm_core.errors import UserError
from fomm_core.framing.crop_path import MARGIN, frame_clip, framed_frames
from fomm_core.framing.heuristic import detect_dancers, detect_person
from fomm_core.framing.photo_match import match_photo
from fomm_core.framing.square_crop import crop_square, edge_colours
from fomm_core.geometry import Box, Square
from fomm_core.io import open_video


def _contains(square: Square, box: Box, tol: float = 0.5) -> bool:
    return (
        square.x0 - tol <= box.x0
        and square.y0 - tol <= box.y0
        and box.x1 <= square.x0 + square.side + tol
        and box.y1 <= square.y0 + square.side + tol
    )


def test_crop_square_inside_is_a_plain_resize():
    image = np.zeros((100, 200, 3), np.uint8)
    image[20:40, 60:80] = 255
    out = crop_square(image, Square(70, 30, 40), 80, (0, 0, 0))
    assert out.shape == (80, 80, 3)
    assert out[23:57, 23:57].min() > 240 and out[:16].max() < 10 and out[64:].max() < 10


def test_crop_square_pads_each_side_with_its_own_colour():
    image = np.full((40, 40, 3), 100, np.uint8)
    fill = ((255, 0, 0), (0, 255, 0), np.full((40, 3), (0, 0, 255), np.uint8), np.full((40, 3), 50, np.uint8))
    out = crop_square(image, Square(20, 20, 80), 80, fill)
    assert out[2, 40].tolist() == [255, 0, 0] and out[77, 40].tolist() == [0, 255, 0]
    assert out[40, 2].tolist() == [0, 0, 255] and out[40, 77].tolist() == [50, 50, 50]
    assert out[40, 40].tolist() == [100, 100, 100]


def test_edge_colours_follow_a_floor():
    img = background("floor", 160, 120)
    top, bottom, left, right = edge_colours(img)
    assert top == (210, 200, 185) and bottom == (120, 95, 70)
    assert left[10].tolist() == [210, 200, 185] and right[-5].tolist() == [120, 95, 70]


@pytest.mark.parametrize("backdrop", BACKGROUNDS)
@pytest.mark.parametrize("still", [False, True])
def test_detector_finds_the_dancer(backdrop, still):
    frames, truth = dancer_frames(
        24, size=(256, 144), backdrop=backdrop, travel=0.0 if still else 0.3, still=still
    )
    boxes = detect_dancers(np.stack(frames))
    if (
        still and backdrop == "texture"
    ):  # a motionless dancer on a busy background is invisible to both models
        assert all(b is None or b.iou(t) > 0.8 for b, t in zip(boxes, truth, strict=True))
        return
    ious = [0.0 if b is None else b.iou(t) for b, t in zip(boxes, truth, strict=True)]
    assert min(ious) > 0.8 and np.mean(ious) > 0.9


@pytest.mark.parametrize("backdrop", ["plain", "gradient", "floor"])
def test_person_in_photo(backdrop):
    frames, truth = dancer_frames(1, size=(300, 400), backdrop=backdrop, scale=0.6)
    box = detect_person(frames[0])
    assert box is not None and box.iou(truth[0]) > 0.9


def test_photo_without_person():
    with pytest.raises(UserError, match="No person found"):
        detect_person(np.full((300, 200, 3), 128, np.uint8))
    busy = background("texture", 200, 300)
    assert detect_person(busy) == Box(0.0, 0.0, 200.0, 300.0)  # too busy to model: taken as framed already


def test_plain_background_photo_has_no_person():
    photo = background("gradient", 200, 300)
    assert detect_person(photo) is None


def test_static_crop_contains_the_whole_figure_in_every_frame(tmp_path):
    frames, truth = dancer_frames(40, size=(320, 180), backdrop="floor", travel=0.15)
    info = open_video(write_clip(tmp_path / "dance.mp4", frames, fps=20))
    framing = frame_clip(info)
    assert framing.found and not framing.moving
    squares = {framing.square(i) for i in range(info.frame_count)}
    assert len(squares) == 1
    assert all(_contains(framing.square(i), b, tol=3) for i, b in enumerate(truth))
    union = Box(
        min(b.x0 for b in truth), min(b.y0 for b in truth), max(b.x1 for b in truth), max(b.y1 for b in truth)
    )
    assert framing.side == pytest.approx(max(union.width, union.height) * (1 + 2 * MARGIN), rel=0.1)
    ref = framing.reference  # the first frame's dancer, relative to the square
    expected = framing.square(0).relative(truth[0])
    assert ref.iou(expected) > 0.85


def test_moving_crop_follows_a_travelling_dancer(tmp_path):
    frames, truth = dancer_frames(60, size=(480, 160), backdrop="plain", travel=0.7, scale=0.6)
    info = open_video(write_clip(tmp_path / "travel.mp4", frames, fps=20))
    framing = frame_clip(info)
    assert framing.moving and framing.found
    assert all(_contains(framing.square(i), b, tol=4) for i, b in enumerate(truth))
    steps = np.abs(np.diff(framing.centres[:, 0]))
    speed = 0.7 * 480 / 59  # pixels per frame the dancer travels
    assert steps.max() < 1.2 * speed and np.abs(np.diff(steps)).max() < 0.1 * speed  # smooth: no jerks
    static = frame_clip(info, moving=False)
    assert static.side > 1.4 * framing.side and all(
        _contains(static.square(i), b, 3) for i, b in enumerate(truth)
    )


def test_boxes_by_hand_and_framing_off(tmp_path):
    frames, _ = dancer_frames(10, size=(160, 120))
    info = open_video(write_clip(tmp_path / "d.mp4", frames, fps=10))
    manual = frame_clip(info, box=Box(40, 20, 80, 100))
    assert manual.found and manual.side == pytest.approx(80 * 1.2)
    assert manual.reference.height == pytest.approx(1 / 1.2)
    off = frame_clip(info, enabled=False)
    assert off.side == 160 and (off.square(5).cx, off.square(5).cy) == (80, 60)


def test_photo_matched_to_the_dancer():
    photo = background("plain", 300, 500)
    truth = draw_dancer(photo, 0.0, 150, 400, 280)
    reference = Box(0.3, 0.1, 0.6, 0.85)
    matched = match_photo(photo, detect_person(photo), reference, 200)
    assert matched.shape == (200, 200, 3)
    found = detect_person(matched)
    assert found.y0 == pytest.approx(0.1 * 200, abs=3) and found.y1 == pytest.approx(0.85 * 200, abs=3)
    assert found.cx == pytest.approx(0.45 * 200, abs=3)
    assert truth.height > 250


def test_framed_frames_stream_squares(tmp_path):
    frames, truth = dancer_frames(12, size=(320, 180), backdrop="gradient")
    info = open_video(write_clip(tmp_path / "d.mp4", frames, fps=12))
    framing = frame_clip(info)
    out = list(framed_frames(info, framing, 64))
    assert len(out) == 12 and out[0].shape == (64, 64, 3)
    box = detect_person(out[0])
    expected = framing.reference.scaled(64)
    assert box.iou(expected) > 0.75
