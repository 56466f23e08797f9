"""Checkpoint reading and writing, the registry, offline Hub resolution, sha256 and the conversion cache."""

from __future__ import annotations

import hashlib
import io
import json
import logging
import os
import pickle
import re
import socket
from pathlib import Path

import pytest
import torch
import torch.serialization
from huggingface_hub.errors import LocalEntryNotFoundError
from safetensors import safe_open
from safetensors.torch import save_file
from weights_fixtures import (
    fomm_checkpoint,
    populate_hub_cache,
    save_original,
    tpsmm_checkpoint,
    use_offline_hub,
)

from fomm_core.checkpoints import formats, hash_cache, states
from fomm_core.checkpoints.fetch import fetch
from fomm_core.checkpoints.formats import (
    config_from_metadata,
    detect_engine,
    read_checkpoint,
    read_checkpoint_with_info,
    read_safetensors,
    write_safetensors,
)
from fomm_core.checkpoints.hash_cache import checkpoint_sha256
from fomm_core.checkpoints.registry import MIRROR, REGISTRY
from fomm_core.checkpoints.states import inference_state, load_state
from fomm_core.cli import main
from fomm_core.config import (
    PRESETS,
    FOMMConfig,
    TPSMMConfig,
    check_config,
    config_to_model_params,
    load_config,
)
from fomm_core.engines import ENGINES
from fomm_core.errors import UserError

SERIALIZATIONS = pytest.mark.parametrize("legacy", [True, False], ids=["legacy", "zip"])
CHECKPOINTS = pytest.mark.parametrize("make", [fomm_checkpoint, tpsmm_checkpoint], ids=["fomm", "tpsmm"])


@pytest.fixture(autouse=True)
def fomm_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Each test gets its own FOMM_CORE_CACHE."""
    cache = tmp_path / "fomm_cache"
    monkeypatch.setenv("FOMM_CORE_CACHE", str(cache))
    return cache


@pytest.fixture
def offline_hub(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty Hub cache in offline mode; any socket connection fails the test."""

    def refuse(*args, **kwargs):
        raise AssertionError(f"network access attempted: {args}")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    return use_offline_hub(tmp_path, monkeypatch)


def module_states(ckpt: dict) -> dict:
    return {k: v for k, v in ckpt.items() if not k.startswith("optimizer") and k != "epoch"}


def assert_states_equal(actual: dict, expected: dict, ordered: bool = True) -> None:
    """Same modules, keys, dtypes and values; `ordered` also checks key order (safetensors sorts names)."""
    arrange = list if ordered else sorted
    assert arrange(actual) == arrange(expected)
    for module, sd in expected.items():
        assert arrange(actual[module]) == arrange(sd), module
        for key, tensor in sd.items():
            got = actual[module][key]
            assert got.dtype == tensor.dtype, (module, key)
            assert torch.equal(got, tensor), (module, key)


# --- reading original checkpoints -------------------------------------------------------------------------


@SERIALIZATIONS
@CHECKPOINTS
def test_original_layout_reads_back_exactly(tmp_path, make, legacy):
    ckpt = make()
    path = save_original(ckpt, tmp_path / "model.pth.tar", legacy)
    state, info = read_checkpoint_with_info(path)
    assert_states_equal(state, module_states(ckpt))
    assert info == {"epoch": str(ckpt["epoch"])}
    tracked = [t for sd in state.values() for k, t in sd.items() if k.endswith("num_batches_tracked")]
    assert tracked and all(t.dtype == torch.int64 and t.item() >= 7 for t in tracked)


