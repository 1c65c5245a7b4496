"""Bar charts: ranked horizontal bars, stacked bars, diverging bars of votes, waterfall."""

from __future__ import annotations

import textwrap
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.ticker import FuncFormatter

from bureau_data import french
from bureau_data.errors import ConfigurationError
from bureau_data.plot import colors as _colors
from bureau_data.plot import style as _theme
from bureau_data.plot._common import (
    add_text,
    as_series,
    contrast_text,
    describe,
    fmt,
    get_ax,
    hide_value_axis,
    list_items,
    numeric,
    outline_colors,
)
from bureau_data.plot.output import AFTER_LAYOUT_ATTR
from bureau_data.plot.ticks import format_axis

ColorSpec = str | Sequence[str] | Mapping[str, str] | Callable[[str], str] | None


def _bar_colors(labels: Sequence[str], color: ColorSpec, highlight: Sequence[str] | str | None) -> list[str]:
    if callable(color):
        return [color(label) for label in labels]
    if isinstance(color, Mapping):
        missing = [label for label in labels if label not in color]
        if missing:
            raise ConfigurationError(
                f"Couleurs manquantes pour : {', '.join(map(str, missing))}. "
                "Complétez le dictionnaire color=... ou passez une seule couleur."
            )
        return [color[label] for label in labels]
    if isinstance(color, Sequence) and not isinstance(color, str):
        if len(color) != len(labels):
            raise ConfigurationError(
                f"color contient {len(color)} couleurs pour {len(labels)} barres."
            )
        return list(color)
    base = color or _theme.ink("accent")
    if highlight is None:
        return [base] * len(labels)
    chosen = {highlight} if isinstance(highlight, str) else set(highlight)
    return [base if label in chosen else _theme.ink("neutral") for label in labels]


def barh_ranked(data: Any, *, x: str | None = None, y: str | None = None, kind: str = "number",
                decimals: int | None = None, n: int | None = None, ascending: bool = False,
                sort: bool = True, color: ColorSpec = None, highlight: Sequence[str] | str | None = None,
                labels: bool = True, xlabel: str | None = None, value_options: Mapping[str, Any] | None = None,
                legislature: int | None = None, ax: Axes | None = None, **kwargs: Any) -> Axes:
    """Draw ranked horizontal bars with their values written at the end of each bar.

    Parameters
    ----------
    data : Series, dict or DataFrame
        Values indexed by label; with a DataFrame, ``x`` names the value column and ``y``
        the label column.
    x, y : str, optional
        Columns of a DataFrame.
    kind : {"number", "percent", "euros"}, default "number"
        How the values are written: ``1 234``, ``12,5 %``, ``3,2 Md€``.
    decimals : int, optional
        Decimals of the value labels (default 0 for numbers, 1 otherwise).
    n : int, optional
        Keep the first ``n`` bars after sorting.
    ascending : bool, default False
        Largest first (False) or smallest first.
    sort : bool, default True
        Sort by value; False keeps the given order.
    color : str, list, dict or callable, optional
        One colour, one per bar, ``{label: colour}`` or a function of the label
        (``lambda g: plot.group_color(g, legislature=17)``).
    highlight : str or list of str, optional
        Labels drawn in the accent colour while the others are grey.
    labels : bool, default True
        Write the values at the end of the bars (and hide the value axis).
    xlabel : str, optional
        Label of the value axis, also used in the drafted alt text.
    value_options : dict, optional
        Options of the value formatter (``xmax`` for percent, ``scale``/``unit`` for euros).
    legislature : int, optional
        The labels are political groups (organe uids or acronyms): label each bar with
        the group's sigle and, unless ``color`` is given, draw it in the group's colour.
    ax : Axes, optional
        Where to draw; ``None`` creates a figure whose height fits the number of bars.
    **kwargs
        Passed to ``Axes.barh``.

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> import pandas as pd
    >>> ax = barh_ranked(pd.Series({"A": 1234.5, "B": 99.0}), kind="number")
    >>> [t.get_text() for t in ax.texts]
    ['1\u202f234', '99']
    """
    series = as_series(data, x=x, y=y, name="barh_ranked")
    values = pd.Series(numeric(series.to_numpy(), "barh_ranked"), index=[str(i) for i in series.index])
    values = values.dropna()
    if sort:
        values = values.sort_values(ascending=ascending, kind="mergesort")
    if n is not None:
        values = values.iloc[:n]
    options = dict(value_options or {})
    count = len(values)
    ax = get_ax(ax, height=max(2.2, 0.34 * count + 0.7))
    if legislature is not None:
        keys = list(values.index)
        if color is None and highlight is None:
            group_palette = _colors.group_colors(keys, legislature)
            color = [group_palette[key] for key in keys]
        values.index = pd.Index(_colors.group_labels(keys, legislature))
    bar_colors = _bar_colors(list(values.index), color, highlight)
    kwargs.setdefault("height", 0.72)
    kwargs.setdefault("edgecolor", outline_colors(bar_colors))
    kwargs.setdefault("linewidth", 0.8)
    positions = np.arange(count)
    ax.barh(positions, values.to_numpy(), color=bar_colors, **kwargs)
    ax.set_yticks(positions, list(values.index))
    ax.invert_yaxis()
    ax.grid(False, axis="y")
    ax.tick_params(axis="y", length=0)
    ax.spines["left"].set_visible(False)
    if xlabel:
        ax.set_xlabel(xlabel)
    if count == 0:
        describe(ax, "Diagramme en barres vide.")
        return ax

    texts = [fmt(v, kind, decimals, **options) for v in values]
    if labels:
        low = min(0.0, float(values.min()))
        high = max(0.0, float(values.max()))
        span = (high - low) or 1.0
        pad = span * 0.012
        drawn = []
        for position, value, text in zip(positions, values.to_numpy(), texts, strict=True):
            ha = "left" if value >= 0 else "right"
            drawn.append(add_text(ax, value + (pad if value >= 0 else -pad), position, text, va="center", ha=ha,
                                  fontsize=_theme.LABEL_FONT_SIZE, color=_theme.ink("text")))
        bar_values = values.to_numpy()

        def make_room() -> None:
            _make_room_for_labels(ax, bar_values, drawn, low, high, pad)

        make_room()
        setattr(ax, AFTER_LAYOUT_ATTR, make_room)  # finish() calls it again on the final layout
        hide_value_axis(ax, "x")
    else:
        format_axis(ax, "x", kind, **options)
        ax.grid(True, axis="x")

    pairs = list(zip(values.index, texts, strict=True))
    measure = f" ({xlabel})" if xlabel else ""
    text = f"Diagramme en barres horizontales classant {count} éléments{measure}. "
    text += "En tête : " + list_items(pairs[:3]) + "."
    if count > 3:
        text += f" En dernier : {list_items(pairs[-1:])}."
    describe(ax, text)
    return ax


