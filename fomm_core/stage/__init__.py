"""The stage scene: the fan takes a dancer's place in the dance clip itself.

`StageRenderer.frame` makes each output frame: the replaced dancers removed (`CleanPlate`), each fan's layer
(`Layer`: the pose engine's puppet placed on its dancer by `placement`, or a learned engine's square laid
on the dancer's crop square by `learned`) lit like the dancer (`StageLight`), and everyone laid in
depth order (`composite`). `assign_dancers` says which dancer each photo replaces; `evaluate` scores a
render against the ground truth of the synthetic group clips (`synthetic` renders those from their truth).
"""

from .assign import assign_dancers, centre_out
from .composite import check_fans, compose, depth_order
from .evaluate import person_region, person_region_l1
from .layer import Body, Layer
from .light import StageLight, match_light
from .placement import follow, ground_rows, place
from .plate import CleanPlate, dancer_hole
from .render import StageRenderer

__all__ = [
    "Body",
    "CleanPlate",
    "Layer",
    "StageLight",
    "StageRenderer",
    "assign_dancers",
    "centre_out",
    "check_fans",
    "compose",
    "dancer_hole",
    "depth_order",
    "follow",
    "ground_rows",
    "match_light",
    "person_region",
    "person_region_l1",
    "place",
]
