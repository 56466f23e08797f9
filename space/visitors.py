"""What a request tells about its visitor: the language to answer in, and who is rating."""

from __future__ import annotations

import gradio as gr

from fomm_core.ratings.raters import anonymous_session, request_address

from . import texts


def language(request: gr.Request | None) -> str:
    """ "ko" when the visitor's browser prefers Korean, else "en"."""
    return texts.language(request.headers.get("accept-language") if request is not None else None)


def rater(request: gr.Request | None) -> tuple[str, str]:
    """The visitor's anonymous browser session and network address ('' when unknown), as the ratings count them."""
    return anonymous_session(getattr(request, "session_hash", None)), request_address(request)