@SERIALIZATIONS
def test_cuda_tagged_storages_load_on_cpu(tmp_path, legacy, monkeypatch):
    ckpt = fomm_checkpoint()
    registry = torch.serialization._package_registry
    cuda_deserializer = next(d for _, tag, d in registry if "cuda" in repr(tag))
    monkeypatch.setattr(
        torch.serialization,
        "_package_registry",
        [(0, lambda storage: "cuda:0", cuda_deserializer), *registry],
    )
    save_original(ckpt, tmp_path / "gpu.pth.tar", legacy)
    monkeypatch.undo()
    with pytest.raises(RuntimeError, match="CUDA"):  # proves the file really names a CUDA device
        torch.load(tmp_path / "gpu.pth.tar", weights_only=True)
    state = read_checkpoint(tmp_path / "gpu.pth.tar")
    assert_states_equal(state, module_states(ckpt))
    assert all(t.device.type == "cpu" for sd in state.values() for t in sd.values())


def test_dataparallel_prefix_is_removed(tmp_path):
    ckpt = fomm_checkpoint()
    wrapped = {**ckpt, "generator": {f"module.{k}": v for k, v in ckpt["generator"].items()}}
    state = read_checkpoint(save_original(wrapped, tmp_path / "dp.pth.tar", legacy=False))
    assert_states_equal(state, module_states(ckpt))


class CreatesMarker:
    """Unpickling this would create a file: the stand-in for code hidden in a checkpoint."""

    def __init__(self, marker: Path):
        self.marker = marker

    def __reduce__(self):
        return (open, (str(self.marker), "w"))


@pytest.mark.filterwarnings("ignore:Detected pickle protocol")
@pytest.mark.parametrize("kind", ["legacy", "zip", "plain-pickle"])
def test_pickle_carrying_code_is_refused_and_never_runs(tmp_path, kind):
    marker = tmp_path / "marker"
    ckpt = {**fomm_checkpoint(), "extra": CreatesMarker(marker)}
    path = tmp_path / "evil.pth.tar"
    if kind == "plain-pickle":
        path.write_bytes(pickle.dumps(ckpt))
    else:
        save_original(ckpt, path, legacy=kind == "legacy")
    assert not marker.exists()
    with pytest.raises(UserError, match="never execute pickled code") as err:
        read_checkpoint(path)
    assert "evil.pth.tar" in str(err.value)
    if kind != "plain-pickle":  # a plain pickle already fails at its protocol-4 framing, before any call
        assert "asks to call io.open, which could run code" in str(err.value)
    assert not marker.exists()


class RunsCommand:
    """Unpickling this would run a shell command through os.system."""

    def __init__(self, command: str):
        self.command = command

    def __reduce__(self):
        return (os.system, (self.command,))


class CustomPayload:
    """A class of our own: a weights-only unpickler must refuse to build it."""


@pytest.mark.parametrize("legacy", [True, False], ids=["legacy", "zip"])
def test_a_refused_pickle_names_the_global_it_refused(tmp_path, legacy):
    marker = tmp_path / "ran"
    shell = save_original(
        {**fomm_checkpoint(), "x": RunsCommand(f"touch {marker}")}, tmp_path / "shell.pth.tar", legacy
    )
    with pytest.raises(
        UserError, match=rf"asks to call {os.system.__module__}\.system, which could run code"
    ):
        read_checkpoint(shell)
    custom = save_original({**fomm_checkpoint(), "x": CustomPayload()}, tmp_path / "custom.pth.tar", legacy)
    name = f"{CustomPayload.__module__}.{CustomPayload.__qualname__}"
    with pytest.raises(UserError, match=rf"asks to call {re.escape(name)}, which could run code"):
        read_checkpoint(custom)
    assert not marker.exists()


def test_damaged_or_foreign_files_are_refused(tmp_path):
    good = save_original(fomm_checkpoint(), tmp_path / "good.pth.tar", legacy=False)
    cut = tmp_path / "cut.pth.tar"
    cut.write_bytes(good.read_bytes()[:300])
    with pytest.raises(UserError, match="could not be read"):
        read_checkpoint(cut)
    tensor_only = save_original(
        {"epoch": 3, "optimizer": {"state": {}, "param_groups": []}}, tmp_path / "empty.pth.tar", legacy=False
    )
    with pytest.raises(UserError, match="no module state dicts"):
        read_checkpoint(tensor_only)
    with pytest.raises(UserError, match="file not found: .*missing.pth.tar"):
        read_checkpoint(tmp_path / "missing.pth.tar")


