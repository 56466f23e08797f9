"""The Peer review tab: a summary line and the approval tables of fomm_core.ratings.aggregate.report."""

from __future__ import annotations

from typing import Any

import pandas as pd

from fomm_core.ratings.aggregate import aggregate, report, table_cells
from fomm_core.ratings.raters import describe
from fomm_core.ratings.store import RatingsStore

#: ratings.TABLE_COLUMNS as the page names them.
COLUMNS = ("ratings", "👍", "👎", "approval", "95% interval", "raters")
#: The first table's groups: the engine, and where and with how many people it danced.
BY_ENGINE = ("model", "scene", "people")


def peer_review(store: RatingsStore) -> tuple[str, pd.DataFrame, pd.DataFrame]:
    """A summary line and approval tables per engine with its scene and number of people, and per option set."""
    data = report(store)
    by_engine = [row.to_dict(BY_ENGINE) for row in aggregate(store, BY_ENGINE)]
    n, raters, limits = data["ratings"], data["raters"], store.limits
    older = data["ratings_counted_by_session"]
    summary = (
        f"**{n} rating{'' if n == 1 else 's'}** ({data['up']} 👍) from {raters} "
        f"rater{'' if raters == 1 else 's'}: {data['rater_basis']}"
        f"{f' ({older} older ratings count by browser session)' if older else ''}. "
        f"Each rater rates a video once, at most {describe(limits.session)} per session and "
        f"{describe(limits.rater)} per address. "
        "Approval with Wilson 95% intervals; option sets list what differs from the defaults."
    )
    return summary, _table(by_engine, list(BY_ENGINE)), _table(data["by_options"], ["model", "options"])


def _table(rows: list[dict[str, Any]], by: list[str]) -> pd.DataFrame:
    return pd.DataFrame(table_cells(rows, by), columns=[*by, *COLUMNS])
