"""The Space reads only files it received: server paths sent through the HTTP API all get one refusal."""

from __future__ import annotations

import re
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import gradio as gr
import httpx
import pytest
from app_fixtures import EXAMPLE_CLIP, EXAMPLE_PHOTO, LaunchedApp, launched_app, probe
from conftest import TINY_FOMM
from gradio.utils import get_upload_folder
from gradio_client import Client, handle_file
from gradio_client.exceptions import AppError

from fomm_core.errors import UserError
from space.uploads import FILEDATA_META, UploadCheck, file_paths, refusal


@pytest.fixture(scope="module")
def space(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LaunchedApp]:
    with launched_app(
        tmp_path_factory.mktemp("space"), TINY_FOMM, max_duration=10, examples=False
    ) as launched:
        yield launched


@pytest.fixture(scope="module")
def server_files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """Paths on the server that no client uploaded: a readable PNG, a missing file, a folder, a protected file."""
    outside = tmp_path_factory.mktemp("server-files")
    png = outside / "private.png"
    shutil.copy(EXAMPLE_PHOTO, png)
    unreadable = outside / "unreadable.png"
    shutil.copy(EXAMPLE_PHOTO, unreadable)
    unreadable.chmod(0)
    planted = (
        Path(get_upload_folder()) / uuid.uuid4().hex / "planted.png"
    )  # in the upload folder, never uploaded
    planted.parent.mkdir(parents=True)
    shutil.copy(EXAMPLE_PHOTO, planted)
    return {
        "png": str(png),
        "missing": str(outside / "missing.png"),
        "folder": str(outside),
        "unreadable": str(unreadable),
        "shadow": "/etc/shadow",
        "planted": str(planted),
        "dotdot": f"{get_upload_folder()}/../../{png}",
        "shipped_without_meta": str(EXAMPLE_PHOTO),
    }


@pytest.mark.slow
def test_server_paths_as_the_photo_all_get_the_same_refusal(
    space: LaunchedApp, server_files: dict[str, str]
) -> None:
    client = Client(space.url, verbose=False)
    clip = handle_file(str(EXAMPLE_CLIP))
    messages = {}
    for name, path in server_files.items():
        with pytest.raises(AppError) as info:
            client.predict({"path": path}, clip, api_name="/generate")
        messages[name] = str(info.value)
    assert set(messages.values()) == {refusal("photo")}, messages
    assert not any(Path(p).name in refusal("photo") for p in server_files.values())
    assert space.store.count() == 0


# /generate's inputs after the photo and the clip: model, mode, adapt_scale, best_frame, trim_start, trim_end,
# framing, side_by_side, output_size, keep_audio, person, dancer, scene, stage_light, friends
OTHER_INPUTS = (
    "default",
    "relative",
    True,
    False,
    0,
    0,
    True,
    False,
    "native",
    True,
    None,
    None,
    "photo",
    True,
    None,
)


def _raw_generate(url: str, photo: dict, clip: dict) -> str:
    """Call /generate over plain HTTP (gradio_client would upload a dict that carries Gradio's meta)."""
    return _raw_call(
        url,
        "generate",
        [photo, clip, *OTHER_INPUTS],
    )


def _raw_call(url: str, api: str, data: list) -> str:
    """Call an endpoint over plain HTTP. Gradio itself may refuse a file it did not receive before the queue (with a
    validator it moves the inputs first): that refusal is returned with the path left out, so it reads the same for
    every path."""
    response = httpx.post(f"{url}gradio_api/call/{api}", json={"data": data}, timeout=30)
    if response.status_code != 200:
        detail = re.sub(
            r"Cannot move .+ to the gradio", "Cannot move PATH to the gradio", response.json()["detail"]
        )
        return f"refused {response.status_code}: {detail}"
    event = response.json()["event_id"]
    return httpx.get(f"{url}gradio_api/call/{api}/{event}", timeout=120).text


@pytest.mark.parametrize("api, what", [("people_in_photo", "photo"), ("dancers_in_clip", "dance clip")])
def test_server_paths_sent_to_the_previews_are_refused_alike(
    space: LaunchedApp, server_files: dict[str, str], api: str, what: str
) -> None:
    trims = [0, 0] if api == "dancers_in_clip" else []
    answers = {
        name: _raw_call(space.url, api, [{"path": path, "meta": FILEDATA_META}, *trims])
        for name, path in server_files.items()
    }
    for name, answer in answers.items():
        assert answer.startswith(("event: error", "refused 400")), (name, answer)
        assert "png" not in answer and "Errno" not in answer and "Traceback" not in answer, (name, answer)
    assert refusal(what) in answers["planted"]  # Gradio lets paths in its upload folder through; we do not


@pytest.mark.slow
def test_server_paths_with_gradio_meta_or_as_the_clip_are_refused_alike(
    space: LaunchedApp, server_files: dict[str, str]
) -> None:
    with EXAMPLE_CLIP.open("rb") as f:
        uploaded = httpx.post(f"{space.url}gradio_api/upload", files={"files": f}, timeout=30).json()[0]
    clip = {"path": uploaded, "meta": FILEDATA_META}
    answers = {
        name: _raw_generate(space.url, {"path": path, "meta": FILEDATA_META}, clip)
        for name, path in server_files.items()
    }
    answers |= {
        f"clip:{name}": _raw_generate(
            space.url, {"path": str(EXAMPLE_PHOTO), "meta": FILEDATA_META}, {"path": path}
        )
        for name, path in server_files.items()
    }
    for name, answer in answers.items():
        assert answer.startswith(("event: error", "refused 400")), (name, answer)
    assert refusal("photo") in answers.pop(
        "planted"
    )  # Gradio lets paths in its upload folder through; we do not
    assert len(set(answers.values())) == 1, answers
    assert not any("mp4" in answer or "Errno" in answer for answer in answers.values())