# --- safetensors --------------------------------------------------------------------------------------------


@CHECKPOINTS
def test_safetensors_float32_round_trip_is_exact(tmp_path, make):
    state = module_states(make())
    path = write_safetensors(state, tmp_path / "m.safetensors", metadata={"note": "hi"})
    back, meta = read_safetensors(path)
    assert list(back) == list(state)
    assert_states_equal(back, state, ordered=False)
    assert meta["format"] == "fomm_core" and meta["note"] == "hi" and meta["dtype"] == "float32"
    assert meta["engine"] == detect_engine(state)
    assert read_checkpoint(path).keys() == state.keys()


@pytest.mark.parametrize("preset", ["taichi-256", "mgif-256", "tpsmm-ted-384", "tpsmm-mgif-256"])
def test_metadata_config_round_trips(tmp_path, preset):
    state = module_states(tpsmm_checkpoint() if preset.startswith("tpsmm") else fomm_checkpoint())
    _, meta = read_safetensors(write_safetensors(state, tmp_path / "m.safetensors", config=PRESETS[preset]))
    assert config_from_metadata(meta) == PRESETS[preset]
    assert json.loads(meta["model_params"])["common_params"]


def _params(**changes: dict) -> str:
    """taichi-256's model_params as JSON, with some sections' values changed."""
    params = config_to_model_params(PRESETS["taichi-256"])
    for section, values in changes.items():
        target = params["generator_params"] if section == "dense_motion_params" else params
        target.setdefault(section, {}).update(values)
    return json.dumps(params)


@pytest.mark.parametrize(
    "metadata,message",
    [
        ({"frame_size": "100000"}, "frame_size = 100000 is out of range; allowed: 32 to 1024"),
        ({"frame_size": "-256"}, "frame_size = -256 is out of range; allowed: 32 to 1024"),
        ({"frame_size": "big"}, "frame_size must be a whole number, not 'big'"),
        (
            {"model_params": _params(common_params={"num_kp": -1})},
            "num_kp = -1 is out of range; allowed: 1 to 64",
        ),
        (
            {"model_params": _params(generator_params={"num_down_blocks": "2"})},
            "generator.num_down_blocks must be a whole number, not '2'",
        ),
        (
            {"model_params": _params(generator_params={"max_features": 10**9})},
            "generator.max_features = 1000000000 is out of range; allowed: 1 to 4096",
        ),
        (
            {"model_params": _params(dense_motion_params={"kp_variance": float("nan")})},
            "generator.dense_motion.kp_variance = nan is out of range",
        ),
        (
            {"model_params": _params(common_params={"estimate_jacobian": "yes"})},
            "estimate_jacobian must be true or false",
        ),
        ({"model_params": "{not json"}, "holds no readable model config"),
        ({"model_params": "[1, 2]"}, "holds no readable model config"),
    ],
)
def test_absurd_metadata_config_is_refused_at_load_naming_the_field(tmp_path, metadata, message):
    path = write_safetensors(
        module_states(fomm_checkpoint()),
        tmp_path / "m.safetensors",
        config=PRESETS["taichi-256"],
        metadata=metadata,
    )
    with pytest.raises(UserError, match=re.escape(message)):
        load_state(path)


def test_absurd_yaml_config_is_refused_naming_the_field(tmp_path):
    params = json.loads(_params(kp_detector_params={"scale_factor": 0}))
    path = tmp_path / "odd.yaml"
    path.write_text(json.dumps({"model_params": params, "dataset_params": {"frame_shape": [256, 256, 3]}}))
    with pytest.raises(
        UserError,
        match=re.escape("odd.yaml: kp_detector.scale_factor = 0 is out of range; allowed: 0.0625 to 1"),
    ):
        load_config(path)
    path.write_text(json.dumps({"model_params": [], "dataset_params": {}}))
    with pytest.raises(UserError, match="not laid out like an original"):
        load_config(path)
    assert all(check_config(preset) is preset for preset in PRESETS.values())


