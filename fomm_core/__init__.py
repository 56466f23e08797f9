"""Kpop Idol Generator library: animate a full-body photo by a dance clip with FOMM or TPSMM."""

from .animate import animate, animate_iter
from .engines.motion_model import MotionModel
from .errors import UserError
from .models import load_model, random_model
from .motion import Keypoints
from .options import RenderOptions
from .pipeline import prepare, render

__all__ = [
    "Keypoints",
    "MotionModel",
    "RenderOptions",
    "UserError",
    "animate",
    "animate_iter",
    "load_model",
    "prepare",
    "random_model",
    "render",
]
