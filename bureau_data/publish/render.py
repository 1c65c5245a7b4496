"""Rendering of an executed notebook as an article page, with nbconvert and our template.

The exporter is nbconvert's ``HTMLExporter`` with the toolkit's own template
(``templates/bureau``) and Jinja autoescaping turned on. The ``TagRemovePreprocessor``
is configured on that same exporter. A preprocessor moves every image output to a
file of its own, with its alternative text, caption and chart data. Markdown
cells and HTML outputs pass through nh3 before they reach the page.

Outputs that would show Python internals are dropped with a warning: a bare object
repr (``Text(0.5, 1.0, 'Titre')``, ``<Figure size 640x480 with 1 Axes>``) and any
JavaScript output, since the pages run no script. Numbers in pandas tables are
rewritten the French way: decimal comma, narrow no-break space between thousands,
minus sign.
"""

from __future__ import annotations

import base64
import logging
import math
import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import markupsafe
import nh3
from nbconvert import HTMLExporter
from nbconvert.preprocessors import Preprocessor
from nbformat import NotebookNode
from traitlets.config import Config

from bureau_data.french import MINUS, NNBSP
from bureau_data.publish.execute import strip_ansi
from bureau_data.publish.metadata import ArticleMeta
from bureau_data.publish.site import (
    CONTENT_SECURITY_POLICY,
    TEMPLATE_NAME,
    TEMPLATES_DIR,
    check_template,
    format_date_fr,
)
from bureau_data.publish.typography import french_spacing

logger = logging.getLogger(__name__)

WORDS_PER_MINUTE = 200
_NBCONVERT_ALT = "No description has been provided for this image"

_IMAGE_TYPES = {"image/png": "png", "image/jpeg": "jpg", "image/svg+xml": "svg"}

_SAFE_TAGS = set(nh3.ALLOWED_TAGS) - {"center", "map", "area"}
_SAFE_ATTRIBUTES: dict[str, set[str]] = {
    tag: set(attributes) for tag, attributes in nh3.ALLOWED_ATTRIBUTES.items()
}
_SAFE_ATTRIBUTES.setdefault("*", set()).update({"class", "id", "title", "lang"})
_SAFE_ATTRIBUTES.setdefault("a", set()).update({"href", "title"})

_HEADING = re.compile(r"<(/?)h([1-6])\b")
_MARKDOWN_HEADING = re.compile(r"^ {0,3}(#{1,6})[ \t]", re.MULTILINE)

CELL_NUMBER_KEY = "bureau_data_cell"  # cell metadata: the cell's number from 1, as in JupyterLab

# One Python object repr: ``<Figure size 640x480 with 1 Axes>``, ``<Axes: >``,
# ``<matplotlib.lines.Line2D at 0x7f…>``, or a constructor-like ``Text(0.5, 1.0, 'x')``.
_REPR_ITEM = r"(?:<[A-Za-z_][\w.]*(?:[ :][^<>]*)?>|[A-Z]\w*\((?:[^()]|\([^()]*\))*\))"
_OBJECT_REPR = re.compile(
    rf"{_REPR_ITEM}|\[\s*(?:{_REPR_ITEM}\s*,\s*)*{_REPR_ITEM}\s*,?\s*\]"
    rf"|\(\s*(?:{_REPR_ITEM}\s*,\s*)*{_REPR_ITEM}\s*,?\s*\)",
    re.DOTALL,
)
_REPR_SHOWN = 60  # characters of a dropped repr quoted in the warning

_DATAFRAME_TABLE = re.compile(r"<table\b[^>]*\bclass=\"[^\"]*\bdataframe\b[^\"]*\"[^>]*>.*?</table>", re.DOTALL)
_TABLE_BODY = re.compile(r"(<tbody\b[^>]*>)(.*?)(</tbody>)", re.DOTALL)
_TABLE_ROW = re.compile(r"<tr\b[^>]*>.*?</tr>", re.DOTALL)
_DATA_CELL = re.compile(r"(<td\b[^>]*>)(.*?)(</td>)", re.DOTALL)
_PANDAS_NUMBER = re.compile(r"(\s*)(-?)(\d+)(?:\.(\d+))?(e[+-]\d+)?(\s*)")


