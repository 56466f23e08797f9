"""Named checkpoints: the public FOMM/TPSMM weights on the Hugging Face Hub and the embedded default model."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..config import PRESETS, ModelConfig, load_config

PACKAGE_DIR = Path(__file__).resolve().parents[1]

# Third-party re-upload of the official checkpoints (the authors' Drive/Yandex links are dying). Its history
# has two commits; the head, 315fbe5 ("Upload 12 files", 2022-12-02), added every file. Only that short hash
# is published on the pages we could read, and a short hash cannot be resolved in an offline cache, so we
# pin the branch instead: the repo has not changed since 2022, and the sha256 below catches a changed file.
MIRROR = "MCMLXXXVII/thinplatesv1"
MIRROR_REVISION = "main"


@dataclass(frozen=True)
class CheckpointEntry:
    """Where a named checkpoint lives and how to check and configure it.

    `repo_id` None means a file shipped inside the package (`filename` relative to it). `config` is a preset
    name from fomm_core.config.PRESETS, or for a shipped model a YAML path relative to the package (when
    that file is missing, the config comes from the safetensors metadata).
    """

    name: str
    repo_id: str | None
    filename: str
    revision: str | None
    sha256: str | None
    config: str
    engine: str
    description: str


def _mirror(
    name: str, filename: str, config: str, engine: str, description: str, sha256: str | None = None
) -> CheckpointEntry:
    return CheckpointEntry(name, MIRROR, filename, MIRROR_REVISION, sha256, config, engine, description)


REGISTRY: dict[str, CheckpointEntry] = {
    e.name: e
    for e in [
        CheckpointEntry(
            "default",
            None,
            "default_model/model.safetensors",
            None,
            None,
            "default_model/config.yaml",
            "fomm",
            "Small model embedded in the package; works offline.",
        ),
        _mirror(
            "taichi",
            "taichi-cpk.pth.tar",
            "taichi-256",
            "fomm",
            "FOMM trained on Tai-Chi-HD full bodies, 256x256.",
        ),
        _mirror(
            "fashion",
            "fashion.pth.tar",
            "fashion-256",
            "fomm",
            "FOMM trained on the Fashion video dataset, 256x256.",
        ),
        _mirror(
            "mgif", "mgif-cpk.pth.tar", "mgif-256", "fomm", "FOMM trained on MGif cartoon animals, 256x256."
        ),
        # sha256 from the Hub's LFS details for this exact file.
        _mirror(
            "vox",
            "vox-cpk.pth.tar",
            "vox-256",
            "fomm",
            "FOMM trained on VoxCeleb talking faces, 256x256.",
            sha256="abb41ab1f279f26326c0d6e4d20702de6658364665aa1313daa7a63e89ea2b23",
        ),
        _mirror(
            "tpsmm-taichi",
            "orig/taichi.pth.tar",
            "tpsmm-taichi-256",
            "tpsmm",
            "TPSMM trained on Tai-Chi-HD, 256x256.",
        ),
        _mirror(
            "tpsmm-vox", "orig/vox.pth.tar", "tpsmm-vox-256", "tpsmm", "TPSMM trained on VoxCeleb, 256x256."
        ),
        _mirror(
            "tpsmm-ted",
            "orig/ted.pth.tar",
            "tpsmm-ted-384",
            "tpsmm",
            "TPSMM trained on TED-talks upper bodies, 384x384.",
        ),
        _mirror(
            "tpsmm-mgif", "orig/mgif.pth.tar", "tpsmm-mgif-256", "tpsmm", "TPSMM trained on MGif, 256x256."
        ),
    ]
}


def entry_config(entry: CheckpointEntry) -> ModelConfig | None:
    """The entry's config: a preset, or a YAML shipped beside an embedded model (None if that file is absent)."""
    if entry.config in PRESETS:
        return PRESETS[entry.config]
    local = PACKAGE_DIR / entry.config
    return load_config(local) if local.is_file() else None


def shipped_path(entry: CheckpointEntry) -> Path:
    """The file of a checkpoint shipped inside the package (an entry whose repo_id is None)."""
    return PACKAGE_DIR / entry.filename


def native_size(name: str) -> int | None:
    """The frame size a registry model makes (its config's frame_size), without loading it; None if unknown."""
    entry = REGISTRY.get(name)
    config = entry_config(entry) if entry is not None else None
    return config.frame_size if config is not None else None


def model_names() -> tuple[str, ...]:
    """Every model a user can name: the checkpoint registry's, then the engines that need no checkpoint."""
    from ..engines import ENGINES  # imported here: the engines import the configs this module's users read

    return tuple(REGISTRY) + tuple(name for name, engine in ENGINES.items() if not engine.needs_checkpoint)


def model_description(name: str) -> str:
    """What a model named by model_names() is, for people."""
    from ..engines import ENGINES

    return REGISTRY[name].description if name in REGISTRY else ENGINES[name].description
