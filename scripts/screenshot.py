"""Retake docs/screenshot.png: the real app with the embedded default model, after a generation and a 👍.

python scripts/screenshot.py [OUT.png]      (needs Debian's chromium and playwright, as the tests do)
"""

from __future__ import annotations

import re
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def main() -> None:
    from PIL import Image
    from playwright.sync_api import expect, sync_playwright

    from fomm_core.ratings.store import RatingsStore
    from space.layout import build_demo, launch
    from space.settings import EXAMPLES

    out = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "docs" / "screenshot.png"
    with tempfile.TemporaryDirectory() as tmp:
        demo = build_demo(store=RatingsStore(Path(tmp) / "ratings.db"), examples=False)
        launch(demo, prevent_thread_lock=True)
        try:
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
                page = browser.new_page(viewport={"width": 1100, "height": 900})
                page.goto(demo.local_url)
                page.locator("#photo input[type=file]").set_input_files(str(EXAMPLES[0][0]))
                page.locator("#clip input[type=file]").set_input_files(str(EXAMPLES[0][1]))
                expect(page.locator("#clip video")).to_have_count(1, timeout=30_000)
                page.locator("#generate").click()
                video = page.locator("#result video")
                expect(video).to_have_attribute("src", re.compile(r".+\.mp4"), timeout=180_000)
                page.wait_for_function("() => document.querySelector('#result video').duration > 0")
                page.evaluate(
                    "() => { for (const v of document.querySelectorAll('video')) v.currentTime = 2.2; }"
                )
                page.locator("#comment textarea").fill("Great moves!")
                page.locator("#rate-up").click()
                expect(page.locator("#thanks")).to_contain_text("Thank you", timeout=30_000)
                page.wait_for_timeout(500)
                page.screenshot(path=str(out), full_page=True)
                browser.close()
        finally:
            demo.close()
    Image.open(out).convert("RGB").quantize(128).save(out, optimize=True)
    print(f"{out}: {out.stat().st_size // 1024} KB")


if __name__ == "__main__":
    main()