def sanitize_html(text: str) -> markupsafe.Markup:
    """Return ``text`` with scripts, event handlers, styles and unsafe URLs removed.

    Parameters
    ----------
    text : str
        HTML from a notebook output or markdown cell.

    Returns
    -------
    markupsafe.Markup
        The cleaned HTML, marked safe for the Jinja templates. Links get
        ``rel="noopener noreferrer"``.

    Examples
    --------
    >>> html = '<p onclick="x()">Texte <script>alert(1)</script><a href="javascript:x()">lien</a></p>'
    >>> sanitize_html(html)
    Markup('<p>Texte <a rel="noopener noreferrer">lien</a></p>')
    """
    cleaned = nh3.clean(
        text,
        tags=_SAFE_TAGS,
        attributes=_SAFE_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer",
    )
    return markupsafe.Markup(cleaned)  # noqa: S704 - the text was just sanitised by nh3


def shift_headings(text: str, shift: int) -> str:
    """Move every heading of ``text`` down by ``shift`` levels (at most ``h6``).

    Parameters
    ----------
    text : str
        HTML.
    shift : int
        Levels to add; 0 or less returns ``text`` unchanged.

    Returns
    -------
    str

    Examples
    --------
    >>> shift_headings("<h1>Titre</h1><h6>Note</h6>", 1)
    '<h2>Titre</h2><h6>Note</h6>'
    """
    if shift <= 0:
        return text
    return _HEADING.sub(lambda m: f"<{m.group(1)}h{min(6, int(m.group(2)) + shift)}", text)


def slugify(text: str) -> str:
    """Return a file-name-safe slug of ``text`` (lowercase ASCII, digits, dashes).

    Parameters
    ----------
    text : str

    Returns
    -------
    str
        Possibly empty when ``text`` has no ASCII letter or digit.

    Examples
    --------
    >>> slugify("Dépenses de l'État (2025)")
    'depenses-de-l-etat-2025'
    """
    import unicodedata

    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")


def is_object_repr(text: str) -> bool:
    """Return whether ``text`` is only a Python object repr, or a list or tuple of them.

    Parameters
    ----------
    text : str
        The ``text/plain`` of an output.

    Returns
    -------
    bool

    Examples
    --------
    >>> is_object_repr("<Axes: title={'center': 'Sièges'}>")
    True
    >>> is_object_repr("[<matplotlib.lines.Line2D at 0x7f>]"), is_object_repr("42")
    (True, False)
    """
    return _OBJECT_REPR.fullmatch(text.strip()) is not None


def _french_number(match: re.Match[str], group_thousands: bool) -> str:
    before, sign, integer, fraction, exponent, after = match.groups()
    if group_thousands and not exponent and len(integer) > 3:
        head = len(integer) % 3 or 3
        integer = NNBSP.join([integer[:head]] + [integer[i:i + 3] for i in range(head, len(integer), 3)])
    text = integer + ("," + fraction if fraction else "") + (exponent or "")
    return before + (MINUS if sign else "") + text + after


