"""The Space in a real browser: Playwright driving Debian's Chromium through upload, generate, 👍 and Peer review."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from app_fixtures import EXAMPLE_CLIP, EXAMPLE_PHOTO, launched_app
from conftest import TINY_FOMM
from people_fixtures import real  # noqa: F401 - fixture
from PIL import Image
from playwright.sync_api import Browser, Page, expect, sync_playwright

from fomm_core.options import OPTIONS
from fomm_core.people.preview import CHOSEN, OTHER
from space import texts, widgets

pytestmark = pytest.mark.browser

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
DANCER_LABEL = next(o.label[0] for o in OPTIONS if o.name == "dancer")
STAGE_LABEL = next(o.choice_labels["stage"][0] for o in OPTIONS if o.name == "scene")
GENERATE_TIMEOUT_MS = 360_000  # a wait limit, not a speed test: the shared CPU can be 5x slower under load


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


def upload(page: Page) -> None:
    """Put the example files in the inputs."""
    page.locator("#photo input[type=file]").set_input_files(str(EXAMPLE_PHOTO))
    page.locator("#clip input[type=file]").set_input_files(str(EXAMPLE_CLIP))
    expect(page.locator("#clip video")).to_have_count(1, timeout=30_000)


def upload_and_generate(page: Page) -> None:
    """Put the example files in the inputs and press Generate."""
    upload(page)
    page.locator("#generate").click()


# Draws two characters in an element's font on a canvas: a missing glyph is the same empty box for both.
GLYPHS_DIFFER_JS = """([selector, a, b]) => {
    const canvas = document.createElement('canvas');
    canvas.width = canvas.height = 64;
    const ctx = canvas.getContext('2d');
    const draw = (text) => {
        ctx.clearRect(0, 0, 64, 64);
        ctx.font = getComputedStyle(document.querySelector(selector)).font;
        ctx.fillStyle = '#000';
        ctx.textBaseline = 'top';
        ctx.fillText(text, 4, 4);
        return ctx.getImageData(0, 0, 64, 64).data;
    };
    const [pa, pb] = [draw(a), draw(b)];
    return pa.filter((value, i) => i % 4 === 3 && value !== pb[i]).length;
}"""


def yellow_pixels(png: Path) -> int:
    """Pixels of the thumbs' yellow: an emoji font draws 👍 in colour, a missing glyph is a grey box."""
    rgb = np.asarray(Image.open(png).convert("RGB")).astype(int)
    r, g, b = rgb[..., 0], rgb[..., 1], rgb[..., 2]
    return int(((r > 200) & (g > 150) & (b < 110)).sum())


def test_upload_generate_rate_and_see_it_in_peer_review(browser: Browser, tmp_path: Path) -> None:
    with launched_app(tmp_path, TINY_FOMM) as space:
        page = browser.new_page(viewport={"width": 1280, "height": 1000})
        page.goto(space.url)
        up = page.locator("#rate-up")
        expect(up).to_be_disabled(timeout=30_000)
        upload_and_generate(page)
        expect(page.locator("#result")).to_contain_text(
            re.compile(r"\d+/200 frames"), timeout=GENERATE_TIMEOUT_MS
        )

        video = page.locator("#result video")
        expect(video).to_have_attribute("src", re.compile(r".+\.mp4"), timeout=GENERATE_TIMEOUT_MS)
        duration = page.wait_for_function(
            "() => { const v = document.querySelector('#result video'); return v && v.duration > 0 && v.duration }",
            timeout=30_000,
        ).json_value()
        assert duration == pytest.approx(8.0, abs=0.2)

        expect(up).to_be_enabled()
        thumbs = tmp_path / "thumbs.png"
        up.screenshot(path=str(thumbs))
        assert yellow_pixels(thumbs) > 20
        assert page.evaluate(GLYPHS_DIFFER_JS, ["h1", "🎤", "👍"]) > 20
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


def test_usable_at_phone_width_and_example_is_cached_and_rateable(browser: Browser, tmp_path: Path) -> None:
    with launched_app(tmp_path, TINY_FOMM) as space:
        page = browser.new_page(viewport={"width": 390, "height": 844}, device_scale_factor=2, is_mobile=True)
        page.goto(space.url)
        expect(page.locator("#generate")).to_be_visible(timeout=30_000)
        overflow = page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0
        photo, result = page.locator("#photo").bounding_box(), page.locator("#result").bounding_box()
        assert photo is not None and result is not None
        assert photo["width"] <= 390 and result["y"] > photo["y"] + photo["height"]  # columns stack
        page.get_by_text(widgets.example_label(0)).click()
        expect(page.locator("#result video")).to_have_attribute(
            "src", re.compile(r".+\.mp4"), timeout=GENERATE_TIMEOUT_MS
        )
        assert any((tmp_path / "examples-cache").rglob("*.mp4"))  # cached lazily, on first use
        expect(page.locator("#rate-up")).to_be_enabled(timeout=30_000)  # an example's video can be rated
        expect(page.locator("#comment textarea")).to_be_enabled()
        page.locator("#rate-down").click()
        expect(page.locator("#thanks")).to_contain_text("Thank you", timeout=30_000)
        assert [r.rating for r in space.store.ratings()] == [-1]
        shot = tmp_path / "phone.png"
        page.screenshot(path=str(shot), full_page=True)
        print(f"screenshot: {shot}")
        page.close()


