"""Page -> entry speed against a bare lxml parse of the same pages, in one run.

    .venv/bin/python bench/normalize.py [--rounds 30]

Pages are whole RFI-template pages (head, menus, footer: ~320 KB, of which the
real RFI head's inline CSS is ~115 KB) composed from real entries by
tests/compose.py, measured as they are and without that CSS (~205 KB).
Target: page -> entry <= 1.5x the parse.
"""

from __future__ import annotations

import argparse
import re
import sys
import time
from pathlib import Path

import lxml.html

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from newsspider.archive.entry import read_entry
from newsspider.page import article as page
from tests.compose import ARCHIVE, compose_page
from tests.test_page import DIFFERING, EXACT


def best_of(rounds: int, work) -> float:
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        work()
        times.append(time.perf_counter() - start)
    return min(times)


def without_inline_css(page: bytes) -> bytes:
    """The same page less the <style> blocks of its head (~205 KB instead of ~320 KB)."""
    text = page.decode()
    end = text.index("</head>")
    return (re.sub(r"<style[^>]*>.*?</style>", "", text[:end], flags=re.S) + text[end:]).encode()


def measure(pages: list[bytes], rounds: int) -> tuple[float, float]:
    def parse_only():
        for body in pages:
            lxml.html.document_fromstring(body)

    def to_entry():
        for body in pages:
            tree = page.parse_page(body)
            page.entry_html(tree, page.article_root(tree))

    return best_of(rounds, parse_only) / len(pages), best_of(rounds, to_entry) / len(pages)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=30)
    args = parser.parse_args()
    whole = [compose_page(read_entry(ARCHIVE / name)).encode() for name in [*EXACT, *DIFFERING]]
    print(f"{len(whole)} pages composed from real entries, best of {args.rounds} rounds")
    print(f"{'pages':40} {'lxml parse':>11} {'page->entry':>12} {'ratio':>6}")
    for label, pages in (
        ("whole template + RFI head", whole),
        ("same, head without inline CSS", [without_inline_css(p) for p in whole]),
    ):
        size = sum(map(len, pages)) / len(pages) / 1024
        baseline, ours = measure(pages, args.rounds)
        print(
            f"{label + f' ({size:.0f} KiB)':40} {baseline * 1000:8.2f} ms {ours * 1000:9.2f} ms "
            f"{ours / baseline:5.2f}x"
        )
    print("target: page -> entry <= 1.50x the parse")


if __name__ == "__main__":
    main()