def french_tables(html_text: str) -> markupsafe.Markup:
    """Rewrite the numbers of pandas tables (``class="dataframe"``) the French way.

    Only data cells (``<td>``) holding nothing but a number change: ``1234567.891``
    becomes ``1 234 567,891`` and ``-12.5`` becomes ``−12,5``, keeping the digits
    pandas chose. A column whose numbers all have four digits or fewer before the
    decimal point is not grouped by thousands, so years stay ``2024``.

    Parameters
    ----------
    html_text : str
        HTML of an output, possibly with several tables.

    Returns
    -------
    markupsafe.Markup

    Examples
    --------
    >>> html = ('<table class="dataframe"><tbody><tr><td>2024</td><td>1234567.891</td></tr>'
    ...         '<tr><td>2025</td><td>-12.5</td></tr></tbody></table>')
    >>> import re
    >>> re.findall(r"<td>(.*?)</td>", str(french_tables(html)))
    ['2024', '1\\u202f234\\u202f567,891', '2025', '−12,5']
    """

    def table(match: re.Match[str]) -> str:
        return _TABLE_BODY.sub(body, match.group(0))

    def body(match: re.Match[str]) -> str:
        rows = [[cell.group(2) for cell in _DATA_CELL.finditer(row.group(0))]
                for row in _TABLE_ROW.finditer(match.group(2))]
        # Columns are counted from the right, because multi-index rows have fewer <th>.
        widest: dict[int, int] = {}
        for cells in rows:
            for position, content in enumerate(reversed(cells)):
                number = _PANDAS_NUMBER.fullmatch(content)
                if number:
                    widest[position] = max(widest.get(position, 0), len(number.group(3)))

        def row(row_match: re.Match[str]) -> str:
            cells = list(_DATA_CELL.finditer(row_match.group(0)))
            positions = {cell.start(): len(cells) - 1 - index for index, cell in enumerate(cells)}

            def cell(cell_match: re.Match[str]) -> str:
                number = _PANDAS_NUMBER.fullmatch(cell_match.group(2))
                if number is None:
                    return cell_match.group(0)
                grouped = widest.get(positions[cell_match.start()], 0) > 4
                return cell_match.group(1) + _french_number(number, grouped) + cell_match.group(3)

            return _DATA_CELL.sub(cell, row_match.group(0))

        return match.group(1) + _TABLE_ROW.sub(row, match.group(2)) + match.group(3)

    return markupsafe.Markup(_DATAFRAME_TABLE.sub(table, str(html_text)))  # noqa: S704 - digits and spaces only


class RawOutputPreprocessor(Preprocessor):  # type: ignore[misc]
    """Drop outputs that show Python internals, with a French warning naming the cell.

    An ``execute_result`` or ``display_data`` whose only content is a ``text/plain``
    object repr is dropped: a chart call left as the last line of a cell, for
    example. Outputs carrying JavaScript are dropped too, because the pages forbid
    scripts.

    Examples
    --------
    >>> import nbformat
    >>> output = nbformat.v4.new_output("execute_result", data={"text/plain": "<Axes: >"})
    >>> nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("plot.hemicycle(...)",
    ...                                                                outputs=[output])])
    >>> nb, resources = RawOutputPreprocessor().preprocess(nb, {})
    >>> nb.cells[0].outputs, len(resources["bureau_warnings"])
    ([], 1)
    """

    def preprocess(self, nb: NotebookNode, resources: dict[str, Any]) -> tuple[NotebookNode, dict[str, Any]]:
        warnings_list: list[str] = resources.setdefault("bureau_warnings", [])
        for index, cell in enumerate(nb.cells):
            if cell.cell_type != "code":
                continue
            number = cell.metadata.get(CELL_NUMBER_KEY, index + 1)
            kept = []
            for output in cell.get("outputs", []):
                reason = _raw_output_reason(output)
                if reason is None:
                    kept.append(output)
                else:
                    warnings_list.append(f"cellule {number} : {reason}")
            cell.outputs = kept
        return nb, resources


def _raw_output_reason(output: NotebookNode) -> str | None:
    """Return why an output must not be published, or None to keep it."""
    if output.get("output_type") not in ("display_data", "execute_result"):
        return None
    data = output.get("data", {})
    if "application/javascript" in data:
        return "sortie JavaScript retirée (les pages du site n'exécutent aucun script)"
    if set(data) != {"text/plain"}:
        return None
    text = data["text/plain"] if isinstance(data["text/plain"], str) else "".join(data["text/plain"])
    if not is_object_repr(text):
        return None
    shown = " ".join(text.split())
    if len(shown) > _REPR_SHOWN:
        shown = shown[:_REPR_SHOWN] + "…"
    return (f"sortie brute de Python retirée (« {shown} ») : terminez la dernière ligne de la "
            "cellule par « ; », ou affichez le graphique avec plot.show(fig)")


