"""Every person in a photo: found by their faces and by the pose detector, each body confirmed by the landmark model."""

from __future__ import annotations

from dataclasses import replace

import cv2
import numpy as np

from ..framing.heuristic import detect_person
from ..geometry import Box
from .blazeface import BlazeFace
from .blazepose import DETECTION_SCORE, BlazePose, Roi
from .model import face_model
from .person import FACE, Person, hidden_by, inside, person_from_pose, seen

MAX_PEOPLE = 12
PRESENCE = 0.5  # the landmark model's own score that its ROI holds a person
WORK_SIDE = 1024  # people are looked for at this long side at most (landmark crops are 256 px)
ERASE = 0.3  # mask level above which a found person is painted out before looking again
EDGE_ROI = 0.6  # side of the squares tried on the side edges, as a fraction of the image height
EDGE_PRESENCE = 0.7  # a person cut by an edge is taken only when the landmark model is this sure
# A body the landmark model confirms: at least this tall (share of the image height), both shoulders seen,
# its mask under most of the torso's middle line and over this share of its box, and at most this share of
# it over the people already found (a double of them, or a ghost spanning the gap between two).
MIN_HEIGHT = 0.1
MASK_SUPPORT = 0.75
MASK_FILL = 0.15
ON_OTHERS = 0.3
FACE_SURE = 0.9  # the landmark model claims to see the face (nose and eyes) at least this surely
FACE_CROP = 0.4  # side of the square looked at for that face, in box heights (a head is 1/8 of a body)
REFINE = 2  # the landmark model's answer is refined this many times (each from its own next ROI)
FACE_ROIS = ((3.0, 8.0), (2.0, 6.0), (4.0, 10.0))  # (body centre below the face, ROI side), in face heights
# A face whose body is mostly hidden behind others: the landmark model is asked about tighter squares around
# the face and upper body, and the body it answers must show, off the found people's masks and joined to the
# nose, at least OWN_AREA face areas reaching OWN_BELOW face heights below the face (neck and chest).
HIDDEN_ROIS = ((1.0, 3.0), (1.5, 4.0))
OWN_AREA = 1.0
OWN_BELOW = 0.5


def find_people(image: np.ndarray, landmarker: BlazePose | None) -> list[Person]:
    """Everyone in an RGB uint8 photo, in its pixels, in the order found; the fallback's one box without a landmarker."""
    h, w = image.shape[:2]
    if landmarker is None:
        box = detect_person(image)
        return [] if box is None else [Person(box=box, score=0.0)]
    scale = min(1.0, WORK_SIDE / max(h, w))
    work = image if scale == 1.0 else cv2.resize(image, (round(w * scale), round(h * scale)), cv2.INTER_AREA)
    faces = face_model()
    found = [] if faces is None else _with_prominent(find_by_faces(work, landmarker, faces), work, landmarker)
    found += find_more(work, landmarker, found, faces=faces)
    if faces is not None:
        found += find_hidden(work, landmarker, faces, found)
    wh, ww = work.shape[:2]
    found = [hidden_by(p, [o for o in found if o is not p], wh, ww) for p in found]
    return found if scale == 1.0 else [_rescale(p, 1 / scale) for p in found]


def find_by_faces(image: np.ndarray, landmarker: BlazePose, faces: BlazeFace) -> list[Person]:
    """People whose faces the face detector sees, each body looked for below their face.

    A face with a found person's nose or eyes in it is theirs; for any other the landmark model is asked
    about squares below it (the body's centre is about FACE_ROIS' first number of face heights down, the
    body fits in the second), its answer refined REFINE times; the first answer whose nose lies in the face
    and that `confirmed` takes is the person, painted out before the next face.
    """
    work = image.copy()
    h, w = work.shape[:2]
    found: list[Person] = []
    for score, face in faces.detect(image):
        if len(found) >= MAX_PEOPLE:
            break
        if any(_on_face(p, face) for p in found):
            continue  # the face of someone found already
        person = _body_below(landmarker, (work, image), face, score)
        if person is not None:
            found.append(person)
            _paint_out(work, person)
    return found


