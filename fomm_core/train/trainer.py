"""The FOMM/TPSMM training loop: losses, Adam with milestones, original-layout checkpoints, exact resume, logs, DDP.

A run directory holds `config.yaml` (the training config), `checkpoint.pth.tar` (latest; the original layout,
FOMM `{generator, kp_detector, discriminator?, optimizer_*, epoch}` or TPSMM `{kp_detector,
dense_motion_network, inpainting_network, optimizer, epoch}`, plus our `trainer_state`, so
`fomm_core.load_model(path, config=RUN/config.yaml)` reads it), numbered `%08d-checkpoint.pth.tar` copies every
`checkpoint_freq` epochs, `log.jsonl` (one line per `log_every` steps) and `samples/step_%08d.png` sheets.
Under torchrun every process trains on its own share of each batch (gloo on CPU, nccl on CUDA); rank 0 writes.
"""

from __future__ import annotations

import json
import os
import time
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch
import torch.distributed as dist
import yaml
from torch import nn
from torch.nn.parallel import DistributedDataParallel
from torch.utils.data import DataLoader, Dataset

from ..errors import UserError
from .dataset import StepBatchSampler
from .losses import reconstruction_loss
from .objectives import objective_of
from .samples import write_sample_sheet
from .setup import TrainSetup
from .transforms import EquivarianceTransform

CHECKPOINT = "checkpoint.pth.tar"


@dataclass
class DistributedContext:
    """Where this process stands in a (possibly one-process) run."""

    rank: int = 0
    world_size: int = 1
    device: torch.device = torch.device("cpu")

    @property
    def enabled(self) -> bool:
        """Whether there are other processes to synchronise with."""
        return self.world_size > 1


def init_distributed(device: str | torch.device | None = None) -> DistributedContext:
    """Join the torchrun process group if WORLD_SIZE > 1 (nccl on CUDA, else gloo); pick this rank's device."""
    world_size = int(os.environ.get("WORLD_SIZE", "1"))
    rank = int(os.environ.get("RANK", "0"))
    local_rank = int(os.environ.get("LOCAL_RANK", "0"))
    if device is None:
        device = f"cuda:{local_rank}" if torch.cuda.is_available() else "cpu"
    device = torch.device(device)
    if world_size > 1 and not dist.is_initialized():
        if device.type == "cuda":
            torch.cuda.set_device(device)
        dist.init_process_group("nccl" if device.type == "cuda" else "gloo")
    return DistributedContext(rank, world_size, device)


def _save_atomic(obj: Any, path: Path) -> None:
    tmp = path.with_name(path.name + ".tmp")
    torch.save(obj, tmp)
    os.replace(tmp, path)