@dataclass
class Figure:
    """An image output written to its own file.

    Examples
    --------
    >>> figure = Figure(name="sieges", filename="figures/sieges.png", alt="Barres.",
    ...                 caption="Source : AN", title="Les sièges", source="AN", csv_filename=None)
    >>> figure.filename
    'figures/sieges.png'
    """

    name: str
    filename: str
    alt: str
    caption: str
    title: str
    source: str
    csv_filename: str | None


@dataclass
class ArticlePage:
    """Rendered article: both HTML texts and the files to write beside them.

    Examples
    --------
    >>> page = ArticlePage(html="<html></html>", wordpress_html="<div></div>", files={}, figures=[])
    >>> page.warnings
    []
    """

    html: str
    wordpress_html: str
    files: dict[str, bytes]
    figures: list[Figure]
    warnings: list[str] = field(default_factory=list)
    stderr: list[tuple[int, str]] = field(default_factory=list)  # (cell number, text), never published


class FigurePreprocessor(Preprocessor):  # type: ignore[misc]
    """Move image outputs to ``figures/`` files and their chart data to ``donnees/``.

    Each image output keeps, in ``output.metadata.bureau_figure``, the file name, the
    alternative text and the caption for the template. Its base64 data is removed
    from the notebook, so no image can end up inlined in the page.

    Examples
    --------
    >>> import datetime as dt
    >>> import matplotlib.pyplot as plt
    >>> import nbformat
    >>> import pandas as pd
    >>> from bureau_data import plot
    >>> from bureau_data.publish.metadata import ArticleMeta
    >>> fig, ax = plt.subplots()
    >>> _ = plot.finish(ax, title="Les sièges", alt="Graphique vide.")
    >>> bundle, metadata = plot.chart_output(fig, data=pd.Series({"RN": 123}, name="sieges"))
    >>> plt.close(fig)
    >>> output = nbformat.v4.new_output("display_data", data=bundle, metadata=metadata)
    >>> cell = nbformat.v4.new_code_cell("plot.show()", outputs=[output])
    >>> nb = nbformat.v4.new_notebook(cells=[cell])
    >>> meta = ArticleMeta(title="Titre", date=dt.date(2026, 3, 8), authors=("Bureau ouvert",),
    ...                    summary="Résumé.", slug="titre")
    >>> page = render_article(nb, meta, records=[], methods=[], site_url="https://exemple.fr/")
    >>> [(figure.filename, figure.csv_filename) for figure in page.figures]
    [('figures/les-sieges.png', 'donnees/les-sieges.csv')]
    """

    def preprocess(self, nb: NotebookNode, resources: dict[str, Any]) -> tuple[NotebookNode, dict[str, Any]]:
        figures: list[Figure] = resources.setdefault("bureau_figures", [])
        files: dict[str, bytes] = resources.setdefault("bureau_files", {})
        warnings_list: list[str] = resources.setdefault("bureau_warnings", [])
        used: set[str] = set()
        for cell_index, cell in enumerate(nb.cells):
            if cell.cell_type != "code":
                continue
            for output in cell.get("outputs", []):
                if output.get("output_type") not in ("display_data", "execute_result"):
                    continue
                data = output.get("data", {})
                mime = next((m for m in _IMAGE_TYPES if m in data), None)
                if mime is None:
                    continue
                meta = output.get("metadata", {}).get("bureau_data") or {}
                base = slugify(str(meta.get("name") or "")) or f"figure-{len(figures) + 1}"
                name = base
                suffix = 2
                while name in used:
                    name = f"{base}-{suffix}"
                    suffix += 1
                used.add(name)

                payload = data[mime]
                if mime == "image/svg+xml":
                    content = (payload if isinstance(payload, str) else "".join(payload)).encode("utf-8")
                else:
                    content = base64.b64decode(payload if isinstance(payload, str) else "".join(payload))
                filename = f"figures/{name}.{_IMAGE_TYPES[mime]}"
                files[filename] = content

                alt = str(meta.get("alt") or "").strip()
                if not alt:
                    number = cell.metadata.get(CELL_NUMBER_KEY, cell_index + 1)
                    warnings_list.append(
                        f"cellule {number} : image sans texte alternatif ({filename}). "
                        "Terminez le graphique par plot.finish(..., alt=...) puis plot.show(fig)."
                    )
                    alt = "Graphique sans description textuelle"
                csv_filename = None
                csv_text = meta.get("csv")
                if isinstance(csv_text, str) and csv_text:
                    csv_filename = f"donnees/{name}.csv"
                    files[csv_filename] = csv_text.encode("utf-8")
                figure = Figure(
                    name=name,
                    filename=filename,
                    alt=alt,
                    caption=str(meta.get("caption") or ""),
                    title=str(meta.get("title") or ""),
                    source=str(meta.get("source") or ""),
                    csv_filename=csv_filename,
                )
                figures.append(figure)
                output.metadata["bureau_figure"] = {
                    "src": filename, "alt": figure.alt, "caption": figure.caption,
                    "csv": csv_filename,
                }
                output["data"] = {}
        return nb, resources


