"""The allow-list sanitizer: what real entries use stays, nothing that runs or loads gets in.

The checks on the output (``assert_inert``) do not use the allow-list's own
checks (only its list of element names): they read the serialized HTML back
with two parsers (lxml and Python's html.parser) and apply the browser's rules
to what they find.
"""

from __future__ import annotations

import html
import re
from functools import cache
from html.parser import HTMLParser
from pathlib import Path

import lxml.html
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

from newsspider.archive import read_entry
from newsspider.page import allowlist
from newsspider.page import article as page
from newsspider.page.html import serialize
from tests.compose import compose_page, unglue
from tests.conftest import ROOT, SHARED_ARCHIVE

SEED = ROOT / "seeds" / "000_fa28d98bcef6ab2a.txt"
# the 1x1 placeholder of RFI's figures, as real entries carry it in img src
GIF = "data:image/gif;base64,R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7"
MARKER = "PWNED"  # put inside everything that must not reach the archive as text


def sanitized(fragment: str) -> str:
    return serialize(lxml.html.fragment_fromstring(fragment, create_parent="div"))


# --- the oracle: read the output back as a browser would -----------------------------

# Every attribute that holds a URL somewhere in HTML, SVG or RFI's players.
URL_ATTRIBUTES = {
    "href",
    "src",
    "srcset",
    "action",
    "formaction",
    "data",
    "poster",
    "background",
    "cite",
    "longdesc",
    "usemap",
    "xlink:href",
    "source",
    "codebase",
    "ping",
    "manifest",
    "lowsrc",
    "dynsrc",
    "icon",
    "classid",
    "archive",
}
SAFE_SCHEMES = {None, "http", "https", "mailto", "whatsapp"}
FORBIDDEN_ELEMENTS = {
    "script",
    "style",
    "noscript",
    "template",
    "meta",
    "base",
    "link",
    "object",
    "embed",
    "form",
    "input",
    "math",
    "animate",
    "animatemotion",
    "animatetransform",
    "set",
    "use",
    "foreignobject",
}
FORBIDDEN_ATTRIBUTES = {"srcdoc", "attributename", "to", "from", "by", "values", "http-equiv"}


def browser_scheme(value: str) -> str | None:
    """The WHATWG URL parser's view: trim C0 controls and spaces, drop tabs and newlines."""
    value = value.strip("".join(map(chr, range(0x21))))
    value = re.sub("[\t\n\r]", "", value)
    match = re.match(r"([a-zA-Z][a-zA-Z0-9+.-]*):", value)
    return match.group(1).lower() if match else None


def css_loads_something(value: str) -> bool:
    value = re.sub(r"/\*.*?(\*/|$)", "", value, flags=re.S)
    value = re.sub(r"\\([0-9a-fA-F]{1,6})\s?", lambda m: chr(int(m.group(1), 16) or 0xFFFD), value)
    value = re.sub(r"\\(.)", r"\1", value, flags=re.S)
    value = re.sub(r"\s", "", value).lower()
    return "url(" in value or "expression(" in value or "image-set(" in value


