"""Tests of the fast path of bureau_data.text: it must give the nh3 path's text.

The reference is the nh3 path alone (``_nh3_path``), which ``html_to_text`` uses for
every fragment the fast path hands over.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bureau_data.assemblee import amendements as amendements_module
from bureau_data.assemblee import questions as questions_module
from bureau_data.fetch import fetch
from bureau_data.text import _fast_text, _nh3_path, html_to_text

# A "<" that starts a tag, an end tag, a comment or a declaration.
MARKUP_START = re.compile(r"<[a-zA-Z/!?]")


def nh3_reference(fragment: str) -> str | None:
    """Return the text of the nh3 path alone, which html_to_text used before the fast path."""
    return _nh3_path(fragment) or None


def outcome(function: Any, fragment: str) -> tuple[str, Any]:
    """Return ("text", result) or ("error", exception type), to compare two paths."""
    try:
        return "text", function(fragment)
    except Exception as exc:  # noqa: BLE001 - both paths must fail the same way
        return "error", type(exc)


def question_fragments() -> list[str]:
    return questions_module._html_fragments(fetch(questions_module.DATASETS[("QG", 15)]).path)


def amendement_fragments() -> list[str]:
    return amendements_module._html_fragments(fetch(amendements_module.DATASETS[17]).path)


@pytest.mark.parametrize(("read_fragments", "count", "fallbacks"), [
    (question_fragments, 1003, 8),
    (amendement_fragments, 5534, 38),
])
def test_archive_fragments_match_nh3(read_fragments, count, fallbacks):
    fragments = read_fragments()
    assert len(fragments) == count
    different = [fragment[:200] for fragment in fragments if html_to_text(fragment) != nh3_reference(fragment)]
    assert different == []
    # The fast path must carry the bulk of the archive, or it saves nothing.
    assert sum(_fast_text(fragment) is None for fragment in fragments) == fallbacks


FAST_CASES = [
    ("<p align=\"CENTER\">TITRE <a name=PG1></a></p><br><strong>M. le président. </strong>La parole",
     "TITRE\nM. le président. La parole"),
    ("<P STYLE='text-align: justify'>Alinéa</P><BR/>suite<br />fin", "Alinéa\nsuite\nfin"),
    ("a</p>b", "a\nb"),
    ("a</br>b", "a\nb"),
    ("<p/>a", "a"),
    ("<b>1<p>2</b>3</p>4", "1\n23\n4"),
    ("<a>1<p>2<a>3</a>4</p>", "1\n234"),
    ("<i>l&#x2019;article&#160;2</i> <sup>er</sup>", "l’article 2 er"),
    ("&#233;t&eacute; &apos;&quot;&nbsp;&gt;", "été '\" >"),
    ("e\u0301t\u00a0\u00a0e  \n  x", "ét e\nx"),
    ("&#xFFFE;", "\ufffe"),
    ("<span class=x>mot</span>", "mot"),
    # Characters that html5ever drops or changes, as the general normalisation does.
    ("a\r\nb\rc", "a\nb\nc"),
    ("a\x00b", "ab"),
    ("a\tb", "a b"),
    ("x\u202f: y", "x : y"),
    ("<p>a\x0b\x0cb</p>\u2028c", "ab\nc"),
]


@pytest.mark.parametrize(("fragment", "expected"), FAST_CASES)
def test_fast_path_cases(fragment, expected):
    assert _fast_text(fragment) == expected
    assert nh3_reference(fragment) == expected


# Each of these must reach nh3: an unknown tag, a comment, a "<" in an attribute value,
# a reference html5ever rewrites, a double escape, or a CR inside a tag or reference.
NH3_CASES = [
    "<script>alert(1)</script>x",
    "<!-- <p> -->x",
    "<p title=\"a<b>\">x</p>",
    "<p title='x'<b>>y",
    "<img src=x onerror=alert(1)>x",
    "a<td>b</td>c",
    "a</li>b",
    "<table>x<tr><td>y</td></tr></table>",
    "<ul><li>un</li><li>deux</li></ul>",
    "&amp;lt;script&amp;gt;alert(1)&amp;lt;/script&amp;gt;x",
    "&#60;b&#62;x",
    "&#0;x",
    "&#x80;x",
    "&#xD800;x",
    "&#x110000;x",
    "&#13;x",
    "&#9;x",
    "&notit;",
    "&ampx;",
    "&amp",
    "R&D",
    "<br\r>x",
    "&nbsp\r;",
    "<p a=\"x\"b=\"y\">z</p>",
    "<pre>x</pre>",
    "a < b",
    "\ufeffa",
    "&nbsp</u>;",
    "&am<i>p;",
    "<b<p style='margin:0'><BR>>x",
    "\x01&amp;",
]


@pytest.mark.parametrize("fragment", NH3_CASES)
def test_unusual_fragments_reach_nh3(fragment):
    assert _fast_text(fragment) is None
    assert html_to_text(fragment) == nh3_reference(fragment)


def test_lone_surrogate_raises_on_both_paths():
    assert outcome(html_to_text, "<p>a\ud800</p>") == ("error", UnicodeEncodeError)
    assert outcome(nh3_reference, "<p>a\ud800</p>") == ("error", UnicodeEncodeError)


# Pieces of the generated fragments: the fast path's tags written in several ways,
# references, and hostile pieces that must send the whole fragment to nh3.
TAG_PIECES = [
    "<p>", "</p>", "<P>", "<br>", "<br/>", "<br />", "</br>", "<BR>", "<p align=\"CENTER\">",
    "<p style='margin:0'>", "<a name=PG1>", "<a href=\"javascript:alert(1)\">", "</a>",
    "<strong>", "</strong>", "<i>", "</i>", "<b>", "</B>", "<em>", "</em>", "<u>", "</u>",
    "<sup>", "</sup>", "<sub>", "</sub>", "<span class=\"x\">", "</span>", "<p\nclass=x\n/>",
]
REFERENCE_PIECES = [
    "&#160;", "&#xA0;", "&nbsp;", "&#x00E9;", "&#233;", "&eacute;", "&#x2019;", "&apos;",
    "&amp;", "&lt;", "&gt;", "&quot;", "&#60;", "&#38;", "&#x0301;", "&#x202F;", "&#x2000;",
    "&#0;", "&#x80;", "&#x9F;", "&#xD800;", "&#x110000;", "&#xFFFE;", "&#9;", "&#13;", "&#1;",
    "&nbsp", "&amp", "&notit;", "&ampx;", "&Amp;", "&#x;", "&#;",
]
HOSTILE_PIECES = [
    "<script>alert(1)</script>", "<style>p{}</style>", "<!-- x -->", "<!--", "-->", "<!x>",
    "<?x?>", "</>", "<p title=\"<b>\">", "<p title='a>b'>", "<a href=x<y>", "<td>", "</td>",
    "<li>", "</li>", "<table>", "<tr>", "<div>", "</div>", "<img src=x onerror=alert(1)>",
    "&amp;lt;script&amp;gt;", "&amp;amp;lt;b&amp;amp;gt;", "&lt;b&gt;", "<", ">", "&", "<p", "<b",
    "\r", "\n", "\r\n", "\x00", "\t", "\u00a0", "\u2028", "\x85", "\ufeff",
]
TEXT = st.text(alphabet="ab é\u0301\u00a0\n;#x0123456789", max_size=6)
PIECE = st.one_of(
    st.sampled_from(TAG_PIECES), st.sampled_from(REFERENCE_PIECES),
    st.sampled_from(HOSTILE_PIECES), TEXT,
)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(PIECE, max_size=14).map("".join))
def test_generated_fragments_match_nh3(fragment):
    result = outcome(html_to_text, fragment)
    assert result == outcome(nh3_reference, fragment)
    if result[0] == "text" and result[1] is not None:
        assert MARKUP_START.search(result[1]) is None


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(st.sampled_from(TAG_PIECES), TEXT,
                          st.sampled_from(REFERENCE_PIECES[:12])), max_size=14).map("".join))
def test_generated_fast_fragments_match_nh3(fragment):
    # Fragments built only from what the fast path handles, so that it runs on most.
    fast = _fast_text(fragment)
    if fast is not None:
        assert (fast or None) == nh3_reference(fragment)
    assert html_to_text(fragment) == nh3_reference(fragment)
