"""The Space: launched in-process and driven through gradio_client, plus its model cache and error handling."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from pathlib import Path

import gradio as gr
import numpy as np
import pytest
from app_fixtures import EXAMPLE_CLIP, EXAMPLE_PHOTO, LaunchedApp, launched_app, offline_models, probe
from conftest import TINY_FOMM, smooth_frames
from gradio_client import Client, handle_file
from gradio_client.exceptions import AppError, ValidationError
from huggingface_hub import constants as hub_constants

from fomm_core import animate, random_model
from fomm_core.checkpoints.registry import model_names
from fomm_core.cli import main
from fomm_core.hashing import file_sha256
from fomm_core.io.writer import to_uint8
from fomm_core.options import MAX_OUTPUT_WIDTH, RenderOptions
from fomm_core.pipeline import plan_render
from fomm_core.ratings.store import RatingsStore
from space import errors, gpu, handlers, inputs, settings, texts, widgets
from space.uploads import FILEDATA_META


@pytest.fixture(autouse=True)
def _hub_flag_restored(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(hub_constants, "HF_HUB_OFFLINE", hub_constants.HF_HUB_OFFLINE)


@pytest.fixture(scope="module")
def space(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LaunchedApp]:
    with launched_app(tmp_path_factory.mktemp("space"), TINY_FOMM, max_duration=10) as launched:
        yield launched


@pytest.fixture
def client(space: LaunchedApp) -> Client:
    return Client(space.url, verbose=False)


@pytest.mark.slow
def test_example_through_the_api_gives_mp4_with_audio_and_rating_is_counted(
    space: LaunchedApp, client: Client, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    video, notes = client.predict(
        handle_file(str(EXAMPLE_PHOTO)), handle_file(str(EXAMPLE_CLIP)), api_name="/generate"
    )
    assert Path(video).suffix == ".mp4"
    clip, result = probe(EXAMPLE_CLIP), probe(video)
    assert result["frames"] == clip["frames"] == 200
    assert result["fps"] == clip["fps"] and result["audio"]
    # the default scene: the photo's person dancing where they stand, in the photo's own framing
    plan = plan_render(EXAMPLE_PHOTO, EXAMPLE_CLIP, RenderOptions(max_duration=10))
    layout = plan.scene.layout(plan.photo, plan.output_side(TINY_FOMM.frame_size), MAX_OUTPUT_WIDTH)
    assert result["size"] == layout.size and min(layout.size) > TINY_FOMM.frame_size

    client.predict("moves match!", api_name="/rate_up")
    (rating,) = space.store.ratings()
    assert rating.rating == 1 and rating.comment == "moves match!"
    assert rating.photo_sha256 == file_sha256(EXAMPLE_PHOTO) and rating.clip_sha256 == file_sha256(
        EXAMPLE_CLIP
    )
    assert rating.model == "random-fomm-0" and rating.options["mode"] == "relative"
    assert rating.options["max_duration"] == 10 and len(rating.session) == 16
    assert notes == ""  # the example's dancer and person are found cleanly: nothing to tell
    with pytest.raises(AppError, match="already rated"):
        client.predict("twice", api_name="/rate_down")

    assert main(["ratings", "report", "--db", str(space.store.path)]) == 0
    assert "1 ratings (1 up) from 1 raters" in capsys.readouterr().out
    summary, by_model, _ = client.predict(api_name="/peer_review")
    assert summary.startswith("**1 rating**")
    assert by_model["headers"][:4] == ["model", "scene", "people", "ratings"]
    assert by_model["data"][0][:6] == ["random-fomm-0", "photo", "1", 1, 1, 0]


@pytest.mark.slow
def test_the_plain_scene_is_the_dancers_square_and_is_recorded(space: LaunchedApp, client: Client) -> None:
    video, _ = client.predict(
        handle_file(str(EXAMPLE_PHOTO)),
        handle_file(str(EXAMPLE_CLIP)),
        trim_end=0.4,
        scene="plain",
        api_name="/generate",
    )
    assert probe(video)["size"] == (TINY_FOMM.frame_size, TINY_FOMM.frame_size)
    client.predict("", api_name="/rate_up")
    assert space.store.ratings()[-1].options["scene"] == "plain"


@pytest.mark.slow
def test_options_reach_the_video(client: Client) -> None:
    video, _ = client.predict(
        handle_file(str(EXAMPLE_PHOTO)),
        handle_file(str(EXAMPLE_CLIP)),
        "default",
        "absolute",
        False,
        False,
        1.0,
        2.0,
        False,
        True,
        "64",
        False,
        "auto",
        "0",
        api_name="/generate",
    )
    result = probe(video)
    assert result["frames"] == 25 and not result["audio"]
    assert result["size"] == (128, 64)


@pytest.mark.slow
def test_the_fallback_note_reaches_the_api_caller(client: Client) -> None:
    video, notes = client.predict(
        handle_file(str(EXAMPLE_PHOTO)),
        handle_file(str(EXAMPLE_CLIP)),
        model="taichi",
        trim_end=0.4,
        api_name="/generate",
    )
    assert probe(video)["frames"] == 10
    assert notes.startswith("The **taichi** model could not be loaded")


@pytest.mark.slow
@pytest.mark.parametrize(
    "photo, clip, model, message",
    [
        (EXAMPLE_CLIP, EXAMPLE_CLIP, "default", "is a video, not a photo"),
        (EXAMPLE_PHOTO, EXAMPLE_PHOTO, "default", "is a still image, not a video"),
        (Path(__file__), EXAMPLE_CLIP, "default", "photo"),
    ],
)
def test_bad_uploads_give_the_user_facing_message(
    client: Client, photo: Path | None, clip: Path | None, model: str, message: str
) -> None:
    args = [handle_file(str(p)) if p else None for p in (photo, clip)]
    with pytest.raises(AppError, match=message) as info:
        client.predict(*args, model, api_name="/generate")
    assert "Traceback" not in str(info.value) and 'File "' not in str(info.value)


@pytest.mark.slow
def test_too_long_clip_is_refused_with_the_limit(tmp_path: Path) -> None:
    with launched_app(tmp_path, TINY_FOMM, max_duration=3, examples=False) as short:
        with pytest.raises(AppError, match="over the 3 s limit"):
            Client(short.url, verbose=False).predict(
                handle_file(str(EXAMPLE_PHOTO)), handle_file(str(EXAMPLE_CLIP)), api_name="/generate"
            )


@pytest.mark.slow
def test_rating_before_any_video_is_refused(client: Client) -> None:
    with pytest.raises(AppError, match="Generate a video first"):
        client.predict("", api_name="/rate_up")


def make_app(tmp_path: Path, **kwargs: object) -> handlers.SpaceApp:
    defaults = {
        "models": offline_models(TINY_FOMM),
        "store": RatingsStore(tmp_path / "r.db", mirror=None),
        "animate_fn": None,
        "max_duration": 10.0,
        "work_dir": tmp_path,
    }
    return handlers.SpaceApp(**{**defaults, **kwargs})  # type: ignore[arg-type]


@pytest.mark.slow
def test_unexpected_failure_is_logged_and_shown_generically(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    def broken(*args: object, **kwargs: object) -> Iterator[np.ndarray]:
        raise RuntimeError("CUDA out of memory at 0xdeadbeef")
        yield  # a generator, like animate_iter

    space_app = make_app(tmp_path, animate_fn=broken)
    opts = ("default", "relative", True, False, 0, 0, True, False, "native", True)
    with caplog.at_level(logging.ERROR, logger="space.errors"), pytest.raises(gr.Error) as info:
        space_app.generate(str(EXAMPLE_PHOTO), str(EXAMPLE_CLIP), *opts, progress=lambda *a, **k: None)
    assert info.value.message == errors.GENERIC_ERROR
    assert "0xdeadbeef" in caplog.text


def test_zero_gpu_animate_returns_uint8_frames_of_the_streaming_result_and_budget_scales() -> None:
    model = gpu._resident(random_model(TINY_FOMM))  # as the Space's loader leaves it for the GPU worker
    frames = smooth_frames(6, 32, seed=1)
    expected = animate(model, frames[0], frames, batch_size=4)
    from_gpu = list(gpu._animate_on_gpu(id(model), model.name, frames[0], frames, batch_size=4))
    assert {frame.dtype for frame in from_gpu} == {np.dtype(np.uint8)}
    got = np.stack(list(gpu.zero_gpu_animate(model, frames[0], iter(frames), batch_size=4)))
    np.testing.assert_array_equal(got, np.stack([to_uint8(frame) for frame in expected]))
    short = gpu._gpu_seconds(0, "default", frames[0], np.zeros((100, 1, 1, 3)))
    long = gpu._gpu_seconds(0, "default", frames[0], np.zeros((600, 1, 1, 3)))
    huge = gpu._gpu_seconds(0, "default", frames[0], np.zeros((100_000, 1, 1, 3)))
    assert gpu.GPU_BASE_S < short < long < huge == gpu.GPU_MAX_S


@pytest.mark.slow
def test_limits_are_configured(space: LaunchedApp) -> None:
    demo = space.demo
    assert demo.delete_cache == settings.CACHE_CLEANUP
    assert demo._queue.max_size == settings.QUEUE_SIZE
    generate = next(fn for fn in demo.fns.values() if fn.api_name == "generate")
    assert generate.concurrency_limit == settings.CONCURRENCY and not generate.preprocess
    assert (
        generate.validator is inputs.validate_generate
        and generate.time_limit == settings.GENERATE_TIME_LIMIT_S
    )
    names = {fn.api_name for fn in demo.fns.values() if fn.api_visibility == "public"}
    assert {"generate", "rate_up", "rate_down", "peer_review", "people_in_photo", "dancers_in_clip"} <= names
    previews = [fn for fn in demo.fns.values() if fn.api_name in ("people_in_photo", "dancers_in_clip")]
    assert all(fn.concurrency_limit == 1 and not fn.preprocess for fn in previews)


def test_offline_fallback_is_recorded_and_noticed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    warnings: list[str] = []
    monkeypatch.setattr(handlers.gr, "Warning", warnings.append)
    space_app = make_app(tmp_path)
    opts = space_app.options("taichi", "absolute", True, True, 0, 0.4, True, False, "native", True)
    video, generation = space_app.run(str(EXAMPLE_PHOTO), str(EXAMPLE_CLIP), opts)
    assert probe(video)["frames"] == 10
    assert warnings and "**taichi** model could not be loaded" in warnings[0]
    assert generation["notice"].startswith(warnings[0])
    assert generation["model"] == generation["options"]["model"] == "random-fomm-0"
    assert generation["options"]["mode"] == "absolute" and generation["options"]["best_frame"] == "auto"


@pytest.mark.slow
@pytest.mark.parametrize(
    "args, kwargs, message",
    [
        ((None, EXAMPLE_CLIP), {}, "photo: Please upload a full-body photo first."),
        ((EXAMPLE_PHOTO, None), {}, "clip: Please upload a dance clip first."),
        ((EXAMPLE_PHOTO, EXAMPLE_CLIP), {"model": "no-such-model"}, "model: Choose one of: default, taichi"),
        (
            (EXAMPLE_PHOTO, EXAMPLE_CLIP),
            {"mode": "sideways"},
            "mode: Choose one of: relative, absolute, avd.",
        ),
        ((EXAMPLE_PHOTO, EXAMPLE_CLIP), {"adapt_scale": "yes"}, "adapt_scale: This must be true or false."),
        ((EXAMPLE_PHOTO, EXAMPLE_CLIP), {"trim_start": -1}, "trim_start: This must be a number of seconds"),
        ((EXAMPLE_PHOTO, EXAMPLE_CLIP), {"trim_start": "2"}, "trim_start: This must be a number of seconds"),
        ((EXAMPLE_PHOTO, EXAMPLE_CLIP), {"trim_start": 3, "trim_end": 2}, "trim_end: Trim end must be after"),
        (
            (EXAMPLE_PHOTO, EXAMPLE_CLIP),
            {"output_size": "4096"},
            "output_size: Output size must be 'native' or",
        ),
        ((EXAMPLE_PHOTO, EXAMPLE_CLIP), {"output_size": 32}, "from 64 to 512"),
        ((EXAMPLE_PHOTO, EXAMPLE_CLIP), {"output_size": "²"}, "output_size: Output size must be 'native' or"),
        (
            (EXAMPLE_PHOTO, EXAMPLE_CLIP),
            {"output_size": "５１２"},
            "output_size: Output size must be 'native' or",
        ),
        ((EXAMPLE_PHOTO, EXAMPLE_CLIP), {"keep_audio": 1}, "keep_audio: This must be true or false."),
        ((EXAMPLE_PHOTO, EXAMPLE_CLIP), {"scene": "beach"}, "scene: Choose one of: photo, plain, stage."),
    ],
)
def test_validator_refuses_bad_calls_before_the_render(
    client: Client,
    monkeypatch: pytest.MonkeyPatch,
    args: tuple[object, ...],
    kwargs: dict[str, object],
    message: str,
) -> None:
    renders: list[object] = []
    monkeypatch.setattr(handlers, "render", lambda *a, **k: renders.append(a))
    files = [handle_file(str(p)) if isinstance(p, Path) else p for p in args]
    with pytest.raises(ValidationError, match="failed validation") as info:
        client.predict(*files, **kwargs, api_name="/generate")
    assert message in str(info.value)
    assert renders == []


def test_validator_answers_in_korean_to_a_korean_browser() -> None:
    request = type("Request", (), {"headers": {"accept-language": "ko-KR,ko;q=0.9,en;q=0.8"}})()
    checks = inputs.validate_generate(
        None, None, "default", "relative", True, False, 0, 0, True, False, "native", True, request=request
    )
    assert [c["message"] for c in checks[:2]] == [texts.KO["v_photo"], texts.KO["v_clip"]]
    assert all(c["is_valid"] for c in checks[2:])


@pytest.mark.slow
def test_generate_stops_at_the_time_limit(tmp_path: Path) -> None:
    space_app = make_app(tmp_path, time_limit=0)
    opts = ("default", "relative", True, False, 0, 0, True, False, "native", True)
    with pytest.raises(gr.Error, match="took longer than the 0 s limit"):
        space_app.generate(str(EXAMPLE_PHOTO), str(EXAMPLE_CLIP), *opts, progress=lambda *a, **k: None)
    assert not list(tmp_path.glob("*.mp4")) and not list(tmp_path.glob(".*partial*"))


@pytest.mark.slow
def test_an_examples_video_has_the_rating_context_its_render_had(tmp_path: Path) -> None:
    space_app = make_app(tmp_path)
    photo, clip = map(str, settings.EXAMPLES[1])
    video = space_app.example(photo, clip)
    assert probe(video)["frames"] == 150
    cached_copy = (
        tmp_path / "cache" / Path(video).name
    )  # Gradio serves the cached example under the same name
    cached_copy.parent.mkdir()
    cached_copy.write_bytes(Path(video).read_bytes())
    clip_upload = {"path": clip, "meta": FILEDATA_META}
    made = space_app.example_context(photo, clip_upload, {"path": str(cached_copy)})
    assert made["generation_id"] == Path(video).stem and made["rated"] is False
    assert made["photo_sha256"] == file_sha256(photo) and made["clip_sha256"] == file_sha256(clip)
    assert made["options"]["max_duration"] == space_app.max_duration and made["options"]["mode"] == "relative"
    # a cache made by an earlier process: the same video, options and files, rebuilt without rendering
    again = make_app(tmp_path).example_context(photo, clip_upload, {"path": str(cached_copy)})
    assert {k: v for k, v in again.items() if k != "notice"} == {
        k: v for k, v in made.items() if k != "notice"
    }


def test_every_page_text_exists_in_english_and_korean() -> None:
    assert texts.KO.keys() == texts.EN.keys() and tuple(texts.KO_MODELS) == model_names()
    for key, english in texts.EN.items():
        assert english and texts.KO[key] and texts.KO[key] != english or key == "intro"
        assert re.findall(r"{\w+}", texts.KO[key]) == re.findall(r"{\w+}", english)
    tables = texts.page_texts(20, ["taichi"]).translations_dict
    assert tables["en"].keys() == tables["ko"].keys()
    assert (
        tables["en"]["clip"] == "Dance clip (up to 20 s)" and tables["ko"]["clip"] == "댄스 영상 (최대 20초)"
    )


@pytest.mark.parametrize("model, size", [("default", 128), ("taichi", 256), ("tpsmm-ted", 384)])
def test_output_size_label_names_the_selected_models_size(model: str, size: int) -> None:
    i18n = texts.page_texts(20, [])
    label, value = widgets.size_choices(i18n, model)[0]
    assert (
        value == "native"
        and i18n.translations_dict["en"][f"size_native_{size}"] == f"Model's own ({size} px)"
    )
    assert label == str(i18n(f"size_native_{size}"))


@pytest.mark.slow
def test_offline_the_model_dropdown_lists_only_what_can_run_and_says_why(space: LaunchedApp) -> None:
    dropdown = next(b for b in space.demo.blocks.values() if getattr(b, "elem_id", None) == "model")
    # the pose engine downloads nothing, so it runs offline beside the embedded model
    assert [value for _, value in dropdown.choices] == ["default", "pose"]
    note = next(b for b in space.demo.blocks.values() if getattr(b, "elem_id", None) == "models-missing")
    assert note.visible and note.value == str(space.demo.page_i18n("models_missing"))
    info = space.demo.page_i18n.translations_dict["en"]["models_missing"]
    assert info.startswith("Not listed: taichi, fashion,") and "Hugging Face Hub cannot be reached" in info
