"""The optional Hub mirror of the ratings: each rating appended as a JSON line to a dataset repo."""

from __future__ import annotations

import json
import logging
import os
import uuid
from pathlib import Path
from typing import Any

from .record import Rating

log = logging.getLogger(__name__)


class HubMirror:
    """Appends each rating as a JSON line to this process's UUID-named file, pushed by a CommitScheduler."""

    def __init__(
        self,
        repo_id: str,
        folder: str | os.PathLike[str],
        token: str | None = None,
        every: float = 5,
        hf_api: Any = None,
    ):
        from huggingface_hub import CommitScheduler

        self.scheduler = CommitScheduler(
            repo_id=repo_id,
            repo_type="dataset",
            folder_path=folder,
            path_in_repo="data",
            every=every,
            token=token,
            hf_api=hf_api,
        )
        self.path = Path(self.scheduler.folder_path) / f"ratings-{uuid.uuid4()}.jsonl"

    def append(self, rating: Rating) -> None:
        """Add one line; the scheduler lists and uploads files under the same lock."""
        line = json.dumps(rating.to_dict(), sort_keys=True, ensure_ascii=False) + "\n"
        with self.scheduler.lock, self.path.open("a", encoding="utf-8") as f:
            f.write(line)

    def stop(self) -> None:
        """Push what is pending, then stop the background thread."""
        self.scheduler.trigger().result()
        self.scheduler.stop()


def mirror_from_env(folder: str | os.PathLike[str]) -> HubMirror | None:
    """A HubMirror when FOMM_RATINGS_REPO and HF_TOKEN are set and the Hub answers, else None."""
    repo_id, token = os.environ.get("FOMM_RATINGS_REPO"), os.environ.get("HF_TOKEN")
    if not (repo_id and token):
        return None
    try:
        return HubMirror(repo_id, folder, token=token)
    except Exception as exc:
        log.warning("ratings will not be pushed to the Hub dataset %s: %s", repo_id, exc)
        return None
