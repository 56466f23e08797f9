"""A fan: the photo's person as the pose engine's puppet, posed as the dancer they replace and placed on them.

The fan copies the dancer's pose itself (the photo's own pose is the motion's reference), since on the stage the
fan stands where the dancer stood. Each frame the puppet is drawn alone (RGBA) and placed by its skeleton: scaled
so its head-to-ankles height is the dancer's (both in the same pose, so the ratio is that of their limbs, whatever
the arms do), its pelvis over the dancer's and its lowest foot on the dancer's. The placement is smoothed (One
Euro, in body heights) and starts afresh, with the motion, at every cut.
"""

from __future__ import annotations

import numpy as np

from ..framing.crop_path import square_around
from ..people.person import Person
from ..puppet.dancer import DancerPose
from ..puppet.motion import DancerMotion
from ..puppet.one_euro import OneEuro
from ..puppet.puppet import Puppet
from ..puppet.skeleton import J, body_height, joints
from ..scene.layout import canvas_box
from .layer import Body, Layer
from .placement import place

DRAWN_TALL = 1.25  # the puppet is drawn this many times the dancer's tallest height (then scaled down)
FEET = [J[name] for name in ("l_ankle", "r_ankle", "l_heel", "r_heel")]


def skeleton_body(points: np.ndarray) -> Body:
    """A body from joints (skeleton.joints): pelvis x, lowest foot row, head-to-ankles height."""
    return Body(float(points[J["pelvis"], 0]), float(points[FEET, 1].max()), body_height(points))


class Fan:
    """One photo's person replacing dancer `dancer`; call once per clip frame, in order."""

    def __init__(self, photo: np.ndarray, person: Person, dancer: int, tallest: float, fps: float):
        """`tallest`: the dancer's largest box height in output pixels, which sets the puppet's drawing size."""
        ph, pw = photo.shape[:2]
        x0, y0, x1, y1 = canvas_box(pw, ph, square_around(person.box))
        k = min(1.0, DRAWN_TALL * tallest / max(person.box.height, 1.0))
        size = (max(2, 2 * round((x1 - x0) * k / 2)), max(2, 2 * round((y1 - y0) * k / 2)))
        blank = np.zeros((size[1], size[0], 3), np.uint8)  # the stage is the backdrop: none is made
        self.puppet = Puppet.from_photo(photo, person, canvas=(x0, y0, x1, y1), size=size, backdrop=blank)
        sx, sy = size[0] / (x1 - x0), size[1] / (y1 - y0)
        self.landmarks = (person.landmarks - (x0, y0)) * (sx, sy)
        self.visibility = person.visibility
        self.dancer = dancer
        self.fps = fps
        self.turned = 0  # frames in which the dancer showed their back
        self._motion: DancerMotion | None = None
        self._smooth: OneEuro | None = None
        self._scale = 1.0

    def seek(self, t: int) -> None:
        """Clip frame t comes next; the puppet follows the dancer's pose alone, so nothing is skipped."""

    def restart(self) -> None:
        """Forget the motion and the placement (at a cut, or when the dancer was not seen)."""
        self._motion = self._smooth = None

    def __call__(self, dancer: DancerPose) -> Layer:
        """The fan in this frame, placed in the pixels of `dancer` (the dancer's pose in this frame)."""
        at = skeleton_body(joints(dancer.points))
        if self._motion is None:
            self._motion = DancerMotion(self.puppet.joints, self._reference(dancer, at), self.fps, travel=0.0)
            self._smooth, self._scale = OneEuro(self.fps), max(at.height, 1.0)
        step = self._motion(dancer)
        self.turned += step.turned
        x, feet, height = self._smooth(np.array([at.x, at.feet, at.height]) / self._scale) * self._scale
        rgba, box = self.puppet.draw(step.posed, step.depths)
        return place(Layer.from_rgba(rgba, box), skeleton_body(step.posed.joints), Body(x, feet, height))

    def _reference(self, dancer: DancerPose, at: Body) -> DancerPose:
        """The photo's pose, at the dancer's size and place: the motion copies the dancer's pose itself."""
        own = skeleton_body(joints(self.landmarks))
        points = (self.landmarks - (own.x, own.feet)) * (at.height / own.height) + (at.x, at.feet)
        return DancerPose(points, np.zeros(len(points)), self.visibility, dancer.width, dancer.height)