def _on_face(person: Person, face: Box) -> bool:
    """Whether any of the person's nose and eyes lies in the face's box."""
    x, y = person.landmarks[list(FACE)].T
    return bool(((x >= face.x0) & (x <= face.x1) & (y >= face.y0) & (y <= face.y1)).any())


def _body_below(
    landmarker: BlazePose, pictures: tuple[np.ndarray, ...], face: Box, score: float
) -> Person | None:
    """The first body the landmark model finds below the face whose nose lands in it, looked for in
    each picture in turn (the people found painted out, then as taken: painting out a neighbour can hide
    the part of this body that lies over them); the face settles whose body it is, so it may overlap them."""
    h, w = pictures[0].shape[:2]
    for picture in pictures:
        for down, side in FACE_ROIS:
            roi = Roi(face.cx, face.cy + down * face.height, side * face.height, 0.0)
            pose = landmarker.landmarks(picture, roi)
            if pose.presence < PRESENCE:
                continue
            for _ in range(REFINE):
                pose = landmarker.landmarks(picture, pose.next_roi)
            nose_x, nose_y = pose.landmarks[0]
            if pose.presence < PRESENCE or not (
                face.x0 <= nose_x <= face.x1 and face.y0 <= nose_y <= face.y1
            ):
                continue
            person = person_from_pose(pose, score, w, h)
            if confirmed(person, [], h, w):
                return person
    return None


def find_hidden(
    image: np.ndarray, landmarker: BlazePose, faces: BlazeFace, found: list[Person]
) -> list[Person]:
    """People whose face the face detector sees but whose body stands mostly behind the `found` ones.

    For a face holding no found person's nose or eyes, the landmark model is asked about HIDDEN_ROIS; its
    refined answer counts when it is sure of the face, its nose and eyes lie in the face, `confirmed` takes the
    body on its own, and the part of its mask that is on nobody found, joined to the nose, is a body's top
    (`_own_part`). That part is the person's box and mask: all of them the picture shows.
    """
    h, w = image.shape[:2]
    people: list[Person] = []
    for score, face in faces.detect(image):
        if len(found) + len(people) >= MAX_PEOPLE:
            break
        if any(_on_face(p, face) for p in [*found, *people]):
            continue
        answers = []
        for down, side in HIDDEN_ROIS:
            pose = landmarker.landmarks(
                image, Roi(face.cx, face.cy + down * face.height, side * face.height, 0.0)
            )
            if pose.presence < PRESENCE:
                continue
            for _ in range(REFINE):
                pose = landmarker.landmarks(image, pose.next_roi)
            person = person_from_pose(pose, score, w, h)
            x, y = person.landmarks[list(FACE)].T
            in_face = (x >= face.x0) & (x <= face.x1) & (y >= face.y0) & (y <= face.y1)
            sure = person.visibility[list(FACE)].min() >= FACE_SURE
            if pose.presence < PRESENCE or not (in_face.all() and sure and confirmed(person, [], h, w)):
                continue
            own = _own_part(person, [*found, *people], face, h, w)
            if own is not None:
                answers.append((int(own.sum()), _on_own(person, own)))
        if answers:  # the answer that shows most of the body
            people.append(max(answers, key=lambda a: a[0])[1])
    return people


def _own_part(person: Person, others: list[Person], face: Box, height: int, width: int) -> np.ndarray | None:
    """The person's mask off the others' masks, the part joined to their nose (H×W bool); None when that part
    is no body's top (under OWN_AREA face areas, or not reaching OWN_BELOW face heights below the face)."""
    own = person.mask(height, width) > 0.5
    if others:
        own &= np.max([o.mask(height, width) for o in others], axis=0) <= 0.5
    _, parts = cv2.connectedComponents(own.astype(np.uint8))
    x, y = np.clip(person.landmarks[0].round().astype(int), 0, (width - 1, height - 1))
    if parts[y, x] == 0:
        return None
    part = parts == parts[y, x]
    ys = np.flatnonzero(part.any(axis=1))
    if part.sum() < OWN_AREA * face.width * face.height or ys[-1] < face.y1 + OWN_BELOW * face.height:
        return None
    return part


