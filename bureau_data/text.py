"""Turn the HTML fragments of official records into safe plain text.

The Assemblée nationale publishes amendment texts, answers to questions and
déport explanations as HTML fragments, sometimes with entities escaped twice
(``&amp;lt;p&amp;gt;``). ``html_to_text`` gives plain text that contains no HTML
tag or comment, whatever the input.

Two paths give the same text. Most official fragments use only a few harmless
tags (``p``, ``br``, ``strong``, ``i``, ``a``...) with well-formed attributes and
plain character references: for them, compiled regular expressions remove the
tags and a lookup table decodes the references (the fast path). Any other fragment
goes whole through nh3 (the Rust ``ammonia`` library, built on the html5ever
parser). The fast path gives up as soon as one ``<`` or ``&`` is left that it did
not remove or decode, so a tag or comment it does not know always reaches nh3.
A test compares both paths on every fragment of the amendment and question
archives and on generated hostile fragments.

Plain text is still text: before putting it inside HTML, escape it
(``html.escape``), and before putting it inside Markdown, use ``escape_markdown``.
"""

from __future__ import annotations

import html.entities
import re
import unicodedata
from itertools import repeat
from typing import Any

import nh3

# Tags whose boundaries become line breaks, so that "<p>a</p><p>b</p>" gives "a\nb"
# and not "ab". Every other tag is removed and its text kept.
BLOCK_TAGS = frozenset({
    "address", "article", "blockquote", "br", "dd", "div", "dl", "dt", "figcaption",
    "footer", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr", "li", "ol", "p", "pre",
    "section", "table", "tbody", "td", "tfoot", "th", "thead", "tr", "ul",
})
# Tags removed together with their content: code and styles are not text.
DROPPED_CONTENT_TAGS = frozenset({"script", "style", "template", "noscript", "iframe", "object"})

# Entities escaped twice or more are decoded by repeated passes; this bounds the passes.
MAX_PASSES = 8

# One cleaner for every call: nh3.clean builds a new one each time, which took a
# third of the cleaning time on the amendment and question archives.
_CLEANER = nh3.Cleaner(
    tags=set(BLOCK_TAGS),
    clean_content_tags=set(DROPPED_CONTENT_TAGS),
    attributes={},
    strip_comments=True,
    link_rel=None,
)
# The cleaner's output is serialised by html5ever: its only tags are the block tags,
# without attributes, and its text escapes only "&", U+00A0, "<" and ">". So a tag
# ends at the first ">" and four replacements decode the text ("&nbsp;" first, see
# _one_pass).
_CLEAN_TAG = re.compile(r"<[^>]*>")
_SERIALISER_ENTITIES = (("&lt;", "<"), ("&gt;", ">"), ("&amp;", "&"))

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# Control characters, carriage returns, every whitespace character (str.isspace)
# other than the space, the no-break space and the line break, and lone surrogates.
_UNUSUAL = re.compile(
    "[\x00-\x08\t\x0b-\x1f\x7f\x85\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ud800-\udfff]"
)
_SURROGATE = re.compile("[\ud800-\udfff]")
# Two spaces or more. The pattern starts with two literal spaces so that the regular
# expression engine searches for them as a string, much faster than for " {2,}".
_SPACE_RUN = re.compile("   *")
# A line break followed by spaces and more line breaks.
_LINE_BREAK_RUN = re.compile("\n[ \n]*")
# A "<" that the HTML tokenizer reads as the start of a tag, an end tag, a comment or
# a declaration.
_MARKUP_START = re.compile(r"<[a-zA-Z/!?]")
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|~])")

# --- The fast path ------------------------------------------------------------------
# It handles the fragments whose only tags are p and br (line breaks) and the inline
# tags below (removed, text kept), outside any table, list or other block. In the
# "in body" mode of the html5ever tree builder, each of these tags gives the same
# line break, or none, at the same place in the text as nh3 followed by _one_pass.
# "<p>" and "</p>" always create a p element (an empty one for a "</p>" without
# "<p>"), "<br>" and "</br>" a br element, and the inline tags only wrap text. Other block
# tags are left to nh3, because html5ever ignores some of them (a "</li>" with no
# open li, a "<td>" outside a table) and moves text out of tables.
# NOTE: tests/test_text_fast.py checks this equivalence against the installed nh3
# (0.3.8 when the fast path was written); rerun it after upgrading nh3.

