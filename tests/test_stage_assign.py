"""Which dancer each photo replaces: from the centre outwards by default; clear messages otherwise."""

from __future__ import annotations

import pytest

from fomm_core.errors import UserError
from fomm_core.stage.assign import assign_dancers, centre_out

CENTRES = {0: 40.0, 1: 95.0, 2: 130.0, 3: 170.0, 4: 230.0}  # a 256-wide frame


def test_photos_go_to_dancers_from_the_centre_outwards():
    assert centre_out(CENTRES, 256) == [2, 1, 3, 0, 4]
    assert assign_dancers(1, CENTRES, 256) == [2]
    assert assign_dancers(3, CENTRES, 256) == [2, 1, 3]


def test_asked_dancers_are_kept_in_the_photos_order():
    assert assign_dancers(2, CENTRES, 256, [4, 0]) == [4, 0]


def test_two_photos_for_one_dancer_are_refused():
    with pytest.raises(UserError, match="Photos 1 and 2 both take dancer 3's place"):
        assign_dancers(2, CENTRES, 256, [3, 3])


@pytest.mark.parametrize(
    ("n", "dancers", "message"),
    [
        (6, None, "6 photos but only 5 dancers"),
        (2, [1], "2 photos but 1 dancer ids"),
        (2, [1, 7], "No dancer 7 in the clip: the dancers are numbered 0, 1, 2, 3, 4"),
    ],
)
def test_impossible_assignments_say_what_to_do(n, dancers, message):
    with pytest.raises(UserError, match=message):
        assign_dancers(n, CENTRES, 256, dancers)
