"""Serialize an lxml subtree the way the archive stores HTML.

The archive's HTML is one line with no tag spanning lines; attributes keep
their document order; ``class`` and ``aria-*`` are dropped; a valueless
attribute stays valueless; void elements have no ``/>``; only ``&``, ``<``,
``>`` (and ``"`` in attribute values) are escaped, every other character
(CJK, U+00A0, U+3000, curly quotes) stays raw. What is written at all is
decided by the allow-list (newsspider.page.allowlist) as the tree is walked:
comments never, other elements and attributes only where it says so.
"""

from __future__ import annotations

from lxml.html import tostring

from newsspider.page import allowlist
from newsspider.page.allowlist import Rule

VOID = frozenset(
    [
        "area",
        "base",
        "br",
        "col",
        "embed",
        "hr",
        "img",
        "input",
        "link",
        "meta",
        "param",
        "source",
        "track",
        "wbr",
    ]
)
# HTML parsers lowercase names; inline SVG needs its camelCase back (the
# adjustment table of the HTML standard, the names seen on RFI pages first).
_SVG_NAMES = {
    name.lower(): name
    for name in [
        "viewBox",
        "preserveAspectRatio",
        "gradientTransform",
        "gradientUnits",
        "patternTransform",
        "patternUnits",
        "clipPathUnits",
        "maskUnits",
        "markerWidth",
        "markerHeight",
        "pathLength",
        "refX",
        "refY",
        "stdDeviation",
        "textLength",
        "lengthAdjust",
        "startOffset",
        "baseFrequency",
        "numOctaves",
        "clipPath",
        "linearGradient",
        "radialGradient",
        "foreignObject",
        "textPath",
        "feGaussianBlur",
    ]
}
# Line trimming strips ASCII whitespace only: U+00A0 and U+3000 are text.
_ASCII_SPACE = " \t\r\f\v"


def to_archive_html(fragments: list[str]) -> str:
    """Join serialized pieces and trim-and-join their lines into one line."""
    return "".join(line.strip(_ASCII_SPACE) for line in "".join(fragments).split("\n"))


def serialize(element, keep_tail: bool = False, children: bool = True) -> str:
    """Serialize ``element`` (and its subtree) in the archive's style."""
    out: list[str] = []
    _write(element, out, children)
    if keep_tail and element.tail:
        out.append(escape_text(element.tail))
    return "".join(out)


def serialize_children(element) -> str:
    """The inner HTML of ``element`` in the archive's style."""
    out: list[str] = []
    _write_inner(element, out, svg=False)
    return "".join(out)


def escape_text(text: str) -> str:
    # str.replace behind an "in" test: several times faster than str.translate
    # on the long, mostly clean strings of a page.
    if "&" in text:
        text = text.replace("&", "&amp;")
    if "<" in text:
        text = text.replace("<", "&lt;")
    if ">" in text:
        text = text.replace(">", "&gt;")
    return text


def escape_attribute(value: str) -> str:
    value = escape_text(value)
    return value.replace('"', "&quot;") if '"' in value else value


def start_tag(element) -> str:
    """The start tag of an element the allow-list keeps."""
    return f"<{element.tag}{_attributes(element)}>"


def _write(element, out: list[str], children: bool, svg: bool = False) -> None:
    tag = element.tag
    if not isinstance(tag, str):
        return  # comments, processing instructions
    rule = allowlist.element_rule(tag)
    if rule is not Rule.KEEP:
        if rule is Rule.UNWRAP and children:
            _write_inner(element, out, svg)
        return
    children = children and tag not in allowlist.CHILDLESS
    svg = svg or tag == "svg"
    if svg:
        tag = _SVG_NAMES.get(tag, tag)
        if not len(element) and not element.text:
            out.append(f"<{tag}{_attributes(element, svg)}/>")  # XML syntax inside SVG
            return
    out.append(f"<{tag}{_attributes(element, svg)}>")
    if tag in VOID and not len(element) and not element.text:
        return
    # libxml2 (an HTML4 parser) does not know <source> is void and nests what
    # follows an unclosed one inside it: write those children as siblings.
    if children:
        _write_inner(element, out, svg)
    if tag not in VOID:
        out.append(f"</{tag}>")


def _write_inner(element, out: list[str], svg: bool) -> None:
    """Text, children and their tails: everything between the start and end tags."""
    if element.text:
        out.append(escape_text(element.text))
    for child in element:
        _write(child, out, True, svg)
        if child.tail:
            out.append(escape_text(child.tail))


def _attributes(element, svg: bool = False) -> str:
    items = element.items()
    if not items:
        return ""
    valueless = _valueless_names(element) if any(v == "" for _, v in items) else ()
    parts = []
    tag = element.tag
    for name, value in items:
        if not allowlist.keeps_attribute(tag, name, value):
            continue
        if svg:
            name = _SVG_NAMES.get(name, name)
        if name in valueless:
            parts.append(f" {name}")
        else:
            parts.append(f' {name}="{escape_attribute(value)}"')
    return "".join(parts)


def _valueless_names(element) -> set[str]:
    """Attributes written without a value (``<span data-root-share>``).

    lxml's attribute API reads them as "", like ``sizes=""``; libxml2 keeps
    the difference and shows it when it serializes the start tag.
    """
    text = tostring(element, with_tail=False, encoding="unicode")
    names = set()
    position = text.find(" ")
    end = len(text)
    while 0 <= position < end:
        position += 1
        stop = position
        while stop < end and text[stop] not in " =>":
            stop += 1
        name = text[position:stop]
        if stop >= end or text[stop] == ">":
            if name:
                names.add(name)
            break
        if text[stop] == " ":
            if name:
                names.add(name)
            position = stop
            continue
        # name="value": skip the quoted value
        quote = text[stop + 1]
        close = text.find(quote, stop + 2)
        position = text.find(" ", close)
        if position < 0 or text.find(">", close) < position:
            break
    return names
