"""The Space in a real browser: Playwright driving Debian's Chromium through upload, generate, 👍 and Peer review."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from app_fixtures import EXAMPLE_CLIP, EXAMPLE_PHOTO, launched_app
from conftest import TINY_FOMM
from playwright.sync_api import Browser, Page, expect, sync_playwright

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]
GENERATE_TIMEOUT_MS = 180_000


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


def upload_and_generate(page: Page) -> None:
    """Put the example files in the inputs and press Generate."""
    page.locator("#photo input[type=file]").set_input_files(str(EXAMPLE_PHOTO))
    page.locator("#clip input[type=file]").set_input_files(str(EXAMPLE_CLIP))
    expect(page.locator("#clip video")).to_have_count(1, timeout=30_000)
    page.locator("#generate").click()


def test_upload_generate_rate_and_see_it_in_peer_review(browser: Browser, tmp_path: Path) -> None:
    with launched_app(tmp_path, TINY_FOMM) as space:
        page = browser.new_page(viewport={"width": 1280, "height": 1000})
        page.goto(space.url)
        up = page.locator("#rate-up")
        expect(up).to_be_disabled(timeout=30_000)
        upload_and_generate(page)
        expect(page.locator("#result")).to_contain_text(re.compile(r"\d+/200 frames"), timeout=GENERATE_TIMEOUT_MS)

        video = page.locator("#result video")
        expect(video).to_have_attribute("src", re.compile(r".+\.mp4"), timeout=GENERATE_TIMEOUT_MS)
        duration = page.wait_for_function(
            "() => { const v = document.querySelector('#result video'); return v && v.duration > 0 && v.duration }",
            timeout=30_000).json_value()
        assert duration == pytest.approx(8.0, abs=0.2)

        expect(up).to_be_enabled()
        page.locator("#comment textarea").fill("browser test")
        up.click()
        expect(page.locator("#thanks")).to_contain_text("Thank you", timeout=30_000)
        expect(up).to_be_disabled()
        expect(page.locator("#rate-down")).to_be_disabled()
        assert [r.comment for r in space.store.ratings()] == ["browser test"]

        page.get_by_role("tab", name="Peer review").click()
        expect(page.locator("#review-summary")).to_contain_text("1 rating", timeout=30_000)
        expect(page.locator("#by-model")).to_contain_text("random-fomm-0")
        expect(page.locator("#by-model")).to_contain_text("100%")
        shot = tmp_path / "peer-review.png"
        page.screenshot(path=str(shot), full_page=True)
        page.get_by_role("tab", name="Make a video").click()
        shot = tmp_path / "app.png"
        page.screenshot(path=str(shot), full_page=True)
        print(f"screenshot: {shot}")
        assert shot.stat().st_size > 10_000
        page.close()


def test_usable_at_phone_width_and_example_is_cached(browser: Browser, tmp_path: Path) -> None:
    with launched_app(tmp_path, TINY_FOMM) as space:
        page = browser.new_page(viewport={"width": 390, "height": 844}, device_scale_factor=2, is_mobile=True)
        page.goto(space.url)
        expect(page.locator("#generate")).to_be_visible(timeout=30_000)
        overflow = page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0
        photo, result = page.locator("#photo").bounding_box(), page.locator("#result").bounding_box()
        assert photo is not None and result is not None
        assert photo["width"] <= 390 and result["y"] > photo["y"] + photo["height"]  # columns stack
        page.locator("[data-testid='dataset-cell-0-0']").click()
        expect(page.locator("#result video")).to_have_attribute("src", re.compile(r".+\.mp4"),
                                                                timeout=GENERATE_TIMEOUT_MS)
        assert any((tmp_path / "examples-cache").rglob("*.mp4"))  # cached lazily, on first use
        shot = tmp_path / "phone.png"
        page.screenshot(path=str(shot), full_page=True)
        print(f"screenshot: {shot}")
        page.close()