@pytest.mark.slow
def test_uploaded_files_still_make_a_video(space: LaunchedApp) -> None:
    video, _ = Client(space.url, verbose=False).predict(
        handle_file(str(EXAMPLE_PHOTO)), handle_file(str(EXAMPLE_CLIP)), api_name="/generate"
    )
    assert probe(video)["frames"] == 200


@pytest.mark.slow
def test_the_example_path_reads_the_shipped_files(tmp_path: Path) -> None:
    with launched_app(tmp_path, TINY_FOMM, max_duration=10) as space:
        client = Client(space.url, verbose=False)
        video = client.predict(0, api_name="/load_example")
        assert probe(video["video"] if isinstance(video, dict) else video)["frames"] == 200
        # "Try the example", then Generate: the page sends Gradio's copies of the example files
        photo, clip = next(
            block.samples for block in space.demo.blocks.values() if isinstance(block, gr.Dataset)
        )[0]
        answer = _raw_generate(space.url, photo, clip)
        assert answer.startswith("event: complete") and ".mp4" in answer


def test_upload_check_rules(tmp_path: Path) -> None:
    uploads = tmp_path / "uploads"
    (uploads / "abc").mkdir(parents=True)
    mine = uploads / "abc" / "mine.png"
    mine.write_bytes(b"png")
    outside = tmp_path / "outside.png"
    outside.write_bytes(b"png")
    link = uploads / "abc" / "link.png"
    link.symlink_to(outside)
    received = {str(mine), str(link), str(outside)}
    check = UploadCheck(uploads, received.__contains__, shipped=[EXAMPLE_PHOTO])

    assert check.path({"path": str(mine), "meta": FILEDATA_META}, "photo") == str(mine)
    assert check.path(str(mine), "photo") == str(mine)
    assert check.path(str(EXAMPLE_PHOTO), "photo") == str(EXAMPLE_PHOTO)
    assert check.path(None, "photo") is None and check.path({"path": None}, "photo") is None
    assert check.path("", "photo") is None
    refused = [
        {"path": str(mine)},  # no meta: Gradio never looked at it
        {"path": str(mine), "meta": {"_type": "other"}},
        str(link),  # received, but resolves outside the upload folder
        str(outside),  # received (say), but outside the upload folder
        str(uploads / "abc" / "other.png"),  # inside, never received
        f"{uploads}/abc/../../outside.png",
        {"path": 42, "meta": FILEDATA_META},
    ]
    for upload in refused:
        with pytest.raises(UserError) as info:
            check.path(upload, "photo")  # type: ignore[arg-type]
        assert str(info.value) == refusal("photo")
    assert not UploadCheck(uploads).allows(str(mine))
    nested = [[{"path": "a", "meta": FILEDATA_META}, {"video": {"path": "b"}}], "c", {"path": None}]
    assert file_paths(nested) == {"a", "b"}


@pytest.mark.parametrize(
    ("api", "inputs", "what"),
    [
        ("people_in_photo", [], "photo"),
        ("dancers_in_clip", [0, 0], "dance clip"),
        ("generate", ["CLIP", *OTHER_INPUTS], "photo"),
    ],
)
def test_a_server_path_sent_as_a_file_gets_the_one_refusal_and_no_traceback(
    space: LaunchedApp,
    server_files: dict[str, str],
    capfd: pytest.CaptureFixture[str],
    api: str,
    inputs: list,
    what: str,
) -> None:
    clip = {"path": str(EXAMPLE_CLIP), "meta": FILEDATA_META}
    capfd.readouterr()
    for path in server_files.values():
        for value in ({"path": path, "meta": FILEDATA_META}, {"path": path}, path):
            data = [value, *(clip if item == "CLIP" else item for item in inputs)]
            assert _raw_call(space.url, api, data) == f"refused 400: {refusal(what)}", (path, value)
    logged = capfd.readouterr()
    assert "Traceback" not in logged.err + logged.out


def test_a_server_path_in_a_queued_call_is_refused_as_an_input_check(
    space: LaunchedApp, server_files: dict[str, str], capfd: pytest.CaptureFixture[str]
) -> None:
    index = next(i for i, fn in space.demo.fns.items() if fn.api_name == "dancers_in_clip")
    capfd.readouterr()
    for path in server_files.values():
        for value in ({"path": path, "meta": FILEDATA_META}, {"path": path}, path):
            response = httpx.post(
                f"{space.url}gradio_api/queue/join",
                json={"data": [value, 0, 0], "fn_index": index, "session_hash": "probe"},
                timeout=30,
            )
            assert response.status_code == 422, (path, value, response.text)
            first = response.json()["detail"][0]
            assert first["is_valid"] is False and first["message"] == refusal("dance clip")
            assert [check["is_valid"] for check in response.json()["detail"][1:]] == [True, True]
    logged = capfd.readouterr()
    assert "Traceback" not in logged.err + logged.out
