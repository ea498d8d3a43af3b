"""The published site and the ``--html`` diff, as a real browser renders them.

Debian's chromium, headless, driven by playwright (which uses the installed
browser and downloads none), with JavaScript off: what a reader sees without
scripts. ``make browser`` installs chromium and fonts-noto-cjk where missing.
"""

from __future__ import annotations

import base64
import shutil
from pathlib import Path
from urllib.parse import unquote, urlsplit

import lxml.html
import pytest

from newsspider.publish.site import publish
from tests.changes_archive import SEED, build_changes_archive
from tests.conftest import run_scrapy

CHROMIUM = shutil.which("chromium")
pytestmark = pytest.mark.skipif(
    CHROMIUM is None, reason="Debian's chromium is not installed (`make browser` installs it)"
)
CHANGE_PAGE = f"site/articles/{SEED.removesuffix('.txt')}.html"
INSERTED = ["九", "13日", "物资"]
DELETED = ["上个", "周五", "材料"]
DECLARED_FONTS = {"Noto Sans CJK SC", "Source Han Sans SC", "PingFang SC", "Microsoft YaHei"}
NO_COLOUR = "rgba(0, 0, 0, 0)"


@pytest.fixture(scope="module")
def pages(tmp_path_factory) -> dict[str, Path]:
    """The site of a small archive with an edit, a new and a gone article, and a diff page."""
    folder = tmp_path_factory.mktemp("browser")
    archive = build_changes_archive(folder / "archive")
    publish(str(archive), entries=50)
    diff_page = folder / "diff.html"
    done = run_scrapy("archive", "diff", str(archive / SEED), "--html", str(diff_page))
    assert done.returncode == 1, done.stderr
    found = {str(p.relative_to(archive)): p for p in sorted(archive.glob("site/**/*.html"))}
    assert CHANGE_PAGE in found and "site/index.html" in found
    return {**found, "diff.html": diff_page}


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as driver:
        chromium = driver.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield chromium
        chromium.close()


@pytest.fixture
def reader(browser):
    """A tab with JavaScript off, 900 px wide."""
    context = browser.new_context(java_script_enabled=False, viewport={"width": 900, "height": 900})
    yield context.new_page()
    context.close()


def test_no_page_has_a_script_and_every_link_inside_the_site_resolves(pages, reader):
    for name, path in pages.items():
        reader.goto(path.as_uri())
        assert reader.locator("script").count() == 0, name
        assert reader.evaluate("document.documentElement.lang") == "zh-Hans"
        hrefs = reader.eval_on_selector_all("a[href], link[href]", "els => els.map(e => e.href)")
        for href in hrefs:
            target = urlsplit(href)
            if target.scheme == "https":
                assert target.netloc == "www.rfi.fr", f"{name} links out to {href}"
                continue
            assert target.scheme == "file", f"{name}: {href}"
            linked = Path(unquote(target.path))
            assert linked.is_file(), f"{name}: broken link {href}"
            if target.fragment and linked.suffix == ".html":
                ids = lxml.html.parse(str(linked)).getroot().xpath("//@id")
                assert target.fragment in ids, f"{name}: no #{target.fragment} in {linked.name}"


@pytest.mark.parametrize("name", [CHANGE_PAGE, "diff.html"])
def test_inserted_and_deleted_characters_are_marked_and_visible(pages, reader, name, tmp_path):
    reader.goto(pages[name].as_uri())
    assert reader.locator("ins").all_inner_texts() == INSERTED
    assert reader.locator("del").all_inner_texts() == DELETED
    for mark in [*reader.locator("ins").all(), *reader.locator("del").all()]:
        assert mark.is_visible()
        style = mark.evaluate(
            "e => { const s = getComputedStyle(e);"
            " return [s.backgroundColor, s.textDecorationLine, s.color]; }"
        )
        tag = mark.evaluate("e => e.tagName")
        assert style[0] != NO_COLOUR, f"{tag} {mark.inner_text()} has no background"
        assert ("line-through" if tag == "DEL" else "underline") in style[1]
    # The screenshot shows each mark on its own background, with glyphs drawn on it.
    for mark, in_shot in (
        (reader.locator("del").first, "del"),
        (reader.locator("ins").first, "ins"),
    ):
        background = mark.evaluate("e => getComputedStyle(e).backgroundColor")
        shares = colour_shares(reader, mark.screenshot(), background)
        assert shares["background"] > 0.3, f"{in_shot}: {shares}"
        assert shares["ink"] > 0.03, f"{in_shot}: no glyphs drawn ({shares})"
    full = tmp_path / "page.png"
    reader.screenshot(path=str(full), full_page=True)
    assert full.stat().st_size > 20_000


def test_chinese_text_renders_in_a_declared_chinese_font(pages, reader):
    reader.goto(pages[CHANGE_PAGE].as_uri())
    session = reader.context.new_cdp_session(reader)
    session.send("DOM.enable")
    session.send("CSS.enable")
    root = session.send("DOM.getDocument")["root"]["nodeId"]
    used = set()
    for selector in ("h1", "del", "ins", "section p, section div.block"):
        node = session.send("DOM.querySelector", {"nodeId": root, "selector": selector})["nodeId"]
        fonts = session.send("CSS.getPlatformFontsForNode", {"nodeId": node})["fonts"]
        used |= {font["familyName"] for font in fonts}
    if not used & DECLARED_FONTS:
        pytest.skip(f"no declared Chinese font installed (used {used}); `make browser` adds one")
    assert used <= DECLARED_FONTS | {"DejaVu Sans", "Liberation Sans"}, used


def colour_shares(page, png: bytes, background: str) -> dict[str, float]:
    """Share of a screenshot's pixels in ``background`` and in dark ink, read by the browser.

    Decoded in a separate scripted blank tab (the pages under test have no script).
    """
    red, green, blue = (int(x) for x in background[background.index("(") + 1 : -1].split(",")[:3])
    scratch = page.context.browser.new_context()
    try:
        tab = scratch.new_page()
        data = "data:image/png;base64," + base64.b64encode(png).decode()
        return tab.evaluate(
            """async ([data, rgb]) => {
                const img = new Image(); img.src = data; await img.decode();
                const canvas = document.createElement('canvas');
                canvas.width = img.width; canvas.height = img.height;
                const ctx = canvas.getContext('2d'); ctx.drawImage(img, 0, 0);
                const px = ctx.getImageData(0, 0, img.width, img.height).data;
                let back = 0, ink = 0; const n = px.length / 4;
                for (let i = 0; i < px.length; i += 4) {
                    const [r, g, b] = [px[i], px[i + 1], px[i + 2]];
                    const off = Math.abs(r - rgb[0]) + Math.abs(g - rgb[1]) + Math.abs(b - rgb[2]);
                    if (off < 12) back++;
                    else if (r + g + b < 360) ink++;
                }
                return {background: back / n, ink: ink / n};
            }""",
            [data, [red, green, blue]],
        )
    finally:
        scratch.close()