# Whitespace as the HTML tokenizer defines it (after it has turned CR into LF).
_HTML_SPACE = "[ \t\n\f]"
# Attributes with quoted values free of "<" and ">", or unquoted values, then ">" or
# "/>". A tag written any other way keeps its "<", which sends the fragment to nh3.
_ATTRIBUTES = (
    rf"(?:{_HTML_SPACE}+[a-zA-Z_:][-a-zA-Z0-9_:.]*"
    rf"(?:{_HTML_SPACE}*={_HTML_SPACE}*(?:\"[^\"<>]*\"|'[^'<>]*'|[^ \t\n\f\"'<>=`]+))?)*"
    rf"{_HTML_SPACE}*/?>"
)
# One expression for both kinds of tags, so that removing one tag cannot join the
# pieces around it into another ("<b<p>>" is one tag for html5ever). The group
# captures the p and br tags, which become line breaks. Tag names are matched
# case-insensitively with character classes, which the regular expression engine
# runs faster than the IGNORECASE flag.
_FAST_TAG = re.compile(
    r"<(?:(/?(?:[pP]|[bB][rR]))"
    r"|/?(?:[sS][tT][rR][oO][nN][gG]|[eE][mM]|[sS][uU][pPbB]|[sS][pP][aA][nN]|[abiuABIU]))"
    rf"(?:>|(?={_HTML_SPACE}|/){_ATTRIBUTES})"
)
# The text that replaces each tag split out by _FAST_TAG: "\n" for p and br (any
# group value), nothing for the inline tags (group None), or _SEPARATOR when the
# fragment contains references. The separator keeps "&nbsp<i>;" from becoming
# "&nbsp;" once the tag is gone, because html5ever reads "&nbsp" alone there.
_SEPARATOR = "\x01"
_INLINE_REMOVED: dict[str | None, str] = {None: ""}
_INLINE_SEPARATED: dict[str | None, str] = {None: _SEPARATOR}
# Character references that end with ";". Others ("&amp" alone, "&D") stay in the text
# and send the fragment to nh3.
_FAST_REFERENCE = re.compile(r"(&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[a-zA-Z][a-zA-Z0-9]{0,31});)")
# Decoded references, filled as they are met. A few dozen distinct references cover
# the archives, and the bound keeps hostile input from growing the table without limit.
_REFERENCE_TEXT: dict[str, str] = {}
_MAX_CACHED_REFERENCES = 4096


def _decode_reference(reference: str) -> str | None:
    """Return the text of one reference as html5ever decodes it, or None to use nh3."""
    name = reference[1:]
    if not name.startswith("#"):
        # The HTML5 table of named references, which html5ever also uses.
        return html.entities.html5.get(name)
    digits = name[1:-1]
    code = int(digits[1:], 16) if digits[0] in "xX" else int(digits)
    # html5ever replaces 0, surrogates and numbers above U+10FFFF with U+FFFD, and
    # 0x80-0x9F with Windows-1252 characters. Control characters go to the nh3 path
    # anyway, and U+0001 would be taken for _SEPARATOR.
    if code < 0x20 or 0x7F <= code <= 0x9F or 0xD800 <= code <= 0xDFFF or code > 0x10FFFF:
        return None
    return chr(code)


def _decode_references(text: str) -> str | None:
    # The two most frequent references of the amendment archive, about 126,000 of
    # its 200,000, cost less through str.replace than through the split below. Each
    # occurrence of these strings is a whole reference, since a reference starts at "&".
    text = text.replace("&#160;", "\u00a0").replace("&#x00E9;", "\u00e9")
    if "&" not in text:
        return text
    # Split at the other references and decode them with one C-level map over a
    # dict, rather than a Python callback for each reference.
    parts = _FAST_REFERENCE.split(text)
    references = parts[1::2]
    table = _REFERENCE_TEXT
    unknown = set(references).difference(table)
    if unknown:
        if len(table) + len(unknown) > _MAX_CACHED_REFERENCES:
            table = dict(table)
        for reference in unknown:
            decoded = _decode_reference(reference)
            if decoded is None:
                return None
            table[reference] = decoded
    parts[1::2] = map(table.__getitem__, references)
    return "".join(parts)


def _fast_text(fragment: str) -> str | None:
    """Return ``html_to_text``'s text for a fragment of the fast path, None for any other."""
    if fragment.startswith("\ufeff"):
        # html5ever drops a byte order mark at the start of its input.
        return None
    has_references = "&" in fragment
    if has_references and _SEPARATOR in fragment:
        return None

    parts = _FAST_TAG.split(fragment)
    replacements = _INLINE_SEPARATED if has_references else _INLINE_REMOVED
    # dict.get with "\n" as default maps every tag in C, with no Python call per tag.
    parts[1::2] = map(replacements.get, parts[1::2], repeat("\n"))
    text = "".join(parts)
    if "<" in text:
        return None

    if has_references:
        decoded = _decode_references(text)
        # A "<" or "&" left now ("&amp;lt;", "&#60;", "&D") would make the nh3 path
        # parse the text again.
        if decoded is None or "<" in decoded or "&" in decoded:
            return None
        text = decoded.replace(_SEPARATOR, "")

    if _UNUSUAL.search(text) is None:
        return _normalise_usual_space(_nfc(text))
    if _SURROGATE.search(text) is not None:
        # nh3 rejects lone surrogates with UnicodeEncodeError: let the nh3 path raise it.
        return None
    # html5ever drops NUL characters from the text and turns CR and CRLF into LF. The
    # general normalisation deletes NUL and turns CR into LF too, so both paths agree.
    # No "<" is left here that deleting a control character could join to a letter.
    return _normalise_unusual_space(text)


