"""Helpers shared by the chart functions: axes creation, data extraction, text, descriptions."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.axes import Axes

from bureau_data import french
from bureau_data.errors import ConfigurationError
from bureau_data.plot import style as _theme
from bureau_data.plot.output import CHART_ATTR
from bureau_data.plot.ticks import value_label


def get_ax(ax: Axes | None, *, height: float | None = None, width: float | None = None) -> Axes:
    """Return ``ax``, or the Axes of a new figure sized for the article column.

    Examples
    --------
    >>> ax = get_ax(None)
    >>> get_ax(ax) is ax, ax.figure.get_size_inches().tolist()
    (True, [7.0, 4.3])
    >>> plt.close(ax.figure)
    >>> get_ax("ax")
    Traceback (most recent call last):
        ...
    bureau_data.errors.ConfigurationError: ax doit être des Axes matplotlib, pas str.
    """
    if ax is not None:
        if not isinstance(ax, Axes):
            raise ConfigurationError(f"ax doit être des Axes matplotlib, pas {type(ax).__name__}.")
        return ax
    figsize = (width or _theme.FIGURE_WIDTH_IN, height or _theme.FIGURE_HEIGHT_IN)
    _, new_ax = plt.subplots(figsize=figsize)
    return new_ax


def describe(ax: Axes, text: str) -> None:
    """Record the drafted description of a chart, read by ``draft_alt``.

    Examples
    --------
    >>> from bureau_data.plot.output import draft_alt
    >>> ax = get_ax(None)
    >>> describe(ax, "Barres : 123 sièges pour le RN.")
    >>> draft_alt(ax)
    'Barres : 123 sièges pour le RN.'
    >>> plt.close(ax.figure)
    """
    setattr(ax, CHART_ATTR, text)


def as_series(data: Any, *, x: str | None, y: str | None, name: str) -> pd.Series:
    """Turn ``data`` into a Series of values indexed by labels.

    A Series is used as is. A DataFrame needs ``y`` (labels) and ``x`` (values) for
    horizontal charts; a mapping becomes a Series.

    Examples
    --------
    >>> df = pd.DataFrame({"groupe": ["RN", "EPR"], "sieges": [123, 91]})
    >>> as_series(df, x="sieges", y="groupe", name="barh_ranked").to_dict()
    {'RN': 123, 'EPR': 91}
    >>> as_series(df, x=None, y=None, name="barh_ranked")
    Traceback (most recent call last):
        ...
    bureau_data.errors.ConfigurationError: barh_ranked() avec un DataFrame demande les ...
    """
    if isinstance(data, pd.Series):
        return data
    if isinstance(data, dict):
        return pd.Series(data)
    if isinstance(data, pd.DataFrame):
        if x is None or y is None:
            raise ConfigurationError(
                f"{name}() avec un DataFrame demande les colonnes des valeurs et des libellés "
                f"(x=..., y=...). Colonnes disponibles : {', '.join(map(str, data.columns))}."
            )
        for column in (x, y):
            if column not in data.columns:
                raise ConfigurationError(
                    f"{name}() : colonne {column!r} absente. Colonnes disponibles : "
                    f"{', '.join(map(str, data.columns))}."
                )
        return pd.Series(data[x].to_numpy(), index=data[y].astype(str).to_numpy(), name=x)
    raise ConfigurationError(
        f"{name}() attend une Series, un dict ou un DataFrame, pas {type(data).__name__}."
    )


def numeric(values: Any, name: str) -> np.ndarray:
    """Convert to a float array, naming the chart when a value is not a number.

    Examples
    --------
    >>> numeric([1, "2.5"], "waterfall")
    array([1. , 2.5])
    >>> numeric(["un"], "waterfall")
    Traceback (most recent call last):
        ...
    bureau_data.errors.ConfigurationError: waterfall() : les valeurs doivent être ...
    """
    try:
        return np.asarray(values, dtype=float)
    except (TypeError, ValueError):
        raise ConfigurationError(
            f"{name}() : les valeurs doivent être numériques. Convertissez-les avec pandas.to_numeric()."
        ) from None


def add_text(ax: Axes, x: Any, y: Any, text: str, **kwargs: Any) -> Any:
    """Write text that mathtext never parses (a ``$`` stays a dollar sign).

    Examples
    --------
    >>> ax = get_ax(None)
    >>> add_text(ax, 0, 0, "Coût : 5 $ à 10 $").get_text()
    'Coût : 5 $ à 10 $'
    >>> plt.close(ax.figure)
    """
    kwargs.setdefault("parse_math", False)
    return ax.text(x, y, text, **kwargs)


def fmt(value: float, kind: str, decimals: int | None, **options: Any) -> str:
    """Format one value for a label, with the chart's value kind.

    Examples
    --------
    >>> fmt(0.254, "percent", None, xmax=1)
    '25,4\\u202f%'
    """
    return value_label(value, kind, decimals, **options)


def list_items(pairs: Sequence[tuple[str, str]]) -> str:
    """Write ``A (1 234), B (567) et C (89)``.

    Examples
    --------
    >>> list_items([("RN", "123"), ("EPR", "91"), ("LFI-NFP", "71")])
    'RN (123), EPR (91) et LFI-NFP (71)'
    """
    return french.format_list([f"{label} ({value})" for label, value in pairs])


def contrast_text(color: Any) -> str:
    """Return black or white, whichever reads better on ``color`` (WCAG relative luminance).

    Examples
    --------
    >>> contrast_text("#313567"), contrast_text("#FFD700")
    ('#FFFFFF', '#111111')
    """
    return "#111111" if _relative_luminance(color) > 0.22 else "#FFFFFF"


def readable_color(color: Any, minimum: float = 4.5) -> Any:
    """Return ``color``, mixed towards the text ink until it reads on the background.

    Pale series colours (the light yellow and light blue of the colour-blind safe
    palettes) keep their line, but text written in them needs a WCAG contrast ratio of
    ``minimum`` with the background (4.5 for normal text). The mix keeps the hue.

    Parameters
    ----------
    color
        Any matplotlib colour.
    minimum : float, default 4.5
        Contrast ratio to reach with the background of the current theme.

    Returns
    -------
    colour
        ``color`` itself when it already reads, else a ``#RRGGBB`` mix, or the text ink.

    Examples
    --------
    >>> readable_color("#313567"), readable_color("#EEDD88")
    ('#313567', '#6F6846')
    """
    from matplotlib.colors import to_hex, to_rgb

    background = _relative_luminance(_theme.ink("background"))
    base = np.array(to_rgb(color))
    target = np.array(to_rgb(_theme.ink("text")))
    for step in range(11):
        mixed = base + (target - base) * step / 10
        luminance = _relative_luminance(tuple(mixed))
        ratio = (max(luminance, background) + 0.05) / (min(luminance, background) + 0.05)
        if ratio >= minimum:
            return color if step == 0 else to_hex(tuple(mixed)).upper()
    return _theme.ink("text")


def _relative_luminance(color: Any) -> float:
    from matplotlib.colors import to_rgb

    def channel(c: float) -> float:
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(c) for c in to_rgb(color))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def outline_colors(colors: Sequence[Any]) -> list[str]:
    """Return an edge colour per fill: a light outline for fills too close to the background.

    Official group colours such as the RN's navy nearly vanish on the dark theme's
    background. A fill whose WCAG contrast ratio with the background is under 1.6 gets
    an outline in the theme's neutral grey; the others get none.

    Examples
    --------
    >>> from bureau_data.plot import style
    >>> with style.theme(dark=True):
    ...     outline_colors(["#1B1B1F", "#FFD700"])
    ['#6E7178', 'none']
    """
    background = _relative_luminance(_theme.ink("background"))
    result = []
    for colour in colors:
        fill = _relative_luminance(colour)
        ratio = (max(fill, background) + 0.05) / (min(fill, background) + 0.05)
        result.append(_theme.ink("neutral") if ratio < 1.6 else "none")
    return result


def hide_value_axis(ax: Axes, axis: str) -> None:
    """Remove an axis whose values are written on the bars.

    Examples
    --------
    >>> ax = get_ax(None)
    >>> hide_value_axis(ax, "x")
    >>> ax.xaxis.get_visible(), ax.spines["bottom"].get_visible()
    (False, False)
    >>> plt.close(ax.figure)
    """
    if axis == "x":
        ax.xaxis.set_visible(False)
        ax.spines["bottom"].set_visible(False)
        ax.grid(False, axis="x")
    else:
        ax.yaxis.set_visible(False)
        ax.spines["left"].set_visible(False)
        ax.grid(False, axis="y")