def _on_own(person: Person, own: np.ndarray) -> Person:
    """The person with their box and mask cut to `own` (H×W bool): the model's mask also spreads over the
    people in front of them."""
    ys, xs = np.nonzero(own)
    side = person.roi_mask.shape[0]
    in_roi = cv2.warpAffine(
        own.astype(np.float32), person.roi.affine(side), (side, side), flags=cv2.INTER_LINEAR
    )
    return replace(
        person,
        box=Box(float(xs.min()), float(ys.min()), float(xs.max() + 1), float(ys.max() + 1)),
        roi_mask=(person.roi_mask * in_roi).astype(np.float32),
    )


def _with_prominent(found: list[Person], image: np.ndarray, landmarker: BlazePose) -> list[Person]:
    """The people found by their faces, with the BlazePose detector's own answer for its most prominent
    person in place of the same person's when it holds more of the body (a ROI seeded by a small face can
    see only the body's top)."""
    h, w = image.shape[:2]
    top = _find_one(landmarker, image, 0, 0, max(h, w), [])
    for i, person in enumerate(found):
        if top is not None and person.box.iou(top.box) > 0.5:
            if top.box.height > person.box.height:
                found[i] = top
            break
    return found


def _face_unseen(image: np.ndarray, person: Person, faces: BlazeFace) -> bool:
    """The landmark model is sure it sees the person's face, yet the face detector finds no face around
    their nose (a square of FACE_CROP times their box's height): a ghost made of someone else's parts."""
    if person.visibility[list(FACE)].min() < FACE_SURE:
        return False
    h, w = image.shape[:2]
    half = FACE_CROP * person.box.height / 2
    x, y = person.landmarks[0]
    x0, y0, x1, y1 = (
        int(round(v)) for v in (max(0, x - half), max(0, y - half), min(w, x + half), min(h, y + half))
    )
    if x1 - x0 < 2 or y1 - y0 < 2:
        return True
    return not faces.detect(np.ascontiguousarray(image[y0:y1, x0:x1]))


def find_more(
    image: np.ndarray,
    landmarker: BlazePose,
    known: list[Person] = (),
    windows: bool = True,
    faces: BlazeFace | None = None,
) -> list[Person]:
    """People in `image` besides `known` ones (same pixels), in the order found.

    The detector answers best for the most prominent person, so each person found (and each known one)
    is painted out with their mask and the detector runs again, on the whole image and (`windows`) on
    overlapping squares for people who are small in it, until nobody new turns up. With `faces`, a person
    found once others are painted out who seems to face the camera must show a face (`_face_unseen`).
    """
    work = image.copy()
    h, w = work.shape[:2]
    found: list[Person] = []
    for person in known:
        _paint_out(work, person)
    for x0, y0, side in _windows(w, h) if windows else [(0, 0, max(w, h))]:
        while len(found) + len(known) < MAX_PEOPLE:
            person = _find_one(landmarker, work, x0, y0, side, [*known, *found], faces)
            if person is None:
                break
            found.append(person)
            _paint_out(work, person)
    if windows:
        found += _cut_by_the_sides(landmarker, work, [*known, *found])
    return found


def _cut_by_the_sides(landmarker: BlazePose, work: np.ndarray, found: list[Person]) -> list[Person]:
    """People the left or right edge cuts (the detector needs a whole face): the landmark model is asked
    directly about squares centred on each side edge and once more where its answer points; the surer
    answer counts when it is sure enough and the body reaches that edge."""
    h, w = work.shape[:2]
    people: list[Person] = []
    for x in (0.0, float(w)):
        for cy in (f * h for f in (0.35, 0.45, 0.55, 0.65, 0.75)):
            pose = landmarker.landmarks(work, Roi(x, cy, EDGE_ROI * h, 0.0))
            if pose.presence >= PRESENCE:
                pose = max(pose, landmarker.landmarks(work, pose.next_roi), key=lambda p: p.presence)
            if pose.presence < EDGE_PRESENCE:
                continue
            person = person_from_pose(pose, pose.presence, w, h)
            at_edge = person.box.x0 <= 1 if x == 0 else person.box.x1 >= w - 1
            if not (at_edge and confirmed(person, [*found, *people], h, w)):
                continue
            if not any(person.box.iou(p.box) > 0.3 for p in [*found, *people]):
                people.append(person)
    return people


