"""The stage on real media: bus.jpg's men take the places of the Pose2Sim two-person clip's dancers.

Who replaces whom is checked by colour: where the render differs from the clip inside a dancer's box, its
colours (an RGB histogram, compared by Bhattacharyya distance) are the photo person's (the man in beige, or the man in black), not the dancer's. The dancer left in
place is the clip's, pixel for pixel, away from the fan.
"""

from __future__ import annotations

import numpy as np
import pytest
from people_fixtures import real  # noqa: F401 - the fixture

from fomm_core.io import load_photo, open_video, read_frames
from fomm_core.options import RenderOptions
from fomm_core.people.model import default_landmarker
from fomm_core.stage.cast import cast
from fomm_core.stage.plate import grow

pytestmark = pytest.mark.slow
CHANGED = 40  # mean RGB difference from which a pixel counts as redrawn


def _render(media: dict, person: str) -> dict:
    info = open_video(media["multi_person"], trim_end=0.6)
    bus = load_photo(media["bus"])
    found = cast(
        [bus] * len(person.split(",")),
        info,
        RenderOptions(scene="stage", person=person),
        default_landmarker(),
    )
    clip = found.clip(info, default_landmarker())
    frames = np.stack(list(clip.frames()))
    original = np.stack(list(read_frames(info, size=clip.size)))
    colours = [_histogram(bus[p.mask(*bus.shape[:2]) > 0.5]) for p in found.persons]
    return {"cast": found, "frames": frames, "clip": original, "colours": colours, "scale": clip.scale}


@pytest.fixture(scope="module")
def one(real: dict) -> dict:  # noqa: F811
    return _render(real, "0")


@pytest.fixture(scope="module")
def both(real: dict) -> dict:  # noqa: F811
    return _render(real, "0,1")


def _histogram(pixels: np.ndarray) -> np.ndarray:
    """Normalised 8×8×8 RGB histogram of N×3 pixels."""
    counts, _ = np.histogramdd(pixels.reshape(-1, 3).astype(np.float32), bins=8, range=[(0, 256)] * 3)
    return (counts / counts.sum()).astype(np.float32)


def _distance(a: np.ndarray, b: np.ndarray) -> float:
    """Bhattacharyya distance of two normalised histograms: 0 the same colours, 1 none shared."""
    return float(np.sqrt(max(0.0, 1 - np.sqrt(a * b).sum())))


def _box(render: dict, dancer: int, t: int) -> np.ndarray:
    """Dancer's box (nearest tracked frame) as a mask over the output frame."""
    track = render["cast"].people.track(dancer)
    near = min(track.boxes, key=lambda u: abs(u - t))
    box = track.boxes[near].scaled(render["scale"], render["scale"])
    mask = np.zeros(render["frames"].shape[1:3], bool)
    mask[max(0, int(box.y0)) : int(box.y1), max(0, int(box.x0)) : int(box.x1)] = True
    return mask


def _redrawn_colours(render: dict, dancer: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The colours (histograms) of the render and of the clip where the render redrew the dancer's box, and
    the redrawn masks (T×H×W)."""
    frames, clip = render["frames"].astype(np.float32), render["clip"].astype(np.float32)
    redrawn = (np.abs(frames - clip).mean(-1) > CHANGED) & np.stack(
        [_box(render, dancer, t) for t in range(len(frames))]
    )
    assert redrawn.sum(axis=(1, 2)).min() > 500  # the dancer is redrawn in every frame
    return _histogram(frames[redrawn]), _histogram(clip[redrawn]), redrawn


def test_the_man_in_beige_replaces_the_dancing_man_and_the_woman_stays(one: dict) -> None:
    found = one["cast"]
    assert found.dancers == [1]  # the dancing man, the one who moves most
    assert found.persons[0].box.x1 < 250  # the man in beige, leftmost in bus.jpg
    beige = one["colours"][0]
    render, clip, redrawn = _redrawn_colours(one, 1)
    print(
        f"colour distance to the man in beige: render {_distance(render, beige):.2f}, clip {_distance(clip, beige):.2f}"
    )
    assert _distance(render, beige) < 0.8 * _distance(clip, beige)
    # the woman, away from the man's place and the fan, is the clip's
    frames, original = one["frames"].astype(np.float32), one["clip"].astype(np.float32)
    for t in range(len(frames)):
        away = _box(one, 0, t) & ~grow(_box(one, 1, t) | redrawn[t], 20)
        assert away.sum() > 5000
        assert np.abs(frames[t][away] - original[t][away]).mean() < 1.0


def test_both_men_replace_both_dancers_each_in_their_colours(both: dict) -> None:
    found = both["cast"]
    assert found.dancers == [1, 0]  # photo 1 on the dancing man, photo 2 on the woman
    beige, black = both["colours"]
    for dancer, colour, other in ((1, beige, black), (0, black, beige)):
        render, clip, _ = _redrawn_colours(both, dancer)
        print(
            f"dancer {dancer}: render's colour distance to its man {_distance(render, colour):.2f}, to the other "
            f"{_distance(render, other):.2f}; the clip's to its man {_distance(clip, colour):.2f}"
        )
        assert _distance(render, colour) < _distance(render, other), dancer
        assert _distance(render, colour) < 0.8 * _distance(clip, colour), dancer