def test_generate_on_a_phone_brings_the_progress_into_view(browser: Browser, tmp_path: Path) -> None:
    with launched_app(tmp_path, TINY_FOMM, examples=False) as space:
        page = browser.new_page(viewport={"width": 390, "height": 844}, device_scale_factor=2, is_mobile=True)
        page.goto(space.url)
        upload(page)
        page.evaluate(
            "() => document.getElementById('generate').scrollIntoView({block: 'end'})"
        )  # at the fold
        expect(page.locator("#generate")).to_be_in_viewport()
        expect(page.locator("#result")).not_to_be_in_viewport()
        page.locator("#generate").click()
        expect(page.locator("#result")).to_be_in_viewport(ratio=0.5, timeout=10_000)
        expect(page.locator("#result video")).to_have_attribute(
            "src", re.compile(r".+\.mp4"), timeout=GENERATE_TIMEOUT_MS
        )
        page.close()


def test_korean_page_for_a_korean_browser(browser: Browser, tmp_path: Path) -> None:
    with launched_app(tmp_path, TINY_FOMM, examples=False, max_duration=15) as space:
        page = browser.new_page(viewport={"width": 1280, "height": 1000}, locale="ko-KR")
        page.goto(space.url)
        expect(page.locator("#generate")).to_have_text(texts.KO["generate"], timeout=30_000)
        expect(page.locator("#clip")).to_contain_text("댄스 영상 (최대 15초)")
        expect(page.locator("#rate-up")).to_have_text(texts.KO["rate_up"])
        expect(page.get_by_role("tab", name=texts.KO["tab_review"])).to_be_visible()
        assert (
            page.evaluate(GLYPHS_DIFFER_JS, ["#generate", "생", "성"]) > 20
        )  # a Korean font, not empty boxes
        page.locator("button.label-wrap").first.click()  # Options
        expect(page.locator("#models-missing")).to_contain_text("Hugging Face Hub에 연결할 수 없어")
        expect(page.locator("#output-size input")).to_have_value("모델 기본 크기 (128px)")
        overflowing = page.evaluate(
            "() => [...document.querySelectorAll('#model input, #output-size input')]"
            ".filter(e => e.scrollWidth > e.clientWidth).length"
        )
        assert overflowing == 0  # the chosen model and size are shown whole, not cut off
        page.screenshot(path=str(tmp_path / "korean.png"), full_page=True)
        page.close()


@pytest.mark.slow
def test_a_photo_upload_shows_its_people_numbered_and_the_picker_lists_them(
    browser: Browser,
    tmp_path: Path,
    real: dict[str, Path],  # noqa: F811
) -> None:
    with launched_app(tmp_path, TINY_FOMM, examples=False) as space:
        page = browser.new_page(viewport={"width": 1280, "height": 1000})
        page.goto(space.url)
        expect(page.locator("#generate")).to_be_visible(timeout=30_000)
        expect(page.locator("#person-preview")).not_to_be_visible()
        page.locator("#photo input[type=file]").set_input_files(str(real["bus"]))
        preview = page.locator("#person-preview img")
        expect(preview).to_be_visible(timeout=60_000)
        expect(page.locator("#person-notes")).to_contain_text("People found in the photo: 3")
        shot = tmp_path / "people.png"  # bus.jpg is AGPL: the screenshot stays in the test's folder
        preview.screenshot(path=str(shot))
        rgb = np.asarray(Image.open(shot).convert("RGB")).astype(int)
        assert (np.abs(rgb - CHOSEN).sum(axis=2) < 60).sum() > 50  # the default person's box is drawn
        assert (np.abs(rgb - OTHER).sum(axis=2) < 60).sum() > 100  # and the others'
        page.locator("#person input").click()
        options = page.get_by_role("option")
        expect(options).to_have_count(4)
        expect(options.first).to_have_text(re.compile(r"Automatic \(person \d\)"))
        expect(page.get_by_role("option", name="2 · missing right side")).to_be_visible()
        page.get_by_role("option", name="0 · full body").click()
        expect(page.locator("#person input")).to_have_value("0 · full body")
        page.close()


