"""Where the person dances: in their photo over its still background ("photo"), or on its square crop ("plain")."""

from .backdrop import remove_person
from .choose import plan_scene
from .composite import SceneCompositor
from .layout import SceneLayout, canvas_box, scene_layout
from .plan import ScenePlan
from .segment import PersonSegmenter

__all__ = [
    "PersonSegmenter",
    "SceneCompositor",
    "SceneLayout",
    "ScenePlan",
    "canvas_box",
    "plan_scene",
    "remove_person",
    "scene_layout",
]
