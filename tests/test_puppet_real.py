"""The pose engine on real media: bus.jpg's chosen man driven by the Pose2Sim single-person clip."""

from __future__ import annotations

import cv2
import numpy as np
import pytest
from people_fixtures import real  # noqa: F401 - fixture

from fomm_core.io import load_photo, open_video
from fomm_core.people import choose_dancer, choose_person, default_landmarker, find_dancers, find_people
from fomm_core.puppet import Puppet, clip_poses
from fomm_core.puppet.motion import DancerMotion
from fomm_core.puppet.skeleton import PART_INDEX, J


@pytest.fixture(scope="module")
def animated(real):  # noqa: F811
    model = default_landmarker()
    photo = load_photo(real["bus"])
    people = find_people(photo, model)
    person = people[choose_person(people, photo.shape[1], photo.shape[0])]
    info = open_video(real["single_person"], max_fps=15)
    found = find_dancers(info, model)
    track = found.track(choose_dancer(found))
    poses = list(clip_poses(info, track, model))
    puppet = Puppet.from_photo(photo, person, max_side=512)
    frames = []
    motion_steps = []
    motion = DancerMotion(puppet.joints, poses[0], info.fps)
    for pose in poses:
        step = motion(pose)
        motion_steps.append(step)
        frames.append(puppet.render(step.posed, step.depths))
    return info, track, poses, puppet, frames, motion_steps


def _laplacian_variance(image: np.ndarray) -> float:
    grey = cv2.cvtColor(image, cv2.COLOR_RGB2GRAY).astype(np.float32)
    return float(cv2.Laplacian(grey, cv2.CV_32F).var())


@pytest.mark.slow
def test_the_dancer_is_followed_in_every_frame(animated):
    info, track, poses, *_ = animated
    assert len(poses) == info.frame_count
    for t, landmarks in track.landmarks.items():
        hips = poses[t].points[[23, 24]].mean(0)
        assert np.hypot(*(hips - landmarks[[23, 24]].mean(0))) < 40  # the same dancer (1080x1920 pixels)
    assert all(p.depth.shape == (33,) and np.isfinite(p.depth).all() for p in poses)


@pytest.mark.slow
def test_the_man_follows_the_dancers_limbs_with_his_own_sharp_face(animated):
    _, _, poses, puppet, frames, steps = animated
    assert all(f.shape == (puppet.size[1], puppet.size[0], 3) for f in frames)
    assert max(puppet.size) == 512
    # his limbs move: the wrists and ankles travel a good part of his height over the clip
    wrists = np.array([s.posed.joints[[J["l_wrist"], J["r_wrist"]]] for s in steps])
    ankles = np.array([s.posed.joints[[J["l_ankle"], J["r_ankle"]]] for s in steps])
    assert np.hypot(*(wrists - wrists[0]).transpose(2, 0, 1)).max() > 0.15 * puppet.height
    assert np.hypot(*(ankles - ankles[0]).transpose(2, 0, 1)).max() > 0.15 * puppet.height
    # his face, wherever the head has gone, is the photo's face, as sharp
    head = PART_INDEX["head"]
    centre = puppet.joints[J["head"]]
    r = int(0.06 * puppet.height)
    x, y = np.round(centre).astype(int)
    photo_face = puppet.view[y - r : y + r, x - r : x + r]
    for frame, step in zip(frames, steps, strict=True):
        t = step.posed.transforms[head]
        cx, cy = np.round(t[:, :2] @ centre + t[:, 2]).astype(int)
        assert _laplacian_variance(frame[cy - r : cy + r, cx - r : cx + r]) > 0.75 * _laplacian_variance(
            photo_face
        )
        # the head's pixels brought back where they were in the photo (each photo pixel looked up in the frame)
        face = cv2.warpAffine(frame, t, puppet.size, flags=cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP)
        inner = np.abs(face.astype(np.float32) - puppet.view)[
            y - r // 2 : y + r // 2, x - r // 2 : x + r // 2
        ]
        assert inner.mean() < 12
