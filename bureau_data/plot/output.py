"""Title block, source line, alternative text, deterministic export and notebook display.

``finish()`` adds the title, subtitle, source and note around the axes and stores the
French alternative text on the figure. ``show()`` ends every chart cell of an article:
it renders the figure to PNG bytes that depend only on the data, closes the figure and
emits one ``display_data`` output whose metadata the article build reads. ``save()``
writes PNG, SVG or PDF files with no timestamp and no random id.
"""

from __future__ import annotations

import base64
import io
import re
import unicodedata
from pathlib import Path
from typing import Any

import matplotlib as mpl
import matplotlib.pyplot as plt
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties
from matplotlib.transforms import offset_copy
from PIL import Image

from bureau_data.errors import ConfigurationError
from bureau_data.plot import style as _theme

META_ATTR = "_bureau_data_chart"  # Figure attribute holding the finish() metadata
CHART_ATTR = "_bureau_data_alt"  # Axes attribute holding the helper's drafted description
AFTER_LAYOUT_ATTR = "_bureau_data_after_layout"  # Axes attribute: callable run after the layout
MAX_WIDTH_PX = 1600  # widest PNG written for the web, whatever the figure size
SVG_HASH_SALT = "bureau-data"

_MARGIN_PT = 10.0  # left/right margin of the title block and the source line


def _figure_of(target: Axes | Figure | None) -> Figure:
    if target is None:
        return plt.gcf()
    if isinstance(target, Figure):
        return target
    if isinstance(target, Axes):
        return target.figure  # type: ignore[return-value]
    figure = getattr(target, "figure", None)
    if isinstance(figure, Figure):
        return figure
    raise ConfigurationError(
        f"Objet inattendu : {type(target).__name__}. Passez une Figure ou des Axes matplotlib."
    )


def _text_width_pt(fig: Figure, text: str, size: float, weight: str) -> float:
    renderer = fig.canvas.get_renderer()  # type: ignore[attr-defined]
    props = FontProperties(family=mpl.rcParams["font.family"], size=size, weight=weight)
    width, _, _ = renderer.get_text_width_height_descent(text, props, ismath=False)
    return float(width) * 72.0 / fig.dpi


def wrap_text(fig: Figure, text: str, *, size: float, weight: str = "normal",
              width_pt: float | None = None) -> str:
    """Break ``text`` into lines that fit the figure width at this font size.

    Parameters
    ----------
    fig : Figure
    text : str
        Text to wrap. Existing line breaks are kept.
    size : float
        Font size in points.
    weight : str, default "normal"
        Font weight, such as ``"bold"``.
    width_pt : float, optional
        Available width in points; ``None`` takes the figure width minus the margins.

    Returns
    -------
    str
        ``text`` with line breaks between words.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> fig = plt.figure(figsize=(3, 2))
    >>> print(wrap_text(fig, "La part des femmes à l'Assemblée nationale depuis 1958", size=10))
    La part des femmes à l'Assemblée
    nationale depuis 1958
    >>> plt.close(fig)
    """
    if width_pt is None:
        width_pt = fig.get_figwidth() * 72.0 - 2 * _MARGIN_PT
    lines: list[str] = []
    for paragraph in str(text).split("\n"):
        current = ""
        for word in paragraph.split(" "):
            candidate = f"{current} {word}" if current else word
            if current and _text_width_pt(fig, candidate, size, weight) > width_pt:
                lines.append(current)
                current = word
            else:
                current = candidate
        lines.append(current)
    return "\n".join(lines)


def _clean(value: str | None, name: str) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise ConfigurationError(f"{name} doit être un texte, pas {type(value).__name__}.")
    value = " ".join(value.split()) if "\n" not in value else value.strip()
    return value or None