def _make_room_for_labels(ax: Axes, values: np.ndarray, drawn: list[Any], low: float, high: float,
                          pad: float) -> None:
    """Widen the x limits so every value label fits inside the axes, on its side of zero.

    The labels are measured in pixels at the axes' current width, so ``finish()`` calls
    this again once the final layout is known. A 15 % margin absorbs rounding.
    """
    renderer = ax.figure.canvas.get_renderer()  # type: ignore[attr-defined]
    axes_width = max(ax.get_window_extent(renderer).width, 1.0)
    positive = max((t.get_window_extent(renderer).width for t, v in zip(drawn, values, strict=True) if v >= 0),
                   default=0.0)
    negative = max((t.get_window_extent(renderer).width for t, v in zip(drawn, values, strict=True) if v < 0),
                   default=0.0)
    # Share of the axes width taken by labels and their padding; capped so bars keep half.
    share = min(0.5, 1.15 * (positive + negative) / axes_width)
    total = (high - low + (2 * pad if negative else pad)) / (1.0 - share)
    room = total - (high - low)
    weight = positive + negative or 1.0
    right = room * positive / weight
    left = room * negative / weight
    ax.set_xlim(low - left, high + right)


def _wide_frame(data: Any, name: str) -> pd.DataFrame:
    if isinstance(data, pd.Series):
        return data.to_frame()
    if isinstance(data, pd.DataFrame):
        return data
    raise ConfigurationError(
        f"{name}() attend un DataFrame large : une ligne par barre, une colonne par segment."
    )


def _segment_colors(columns: Sequence[str], colors: Mapping[str, str] | Sequence[str] | None) -> list[str]:
    if isinstance(colors, Mapping):
        return [colors.get(c) or _position_colour(c) or _theme.ink("neutral") for c in columns]
    if colors is not None:
        return list(colors)
    position_colours = [_position_colour(c) for c in columns]
    if all(position_colours):
        return [str(c) for c in position_colours]
    cycle = _theme.CYCLE_DARK if _theme.is_dark() else _theme.CYCLE_LIGHT
    return [cycle[i % len(cycle)] for i in range(len(columns))]


