"""Scrapy's own tools on the spider, replaying the demo cassette, touching no archive.

``scrapy parse``, ``check``, ``fetch`` and ``shell`` build the same crawler as
``scrapy crawl``; only ``crawl`` turns REFRESH_ENABLED on, so the run lock, the
archive pipeline and the report never open the archive for them.
"""

from __future__ import annotations

import ast
import shutil

import pytest
from vcr.cassette import Cassette
from vcr.record_mode import RecordMode

from newsspider.archive.entry import read_entry
from newsspider.archive.index import entry_keys
from tests.conftest import CASSETTES, ROOT, run_scrapy

DEMO = CASSETTES / "demo.yaml"
SEED = ROOT / "seeds" / "000_fa28d98bcef6ab2a.txt"
ARTICLE = "https://www.rfi.fr/cn/国际/20231013-白宫-朝鲜已向俄罗斯提供逾1千个集装箱的装备和弹药"


@pytest.fixture
def archive(tmp_path):
    folder = tmp_path / "archive"
    shutil.copytree(ROOT / "seeds", folder)
    return folder


def files(folder) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def tool(archive, *args, cassette=DEMO):
    return run_scrapy(*args, "-s", f"VCR_CASSETTE={cassette}", "-s", f"ARCHIVE_DIR={archive}")


def scraped_items(stdout: str) -> list[dict]:
    printed = stdout.split("# Scraped Items ", 1)[1].split("\n", 1)[1]
    return ast.literal_eval(printed.split("# Requests ", 1)[0])


@pytest.mark.parametrize("callback", [[], ["-c", "parse_article"]], ids=["parse", "parse_article"])
def test_scrapy_parse_prints_the_item_the_crawl_would_archive(archive, callback):
    before = files(archive)
    done = tool(archive, "parse", "--spider=rfi", *callback, "--nolog", ARTICLE)
    assert done.returncode == 0, done.stderr[-2000:]
    [item] = scraped_items(done.stdout)
    seed = read_entry(SEED)
    assert (item["url"], item["fingerprint"]) == entry_keys(seed)  # the archived article, as is
    assert item["title"] == seed.title and item["html"] == seed.html
    assert files(archive) == before  # no lock, state, index or report


def test_scrapy_check_runs_the_contracts_of_parse_article(archive):
    before = files(archive)
    done = tool(archive, "check", "rfi")
    assert done.returncode == 0, done.stderr[-2000:]
    assert "Ran 4 contracts in " in done.stderr and done.stderr.rstrip().endswith("OK")
    assert files(archive) == before


def test_scrapy_check_fails_when_the_page_holds_no_article(archive, tmp_path):
    broken = Cassette.load(path=str(DEMO), record_mode=RecordMode.NONE)
    for request, response in broken.data:
        if request.uri.startswith("https://www.rfi.fr/cn/%E5%9B%BD%E9%99%85/2023"):
            response["headers"] = {"Content-Type": ["text/html; charset=UTF-8"]}
            response["body"]["string"] = b"<html><body><p>maintenance</p></body></html>"
    broken._path = str(tmp_path / "broken.yaml")
    broken._save(force=True)
    done = tool(archive, "check", "rfi", cassette=broken._path)
    assert done.returncode == 1
    assert "not a whole article page: no article on the page" in done.stderr


def test_scrapy_fetch_and_shell_touch_no_archive(archive):
    before = files(archive)
    fetched = tool(archive, "fetch", "--spider=rfi", "--nolog", ARTICLE)
    assert fetched.returncode == 0 and "白宫：朝鲜已向俄罗斯提供" in fetched.stdout
    shell = tool(archive, "shell", "--nolog", "-c", "response.css('h1::text').get()", ARTICLE)
    assert shell.returncode == 0 and "白宫：朝鲜已向俄罗斯提供" in shell.stdout
    assert files(archive) == before
