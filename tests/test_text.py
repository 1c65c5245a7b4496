"""Tests of bureau_data.text: HTML fragments to safe plain text."""

from __future__ import annotations

import pytest

from bureau_data.text import escape_markdown, html_to_text

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
