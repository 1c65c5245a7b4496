"""Turn the HTML fragments of official records into safe plain text.

The Assemblée nationale publishes amendment texts, answers to questions and
déport explanations as HTML fragments, sometimes with entities escaped twice
(``&amp;lt;p&amp;gt;``). ``html_to_text`` gives plain text that contains no HTML
tag or comment, whatever the input: the sanitiser is nh3 (the Rust
``ammonia`` library, built on the html5ever parser), never a regular expression.

Plain text is still text: before putting it inside HTML, escape it
(``html.escape``), and before putting it inside Markdown, use ``escape_markdown``.
"""

from __future__ import annotations

import re
import unicodedata
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
# Control characters, carriage returns and every whitespace character (str.isspace)
# other than the space, the no-break space and the line break.
_UNUSUAL = re.compile(
    r"[\x00-\x08\t\x0b-\x1f\x7f\x85\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]"
)
# Two spaces or more. The pattern starts with two literal spaces so that the regular
# expression engine searches for them as a string, much faster than for " {2,}".
_SPACE_RUN = re.compile("   *")
# A line break followed by spaces and more line breaks.
_LINE_BREAK_RUN = re.compile("\n[ \n]*")
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|~])")


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


def _normalise_space(text: str) -> str:
    if not text.isascii():
        text = unicodedata.normalize("NFC", text)
    if _UNUSUAL.search(text) is None:
        # Only spaces, no-break spaces and line breaks: two regular expressions and
        # two replacements give the result of the general case below, in half the time
        # on the archives' texts.
        text = _SPACE_RUN.sub(" ", text.replace("\u00a0", " "))
        return _LINE_BREAK_RUN.sub("\n", text).replace(" \n", "\n").strip(" \n")
    text = _CONTROL.sub("", text).replace("\r\n", "\n").replace("\r", "\n")
    # str.split() without an argument splits at the characters that regular
    # expressions call \s.
    lines = [" ".join(line.split()) for line in text.split("\n")]
    return "\n".join(line for line in lines if line)


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
    text = value
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
    text = _normalise_space(text)
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