def _heading_shift(nb: NotebookNode) -> int:
    """Return how far to move headings down so the smallest is ``h2`` (``h1`` is the title)."""
    levels = [
        len(match.group(1))
        for cell in nb.cells
        if cell.cell_type == "markdown"
        for match in _MARKDOWN_HEADING.finditer(cell.source)
    ]
    return max(0, 2 - min(levels)) if levels else 0


def reading_minutes(nb: NotebookNode) -> int:
    """Return the estimated reading time in minutes, at 200 words a minute.

    Parameters
    ----------
    nb : NotebookNode
        The notebook. Markdown cells and ``text/markdown`` outputs are counted.

    Returns
    -------
    int
        At least 1.

    Examples
    --------
    >>> import nbformat
    >>> nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("mot " * 450)])
    >>> reading_minutes(nb)
    3
    """
    words = 0
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            words += len(cell.source.split())
        for output in cell.get("outputs", []):
            text = output.get("data", {}).get("text/markdown")
            if text:
                words += len((text if isinstance(text, str) else "".join(text)).split())
    return max(1, math.ceil(words / WORDS_PER_MINUTE))


def _paragraphs(text: str) -> list[str]:
    return [part.strip() for part in re.split(r"\n\s*\n", text) if part.strip()]


def sources_block(records: list[Any], methods: list[dict[str, str]]) -> dict[str, Any]:
    """Return the « Sources et méthode » data for the template, from the provenance log.

    Parameters
    ----------
    records : list of ProvenanceRecord
        The files the notebook read.
    methods : list of dict
        Method paragraphs with ``key``, ``title`` and ``text``.

    Returns
    -------
    dict
        ``sources``: one dict per record with the French retrieval date and the licence
        URL from the catalogue. ``methods``: each title with its text split in paragraphs.

    Examples
    --------
    >>> from bureau_data.fetch import fetch
    >>> from bureau_data.foret import DATASET
    >>> block = sources_block([fetch(DATASET).record],
    ...                       [{"key": "k", "title": "Méthode", "text": "Un.\\n\\nDeux."}])
    >>> block["sources"][0]["licence_url"]
    'https://creativecommons.org/licenses/by/4.0/deed.fr'
    >>> block["methods"]
    [{'title': 'Méthode', 'paragraphs': ['Un.', 'Deux.']}]
    """
    from bureau_data.catalogue import load_catalogue
    from bureau_data.errors import CatalogueError

    try:
        catalogue = load_catalogue()
    except CatalogueError as exc:
        logger.warning("Catalogue illisible, liens de licence omis : %s", exc)
        catalogue = {}
    sources = []
    for record in records:
        retrieved = record.retrieved_at[:10]
        try:
            retrieved_fr = format_date_fr(date.fromisoformat(retrieved))
        except ValueError:
            retrieved_fr = record.retrieved_at
        dataset = catalogue.get(record.dataset)
        sources.append({
            "dataset": record.dataset,
            "publisher": record.publisher,
            "title": record.title,
            "url": record.url,
            "retrieved": retrieved,
            "retrieved_fr": retrieved_fr,
            "sha256": record.sha256,
            "licence": record.licence,
            "licence_url": getattr(dataset, "licence_url", "") if dataset is not None else "",
            "filename": Path(record.path).name,
        })
    method_items = [
        {"title": item["title"], "paragraphs": _paragraphs(item["text"])} for item in methods
    ]
    return {"sources": sources, "methods": method_items}


