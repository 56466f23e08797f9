"""The embedded default model: its files, its config, and that it animates the shipped example."""

from __future__ import annotations

from pathlib import Path

import imageio_ffmpeg
import numpy as np
import pytest
import torch
from PIL import Image

import fomm_core
from fomm_core.checkpoints.formats import config_from_metadata, read_safetensors
from fomm_core.config import load_config
from fomm_core.train.setup import load_train_setup

ROOT = Path(__file__).resolve().parents[1]
MODEL_DIR = ROOT / "fomm_core" / "default_model"


def _dance(n: int) -> np.ndarray:
    reader = imageio_ffmpeg.read_frames(str(ROOT / "examples" / "dance.mp4"))
    meta = next(reader)
    w, h = meta["size"]
    frames = [
        np.frombuffer(raw, np.uint8).reshape(h, w, 3).copy() for _, raw in zip(range(n), reader, strict=False)
    ]
    reader.close()
    return np.stack(frames)


def test_default_model_files_and_config():
    assert (MODEL_DIR / "model.safetensors").stat().st_size <= 25 * 1024 * 1024
    assert "## Evaluation" in (MODEL_DIR / "MODEL_CARD.md").read_text()
    setup = load_train_setup(MODEL_DIR / "config.yaml")
    assert setup.model == load_config(MODEL_DIR / "config.yaml")
    assert setup.model.frame_size == 128
    # the weights' own record of their architecture and sampling convention agrees with the shipped config
    assert config_from_metadata(read_safetensors(MODEL_DIR / "model.safetensors")[1]) == setup.model


@pytest.mark.slow
def test_default_model_animates_the_example_where_the_dancer_moves():
    torch.manual_seed(0)
    model = fomm_core.load_model("default", device="cpu")
    assert model.frame_size == 128
    photo = np.array(Image.open(ROOT / "examples" / "photo.png").convert("RGB"))
    driving = _dance(60)
    result = fomm_core.animate(model, photo, driving)
    assert result.shape == (60, 128, 128, 3)

    def small(frames: np.ndarray) -> np.ndarray:
        return model.to_tensor(frames).permute(0, 2, 3, 1).cpu().numpy()

    static = small(photo)[0]
    driving_small = small(driving)
    difference = np.abs(driving_small - driving_small[:1]).max(-1)
    moving = difference > 0.15  # where the dancer's pixels change
    still = (difference.max(0) < 0.03)[None].repeat(len(difference), 0)  # never touched by the dancer
    change = np.abs(result - static).mean(-1)
    assert moving.sum() > 500 and still.sum() > 500
    assert change[moving].mean() > 0.05
    assert change[moving].mean() > 3 * change[still].mean()
    # the first frame keeps the photo's own pose (relative motion starts from it)
    assert np.abs(result[0] - static).mean() < np.abs(result[moving.any((1, 2))] - static).mean()
