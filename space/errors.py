"""How failures reach a visitor: their own mistakes by name, ours as one generic line (and a log entry)."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager

import gradio as gr

from fomm_core.errors import UserError
from fomm_core.ratings.store import AlreadyRated, RateLimited, RatingsError

log = logging.getLogger(__name__)

GENERIC_ERROR = (
    "Something went wrong on our side while making the video. Please try again, or try another clip."
)
RATING_ERROR = "Something went wrong on our side with the ratings. Please try again later."


@contextmanager
def user_errors(generic: str = GENERIC_ERROR) -> Iterator[None]:
    """Turn UserError into gr.Error with its message, and anything unexpected into a logged, generic gr.Error.

    A failing ratings database (damaged, read-only, full) and a refused rating (already rated, rate limit) are
    expected: one log line, no traceback.
    """
    try:
        yield
    except gr.Error:
        raise
    except (AlreadyRated, RateLimited) as exc:
        log.info("rating refused: %s", exc)
        raise gr.Error(str(exc), print_exception=False) from None
    except RatingsError as exc:
        log.warning("ratings store: %s", exc.detail)
        raise gr.Error(str(exc), print_exception=False) from None
    except UserError as exc:
        raise gr.Error(str(exc), print_exception=False) from None
    except Exception:
        log.exception("request failed")
        raise gr.Error(generic, print_exception=False) from None
