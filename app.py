"""Kpop Idol Generator, the Hugging Face Space's entry point (Spaces runs `python app.py`): the package `space`."""

import logging
from typing import Any

from space.layout import build_demo, launch
from space.settings import preload_names


def __getattr__(name: str) -> Any:
    """`from app import demo`: the Space's Blocks, built on first use so that importing app loads no model."""
    if name != "demo":
        raise AttributeError(name)
    globals()["demo"] = built = build_demo(preload=preload_names())
    return built


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO)
    launch(build_demo(preload=preload_names()))
