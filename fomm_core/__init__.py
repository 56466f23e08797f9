"""Kpop Idol Generator library: animate a full-body photo by a dance clip with FOMM or TPSMM."""

import sys

# being started as `python -m fomm_core` (argv[0] is "-m" while the package loads): a Ctrl-C meanwhile is one line
if sys.argv[:1] == ["-m"]:
    from .starting import stop_quietly_while_starting

    stop_quietly_while_starting()

from .animate import animate, animate_iter
from .checkpoints.load import load_model, random_model
from .engines.motion_model import MotionModel
from .errors import UserError
from .motion import Keypoints
from .options import RenderOptions
from .pipeline import plan_render, render

__all__ = [
    "Keypoints",
    "MotionModel",
    "RenderOptions",
    "UserError",
    "animate",
    "animate_iter",
    "load_model",
    "plan_render",
    "random_model",
    "render",
]
