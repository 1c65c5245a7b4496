"""French typographic spaces in the text of rendered pages.

French puts a space before ``? ! ; : %`` and inside « », and between a number and its
unit. Written as ordinary spaces, they let a line break before « ? » or after « «.
``french_spacing`` turns those ordinary spaces into no-break spaces in the text nodes
of an HTML or XML document. Tags, attribute values (URLs included) and comments stay as
they are, and so does the content of ``<code>``, ``<pre>``, ``<kbd>``, ``<samp>``,
``<script>``, ``<style>`` and ``<textarea>``. It only replaces spaces that are already
there and never adds one.
"""

from __future__ import annotations

import re

from bureau_data.french import NNBSP

NBSP = "\u00a0"  # no-break space: before « : », inside « »

# Elements whose text is code or data, left exactly as written.
_VERBATIM = {"code", "pre", "kbd", "samp", "script", "style", "textarea"}

_TOKEN = re.compile(r"<!--.*?-->|<[^>]*>", re.DOTALL)
_TAG_NAME = re.compile(r"<\s*(/?)\s*([A-Za-z][\w:-]*)")
_SPACE = r"[ \t\r\n]+"

# Units written after a number; the lookahead stops « 2 m » from matching « 2 millions ».
_UNITS = r"(?:Mds€|Md€|M€|k€|€|‰|km²|km|m²|m³|ha|kg|Mo|ko|Go|°C|min|h)(?![\w€²³])"

_RULES = (
    (re.compile(rf"{_SPACE}(?=[?!;%‰])"), NNBSP),
    (re.compile(rf"{_SPACE}(?=:)"), NBSP),
    (re.compile(rf"(?<=«){_SPACE}"), NBSP),
    (re.compile(rf"{_SPACE}(?=»)"), NBSP),
    (re.compile(rf"(?<=\d)[ \t]+(?={_UNITS})"), NNBSP),
    # Thousands written with ordinary spaces: « 1 234 567 ».
    (re.compile(r"(?<=\d) (?=\d{3}(?!\d))"), NNBSP),
)


def space_text(text: str) -> str:
    """Return ``text`` (one text node) with its French no-break spaces.

    Examples
    --------
    >>> space_text("Combien ? « Peu » : 10 % et 3 Md€.") == (
    ...     "Combien\\u202f? «\\u00a0Peu\\u00a0»\\u00a0: 10\\u202f% et 3\\u202fMd€.")
    True
    """
    for pattern, space in _RULES:
        text = pattern.sub(space, text)
    return text


def french_spacing(document: str) -> str:
    """Return an HTML or XML document with French no-break spaces in its text nodes.

    Examples
    --------
    >>> french_spacing('<p>Pourquoi ? <a href="https://x.fr/?q=1 !">lien</a></p><code>a : b</code>')
    '<p>Pourquoi\\u202f? <a href="https://x.fr/?q=1 !">lien</a></p><code>a : b</code>'
    """
    parts: list[str] = []
    verbatim_depth = 0
    position = 0
    for token in _TOKEN.finditer(document):
        text = document[position:token.start()]
        parts.append(text if verbatim_depth else space_text(text))
        parts.append(token.group(0))
        position = token.end()
        name = _TAG_NAME.match(token.group(0))
        if name and name.group(2).lower() in _VERBATIM and not token.group(0).endswith("/>"):
            verbatim_depth = max(0, verbatim_depth + (-1 if name.group(1) else 1))
    tail = document[position:]
    parts.append(tail if verbatim_depth else space_text(tail))
    return "".join(parts)
