"""Approval rates of the ratings: Wilson intervals per group, the plain-text table and the peer-review summary."""

from __future__ import annotations

import math
import os
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, fields
from typing import Any

from ..errors import UserError
from ..options import RenderOptions
from .raters import RATER_BASIS
from .record import Rating
from .store import RatingsStore

# Options that do not change the video; left out of the option-set label.
OUTPUT_NEUTRAL = ("model", "batch_size", "device", "max_duration")


def wilson_interval(k: int, n: int, z: float = 1.96) -> tuple[float, float]:
    """Wilson score interval for a proportion k/n (z=1.96: 95%); (0, 1) when n is 0."""
    if n == 0:
        return 0.0, 1.0
    p = k / n
    denom = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    return max(0.0, centre - half), min(1.0, centre + half)


def option_set(options: dict[str, Any]) -> str:
    """A short canonical label of the options that shape the video: those differing from the defaults, and the
    number of people when a group made it."""
    effective = RenderOptions.from_dict(options).to_dict() | {"people": people(options)}
    defaults = RenderOptions().to_dict() | {"people": 1}
    diff = [
        f"{k}={effective[k]}"
        for k in sorted(effective)
        if k not in OUTPUT_NEUTRAL and effective[k] != defaults[k]
    ]
    return ", ".join(diff) or "defaults"


def people(options: dict[str, Any]) -> int:
    """The number of people (photos) a rated video was made with; records from before groups: one."""
    return int(options.get("people", 1))


@dataclass(frozen=True)
class Row:
    """Approval for one group: `key` holds the values of the grouping fields, in order."""

    key: tuple[Any, ...]
    n: int
    up: int
    down: int
    raters: int
    approval: float
    low: float
    high: float

    def to_dict(self, by: Sequence[str]) -> dict[str, Any]:
        """Plain-JSON form with the grouping fields named."""
        data = dict(zip(by, self.key, strict=True))
        data.update({k: v for k, v in asdict(self).items() if k != "key"})
        return data


GROUP_FIELDS = ("model", "checkpoint_sha256", "options", "people") + tuple(
    f.name for f in fields(RenderOptions) if f.name != "model"
)


def _group_value(rating: Rating, name: str) -> Any:
    if name == "model":
        return rating.model
    if name == "checkpoint_sha256":
        return rating.checkpoint_sha256
    if name == "options":
        return option_set(rating.options)
    if name == "people":
        return people(rating.options)
    return RenderOptions.from_dict(rating.options).to_dict()[name]


def aggregate(
    store: RatingsStore | Iterable[Rating] | str | os.PathLike[str] | None = None,
    by: Sequence[str] = ("model",),
    z: float = 1.96,
) -> list[Row]:
    """Approval rate per group with Wilson intervals, most-rated group first.

    `by` names fields from GROUP_FIELDS: "model", "checkpoint_sha256", "options" (the option-set label),
    "people" (the number of photos) or any RenderOptions field. `store` is a RatingsStore, ratings, a database path, or None for the default store.
    """
    unknown = [name for name in by if name not in GROUP_FIELDS]
    if unknown:
        raise UserError(
            f"Cannot group ratings by {', '.join(unknown)}; choose from {', '.join(GROUP_FIELDS)}."
        )
    if store is None or isinstance(store, (str, os.PathLike)):
        store = RatingsStore(store, mirror=None, writable=False)
    ratings = store.ratings() if isinstance(store, RatingsStore) else list(store)
    groups: dict[tuple[Any, ...], list[Rating]] = defaultdict(list)
    for rating in ratings:
        groups[tuple(_group_value(rating, name) for name in by)].append(rating)
    rows = []
    for key, members in groups.items():
        up = sum(1 for r in members if r.rating > 0)
        n = len(members)
        low, high = wilson_interval(up, n, z)
        raters = count_raters(members)
        rows.append(Row(key, n, up, n - up, raters, up / n, low, high))
    return sorted(rows, key=lambda r: (-r.n, [str(v) for v in r.key]))


def count_raters(ratings: Iterable[Rating]) -> int:
    """Distinct raters: by rater id; a rating stored before raters were recorded counts by its browser session."""
    return len({r.rater or f"session:{r.session}" for r in ratings if r.rater or r.session})


TABLE_COLUMNS = ("n", "up", "down", "approval", "95% CI", "raters")


def table_cells(rows: Sequence[dict[str, Any]], by: Sequence[str]) -> list[list[Any]]:
    """One line per row (Row.to_dict(by), as `report` lists them) under `[*by, *TABLE_COLUMNS]`: the grouping
    values as text, the counts as numbers, the approval and its interval as percentages."""
    return [
        [
            *(str(row[k]) for k in by),
            row["n"],
            row["up"],
            row["down"],
            f"{row['approval']:.0%}",
            f"{row['low']:.0%}-{row['high']:.0%}",
            row["raters"],
        ]
        for row in rows
    ]


def format_table(rows: Sequence[Row], by: Sequence[str]) -> str:
    """A plain-text table of aggregated rows."""
    header = [*by, *TABLE_COLUMNS]
    lines = [[str(cell) for cell in cells] for cells in table_cells([row.to_dict(by) for row in rows], by)]
    widths = [
        max(len(h), *(len(line[i]) for line in lines)) if lines else len(h) for i, h in enumerate(header)
    ]
    return "\n".join(
        "  ".join(c.ljust(w) for c, w in zip(line, widths, strict=True)).rstrip() for line in [header, *lines]
    )


REPORT_GROUPINGS = {"by_model": ("model",), "by_options": ("model", "options")}


def report(store: RatingsStore | str | os.PathLike[str] | None = None) -> dict[str, Any]:
    """The peer-review summary the app and `ratings report` show: totals and the standard groupings."""
    if store is None or isinstance(store, (str, os.PathLike)):
        store = RatingsStore(store, mirror=None, writable=False)
    ratings = store.ratings()
    data: dict[str, Any] = {
        "db": str(store.path),
        "ratings": len(ratings),
        "up": sum(1 for r in ratings if r.rating > 0),
        "raters": count_raters(ratings),
        "rater_basis": RATER_BASIS,
        "ratings_counted_by_session": sum(1 for r in ratings if not r.rater and r.session),
    }
    for name, by in REPORT_GROUPINGS.items():
        data[name] = [row.to_dict(by) for row in aggregate(ratings, by)]
    return data