def finish(ax_or_fig: Axes | Figure | None = None, *, title: str, subtitle: str | None = None,
           source: str | None = None, note: str | None = None, alt: str) -> Figure:
    """Add the title block and source line to a chart and store its alternative text.

    Parameters
    ----------
    ax_or_fig : Axes or Figure, optional
        The chart; ``None`` takes the current figure.
    title : str
        The chart's title, a sentence that states the finding.
    subtitle : str, optional
        What is measured, in which unit, over which period.
    source : str, optional
        The data source, written after ``Source : ``.
    note : str, optional
        A note on the method or a caveat, printed under the source line.
    alt : str
        The alternative text in French: what the chart shows, for screen readers and the
        article's ``alt`` attribute. ``draft_alt(ax)`` drafts one from the chart.

    Returns
    -------
    matplotlib.figure.Figure
        The figure, taller by the height of the title block and the source line.

    Raises
    ------
    ConfigurationError
        When ``title`` or ``alt`` is empty.

    Notes
    -----
    The axes are laid out again with ``tight_layout`` inside the space left between the
    title block and the source line. Calling ``finish`` twice replaces the first texts.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> fig, ax = plt.subplots()
    >>> _ = ax.bar(["RN", "EPR"], [123, 91])
    >>> _ = finish(ax, title="Le RN est le premier groupe", source="Assemblée nationale",
    ...            alt="Barres : 123 sièges pour le RN, 91 pour EPR.")
    >>> chart_info(fig)["title"]
    'Le RN est le premier groupe'
    >>> finish(ax, title="", alt="Barres.")
    Traceback (most recent call last):
        ...
    bureau_data.errors.ConfigurationError: finish() demande un titre non vide (title=...).
    >>> plt.close(fig)
    """
    fig = _figure_of(ax_or_fig)
    title_text = _clean(title, "title")
    alt_text = _clean(alt, "alt")
    if not title_text:
        raise ConfigurationError("finish() demande un titre non vide (title=...).")
    if not alt_text:
        raise ConfigurationError(
            "finish() demande un texte alternatif non vide (alt=...), lu par les lecteurs d'écran. "
            "plot.draft_alt(ax) en propose un à partir du graphique."
        )
    subtitle_text = _clean(subtitle, "subtitle")
    source_text = _clean(source, "source")
    note_text = _clean(note, "note")

    previous = getattr(fig, META_ATTR, None)
    if previous:
        for artist in previous.get("artists", []):
            artist.remove()
        fig.set_size_inches(*previous["base_size"])
    base_size = tuple(fig.get_size_inches())

    text_color = mpl.rcParams["text.color"]
    muted = _theme.ink("muted")
    family = mpl.rcParams["font.family"]
    artists = []

    # Top block, measured in points from the top edge.
    top = 10.0
    title_wrapped = wrap_text(fig, title_text, size=_theme.TITLE_FONT_SIZE, weight="bold")
    title_lines = title_wrapped.count("\n") + 1
    subtitle_wrapped = None
    if subtitle_text:
        subtitle_wrapped = wrap_text(fig, subtitle_text, size=_theme.SUBTITLE_FONT_SIZE)
    top_block = top + title_lines * _theme.TITLE_FONT_SIZE * 1.25
    if subtitle_wrapped:
        top_block += 3.0 + (subtitle_wrapped.count("\n") + 1) * _theme.SUBTITLE_FONT_SIZE * 1.3
    top_block += 6.0

    bottom_lines = []
    if source_text:
        bottom_lines.append(("Source : " + source_text) if not source_text.lower().startswith("source") else source_text)
    if note_text:
        bottom_lines.append(note_text if note_text.lower().startswith("note") else "Note : " + note_text)
    bottom_wrapped = wrap_text(fig, "\n".join(bottom_lines), size=_theme.SOURCE_FONT_SIZE) if bottom_lines else ""
    bottom_block = 8.0 + ((bottom_wrapped.count("\n") + 1) * _theme.SOURCE_FONT_SIZE * 1.35 + 4.0 if bottom_wrapped else 0.0)

    width, height = base_size
    new_height = height + (top_block + bottom_block) / 72.0
    fig.set_size_inches(width, new_height)

    anchor_top = offset_copy(fig.transFigure, fig=fig, x=_MARGIN_PT, y=-top, units="points")
    artists.append(fig.text(0.0, 1.0, title_wrapped, transform=anchor_top, ha="left", va="top",
                            fontsize=_theme.TITLE_FONT_SIZE, fontweight="bold", color=text_color,
                            family=family, linespacing=1.15, parse_math=False))
    if subtitle_wrapped:
        offset = top + title_lines * _theme.TITLE_FONT_SIZE * 1.25 + 3.0
        anchor_sub = offset_copy(fig.transFigure, fig=fig, x=_MARGIN_PT, y=-offset, units="points")
        artists.append(fig.text(0.0, 1.0, subtitle_wrapped, transform=anchor_sub, ha="left", va="top",
                                fontsize=_theme.SUBTITLE_FONT_SIZE, color=muted, family=family,
                                linespacing=1.2, parse_math=False))
    if bottom_wrapped:
        anchor_bottom = offset_copy(fig.transFigure, fig=fig, x=_MARGIN_PT, y=8.0, units="points")
        artists.append(fig.text(0.0, 0.0, bottom_wrapped, transform=anchor_bottom, ha="left", va="bottom",
                                fontsize=_theme.SOURCE_FONT_SIZE, color=muted, family=family,
                                linespacing=1.25, parse_math=False))

    rect = (0.0, bottom_block / 72.0 / new_height, 1.0, 1.0 - top_block / 72.0 / new_height)
    _layout(fig, rect)

    # The title is drawn in the image just above the caption: the caption keeps only what
    # a reader may want as text (units, scope, note), so the page does not repeat the title.
    caption_parts = []
    if subtitle_text:
        caption_parts.append(subtitle_text)
    if note_text:
        caption_parts.append(bottom_lines[-1])
    setattr(fig, META_ATTR, {
        "title": title_text,
        "subtitle": subtitle_text,
        "source": source_text,
        "note": note_text,
        "alt": alt_text,
        "caption": " ".join(_sentence(part) for part in caption_parts),
        "artists": artists,
        "base_size": base_size,
    })
    return fig


