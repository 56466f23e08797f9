"""Which person in a photo is animated: the default choice, the user's pick, and what to tell them about it.

Automatic takes the most complete, largest and most central person, but nobody when nobody is seen head to
feet: then the user confirms by picking one, since a body the photo does not show would be made up.
"""

from __future__ import annotations

from ..errors import UserError
from .person import Person


def choose_person(people: list[Person], width: int, height: int) -> int:
    """Index of the person to animate: full-body first, then the largest and most central."""
    if not people:
        raise UserError(
            "No person was found in the photo. Upload a photo in which one person is seen whole, "
            "head to feet."
        )

    def rank(i: int) -> tuple[bool, float]:
        b = people[i].box
        off_centre = abs(b.cx - width / 2) / (width / 2)
        return people[i].full_body, (b.height / height) * (1 - 0.5 * off_centre)

    return max(range(len(people)), key=rank)


def pick_person(
    people: list[Person], width: int, height: int, pick: int | None, where: str, role: str, notes: list[str]
) -> Person:
    """Person `pick` of `where` (default: `choose_person`'s), with notes on the choice and on what the person
    lacks; a UserError when `where` holds no person `pick`, or when nobody in it is seen head to feet and no
    person was picked (the user confirms by picking one). `role` says what the chosen one does ("is animated")."""
    if pick is None:
        if nobody_whole(people):
            raise UserError(nobody_whole_message(people, where))
        pick = choose_person(people, width, height)
        if len(people) > 1:
            notes.append(
                f"{len(people)} people are in {where}; person {pick} (the most complete, largest and most "
                f"central) {role}. Choose another with the person number."
            )
    elif not 0 <= pick < len(people):
        found = (
            "1 was found, person 0"
            if len(people) == 1
            else f"{len(people)} were found, numbered 0 to {len(people) - 1}"
        )
        raise UserError(
            f"There is no person {pick} in {where}: {found}. See them with `python -m fomm_core inspect` or "
            "the app's preview."
        )
    if message := missing_message(people, pick, where):
        notes.append(message)
    return people[pick]


def nobody_whole(people: list[Person]) -> bool:
    """Whether people were found with the landmark model and none of them is seen head to feet."""
    return bool(people) and all(p.landmarks is not None and not p.full_body for p in people)


def _parts(person: Person) -> str:
    """The parts the person lacks, in words: "feet", "knees and feet", "hips, knees and feet"."""
    *most, last = person.missing
    return f"{', '.join(most)} and {last}" if most else last


def _lacks(people: list[Person]) -> str:
    """Who lacks what: "person 0 lacks their feet; person 1 lacks their knees and feet"."""
    return "; ".join(f"person {i} lacks their {_parts(p)}" for i, p in enumerate(people))


def nobody_whole_message(people: list[Person], where: str) -> str:
    """Why nobody in `where` is animated by default, who lacks what, and how to go on."""
    return (
        f"Nobody in {where} is seen head to feet ({_lacks(people)}), so nobody is chosen automatically: the "
        "dance would move body parts the photo does not show. Pick the person to animate anyway (the person "
        "picker under the photo's preview in the app, `person` in the API, `--person` on the command line; "
        "one number per photo, in order), or upload a full-body photo (head to feet in the picture)."
    )


def missing_message(people: list[Person], pick: int, where: str = "the photo") -> str | None:
    """What the user should know when person `pick` is not seen head to feet; None when they are."""
    person = people[pick]
    if person.full_body or person.landmarks is None:
        return None
    whole = [i for i, p in enumerate(people) if p.full_body]
    others = (
        f"Nobody in {where} is seen head to feet"
        if not whole
        else f"Person {whole[0]} is seen head to feet in {where}"
    )
    return (
        f"{others}; person {pick}, as picked, lacks their {_parts(person)}. Upload a full-body photo (head to "
        "feet in the picture) for a result that moves the whole body."
    )
