"""The pose engine's render reads the frames the people tracking decoded, and their file goes with the render."""

from __future__ import annotations

import subprocess

import numpy as np
import pytest
from kept_fixtures import files_open_in, temp_folder  # noqa: F401 - fixture
from people_fixtures import real  # noqa: F401 - fixture

from fomm_core.checkpoints.load import load_model
from fomm_core.errors import UserError
from fomm_core.io import kept as kept_module
from fomm_core.io import open_video, read_frames
from fomm_core.io import video as video_module
from fomm_core.options import RenderOptions
from fomm_core.people.video import work_size
from fomm_core.pipeline import plan_render, render
from space import handlers
from space.uploads import UploadCheck

pytestmark = pytest.mark.slow
SHORT = {"model": "pose", "max_fps": 10, "trim_start": 0.5, "trim_end": 1.5}


@pytest.fixture
def decodes(real, monkeypatch) -> list[list[str]]:  # noqa: F811
    """The ffmpeg runs that decode the dance clip at the tracking's size, as they start."""
    runs, popen = [], subprocess.Popen
    w, h = work_size(open_video(real["single_person"]))

    def counted(cmd, *args, **named):
        clip = any(str(real["single_person"]) in str(arg) for arg in cmd)
        if clip and "pipe:1" in cmd and f"scale={w}:{h}:" in cmd[cmd.index("-vf") + 1]:
            runs.append(cmd)
        return popen(cmd, *args, **named)

    monkeypatch.setattr(video_module.subprocess, "Popen", counted)
    return runs


def _frames(path) -> np.ndarray:
    info = open_video(path)
    return np.stack(list(read_frames(info, size=(info.width, info.height))))


def test_the_render_takes_the_kept_frames_and_draws_what_a_fresh_decode_draws(
    real,  # noqa: F811
    temp_folder,  # noqa: F811
    decodes,
    tmp_path,
):
    plan = plan_render(real["bus"], real["single_person"], RenderOptions(**SHORT))
    assert len(decodes) == 1, "the tracking decodes the clip"
    assert plan.kept.full and files_open_in(temp_folder)
    model = load_model("pose")
    kept = _frames(render(plan, model, tmp_path / "kept.mp4"))
    assert len(decodes) == 1, "the render decoded the clip again"
    assert plan.kept.closed and not files_open_in(temp_folder) and not list(temp_folder.iterdir())
    fresh = _frames(render(plan, model, tmp_path / "fresh.mp4"))  # the keep is gone: decoded
    assert len(decodes) == 2
    assert len(kept) == plan.frame_count and np.array_equal(kept, fresh)


def test_a_failed_render_removes_the_kept_frames(real, temp_folder, tmp_path):  # noqa: F811
    plan = plan_render(real["bus"], real["single_person"], RenderOptions(mode="absolute", **SHORT))
    assert plan.kept.full
    with pytest.raises(UserError, match="relative"):
        render(plan, load_model("pose"), tmp_path / "x.mp4")
    assert plan.kept.closed and not files_open_in(temp_folder)


def test_a_failed_plan_removes_the_kept_frames(real, temp_folder):  # noqa: F811
    with pytest.raises(UserError, match="no dancer 9"):
        plan_render(real["bus"], real["single_person"], RenderOptions(dancer=(9,), **SHORT))
    assert not files_open_in(temp_folder) and not list(temp_folder.iterdir())


def test_a_clip_over_the_budget_is_not_kept_and_still_renders(
    real,  # noqa: F811
    temp_folder,  # noqa: F811
    decodes,
    tmp_path,
    monkeypatch,
):
    monkeypatch.setattr(kept_module, "KEEP_BYTES", 1_000_000)  # ten frames at 640 px are 7 MB
    plan = plan_render(real["bus"], real["single_person"], RenderOptions(**SHORT))
    assert not plan.kept.full and plan.kept.closed and not files_open_in(temp_folder)
    decodes.clear()
    assert len(_frames(render(plan, load_model("pose"), tmp_path / "out.mp4"))) == plan.frame_count
    assert len(decodes) == 1


def test_other_engines_keep_nothing(real, temp_folder):  # noqa: F811
    plan = plan_render(real["bus"], real["single_person"], RenderOptions(**{**SHORT, "model": "default"}))
    assert plan.kept is None and not files_open_in(temp_folder)


def test_a_model_that_fails_to_load_leaves_no_kept_frames(real, temp_folder, tmp_path):  # noqa: F811
    class Unloadable:
        def get(self, name: str) -> None:
            raise UserError(f"The {name} engine could not be loaded.")

    uploads = UploadCheck(tmp_path, shipped=(real["bus"], real["single_person"]))
    space = handlers.SpaceApp(Unloadable(), None, None, 10.0, tmp_path, uploads=uploads)
    with pytest.raises(UserError, match="could not be loaded") as failure:
        space.run(str(real["bus"]), str(real["single_person"]), RenderOptions(**SHORT))
    # the error is still held (as the Space holds it while it reports it), and with it the plan: the file
    # must be gone all the same
    assert failure.traceback and not files_open_in(temp_folder) and not list(temp_folder.iterdir())
