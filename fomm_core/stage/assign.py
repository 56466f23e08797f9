"""Which dancer each photo replaces: as asked, or by default from the centre of the formation outwards."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from ..errors import UserError
from .composite import check_fans


def centre_out(centres: Mapping[int, float], width: float) -> list[int]:
    """Dancer ids by distance of their centre x from the picture's centre (ties: the lower id first)."""
    return sorted(centres, key=lambda i: (abs(centres[i] - width / 2), i))


def assign_dancers(
    n_photos: int, centres: Mapping[int, float], width: float, dancers: Sequence[int] | None = None
) -> list[int]:
    """The dancer id each photo replaces, in the photos' order (default: centre outwards).

    centres: every dancer's centre x in a reference frame; dancers: the ids asked for, or None.
    """
    if n_photos > len(centres):
        raise UserError(
            f"{n_photos} photos but only {len(centres)} dancers were found in the clip: "
            f"use at most {len(centres)} photos, or a clip with more dancers."
        )
    if dancers is None:
        return centre_out(centres, width)[:n_photos]
    dancers = list(dancers)
    if len(dancers) != n_photos:
        raise UserError(f"{n_photos} photos but {len(dancers)} dancer ids: give one dancer id per photo.")
    unknown = [d for d in dancers if d not in centres]
    if unknown:
        raise UserError(
            f"No dancer {unknown[0]} in the clip: the dancers are numbered {', '.join(map(str, sorted(centres)))}."
        )
    check_fans(dancers)
    return dancers
