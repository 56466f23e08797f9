"""A learned engine on the stage: the embedded FOMM model's person laid over the replaced dancer's crop square in
a synthetic group clip with a cut, the rest of the picture left as the clip shows it; groups stay the pose engine's."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from fomm_core.checkpoints.load import load_model
from fomm_core.data import group_scene, random_identity, render_group
from fomm_core.data.group import identity_photo, write_group_clip
from fomm_core.errors import UserError
from fomm_core.io import open_video, read_frames
from fomm_core.options import RenderOptions
from fomm_core.pipeline import plan_render, render

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def media(tmp_path_factory: pytest.TempPathFactory) -> tuple[np.ndarray, Path]:
    """A newcomer's photo and a 1.2 s three-dancer clip with one cut."""
    folder = tmp_path_factory.mktemp("learned")
    scene = group_scene(0, n_dancers=3, seconds=1.2, size=(384, 216), n_cuts=1)
    video = write_group_clip(render_group(scene), folder / "group")["video"]
    return identity_photo(random_identity(np.random.default_rng(11)), 256), video


def test_the_default_model_takes_the_dancers_place_on_the_stage(media: tuple, tmp_path: Path) -> None:
    photo, video = media
    plan = plan_render(photo, video, RenderOptions(scene="stage", model="default"))
    model, clip = load_model("default"), open_video(video)
    original = np.stack(list(read_frames(clip))).astype(np.float32)
    crop = np.zeros(original.shape[:3], bool)  # the replaced dancer's crop square in each frame
    for t in range(len(crop)):
        square = plan.framing.square(t)
        x0, y0, side = round(square.x0), round(square.y0), round(square.side)
        crop[t, max(0, y0) : y0 + side, max(0, x0) : x0 + side] = True
    changed = {}
    # "echo" generates the dancer's own crops: laid back where they were cut, they put the dancer back
    for name, animate_fn in (("fomm", None), ("echo", lambda model, source, driving, **kw: driving)):
        made = open_video(render(plan, model, tmp_path / f"{name}.mp4", animate_fn=animate_fn))
        assert (made.frame_count, made.width, made.height) == (clip.frame_count, clip.width, clip.height)
        assert made.fps == clip.fps
        change = np.abs(np.stack(list(read_frames(made))).astype(np.float32) - original).mean(-1)
        assert (change[~crop] > 30).mean() < 0.002  # the stage and the other dancers as they were
        assert np.median(change[~crop]) < 2
        changed[name] = (change[crop] > 30).mean()
    assert changed["echo"] < 0.05  # the layer is at the crop square's place and size
    assert changed["fomm"] > 1.5 * changed["echo"]  # the generated person where the dancer was


def test_a_learned_model_with_several_photos_is_refused(media: tuple) -> None:
    photo, video = media
    with pytest.raises(UserError, match="Groups are drawn by the pose engine .*'default' animates one photo"):
        plan_render([photo, photo], video, RenderOptions(scene="stage", model="default"))
    group = plan_render([photo, photo], video, RenderOptions(scene="stage", model="pose"))
    with pytest.raises(UserError, match="Groups are drawn by the pose engine .*or upload one photo"):
        render(group, load_model("default"))
