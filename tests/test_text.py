"""Tests of bureau_data.text: HTML fragments to safe plain text."""

from __future__ import annotations

import random
import re
import unicodedata

import pytest

from bureau_data.text import _nh3_path, escape_markdown, html_to_text

HOSTILE = [
    ("<script>alert('x')</script>Texte", "Texte"),
    ("<img src=x onerror=alert(1)>Texte", "Texte"),
    ('<a href="javascript:alert(1)">lien</a>', "lien"),
    ('<p onclick="alert(1)" style="x">Alinéa</p>', "Alinéa"),
    ("&lt;script&gt;alert(1)&lt;/script&gt;reste", "reste"),
    ("&amp;lt;img src=x onerror=alert(1)&amp;gt;reste", "reste"),
    ("<svg onload=alert(1)><p>x</p></svg>", "x"),
    ("<!-- commentaire --><style>p{}</style>T", "T"),
    ("<iframe src='https://exemple.invalid'></iframe>T", "T"),
    ("<div><ul><li>un</li><li>deux <b>gras <i>italique</i></b></li></ul></div>", "un\ndeux gras italique"),
]


@pytest.mark.parametrize(("fragment", "expected"), HOSTILE)
def test_hostile_html_gives_plain_text(fragment, expected):
    text = html_to_text(fragment)
    assert text == expected
    assert "<" not in text
    assert "onerror" not in text
    assert "javascript" not in text


def test_entities_are_decoded():
    assert html_to_text("l&#8217;alin&eacute;a&#160;2 &amp; 3") == "l’alinéa 2 & 3"


def test_text_comparisons_survive():
    assert html_to_text("a < b et c > d") == "a < b et c > d"


def test_blocks_become_lines():
    fragment = "</p><p align=\"CENTER\"> TITRE <a name=PG1></a> </p><br><strong>M. le président. </strong>La parole"
    assert html_to_text(fragment) == "TITRE\nM. le président. La parole"


def test_spaces_are_normalised():
    assert html_to_text("<p>  un\u00a0\u00a0deux\t trois </p>") == "un deux trois"


def test_deep_escaping_leaves_no_tag():
    fragment = "&amp;amp;amp;amp;amp;amp;amp;amp;amp;amp;lt;b&amp;amp;amp;amp;amp;amp;amp;amp;amp;amp;gt;"
    assert "<" not in html_to_text(fragment)


@pytest.mark.parametrize("value", [None, float("nan"), 3, "", "   ", "<p> </p>"])
def test_empty_values_give_none(value):
    assert html_to_text(value) is None


def test_markdown_escape_blocks_links_and_html():
    escaped = escape_markdown("[clic](javascript:alert(1)) <b>*x*</b>")
    assert escaped == r"\[clic\]\(javascript:alert\(1\)\) &lt;b&gt;\*x\*&lt;/b&gt;"


def test_escaped_ampersand_is_kept():
    assert html_to_text("AT&amp;T &amp;amp; fils") == "AT&T & fils"


def test_escaped_no_break_space_is_decoded():
    assert html_to_text("un&amp;nbsp;deux&amp;#160;trois") == "un deux trois"


def test_line_ends_and_controls_are_normalised():
    assert html_to_text("un\r\ndeux\rtrois\x00\x0b quatre&#13;cinq") == "un\ndeux\ntrois quatre\ncinq"


def test_escaped_comment_leaves_no_markup():
    text = html_to_text("&lt;!-- &lt;img src=x onerror=alert(1)&gt; --&gt;suite")
    assert text == "suite"


def test_table_cells_become_lines():
    fragment = "<table><tbody><tr><td>Crédits</td><td>10&#160;000</td></tr></tbody></table>"
    assert html_to_text(fragment) == "Crédits\n10 000"


def test_space_runs_around_lines_collapse():
    assert html_to_text(" a \u00a0 b \u00a0\n \n\n  c  ") == "a b\nc"
    assert html_to_text(" a \u00a0\t b \u202f\n \n\n  c  ") == "a b\nc"


def test_decomposed_accents_become_nfc():
    assert html_to_text("<p>Re\u0301publique</p>") == "République"


