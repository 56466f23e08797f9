"""The puppet's mesh and drawing on a synthetic person: coverage, rigid parts, identity, depth order, sharpness."""

from __future__ import annotations

import cv2
import numpy as np
from puppet_fixtures import COLOURS, LANDMARKS, person, puppet  # noqa: F401 - fixtures

from fomm_core.puppet.depth import part_depths
from fomm_core.puppet.mesh import triangulate
from fomm_core.puppet.retarget import Retarget, rotation
from fomm_core.puppet.skeleton import PART_INDEX, PARTS, J, joints


def _posed(puppet, turns: dict[tuple[int, ...], float]):  # noqa: F811
    """The puppet posed by a dancer who is the photo's landmarks with chains turned about their first."""
    photo = joints(LANDMARKS)
    dancer = LANDMARKS.copy()
    for chain, angle in turns.items():
        pivot = dancer[chain[0]]
        dancer[list(chain[1:])] = (dancer[list(chain[1:])] - pivot) @ rotation(np.array(angle)).T + pivot
    return Retarget(photo, photo)(joints(dancer))


FOREARM_ACROSS = {(13, 15, 17, 19, 21): 1.5}  # the left forearm turned in, across the chest


def _laplacian_variance(image: np.ndarray, region: np.ndarray) -> float:
    grey = cv2.cvtColor(image, cv2.COLOR_RGB2GRAY).astype(np.float32)
    return float(cv2.Laplacian(grey, cv2.CV_32F)[region].var())


def test_the_mesh_covers_the_region_and_little_else():
    region = np.zeros((200, 160), bool)
    cv2.ellipse(region.view(np.uint8), (80, 100), (50, 80), 20, 0, 360, 1, -1)
    region[90:110, 20:60] = False  # a notch: the mesh must not bridge it
    vertices, triangles = triangulate(region, 8.0)
    drawn = np.zeros(region.shape, np.uint8)
    for tri in vertices[triangles]:
        cv2.fillConvexPoly(drawn, np.round(tri).astype(np.int32), 1)
    drawn = drawn > 0
    assert (drawn & region).sum() >= 0.99 * region.sum()
    assert (drawn & ~region).sum() <= 0.03 * region.sum()


def test_every_person_pixel_belongs_to_a_part_mesh(person, puppet):  # noqa: F811
    _, mask, _ = person
    ids, box = puppet.rasteriser.index_buffer(
        puppet.rig.deform(puppet.rest.transforms), np.arange(len(PARTS))
    )
    x0, y0, x1, y1 = box
    covered = np.zeros(mask.shape, bool)
    covered[y0:y1, x0:x1] = ids >= 0
    assert covered[mask > 0.5].mean() > 0.995


def test_a_forearm_moves_rigidly_away_from_its_joints(puppet):  # noqa: F811
    posed = _posed(puppet, FOREARM_ACROSS)
    moved = puppet.rig.deform(posed.transforms)
    forearm = PART_INDEX["l_forearm"]
    rigid = (puppet.rig.vertex_part == forearm) & (puppet.rig.parent_weight == 0)
    assert rigid.sum() >= 10
    before, after = puppet.rig.vertices[rigid], moved[rigid]
    # the best similarity (Umeyama) between them leaves no residual and has scale 1
    a, b = before - before.mean(0), after - after.mean(0)
    u, s, vt = np.linalg.svd(b.T @ a)
    r = u @ vt
    scale = s.sum() / (a**2).sum()
    assert abs(scale - 1) < 1e-6
    assert np.abs(a @ r.T - b).max() < 1e-6
    assert abs(np.arctan2(r[1, 0], r[0, 0]) - 1.5) < 1e-6


def test_the_rest_pose_gives_back_the_photo(person, puppet):  # noqa: F811
    photo, mask, _ = person
    out = puppet.render(puppet.rest)
    inside = mask > 0.5
    assert np.abs(out.astype(np.float32) - photo)[inside].mean() < 1.5
    assert _laplacian_variance(out, inside) / _laplacian_variance(photo, inside) > 0.97