def _paint_out(work: np.ndarray, person: Person) -> None:
    """Cover the person with the image's mean colour, so the detector looks past them."""
    erase = (person.mask(*work.shape[:2]) > ERASE).astype(np.uint8)
    if erase.any() and not erase.all():
        work[erase > 0] = np.array(cv2.mean(work, mask=1 - erase)[:3]).astype(np.uint8)


def _windows(width: int, height: int) -> list[tuple[int, int, int]]:
    """The whole image, then squares of its short side at both ends and the middle of its long side."""
    side = min(width, height)
    long = max(width, height)
    starts = sorted({0, (long - side) // 2, long - side})
    squares = [(s, 0, side) if width > height else (0, s, side) for s in starts]
    return [(0, 0, max(width, height))] + (squares if long > side * 1.1 else [])


def _find_one(
    landmarker: BlazePose,
    work: np.ndarray,
    x0: int,
    y0: int,
    side: int,
    found: list[Person],
    faces: BlazeFace | None = None,
) -> Person | None:
    h, w = work.shape[:2]
    window = np.ascontiguousarray(work[y0 : min(h, y0 + side), x0 : min(w, x0 + side)])
    for detection in landmarker.detect(window):
        if detection.score < DETECTION_SCORE:
            break
        roi = detection.roi
        roi = Roi(roi.cx + x0, roi.cy + y0, roi.side, roi.angle)
        pose = landmarker.landmarks(work, roi)
        if pose.presence < PRESENCE:
            continue
        person = person_from_pose(pose, detection.score, w, h)
        if not confirmed(person, found, h, w) or any(person.box.iou(other.box) > 0.5 for other in found):
            continue
        if found and faces is not None and _face_unseen(work, person, faces):
            continue
        return person
    return None


def confirmed(person: Person, found: list[Person], height: int, width: int) -> bool:
    """Whether the landmark model's answer is a body: tall enough, shoulders seen, its own mask under its
    torso and filling its box, and not lying mostly over the people already found."""
    box = person.box
    if box.height < MIN_HEIGHT * height or person.landmarks is None:
        return False
    if not seen(person, width, height)[[11, 12]].all():
        return False
    mask = person.mask(height, width) > 0.5
    shoulders = person.landmarks[[11, 12]].mean(axis=0)
    hips = person.landmarks[[23, 24]].mean(axis=0)
    # the torso's middle line (inside the picture), which lies on any body, while shoulder points may
    # sit on its outline
    line = np.array([shoulders + f * (hips - shoulders) for f in (0.0, 0.25, 0.5, 0.75, 1.0)]).round()
    line = line[inside(line, width, height)].astype(int)
    x, y = line.T
    if mask[y, x].mean() < MASK_SUPPORT:
        return False
    in_box = mask[int(box.y0) : int(np.ceil(box.y1)), int(box.x0) : int(np.ceil(box.x1))]
    if in_box.mean() < MASK_FILL:
        return False
    if found:
        others = np.max([o.mask(height, width) for o in found], axis=0) > 0.5
        if (mask & others).sum() > ON_OTHERS * mask.sum():
            return False
    return True


def _rescale(person: Person, factor: float) -> Person:
    """The person in an image `factor` times larger."""
    roi = person.roi
    return Person(
        box=person.box.scaled(factor),
        score=person.score,
        landmarks=person.landmarks * factor,
        visibility=person.visibility,
        missing=person.missing,
        roi=Roi(roi.cx * factor, roi.cy * factor, roi.side * factor, roi.angle),
        roi_mask=person.roi_mask,
    )
