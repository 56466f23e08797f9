"""DDP training (with the GAN parts) on gloo with two CPU processes: both ranks end with identical weights."""

from __future__ import annotations

import os
import socket
from pathlib import Path

import pytest
import torch
import torch.multiprocessing as mp
from train_fixtures import BlobPairs, tiny_document

pytestmark = pytest.mark.slow


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


GAN = {"generator_gan": 1, "feature_matching": [10, 10], "perceptual": [10, 10]}


def _train(out: str, steps: int, overrides: dict) -> dict[str, torch.Tensor]:
    from fomm_core.train.setup import setup_from_dict
    from fomm_core.train.trainer import Trainer

    trainer = Trainer(
        setup_from_dict(tiny_document(sample_every=100, **overrides)), BlobPairs(), out, device="cpu"
    )
    assert trainer.sampler.batch_size == 4 // trainer.ctx.world_size
    trainer.run(steps)
    return {f"{name}.{key}": t for name, m in trainer.modules().items() for key, t in m.state_dict().items()}


def _worker(rank: int, world_size: int, port: int, out: str, steps: int, overrides: dict) -> None:
    import torch.distributed as dist

    torch.set_num_threads(1)
    os.environ.update(
        MASTER_ADDR="127.0.0.1",
        MASTER_PORT=str(port),
        WORLD_SIZE=str(world_size),
        RANK=str(rank),
        LOCAL_RANK=str(rank),
    )
    torch.save(_train(out, steps, overrides), Path(out) / f"rank{rank}.pt")
    dist.destroy_process_group()


def test_two_gloo_processes_train_and_end_with_identical_weights(tmp_path):
    mp.spawn(_worker, args=(2, _free_port(), str(tmp_path), 2, {"loss_weights": GAN}), nprocs=2, join=True)
    ranks = [torch.load(tmp_path / f"rank{r}.pt", weights_only=True) for r in range(2)]
    assert ranks[0].keys() == ranks[1].keys()
    for key in ranks[0]:
        assert torch.equal(ranks[0][key], ranks[1][key]), key
    initial = torch.load(tmp_path / "checkpoint.pth.tar", weights_only=True)
    assert initial["trainer_state"]["step"] == 2
    assert any(k.endswith("running_mean") for k in ranks[0])
    assert any(k.startswith("discriminator.") for k in ranks[0])
    lines = (tmp_path / "log.jsonl").read_text().splitlines()
    assert len(lines) == 2  # only rank 0 writes