def _layout(fig: Figure, rect: tuple[float, float, float, float]) -> None:
    """Fit the axes, their tick labels and legends between the title block and the source."""
    if fig.get_layout_engine() is not None:
        fig.set_layout_engine("none")
    custom = getattr(fig, "_bureau_data_layout", None)
    if callable(custom):
        custom(fig, rect)
        return
    import warnings

    with warnings.catch_warnings():
        # tight_layout warns on axes it cannot fit (insets, colorbars); they keep their place.
        warnings.simplefilter("ignore", UserWarning)
        fig.tight_layout(rect=rect, pad=0.6)
        # Helpers that size their limits from text measured in pixels (value labels of
        # ranked bars) adjust to the final axes size, then the layout is computed again.
        hooks = [getattr(ax, AFTER_LAYOUT_ATTR) for ax in fig.axes if callable(getattr(ax, AFTER_LAYOUT_ATTR, None))]
        if hooks:
            for hook in hooks:
                hook()
            fig.tight_layout(rect=rect, pad=0.6)


def _sentence(text: str) -> str:
    text = text.strip()
    return text if text.endswith((".", "!", "?", "…", ":")) else text + "."


def chart_info(fig: Figure) -> dict[str, Any]:
    """Return what ``finish()`` stored on a figure: title, subtitle, source, note, alt, caption.

    Parameters
    ----------
    fig : Figure

    Returns
    -------
    dict
        Keys ``title``, ``subtitle``, ``source``, ``note``, ``alt`` and ``caption`` (the
        subtitle, source and note as one text).

    Raises
    ------
    ConfigurationError
        When ``finish()`` was not called on this figure.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> fig, ax = plt.subplots()
    >>> _ = finish(ax, title="Titre", source="Insee", alt="Graphique vide.")
    >>> info = chart_info(fig)
    >>> info["source"], info["alt"]
    ('Insee', 'Graphique vide.')
    >>> plt.close(fig)
    """
    meta = getattr(fig, META_ATTR, None)
    if not meta:
        raise ConfigurationError(
            "Ce graphique n'a ni titre ni texte alternatif : appelez "
            "plot.finish(ax, title=..., source=..., alt=...) avant plot.show(fig)."
        )
    return {key: value for key, value in meta.items() if key not in ("artists", "base_size")}


def draft_alt(ax_or_fig: Axes | Figure | None = None) -> str:
    """Draft a French alternative text from what the chart helpers drew.

    Each helper records a description of its chart. For ranked bars it gives the number
    of items, the first three and the last one with their values. For a hemicycle it
    gives the seats per group. This function joins the descriptions of every Axes of
    the figure. Read the draft and complete it with what the chart is meant to show
    before passing it to ``finish(alt=...)``.

    Returns
    -------
    str
        The draft. For axes drawn without the helpers, a sentence built from the axis labels.

    Parameters
    ----------
    ax_or_fig : Axes or Figure, optional
        The chart; ``None`` takes the current figure.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> fig, ax = plt.subplots()
    >>> _ = ax.set(xlabel="année", ylabel="dette publique")
    >>> draft_alt(ax)
    'Graphique de dette publique en fonction de année.'
    >>> plt.close(fig)
    """
    fig = _figure_of(ax_or_fig)
    axes = [ax_or_fig] if isinstance(ax_or_fig, Axes) else list(fig.axes)
    parts = []
    for ax in axes:
        text = getattr(ax, CHART_ATTR, None)
        if text:
            parts.append(text)
    if not parts:
        for ax in axes:
            labels = [label for label in (ax.get_ylabel(), ax.get_xlabel()) if label]
            if labels:
                parts.append("Graphique de " + " en fonction de ".join(labels) + ".")
    if not parts:
        return "Graphique."
    return " ".join(parts)


