"""What of a page's HTML the archive keeps: an allow-list, not a deny-list.

Read off every real entry in ``../shared/rfi/archive`` (and the real FMM
template those entries were cut from): the elements and attributes listed
here are the ones the archive uses; everything else is dropped. The
serializer (newsspider.page.html) asks this module about each element and
attribute as it writes them, so sanitizing costs no extra pass over the tree
and the archive's byte layout is the serializer's alone.

Why not nh3 or lxml's cleaner: nh3 re-serializes through html5ever, which
writes ``<span data-root-share="">``, ``alt=""``, ``<path></path>`` and
``&nbsp;`` where the archive has ``<span data-root-share>``, ``alt``,
``<path/>`` and a raw U+00A0, so no entry would come back byte for byte;
lxml_html_clean is a deny-list cleaner that its own maintainers call not
appropriate for security-sensitive use, with one global attribute list.
docs/page-to-entry.md states the rules; tests/test_allowlist.py attacks them.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from enum import Enum


class Rule(Enum):
    KEEP = "keep"  # the element, its allowed attributes and its content
    UNWRAP = "unwrap"  # not the element, but its content (text containers)
    DROP = "drop"  # nothing of it (code and markup carriers)


# --- URLs -----------------------------------------------------------------------

# The URL parser removes leading C0 controls and spaces and every tab and
# newline before it reads a scheme. Removing every C0 control and space, as
# here, finds the scheme a browser finds and more (``java\x01script:``).
_NOT_IN_SCHEME = re.compile(r"[\x00-\x20\x7f]+")
_SCHEME = re.compile(r"([a-zA-Z][a-zA-Z0-9+.-]*):")
# The share bar links to WhatsApp's app (``whatsapp://send?text=…``).
LINK_SCHEMES = frozenset({"http", "https", "mailto", "whatsapp"})
MEDIA_SCHEMES = frozenset({"http", "https"})
# RFI's figures carry a 1x1 GIF placeholder in img src (real entries keep it).
_DATA_IMAGE = re.compile(r"data:image/(?:gif|png|jpeg|webp)[;,]", re.IGNORECASE)


def url_scheme(value: str) -> str | None:
    """The scheme a browser reads in ``value`` (lowercase), None for a relative URL."""
    match = _SCHEME.match(_NOT_IN_SCHEME.sub("", value))
    return match.group(1).lower() if match else None


def _url(schemes: frozenset[str]) -> Callable[[str], bool]:
    def allowed(value: str) -> bool:
        scheme = url_scheme(value)
        return scheme is None or scheme in schemes

    return allowed


link_url = _url(LINK_SCHEMES)
media_url = _url(MEDIA_SCHEMES)


def image_url(value: str) -> bool:
    return media_url(value) or bool(_DATA_IMAGE.match(_NOT_IN_SCHEME.sub("", value)))


def srcset(value: str) -> bool:
    """Every URL of a ``srcset`` ("url 2x, url 980w") is a media URL.

    Read token by token (split at ASCII whitespace and commas): stricter than
    the HTML standard's parse, which lets a URL hold commas, since every
    scheme the standard would read starts a token here too.
    """
    # The whole value too, read as one URL: a scheme split by whitespace or
    # controls ("data\n:…") must not hide between two tokens.
    return media_url(value) and all(
        media_url(token)
        for token in _SRCSET_TOKENS.split(value)
        if token and not _DESCRIPTOR.fullmatch(token)
    )


_SRCSET_TOKENS = re.compile(r"[\t\n\f\r ,]+")
_DESCRIPTOR = re.compile(r"\d+(?:\.\d+)?[wxh]")


# --- CSS ------------------------------------------------------------------------

_CSS_COMMENT = re.compile(r"/\*.*?(?:\*/|$)", re.DOTALL)
_CSS_ESCAPE = re.compile(r"\\(?:([0-9a-fA-F]{1,6})\s?|(.))", re.DOTALL)
_WHITESPACE = re.compile(r"\s+")
# What makes a style value load something or run code: url(), image() and
# image-set() fetch, @import loads a sheet, expression() and the behavior and
# -moz-binding properties ran script in old browsers.
_CSS_LOADERS = re.compile(
    r"url\(|image(?:-set)?\(|expression\(|@import|(?:^|[;{])(?:behavior|-moz-binding):"
)


def css(value: str) -> bool:
    """A style (or SVG paint) value that fetches nothing and runs nothing."""
    # lxml has already decoded HTML character references in the value.
    text = _CSS_ESCAPE.sub(_unescape_css, _CSS_COMMENT.sub("", value))
    text = _WHITESPACE.sub("", text).lower()
    return not _CSS_LOADERS.search(text)


def _unescape_css(match: re.Match) -> str:
    if match.group(1):
        code = int(match.group(1), 16)
        return chr(code) if 0 < code <= 0x10FFFF and not 0xD800 <= code <= 0xDFFF else "\ufffd"
    return match.group(2)


# --- other values -----------------------------------------------------------------

_IDENTIFIER = re.compile(r"[A-Za-z_$][\w$]*")


def any_value(value: str) -> bool:
    return True


def vue_handler(value: str) -> bool:
    """Vue evaluates its attributes: only a bare method or property name is inert."""
    return bool(_IDENTIFIER.fullmatch(value))


def svg_namespace(value: str) -> bool:
    return value == "http://www.w3.org/2000/svg"


# --- elements and their attributes -----------------------------------------------

Check = Callable[[str], bool]
# Any kept element may carry these, data-* attributes (inert without the
# site's scripts: data-selfpromo-*, data-root-share, data-tms-ad-*, …) and the
# share bar's Vue directives (v-on:open, v-if), whose values must be bare names.
GLOBAL: dict[str, Check] = {"style": css, "title": any_value}
_DATA_NAME = re.compile(r"data-[a-z0-9][a-z0-9_.-]*")
_VUE_NAME = re.compile(r"v-if|v-on:[a-z][a-z0-9-]*")


def _attributes(*names: str, **checked: Check) -> dict[str, Check]:
    return {**GLOBAL, **dict.fromkeys(names, any_value), **checked}


_TEXT = _attributes()
_SVG_PAINT = {"fill": css, "stroke": css}
_SVG_SHAPE = _attributes("d", "opacity", "transform", "stroke-width", **_SVG_PAINT)

ELEMENTS: dict[str, dict[str, Check]] = {
    # text and structure (the entries' own; h2/h3/lists/blockquote are the
    # body children the template's CSS styles)
    **dict.fromkeys(
        ["div", "p", "span", "strong", "em", "br", "hr", "h2", "h3", "ul", "ol", "li"], _TEXT
    ),
    "blockquote": _TEXT,
    "a": _attributes("target", "rel", href=link_url),
    # pictures: figure > picture > source + img, figcaption
    "figure": _TEXT,
    "figcaption": _TEXT,
    "picture": _TEXT,
    "img": _attributes(
        "alt", "sizes", "loading", "width", "height", "fetchpriority", src=image_url, srcset=srcset
    ),
    "source": _attributes("type", "sizes", "media", srcset=srcset),
    # players: RFI's <youtube-player> (2022) and plain iframes
    "youtube-player": _attributes(
        "type", "video-type", "video-id", "locale", "embed_config", "autoplay", source=media_url
    ),
    "iframe": _attributes(
        "width", "height", "frameborder", "allow", "allowfullscreen", "loading", src=media_url
    ),
    # the share bar's Vue mount point and the ad "report" button
    "button": _attributes("rel"),
    "share-button": _TEXT,
    "share-modal": _TEXT,
    # inline SVG icons and badges, static shapes only (names as lxml gives them)
    "svg": _attributes("width", "height", "viewbox", "id", xmlns=svg_namespace, **_SVG_PAINT),
    "g": _SVG_SHAPE,
    "path": _SVG_SHAPE,
    "rect": _attributes("x", "y", "width", "height", "rx", "ry", "transform", **_SVG_PAINT),
    "defs": _TEXT,
    "lineargradient": _attributes(
        "id", "x1", "y1", "x2", "y2", "gradientunits", "gradienttransform"
    ),
    "stop": _attributes("offset", "stop-color", "stop-opacity"),
}


def _names(*groups: str) -> frozenset[str]:
    return frozenset(name for group in groups for name in group.split())


# Elements whose content is code, hidden markup, a document of its own or a
# form control: dropped with everything inside. Any other element not in
# ELEMENTS is a container of text (h4, b, table, unknown custom elements…):
# its tags go, its (sanitized) content stays.
DROPPED = _names(
    "script style noscript template",  # code and styles
    "object embed applet param frame frameset noframes noembed portal fencedframe",  # documents
    "xmp plaintext listing",  # raw-text relics whose content is markup
    "head title meta base link",  # the head's: meta refresh, base, style sheets
    "form input textarea select option optgroup datalist keygen",  # forms
    "math",  # MathML, whose parsing differs between parsers
    "animate animatemotion animatetransform animatecolor set mpath discard",  # SVG animation
    "use image feimage foreignobject handler listener",  # SVG that references or embeds
)
# Kept without their content: an iframe's children are never shown.
CHILDLESS = frozenset({"iframe"})
_NO_TEXT = DROPPED | CHILDLESS
_NO_ATTRIBUTES: dict[str, Check] = {}


def element_rule(tag: str) -> Rule:
    if tag in ELEMENTS:
        return Rule.KEEP
    return Rule.DROP if tag in DROPPED else Rule.UNWRAP


def keeps_attribute(tag: str, name: str, value: str) -> bool:
    """Whether a kept element's attribute goes into the archive."""
    check = ELEMENTS.get(tag, _NO_ATTRIBUTES).get(name)
    if check is not None:
        return check(value)
    if _DATA_NAME.fullmatch(name):
        return True
    return bool(_VUE_NAME.fullmatch(name)) and vue_handler(value)


def visible_text(element) -> str:
    """The text of ``element`` without what DROPPED (scripts…) and CHILDLESS elements hold."""
    parts: list[str] = []
    _collect_text(element, parts)
    return "".join(parts)


def _collect_text(element, parts: list[str]) -> None:
    if element.text:
        parts.append(element.text)
    for child in element:
        if isinstance(child.tag, str) and child.tag not in _NO_TEXT:
            _collect_text(child, parts)
        if child.tail:
            parts.append(child.tail)
