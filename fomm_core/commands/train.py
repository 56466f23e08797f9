"""Train a FOMM or TPSMM model on frame folders or on synthetic dancers (torchrun for several processes/GPUs).

Examples:
  python -m fomm_core train --config cfg.yaml --data synthetic --out runs/a --steps 2000
  python -m fomm_core train --config cfg.yaml --data runs/a --out runs/a --resume
  torchrun --nproc_per_node 2 -m fomm_core train --config cfg.yaml --data DATA --out runs/b
The run directory gets config.yaml, checkpoint.pth.tar (the original FOMM or TPSMM layout; load it with
`fomm_core.load_model(RUN/checkpoint.pth.tar, config=RUN/config.yaml)`), log.jsonl and samples/*.png.
"""

from __future__ import annotations

import argparse
import dataclasses

import torch

from ..io.outputs import check_folder
from ..numbers import int_argument


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Options of the train command."""
    parser.add_argument("--config", required=True, help="training YAML in the original FOMM or TPSMM layout")
    parser.add_argument(
        "--data", required=True, help="frame-folder root (ROOT/train/VIDEO/*.png) or 'synthetic'"
    )
    parser.add_argument("--out", required=True, help="run directory (checkpoints, log.jsonl, samples/)")
    parser.add_argument("--resume", action="store_true", help="continue from OUT/checkpoint.pth.tar")
    parser.add_argument(
        "--init",
        default=None,
        help="start from a checkpoint (registry name or file): every tensor whose key and shape "
        "match the config's networks is copied, the rest start random",
    )
    parser.add_argument(
        "--steps",
        type=int_argument,
        default=None,
        help="train until this many steps in all (default: num_epochs epochs)",
    )
    parser.add_argument(
        "--loss",
        choices=("auto", "vgg", "l1_ssim"),
        default=None,
        help="reconstruction loss (default: the config's train_params.loss, else auto)",
    )
    parser.add_argument("--device", default=None, help="cpu, cuda, cuda:1 ... (default: CUDA if available)")
    parser.add_argument("--threads", type=int_argument, default=None, help="CPU threads for torch")


def run(args: argparse.Namespace) -> int:
    """Train and print the final losses."""
    from ..train.dataset import make_dataset
    from ..train.setup import load_train_setup
    from ..train.trainer import Trainer

    check_folder(args.out, "run directory")
    if args.threads:
        torch.set_num_threads(args.threads)
    setup = load_train_setup(args.config)
    if args.loss:
        setup = dataclasses.replace(setup, train=dataclasses.replace(setup.train, loss=args.loss))
        setup.document.setdefault("train_params", {})["loss"] = args.loss
    dataset = make_dataset(args.data, setup.model.frame_size, setup.dataset)
    trainer = Trainer(setup, dataset, args.out, resume=args.resume, device=args.device, init=args.init)
    if trainer.initialised and trainer.ctx.rank == 0:
        print(
            "initialised from "
            + args.init
            + ": "
            + ", ".join(f"{k} {v}" for k, v in trainer.initialised.items())
        )
    losses = trainer.run(args.steps)
    if trainer.ctx.rank == 0:
        print("final losses: " + ", ".join(f"{k} {v:.4f}" for k, v in losses.items()))
    return 0