def _position_colour(column: str) -> str | None:
    key = _colors.position_key(column)
    return _colors.POSITION_COLORS[key] if key else None


def _match_columns(frame: pd.DataFrame, requested: Sequence[str]) -> list[str]:
    """Find each requested column, or the column of the same vote position (``abstentions``)."""
    found = []
    for name in requested:
        if name in frame.columns:
            found.append(name)
            continue
        key = _colors.position_key(name)
        same = [str(c) for c in frame.columns if key is not None and _colors.position_key(c) == key]
        found.append(same[0] if same else name)
    return found


def _count_phrase(value: float, noun: str, kind: str) -> str:
    """Write ``4 abstentions`` or ``12 % non-votants``; ``pour`` and ``contre`` do not vary."""
    plural = noun.endswith(("abstention", "non-votant")) and (kind == "percent" or value >= 2)
    return f"{fmt(value, kind, 0)} {noun}{'s' if plural else ''}"


def _column_name(column: str, names: Mapping[str, str]) -> str:
    """Return the display name of a column: explicit name, then vote position label."""
    if column in names:
        return names[column]
    key = _colors.position_key(column)
    return _colors.POSITION_LABELS[key] if key else column


def _row_labels(index: Iterable[Any], legislature: int | None) -> list[str]:
    if legislature is None:
        return [str(i) for i in index]
    return _colors.group_labels([str(i) for i in index], legislature)


def _order_rows(frame: pd.DataFrame, order: Sequence[Any] | None, legislature: int | None) -> pd.DataFrame:
    if order is not None:
        missing = [o for o in order if o not in frame.index]
        if missing:
            raise ConfigurationError(f"order cite des lignes absentes : {', '.join(map(str, missing))}.")
        return frame.loc[list(order)]
    if legislature is not None:
        return frame.loc[_colors.group_order([str(i) for i in frame.index], legislature)]
    return frame


def bars_stacked(data: Any, *, columns: Sequence[str] | None = None, normalize: bool = False,
                 colors: Mapping[str, str] | Sequence[str] | None = None, legislature: int | None = None,
                 order: Sequence[Any] | None = None, labels: bool = True, decimals: int | None = None,
                 legend_labels: Mapping[str, str] | None = None, ax: Axes | None = None,
                 **kwargs: Any) -> Axes:
    """Draw horizontal stacked bars: one bar per row, one segment per column.

    Parameters
    ----------
    data : DataFrame
        Wide table: rows are the bars (groups, missions...), columns the segments.
    columns : list of str, optional
        Segments to draw, in order; default all columns.
    normalize : bool, default False
        Draw shares in percent of each row's total instead of counts.
    colors : dict or list, optional
        Segment colours; vote positions (``pour``, ``contre``...) get theirs by default.
    legislature : int, optional
        Rows are political groups (uids or acronyms): sort them left to right and label
        them by acronym.
    order : list, optional
        Explicit row order (top to bottom).
    labels : bool, default True
        Write each segment's value inside it when it is wide enough.
    decimals : int, optional
        Decimals of the segment labels.
    legend_labels : dict, optional
        Display names of the columns; vote positions (``non_votants``...) are named
        ``Non-votant`` and so on by default.
    ax : Axes, optional
    **kwargs
        Passed to ``Axes.barh``.

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> votes = pd.DataFrame({"pour": [120, 10], "contre": [3, 60]}, index=["RN", "LFI-NFP"])
    >>> ax = bars_stacked(votes)
    >>> [text.get_text() for text in ax.get_legend().get_texts()]
    ['Pour', 'Contre']
    >>> plt.close(ax.figure)
    """
    frame = _wide_frame(data, "bars_stacked")
    if columns is not None:
        frame = frame[list(columns)]
    frame = _order_rows(frame.astype(float).fillna(0.0), order, legislature)
    if normalize:
        totals = frame.sum(axis=1).replace(0.0, np.nan)
        frame = frame.div(totals, axis=0).mul(100.0).fillna(0.0)
    names = dict(legend_labels or {})
    row_labels = _row_labels(frame.index, legislature)
    ax = get_ax(ax, height=max(2.2, 0.36 * len(frame) + 1.1))
    segment_colors = _segment_colors([str(c) for c in frame.columns], colors)
    positions = np.arange(len(frame))
    left = np.zeros(len(frame))
    kwargs.setdefault("height", 0.72)
    span = float(frame.sum(axis=1).max() or 1.0)
    kind = "percent" if normalize else "number"
    for column, colour in zip(frame.columns, segment_colors, strict=True):
        widths = frame[column].to_numpy()
        ax.barh(positions, widths, left=left, color=colour, label=_column_name(str(column), names), **kwargs)
        if labels:
            for position, start, width in zip(positions, left, widths, strict=True):
                if width >= span * 0.06:
                    add_text(ax, start + width / 2, position,
                             fmt(width, kind, 0 if decimals is None else decimals),
                             ha="center", va="center", fontsize=_theme.LABEL_FONT_SIZE - 1,
                             color=contrast_text(colour))
        left = left + widths
    ax.set_yticks(positions, row_labels)
    ax.invert_yaxis()
    ax.grid(False, axis="y")
    ax.grid(True, axis="x")
    ax.tick_params(axis="y", length=0)
    ax.spines["left"].set_visible(False)
    format_axis(ax, "x", kind)
    ax.set_xlim(0, 100 if normalize else span * 1.03)
    ax.legend(ncols=min(len(frame.columns), 5), loc="lower left", bbox_to_anchor=(0.0, 1.0),
              frameon=False, handlelength=1.0, borderaxespad=0.2)
    unit = "en pourcentage de chaque ligne" if normalize else "en nombre"
    parts = [f"{label} : " + ", ".join(
        f"{_column_name(str(c), names).lower()} {fmt(frame.iloc[i][c], kind, decimals or 0)}" for c in frame.columns)
        for i, label in enumerate(row_labels[:4])]
    text = (f"Barres empilées de {len(frame)} lignes, segments {french.format_list([_column_name(str(c), names).lower() for c in frame.columns])}, "
            f"{unit}. " + " ; ".join(parts) + ("…" if len(frame) > 4 else "."))
    describe(ax, text)
    return ax


