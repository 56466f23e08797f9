"""Choosing the person and the dancer in the Space: previews, pickers and notes through its API, on real media."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path

import imageio.v3 as iio
import numpy as np
import pytest
from app_fixtures import LaunchedApp, launched_app, probe
from conftest import TINY_FOMM
from gradio_client import Client, handle_file
from gradio_client.exceptions import AppError, ValidationError
from people_fixtures import real  # noqa: F401 - fixture
from PIL import Image
from video_fixtures import write_clip

from fomm_core.people.preview import CHOSEN, OTHER
from space import handlers, previews, texts
from space.uploads import UploadCheck

CLIP_SECONDS = 0.5  # trim the real clip: 15 frames at the render's 30 fps keep the renders short


def still_source(
    model: object, source: np.ndarray, driving: Iterable[np.ndarray], **options: object
) -> Iterator:
    """An animate_fn showing the framed photo the app hands to the model (a random model's output hides it)."""
    for _ in driving:
        yield source


@pytest.fixture(scope="module")
def space(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LaunchedApp]:
    with launched_app(
        tmp_path_factory.mktemp("space"), TINY_FOMM, max_duration=10, examples=False, animate_fn=still_source
    ) as launched:
        yield launched


@pytest.fixture
def client(space: LaunchedApp) -> Client:
    return Client(space.url, verbose=False)


def generate(client: Client, photo: Path, clip: Path, **options: object) -> tuple:
    """(video, notes) from /generate with default options but `options`, the clip trimmed to CLIP_SECONDS."""
    return client.predict(
        handle_file(str(photo)),
        handle_file(str(clip)),
        trim_end=CLIP_SECONDS,
        **options,
        api_name="/generate",
    )


def colour_pixels(picture: np.ndarray, colour: tuple[int, int, int]) -> int:
    """Pixels of about this colour (the preview is downscaled, so box edges blend a little)."""
    return int((np.abs(picture[..., :3].astype(int) - colour).sum(axis=2) < 60).sum())


def test_the_photo_preview_numbers_the_people_and_highlights_the_default(client: Client, real) -> None:  # noqa: F811
    image, picked, notes, found = client.predict(handle_file(str(real["bus"])), api_name="/people_in_photo")
    assert picked["value"] == previews.AUTO and found["size"] == [810, 1080]
    # the pose model finds 3 of the 4 people (the one behind the bus door is hidden); 2 are seen whole
    assert len(found["people"]) == 3 and sum(p["full_body"] for p in found["people"]) == 2
    assert found["people"][found["chosen"]]["full_body"]
    assert f"People found in the photo: 3. The highlighted one ({found['chosen']})" in notes
    labels = [label for label, _ in picked["choices"]]
    assert picked["choices"][0] == [f"Automatic (person {found['chosen']})", previews.AUTO]
    assert [value for _, value in picked["choices"][1:]] == ["0", "1", "2"]
    assert sum(label.endswith("full body") for label in labels) == 2 and "2 · missing right side" in labels
    picture = np.asarray(Image.open(image).convert("RGB"))
    assert max(picture.shape[:2]) == previews.PREVIEW_SIDE  # 1080 px sent at 640
    assert colour_pixels(picture, CHOSEN) > 200 and colour_pixels(picture, OTHER) > 600


def test_the_pickers_speak_korean_to_a_korean_browser(tmp_path: Path, real) -> None:  # noqa: F811
    uploads = UploadCheck(tmp_path, shipped=(real["bus"], real["multi_person"]))
    space_app = handlers.SpaceApp(None, None, None, 10.0, tmp_path, uploads=uploads)
    korean = type("Request", (), {"headers": {"accept-language": "ko-KR,ko"}})()
    _, picker, notes, found = space_app.people_in_photo(str(real["bus"]), korean)
    assert picker["choices"][0] == (f"자동 (사람 {found['chosen']})", previews.AUTO)
    assert sum(label.endswith(texts.KO["full_body"]) for label, _ in picker["choices"]) == 2
    assert "2 · 오른쪽 안 보임" in [label for label, _ in picker["choices"]]
    assert notes.startswith("사진에서 3명을 찾았습니다.")
    _, picker, _, found = space_app.dancers_in_clip(str(real["multi_person"]), 0, 0, None)
    assert [value for _, value in picker["choices"]] == [previews.AUTO, "0", "1"]
    assert picker["choices"][1][0] == "0 · seen 0.0–1.6 s"


@pytest.mark.slow
def test_the_clip_preview_numbers_two_dancers_at_the_renders_rate(client: Client, real) -> None:  # noqa: F811
    image, picked, notes, found = client.predict(
        handle_file(str(real["multi_person"])), 0, 0, api_name="/dancers_in_clip"
    )
    assert picked["value"] == previews.AUTO and [d["id"] for d in found["dancers"]] == [0, 1]
    assert [value for _, value in picked["choices"]] == [previews.AUTO, "0", "1"]
    assert picked["choices"][0][0] == f"Automatic (dancer {found['chosen']})"
    assert [label for label, _ in picked["choices"][1:]] == ["0 · seen 0.0–1.6 s", "1 · seen 0.0–1.6 s"]
    assert found["fps"] == 30 and found["frames"] == 50 and found["cuts"] == []  # 60 fps read at 30
    assert f"Dancers found in the clip: 2. The highlighted one ({found['chosen']})" in notes
    picture = np.asarray(Image.open(image).convert("RGB"))
    assert picture.shape[:2] == (640, 363)
    assert colour_pixels(picture, CHOSEN) > 200 and colour_pixels(picture, OTHER) > 200
    _, _, _, trimmed = client.predict(
        handle_file(str(real["multi_person"])), 0.5, 1.0, api_name="/dancers_in_clip"
    )
    assert trimmed["frames"] == 15 and len(trimmed["dancers"]) == 2


@pytest.mark.slow
def test_picking_another_person_changes_the_result_and_notes_reach_the_caller(client: Client, real) -> None:  # noqa: F811
    *_, found = client.predict(handle_file(str(real["bus"])), api_name="/people_in_photo")
    other = next(i for i, p in enumerate(found["people"]) if p["full_body"] and i != found["chosen"])
    # the plain scene: both results are the person's square, so the pixels show who was framed
    auto_video, auto_notes = generate(client, real["bus"], real["multi_person"], scene="plain")
    assert f"3 people are in the photo; person {found['chosen']}" in auto_notes
    assert "2 dancers are in the clip; dancer" in auto_notes
    picked_video, picked_notes = generate(
        client, real["bus"], real["multi_person"], person=str(other), scene="plain"
    )
    assert "people are in the photo" not in picked_notes
    assert probe(auto_video)["frames"] == probe(picked_video)["frames"] == 15
    auto_frame, picked_frame = iio.imread(auto_video, index=0), iio.imread(picked_video, index=0)
    moved = np.abs(auto_frame.astype(int) - picked_frame.astype(int))
    assert moved.mean() > 10  # the photo framed around another person


@pytest.mark.slow
def test_picking_the_other_dancer_changes_the_result(client: Client, real) -> None:  # noqa: F811
    *_, found = client.predict(handle_file(str(real["multi_person"])), 0, 0, api_name="/dancers_in_clip")
    other = 1 - found["chosen"]
    both = {"side_by_side": True, "scene": "plain"}  # the dance half is then the model's 128-pixel square
    auto_video, _ = generate(client, real["bus"], real["multi_person"], **both)
    picked_video, notes = generate(client, real["bus"], real["multi_person"], dancer=other, **both)
    assert "dancers are in the clip" not in notes  # a pick is not announced as an automatic choice
    dances = [iio.imread(video, index=0)[:, :128].astype(int) for video in (auto_video, picked_video)]
    assert np.abs(dances[0] - dances[1]).mean() > 10  # the dance half shows the other dancer


def test_a_waist_up_group_is_animated_only_by_the_person_picked(client: Client, real) -> None:  # noqa: F811
    asked = "Nobody in the photo is seen head to feet (person 0 lacks their"
    image, picked, notes, found = client.predict(
        handle_file(str(real["multi_face"])), api_name="/people_in_photo"
    )
    assert found["chosen"] is None and found["people"] and not any(p["full_body"] for p in found["people"])
    assert picked["choices"][0] == [texts.EN["pick_auto_nobody"], previews.AUTO]
    assert texts.EN["people_found_none_whole"].format(n=len(found["people"])) in notes and asked in notes
    assert colour_pixels(np.asarray(Image.open(image).convert("RGB")), CHOSEN) == 0  # nobody highlighted
    with pytest.raises(AppError) as refused:
        generate(client, real["multi_face"], real["multi_person"])
    assert asked in str(refused.value) and "`person` in the API" in str(refused.value)
    video, picked_notes = generate(client, real["multi_face"], real["multi_person"], person="1")
    assert "Nobody in the photo is seen head to feet; person 1, as picked, lacks their" in picked_notes
    assert probe(video)["frames"] == 15


@pytest.mark.slow
@pytest.mark.parametrize(
    "pick, message",
    [
        ({"person": 7}, "There is no person 7 in the photo: 3 were found, numbered 0 to 2."),
        ({"dancer": "5"}, "There is no dancer 5 in the clip; the dancers found are: 0, 1."),
    ],
)
def test_a_pick_that_does_not_exist_gets_a_clear_message(client: Client, real, pick, message) -> None:  # noqa: F811
    with pytest.raises(AppError) as info:
        generate(client, real["bus"], real["multi_person"], **pick)
    assert message in str(info.value) and "Traceback" not in str(info.value)


@pytest.mark.parametrize(
    "pick",
    [
        {"person": "tall one"},
        {"dancer": -1},
        {"dancer": True},
        {"person": "²"},  # str.isdigit() says yes, int() says no
        {"dancer": "²"},
        {"person": "１"},  # a full-width digit, which int() would read
        {"dancer": "٣"},
    ],
)
def test_a_pick_that_is_not_a_number_is_refused_before_the_render(client: Client, real, pick) -> None:  # noqa: F811
    with pytest.raises(ValidationError) as info:
        generate(client, real["bus"], real["multi_person"], **pick)
    assert texts.EN["v_pick"] in str(info.value)


def test_a_clip_with_nobody_says_so_in_the_preview(client: Client, tmp_path: Path) -> None:
    ramp = np.linspace(40, 200, 64, dtype=np.uint8)
    frames = [np.dstack([np.roll(np.tile(ramp, (64, 1)), t, axis=1)] * 3) for t in range(20)]
    empty = write_clip(tmp_path / "empty.mp4", frames, fps=20)
    image, picked, notes, found = client.predict(handle_file(str(empty)), 0, 0, api_name="/dancers_in_clip")
    assert found["dancers"] == [] and found["chosen"] is None
    assert picked["choices"] == [["Automatic", previews.AUTO]] and picked["value"] == previews.AUTO
    assert "No dancer was found in the clip: the whole frame will be used." in notes
    assert np.asarray(Image.open(image)).shape[:2] == (64, 64)


def test_a_preview_without_a_file_is_empty_and_back_on_automatic(client: Client) -> None:
    image, picked, notes, found = client.predict(None, api_name="/people_in_photo")
    assert image is None and picked["value"] == previews.AUTO and notes == "" and found is None


@pytest.mark.slow
def test_the_pose_engine_dances_the_photos_own_pixels_through_the_api(client: Client, real) -> None:  # noqa: F811
    learned, _ = generate(client, real["bus"], real["single_person"])
    video, notes = generate(client, real["bus"], real["single_person"], model="pose")
    assert "3 people are in the photo" in notes
    assert probe(video)["frames"] == 15
    # the learned stand-in's square is shown at most 384 px; the pose engine keeps the photo's resolution
    assert max(probe(video)["size"]) > max(probe(learned)["size"])
    first, last = iio.imread(video, index=0), iio.imread(video, index=14)
    assert np.abs(first.astype(int) - last.astype(int)).mean(axis=2).max() > 100  # somebody moved
