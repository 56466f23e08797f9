"""Shared helpers for the app tests: a tiny model standing in for the default, and an in-process launched Space."""

from __future__ import annotations

import atexit
import os
import re
import shutil
import subprocess
import sys
import tempfile
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import imageio_ffmpeg
from huggingface_hub import constants as hub_constants

from fomm_core import load_model, random_model
from fomm_core.config import ModelConfig
from fomm_core.engines import ENGINES
from fomm_core.engines.motion_model import MotionModel
from fomm_core.errors import UserError
from fomm_core.ratings.store import RatingsStore
from space.model_cache import ModelCache

REPO_ROOT = Path(__file__).resolve().parents[1]
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))
EXAMPLE_PHOTO = REPO_ROOT / "examples" / "photo.png"
EXAMPLE_CLIP = REPO_ROOT / "examples" / "dance.mp4"

# Gradio stores uploads by content in one folder; test processes running side by side would share the files and
# delete each other's when an app closes, so each test process gets its own folder.
if "GRADIO_TEMP_DIR" not in os.environ:
    os.environ["GRADIO_TEMP_DIR"] = tempfile.mkdtemp(prefix="gradio-tests-")
    atexit.register(shutil.rmtree, os.environ["GRADIO_TEMP_DIR"], ignore_errors=True)
warnings.filterwarnings("ignore", category=DeprecationWarning, module="gradio.*")
warnings.filterwarnings("ignore", category=DeprecationWarning, module="pandas.*")


def offline_loader(config: ModelConfig) -> Any:
    """A model loader as on a machine without the Hub: "default" is a tiny random model, an engine without a
    checkpoint is itself, others cannot be fetched."""
    calls: list[str] = []

    def load(name: str) -> MotionModel:
        calls.append(name)
        if name == "default":
            return random_model(config, seed=0)
        if name in ENGINES and not ENGINES[name].needs_checkpoint:
            return load_model(name)
        raise UserError(
            f"The {name!r} weights could not be fetched (offline test). Use the embedded 'default' "
            "model, which works offline."
        )

    load.calls = calls  # type: ignore[attr-defined]
    return load


def offline_models(config: ModelConfig) -> ModelCache:
    """A ModelCache as on a machine without the Hub: only the tiny stand-in for "default" can run."""
    return ModelCache(offline_loader(config), is_local=lambda name: name == "default", probe=lambda: False)


@dataclass
class LaunchedApp:
    """A Space running in this process."""

    demo: Any
    url: str
    store: RatingsStore


@contextmanager
def launched_app(tmp: Path, config: ModelConfig, **build_kwargs: Any) -> Iterator[LaunchedApp]:
    """Build the Space with the tiny offline model and a fresh ratings store (or `store=`), launch it, close it after."""
    from space import layout

    previous = os.environ.get("GRADIO_EXAMPLES_CACHE")
    os.environ["GRADIO_EXAMPLES_CACHE"] = str(tmp / "examples-cache")
    store = build_kwargs.pop("store", None) or RatingsStore(tmp / "ratings.db", mirror=None)
    hub_offline = hub_constants.HF_HUB_OFFLINE
    demo = layout.build_demo(models=offline_models(config), store=store, **build_kwargs)
    layout.launch(demo, prevent_thread_lock=True, quiet=True)
    try:
        yield LaunchedApp(demo, demo.local_url, store)
    finally:
        demo.close()
        hub_constants.HF_HUB_OFFLINE = hub_offline
        if previous is None:
            os.environ.pop("GRADIO_EXAMPLES_CACHE", None)
        else:
            os.environ["GRADIO_EXAMPLES_CACHE"] = previous


def probe(path: str | os.PathLike[str]) -> dict[str, Any]:
    """Frame count, fps and whether there is an audio stream, from ffmpeg itself (there is no ffprobe)."""
    ffmpeg = imageio_ffmpeg.get_ffmpeg_exe()
    info = subprocess.run([ffmpeg, "-hide_banner", "-i", str(path)], capture_output=True, text=True).stderr
    frames, _ = imageio_ffmpeg.count_frames_and_secs(str(path))
    fps = re.search(r"([\d.]+) fps", info)
    size = re.search(r"Video: .*?(\d{2,5})x(\d{2,5})", info)
    return {
        "frames": frames,
        "fps": float(fps.group(1)) if fps else None,
        "audio": "Audio:" in info,
        "size": (int(size.group(1)), int(size.group(2))) if size else None,
    }