class Trainer:
    """Trains one FOMM or TPSMM on a dataset of (index, seed)-addressed pairs into a run directory."""

    def __init__(
        self,
        setup: TrainSetup,
        dataset: Dataset,
        out_dir: str | Path,
        resume: bool = False,
        device: str | torch.device | None = None,
        init: str | Path | None = None,
    ):
        self.setup = setup
        self.dataset = dataset
        self.out_dir = Path(out_dir)
        self.ctx = init_distributed(device)
        params = setup.train
        torch.manual_seed(params.seed)
        # building the loss (VGG19 layers) must not move the seeded initialisation of the networks
        with torch.random.fork_rng(devices=[]):
            reconstruction = reconstruction_loss(
                params.loss, params.scales, params.loss_weights["perceptual"], self.ctx.device
            )
        self.loss_kind = reconstruction.kind
        self.objective = objective_of(setup.model.engine)(setup, reconstruction, self.ctx.device)
        self.networks = self.objective.networks
        self.optimizers = self.objective.optimizers
        self.full_generator: nn.Module = self.objective.full_model
        self.full_discriminator: nn.Module | None = self.objective.critic
        self.base_lr = {name: opt.param_groups[0]["lr"] for name, opt in self.optimizers.items()}
        self.step = 0
        self.initialised: dict[str, str] = {}
        if init is not None and not resume:
            self.initialised = self.init_from(init)
        if resume:
            self._load()
        if self.ctx.enabled:
            ids = [self.ctx.device.index] if self.ctx.device.type == "cuda" else None
            # Buffers (BN statistics) are synced once at start, then averaged after each step (_average_buffers)
            # rather than overwritten by rank 0's before every forward.
            self.full_generator = DistributedDataParallel(
                self.full_generator, device_ids=ids, forward_sync_buffers=False
            )
            if self.full_discriminator is not None:
                self.full_discriminator = DistributedDataParallel(
                    self.full_discriminator, device_ids=ids, forward_sync_buffers=False
                )
        self.sampler = StepBatchSampler(
            len(dataset),
            params.batch_size // self.ctx.world_size,
            params.num_repeats,
            params.seed,
            self.ctx.rank,
            self.ctx.world_size,
        )

    @property
    def steps_per_epoch(self) -> int:
        """Optimisation steps in one epoch (len(dataset) × num_repeats items)."""
        return self.sampler.steps_per_epoch

    def modules(self) -> dict[str, nn.Module]:
        """The trained networks by checkpoint key."""
        return dict(self.networks)

    def checkpoint(self) -> dict[str, Any]:
        """The run's state in the original checkpoint layout, plus `trainer_state` for exact resume."""
        state: dict[str, Any] = {name: m.state_dict() for name, m in self.modules().items()}
        state.update({name: opt.state_dict() for name, opt in self.optimizers.items()})
        state["epoch"] = self.step // self.steps_per_epoch
        state["trainer_state"] = {
            "step": self.step,
            "torch_rng": torch.get_rng_state(),
            "loss": self.loss_kind,
            "initialised": self.initialised,
        }
        return state

    def init_from(self, checkpoint: str | Path) -> dict[str, str]:
        """Copy into the networks every tensor of `checkpoint` (registry name or file) whose key and shape match;
        returns, per network, how many of its tensors were copied ("12/40")."""
        from ..checkpoints.states import load_state

        loaded = load_state(checkpoint)
        if loaded.engine != self.setup.model.engine:
            raise UserError(
                f"{checkpoint} holds a {loaded.engine.upper()} model; it cannot initialise a "
                f"{self.setup.model.engine.upper()} one."
            )
        copied = {}
        for name, module in self.networks.items():
            own = module.state_dict()
            theirs = loaded.state.get(name, {})
            take = {k: v.to(own[k].dtype) for k, v in theirs.items() if k in own and own[k].shape == v.shape}
            module.load_state_dict({**own, **take})
            copied[name] = f"{len(take)}/{len(own)}"
        return copied

    def _load(self) -> None:
        path = self.out_dir / CHECKPOINT
        if not path.is_file():
            raise UserError(f"Nothing to resume: {path} does not exist; start without --resume.")
        state = torch.load(path, map_location=self.ctx.device, weights_only=True)
        for name, module in self.modules().items():
            if name not in state:
                raise UserError(f"{path} has no {name}; resume with the config the run was started with.")
            module.load_state_dict(state[name])
        for name, opt in self.optimizers.items():
            opt.load_state_dict(state[name])
        trainer_state = state.get("trainer_state") or {}
        self.step = int(trainer_state.get("step", 0))
        self.initialised = dict(trainer_state.get("initialised") or {})
        if "torch_rng" in trainer_state:
            torch.set_rng_state(trainer_state["torch_rng"].cpu())

    def _save(self, epoch_end: bool) -> None:
        state = self.checkpoint()
        _save_atomic(state, self.out_dir / CHECKPOINT)
        if epoch_end and (state["epoch"]) % self.setup.train.checkpoint_freq == 0:
            _save_atomic(state, self.out_dir / f"{state['epoch'] - 1:08d}-checkpoint.pth.tar")

    def _set_lr(self, epoch: int) -> float:
        factor = self.setup.train.lr_factor(epoch)
        for name, opt in self.optimizers.items():
            for group in opt.param_groups:
                group["lr"] = self.base_lr[name] * factor
        return next(iter(self.base_lr.values())) * factor

    def _average_buffers(self) -> None:
        for module in self.modules().values():
            for buf in module.buffers():
                if buf.is_floating_point():
                    dist.all_reduce(buf)
                    buf.div_(self.ctx.world_size)

    def _batches(self, end_step: int) -> Iterator[dict[str, torch.Tensor]]:
        sampler = StepBatchSampler(
            len(self.dataset),
            self.sampler.batch_size,
            self.setup.train.num_repeats,
            self.setup.train.seed,
            self.ctx.rank,
            self.ctx.world_size,
            self.step,
            end_step,
        )
        workers = self.setup.train.num_workers
        yield from DataLoader(
            self.dataset,
            batch_sampler=sampler,
            num_workers=workers,
            persistent_workers=False,
            prefetch_factor=4 if workers else None,
        )

    def _transform(self, batch_size: int) -> EquivarianceTransform:
        """This rank's share of one equivariance transform per item of the step's whole (all-rank) batch."""
        params = self.setup.train
        rng = torch.Generator().manual_seed((params.seed << 40) + self.step)
        whole = EquivarianceTransform.random(
            batch_size * self.ctx.world_size,
            params.sigma_affine,
            params.sigma_tps,
            params.points_tps,
            rng,
            self.ctx.device,
        )
        part = slice(self.ctx.rank * batch_size, (self.ctx.rank + 1) * batch_size)
        return EquivarianceTransform(whole.theta[part], whole.control_points, whole.control_params[part])

    def train_step(self, batch: dict[str, torch.Tensor]) -> tuple[dict[str, float], dict[str, torch.Tensor]]:
        """One optimisation step on a batch; returns the losses and the generated outputs."""
        source = batch["source"].to(self.ctx.device)
        driving = batch["driving"].to(self.ctx.device)
        transform = self._transform(source.shape[0])
        objective = self.objective
        objective.before_step(self.step)
        argument = objective.step_argument(self.step // self.steps_per_epoch)
        losses, generated = self.full_generator(source, driving, transform, argument)
        total = sum(losses.values())
        for opt in self.optimizers.values():
            opt.zero_grad(set_to_none=True)
        total.backward()
        objective.before_update()
        for name, opt in self.optimizers.items():
            if name not in objective.critic_optimizers:
                opt.step()
        values = {k: float(v.detach()) for k, v in losses.items()}
        if self.full_discriminator is not None:
            values.update(objective.critic_step(self.full_discriminator, driving, generated))
        if self.ctx.enabled:
            self._average_buffers()
        self.step += 1
        return values, generated

    def run(self, steps: int | None = None) -> dict[str, float]:
        """Train until `steps` total steps (default num_epochs epochs); returns the last logged mean losses."""
        params = self.setup.train
        end = steps if steps is not None else params.num_epochs * self.steps_per_epoch
        main = self.ctx.rank == 0
        if main:
            (self.out_dir / "samples").mkdir(parents=True, exist_ok=True)
            config_path = self.out_dir / "config.yaml"
            config_path.write_text(yaml.safe_dump(self.setup.document, sort_keys=False))
        window: dict[str, list[float]] = defaultdict(list)
        last: dict[str, float] = {}
        started = time.perf_counter()
        for module in (self.full_generator, self.full_discriminator):
            if module is not None:
                module.train()
        generated: dict[str, torch.Tensor] = {}
        batch: dict[str, torch.Tensor] = {}
        for batch in self._batches(end):
            epoch = self.step // self.steps_per_epoch
            lr = self._set_lr(epoch)
            values, generated = self.train_step(batch)
            for k, v in values.items():
                window[k].append(v)
            if self.step % params.log_every == 0 or self.step == end:
                last = {k: sum(v) / len(v) for k, v in window.items()}
                elapsed = time.perf_counter() - started
                if main:
                    entry = {
                        "step": self.step,
                        "epoch": epoch,
                        "lr": lr,
                        **last,
                        "total": sum(last.values()),
                        "seconds": round(elapsed, 2),
                    }
                    with open(self.out_dir / "log.jsonl", "a") as f:
                        f.write(json.dumps(entry) + "\n")
                    print(json.dumps(entry), flush=True)
                window.clear()
            if main and (self.step % params.sample_every == 0 or self.step == end):
                write_sample_sheet(self.out_dir / "samples" / f"step_{self.step:08d}.png", batch, generated)
            epoch_end = self.step % self.steps_per_epoch == 0
            if main and (self.step % params.checkpoint_every == 0 or self.step == end or epoch_end):
                self._save(epoch_end)
        return last
