"""Peer-review ratings: print approval rates per model and option set with Wilson 95% intervals."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from ..errors import UserError
from ..ratings.aggregate import GROUP_FIELDS, aggregate, format_table, report
from ..ratings.record import Rating
from ..ratings.store import RatingsError, RatingsStore, default_db_path


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Options of `python -m fomm_core ratings report`."""
    sub = parser.add_subparsers(dest="action", required=True)
    rep = sub.add_parser("report", help="approval per model and per option set")
    rep.add_argument(
        "--db",
        type=Path,
        default=None,
        help=f"ratings database (default: env FOMM_RATINGS_DB or {default_db_path()})",
    )
    rep.add_argument("--json", action="store_true", help="print JSON instead of tables")
    rep.add_argument(
        "--by",
        nargs="+",
        choices=GROUP_FIELDS,
        default=None,
        metavar="FIELD",
        help=f"group by these fields only (any of: {', '.join(GROUP_FIELDS)})",
    )


def _read(path: Path) -> tuple[RatingsStore, list[Rating]]:
    """The store, opened read-only so a file that is not a ratings database is refused and never rewritten."""
    if not path.exists():
        raise UserError(f"No ratings database at {path}; pass --db PATH or set FOMM_RATINGS_DB.")
    if path.is_file() and path.stat().st_size == 0:
        raise UserError(
            f"{path} is empty (0 bytes), not a ratings database; pass the app's ratings.db with --db."
        )
    store = RatingsStore(path, mirror=None, writable=False)
    try:
        return store, store.ratings()
    except RatingsError as exc:
        raise UserError(
            f"Cannot read the ratings database {exc.detail}. Pass the app's ratings.db with --db; "
            "this command never writes to it."
        ) from None


def run(args: argparse.Namespace) -> int:
    """Print the report."""
    store, ratings = _read(args.db if args.db is not None else default_db_path())
    if args.by:
        rows = aggregate(ratings, args.by)
        print(
            json.dumps([r.to_dict(args.by) for r in rows], indent=2)
            if args.json
            else format_table(rows, args.by)
        )
        return 0
    data = report(store)
    if args.json:
        print(json.dumps(data, indent=2))
        return 0
    print(f"{data['ratings']} ratings ({data['up']} up) from {data['raters']} raters in {data['db']}")
    print(f"Raters: {data['rater_basis']}.", end="")
    if data["ratings_counted_by_session"]:
        print(
            f" {data['ratings_counted_by_session']} older ratings (stored before raters were recorded) count by "
            "browser session.",
            end="",
        )
    print("\n")
    print("By model")
    print(format_table(aggregate(ratings, ("model",)), ("model",)))
    print("\nBy model and option set (options that differ from the defaults)")
    print(format_table(aggregate(ratings, ("model", "options")), ("model", "options")))
    return 0