def test_metadata_config_keeps_the_sampling_convention(tmp_path):
    aligned = FOMMConfig(align_corners=True)
    _, meta = read_safetensors(
        write_safetensors(module_states(fomm_checkpoint()), tmp_path / "m.safetensors", config=aligned)
    )
    assert config_from_metadata(meta) == aligned
    assert json.loads(meta["model_params"])["common_params"]["align_corners"] is True


def test_half_storage_is_fp16_on_disk_and_float32_when_read(tmp_path):
    state = module_states(fomm_checkpoint())
    state["generator"]["huge"] = torch.tensor([1e6, -2e5])
    state["generator"]["big"] = torch.randn(64, 64)  # so tensor data, not the header, dominates the size
    full = write_safetensors(state, tmp_path / "full.safetensors")
    half = write_safetensors(state, tmp_path / "half.safetensors", half=True)
    assert half.stat().st_size < 0.6 * full.stat().st_size
    with safe_open(str(half), "pt") as f:
        assert f.get_slice("generator.first.0.weight").get_dtype() == "F16"
        assert f.get_slice("generator.first.1.num_batches_tracked").get_dtype() == "I64"
        assert f.get_slice("generator.huge").get_dtype() == "F32"  # would overflow fp16
        assert f.metadata()["dtype"] == "float16"
    back, _ = read_safetensors(half)
    for module, sd in state.items():
        for key, tensor in sd.items():
            got = back[module][key]
            if tensor.is_floating_point():
                assert got.dtype == torch.float32
                torch.testing.assert_close(got, tensor, rtol=2.0**-11, atol=2.0**-24)
            else:
                assert got.dtype == tensor.dtype and torch.equal(got, tensor)


def test_flat_safetensors_with_module_prefixes(tmp_path):
    path = tmp_path / "flat.safetensors"
    save_file(
        {"kp_detector.module.kp.weight": torch.ones(2, 2), "generator.final.bias": torch.zeros(3)}, str(path)
    )
    state, meta = read_safetensors(path)
    assert set(state) == {"kp_detector", "generator"}
    assert list(state["kp_detector"]) == ["kp.weight"]
    assert meta == {}


def test_write_is_atomic(tmp_path, monkeypatch):
    state = module_states(fomm_checkpoint())
    target = write_safetensors(state, tmp_path / "m.safetensors")
    before = target.read_bytes()

    def broken_save(tensors, filename, metadata=None):
        Path(filename).write_bytes(b"partial")
        raise OSError("disk full")

    monkeypatch.setattr(formats, "save_file", broken_save)
    with pytest.raises(OSError, match="disk full"):
        write_safetensors(state, target, half=True)
    assert target.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["m.safetensors"]


# --- engines and inference modules ------------------------------------------------------------------------


def test_inference_state_keeps_what_each_engine_needs():
    fomm = module_states(fomm_checkpoint())
    tpsmm = module_states(tpsmm_checkpoint())
    assert detect_engine(fomm) == "fomm" and detect_engine(tpsmm) == "tpsmm"
    assert list(inference_state(fomm)) == ["kp_detector", "generator"]
    assert list(inference_state(tpsmm)) == list(ENGINES["tpsmm"].modules)
    no_optional = {k: v for k, v in tpsmm.items() if k not in ("avd_network", "bg_predictor")}
    assert list(inference_state(no_optional)) == ["kp_detector", "dense_motion_network", "inpainting_network"]
    with pytest.raises(UserError, match="lacks kp_detector"):
        inference_state({"generator": fomm["generator"]})
    with pytest.raises(UserError, match="Cannot tell the model type"):
        detect_engine({"discriminator": fomm["discriminator"]})


# --- registry and fetching -----------------------------------------------------------------------------------


