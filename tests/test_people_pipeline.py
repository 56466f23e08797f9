"""The render's framing from real people: the photo's chosen person, the followed dancer, the user's picks."""

from __future__ import annotations

import re

import numpy as np
import pytest
from people_fixtures import real  # noqa: F401 - fixture

from fomm_core.errors import UserError
from fomm_core.options import RenderOptions
from fomm_core.pipeline import prepare


@pytest.fixture(scope="module")
def plan(real):  # noqa: F811
    return prepare(real["bus"], real["multi_person"], RenderOptions())


def _chosen_dancer(plan) -> int:
    (note,) = [n for n in plan.notes if "dancers are in the clip" in n]
    return int(re.search(r"dancer (\d+) \(", note).group(1))


def test_default_plan_animates_a_full_body_man_and_follows_one_dancer(plan):
    assert plan.person is not None and plan.person.height > 400  # a whole man, not the street
    assert 40 < plan.person.x0 < 260
    assert plan.framing.found
    assert any("2 dancers are in the clip" in note for note in plan.notes)
    ref = plan.framing.reference  # the dancer relative to the square: inside it, not a tiny figure
    assert 0 <= ref.x0 < ref.x1 <= 1 and 0 <= ref.y0 < ref.y1 <= 1.01
    assert ref.height > 0.5
    assert plan.framing.side < 1920  # a crop around the dancer, not the whole frame


def test_crop_path_is_smooth(plan):
    centres = plan.framing.centres
    assert len(centres) == plan.frame_count
    jerk = np.abs(np.diff(centres, n=2, axis=0)).max()
    assert jerk < 0.01 * plan.framing.side


def test_other_dancer_and_person_can_be_picked(real, plan):  # noqa: F811
    other = prepare(real["bus"], real["multi_person"], RenderOptions(person=0, dancer=1 - _chosen_dancer(plan)))
    assert plan.person.x0 > 200 and other.person.x1 < 260  # the central man by default; person 0 the left one
    assert not any("dancers are in the clip" in n for n in other.notes)  # the user's pick needs no note
    # the default follows the woman near the camera (lower in the frame); the other pick the man behind her
    assert other.framing.square(0).cy < plan.framing.square(0).cy - 100


@pytest.mark.parametrize("options,message", [(RenderOptions(person=9), "no person 9"),
                                             (RenderOptions(dancer=7), "no dancer 7")])
def test_picks_that_do_not_exist_are_refused_clearly(real, options, message):  # noqa: F811
    with pytest.raises(UserError, match=message):
        prepare(real["bus"], real["multi_person"], options)
