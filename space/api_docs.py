"""The README's table of /generate's inputs, made from the option table: `python -m space.api_docs` rewrites it."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from fomm_core.options import RenderOptions

from .inputs import API_AFTER, page_options
from .settings import MAX_FRIENDS

README = Path(__file__).resolve().parents[1] / "README.md"
BEGIN = (
    "<!-- generate-inputs: made by `python -m space.api_docs` from fomm_core/options.py; a test checks it -->"
)
END = "<!-- end of generate-inputs -->"


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def inputs_table(options_class: type = RenderOptions) -> str:
    """/generate's inputs in order, as a Markdown table: name, JSON type, default, values accepted, meaning."""
    lines = [
        "| # | input | type | default | accepted | what it sets |",
        "|---|---|---|---|---|---|",
        "| 1 | `photo` | file | | an upload (`handle_file`) | the full-body photo |",
        "| 2 | `clip` | file | | an upload (`handle_file`) | the dance clip |",
    ]
    for number, option in enumerate(page_options(options_class), start=3):
        default = f"`{json.dumps(option.default)}`" if option.default is not None else option.kind.unset
        if "(default:" in option.help:
            default = "see →"
        lines.append(
            f"| {number} | `{option.name}` | {_cell(option.kind.json_type)} | {default} | "
            f"{_cell(option.kind.accepted())} | {_cell(option.help)} |"
        )
    lines.append(
        f"| {len(lines) - 1} | `{API_AFTER}` | list of files | `[]` | up to {MAX_FRIENDS} uploads "
        "(`handle_file`) | friends' full-body photos, each taking one dancer's place; their people and dancers "
        "follow the photo's in `person` and `dancer` |"
    )
    return "\n".join(lines)


def readme_with_table(readme: str, options_class: type = RenderOptions) -> str:
    """`readme` with the text between BEGIN and END replaced by the current table."""
    head, rest = readme.split(BEGIN, 1)
    _, tail = rest.split(END, 1)
    return f"{head}{BEGIN}\n{inputs_table(options_class)}\n{END}{tail}"


def main() -> int:
    """Rewrite the README's table; exit 1 when it had to change (so CI can ask for the commit)."""
    readme = README.read_text(encoding="utf-8")
    updated = readme_with_table(readme)
    README.write_text(updated, encoding="utf-8")
    return int(updated != readme)


if __name__ == "__main__":
    sys.exit(main())