def test_registry_entries_are_consistent():
    assert {
        "default",
        "taichi",
        "fashion",
        "mgif",
        "vox",
        "tpsmm-taichi",
        "tpsmm-vox",
        "tpsmm-ted",
        "tpsmm-mgif",
    } <= set(REGISTRY)
    for name, entry in REGISTRY.items():
        assert entry.name == name and entry.engine in ENGINES
        if entry.repo_id is None:
            continue
        assert entry.repo_id == MIRROR and entry.revision
        expected_type = TPSMMConfig if entry.engine == "tpsmm" else FOMMConfig
        assert isinstance(PRESETS[entry.config], expected_type)
        assert entry.filename.startswith("orig/") == (entry.engine == "tpsmm")
        assert entry.sha256 is None or len(entry.sha256) == 64


def test_registry_download_resolves_through_offline_cache(offline_hub, caplog):
    data = b"stand-in for taichi-cpk"
    cached = populate_hub_cache(offline_hub, MIRROR, "taichi-cpk.pth.tar", data)
    populate_hub_cache(offline_hub, MIRROR, "orig/ted.pth.tar", b"ted")
    with caplog.at_level(logging.INFO, logger="fomm_core.checkpoints.hash_cache"):
        path = fetch("taichi")
    assert path.read_bytes() == data and path.resolve() == cached.resolve()
    assert hashlib.sha256(data).hexdigest() in caplog.text and "no expected hash" in caplog.text
    assert fetch("tpsmm-ted").read_bytes() == b"ted"


def test_sha256_mismatch_is_reported(offline_hub):
    populate_hub_cache(offline_hub, MIRROR, "vox-cpk.pth.tar", b"not the real vox checkpoint")
    with pytest.raises(UserError) as err:
        fetch("vox")
    message = str(err.value)
    assert "vox-cpk.pth.tar" in message and REGISTRY["vox"].sha256 in message
    assert hashlib.sha256(b"not the real vox checkpoint").hexdigest() in message and "Delete" in message


def test_unreachable_hub_without_cache_points_to_default(offline_hub):
    with pytest.raises(UserError, match="could not be fetched.*'default' model, which works offline") as err:
        fetch("fashion")
    assert isinstance(err.value.__cause__, LocalEntryNotFoundError)


def test_embedded_default_model(tmp_path, monkeypatch):
    monkeypatch.setattr("fomm_core.checkpoints.registry.PACKAGE_DIR", tmp_path)
    with pytest.raises(UserError, match="embedded 'default' model is missing"):
        load_state("default")
    state = module_states(fomm_checkpoint())
    small = FOMMConfig(num_kp=2, frame_size=64)
    write_safetensors(state, tmp_path / "default_model" / "model.safetensors", config=small)
    loaded = load_state("default")
    assert loaded.config == small and loaded.engine == "fomm" and loaded.name == "default"
    assert (
        loaded.sha256
        == hashlib.sha256((tmp_path / "default_model" / "model.safetensors").read_bytes()).hexdigest()
    )
    (tmp_path / "default_model" / "config.yaml").write_text(
        "model_params:\n  common_params: {num_kp: 3, num_channels: 3, estimate_jacobian: false}\n"
    )
    assert load_state("default").config.num_kp == 3


# --- hashing and the conversion cache --------------------------------------------------------------------


def test_sha256_is_remembered_until_the_file_changes(tmp_path, monkeypatch):
    path = tmp_path / "f.bin"
    path.write_bytes(b"abc")
    calls = []
    real = hash_cache._compute_sha256
    monkeypatch.setattr(hash_cache, "_compute_sha256", lambda p: calls.append(p) or real(p))
    assert checkpoint_sha256(path) == hashlib.sha256(b"abc").hexdigest()
    assert checkpoint_sha256(path) == hashlib.sha256(b"abc").hexdigest()
    assert len(calls) == 1
    path.write_bytes(b"abcd")
    os.utime(path, ns=(1, 1))
    assert checkpoint_sha256(path) == hashlib.sha256(b"abcd").hexdigest()
    assert len(calls) == 2


