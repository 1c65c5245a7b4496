"""Treemap: rectangles whose areas are proportional to the values (layout by squarify)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import numpy as np
import squarify
from matplotlib.axes import Axes
from matplotlib.patches import Rectangle

from bureau_data.errors import ConfigurationError
from bureau_data.plot import colors as _colors
from bureau_data.plot import theme as _theme
from bureau_data.plot._common import (
    add_text,
    as_series,
    contrast_text,
    describe,
    fmt,
    get_ax,
    list_items,
    numeric,
)

# Width and height of the layout, in the proportions of the article figure.
_LAYOUT_WIDTH = 700.0
_LAYOUT_HEIGHT = 430.0


def treemap(data: Any, *, x: str | None = None, y: str | None = None, kind: str = "euros",
            decimals: int | None = None, colors: Mapping[str, str] | Callable[[str], str] | None = None,
            value_options: Mapping[str, Any] | None = None, labels: bool = True,
            ax: Axes | None = None, **kwargs: Any) -> Axes:
    """Draw a treemap of positive values, largest in the top left corner.

    Parameters
    ----------
    data : Series, dict or DataFrame
        Values indexed by label; with a DataFrame, ``x`` names the value column and ``y``
        the label column.
    kind : {"euros", "number", "percent"}, default "euros"
        How values are written in the boxes.
    decimals : int, optional
        Decimals of the value labels.
    colors : dict or callable, optional
        ``{label: colour}`` or a function of the label; default ``mission_color`` of the label,
        so budget missions keep the same colour in every chart.
    value_options : dict, optional
        Formatter options (``scale=1e6`` when the data is in M€).
    labels : bool, default True
        Write the label and value in each box large enough to hold them.
    ax : Axes, optional
    **kwargs
        Passed to ``matplotlib.patches.Rectangle``.

    Returns
    -------
    matplotlib.axes.Axes

    Raises
    ------
    ConfigurationError
        When a value is negative: a treemap shows parts of a positive whole.
    """
    series = as_series(data, x=x, y=y, name="treemap")
    values = numeric(series.to_numpy(), "treemap")
    names = [str(i) for i in series.index]
    negative = [n for n, v in zip(names, values, strict=True) if v < 0]
    if negative:
        raise ConfigurationError(
            f"treemap() : valeurs négatives pour {', '.join(negative)}. Un treemap montre les parts "
            "d'un total positif ; utilisez waterfall() ou barh_ranked() pour des variations."
        )
    keep = np.isfinite(values) & (values > 0)
    names = [n for n, k in zip(names, keep, strict=True) if k]
    values = values[keep]
    order = np.argsort(-values, kind="stable")
    names = [names[i] for i in order]
    values = values[order]
    options = dict(value_options or {})
    ax = get_ax(ax)
    if len(values) == 0:
        ax.set_axis_off()
        describe(ax, "Treemap vide.")
        return ax
    normalized = squarify.normalize_sizes(values, _LAYOUT_WIDTH, _LAYOUT_HEIGHT)
    boxes = squarify.squarify(normalized, 0.0, 0.0, _LAYOUT_WIDTH, _LAYOUT_HEIGHT)
    if callable(colors):
        palette = [colors(n) for n in names]
    elif isinstance(colors, Mapping):
        palette = [colors.get(n) or _colors.mission_color(n) for n in names]
    else:
        palette = [_colors.mission_color(n) for n in names]
    kwargs.setdefault("edgecolor", _theme.ink("background"))
    kwargs.setdefault("linewidth", 1.5)
    ax.set_xlim(0, _LAYOUT_WIDTH)
    ax.set_ylim(_LAYOUT_HEIGHT, 0)  # y grows downwards, so the largest box is top left
    ax.set_axis_off()
    renderer = ax.figure.canvas.get_renderer()
    total = float(values.sum())
    for name, value, box, colour in zip(names, values, boxes, palette, strict=True):
        ax.add_patch(Rectangle((box["x"], box["y"]), box["dx"], box["dy"], facecolor=colour, **kwargs))
        if not labels:
            continue
        text = f"{name}\n{fmt(value, kind, decimals, **options)}"
        label = add_text(ax, box["x"] + 5, box["y"] + 5, text, ha="left", va="top",
                         fontsize=_theme.LABEL_FONT_SIZE - 0.5, color=contrast_text(colour), linespacing=1.15)
        # Keep a label only if it fits inside its box.
        extent = label.get_window_extent(renderer=renderer)
        corner = ax.transData.transform((box["x"], box["y"]))
        far = ax.transData.transform((box["x"] + box["dx"], box["y"] + box["dy"]))
        if extent.width > abs(far[0] - corner[0]) - 8 or extent.height > abs(far[1] - corner[1]) - 8:
            label.remove()
    pairs = [(n, f"{fmt(v, kind, decimals, **options)}, {fmt(100 * v / total, 'percent', 0)}")
             for n, v in zip(names, values, strict=True)]
    text = f"Treemap de {len(names)} éléments, total {fmt(total, kind, decimals, **options)}. "
    text += "Les plus grands : " + list_items(pairs[:3]) + "."
    describe(ax, text)
    return ax
