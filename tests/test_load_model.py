"""load_model: real networks from original-layout files, safetensors round trip, registry names, devices."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
import torch
from conftest import TINY_FOMM, smooth_frames
from weights_fixtures import populate_hub_cache, save_original, use_offline_hub

import fomm_core
from fomm_core.checkpoints.formats import write_safetensors
from fomm_core.cli import main as cli_main
from fomm_core.engines.fomm import FOMMModel, build_networks
from fomm_core.engines.motion_model import choose_device


def _original_checkpoint(seed: int = 0) -> dict:
    """The tiny FOMM in the original .pth.tar layout, with trained-looking batch-norm statistics."""
    torch.manual_seed(seed)
    nets = build_networks(TINY_FOMM)
    with torch.no_grad():
        for m in (m for net in nets.values() for m in net.modules()):
            if isinstance(m, torch.nn.BatchNorm2d):
                m.running_mean.uniform_(-0.2, 0.2)
                m.running_var.uniform_(0.5, 1.5)
                m.num_batches_tracked.fill_(1234)
    ckpt = {name: net.state_dict() for name, net in nets.items()}
    ckpt.update(
        discriminator={"discs.1.conv.weight": torch.rand(1, 8, 1, 1)},
        epoch=99,
        optimizer_generator={"state": {}, "param_groups": []},
    )
    return ckpt


@pytest.fixture
def frames() -> tuple[np.ndarray, np.ndarray]:
    return smooth_frames(1, 32, seed=1)[0], smooth_frames(4, 32, seed=2)


@pytest.fixture(autouse=True)
def _private_cache(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("FOMM_CORE_CACHE", str(tmp_path / "cache"))


@pytest.mark.parametrize("legacy", [True, False])
def test_original_layout_loads_strictly_and_round_trips_through_safetensors(tmp_path, frames, legacy) -> None:
    ckpt = _original_checkpoint()
    path = save_original(ckpt, tmp_path / "tiny-cpk.pth.tar", legacy)
    model = fomm_core.load_model(str(path), config=TINY_FOMM, device="cpu")
    assert model.sha256 is not None and len(model.sha256) == 64
    reference = FOMMModel.from_state(
        TINY_FOMM, {k: ckpt[k] for k in ("kp_detector", "generator")}, torch.device("cpu")
    )
    out = fomm_core.animate(model, *frames)
    assert np.array_equal(out, fomm_core.animate(reference, *frames))

    converted = tmp_path / "tiny.safetensors"
    assert cli_main(["convert", str(path), str(converted)]) == 0
    again = fomm_core.load_model(str(converted), config=TINY_FOMM)
    assert np.array_equal(fomm_core.animate(again, *frames), out)
    assert (
        np.abs(fomm_core.animate(fomm_core.load_model(str(path), config=TINY_FOMM), *frames) - out).max() == 0
    )


def test_the_sampling_convention_travels_with_the_weights_and_can_be_overridden(tmp_path, frames) -> None:
    aligned = replace(TINY_FOMM, align_corners=True)
    path = write_safetensors(
        {k: v for k, v in _original_checkpoint().items() if k in ("kp_detector", "generator")},
        tmp_path / "aligned.safetensors",
        config=aligned,
    )
    model = fomm_core.load_model(str(path))
    assert model.config.align_corners and model.generator.align_corners
    assert model.generator.dense_motion_network.align_corners
    original = fomm_core.load_model(str(path), align_corners=False)
    assert not original.generator.align_corners
    assert np.abs(fomm_core.animate(model, *frames) - fomm_core.animate(original, *frames)).max() > 0


def test_a_checkpoint_that_does_not_fit_the_config_is_a_user_error(tmp_path) -> None:
    path = save_original(_original_checkpoint(), tmp_path / "tiny.pth.tar", legacy=False)
    with pytest.raises(fomm_core.UserError, match="does not fit"):
        fomm_core.load_model(str(path), config="taichi-256")
    with pytest.raises(fomm_core.UserError, match="holds a FOMM model"):
        fomm_core.load_model(str(path), config="tpsmm-taichi-256")
    with pytest.raises(fomm_core.UserError, match="does not say which architecture"):
        fomm_core.load_model(str(path))


def test_a_misfit_names_the_first_mismatched_tensors_and_both_shapes(tmp_path) -> None:
    ckpt = _original_checkpoint()
    path = save_original(ckpt, tmp_path / "tiny.pth.tar", legacy=False)
    wide = replace(TINY_FOMM, kp_detector=replace(TINY_FOMM.kp_detector, block_expansion=16))
    theirs = build_networks(wide)["kp_detector"].state_dict()
    mismatched = [k for k, t in ckpt["kp_detector"].items() if t.shape != theirs[k].shape]
    with pytest.raises(fomm_core.UserError, match="does not fit") as err:
        fomm_core.load_model(str(path), config=wide)
    message = str(err.value)
    first, second = mismatched[:2]
    for key in (first, second):
        shape_ours, shape_theirs = list(ckpt["kp_detector"][key].shape), list(theirs[key].shape)
        assert f"{key}: {shape_ours} in the checkpoint, {shape_theirs} in the network" in message
    assert (
        message.count("in the checkpoint") == 2 and f"{len(mismatched) - 2} more size mismatches" in message
    )
    assert "KPDetector" in message and "Error(s) in loading" not in message


def test_a_misfit_names_missing_and_unexpected_keys(tmp_path) -> None:
    ckpt = _original_checkpoint()
    gone = list(ckpt["generator"])[:4]  # torch lists missing keys in the network's order
    for key in gone:
        del ckpt["generator"][key]
    ckpt["generator"]["bogus.weight"] = torch.zeros(3)
    path = save_original(ckpt, tmp_path / "tiny.pth.tar", legacy=False)
    with pytest.raises(fomm_core.UserError, match="does not fit") as err:
        fomm_core.load_model(str(path), config=TINY_FOMM)
    message = str(err.value)
    assert f"missing keys {', '.join(gone[:3])} and 1 more" in message
    assert "unexpected keys bogus.weight" in message and "OcclusionAwareGenerator" in message


def test_registry_name_downloads_through_the_offline_hub_cache(tmp_path, monkeypatch, frames) -> None:
    from fomm_core.checkpoints.registry import REGISTRY

    cache = use_offline_hub(tmp_path, monkeypatch)
    source = save_original(_original_checkpoint(), tmp_path / "src.pth.tar", legacy=True)
    entry = REGISTRY["taichi"]
    populate_hub_cache(cache, entry.repo_id, entry.filename, source.read_bytes(), revision=entry.revision)
    # The registry's preset is the full-size taichi-256; the tiny file only fits the tiny config.
    model = fomm_core.load_model("taichi", config=TINY_FOMM)
    assert model.name == "taichi"
    assert fomm_core.animate(model, *frames).shape == (4, 32, 32, 3)


def test_device_choice_and_fp16_need_no_gpu(monkeypatch) -> None:
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    assert choose_device().type == "cuda"
    assert choose_device("cpu").type == "cpu"
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    assert choose_device().type == "cpu"
    nets = build_networks(TINY_FOMM)
    fp16_model = FOMMModel(TINY_FOMM, nets["kp_detector"], nets["generator"], torch.device("cpu"), fp16=True)
    assert fp16_model.fp16 is False  # autocast to float16 is for CUDA only
    out = fomm_core.animate(fp16_model, smooth_frames(1, 32)[0], smooth_frames(2, 32))
    assert out.dtype == np.float32


def test_tpsmm_taichi_is_preferred_once_its_weights_are_here(tmp_path, monkeypatch) -> None:
    from fomm_core.checkpoints.fetch import preferred_model
    from fomm_core.checkpoints.registry import REGISTRY

    cache = use_offline_hub(tmp_path, monkeypatch)
    assert preferred_model() == "default"
    entry = REGISTRY["tpsmm-taichi"]
    populate_hub_cache(cache, entry.repo_id, entry.filename, b"weights", revision=entry.revision)
    assert preferred_model() == "tpsmm-taichi"
