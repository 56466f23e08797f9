"""Text that carries what users wrote (file names, comments) shown where Markdown or HTML is rendered: escaped so it
reads literally, with no emphasis, link, image, code or tag made from it."""

from __future__ import annotations

import re

# the characters that start Markdown emphasis, code, links and images, tables, strike-through, maths, tags and entities
_FORMATTING = re.compile(r"([\\`*_\[\]<>|~$&])")


def as_markdown(text: str) -> str:
    """`text` as Markdown that renders exactly as the text."""
    return _FORMATTING.sub(r"\\\1", text)
