"""Friends in the Space: /generate with more photos, the page's friend pickers gathered into its lists, and the
refusals of bad groups."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from app_fixtures import EXAMPLE_CLIP, EXAMPLE_PHOTO, LaunchedApp, launched_app, probe
from cli_fixtures import noise_photo
from conftest import TINY_FOMM
from gradio_client import Client, handle_file
from gradio_client.exceptions import AppError, ValidationError
from people_fixtures import real  # noqa: F401 - fixture

from space import friends, inputs, previews, texts
from space.settings import MAX_FRIENDS
from space.uploads import FILEDATA_META, UnreceivedFiles, UploadCheck, file_inputs, refusal

CLIP_SECONDS = 0.5  # the real two-person clip trimmed to 15 frames at the render's 30 fps


@pytest.fixture(scope="module")
def space(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LaunchedApp]:
    with launched_app(
        tmp_path_factory.mktemp("space"), TINY_FOMM, max_duration=10, examples=False
    ) as launched:
        yield launched


@pytest.fixture
def client(space: LaunchedApp) -> Client:
    return Client(space.url, verbose=False)


def page_inputs(shown: int, photos: dict[int, str], people: dict[int, str], dancers: dict[int, str]) -> dict:
    """The page's friend inputs by PAGE_AFTER name: `shown` friends, their photos, people and dancers."""
    after = {name: None for name in friends.PAGE_AFTER}
    after["shown"] = shown
    for n in friends.NUMBERS:
        after[f"friend_{n}"] = photos.get(n)
        after[f"person_{n}"] = people.get(n, previews.AUTO)
        after[f"dancer_{n}"] = dancers.get(n, previews.AUTO)
    return after


def generate(client: Client, clip: Path, *photos: Path, **options: object) -> tuple:
    """(video, notes) from /generate: the first photo the user's, the others friends'; the clip trimmed."""
    first, *friends_ = (handle_file(str(p)) for p in photos)
    return client.predict(
        first,
        handle_file(str(clip)),
        trim_end=CLIP_SECONDS,
        friends=list(friends_),
        **options,
        api_name="/generate",
    )


@pytest.mark.slow
def test_two_photos_through_the_api_take_the_dancers_asked_and_the_rating_counts_them(
    space: LaunchedApp,
    client: Client,
    real,  # noqa: F811
) -> None:
    *_, found = client.predict(handle_file(str(real["bus"])), api_name="/people_in_photo")
    men = [i for i, p in enumerate(found["people"]) if p["full_body"]]  # bus.jpg's two men seen whole
    video, notes = generate(
        client,
        real["multi_person"],
        real["bus"],
        real["bus"],
        model="pose",
        scene="stage",
        person=men,
        dancer="1,0",
    )
    assert "Photo 1's person takes the place of dancer 1." in notes
    assert "Photo 2's person takes the place of dancer 0." in notes
    assert probe(video)["frames"] == 15  # the clip's own frames, trimmed
    client.predict("", api_name="/rate_up")
    rating = space.store.ratings()[-1]
    assert rating.options["people"] == 2 and rating.options["dancer"] == [1, 0]
    assert rating.options["person"] == men and rating.options["scene"] == "stage"
    _, by_engine, _ = client.predict(api_name="/peer_review")
    assert ["pose", "stage", "2", 1, 1, 0] in [row[:6] for row in by_engine["data"]]


@pytest.mark.slow
@pytest.mark.parametrize(
    "case, message",
    [
        ("nobody", "Nobody was found in photo 2. Upload a full-body photo"),
        ("three", "3 photos but only 2 dancers were found in the clip: use at most 2 photos"),
        ("photo scene", "2 photos dance together on the dance's stage or side by side"),
        ("learned model", "Groups are drawn by the pose engine (model 'pose'"),
    ],
)
def test_a_group_the_render_cannot_make_gets_a_clear_message(
    client: Client,
    real,  # noqa: F811
    tmp_path: Path,
    case: str,
    message: str,
) -> None:
    photos = {
        "nobody": [real["bus"], noise_photo(tmp_path / "noise.png")],
        "three": [real["bus"]] * 3,
    }.get(case, [real["bus"]] * 2)
    options = {
        "photo scene": {"model": "pose", "scene": "photo"},
        "learned model": {"model": "default", "scene": "stage"},
    }.get(case, {"model": "pose", "scene": "stage"})
    with pytest.raises(AppError) as info:
        generate(client, real["multi_person"], *photos, **options)
    assert message in str(info.value) and "Traceback" not in str(info.value)