class ArticleExporter(HTMLExporter):  # type: ignore[misc]
    """nbconvert's HTML exporter with Jinja autoescaping on and the blog's filters.

    Examples
    --------
    >>> type(make_exporter()).__name__
    'ArticleExporter'
    """

    def _create_environment(self) -> Any:
        environment = super()._create_environment()
        environment.autoescape = True
        return environment

    def default_filters(self) -> Any:
        yield from super().default_filters()
        yield ("sanitize_html", sanitize_html)
        yield ("french_tables", french_tables)
        yield ("shift_headings", lambda text, shift: markupsafe.Markup(shift_headings(str(text), shift)))
        yield ("strip_ansi", strip_ansi)


def make_exporter(template_name: str = TEMPLATE_NAME, template_file: str = "index.html.j2") -> ArticleExporter:
    """Return the exporter of article pages, with the tag rules configured on it.

    Cell tags: ``remove_cell`` drops the cell, ``remove_input`` drops its code,
    ``remove_output`` drops its outputs, ``show_input`` shows its code unfolded and
    ``hide_input`` keeps it folded (the default).

    Parameters
    ----------
    template_name : str
        A toolkit template (``available_templates()``).
    template_file : str, default "index.html.j2"
        Entry file of the template.

    Returns
    -------
    ArticleExporter

    Raises
    ------
    TemplateError
        When ``template_name`` is not one of the toolkit's templates.

    Examples
    --------
    >>> exporter = make_exporter()
    >>> exporter.template_file
    'index.html.j2'
    >>> make_exporter("classic")
    Traceback (most recent call last):
        ...
    bureau_data.publish.site.TemplateError: Modèle d'article inconnu : 'classic'. Modèles ...
    """
    check_template(template_name)
    config = Config()
    config.TagRemovePreprocessor.enabled = True
    config.TagRemovePreprocessor.remove_cell_tags = {"remove_cell"}
    config.TagRemovePreprocessor.remove_input_tags = {"remove_input"}
    config.TagRemovePreprocessor.remove_all_outputs_tags = {"remove_output"}
    config.HTMLExporter.exclude_anchor_links = True
    config.HTMLExporter.embed_images = False
    exporter = ArticleExporter(
        config=config,
        template_name=template_name,
        template_file=template_file,
        extra_template_basedirs=[str(TEMPLATES_DIR)],
    )
    exporter.register_preprocessor(RawOutputPreprocessor(), enabled=True)
    exporter.register_preprocessor(FigurePreprocessor(), enabled=True)
    quiet = logging.getLogger("bureau_data.publish.nbconvert")
    quiet.setLevel(logging.ERROR)  # image alt texts are checked, in French, by this module
    exporter.log = quiet
    return exporter


