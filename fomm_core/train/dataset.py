"""Training pairs: frame folders in FOMM's layout, synthetic dancers rendered on the fly, and the sampler.

Frame-folder layout (what `python -m fomm_core prepare` writes, as Tai-Chi-HD): `ROOT/train/VIDEO/*.png`
(also .jpg), one folder per video, frames sorted by name; `ROOT/test/...` likewise. With `id_sampling`, videos
named `ID#chunk` share the identity `ID` and each identity is drawn equally often.

Every item is addressed as `dataset[(index, seed)]` and is a pure function of that pair, so a run samples
the same pairs whatever the number of loader workers, and a resumed run continues exactly.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import cv2
import numpy as np
import torch
from torch.utils.data import Dataset

from ..errors import UserError
from .augment import Augmentation

_IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg"}


def _to_tensor(frames: np.ndarray) -> torch.Tensor:
    """T×H×W×3 uint8 → T×3×H×W float32 in [0, 1]."""
    return torch.from_numpy(np.ascontiguousarray(frames)).permute(0, 3, 1, 2).float().div_(255.0)


def _pair(
    frames: torch.Tensor, augmentation: Augmentation | None, generator: torch.Generator
) -> dict[str, torch.Tensor]:
    if augmentation is not None:
        frames = augmentation(frames, generator)
    return {"source": frames[0], "driving": frames[1]}


class FramesDataset(Dataset):
    """Pairs of frames (source earlier, driving later, drawn with replacement) from one video each."""

    def __init__(
        self,
        root: str | Path,
        frame_size: int,
        split: str = "train",
        id_sampling: bool = False,
        augmentation: Augmentation | None = None,
    ):
        folder = Path(root) / split
        if not folder.is_dir():
            raise UserError(
                f"No {split}/ folder in {root}: expected ROOT/{split}/VIDEO/0000000.png "
                "(run `python -m fomm_core prepare VIDEOS_DIR ROOT` to make one)."
            )
        videos = sorted(p for p in folder.iterdir() if p.is_dir() and self._frames(p))
        if not videos:
            raise UserError(
                f"{folder} holds no video folders with .png/.jpg frames; run "
                "`python -m fomm_core prepare` or check the layout ROOT/train/VIDEO/*.png."
            )
        self.frame_size = frame_size
        self.augmentation = augmentation
        self.videos = videos
        groups: dict[str, list[Path]] = {}
        for video in videos:
            groups.setdefault(video.name.split("#")[0] if id_sampling else video.name, []).append(video)
        self.groups = list(groups.values())

    @staticmethod
    def _frames(video: Path) -> list[Path]:
        return sorted(p for p in video.iterdir() if p.suffix.lower() in _IMAGE_SUFFIXES)

    def __len__(self) -> int:
        return len(self.groups)

    def _read(self, path: Path) -> np.ndarray:
        image = cv2.imread(str(path), cv2.IMREAD_COLOR)
        if image is None:
            raise UserError(f"Could not read the frame {path}; delete or re-create it.")
        image = cv2.cvtColor(image, cv2.COLOR_BGR2RGB)
        if image.shape[:2] != (self.frame_size, self.frame_size):
            image = cv2.resize(image, (self.frame_size, self.frame_size), interpolation=cv2.INTER_AREA)
        return image

    def __getitem__(self, key: tuple[int, int]) -> dict[str, torch.Tensor]:
        index, seed = key
        generator = torch.Generator().manual_seed(seed)
        group = self.groups[index % len(self.groups)]
        video = group[int(torch.randint(len(group), (1,), generator=generator))]
        frames = self._frames(video)
        picks = sorted(torch.randint(len(frames), (2,), generator=generator).tolist())
        return _pair(
            _to_tensor(np.stack([self._read(frames[i]) for i in picks])), self.augmentation, generator
        )


class SyntheticDataset(Dataset):
    """Pairs of frames of synthetic dancers (`fomm_core.data.frame_pair`), a fresh random dancer per item.

    `length` only sets the epoch size. The random streams are keyed by (index, seed) entropy, disjoint from
    the integer seeds of `cross_identity_example`, so held-out evaluation dancers are never trained on.
    """

    def __init__(self, frame_size: int, length: int = 10_000, augmentation: Augmentation | None = None):
        self.frame_size = frame_size
        self.length = length
        self.augmentation = augmentation

    def __len__(self) -> int:
        return self.length

    def __getitem__(self, key: tuple[int, int]) -> dict[str, torch.Tensor]:
        from ..data import frame_pair

        index, seed = key
        source, driving = frame_pair(np.random.default_rng([0x7EA1, index, seed]), size=self.frame_size)
        return _pair(
            _to_tensor(np.stack([source, driving])), self.augmentation, torch.Generator().manual_seed(seed)
        )


def make_dataset(data: str | Path, frame_size: int, dataset_params: dict | None = None) -> Dataset:
    """The training set: "synthetic" for on-the-fly dancers, else a frame-folder root (dataset_params as in the
    original config: id_sampling, augmentation_params; ours: synthetic_identities)."""
    params = dataset_params or {}
    augmentation = Augmentation.from_params(params.get("augmentation_params"))
    if str(data) == "synthetic":
        return SyntheticDataset(frame_size, int(params.get("synthetic_identities", 10_000)), augmentation)
    return FramesDataset(data, frame_size, "train", bool(params.get("id_sampling", False)), augmentation)


class StepBatchSampler:
    """Batches of (index, seed) keys for training steps start_step … end_step − 1 of one rank.

    An epoch is a seeded permutation of `len(dataset) × repeats` items split over ranks (drop last); the
    seed of each item is unique to its position in the run, so identical runs draw identical data.
    """

    def __init__(
        self,
        dataset_size: int,
        batch_size: int,
        repeats: int = 1,
        seed: int = 0,
        rank: int = 0,
        world_size: int = 1,
        start_step: int = 0,
        end_step: int | None = None,
    ):
        self.size = dataset_size * repeats
        self.dataset_size = dataset_size
        self.batch_size = batch_size
        self.seed = seed
        self.rank = rank
        self.world_size = world_size
        self.start_step = start_step
        self.end_step = end_step
        self.steps_per_epoch = self.size // (batch_size * world_size)
        self._order: tuple[int, torch.Tensor] = (-1, torch.empty(0, dtype=torch.long))
        if self.steps_per_epoch == 0:
            raise UserError(
                f"The dataset has {self.size} items per epoch, fewer than one batch of {batch_size} "
                f"on each of {world_size} processes: lower batch_size or add videos."
            )

    def batch(self, step: int) -> list[tuple[int, int]]:
        """The keys of one step's batch on this rank."""
        epoch, position = divmod(step, self.steps_per_epoch)
        if self._order[0] != epoch:
            generator = torch.Generator().manual_seed(self.seed * 1_000_003 + epoch)
            self._order = (epoch, torch.randperm(self.size, generator=generator))
        order = self._order[1]
        first = (position * self.world_size + self.rank) * self.batch_size
        sample_ids = range(
            step * self.world_size * self.batch_size + self.rank * self.batch_size,
            step * self.world_size * self.batch_size + (self.rank + 1) * self.batch_size,
        )
        return [
            (int(order[first + j]) % self.dataset_size, (self.seed << 32) + n)
            for j, n in enumerate(sample_ids)
        ]

    def __iter__(self) -> Iterator[list[tuple[int, int]]]:
        step = self.start_step
        while self.end_step is None or step < self.end_step:
            yield self.batch(step)
            step += 1

    def __len__(self) -> int:
        if self.end_step is None:
            raise TypeError("an endless sampler has no length")
        return self.end_step - self.start_step