def bars_diverging(data: Any, *, negative: Sequence[str] = ("contre",), positive: Sequence[str] = ("pour",),
                   neutral: Sequence[str] = ("abstention",), normalize: bool = False,
                   colors: Mapping[str, str] | None = None, legislature: int | None = None,
                   order: Sequence[Any] | None = None, labels: bool = True,
                   legend_labels: Mapping[str, str] | None = None, ax: Axes | None = None,
                   **kwargs: Any) -> Axes:
    """Draw diverging bars: the positions of each group on a vote around a zero line.

    ``positive`` columns extend to the right, ``negative`` columns to the left, and
    ``neutral`` columns are split in half on both sides of zero (as in a Likert chart).

    Parameters
    ----------
    data : DataFrame
        One row per group, one column per position (``pour``, ``contre``, ``abstention``...).
    negative, positive, neutral : list of str
        Columns on each side; columns not listed are ignored. A vote position matches its
        other spellings, so the default ``abstention`` finds an ``abstentions`` column.
    normalize : bool, default False
        Shares of each group's voters in percent instead of counts.
    colors : dict, optional
        Column colours; vote positions have theirs by default.
    legislature : int, optional
        Rows are political groups: sort them left to right and label them by acronym.
    order : list, optional
        Explicit row order (top to bottom).
    labels : bool, default True
        Write the value of each segment inside it when it is wide enough.
    legend_labels : dict, optional
        Display names of the columns.
    ax : Axes, optional
    **kwargs
        Passed to ``Axes.barh``.

    Returns
    -------
    matplotlib.axes.Axes
        The x axis shows absolute values on both sides of zero.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> votes = pd.DataFrame({"pour": [120, 10], "contre": [3, 60], "abstention": [0, 4]},
    ...                      index=["RN", "LFI-NFP"])
    >>> ax = bars_diverging(votes)
    >>> [tick.get_text() for tick in ax.get_yticklabels()]
    ['RN', 'LFI-NFP']
    >>> plt.close(ax.figure)
    """
    frame = _wide_frame(data, "bars_diverging")
    negative = _match_columns(frame, negative)
    positive = _match_columns(frame, positive)
    neutral = _match_columns(frame, neutral)
    wanted = [*negative, *neutral, *positive]
    missing = [c for c in wanted if c not in frame.columns]
    if missing:
        raise ConfigurationError(
            f"bars_diverging() : colonnes absentes {', '.join(missing)}. "
            f"Colonnes disponibles : {', '.join(map(str, frame.columns))}."
        )
    frame = _order_rows(frame[wanted].astype(float).fillna(0.0), order, legislature)
    if normalize:
        totals = frame.sum(axis=1).replace(0.0, np.nan)
        frame = frame.div(totals, axis=0).mul(100.0).fillna(0.0)
    names = dict(legend_labels or {})
    palette = {c: _position_colour(c) for c in wanted if _position_colour(c)}
    palette.update(colors or {})
    row_labels = _row_labels(frame.index, legislature)
    ax = get_ax(ax, height=max(2.2, 0.36 * len(frame) + 1.1))
    positions = np.arange(len(frame))
    kwargs.setdefault("height", 0.72)
    kind = "percent" if normalize else "number"
    span = float(frame.sum(axis=1).max() or 1.0)

    def draw(column: str, starts: np.ndarray, widths: np.ndarray, label: bool, labelled: bool = True) -> None:
        colour = palette.get(column, _theme.ink("neutral"))
        ax.barh(positions, widths, left=starts, color=colour,
                label=_column_name(column, names) if label else None, **kwargs)
        if labels and labelled:
            for position, start, width in zip(positions, starts, widths, strict=True):
                if abs(width) >= span * 0.06:
                    add_text(ax, start + width / 2, position, fmt(abs(width), kind, 0),
                             ha="center", va="center", fontsize=_theme.LABEL_FONT_SIZE - 1,
                             color=contrast_text(colour))

    # Right side: half of the neutral columns, then the positive ones.
    right = np.zeros(len(frame))
    left = np.zeros(len(frame))
    for column in neutral:
        width = frame[column].to_numpy() / 2.0
        draw(column, right.copy(), width, True, labelled=False)
        draw(column, -left - width, width, False, labelled=False)
        if labels:
            # One label for both halves, centred on the neutral segment.
            colour = palette.get(column, _theme.ink("neutral"))
            for position, start, half in zip(positions, right - left, width, strict=True):
                if 2 * half >= span * 0.06:
                    add_text(ax, start / 2, position, fmt(2 * half, kind, 0), ha="center", va="center",
                             fontsize=_theme.LABEL_FONT_SIZE - 1, color=contrast_text(colour))
        right += width
        left += width
    for column in positive:
        width = frame[column].to_numpy()
        draw(column, right.copy(), width, True)
        right += width
    for column in negative:
        width = frame[column].to_numpy()
        draw(column, -left - width, width, True)
        left += width

    ax.axvline(0, color=_theme.ink("axis"), linewidth=0.9)
    limit = float(max(right.max(initial=0.0), left.max(initial=0.0))) * 1.05 or 1.0
    ax.set_xlim(-limit, limit)
    ax.set_yticks(positions, row_labels)
    ax.invert_yaxis()
    ax.grid(False, axis="y")
    ax.grid(True, axis="x")
    ax.tick_params(axis="y", length=0)
    ax.spines["left"].set_visible(False)
    if normalize:
        ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: french.format_percent(abs(v), 0)))
    else:
        ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: french.format_number(abs(v))))
    handles, legend_names = ax.get_legend_handles_labels()
    by_name = dict(zip(legend_names, handles, strict=True))
    legend_order = [_column_name(c, names) for c in (*negative, *neutral, *positive)]
    ax.legend([by_name[n] for n in legend_order if n in by_name], [n for n in legend_order if n in by_name],
              ncols=len(legend_order), loc="lower left", bbox_to_anchor=(0.0, 1.0), frameon=False,
              handlelength=1.0, borderaxespad=0.2)
    parts = []
    for i, label in enumerate(row_labels):
        row = frame.iloc[i]
        parts.append(f"{label} : " + ", ".join(
            _count_phrase(row[c], _column_name(c, names).lower(), kind) for c in (*positive, *negative, *neutral)))
    describe(ax, (f"Barres divergentes des positions de {len(frame)} groupes, "
                  f"{french.format_list([_column_name(c, names).lower() for c in positive])} à droite, "
                  f"{french.format_list([_column_name(c, names).lower() for c in negative])} à gauche. ")
             + " ; ".join(parts) + ".")
    return ax