@SERIALIZATIONS
def test_first_load_converts_to_cache_and_later_loads_reuse_it(tmp_path, fomm_cache, monkeypatch, legacy):
    ckpt = fomm_checkpoint()
    path = save_original(ckpt, tmp_path / "mine.pth.tar", legacy)
    original_sha = hashlib.sha256(path.read_bytes()).hexdigest()
    first = load_state(path)
    cached = fomm_cache / "converted" / f"{original_sha}.safetensors"
    assert cached.is_file()
    assert first.sha256 == original_sha and first.engine == "fomm" and first.config is None
    assert first.name == "mine.pth.tar" and first.source_path == path
    assert_states_equal(first.state, {k: ckpt[k] for k in ("kp_detector", "generator")})
    stamp = cached.stat().st_mtime_ns

    def must_not_read(_path):
        raise AssertionError("the original was read again")

    monkeypatch.setattr(states, "read_checkpoint_with_info", must_not_read)
    second = load_state(str(path))
    assert cached.stat().st_mtime_ns == stamp
    assert second.sha256 == original_sha
    assert_states_equal(second.state, first.state, ordered=False)


def test_registry_name_loads_with_its_config(offline_hub, fomm_cache):
    buf = io.BytesIO()
    torch.save(tpsmm_checkpoint(), buf, _use_new_zipfile_serialization=False)
    populate_hub_cache(offline_hub, MIRROR, "orig/taichi.pth.tar", buf.getvalue())
    loaded = load_state("tpsmm-taichi")
    assert loaded.name == "tpsmm-taichi" and loaded.engine == "tpsmm"
    assert loaded.config == PRESETS["tpsmm-taichi-256"]
    assert loaded.sha256 == hashlib.sha256(buf.getvalue()).hexdigest()
    assert list(loaded.state) == list(ENGINES["tpsmm"].modules)
    _, meta = read_safetensors(fomm_cache / "converted" / f"{loaded.sha256}.safetensors")
    assert config_from_metadata(meta) == PRESETS["tpsmm-taichi-256"] and meta["epoch"] == "42"


def test_unknown_spec_lists_the_registry(tmp_path):
    with pytest.raises(UserError, match="Unknown checkpoint 'nope'.*taichi.*path to a .pth.tar"):
        load_state("nope")
    for missing in (
        tmp_path / "x.pth.tar",
        str(tmp_path / "x.pth.tar"),
        "x.safetensors",
        "runs/a/checkpoint",
    ):
        with pytest.raises(UserError, match=f"file not found: {re.escape(str(missing))}"):
            load_state(missing)


# --- command line ------------------------------------------------------------------------------------------


def test_convert_command_keeps_inference_modules(tmp_path, capsys):
    ckpt = fomm_checkpoint()
    src = save_original(ckpt, tmp_path / "taichi-cpk.pth.tar", legacy=True)
    out = tmp_path / "out" / "taichi.safetensors"
    assert main(["convert", str(src), str(out), "--half", "--config", "taichi-256"]) == 0
    printed = capsys.readouterr().out
    assert "taichi-cpk.pth.tar:" in printed and "MB ->" in printed and "float16" in printed
    assert "dropped discriminator" in printed
    state, meta = read_safetensors(out)
    assert list(state) == ["kp_detector", "generator"]
    assert meta["dtype"] == "float16" and meta["epoch"] == "99" and meta["source_name"] == src.name
    assert meta["source_sha256"] == hashlib.sha256(src.read_bytes()).hexdigest()
    assert config_from_metadata(meta) == PRESETS["taichi-256"]
    torch.testing.assert_close(
        state["generator"]["final.weight"], ckpt["generator"]["final.weight"], rtol=2.0**-11, atol=2.0**-24
    )


def test_convert_command_reports_bad_input(tmp_path, capsys):
    assert main(["convert", str(tmp_path / "missing.pth.tar"), str(tmp_path / "o.safetensors")]) == 2
    assert "file not found: " + str(tmp_path / "missing.pth.tar") in capsys.readouterr().err
    assert main(["convert", str(tmp_path / "a.pth.tar"), str(tmp_path / "o.bin")]) == 2
    assert "must end in .safetensors" in capsys.readouterr().err