def test_an_arm_in_front_covers_the_torso_and_one_behind_is_covered(puppet):  # noqa: F811
    posed = _posed(puppet, FOREARM_ACROSS)
    elbow, wrist = posed.joints[[5, 7]]  # l_elbow, l_wrist
    spot = np.round(elbow + 0.6 * (wrist - elbow)).astype(int)  # on the forearm, over the chest
    front = np.zeros(33)
    behind = np.zeros(33)
    behind[[13, 15, 17, 19]] = 200.0  # the left elbow, wrist and hand far behind the body
    colours = {name: np.array(c, np.float32) for name, c in COLOURS.items()}

    def colour_at(depths):
        pixel = puppet.render(posed, part_depths(depths))[
            spot[1] - 2 : spot[1] + 3, spot[0] - 2 : spot[0] + 3
        ]
        pixel = pixel.reshape(-1, 3).mean(0)
        return min(colours, key=lambda name: np.abs(colours[name] - pixel).sum())

    assert 140 < spot[0] < 185  # over the torso
    assert colour_at(front) == "arm"
    assert colour_at(behind) == "torso"


def test_a_posed_person_is_as_sharp_as_the_photo(person, puppet):  # noqa: F811
    photo, mask, _ = person
    posed = _posed(puppet, {(11, 13, 15, 17, 19, 21): -0.7, (24, 26, 28, 30, 32): 0.4})
    rgba, (x0, y0, x1, y1) = puppet.draw(posed)
    frame = np.full_like(photo, 128)
    frame[y0:y1, x0:x1] = rgba[..., :3]
    alpha = np.zeros(mask.shape, np.float32)
    alpha[y0:y1, x0:x1] = rgba[..., 3] / 255.0
    inside = cv2.erode((alpha > 0.99).astype(np.uint8), np.ones((5, 5), np.uint8)) > 0
    photo_inside = cv2.erode((mask > 0.99).astype(np.uint8), np.ones((5, 5), np.uint8)) > 0
    ratio = _laplacian_variance(frame, inside) / _laplacian_variance(photo, photo_inside)
    assert 0.8 < ratio < 1.2
    # nothing lost; a little more shows: what the raised arm hid of the torso
    assert 1.0 <= inside.sum() / photo_inside.sum() < 1.25


def test_a_person_moved_out_of_the_frame_leaves_the_backdrop(puppet):  # noqa: F811
    posed = _posed(puppet, {})
    away = posed.transforms.copy()
    away[:, :, 2] += (2000.0, 0.0)
    out = puppet.render(type(posed)(away, posed.joints + (2000.0, 0.0)))
    assert np.array_equal(out, puppet.backdrop)


def test_edges_are_anti_aliased_where_the_mesh_cuts_through_the_mask(person, puppet):  # noqa: F811
    # raised arms: their outline at the shoulders lay inside the mask in the photo, so only the drawing softens it
    _, mask, _ = person
    posed = _posed(puppet, {(11, 13, 15, 17, 19, 21): -2.4, (12, 14, 16, 18, 20, 22): 2.0})
    rgba, (x0, y0, x1, y1) = puppet.draw(posed, np.zeros(len(PARTS)))
    alpha = np.zeros(mask.shape, np.float32)
    alpha[y0:y1, x0:x1] = rgba[..., 3] / 255
    solid = (alpha > 0.5).astype(np.uint8)
    outline = (solid - cv2.erode(solid, np.ones((3, 3), np.uint8))) > 0
    soft = cv2.dilate(((alpha > 0.05) & (alpha < 0.95)).astype(np.uint8), np.ones((3, 3), np.uint8)) > 0
    ys, xs = np.mgrid[: mask.shape[0], : mask.shape[1]]
    for shoulder in (J["l_shoulder"], J["r_shoulder"]):
        x, y = posed.joints[shoulder]
        near = outline & (np.hypot(xs - x, ys - y) < 25)
        assert near.sum() > 50
        assert soft[near].mean() > 0.8  # (0.3 with the hard steps of the scan conversion)
