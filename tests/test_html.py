"""The archive's HTML serialization rules, one by one."""

from __future__ import annotations

import lxml.html
import pytest

from newsspider.page.html import serialize, to_archive_html


def one(html: str) -> str:
    return serialize(lxml.html.fragment_fromstring(html))


@pytest.mark.parametrize(
    ("page", "archived"),
    [
        ('<span class="x" data-root-share></span>', "<span data-root-share></span>"),
        ('<img src="a.jpg" sizes="" alt>', '<img src="a.jpg" sizes="" alt>'),
        (
            '<source type="image/webp" srcset="a 1x, b 2x" sizes="(max-width: 9px) 9px"/>',
            '<source type="image/webp" srcset="a 1x, b 2x" sizes="(max-width: 9px) 9px">',
        ),
        (
            '<a href="x?a=1&amp;b=2" title="say &quot;hi&quot; &lt;3">t</a>',
            '<a href="x?a=1&amp;b=2" title="say &quot;hi&quot; &lt;3">t</a>',
        ),
        ("<p>“引号”\u00a0\u3000&amp; a&lt;b</p>", "<p>“引号”\u00a0\u3000&amp; a&lt;b</p>"),
        (
            '<div aria-label="x" style="a:b" data-x="1" v-on:open="m"></div>',
            '<div style="a:b" data-x="1" v-on:open="m"></div>',
        ),
        (
            '<svg viewBox="0 0 9 9"><path d="M0"/><g><path d="M1"/></g></svg>',
            '<svg viewBox="0 0 9 9"><path d="M0"/><g><path d="M1"/></g></svg>',
        ),
        (
            '<p onclick="x()">a<script>bad()</script><!-- note --><a href="javascript:x">b</a></p>',
            "<p>a<a>b</a></p>",
        ),
        (
            '<iframe src="https://www.youtube.com/embed/x" srcdoc="<b>x</b>" allowfullscreen>'
            "</iframe>",
            '<iframe src="https://www.youtube.com/embed/x" allowfullscreen></iframe>',
        ),
        ('<iframe src="javascript:alert(1)"></iframe>', "<iframe></iframe>"),
    ],
    ids=[
        "valueless",
        "empty-vs-valueless",
        "void-no-slash",
        "escapes-in-attributes",
        "raw-text",
        "class-aria-dropped",
        "svg-case",
        "sanitized",
        "players-kept",
        "player-sanitized",
    ],
)
def test_serialization_rules(page, archived):
    assert one(page) == archived


def test_children_nested_in_an_unclosed_source_become_siblings():
    picture = lxml.html.fragment_fromstring('<picture><source srcset="a"><img src="b"></picture>')
    assert serialize(picture) == '<picture><source srcset="a"><img src="b"></picture>'


def test_trim_and_join_keeps_spaces_inside_a_line_and_drops_indentation():
    html = '<p class="t-content__chapo">\n        lead text        </p>\n    <div>\n  x</div>'
    assert (
        to_archive_html([html]) == '<p class="t-content__chapo">lead text        </p><div>x</div>'
    )


def test_trim_keeps_leading_nbsp_and_ideographic_space():
    assert to_archive_html(["<p>\n\u3000\u3000段首\u00a0</p>"]) == "<p>\u3000\u3000段首\u00a0</p>"
