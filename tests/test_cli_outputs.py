"""Outputs of the CLI, run as real processes (as root): never an input, never a device or a folder, an existing file
only with --overwrite, and a full disk or an early Ctrl-C said in one line, never a traceback."""

from __future__ import annotations

import hashlib
import os
import signal
import stat
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import torch
from cli_fixtures import noise_photo, pattern_clip, tiny_checkpoint
from conftest import TINY_FOMM
from safetensors.torch import save_file

from fomm_core.engines.fomm import build_networks

REPO_ROOT = Path(__file__).resolve().parents[1]
ENV = {**os.environ, "PYTHONPATH": str(REPO_ROOT), "TQDM_DISABLE": "1"}


def cli(*args: str, cwd: Path = REPO_ROOT) -> subprocess.CompletedProcess:
    """`python -m fomm_core ARGS` in a new process."""
    return subprocess.run(
        [sys.executable, "-m", "fomm_core", *args],
        cwd=cwd,
        env=ENV,
        capture_output=True,
        text=True,
        timeout=600,
    )


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def media(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """A 1 s clip, a photo and a tiny model in one folder."""
    folder = tmp_path_factory.mktemp("outputs")
    clip = pattern_clip(folder / "d.mp4", 1, 10)
    photo = noise_photo(folder / "p.png")
    model = tiny_checkpoint(folder / "tiny.safetensors")
    return {"folder": folder, "clip": clip, "photo": photo, "model": model}


def animate(media: dict[str, Path], out: str, *extra: str) -> subprocess.CompletedProcess:
    return cli(
        "animate",
        "--source",
        str(media["photo"]),
        "--driving",
        str(media["clip"]),
        "--checkpoint",
        str(media["model"]),
        "--device",
        "cpu",
        "--no-framing",
        "--out",
        out,
        *extra,
        cwd=media["folder"],
    )


def refused(done: subprocess.CompletedProcess, *words: str) -> str:
    """The one error line of a refused command (exit 2, nothing else on stderr, no traceback)."""
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr
    # the person detector's native runtime announces itself on stderr; that line is not ours
    lines = [line for line in done.stderr.splitlines() if line.strip() and "TensorFlow Lite" not in line]
    assert len(lines) == 1 and lines[0].startswith("error: "), done.stderr
    for word in words:
        assert word in lines[0], lines[0]
    return lines[0]


@pytest.mark.slow
@pytest.mark.parametrize(
    ("out", "words"),
    [
        ("d.mp4", ("is the input", "d.mp4")),
        ("p.png", ("is the input", "p.png")),
        ("./sub/../d.mp4", ("is the input",)),
        ("link.mp4", ("is the input",)),
        ("hard.mp4", ("is the input",)),
        ("/dev/null", ("not a regular file", "/dev/null")),
        ("/dev/full", ("not a regular file",)),
        ("folder", ("is a folder",)),
    ],
)
def test_animate_never_writes_over_an_input_a_device_or_a_folder(
    media: dict[str, Path], out: str, words: tuple[str, ...]
) -> None:
    folder = media["folder"]
    (folder / "folder").mkdir(exist_ok=True)
    if not (folder / "link.mp4").is_symlink():
        (folder / "link.mp4").symlink_to(media["clip"])
        os.link(media["clip"], folder / "hard.mp4")
    before = {p.name: digest(p) for p in (media["clip"], media["photo"])}
    refused(animate(media, out), *words)
    refused(animate(media, out, "--overwrite"), *words)
    assert {p.name: digest(p) for p in (media["clip"], media["photo"])} == before
    assert stat.S_ISCHR(os.stat("/dev/null").st_mode) and stat.S_ISCHR(os.stat("/dev/full").st_mode)
    assert not (folder / "sub").exists()
    assert not list(folder.glob(".*partial*"))


@pytest.mark.slow
def test_animate_replaces_an_existing_result_only_with_overwrite(media: dict[str, Path]) -> None:
    out = media["folder"] / "result.mp4"
    out.write_bytes(b"an earlier result")
    refused(animate(media, "result.mp4"), "already exists", "--overwrite")
    assert out.read_bytes() == b"an earlier result"
    done = animate(media, "result.mp4", "--overwrite")
    assert done.returncode == 0, done.stderr
    assert out.stat().st_size > 1000 and out.read_bytes()[4:8] == b"ftyp"


@pytest.mark.slow
def test_inspect_json_never_writes_over_its_photo_or_a_device(media: dict[str, Path]) -> None:
    photo, folder = media["photo"], media["folder"]
    before = digest(photo)
    for target, words in (
        (str(photo), ("is the input",)),
        ("/dev/null", ("not a regular file",)),
        (str(folder), ("is a folder",)),
    ):
        refused(cli("inspect", "--photo", str(photo), "--json", target, "--overwrite"), *words)
    assert digest(photo) == before and stat.S_ISCHR(os.stat("/dev/null").st_mode)
    found = folder / "found.json"
    found.write_text("{}")
    refused(cli("inspect", "--photo", str(photo), "--json", str(found)), "already exists", "--overwrite")
    assert found.read_text() == "{}"
    done = cli("inspect", "--photo", str(photo), "--json", str(found), "--overwrite")
    assert done.returncode == 0, done.stderr
    assert '"photo"' in found.read_text()


@pytest.mark.slow
def test_convert_never_writes_over_its_input_or_a_device(media: dict[str, Path]) -> None:
    model = media["model"]
    before = digest(model)
    refused(cli("convert", str(model), str(model), "--overwrite"), "is the input")
    link = media["folder"] / "alias.safetensors"
    if not link.exists():
        link.symlink_to(model)
    refused(cli("convert", str(model), str(link), "--overwrite"), "is the input")
    assert digest(model) == before
    copy = media["folder"] / "copy.safetensors"
    copy.write_bytes(b"x")
    refused(cli("convert", str(model), str(copy)), "already exists")
    assert cli("convert", str(model), str(copy), "--overwrite").returncode == 0
    assert copy.stat().st_size > 1000


@pytest.mark.slow
def test_folders_to_write_into_must_be_folders(media: dict[str, Path]) -> None:
    refused(cli("prepare", "--synthetic", "1", "/dev/null"), "not a folder")
    refused(cli("evaluate", "--model", str(media["model"]), "--out", "/dev/null"), "not a folder")
    report = media["folder"] / "report"
    report.mkdir(exist_ok=True)
    (report / "report.md").write_text("an earlier report")
    refused(cli("evaluate", "--model", str(media["model"]), "--out", str(report)), "already holds a report")
    assert (report / "report.md").read_text() == "an earlier report"
    assert stat.S_ISCHR(os.stat("/dev/null").st_mode)


@pytest.fixture
def tiny_disk(tmp_path: Path) -> Iterator[Path]:
    """A 256 KB tmpfs mounted for the test (the tests run as root), filled up."""
    mount = tmp_path / "disk"
    mount.mkdir()
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=256k", "tmpfs", str(mount)], check=True)
    try:
        filler = mount / "filler"
        with open(filler, "wb", buffering=0) as f:
            try:
                while True:
                    f.write(b"\0" * 4096)
            except OSError:
                pass
        yield mount
    finally:
        subprocess.run(["umount", str(mount)], check=True)


@pytest.mark.slow
def test_a_full_output_disk_is_named_without_a_traceback(media: dict[str, Path], tiny_disk: Path) -> None:
    refused(animate(media, str(tiny_disk / "result.mp4")), "is full")
    assert not [p for p in tiny_disk.iterdir() if p.name != "filler"]
    refused(cli("inspect", "--photo", str(media["photo"]), "--json", str(tiny_disk / "f.json")), "is full")
    refused(cli("convert", str(media["model"]), str(tiny_disk / "m.safetensors")), "is full")
    assert not [p for p in tiny_disk.iterdir() if p.name != "filler"]


@pytest.mark.slow
@pytest.mark.parametrize("dtype", [torch.int8, torch.uint8, torch.float8_e4m3fn])
def test_checkpoints_with_integer_or_8_bit_weights_are_refused_by_type(
    media: dict[str, Path], tmp_path: Path, dtype: torch.dtype
) -> None:
    nets = build_networks(TINY_FOMM)
    flat = {f"{m}.{k}": t.detach().to(dtype) for m, n in nets.items() for k, t in n.state_dict().items()}
    quantized = tmp_path / "quantized.safetensors"
    save_file(flat, str(quantized))
    media = {**media, "model": quantized}
    name = str(dtype).removeprefix("torch.")
    refused(animate(media, str(tmp_path / "r.mp4")), f"as {name}", "quantized.safetensors")
    assert not (tmp_path / "r.mp4").exists()


def wait_for_library(pid: int, name: str) -> None:
    """Until the process has mapped a shared library whose path holds `name` (its import has begun)."""
    deadline = time.monotonic() + 120
    while name not in Path(f"/proc/{pid}/maps").read_text():
        assert time.monotonic() < deadline, f"{name} was never loaded"
        time.sleep(0.01)


@pytest.mark.slow
@pytest.mark.parametrize("after", [0.0, 0.3, 0.8])
def test_ctrl_c_while_inspect_starts_says_one_line(media: dict[str, Path], after: float) -> None:
    # from the moment torch starts loading (inside `import fomm_core`), the first second of the command
    proc = subprocess.Popen(
        [sys.executable, "-m", "fomm_core", "inspect", "--photo", str(media["photo"])],
        cwd=REPO_ROOT,
        env=ENV,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    wait_for_library(proc.pid, "libtorch")
    time.sleep(after)
    proc.send_signal(signal.SIGINT)
    _, stderr = proc.communicate(timeout=120)
    lines = [line for line in stderr.splitlines() if "TensorFlow Lite" not in line]
    assert proc.returncode == 130, stderr
    assert "Traceback" not in stderr
    assert len(lines) == 1 and lines[0].startswith("stopped by Ctrl-C (SIGINT)"), stderr


def test_outputs_check_refuses_before_any_work(tmp_path: Path) -> None:
    from fomm_core.errors import UserError
    from fomm_core.io.outputs import check_output, publish

    given = tmp_path / "in.mp4"
    given.write_bytes(b"input")
    with pytest.raises(UserError, match="is the input"):
        check_output(tmp_path / "x" / ".." / "in.mp4", (given,))
    tmp = tmp_path / ".partial"
    tmp.write_bytes(b"new")
    with pytest.raises(UserError, match="not a regular file"):
        publish(tmp, "/dev/null")
    assert not tmp.exists() and stat.S_ISCHR(os.stat("/dev/null").st_mode)