def test_the_pages_friends_become_generates_lists_in_order() -> None:
    values = {"person": "1", "dancer": previews.AUTO, "scene": "stage"}
    # friend 2's column is shown but empty: left out; friend 4 is not shown: left out
    after = page_inputs(3, {1: "a.png", 3: "c.png", 4: "d.png"}, {3: "2"}, {1: "4", 3: "0"})
    photos, grouped = friends.group(values, after)
    assert photos == ["a.png", "c.png"]
    assert grouped == {"person": ["1", "auto", "2"], "dancer": ["auto", "4", "0"], "scene": "stage"}
    assert friends.group(values, page_inputs(2, {}, {}, {1: "3"})) == ([], values)  # no friend's photo is in


def test_the_page_says_which_friend_took_a_dancer_already() -> None:
    validate = friends.page_validator()
    after = page_inputs(3, {1: "a.png", 2: "b.png", 3: "c.png"}, {}, {1: "1", 2: "0", 3: "1"})
    checks = validate("p.png", "d.mp4", dancer="0", **after)
    options = len(inputs.page_options())
    dancer_checks = checks[2 + options + 2 * MAX_FRIENDS : 2 + options + 3 * MAX_FRIENDS]
    assert [c["is_valid"] for c in dancer_checks] == [True, False, False, True]
    assert dancer_checks[1]["message"] == texts.EN["v_same_dancer"]
    assert all(c is None or c["is_valid"] for c in checks[: 2 + options])
    fine = validate("p.png", "d.mp4", dancer="0", **page_inputs(2, {1: "a.png", 2: "b.png"}, {}, {1: "1"}))
    assert all(c is None or c["is_valid"] for c in fine)


def test_more_friends_than_the_app_takes_are_refused_before_the_render(client: Client) -> None:
    photo = handle_file(str(EXAMPLE_PHOTO))
    with pytest.raises(ValidationError) as info:
        client.predict(
            photo,
            handle_file(str(EXAMPLE_CLIP)),
            friends=[photo] * (MAX_FRIENDS + 1),
            api_name="/generate",
        )
    assert texts.text("v_friends", n=MAX_FRIENDS) in str(info.value)


def test_two_photos_on_one_dancer_are_refused_before_the_render(client: Client) -> None:
    photo = handle_file(str(EXAMPLE_PHOTO))
    with pytest.raises(ValidationError) as info:
        client.predict(
            photo, handle_file(str(EXAMPLE_CLIP)), dancer="1,1", friends=[photo], api_name="/generate"
        )
    assert "dancer:" in str(info.value) and texts.EN["v_pick"] in str(info.value)


def test_a_server_path_among_the_friends_gets_the_one_refusal(space: LaunchedApp, tmp_path: Path) -> None:
    received = {str(tmp_path / name) for name in ("me.png", "dance.mp4", "friend.png")}
    check = UploadCheck(tmp_path, received=lambda path: path in received)
    middleware = UnreceivedFiles(None, check, lambda: file_inputs(space.demo))
    sent = {name: {"path": str(tmp_path / name), "meta": FILEDATA_META} for name in ("me.png", "dance.mp4")}
    options = [o.default for o in inputs.page_options()]

    def answer(friends: list) -> tuple[int, bytes] | None:
        body = {"data": [sent["me.png"], sent["dance.mp4"], *options, friends]}
        return middleware._refusal(json.dumps(body).encode(), "generate")

    friend = {"path": str(tmp_path / "friend.png"), "meta": FILEDATA_META}
    assert answer([friend]) is None and answer([]) is None
    server = {"path": "/etc/hostname", "meta": FILEDATA_META}
    status, detail = answer([friend, server])
    assert status == 400 and json.loads(detail) == {"detail": refusal("file")}
