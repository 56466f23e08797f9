"""`pip install -e .` (or a wheel) installs fomm_core with its embedded model, usable from any directory."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[1]


def _build_wheel(tmp_path: Path) -> Path:
    """Build the wheel from a copy of the sources (so no build/ or egg-info lands in the repository)."""
    source = tmp_path / "source"
    source.mkdir()
    for name in ("pyproject.toml", "requirements.txt", "README.md"):
        shutil.copy2(ROOT / name, source / name)
    shutil.copytree(ROOT / "fomm_core", source / "fomm_core", ignore=shutil.ignore_patterns("__pycache__"))
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "--no-index",
            "-q",
            "-w",
            str(tmp_path / "dist"),
            str(source),
        ],
        check=True,
        capture_output=True,
        text=True,
    )
    (wheel,) = (tmp_path / "dist").glob("*.whl")
    return wheel


def test_wheel_holds_the_package_its_model_and_its_dependencies(tmp_path: Path) -> None:
    wheel = _build_wheel(tmp_path)
    names = set(zipfile.ZipFile(wheel).namelist())
    tracked = subprocess.run(
        ["git", "ls-files", "fomm_core"], cwd=ROOT, capture_output=True, text=True
    ).stdout.split()
    assert tracked and set(tracked) <= names  # every file of the package, code and data alike
    for name in ("config.yaml", "model.safetensors", "MODEL_CARD.md"):
        assert f"fomm_core/default_model/{name}" in names
    metadata = next(n for n in names if n.endswith(".dist-info/METADATA"))
    requires = [
        line
        for line in zipfile.ZipFile(wheel).read(metadata).decode().splitlines()
        if line.startswith("Requires-Dist:")
    ]
    pins = [line.split("#")[0].strip() for line in (ROOT / "requirements.txt").read_text().splitlines()]
    assert any("torch==2.13.0" in line for line in requires) and len(requires) == len([p for p in pins if p])


def test_installed_package_runs_from_another_directory(tmp_path: Path) -> None:
    site = tmp_path / "site"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--no-deps",
            "--no-index",
            "-q",
            "--target",
            str(site),
            str(_build_wheel(tmp_path)),
        ],
        check=True,
        capture_output=True,
        text=True,
    )
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = {**os.environ, "PYTHONPATH": str(site)}

    def run(*args: str) -> str:
        done = subprocess.run([sys.executable, *args], cwd=elsewhere, env=env, capture_output=True, text=True)
        assert done.returncode == 0, done.stderr
        return done.stdout

    assert "usage: python -m fomm_core animate" in run("-m", "fomm_core", "animate", "--help")
    code = "from fomm_core.checkpoints.fetch import fetch; import fomm_core; print(fomm_core.__file__); print(fetch('default'))"
    package, model = run("-c", code).split()
    assert Path(package).is_relative_to(site) and Path(model).is_relative_to(site)
