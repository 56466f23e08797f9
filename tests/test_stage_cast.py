"""Which dancer each photo replaces: as asked, the rest from the centre of the opening formation outwards."""

from __future__ import annotations

import pytest

from fomm_core.errors import UserError
from fomm_core.geometry import Box
from fomm_core.options import RenderOptions
from fomm_core.people.clip import ClipPeople, Track
from fomm_core.stage.cast import _dancers


def _formation() -> ClipPeople:
    """Four dancers in a 400-pixel-wide clip cut at frame 10: x centres 60, 180, 230 and 340, the last one first
    seen after the cut, at the middle."""

    def track(i: int, x: float, frames: range) -> Track:
        return Track(id=i, boxes={t: Box(x - 20, 50, x + 20, 200) for t in frames})

    tracks = [track(0, 60, range(20)), track(1, 230, range(20)), track(2, 180, range(20))]
    tracks.append(track(3, 200, range(10, 20)))
    return ClipPeople(tracks, [10], 20, 400, 300)


@pytest.mark.parametrize(
    "dancer, count, expected",
    [
        (None, 2, [2, 1]),  # centre outwards, among the dancers of the opening shot
        (None, 3, [2, 1, 0]),
        (None, 4, [2, 1, 0, 3]),  # the late one last
        ("auto,0", 2, [2, 0]),
        ("3,auto", 2, [3, 2]),
    ],
)
def test_photos_take_dancers_as_asked_and_the_rest_from_the_centre_out(dancer, count, expected) -> None:
    assert _dancers(_formation(), count, RenderOptions(dancer=dancer)) == expected


def test_unknown_dancers_and_too_many_photos_are_refused() -> None:
    with pytest.raises(UserError, match="No dancer 9 in the clip: the dancers are numbered 0, 1, 2, 3"):
        _dancers(_formation(), 2, RenderOptions(dancer="9,1"))
    with pytest.raises(UserError, match="5 photos but only 4 dancers were found in the clip"):
        _dancers(_formation(), 5, RenderOptions())