def _export_dpi(fig: Figure, dpi: float | None) -> float:
    requested = dpi if dpi is not None else mpl.rcParams["savefig.dpi"]
    if requested == "figure" or requested is None:
        requested = fig.dpi
    width_in = max(fig.get_figwidth(), 1e-6)
    return float(min(float(requested), _theme.MAX_DPI, MAX_WIDTH_PX / width_in))


def _save_options(fig: Figure, fmt: str) -> dict[str, Any]:
    meta = getattr(fig, META_ATTR, None) or {}
    if fmt == "png":
        return {"metadata": {"Software": None}}
    if fmt == "svg":
        svg_meta: dict[str, Any] = {"Date": None, "Creator": "bureau-data"}
        if meta.get("title"):
            svg_meta["Title"] = meta["title"]
        if meta.get("alt"):
            svg_meta["Description"] = meta["alt"]
        return {"metadata": svg_meta}
    if fmt == "pdf":
        return {"metadata": {"CreationDate": None, "ModDate": None, "Creator": "bureau-data",
                             "Producer": "bureau-data", "Title": meta.get("title") or ""}}
    raise ConfigurationError(f"Format non pris en charge : {fmt!r}. Formats possibles : png, svg, pdf.")


def _quantize_png(data: bytes) -> bytes:
    """Return the PNG re-encoded with a 256-colour palette, about a third of the size.

    Charts use few flat colours, so the palette loses nothing visible, and an article page
    with five full-width figures stays under 1 MB. Median cut without dithering is
    deterministic, so the same chart still gives the same bytes. A figure with
    transparent pixels keeps its alpha channel through the octree quantizer, which
    supports it.
    """
    with Image.open(io.BytesIO(data)) as image:
        image.load()
        # For one band, getextrema returns (min, max), but Pillow's types also allow a pair per band.
        has_alpha = image.mode in ("RGBA", "LA") and image.getchannel("A").getextrema()[0] < 255  # type: ignore[operator]
        if has_alpha:
            palette = image.convert("RGBA").quantize(colors=256, method=Image.Quantize.FASTOCTREE,
                                                     dither=Image.Dither.NONE)
        else:
            palette = image.convert("RGB").quantize(colors=256, method=Image.Quantize.MEDIANCUT,
                                                    dither=Image.Dither.NONE)
    buffer = io.BytesIO()
    palette.save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()


def render(fig: Figure, fmt: str = "png", *, dpi: float | None = None) -> bytes:
    """Render a figure to bytes that depend only on its content (no date, no random id).

    PNGs are written with a 256-colour palette to keep article pages light.

    Parameters
    ----------
    fig : Figure
    fmt : {"png", "svg", "pdf"}, default "png"
    dpi : float, optional
        As for ``save``.

    Returns
    -------
    bytes

    Raises
    ------
    ConfigurationError
        When ``fmt`` is not one of the three formats.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> fig, ax = plt.subplots()
    >>> _ = ax.plot([1, 2], [3, 4])
    >>> render(fig, "svg") == render(fig, "svg"), render(fig)[:4]
    (True, b'\\x89PNG')
    >>> plt.close(fig)
    """
    fmt = fmt.lower().lstrip(".")
    options = _save_options(fig, fmt)
    buffer = io.BytesIO()
    with mpl.rc_context({"svg.hashsalt": SVG_HASH_SALT}):
        fig.savefig(buffer, format=fmt, dpi=_export_dpi(fig, dpi), facecolor=fig.get_facecolor(),
                    edgecolor=fig.get_edgecolor(), **options)
    if fmt == "png":
        return _quantize_png(buffer.getvalue())
    return buffer.getvalue()


def save(fig: Figure, path: str | Path, *, dpi: float | None = None) -> Path:
    """Write a figure to PNG, SVG or PDF, with the same bytes for the same chart.

    Parameters
    ----------
    fig : Figure
    path : str or Path
        The file; its suffix (``.png``, ``.svg``, ``.pdf``) sets the format.
    dpi : float, optional
        Resolution of PNGs; capped at ``MAX_DPI`` (200) and so that the image is at most
        1600 pixels wide. ``None`` uses ``savefig.dpi``.

    Returns
    -------
    Path
        The path written.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> import matplotlib.pyplot as plt
    >>> fig, ax = plt.subplots()
    >>> path = save(fig, pathlib.Path(tempfile.mkdtemp()) / "graphique.pdf")
    >>> path.read_bytes()[:5]
    b'%PDF-'
    >>> plt.close(fig)
    """
    target = Path(path)
    data = render(fig, target.suffix or "png", dpi=dpi)
    target.write_bytes(data)
    return target


