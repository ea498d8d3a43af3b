"""Page -> entry speed against a bare lxml parse of the same pages, in one run.

    .venv/bin/python bench/normalize.py [--rounds 30]

Pages are whole RFI-template pages (head, menus, footer: ~320 KB) composed
from real entries by tests/compose.py. Target: page -> entry <= 1.5x the parse.
"""

from __future__ import annotations

import argparse
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=30)
    args = parser.parse_args()
    pages = [compose_page(read_entry(ARCHIVE / name)).encode() for name in [*EXACT, *DIFFERING]]
    size = sum(map(len, pages)) / len(pages)

    def parse_only():
        for body in pages:
            lxml.html.document_fromstring(body)

    def to_entry():
        for body in pages:
            tree = page.parse_page(body)
            page.entry_html(tree, page.article_root(tree))

    baseline = best_of(args.rounds, parse_only) / len(pages)
    ours = best_of(args.rounds, to_entry) / len(pages)
    print(f"pages: {len(pages)}, mean size {size / 1024:.0f} KiB, best of {args.rounds} rounds")
    print(f"lxml parse only   {baseline * 1000:7.2f} ms/page   1.00x")
    print(
        f"page -> entry     {ours * 1000:7.2f} ms/page   {ours / baseline:.2f}x  (target <= 1.50x)"
    )


if __name__ == "__main__":
    main()
