"""Make docs/screenshots/change-page.png: the site's page of an edited article.

    .venv/bin/python docs/screenshots/make_change_page.py

Builds the browser test's archive (tests/changes_archive.py: the seed edited
in a few characters, a new and a gone article) in a temp folder, publishes
it, and has Debian's headless chromium (`make browser`) take a full-page
screenshot of the edited article's page, JavaScript off.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from newsspider.publish.site import page_path, publish  # noqa: E402
from tests.changes_archive import SEED, build_changes_archive  # noqa: E402

OUTPUT = Path(__file__).with_name("change-page.png")


def main() -> None:
    from playwright.sync_api import sync_playwright

    chromium = shutil.which("chromium")
    if chromium is None:
        sys.exit("chromium is not installed: run `make browser` (as root)")
    with tempfile.TemporaryDirectory() as folder:
        archive = build_changes_archive(Path(folder) / "archive")
        publish(str(archive), entries=50)
        page = archive / page_path(SEED)
        with sync_playwright() as driver:
            browser = driver.chromium.launch(
                executable_path=chromium, args=["--no-sandbox", "--disable-gpu"]
            )
            context = browser.new_context(
                java_script_enabled=False, viewport={"width": 900, "height": 900}
            )
            tab = context.new_page()
            tab.goto(page.as_uri())
            tab.screenshot(path=str(OUTPUT), full_page=True)
            browser.close()
    print(f"wrote {OUTPUT.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