def slugify(text: str) -> str:
    """Return an ASCII slug: ``"Dépenses de l'État"`` -> ``"depenses-de-l-etat"``.

    Parameters
    ----------
    text : str

    Returns
    -------
    str
        At most 80 characters of ``a-z``, ``0-9`` and ``-``; ``"graphique"`` when nothing
        is left.

    Examples
    --------
    >>> slugify("Dépenses de l'État en 2025"), slugify("€€€")
    ('depenses-de-l-etat-en-2025', 'graphique')
    """
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    return slug[:80].rstrip("-") or "graphique"


def data_to_csv(data: Any) -> str | None:
    """Return the CSV text of a chart's data (comma separator, dot decimals, UTF-8).

    Parameters
    ----------
    data : DataFrame, Series or None
        Anything ``pandas.DataFrame`` accepts. The index is written unless it is a
        default unnamed ``RangeIndex``.

    Returns
    -------
    str or None
        The CSV text, or None when ``data`` is None.

    Raises
    ------
    ConfigurationError
        When ``data`` cannot be turned into a DataFrame.

    Examples
    --------
    >>> import pandas as pd
    >>> print(data_to_csv(pd.Series([123, 91], index=pd.Index(["RN", "EPR"], name="groupe"),
    ...                             name="sieges")), end="")
    groupe,sieges
    RN,123
    EPR,91
    """
    if data is None:
        return None
    import pandas as pd

    if isinstance(data, pd.Series):
        data = data.to_frame()
    if not isinstance(data, pd.DataFrame):
        try:
            data = pd.DataFrame(data)
        except (TypeError, ValueError):
            raise ConfigurationError(
                f"data doit être un DataFrame ou une Series pandas, pas {type(data).__name__}."
            ) from None
    keep_index = not isinstance(data.index, pd.RangeIndex) or data.index.name is not None
    return data.to_csv(index=keep_index, lineterminator="\n", date_format="%Y-%m-%d")


def chart_output(fig: Figure | None = None, *, data: Any = None,
                 name: str | None = None) -> tuple[dict[str, str], dict[str, Any]]:
    """Build the display bundle and metadata that ``show()`` emits, without displaying them.

    Parameters
    ----------
    fig, data, name
        As for ``show``.

    Returns
    -------
    tuple of (dict, dict)
        The bundle (``image/png`` in base64 and the alt text as ``text/plain``) and the
        metadata under ``bureau_data``: alt, caption, title, source, name and csv.

    Raises
    ------
    ConfigurationError
        When ``finish()`` was not called on the figure.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> fig, ax = plt.subplots()
    >>> _ = finish(ax, title="Les sièges en 2024", alt="Graphique vide.")
    >>> bundle, metadata = chart_output(fig)
    >>> sorted(bundle), metadata["bureau_data"]["name"]
    (['image/png', 'text/plain'], 'les-sieges-en-2024')
    >>> plt.close(fig)
    """
    fig = _figure_of(fig)
    info = chart_info(fig)
    png = render(fig, "png")
    bundle = {"image/png": base64.b64encode(png).decode("ascii"), "text/plain": info["alt"]}
    metadata = {
        "bureau_data": {
            "alt": info["alt"],
            "caption": info["caption"],
            "title": info["title"],
            "source": info["source"] or "",
            "name": slugify(name) if name else slugify(info["title"]),
            "csv": data_to_csv(data),
        }
    }
    return bundle, metadata


def show(fig: Figure | None = None, *, data: Any = None, name: str | None = None) -> None:
    """End a chart cell: display the figure once, as PNG with its alt text and data.

    Parameters
    ----------
    fig : Figure, optional
        The chart; ``None`` takes the current figure. ``finish()`` must have been called.
    data : DataFrame or Series, optional
        The chart's data, offered as a CSV download under the chart.
    name : str, optional
        Slug of the chart (its image and CSV file names); ``None`` uses the title's slug.

    Notes
    -----
    The figure is closed, so the inline backend does not show it a second time. Outside
    IPython nothing is displayed; use ``chart_output()`` to get the bundle.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> fig, ax = plt.subplots()
    >>> _ = finish(ax, title="Titre", alt="Graphique vide.")
    >>> show(fig)
    >>> plt.fignum_exists(fig.number)
    False
    """
    figure = _figure_of(fig)
    bundle, metadata = chart_output(figure, data=data, name=name)
    plt.close(figure)
    try:
        from IPython import get_ipython
        from IPython.display import publish_display_data
    except ImportError:  # IPython comes with ipykernel, a dependency; plain scripts still work
        return None
    if get_ipython() is None:
        return None
    publish_display_data(data=bundle, metadata=metadata)
    return None
