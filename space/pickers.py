"""A numbered preview of a file's people or dancers with its picker: the main photo's and clip's, and each
friend's photo's."""

from __future__ import annotations

from dataclasses import dataclass

import gradio as gr

from fomm_core.option_values import AUTO

#: The pick options' previews: the text key of the preview's label and the file input it numbers.
PICKERS = {"person": ("people_preview", "photo"), "dancer": ("dancers_preview", "clip")}


@dataclass
class Picker:
    """A numbered preview, its picker, its notes and (hidden, for the API) what was found, in a column shown
    once a file is in."""

    box: gr.Column
    image: gr.Image
    dropdown: gr.Dropdown
    notes: gr.Markdown
    found: gr.JSON

    def outputs(self) -> list[gr.components.Component]:
        """The preview handler's outputs."""
        return [self.image, self.dropdown, self.notes, self.found]


def picker(i18n: gr.I18n, preview: str, pick: str, elem_id: str, height: int = 320) -> Picker:
    """A numbered preview (label key `preview`) and the picker of the option `pick`, hidden until a file is in;
    their elements' ids start with `elem_id`."""
    with gr.Column(min_width=140, visible=False) as box:
        image = gr.Image(
            label=i18n(preview),
            interactive=False,
            height=height,
            format="png",
            elem_id=f"{elem_id}-preview",
            buttons=["fullscreen"],  # a narrow column: download and share buttons would cover the label
        )
        dropdown = gr.Dropdown(
            [(str(i18n("pick_auto")), AUTO)], value=AUTO, label=i18n(pick), elem_id=elem_id
        )
        notes = gr.Markdown(elem_id=f"{elem_id}-notes")
        found = gr.JSON(visible=False, label=f"{elem_id}_found")
    return Picker(box, image, dropdown, notes, found)
