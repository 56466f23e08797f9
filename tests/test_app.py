"""The Space: launched in-process and driven through gradio_client, plus its model cache and error handling."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

import gradio as gr
import numpy as np
import pytest
from app_fixtures import EXAMPLE_CLIP, EXAMPLE_PHOTO, LaunchedApp, launched_app, offline_loader, probe
from conftest import TINY_FOMM, smooth_frames
from gradio_client import Client, handle_file
from gradio_client.exceptions import AppError

import app
from fomm_core import animate, random_model
from fomm_core.cli import main
from fomm_core.errors import UserError
from fomm_core.ratings import RatingsStore, file_sha256


@pytest.fixture(scope="module")
def space(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LaunchedApp]:
    with launched_app(tmp_path_factory.mktemp("space"), TINY_FOMM, max_duration=10) as launched:
        yield launched


@pytest.fixture
def client(space: LaunchedApp) -> Client:
    return Client(space.url, verbose=False)


def test_example_through_the_api_gives_mp4_with_audio_and_rating_is_counted(
        space: LaunchedApp, client: Client, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    video = client.predict(handle_file(str(EXAMPLE_PHOTO)), handle_file(str(EXAMPLE_CLIP)), api_name="/generate")
    assert Path(video).suffix == ".mp4"
    clip, result = probe(EXAMPLE_CLIP), probe(video)
    assert result["frames"] == clip["frames"] == 200
    assert result["fps"] == clip["fps"] and result["audio"]
    assert result["size"] == (TINY_FOMM.frame_size, TINY_FOMM.frame_size)

    client.predict("moves match!", api_name="/rate_up")
    (rating,) = space.store.ratings()
    assert rating.rating == 1 and rating.comment == "moves match!"
    assert rating.photo_sha256 == file_sha256(EXAMPLE_PHOTO) and rating.clip_sha256 == file_sha256(EXAMPLE_CLIP)
    assert rating.model == "random-fomm-0" and rating.options["mode"] == "relative"
    assert rating.options["max_duration"] == 10 and len(rating.session) == 16
    with pytest.raises(AppError, match="already rated"):
        client.predict("twice", api_name="/rate_down")

    assert main(["ratings", "report", "--db", str(space.store.path)]) == 0
    assert "1 ratings (1 up) from 1 raters" in capsys.readouterr().out
    summary, by_model, _ = client.predict(api_name="/peer_review")
    assert summary.startswith("**1 rating**")
    assert by_model["data"][0][:4] == ["random-fomm-0", 1, 1, 0]


def test_options_reach_the_video(client: Client) -> None:
    video = client.predict(handle_file(str(EXAMPLE_PHOTO)), handle_file(str(EXAMPLE_CLIP)), "default", "absolute",
                           False, False, 1.0, 2.0, False, True, "64", False, api_name="/generate")
    result = probe(video)
    assert result["frames"] == 25 and not result["audio"]
    assert result["size"] == (128, 64)


@pytest.mark.parametrize("photo, clip, model, message", [
    (None, EXAMPLE_CLIP, "default", "Please upload a full-body photo first."),
    (EXAMPLE_PHOTO, None, "default", "Please upload a dance clip first."),
    (EXAMPLE_CLIP, EXAMPLE_CLIP, "default", "is a video, not a photo"),
    (EXAMPLE_PHOTO, EXAMPLE_PHOTO, "default", "is a still image, not a video"),
    (Path(__file__), EXAMPLE_CLIP, "default", "photo"),
    (EXAMPLE_PHOTO, EXAMPLE_CLIP, "no-such-model", "Unknown model 'no-such-model'"),
])
def test_bad_uploads_give_the_user_facing_message(client: Client, photo: Path | None, clip: Path | None,
                                                  model: str, message: str) -> None:
    args = [handle_file(str(p)) if p else None for p in (photo, clip)]
    with pytest.raises(AppError, match=message) as info:
        client.predict(*args, model, api_name="/generate")
    assert "Traceback" not in str(info.value) and "File \"" not in str(info.value)


def test_too_long_clip_is_refused_with_the_limit(tmp_path: Path) -> None:
    with launched_app(tmp_path, TINY_FOMM, max_duration=3, examples=False) as short:
        with pytest.raises(AppError, match="over the 3 s limit"):
            Client(short.url, verbose=False).predict(handle_file(str(EXAMPLE_PHOTO)), handle_file(str(EXAMPLE_CLIP)),
                                                     api_name="/generate")


def test_rating_before_any_video_is_refused(client: Client) -> None:
    with pytest.raises(AppError, match="Generate a video first"):
        client.predict("", api_name="/rate_up")


def make_app(tmp_path: Path, **kwargs: object) -> app.SpaceApp:
    defaults = {"models": app.ModelCache(offline_loader(TINY_FOMM)), "store": RatingsStore(tmp_path / "r.db",
                mirror=None), "animate_fn": None, "max_duration": 10.0, "work_dir": tmp_path}
    return app.SpaceApp(**{**defaults, **kwargs})  # type: ignore[arg-type]


def test_unexpected_failure_is_logged_and_shown_generically(tmp_path: Path,
                                                            caplog: pytest.LogCaptureFixture) -> None:
    def broken(*args: object, **kwargs: object) -> Iterator[np.ndarray]:
        raise RuntimeError("CUDA out of memory at 0xdeadbeef")
        yield  # a generator, like animate_iter

    space_app = make_app(tmp_path, animate_fn=broken)
    opts = ("default", "relative", True, False, 0, 0, True, False, "native", True)
    with caplog.at_level(logging.ERROR, logger="app"), pytest.raises(gr.Error) as info:
        space_app.generate(str(EXAMPLE_PHOTO), str(EXAMPLE_CLIP), *opts, progress=lambda *a, **k: None)
    assert info.value.message == app.GENERIC_ERROR
    assert "0xdeadbeef" in caplog.text


def test_model_cache_loads_once_and_falls_back_with_a_notice() -> None:
    loader = offline_loader(TINY_FOMM)
    cache = app.ModelCache(loader)
    default, notice = cache.get("default")
    assert notice == "" and cache.get("default")[0] is default
    model, notice = cache.get("taichi")
    assert model is default
    assert "**taichi** model could not be loaded" in notice and "embedded default model" in notice
    cache.get("taichi")
    assert loader.calls == ["default", "taichi"]  # the failure is remembered, not retried at once
    retrying = app.ModelCache(loader, retry_after=0)
    retrying.get("taichi")
    retrying.get("taichi")
    assert loader.calls.count("taichi") == 3


def test_missing_default_model_is_a_user_error() -> None:
    def nothing(name: str) -> None:
        raise UserError("The embedded 'default' model is missing.")

    with pytest.raises(UserError, match="missing"):
        app.ModelCache(nothing).get("taichi")


def test_zero_gpu_animate_matches_streaming_and_budget_scales() -> None:
    model = random_model(TINY_FOMM)
    frames = smooth_frames(6, 32, seed=1)
    expected = animate(model, frames[0], frames, batch_size=4)
    got = np.stack(list(app.zero_gpu_animate(model, frames[0], iter(frames), batch_size=4)))
    np.testing.assert_array_equal(got, expected)
    short = app._gpu_seconds(0, "default", frames[0], np.zeros((100, 1, 1, 3)))
    long = app._gpu_seconds(0, "default", frames[0], np.zeros((600, 1, 1, 3)))
    huge = app._gpu_seconds(0, "default", frames[0], np.zeros((100_000, 1, 1, 3)))
    assert app.GPU_BASE_S < short < long < huge == app.GPU_MAX_S


def test_limits_are_configured(space: LaunchedApp) -> None:
    demo = space.demo
    assert demo.delete_cache == app.CACHE_CLEANUP
    assert demo._queue.max_size == app.QUEUE_SIZE
    generate = next(fn for fn in demo.fns.values() if fn.api_name == "generate")
    assert generate.concurrency_limit == app.CONCURRENCY and not generate.preprocess
    names = {fn.api_name for fn in demo.fns.values() if fn.api_visibility == "public"}
    assert {"generate", "rate_up", "rate_down", "peer_review"} <= names


def test_offline_fallback_is_recorded_and_noticed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    warnings: list[str] = []
    monkeypatch.setattr(app.gr, "Warning", warnings.append)
    space_app = make_app(tmp_path)
    opts = space_app.options("taichi", "absolute", True, True, 0, 0.4, True, False, "native", True)
    video, generation = space_app.run(str(EXAMPLE_PHOTO), str(EXAMPLE_CLIP), opts)
    assert probe(video)["frames"] == 10
    assert warnings and "**taichi** model could not be loaded" in warnings[0]
    assert generation["notice"].startswith(warnings[0])
    assert generation["model"] == generation["options"]["model"] == "random-fomm-0"
    assert generation["options"]["mode"] == "absolute" and generation["options"]["best_frame"] == "auto"
