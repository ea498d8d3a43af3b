"""Entries as plain text lines, for people reading ``archive show|diff``."""

from __future__ import annotations

from datetime import UTC, datetime

import lxml.html

from newsspider.archive.entry import Entry

_BLOCKS = {"p", "div", "figure", "figcaption", "h2", "h3", "li", "blockquote"}


def readable_lines(entry: Entry) -> list[str]:
    """Title, then one line per paragraph-like block of the HTML."""
    lines = [f"# {entry.title}", entry.url, ""]
    if entry.html.strip():
        for node in lxml.html.fragments_fromstring(entry.html, no_leading_text=False):
            if isinstance(node, str):
                lines.append(node.strip())
                continue
            lines.extend(_block_lines(node))
    return [line for line in lines if line] or [""]


def _block_lines(element) -> list[str]:
    if element.tag == "img":
        return [f"[image {element.get('src', '')}]"]
    children = [c for c in element if isinstance(c.tag, str) and c.tag in _BLOCKS]
    if not children:
        return [" ".join(element.text_content().split())]
    lines = [(element.text or "").strip()]
    for child in element:
        if isinstance(child.tag, str) and child.tag in _BLOCKS:
            lines.extend(_block_lines(child))
        elif isinstance(child.tag, str):
            lines.append(" ".join(child.text_content().split()))
        lines.append((child.tail or "").strip())
    return lines


def format_ms(timestamp: int) -> str:
    return datetime.fromtimestamp(timestamp / 1000, UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