# Tokens for the comparison with the reference conversion below: hostile tags, tags that
# change how the HTML parser reads what follows (raw text, tables, foreign content),
# entities escaped once, twice or badly, and every kind of space and line end.
_TOKENS = [
    "<p>", "</p>", "<br>", "<br/>", "</br>", "<div>", "</div>", "<li>", "<ul>", "</li>",
    "<table>", "<tr>", "<td>", "</td>", "</table>", "<b>", "</b>", "<i>", "<strong>",
    '<a href="javascript:x">', "</a>", "<script>", "</script>", "<style>", "</style>",
    "<textarea>", "</textarea>", "<title>", "<!--", "-->", "<!-- c -->", "<pre>", "</pre>",
    "\n", "\r\n", "\r", "\x00", "\x0b", "\u00a0", "\u202f", "\u2028", " ", "  ", "\t",
    "&amp;", "&lt;", "&gt;", "&amp;lt;", "&amp;gt;", "&amp;amp;lt;", "&nbsp;", "&#160;",
    "&#x00E9;", "&eacute;", "&notit;", "&#0;", "&#x80;", "&", "<", ">", "abc", "é",
    "e\u0301", "x < y", "<img src=x onerror=alert(1)>", "<svg><p>", "</svg>", "<math>",
    "<![CDATA[x]]>", "<?php x ?>", "<plaintext>", '<p align="CENTER">', "<a name=PG1>",
    "<noscript>", "<template>", "</template>", "<xmp>", "<iframe>", "'", '"', "=", "/",
    "<p\n>", "< p>", "<3",
]


def _reference_html_to_text(value: str) -> str | None:
    """Convert like html_to_text, the slow way: nh3, then html.parser, until stable."""
    import unicodedata
    from html.parser import HTMLParser

    import nh3

    from bureau_data.text import BLOCK_TAGS, DROPPED_CONTENT_TAGS, MAX_PASSES

    class Collector(HTMLParser):
        def __init__(self) -> None:
            super().__init__(convert_charrefs=True)
            self.parts: list[str] = []

        def handle_starttag(self, tag, attrs):
            if tag in BLOCK_TAGS:
                self.parts.append("\n")

        def handle_endtag(self, tag):
            if tag in BLOCK_TAGS:
                self.parts.append("\n")

        def handle_data(self, data):
            self.parts.append(data)

    text = value
    for _ in range(MAX_PASSES):
        cleaned = nh3.clean(text, tags=set(BLOCK_TAGS), clean_content_tags=set(DROPPED_CONTENT_TAGS),
                            attributes={}, strip_comments=True, link_rel=None)
        collector = Collector()
        collector.feed(cleaned)
        collector.close()
        converted = "".join(collector.parts)
        if converted == text:
            break
        text = converted
    else:
        text = text.replace("<", "‹").replace(">", "›")
    text = unicodedata.normalize("NFC", text)
    text = re.sub(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]", "", text).replace("\r\n", "\n").replace("\r", "\n")
    lines = (re.sub(r"[^\S\n]+", " ", line).strip() for line in text.split("\n"))
    return "\n".join(line for line in lines if line) or None


def test_conversion_matches_reference_on_random_fragments():
    rnd = random.Random(20261204)
    fragments = ["".join(rnd.choice(_TOKENS) for _ in range(rnd.randint(1, 14))) for _ in range(3000)]
    mismatches = [(f, html_to_text(f), _reference_html_to_text(f)) for f in fragments
                  if html_to_text(f) != _reference_html_to_text(f)]
    assert mismatches == []
    for fragment in fragments:
        text = html_to_text(fragment)
        if text is not None:
            assert not re.search(r"</?[a-zA-Z]|<!--", text), fragment
            assert html_to_text(text) == text, fragment


@pytest.mark.parametrize(("fragment", "expected"), [
    # Deleting U+0001 would join "<" and "b7" into a tag.
    ("7<sup>é<</sup>&#1;</B>b7", "7é"),
    ("&lt;&#1;script&gt;alert(1)&lt;/script&gt;x", None),
    ("a &lt;&#11;!-- c --&gt; b", "a b"),
    # NFC turns the Kelvin sign U+212A into the letter K.
    ("<\u212aBD>x", "x"),
])
def test_normalisation_creates_no_tag(fragment, expected):
    assert html_to_text(fragment) == expected


@pytest.mark.parametrize("fragment", [
    "e\x00\u0301", "e\x01\u0301", "e&#1;\u0301", "e\x7f\u0301", "e\x0b\u0301",
    "<p>Ope\x00\u0301ration</p>", "<b>e\x00\u0301</b><script>x</script>",
])
def test_controls_before_combining_mark(fragment):
    text = html_to_text(fragment)
    assert text == unicodedata.normalize("NFC", text)
    assert "\u00e9" in text
    assert text == (_nh3_path(fragment) or None)