class _Attributes(HTMLParser):
    """Python's own tokenizer (unescapes like a browser), a second reading of the output."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found: list[tuple[str, str, str]] = []

    def handle_starttag(self, tag, attrs):
        self.found.extend((tag, name, value or "") for name, value in attrs)

    handle_startendtag = handle_starttag


def assert_inert(output: str) -> None:
    assert MARKER not in output, output
    root = lxml.html.fragment_fromstring(output, create_parent="div")
    found = []
    for element in root.iter():
        assert isinstance(element.tag, str), output  # no comments or PIs either
        assert element.tag not in FORBIDDEN_ELEMENTS, output
        assert element.tag in allowlist.ELEMENTS, (element.tag, output)
        found.extend((element.tag, name, value) for name, value in element.items())
    reader = _Attributes()
    reader.feed(output)
    reader.close()
    for tag, name, value in found + reader.found:
        name = name.lower()
        assert not name.startswith("on"), (name, output)
        assert name not in FORBIDDEN_ATTRIBUTES, (name, output)
        if name in ("style", "fill", "stroke"):
            assert not css_loads_something(value), (value, output)
        if name in URL_ATTRIBUTES:
            # a srcset token by token: URLs and descriptors ("2x") alike
            for url in re.split(r"[\t\n\f\r ,]+", value) if name == "srcset" else [value]:
                scheme = browser_scheme(url)
                if scheme == "data":
                    assert (tag, name) == ("img", "src"), output
                    assert re.match(r"data:image/(gif|png|jpeg|webp)[;,]", url.strip()), output
                else:
                    assert scheme in SAFE_SCHEMES, (name, value, output)
            if (tag, name) in (("iframe", "src"), ("youtube-player", "source")):
                assert browser_scheme(value) in (None, "http", "https"), output


# --- what the real entries use is kept ---------------------------------------------


def real_entries() -> list[Path]:
    return sorted(p for p in SHARED_ARCHIVE.iterdir() if p.suffix in (".md", ".txt"))


def test_every_element_and_attribute_of_the_real_entries_is_allowed():
    used = set()
    for path in real_entries():
        # unglue: the page the entry was cut from wrote those tags over several lines
        root = lxml.html.fragment_fromstring(unglue(read_entry(path).html), create_parent="div")
        for element in root.iter(etree.Element):  # elements, not comments
            for name, value in element.items():
                if name != "class" and not name.startswith("aria-"):
                    used.add((element.tag, name, value))
            used.add((element.tag, None, None))
    refused = [
        (tag, name, value)
        for tag, name, value in used
        if allowlist.element_rule(tag) is not allowlist.Rule.KEEP
        or (name is not None and not allowlist.keeps_attribute(tag, name, value))
    ]
    assert len(used) > 200  # the survey saw the whole sample
    assert refused == []


def test_every_real_entry_passes_the_oracle():
    for path in real_entries():
        entry = read_entry(path)
        tree = page.parse_page(compose_page(entry))
        assert_inert(page.entry_html(tree, page.article_root(tree)))


# --- one rule at a time ------------------------------------------------------------


@pytest.mark.parametrize(
    ("fragment", "expected"),
    [
        # schemes: what a browser reads after removing whitespace and controls
        ('<a href="java\nscript:alert(1)">x</a>', "<div><a>x</a></div>"),
        ('<a href="java\tscript:alert(1)">x</a>', "<div><a>x</a></div>"),
        ('<a href="&#x01;javascript:alert(1)">x</a>', "<div><a>x</a></div>"),
        ('<a href=" JaVaScRiPt:alert(1)">x</a>', "<div><a>x</a></div>"),
        ('<a href="&#106;avascript&colon;alert(1)">x</a>', "<div><a>x</a></div>"),
        ('<a href="vbscript:msgbox(1)">x</a>', "<div><a>x</a></div>"),
        ('<a href="data:text/html,&lt;script&gt;">x</a>', "<div><a>x</a></div>"),
        ('<iframe src="data:text/html,x"></iframe>', "<div><iframe></iframe></div>"),
        ('<iframe src="mailto:a@b"></iframe>', "<div><iframe></iframe></div>"),
        ('<img src="data:image/svg+xml,&lt;svg&gt;">', "<div><img></div>"),
        ('<img srcset="a.jpg 1x, javascript:x 2x">', "<div><img></div>"),
        # what real entries link to stays
        ('<a href="mailto:a@rfi.fr">m</a>', '<div><a href="mailto:a@rfi.fr">m</a></div>'),
        (
            '<a href="whatsapp://send?text=x">w</a>',
            '<div><a href="whatsapp://send?text=x">w</a></div>',
        ),
        ('<a href="/cn/a:b">r</a>', '<div><a href="/cn/a:b">r</a></div>'),
        (f'<img src="{GIF}" alt>', f'<div><img src="{GIF}" alt></div>'),
        # styles that load something
        ('<p style="background:url(x.png)">t</p>', "<div><p>t</p></div>"),
        ('<p style="background:URL(x.png)">t</p>', "<div><p>t</p></div>"),
        ('<p style="background:u\\72 l(x.png)">t</p>', "<div><p>t</p></div>"),
        ('<p style="background:u/**/rl(x.png)">t</p>', "<div><p>t</p></div>"),
        ('<p style="width:expression(alert(1))">t</p>', "<div><p>t</p></div>"),
        ('<p style="color:orange">t</p>', '<div><p style="color:orange">t</p></div>'),
        ('<b style="scroll-behavior:auto">t</b>', "<div>t</div>"),  # b is a text container
        (
            '<p style="scroll-behavior:auto">t</p>',
            '<div><p style="scroll-behavior:auto">t</p></div>',
        ),
        # elements that carry code or markup go with their content
        ('<meta http-equiv="refresh" content="0;url=https://evil">t', "<div>t</div>"),
        ("<p>a<noscript>PWNED</noscript><template>PWNED</template>b</p>", "<div><p>ab</p></div>"),
        ("<p>a<object data=x>PWNED</object>b</p>", "<div><p>ab</p></div>"),
        ('<p>a<embed src="https://evil/x.swf"></p>', "<div><p>a</p></div>"),
        ("<form action=x><input value=PWNED>a</form>", "<div></div>"),
        (
            '<svg><animate attributeName="href" to="javascript:x"/><path d="M0"/></svg>',
            '<div><svg><path d="M0"/></svg></div>',
        ),
        (
            '<svg><a><set attributeName="href" to="javascript:x"/>t</a></svg>',
            "<div><svg><a>t</a></svg></div>",
        ),
        # iframes keep no content and no srcdoc
        (
            '<iframe src="https://www.youtube.com/embed/x" srcdoc="PWNED">PWNED</iframe>',
            '<div><iframe src="https://www.youtube.com/embed/x"></iframe></div>',
        ),
        # other unknown elements are text containers: tags go, content stays
        ("<h4>sub<b>head</b></h4><table><tr><td>cell</td></tr></table>", "<div>subheadcell</div>"),
        # attributes not on the list
        ('<p onclick="x" OnMouseOver="x" id="a" lang="fr">t</p>', "<div><p>t</p></div>"),
        (
            '<div data-x="1" data-root-share>t</div>',
            '<div><div data-x="1" data-root-share>t</div></div>',
        ),
        # Vue directives: only bare names, which a Vue runtime would not evaluate as code
        (
            '<share-modal v-if="displayModal" v-on:close="closeModal"></share-modal>',
            '<div><share-modal v-if="displayModal" v-on:close="closeModal"></share-modal></div>',
        ),
        (
            '<share-button v-on:open="alert(1)" v-html="x"></share-button>',
            "<div><share-button></share-button></div>",
        ),
    ],
)
def test_rule(fragment, expected):
    output = sanitized(fragment)
    assert output == expected
    assert_inert(output)


def test_url_scheme_is_read_after_removing_whitespace_and_controls_anywhere():
    for char in map(chr, [*range(0x21), 0x7F]):
        assert allowlist.url_scheme(f"{char}java{char}script{char}:x") == "javascript"
    assert allowlist.url_scheme("/cn/%E4%B8%AD%E5%9B%BD/a:b") is None
    assert allowlist.url_scheme("//www.rfi.fr/cn/") is None


def test_srcset_is_read_token_by_token():
    real = "https://s.rfi.fr/m/w:246/p:16x9/a.webp 246w, https://s.rfi.fr/m/w:388/b.webp 388w"
    assert allowlist.srcset(real)
    assert allowlist.srcset("a,b.jpg 1x,c.jpg 2.5x")
    assert not allowlist.srcset("a.jpg 1x,javascript:x 2x")
    assert not allowlist.srcset("https://a/x,javascript:y 1x")  # one URL to HTML: refused anyway
    assert not allowlist.srcset("a.jpg java\tscript:x")


def test_the_title_has_no_script_or_style_text():
    entry = read_entry(SEED)
    composed = compose_page(entry).replace(
        '<h1 class="t-content__title a-page-title">',
        '<h1 class="t-content__title a-page-title"><script>var PWNED=1;</script>'
        "<style>h1{}</style><noscript>PWNED</noscript>",
        1,
    )
    tree = page.parse_page(composed)
    assert page.title(tree, page.article_root(tree)) == entry.title


def test_a_date_line_read_from_the_time_text_is_escaped():
    composed = re.sub(
        r'<time datetime="[^"]*" pubdate="pubdate">[^<]*</time>',
        '<time datetime="not a date">&lt;script&gt;PWNED&lt;/script&gt;</time>',
        seed_page(),
        count=1,
    )
    tree = page.parse_page(composed)
    date_line = page.date_div(page.article_root(tree))
    assert date_line == "<div>&lt;script&gt;PWNED&lt;/script&gt;</div>"


def test_a_hostile_og_image_gives_no_image():
    entry = read_entry(SEED)
    composed = compose_page(entry)
    image = re.search(r'<meta property="og:image" content="([^"]*)">', composed).group(1)
    hostile = composed.replace(image, "java&#10;script:alert(1)")
    tree = page.parse_page(hostile)
    assert page.main_image(tree) == ""


@cache
def seed_page() -> str:
    return compose_page(read_entry(SEED))


# --- generated attacks ----------------------------------------------------------------

CONTROLS = [chr(c) for c in [*range(0x21), 0x7F]]
ENTITY_FORMS = [
    lambda c: f"&#{ord(c)};",
    lambda c: f"&#x{ord(c):x};",
    lambda c: f"&#X{ord(c):X}",
    lambda c: f"&#{ord(c):07d};",
]


@st.composite
def split_scheme(draw) -> str:
    """A dangerous scheme, mixed case, split by whitespace/controls, partly entity-encoded."""
    scheme = draw(st.sampled_from(["javascript", "vbscript", "data", "livescript"]))
    out = [draw(st.sampled_from(["", " ", "\t", "\x01", "\x0c", "&#0;", "&Tab;"]))]
    for char in scheme + ":":
        char = char.upper() if draw(st.booleans()) else char
        if draw(st.integers(0, 3)) == 0:
            char = draw(st.sampled_from(ENTITY_FORMS))(char)
        elif char == ":" and draw(st.booleans()):
            char = "&colon;"
        out.append(char)
        if draw(st.integers(0, 2)) == 0:
            gap = draw(st.sampled_from(CONTROLS))
            gap = draw(st.sampled_from([gap, html.escape(gap), f"&#{ord(gap)};", "&NewLine;"]))
            out.append(gap)
    payload = "text/html,<script>alert(1)</script>" if scheme == "data" else "alert(1)"
    return "".join(out) + html.escape(payload)


URL_TARGETS = [
    ("a", "href"),
    ("img", "src"),
    ("img", "srcset"),
    ("source", "srcset"),
    ("iframe", "src"),
    ("youtube-player", "source"),
    ("form", "action"),
    ("button", "formaction"),
    ("object", "data"),
    ("embed", "src"),
    ("video", "poster"),
    ("blockquote", "cite"),
    ("area", "href"),
    ("base", "href"),
    ("link", "href"),
    ("table", "background"),
    ("svg", "xlink:href"),
]


@st.composite
def url_attack(draw) -> str:
    tag, attribute = draw(st.sampled_from(URL_TARGETS))
    if draw(st.booleans()):
        attribute = "".join(c.upper() if draw(st.booleans()) else c for c in attribute)
    return f'<{tag} {attribute}="{draw(split_scheme())}">t</{tag}>'


@st.composite
def style_attack(draw) -> str:
    u = draw(st.sampled_from(["u", "U", "\\75 ", "\\000075", "\\u", "&#117;"]))
    r = draw(st.sampled_from(["r", "R", "\\72 ", "\\r"]))
    gap = draw(st.sampled_from(["", "/**/", "/* x */"]))
    function = draw(st.sampled_from([f"{u}{gap}{r}l(", "image-set(", "expression(", f"{u}rl  ("]))
    attribute = draw(st.sampled_from(["style", "fill", "stroke"]))
    tag = draw(st.sampled_from(["p", "span", "a", "path", "svg", "div"]))
    return f'<{tag} {attribute}="background:{function}https://evil/x)">t</{tag}>'


@st.composite
def svg_attack(draw) -> str:
    animation = draw(st.sampled_from(["animate", "set", "animateMotion", "animateTransform"]))
    attribute = draw(st.sampled_from(["href", "xlink:href", "src"]))
    target = draw(split_scheme())
    inner = (
        f'<{animation} attributeName="{attribute}" to="{target}" values="{target}" '
        f'from="{target}" by="{target}" begin="0s"/>'
    )
    wrapped = draw(st.sampled_from(["<a>{}t</a>", "<g>{}</g>", "{}", "<svg>{}</svg>"]))
    extra = draw(
        st.sampled_from(
            [
                "",
                '<use href="data:image/svg+xml,PWNED#x"/>',
                "<foreignObject><p>PWNED</p></foreignObject>",
                "<script>PWNED</script>",
                '<image href="javascript:PWNED"/>',
            ]
        )
    )
    return f"<svg>{wrapped.format(inner)}{extra}</svg>"


@st.composite
def markup_attack(draw) -> str:
    return draw(
        st.sampled_from(
            [
                f'<meta http-equiv="refresh" content="0;url={draw(split_scheme())}">',
                '<meta http-equiv="refresh" content="0; URL=https://evil/PWNED">',
                f'<iframe srcdoc="&lt;script&gt;{MARKER}&lt;/script&gt;"></iframe>',
                f"<iframe>{MARKER}</iframe>",
                f"<h1>t<script>{MARKER}</script></h1>",
                f"<h1>t<style>{MARKER}</style></h1>",
                f"<noscript><p>{MARKER}</p></noscript>",
                f"<template><p>{MARKER}</p></template>",
                f"<xmp>{MARKER}</xmp>",
                f"<textarea>{MARKER}</textarea>",
                f"<title>{MARKER}</title>",
                f"<math><mtext><p>{MARKER}</p></mtext></math>",
                f"<!-- {MARKER} -->",
                f'<base href="https://evil/{MARKER}">',
                f'<link rel="stylesheet" href="https://evil/{MARKER}">',
                f'<object data="https://evil/{MARKER}"></object>',
            ]
        )
    )


@st.composite
def handler_attack(draw) -> str:
    event = draw(st.text(alphabet="abcdefghijklmnopqrstuvwxyz", min_size=1, max_size=12))
    name = "".join(c.upper() if draw(st.booleans()) else c for c in "on" + event)
    tag = draw(st.sampled_from(["p", "a", "img", "svg", "path", "div", "span", "body", "x-y"]))
    return f'<{tag} {name}="alert(1)">t</{tag}>'


attack = st.one_of(url_attack(), style_attack(), svg_attack(), markup_attack(), handler_attack())
wrapper = st.sampled_from(["{}", "<p>{}</p>", "<div><span>{}</span></div>", "<figure>{}</figure>"])


@settings(max_examples=500, deadline=None, database=None)
@given(st.lists(attack, min_size=1, max_size=4), wrapper)
def test_no_generated_attack_survives_serialization(attacks, wrap):
    output = sanitized(wrap.format("".join(attacks)))
    assert_inert(output)


@settings(
    max_examples=100,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(st.lists(attack, min_size=1, max_size=3), st.lists(markup_attack(), max_size=2))
def test_no_generated_attack_survives_a_whole_page(body_attacks, title_attacks):
    composed = seed_page().replace("<p>白宫", "<p>" + "".join(body_attacks) + "白宫", 1)
    composed = composed.replace(
        '<h1 class="t-content__title a-page-title">',
        '<h1 class="t-content__title a-page-title">' + "".join(title_attacks),
        1,
    )
    tree = page.parse_page(composed)
    article = page.article_root(tree)
    assert_inert(page.entry_html(tree, article))
    assert MARKER not in page.title(tree, article)


def test_a_scheme_split_across_srcset_tokens_is_refused():
    # Found by the property test: "data" and ":…" are two tokens, one URL once
    # whitespace and controls are gone.
    assert not allowlist.srcset("data\n:\x00text/html,<script>alert(1)</script>")
    assert not allowlist.srcset("java script:x 1x")
