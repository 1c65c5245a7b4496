"""Treemap: rectangles whose areas are proportional to the values (layout by squarify)."""

from __future__ import annotations

import textwrap
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np
import squarify
from matplotlib.axes import Axes
from matplotlib.patches import Rectangle
from matplotlib.text import Text

from bureau_data.errors import ConfigurationError
from bureau_data.plot import colors as _colors
from bureau_data.plot import style as _theme
from bureau_data.plot._common import (
    as_series,
    contrast_text,
    describe,
    fmt,
    get_ax,
    list_items,
    numeric,
)


class BoxLabel(Text):
    """A label drawn only when it fits inside its box, after trying shorter line breaks.

    The fit is checked at draw time, so it holds for the final layout of the figure
    (``finish()`` moves the axes after the chart is drawn). ``fits`` is True when the
    last draw showed the label.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> import pandas as pd
    >>> ax = treemap(pd.Series({"Enseignement scolaire": 64e9, "Défense": 50e9, "Justice": 10e9}))
    >>> ax.figure.canvas.draw()
    >>> labels = [text for text in ax.texts if isinstance(text, BoxLabel)]
    >>> [(label.get_text().split("\\n")[0], label.fits) for label in labels]
    [('Enseignement scolaire', True), ('Défense', True), ('Justice', True)]
    >>> plt.close(ax.figure)
    """

    def __init__(self, x: float, y: float, candidates: Sequence[str], box: tuple[float, float, float, float],
                 **kwargs: Any) -> None:
        super().__init__(x, y, candidates[0], **kwargs)
        self.candidates = list(candidates)
        self.box = box
        self.fits = False

    def draw(self, renderer: Any) -> None:
        if renderer is None or self.axes is None:
            return
        x0, y0, x1, y1 = self.box
        corner = self.axes.transData.transform((x0, y0))
        far = self.axes.transData.transform((x1, y1))
        padding = 8.0 * renderer.points_to_pixels(1.0)
        room_width = abs(far[0] - corner[0]) - padding
        room_height = abs(far[1] - corner[1]) - padding
        for candidate in self.candidates:
            self.set_text(candidate)
            extent = self.get_window_extent(renderer)
            if extent.width <= room_width and extent.height <= room_height:
                self.fits = True
                super().draw(renderer)
                self.stale = False
                return
        self.fits = False
        self.stale = False


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

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> import pandas as pd
    >>> ax = treemap(pd.Series({"Défense": 50e9, "Justice": 10e9}))
    >>> len(ax.patches)
    2
    >>> plt.close(ax.figure)
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
    total = float(values.sum())
    for name, value, box, colour in zip(names, values, boxes, palette, strict=True):
        ax.add_patch(Rectangle((box["x"], box["y"]), box["dx"], box["dy"], facecolor=colour, **kwargs))
        if not labels:
            continue
        amount = fmt(value, kind, decimals, **options)
        candidates = [f"{name}\n{amount}"] + [f"{textwrap.fill(name, width)}\n{amount}" for width in (20, 14, 10)]
        label = BoxLabel(box["x"] + 4, box["y"] + 4, candidates,
                         (box["x"], box["y"], box["x"] + box["dx"], box["y"] + box["dy"]),
                         ha="left", va="top", fontsize=_theme.LABEL_FONT_SIZE - 0.5,
                         color=contrast_text(colour), linespacing=1.15, parse_math=False)
        ax.add_artist(label)
    pairs = [(n, f"{fmt(v, kind, decimals, **options)}, {fmt(100 * v / total, 'percent', 0)}")
             for n, v in zip(names, values, strict=True)]
    text = f"Treemap de {len(names)} éléments, total {fmt(total, kind, decimals, **options)}. "
    text += "Les plus grands : " + list_items(pairs[:3]) + "."
    describe(ax, text)
    return ax