def waterfall(data: Any, *, start: float | None = None, start_label: str = "Départ",
              total_label: str | None = "Arrivée", kind: str = "euros", decimals: int | None = None,
              value_options: Mapping[str, Any] | None = None, increase_color: str | None = None,
              decrease_color: str | None = None, total_color: str | None = None,
              ax: Axes | None = None, **kwargs: Any) -> Axes:
    """Draw a waterfall: from a starting total, each change as a floating bar, then the result.

    Parameters
    ----------
    data : Series or dict
        Changes indexed by label (positive: increase, negative: decrease).
    start : float, optional
        The starting total, drawn as a first full bar; ``None`` starts at zero with no bar.
    start_label, total_label : str
        Labels of the first and last bars; ``total_label=None`` draws no final bar.
    kind : {"euros", "number", "percent"}, default "euros"
        How values are written on the bars and the axis.
    decimals : int, optional
        Decimals of the value labels.
    value_options : dict, optional
        Formatter options (``scale=1e6`` when the data is in M€).
    increase_color, decrease_color, total_color : str, optional
        Colours; by default blue, vermilion and grey (distinct for colour-blind readers).
    ax : Axes, optional
    **kwargs
        Passed to ``Axes.bar``.

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> changes = pd.Series({"Défense": 3.3e9, "Écologie": -1.9e9})
    >>> ax = waterfall(changes, start=580e9, start_label="PLF 2024", total_label="PLF 2025")
    >>> [tick.get_text() for tick in ax.get_xticklabels()]
    ['PLF 2024', 'Défense', 'Écologie', 'PLF 2025']
    >>> plt.close(ax.figure)
    """
    changes = as_series(data, x=None, y=None, name="waterfall")
    values = numeric(changes.to_numpy(), "waterfall")
    labels = [str(i) for i in changes.index]
    options = dict(value_options or {})
    up = increase_color or "#2B6CB0"
    down = decrease_color or "#D55E00"
    total = total_color or _theme.ink("neutral")
    ax = get_ax(ax)
    kwargs.setdefault("width", 0.7)

    names, bottoms, heights, colours, texts = [], [], [], [], []
    level = 0.0 if start is None else float(start)
    if start is not None:
        names.append(start_label)
        bottoms.append(0.0)
        heights.append(level)
        colours.append(total)
        texts.append(fmt(level, kind, decimals, **options))
    for label, change in zip(labels, values, strict=True):
        names.append(label)
        bottoms.append(level)
        heights.append(change)
        colours.append(up if change >= 0 else down)
        texts.append(fmt(change, kind, decimals, sign=True, **options))
        level += change
    if total_label is not None:
        names.append(total_label)
        bottoms.append(0.0)
        heights.append(level)
        colours.append(total)
        texts.append(fmt(level, kind, decimals, **options))

    positions = np.arange(len(names))
    ax.bar(positions, heights, bottom=bottoms, color=colours, **kwargs)
    tops = [b + max(h, 0.0) for b, h in zip(bottoms, heights, strict=True)]
    lows = [b + min(h, 0.0) for b, h in zip(bottoms, heights, strict=True)]
    span = (max(tops) - min(0.0, *lows)) or 1.0
    for position, top, low, height, text in zip(positions, tops, lows, heights, texts, strict=True):
        if height >= 0:
            add_text(ax, position, top + span * 0.01, text, ha="center", va="bottom",
                     fontsize=_theme.LABEL_FONT_SIZE - 0.5, color=_theme.ink("text"))
        else:
            add_text(ax, position, low - span * 0.01, text, ha="center", va="top",
                     fontsize=_theme.LABEL_FONT_SIZE - 0.5, color=_theme.ink("text"))
    # Connectors between consecutive bars, at the running level.
    for position in positions[:-1]:
        level_after = bottoms[position] + heights[position]
        ax.plot([position + 0.35, position + 0.65], [level_after, level_after], color=_theme.ink("axis"),
                linewidth=0.8, linestyle=(0, (2, 2)))
    # Long labels go on several lines; rotation only when there are too many bars for that.
    width = max(8, int(84 / max(len(names), 1)))
    wrapped = [textwrap.fill(n, width, break_long_words=False, break_on_hyphens=False) for n in names]
    ax.set_xticks(positions, wrapped)
    if len(names) > 6:
        ax.tick_params(axis="x", labelsize=_theme.LABEL_FONT_SIZE - 1)
    ax.set_ylim(min(0.0, *lows) - span * 0.08, max(tops) + span * 0.1)
    ax.axhline(0, color=_theme.ink("axis"), linewidth=0.8)
    format_axis(ax, "y", kind, **options)
    if len(names) > 10:
        for tick_label in ax.get_xticklabels():
            tick_label.set_rotation(30)
            tick_label.set_horizontalalignment("right")
            tick_label.set_rotation_mode("anchor")
    pairs = list(zip(names, texts, strict=True))
    text = f"Graphique en cascade de {len(names)} barres : " + list_items(pairs[:6])
    text += "…" if len(pairs) > 6 else "."
    describe(ax, text)
    return ax