def test_add_a_friend_shows_their_photo_with_its_own_pickers(browser: Browser, tmp_path: Path) -> None:
    with launched_app(tmp_path, TINY_FOMM, examples=False) as space:
        page = browser.new_page(viewport={"width": 1280, "height": 1400})
        page.goto(space.url)
        add = page.locator("#add-friend")
        expect(add).to_be_visible(timeout=30_000)
        expect(page.locator("#friend-1")).not_to_be_visible()
        page.locator("#clip input[type=file]").set_input_files(str(EXAMPLE_CLIP))
        expect(page.locator("#dancer")).to_contain_text(DANCER_LABEL, timeout=60_000)
        add.click()
        friend = page.locator("#friend-1")
        expect(friend).to_be_visible()
        expect(page.locator("#friend-2")).not_to_be_visible()  # one friend at a time
        expect(page.locator("#dancer")).to_contain_text(texts.EN["dancer_replace"])  # the main photo's dancer
        expect(page.locator("#friend-1-dancer")).to_contain_text(texts.EN["friend_dancer"])
        page.locator(
            "button.label-wrap"
        ).first.click()  # Options: a group dances on the stage, drawn by the pose engine
        expect(page.locator("#scene").get_by_label(STAGE_LABEL)).to_be_checked()
        expect(page.locator("#model input")).to_have_value("pose")
        page.locator("#friend-1-dancer input").click()
        expect(page.get_by_role("option")).to_have_count(2)  # Automatic, and the clip's one dancer
        seen = re.compile(r"^0 · seen 0\.0–\d\.\d s$")  # the choices the main dancer picker has
        expect(page.get_by_role("option", name=seen)).to_be_visible()
        page.get_by_role("option", name=seen).click()
        expect(page.locator("#friend-1-dancer input")).to_have_value(seen)
        expect(page.locator("#friend-1-person-preview")).not_to_be_visible()  # until their photo is in
        friend.locator("input[type=file]").set_input_files(str(EXAMPLE_PHOTO))
        expect(page.locator("#friend-1-person-preview img")).to_be_visible(timeout=60_000)
        expect(page.locator("#friend-1-person-notes")).to_contain_text("People found in the photo: 1")
        page.locator("#friend-1-person input").click()
        expect(page.get_by_role("option")).to_have_count(2)  # Automatic, and the photo's one person
        expect(page.get_by_role("option", name="0 · full body")).to_be_visible()
        page.keyboard.press("Escape")
        for shown in range(2, 5):
            add.click()
            expect(page.locator(f"#friend-{shown}")).to_be_visible()
        expect(add).not_to_be_visible()  # four friends: no room for more
        page.close()


def test_a_friend_on_the_dancer_already_taken_is_told_at_their_picker(
    browser: Browser, tmp_path: Path
) -> None:
    with launched_app(tmp_path, TINY_FOMM, examples=False) as space:
        page = browser.new_page(viewport={"width": 1280, "height": 1400})
        page.goto(space.url)
        upload(page)
        expect(page.locator("#dancer")).to_be_visible(timeout=60_000)
        page.locator("#dancer input").click()
        page.get_by_role("option", name=re.compile(r"^0 · seen")).click()
        page.locator("#add-friend").click()
        page.locator("#friend-1 input[type=file]").set_input_files(str(EXAMPLE_PHOTO))
        expect(page.locator("#friend-1-person-preview img")).to_be_visible(timeout=60_000)
        page.locator("#friend-1-dancer input").click()
        page.get_by_role("option", name=re.compile(r"^0 · seen")).click()
        page.locator("#generate").click()
        expect(page.locator("#friend-1-dancer")).to_contain_text(texts.EN["v_same_dancer"], timeout=30_000)
        expect(page.locator("#result video")).to_have_count(0)  # refused before the queue: nothing rendered
        page.close()


@pytest.mark.slow
def test_generate_with_a_friend_puts_both_photos_in_the_dancers_places(
    browser: Browser,
    tmp_path: Path,
    real: dict[str, Path],  # noqa: F811
) -> None:
    with launched_app(tmp_path, TINY_FOMM, examples=False, max_duration=10) as space:
        page = browser.new_page(viewport={"width": 1280, "height": 1400})
        page.goto(space.url)
        page.locator("#photo input[type=file]").set_input_files(str(real["bus"]))
        page.locator("#clip input[type=file]").set_input_files(str(real["multi_person"]))
        expect(page.locator("#dancer")).to_be_visible(timeout=60_000)
        page.locator("#add-friend").click()
        page.locator("#friend-1 input[type=file]").set_input_files(str(real["bus"]))
        expect(page.locator("#friend-1-person-preview img")).to_be_visible(timeout=60_000)
        page.locator("#friend-1-person input").click()
        page.get_by_role("option", name="0 · full body").click()
        page.locator("#friend-1-dancer input").click()
        page.get_by_role("option", name=re.compile(r"^0 · seen")).click()
        page.locator("button.label-wrap").first.click()  # Options
        page.locator("#trim-end input").fill("0.5")
        page.locator("#generate").click()
        expect(page.locator("#result video")).to_have_attribute(
            "src", re.compile(r".+\.mp4"), timeout=GENERATE_TIMEOUT_MS
        )
        expect(page.locator("#notice")).to_contain_text("Photo 2's person takes the place of dancer 0.")
        page.locator("#rate-up").click()
        expect(page.locator("#thanks")).to_contain_text("Thank you", timeout=30_000)
        (rating,) = space.store.ratings()
        assert rating.options["people"] == 2 and rating.options["scene"] == "stage"
        assert rating.options["dancer"] == [None, 0] and rating.options["person"] == [None, 0]
        page.screenshot(path=str(tmp_path / "friends.png"), full_page=True)  # bus.jpg is AGPL: kept here
        page.close()