def _one_pass(fragment: str) -> str:
    # nh3 keeps only the block tags, without any attribute, and drops scripts, styles
    # and comments with their content. Each remaining tag becomes a line break, then
    # the serialiser's entities are decoded ("&amp;" last, so "&amp;lt;" gives "&lt;").
    text = _CLEAN_TAG.sub("\n", _CLEANER.clean(fragment))
    # "&nbsp;" is the only common entity: once it is decoded, most texts contain no
    # "&" left, and one search replaces three replacements.
    text = text.replace("&nbsp;", "\u00a0")
    if "&" in text:
        for entity, character in _SERIALISER_ENTITIES:
            text = text.replace(entity, character)
    return text


def _normalise_usual_space(text: str) -> str:
    # The result of _normalise_space for an NFC text with no control character and no
    # whitespace other than spaces, no-break spaces and line breaks: two regular
    # expressions and two replacements, in half the time of the general case.
    text = _SPACE_RUN.sub(" ", text.replace("\u00a0", " "))
    return _LINE_BREAK_RUN.sub("\n", text).replace(" \n", "\n").strip(" \n")


def _nfc(text: str) -> str:
    return text if text.isascii() else unicodedata.normalize("NFC", text)


def _normalise_space(text: str) -> str:
    if _UNUSUAL.search(text) is None:
        return _normalise_usual_space(_nfc(text))
    return _normalise_unusual_space(text)


def _normalise_unusual_space(text: str) -> str:
    # Control characters go before the NFC step, so that a letter and a combining mark
    # that a control character separated ("e\x01\u0301") are composed into one ("é").
    text = _nfc(_CONTROL.sub("", text).replace("\r\n", "\n").replace("\r", "\n"))
    # str.split() without an argument splits at the characters that regular
    # expressions call \s.
    lines = [" ".join(line.split()) for line in text.split("\n")]
    return "\n".join(line for line in lines if line)


def _nh3_text(fragment: str) -> str:
    """Return the text of ``fragment`` through nh3, before spaces are normalised."""
    text = fragment
    for _ in range(MAX_PASSES):
        converted = _one_pass(text)
        if converted == text:
            break
        text = converted
        # With no "<" and no "&" left, no tag or entity can remain: another pass would
        # change nothing but line ends and NUL characters, which are normalised below.
        if "<" not in text and "&" not in text:
            break
    else:
        # Still changing after MAX_PASSES: escape what is left so no tag can survive.
        text = text.replace("<", "‹").replace(">", "›")
    return text


def _nh3_path(fragment: str) -> str:
    """Return ``html_to_text``'s text through nh3, for any fragment."""
    text = _normalise_space(_nh3_text(fragment))
    # Deleting control characters and composing characters (NFC) can join a "<" to
    # what follows: "<&#1;b" gives "<\x01b", then "<b". Convert such text again,
    # until nh3 finds nothing to change ("a </" at the end is text for html5ever).
    for _ in range(MAX_PASSES):
        if "<" not in text or _MARKUP_START.search(text) is None:
            return text
        converted = _normalise_space(_nh3_text(text))
        if converted == text:
            return text
        text = converted
    return text.replace("<", "‹").replace(">", "›")


def html_to_text(value: Any) -> str | None:
    """Convert an HTML fragment to plain text with no markup left in it.

    Tags are removed (their text is kept), ``<script>``, ``<style>`` and similar
    elements are removed with their content, attributes (event handlers, ``href``,
    ``src``) disappear with their tags, and entities are decoded. The conversion is
    repeated while the text still changes and contains ``<`` or ``&``, so entities
    escaped twice cannot turn into tags. Block elements (``p``, ``br``, ``li``, ``tr``...) become line breaks;
    runs of spaces, including no-break spaces, become one space; empty lines are
    removed and the text is in Unicode NFC form.

    Parameters
    ----------
    value : str or None
        The fragment. ``None``, NaN and non-string values give ``None``.

    Returns
    -------
    str or None
        The plain text, or ``None`` when nothing but markup or space was left.

    Examples
    --------
    >>> html_to_text("<p>Supprimer l&#8217;alin&eacute;a&#160;2.</p><script>alert(1)</script>")
    'Supprimer l’alinéa 2.'
    >>> html_to_text("<p>a</p><p>b &amp;lt;b&amp;gt;</p>")
    'a\\nb'
    """
    if not isinstance(value, str):
        return None
    text = _fast_text(value)
    if text is None:
        text = _nh3_path(value)
    return text or None


def escape_markdown(text: str) -> str:
    """Escape ``text`` so that Markdown shows it literally (no link, emphasis or HTML).

    Use it when an article quotes a text field inside a Markdown cell.

    Examples
    --------
    >>> escape_markdown("[clic](javascript:alert(1)) <b>")
    '\\\\[clic\\\\]\\\\(javascript:alert\\\\(1\\\\)\\\\) &lt;b&gt;'
    """
    escaped = _MARKDOWN_SPECIAL.sub(r"\\\1", text)
    return escaped.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
