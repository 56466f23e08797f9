"""What one peer-review rating holds: the vote, the comment, and how the rated video was made."""

from __future__ import annotations

import os
import time
import uuid
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field, fields
from typing import Any

from ..errors import UserError
from ..hashing import file_sha256

MAX_COMMENT = 1000


@dataclass(frozen=True)
class Rating:
    """One 👍/👎 on one generated video, with everything needed to say how that video was made."""

    generation_id: str
    model: str
    checkpoint_sha256: str | None
    options: dict[str, Any]
    photo_sha256: str
    clip_sha256: str
    rating: int
    comment: str = ""
    session: str = ""
    rater: str = ""
    timestamp: float = field(default_factory=time.time)
    id: str = field(default_factory=lambda: uuid.uuid4().hex)

    def __post_init__(self) -> None:
        if self.rating not in (1, -1):
            raise ValueError(f"rating must be +1 or -1, got {self.rating!r}")
        if len(self.comment) > MAX_COMMENT:
            raise UserError(
                f"The comment is {len(self.comment)} characters long; please keep it under {MAX_COMMENT}."
            )

    def to_dict(self) -> dict[str, Any]:
        """Plain-JSON form (the Hub JSONL line)."""
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Rating:
        """Inverse of to_dict, ignoring unknown keys."""
        names = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in names})

    @classmethod
    def of_generation(
        cls, generation: dict[str, Any], vote: int, comment: str, session: str, rater: str
    ) -> Rating:
        """A rating of the video described by `generation_record`."""
        return cls(
            generation_id=generation["generation_id"],
            model=generation["model"],
            checkpoint_sha256=generation["checkpoint_sha256"],
            options=generation["options"],
            photo_sha256=generation["photo_sha256"],
            clip_sha256=generation["clip_sha256"],
            rating=vote,
            comment=comment.strip(),
            session=session,
            rater=rater,
        )


def generation_record(
    generation_id: str,
    model: str,
    checkpoint_sha256: str | None,
    options: dict[str, Any],
    photo: str | os.PathLike[str] | Sequence[str | os.PathLike[str]],
    clip: str | os.PathLike[str],
    notice: str = "",
) -> dict[str, Any]:
    """What a later rating of a generated video records (the app keeps it in the page's state until rated).

    `photo` may be the photos of a group (the user's first): the record keeps the user's photo's hash, and with
    the options the number of people (`people`).
    """
    photos = [photo] if isinstance(photo, (str, os.PathLike)) else list(photo)
    return {
        "generation_id": generation_id,
        "model": model,
        "checkpoint_sha256": checkpoint_sha256,
        "options": {**options, "people": len(photos)},
        "photo_sha256": file_sha256(photos[0]),
        "clip_sha256": file_sha256(clip),
        "notice": notice,
        "rated": False,
    }
