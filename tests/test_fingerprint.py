"""Content fingerprints: equal across eras and copies, different after an edit."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from newsspider.archive.entry import Entry, read_entry
from newsspider.archive.fingerprint import fingerprint, visible_text
from tests.conftest import SHARED_ARCHIVE


def entry(name: str) -> Entry:
    return read_entry(SHARED_ARCHIVE / name)


def fp(e: Entry) -> str:
    return fingerprint(e.title, e.html)


def test_the_two_copies_of_1000019_fingerprint_equal():
    a = entry("duty-machine-news_rfi_1000019.md")
    b = entry("dutymachine-news_rfi_1000019.md")
    assert a.html != b.html  # one carries a feed footer
    assert fp(a) == fp(b)


def test_changing_one_sentence_changes_the_fingerprint():
    a = entry("duty-machine-news_rfi_1000000.md")
    sentence = a.html.split("<p>")[3].split("</p>")[0]
    edited = a.html.replace(sentence, sentence[:-3] + "，周五。")
    assert fp(a) != fingerprint(a.title, edited)


def test_a_changed_title_changes_the_fingerprint():
    a = entry("duty-machine-news_rfi_1000000.md")
    assert fp(a) != fingerprint(a.title + "（更新）", a.html)


def test_era_markup_image_size_and_share_block_are_ignored():
    a = entry("duty-machine-news_rfi_1000000.md")
    html = a.html.replace(
        "</strong></p><div>", '</strong></p><div class="t-content__body u-clearfix" >', 1
    )
    html = html.replace("/w:1280/", "/w:310/")
    share = html.index("<div><div>分享 :</div>")
    assert fingerprint(a.title, html[:share]) == fp(a)
    assert fingerprint(a.title, html) == fp(a)


def test_whitespace_runs_nbsp_and_ideographic_spaces_are_ignored():
    a = entry("duty-machine-news_rfi_1000000.md")
    html = a.html.replace("<p>", "<p>\u00a0\u3000 ", 3)
    assert fingerprint(a.title, html) == fp(a)


def test_ads_read_more_and_feed_footer_are_not_text():
    a = entry("duty-machine-news_rfi_1006220.md")
    text = visible_text(a.title, a.html)
    assert "广告" not in text and "继续浏览后续" not in text and "RSS" not in text
    assert "法国内政部长" in text  # the body after the glued ad markup is kept


def test_author_block_is_not_text():
    a = entry("duty-machine-news_rfi_1000005.md")
    assert "作者" not in visible_text(a.title, a.html)


def test_every_sample_has_a_distinct_fingerprint_except_the_known_pair():
    prints = {}
    for path in SHARED_ARCHIVE.iterdir():
        if path.suffix in (".md", ".txt"):
            e = read_entry(path)
            prints.setdefault(fp(e), []).append(path.name)
    shared = [sorted(names) for names in prints.values() if len(names) > 1]
    assert shared == [["duty-machine-news_rfi_1000019.md", "dutymachine-news_rfi_1000019.md"]]


def visible_text_searching_per_element(title: str, html: str) -> str:
    """The first implementation (one search of the fragment per element), as the oracle."""
    import importlib

    import lxml.html

    module = importlib.import_module("newsspider.archive.fingerprint")

    nodes = lxml.html.fragments_fromstring(html, no_leading_text=False) if html.strip() else []
    elements = [n for n in nodes[1:] if not isinstance(n, str) and n.tag != "img"]
    lead = elements.pop(0).text_content() if elements and elements[0].tag == "p" else ""
    body = []
    for element in elements:
        if element.tag in ("br", "hr") or module._is_chrome(element):
            break
        for junk in element.xpath(module._NOT_TEXT):
            if junk is not element:
                junk.drop_tree()
        body.append(element.text_content())
    words = "\n".join((title.removesuffix(" – 法国国际广播电台 - RFI"), lead, "".join(body)))
    return "\n".join(module._WHITESPACE.sub("", part) for part in words.split("\n"))


# Top-level blocks and what goes inside them, from the real entries' shapes: text,
# the junk the fingerprint drops (nested and top-level), chrome, glued attributes.
JUNK = [
    "<svg><text>图</text></svg>",
    "<script>x=1</script>",
    "<style>p{}</style>",
    "<button>继续浏览后续</button>",
    "<div data-readmore-target>广告</div>",
    '<div data-tms-ad-type="x">广告</div>',
    "<divdata-tms-ad-type=x>广告</div>",
    "<div data-selfpromo-newsletter>订阅</div>",
    "<div data-selfpromo-app></div>",
    '<div class="o-self-promo x">推广</div>',
]
INLINE = st.one_of(
    st.sampled_from(["字", "句子。", " ", "\u00a0", "<br>", "<!-- c -->", "<strong>强</strong>"]),
    st.sampled_from(JUNK),
)
CONTENT = st.lists(INLINE, max_size=6).map("".join)
BLOCK = st.one_of(
    CONTENT.map(lambda c: f"<div>{c}</div>"),
    CONTENT.map(lambda c: f"<p>{c}</p>"),
    st.tuples(CONTENT, CONTENT).map(lambda cs: f"<div><p>{cs[0]}</p><div>{cs[1]}</div></div>"),
    st.sampled_from(
        [
            *JUNK,
            "<div><div>分享 :</div><div><a href=x><span></span></a></div></div>",
            "<div><div><div><div><span>作者：</span><a href=y>阿曼亭</a></div></div></div></div>",
            "<div><span data-root-share><share-button></share-button></span></div>",
            "<div></div>",
            "<br>",
            "<hr>",
            '<img src="i.jpg">',
            "尾",
            "<!-- c -->",
        ]
    ),
)


@settings(max_examples=500, deadline=None)
@given(
    st.sampled_from(["<div>13/10/2023 - 21:02</div>", "", "Array"]),
    st.sampled_from(['<img src="i.jpg">', "Array", ""]),
    st.one_of(st.just(""), CONTENT.map(lambda c: f"<p><strong>{c}</strong></p>")),
    st.lists(BLOCK, max_size=8),
)
def test_one_search_for_junk_gives_the_text_one_search_per_element_gave(date, image, lead, blocks):
    html = date + image + lead + "".join(blocks)
    assert outcome(visible_text, html) == outcome(visible_text_searching_per_element, html)


def outcome(function, html: str) -> str:
    try:
        return function("标题", html)
    except ValueError as exc:  # lxml refuses text_content() of a top-level comment
        return repr(exc)


def test_every_sample_gives_the_text_one_search_per_element_gave():
    for path in SHARED_ARCHIVE.iterdir():
        if path.suffix in (".md", ".txt"):
            e = read_entry(path)
            assert visible_text(e.title, e.html) == visible_text_searching_per_element(
                e.title, e.html
            ), path.name
