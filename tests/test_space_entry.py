"""The Space's entry point: `app.py` at the root, as Spaces runs it, with `demo` importable from it."""

from __future__ import annotations

import inspect
from pathlib import Path

import gradio as gr
import pytest
from huggingface_hub import constants as hub_constants

from fomm_core.options import OPTIONS

pytestmark = pytest.mark.slow


def test_app_builds_the_space_on_first_use_of_demo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FOMM_PRELOAD", "default")
    monkeypatch.setenv("FOMM_RATINGS_DB", str(tmp_path / "ratings.db"))
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setattr(hub_constants, "HF_HUB_OFFLINE", hub_constants.HF_HUB_OFFLINE)
    import app

    assert "demo" not in vars(app)  # importing app built nothing
    demo = app.demo
    assert isinstance(demo, gr.Blocks) and app.demo is demo
    generate = next(fn for fn in demo.fns.values() if fn.api_name == "generate")
    parameters = list(inspect.signature(generate.fn).parameters)
    assert parameters == ["photo", "clip", *(o.name for o in OPTIONS if o.on_page), "friends", "progress"]
    with pytest.raises(AttributeError):
        app.no_such_thing  # noqa: B018
