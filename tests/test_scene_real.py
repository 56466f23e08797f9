"""The photo scene on real media: bus.jpg's chosen man dancing in the street like a Pose2Sim dancer."""

from __future__ import annotations

import cv2
import numpy as np
import pytest
from people_fixtures import real  # noqa: F401 - fixture

from fomm_core.io import open_video, read_frames
from fomm_core.options import MAX_OUTPUT_WIDTH, RenderOptions
from fomm_core.pipeline import plan_render, render

# dancer 0: the woman, who mostly stands (the man, followed by default, swings his arms into his neighbours)
OPTIONS = RenderOptions(
    model="default", trim_end=2.0, max_fps=10, output_size=256, keep_audio=False, dancer=0
)


@pytest.fixture(scope="module")
def result(real, tmp_path_factory):  # noqa: F811
    plan = plan_render(real["bus"], real["multi_person"], OPTIONS)
    out = render(plan, out=tmp_path_factory.mktemp("scene") / "o.mp4")
    frames = np.stack(list(read_frames(open_video(out, max_fps=1000.0)))).astype(np.float32)
    return plan, frames


@pytest.mark.slow
def test_the_output_keeps_the_photos_framing_around_the_chosen_man(result):
    plan, frames = result
    assert plan.scene is not None and plan.bodies is not None
    own, dancer = (
        plan.bodies
    )  # the man's body (head to ankles) fills his square as the dancer's fills her crop
    assert own.height / plan.scene.square.side == pytest.approx(dancer.height)
    assert 0.3 < dancer.height < 1.0
    layout = plan.scene.layout(plan.photo, 256, MAX_OUTPUT_WIDTH)
    x0, y0, x1, y1 = layout.canvas
    person = plan.person_box
    assert x0 <= person.x0 and person.x1 <= x1 and y0 <= person.y0 + 5 and person.y1 <= y1 + 5  # him, whole
    assert (x1 - x0) < plan.photo.shape[1] or (y1 - y0) < plan.photo.shape[0]  # a crop, not the whole street
    w, h = layout.size
    assert frames.shape[1:] == (h, w, 3) and w % 2 == 0 and h % 2 == 0
    canvas = cv2.resize(plan.photo[y0:y1, x0:x1], (w, h), interpolation=cv2.INTER_AREA).astype(np.float32)
    mask = cv2.resize(plan.scene.person.mask(*plan.photo.shape[:2])[y0:y1, x0:x1], (w, h))
    away = cv2.dilate((mask > 0.1).astype(np.uint8), np.ones((41, 41), np.uint8)) == 0
    assert np.abs(frames[0][away] - canvas[away]).mean() < 6  # the street around him is bus.jpg's


@pytest.mark.slow
def test_the_background_is_still_and_the_man_moves(result):
    plan, frames = result
    layout = plan.scene.layout(plan.photo, 256, MAX_OUTPUT_WIDTH)
    x0, y0, x1, y1 = layout.canvas
    w, h = layout.size
    corners = layout.paste_matrix(256) @ np.array([[0, 256, 0, 256], [0, 0, 256, 256], [1, 1, 1, 1]])
    region = np.zeros((h, w), bool)
    region[
        max(0, int(corners[1].min()) - 6) : int(corners[1].max()) + 6,
        max(0, int(corners[0].min()) - 6) : int(corners[0].max()) + 6,
    ] = True
    assert (~region).mean() > 0.1  # the output shows more of the street than the animated square
    change = np.abs(frames[1:] - frames[0])[:, ~region].max(axis=-1)
    assert np.percentile(change, 99) <= 6  # beyond the animated square nothing moves
    mask = cv2.resize(plan.scene.person.mask(*plan.photo.shape[:2])[y0:y1, x0:x1], (w, h)) > 0.5
    around = cv2.dilate(mask.astype(np.uint8), np.ones((61, 61), np.uint8)).astype(bool)
    still = region & ~around  # inside the square but clear of him: his neighbours and the bus stay put
    assert np.percentile(np.abs(frames[1:] - frames[0])[:, still].max(axis=-1), 99) <= 12
    moving = np.abs(frames[1:] - frames[0])[:, around].max(axis=-1)
    assert (moving > 40).mean(axis=1).max() > 0.05  # he dances
