"""Convert a checkpoint (.pth.tar) to safetensors holding only what inference needs."""

from __future__ import annotations

import argparse
from pathlib import Path

from ..checkpoints.formats import read_checkpoint_with_info, write_safetensors
from ..checkpoints.hash_cache import checkpoint_sha256
from ..checkpoints.states import inference_state
from ..config import load_config
from ..errors import UserError
from ..io.outputs import check_output, write_failure


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Arguments of `python -m fomm_core convert`."""
    parser.add_argument(
        "input", type=Path, help="original checkpoint (.pth.tar, legacy or zip) or .safetensors"
    )
    parser.add_argument("output", type=Path, help="safetensors file to write")
    parser.add_argument(
        "--half", action="store_true", help="store floating tensors as float16 (half the size)"
    )
    parser.add_argument("--config", help="preset name or original YAML to record in the file's metadata")
    parser.add_argument("--overwrite", action="store_true", help="replace the output file when it exists")


def _megabytes(path: Path) -> str:
    return f"{path.stat().st_size / 1e6:.1f} MB"


def run(args: argparse.Namespace) -> int:
    """Read, keep the inference modules, write safetensors, print sizes before and after."""
    if args.output.suffix != ".safetensors":
        raise UserError(f"Output {args.output} must end in .safetensors.")
    check_output(args.output, (args.input,), overwrite=args.overwrite)
    config = load_config(args.config) if args.config else None
    state, info = read_checkpoint_with_info(args.input)
    kept = inference_state(state)
    meta = {
        "source_name": args.input.name,
        "source_sha256": info.get("source_sha256") or checkpoint_sha256(args.input),
    }
    if "epoch" in info:
        meta["epoch"] = info["epoch"]
    try:
        write_safetensors(kept, args.output, half=args.half, config=config, metadata=meta)
    except OSError as exc:
        raise UserError(write_failure(args.output, exc)) from None
    dropped = sorted(set(state) - set(kept))
    print(f"kept {', '.join(kept)}" + (f"; dropped {', '.join(dropped)}" if dropped else ""))
    print(
        f"{args.input.name}: {_megabytes(args.input)} -> {args.output.name}: {_megabytes(args.output)}"
        f" ({'float16' if args.half else 'float32'})"
    )
    return 0
