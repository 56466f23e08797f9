"""The pose engine: the photo's own pixels moved part by part along the dancer's retargeted skeleton.

No learned model but BlazePose's landmarks (fomm_core.people): the person's mask is split into body parts,
a mesh over each is deformed by the dancer's motion retargeted to the person's bones, and the parts are
drawn back to front over the photo's inpainted backdrop. See puppet.py for the API.
"""

from .dancer import DancerPose, clip_poses, dancer_poses
from .puppet import Puppet, PuppetFrame

__all__ = ["DancerPose", "Puppet", "PuppetFrame", "clip_poses", "dancer_poses"]
