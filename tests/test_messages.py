"""Messages people read: a file name never turns into Markdown in the notes, and counts are in plain grammar."""

from __future__ import annotations

import subprocess
from pathlib import Path

import markdown_it
import pytest
from app_fixtures import EXAMPLE_CLIP, EXAMPLE_PHOTO, launched_app
from conftest import TINY_FOMM
from gradio_client import Client, handle_file

from fomm_core import RenderOptions, UserError, plan_render
from fomm_core.io.ffmpeg import ffmpeg_exe
from fomm_core.plain_text import as_markdown

HOSTILE_NAME = "**BOLD** _em_ [link](evil.html) <b>x</b> `code` ~~s~~ $x$ &amp;.mp4"


def rendered(markdown: str) -> str:
    return markdown_it.MarkdownIt("commonmark").enable("strikethrough").render(markdown)


def test_as_markdown_reads_literally() -> None:
    html = rendered(as_markdown(f"The dance clip '{HOSTILE_NAME}' is damaged"))
    for tag in ("<strong>", "<em>", "<a ", "<b>", "<code>", "<s>", "<del>"):
        assert tag not in html
    assert "**BOLD** _em_ [link](evil.html) &lt;b&gt;x&lt;/b&gt; `code` ~~s~~ $x$ &amp;amp;.mp4" in html


def cut_clip(path: Path) -> Path:
    """A 2 s faststart mp4 cut after two thirds of its bytes: it opens, and reads as damaged."""
    whole = path.with_name("whole.mp4")
    subprocess.run(
        [ffmpeg_exe(), "-loglevel", "error", "-i", str(EXAMPLE_CLIP), "-t", "2", "-movflags", "+faststart"]
        + ["-c:v", "libx264", "-an", str(whole)],
        check=True,
    )
    path.write_bytes(whole.read_bytes()[: whole.stat().st_size * 2 // 3])
    return path


@pytest.mark.slow
def test_a_damaged_clips_name_is_shown_literally_in_the_notes(tmp_path: Path) -> None:
    clip = cut_clip(tmp_path / "**BOLD** _em_ [link](evil.html).mp4")
    with launched_app(tmp_path, TINY_FOMM, max_duration=10, examples=False) as space:
        client = Client(space.url, verbose=False)
        _, notice = client.predict(
            handle_file(str(EXAMPLE_PHOTO)), handle_file(str(clip)), api_name="/generate"
        )
    html = rendered(notice)
    assert "is damaged or incomplete" in html
    assert "<strong>" not in html and "<em>" not in html and "<a " not in html, html
    assert "BOLD _em_ [link](evil.html).mp4" in html  # Gradio drops the * from uploaded file names


def test_one_person_found_is_said_in_the_singular() -> None:
    with pytest.raises(UserError) as info:
        plan_render(str(EXAMPLE_PHOTO), str(EXAMPLE_CLIP), RenderOptions(person=3))
    assert "There is no person 3 in the photo: 1 was found, person 0." in str(info.value)