def render_article(
    nb: NotebookNode,
    meta: ArticleMeta,
    *,
    records: list[Any],
    methods: list[dict[str, str]],
    site_url: str,
    template_name: str = TEMPLATE_NAME,
) -> ArticlePage:
    """Render an executed notebook as the article page and its WordPress variant.

    Parameters
    ----------
    nb
        The executed notebook (a copy is not needed: the exporter works on its own).
    meta
        The article's metadata.
    records, methods
        The provenance records and method paragraphs of the build's log.
    site_url
        Absolute URL of the site root, ending with ``/``: the WordPress variant
        points its images and downloads there.
    template_name
        Must be the toolkit's template.

    Returns
    -------
    ArticlePage
        The two HTML texts and the files (figures, CSV, README) to write beside them.

    Examples
    --------
    >>> import datetime as dt
    >>> import nbformat
    >>> from bureau_data.publish.metadata import ArticleMeta
    >>> nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("# Titre\\n\\nUn texte.")])
    >>> meta = ArticleMeta(title="Titre", date=dt.date(2026, 3, 8), authors=("Bureau ouvert",),
    ...                    summary="Résumé.", slug="titre")
    >>> page = render_article(nb, meta, records=[], methods=[], site_url="https://exemple.fr/")
    >>> "Un texte." in page.html, page.figures
    (True, [])
    """
    for number, cell in enumerate(nb.cells, start=1):
        cell.metadata[CELL_NUMBER_KEY] = number  # before any preprocessor removes a cell
    context = {
        "meta": meta,
        "date_fr": format_date_fr(meta.date),
        "reading_minutes": reading_minutes(nb),
        "heading_shift": _heading_shift(nb),
        "csp": CONTENT_SECURITY_POLICY,
        "asset_base": "",
        **sources_block(records, methods),
    }
    exporter = make_exporter(template_name)
    body, resources = exporter.from_notebook_node(nb, resources={"bureau": context})
    figures: list[Figure] = resources.get("bureau_figures", [])
    files: dict[str, bytes] = dict(resources.get("bureau_files", {}))
    warnings_list: list[str] = list(resources.get("bureau_warnings", []))

    # nbconvert gives an English placeholder to Markdown images written without alt text.
    missing_alt = body.count(f'alt="{_NBCONVERT_ALT}"')
    if missing_alt:
        warnings_list.append(f"{missing_alt} image(s) Markdown sans texte alternatif : ajoutez-le, ![description](image.png)")
        body = body.replace(f'alt="{_NBCONVERT_ALT}"', 'alt="Image sans description"')

    stderr = [
        (cell.metadata[CELL_NUMBER_KEY], output.get("text", ""))
        for cell in nb.cells for output in cell.get("outputs", [])
        if output.get("output_type") == "stream" and output.get("name") == "stderr"
    ]

    if any(figure.csv_filename for figure in figures):
        files["donnees/LISEZMOI.txt"] = _data_readme(meta, figures, context["sources"]).encode("utf-8")

    # The exporter deep-copies ``nb`` before its preprocessors run, so the WordPress
    # variant starts again from the executed notebook, with absolute asset URLs.
    wordpress_context = dict(context, asset_base=f"{site_url}{meta.slug}/")
    wp_exporter = make_exporter(template_name, template_file="wordpress.html.j2")
    wordpress, _ = wp_exporter.from_notebook_node(nb, resources={"bureau": wordpress_context})
    wordpress = wordpress.replace(f'alt="{_NBCONVERT_ALT}"', 'alt="Image sans description"')
    body, wordpress = french_spacing(body), french_spacing(wordpress)
    return ArticlePage(html=body, wordpress_html=wordpress, files=files, figures=figures,
                       warnings=warnings_list, stderr=stderr)


def _data_readme(meta: ArticleMeta, figures: list[Figure], sources: list[dict[str, Any]]) -> str:
    lines = [
        f"Données des graphiques de l'article « {meta.title} »",
        "",
        "Chaque fichier CSV contient les données d'un graphique de l'article, encodées en UTF-8,",
        "séparateur virgule, point décimal.",
        "",
    ]
    for figure in figures:
        if figure.csv_filename:
            label = figure.title or figure.caption or figure.alt
            lines.append(f"- {Path(figure.csv_filename).name} : {label}")
    if sources:
        lines += ["", "Sources :"]
        for source in sources:
            lines.append(f"- {source['publisher']}, « {source['title']} », {source['url']} "
                         f"(licence : {source['licence']}, récupéré le {source['retrieved_fr']})")
    lines += ["", "Fichiers produits par bureau-data à partir des sources ci-dessus.", ""]
    return "\n".join(lines)
