"""A page's bytes -> its lxml tree, read in the right encoding or refused.

The HTML standard picks a page's encoding in this order: a byte order mark,
then the charset of the HTTP Content-Type, then a ``<meta>`` charset near the
top, then a default (UTF-8 here: RFI serves UTF-8). lxml alone trusts the
``<meta>`` first, so a GB18030 page whose meta said UTF-8 came out as U+FFFD
mojibake and was archived as an edit. Here the encoding is chosen by that
rule (w3lib.encoding has the pieces) and a page with one byte that does not
decode in it, or with a NUL (UTF-16 read as UTF-8), is refused with a
one-line reason: it never becomes an entry.

Cost: RFI pages are UTF-8, ~300 KB. Those are handed to lxml as they are,
with the encoding stated (so no ``<meta>`` can override it), and libxml2
checks the UTF-8 while it parses; only a page it flags is decoded again, to
count and place the bad bytes for the reason. Other encodings are decoded
strictly in Python and given to lxml as UTF-8, so what is checked and what is
parsed are one reading of the bytes.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass

import lxml.html
from lxml import etree
from w3lib.encoding import html_body_declared_encoding, http_content_type_encoding, read_bom


class PageError(ValueError):
    """A page that cannot become an entry; the message is the one-line reason."""


@dataclass(frozen=True)
class Charset:
    codec: str  # a Python codec name
    source: str  # where it was read, for the reason when the page is refused


DEFAULT = Charset("utf-8", "default")
# The Encoding Standard's names, which a reader of a refusal recognizes.
_DISPLAY_NAMES = {
    "utf-8": "UTF-8",
    "gb18030": "GB18030",
    "cp1252": "windows-1252",
    "utf-16-le": "UTF-16LE",
    "utf-16-be": "UTF-16BE",
    "big5hkscs": "Big5",
    "cp932": "Shift_JIS",
    "cp949": "EUC-KR",
}
# A lone surrogate stands for one byte the codec could not decode (see _mark).
_UNDECODED = re.compile("[\udc00-\udcff]")
_INVALID_ENCODING = etree.ErrorTypes.ERR_INVALID_ENCODING


def parse_response(body: bytes, content_type: str | bytes | None = None) -> etree._Element:
    """The page's tree, read in the encoding the HTML rule picks.

    Raises PageError (a ValueError) with a one-line reason for every page that
    cannot become an entry: empty, not valid in its encoding, refused by lxml.
    """
    if not body or body.isspace():
        raise PageError(f"empty page ({len(body)} bytes)" if body else "empty page")
    charset, bom_length = choose_charset(body, content_type)
    if charset.codec == "utf-8":
        data = body[bom_length:] if bom_length else body
    else:
        data = strict_text(body, charset, bom_length).encode("utf-8")
    parser = lxml.html.HTMLParser(encoding="utf-8")
    try:
        tree, refusal = lxml.html.document_fromstring(data, parser=parser), None
    except (etree.ParserError, etree.XMLSyntaxError) as exc:
        tree, refusal = None, exc
    if charset.codec == "utf-8" and (
        b"\x00" in data or any(e.type == _INVALID_ENCODING for e in parser.error_log)
    ):
        strict_text(body, charset, bom_length)  # raises PageError with the count
        raise PageError(f"page is not valid UTF-8 ({charset.source})")
    if tree is None:
        raise lxml_refusal(refusal)
    return tree


def lxml_refusal(exc: Exception) -> PageError:
    reason = " ".join(str(exc).split()) or type(exc).__name__
    return PageError(f"lxml cannot parse the page: {reason}")


def choose_charset(body: bytes, content_type: str | bytes | None) -> tuple[Charset, int]:
    """The page's encoding, and the length of its byte order mark (0 without one)."""
    bom_codec, _ = read_bom(body)
    # HTML knows three BOMs; the UTF-32LE one w3lib reads starts with UTF-16LE's.
    if bom_codec in ("utf-16-le", "utf-32-le"):
        return Charset("utf-16-le", "byte order mark"), 2
    if bom_codec == "utf-16-be":
        return Charset("utf-16-be", "byte order mark"), 2
    if bom_codec == "utf-8":
        return Charset("utf-8", "byte order mark"), 3
    if isinstance(content_type, bytes):
        content_type = content_type.decode("latin-1")
    codec = http_content_type_encoding(content_type)
    if codec is not None:
        # The label "utf-16" means little endian on the web (Encoding Standard).
        return Charset("utf-16-le" if codec == "utf-16" else codec, "HTTP charset"), 0
    codec = html_body_declared_encoding(body)
    if codec is not None:
        # A <meta> found by reading ASCII cannot truly say UTF-16/32: HTML reads UTF-8.
        if codec.startswith(("utf-16", "utf-32")):
            codec = "utf-8"
        return Charset(codec, "<meta> charset"), 0
    return DEFAULT, 0


def display_name(codec: str) -> str:
    return _DISPLAY_NAMES.get(codec, codec)


def strict_text(body: bytes, charset: Charset, bom_length: int = 0) -> str:
    """``body`` decoded in ``charset``; PageError naming the charset if any byte is not text."""
    data = memoryview(body)[bom_length:]
    name = f"{display_name(charset.codec)} ({charset.source})"
    try:
        text = codecs.decode(data, charset.codec)
    except UnicodeDecodeError:
        text = codecs.decode(data, charset.codec, "newsspider-mark")
        bad = _UNDECODED.findall(text)
        if bad:
            raise PageError(
                f"page is not valid {name}: {_count(len(bad), 'undecodable byte')}, "
                f"the first at byte {bom_length + _offset(text, _UNDECODED.search(text), charset)}"
            ) from None
    if "\x00" in text:
        raise PageError(
            f"page is not text in {name}: {_count(text.count(chr(0)), 'NUL character')}, "
            f"the first at byte {bom_length + _offset(text, text.index(chr(0)), charset)}"
        )
    return text


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'s' if number != 1 else ''}"


def _offset(text: str, at: int | re.Match, charset: Charset) -> int:
    """The byte offset of ``text[at]`` in the decoded bytes (everything before it is text)."""
    index = at if isinstance(at, int) else at.start()
    return len(text[:index].encode(charset.codec, "replace"))


def _mark(error: UnicodeError) -> tuple[str, int]:
    """Each undecodable byte as a lone surrogate, so they can be counted.

    Strict decoders never produce lone surrogates themselves. GB18030 as the
    web reads it decodes a lone 0x80 as the euro sign, which Python refuses.
    """
    assert isinstance(error, UnicodeDecodeError)
    undecoded = error.object[error.start : error.end]
    if error.encoding == "gb18030" and undecoded[:1] == b"\x80":
        return "\u20ac", error.start + 1
    return "".join(chr(0xDC00 + byte) for byte in undecoded), error.end


codecs.register_error("newsspider-mark", _mark)
