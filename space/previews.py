"""The numbered previews of the photo's people and the clip's dancers, with their pickers' choices."""

from __future__ import annotations

from typing import Any

import gradio as gr
import numpy as np
from PIL import Image

from fomm_core.option_values import AUTO
from fomm_core.people.inspect import Inspection
from fomm_core.people.person import Person
from fomm_core.plain_text import as_markdown

from . import texts

PREVIEW_SIDE = 640  # previews are sent at most this size: the numbers stay readable


def _small(image: np.ndarray) -> Image.Image:
    """A preview picture at most PREVIEW_SIDE pixels on its long side."""
    picture = Image.fromarray(image)
    picture.thumbnail((PREVIEW_SIDE, PREVIEW_SIDE), Image.Resampling.LANCZOS)
    return picture


def _body(person: Person, lang: str) -> str:
    """A person's short label: full body, or which parts the photo lacks."""
    if person.full_body:
        return texts.text("full_body", lang)
    parts = ", ".join(texts.text(f"part_{part}", lang) for part in person.missing)
    return texts.text("missing", lang, parts=parts)


def no_preview(lang: str) -> tuple[None, Any, str, None]:
    """Preview outputs when there is no file: no picture, the picker back on automatic."""
    return None, gr.update(choices=[(texts.text("pick_auto", lang), AUTO)], value=AUTO), "", None


def _preview(
    image: np.ndarray, choices: list[tuple[str, str]], notes: list[str], found: dict[str, Any]
) -> tuple[Image.Image, Any, str, dict[str, Any]]:
    """Preview outputs: the numbered picture, the picker (its choices) on automatic, the notes, what was found."""
    return _small(image), gr.update(choices=choices, value=AUTO), "\n\n".join(notes), found


def people_preview(found: Inspection, image: np.ndarray, lang: str) -> tuple[Any, Any, Any, Any]:
    """The photo's preview outputs: its people numbered, one choice per person, notes, the people found."""
    chosen, count = found.person, len(found.people)
    auto = texts.text("pick_auto", lang)
    counted = []
    if chosen is not None:
        auto = texts.text("pick_auto_person", lang, n=chosen)
        counted = [texts.text("people_found", lang, n=count, chosen=chosen)]
    elif found.people:  # nobody seen head to feet: Generate asks for a pick
        auto = texts.text("pick_auto_nobody", lang)
        counted = [texts.text("people_found_none_whole", lang, n=count)]
    choices = [(auto, AUTO), *((f"{i} · {_body(p, lang)}", str(i)) for i, p in enumerate(found.people))]
    return _preview(image, choices, [*counted, *map(as_markdown, found.notes)], found.to_dict()["photo"])


def dancer_choices(dancers: list[dict[str, Any]], fps: float, lang: str, auto: str) -> list[tuple[str, str]]:
    """A dancer picker's choices: `auto` first, then one per dancer ({"id", "first", "last"}) with when they
    are seen."""
    choices = [(auto, AUTO)]
    for d in dancers:
        seen = texts.text("dancer_seen", lang, start=f"{d['first'] / fps:.1f}", end=f"{d['last'] / fps:.1f}")
        choices.append((f"{d['id']} · {seen}", str(d["id"])))
    return choices


def dancers_preview(found: Inspection, image: np.ndarray, lang: str) -> tuple[Any, Any, Any, Any]:
    """The clip's preview outputs: its dancers numbered, one choice per dancer with when they are seen, notes,
    and for API callers each dancer's first and last frame rather than every box."""
    chosen, tracks = found.dancer, found.clip.tracks
    auto = texts.text("pick_auto", lang)
    if chosen is not None:
        auto = texts.text("pick_auto_dancer", lang, n=chosen)
    dancers = [{"id": k.id, "first": min(k.boxes), "last": max(k.boxes)} for k in tracks]
    counted = [texts.text("dancers_found", lang, n=len(tracks), chosen=chosen)] if tracks else []
    return _preview(
        image,
        dancer_choices(dancers, found.fps, lang, auto),
        [*counted, *map(as_markdown, found.notes)],
        {**found.to_dict()["clip"], "dancers": dancers},
    )


def friend_dancers(found: dict[str, Any] | None, lang: str) -> Any:
    """A friend's dancer picker for the clip's preview `found` (its JSON): every dancer, on automatic."""
    auto = texts.text("pick_auto", lang)
    choices = dancer_choices(found["dancers"], found["fps"], lang, auto) if found else [(auto, AUTO)]
    return gr.update(choices=choices, value=AUTO)
