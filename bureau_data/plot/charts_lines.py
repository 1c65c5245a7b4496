"""Line charts: lines, time series with annotations, small multiples."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import matplotlib.dates as mdates
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.ticker import FixedLocator

from bureau_data import french
from bureau_data.errors import ConfigurationError
from bureau_data.plot import colors as _colors
from bureau_data.plot import style as _theme
from bureau_data.plot._common import add_text, describe, fmt, get_ax, numeric, readable_color
from bureau_data.plot.ticks import FrenchDateFormatter, format_axis

Annotation = tuple[Any, str] | tuple[Any, float, str] | Mapping[str, Any]


def _x_kind(values: Any) -> str:
    """Guess the x axis: dates, years (integers 1800–2200) or plain numbers."""
    array = np.asarray(values)
    if np.issubdtype(array.dtype, np.datetime64) or (
        array.dtype == object and len(array) and isinstance(array[0], pd.Timestamp | np.datetime64)
    ):
        return "date"
    if np.issubdtype(array.dtype, np.integer) and len(array) and array.min() >= 1800 and array.max() <= 2200:
        return "year"
    return "number"


def _describe_x(value: Any, x_kind: str) -> str:
    if x_kind == "date":
        return french.format_date(pd.Timestamp(value), style="long")
    if x_kind == "year":
        return str(int(value))
    return french.format_number(float(value), 0 if float(value).is_integer() else 2)


def annotate(ax: Axes, x: Any, y: float, text: str, *, dx: float = 0.0, dy: float = 18.0,
             arrow: bool = True, **kwargs: Any) -> Any:
    """Write an annotation pointing at ``(x, y)``, offset by ``(dx, dy)`` points.

    Dates may be given as strings or Timestamps. The text is never parsed by mathtext.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
    x
        Position on the x axis: a number, a date string or a Timestamp.
    y : float
    text : str
    dx, dy : float
        Offset of the text from the point, in points.
    arrow : bool, default True
        Draw a thin line from the text to the point.
    **kwargs
        Passed to ``Axes.annotate``.

    Returns
    -------
    matplotlib.text.Annotation

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> s = pd.Series([1.0, 3.0], index=pd.to_datetime(["2020-01-01", "2020-06-01"]))
    >>> ax = plot_series(s)
    >>> annotate(ax, "2020-06-01", 3.0, "Pic de juin").get_text()
    'Pic de juin'
    >>> plt.close(ax.figure)
    """
    if isinstance(x, str):
        x = pd.Timestamp(x)
    if isinstance(x, pd.Timestamp | np.datetime64):
        x = mdates.date2num(pd.Timestamp(x).to_pydatetime())
    kwargs.setdefault("fontsize", _theme.LABEL_FONT_SIZE)
    kwargs.setdefault("color", _theme.ink("text"))
    kwargs.setdefault("ha", "center")
    kwargs.setdefault("va", "bottom" if dy >= 0 else "top")
    arrowprops = {"arrowstyle": "-", "color": _theme.ink("muted"), "linewidth": 0.8} if arrow else None
    return ax.annotate(text, xy=(x, y), xytext=(dx, dy), textcoords="offset points",
                       arrowprops=arrowprops, annotation_clip=False, parse_math=False, **kwargs)


def _apply_annotations(ax: Axes, annotations: Sequence[Annotation] | None, series: pd.Series | None) -> None:
    for item in annotations or ():
        if isinstance(item, Mapping):
            options = dict(item)
            x = options.pop("x")
            text = options.pop("text")
            y = options.pop("y", None)
        elif len(item) == 2:
            x, text = item  # type: ignore[misc]
            y = None
            options = {}
        elif len(item) == 3:
            x, y, text = item  # type: ignore[misc]
            options = {}
        else:
            raise ConfigurationError(
                f"Annotation invalide : {item!r}. Attendu (x, texte), (x, y, texte) ou un dict."
            )
        if y is None:
            if series is None:
                raise ConfigurationError(f"Annotation {text!r} sans y : indiquez (x, y, texte).")
            key = pd.Timestamp(x) if isinstance(series.index, pd.DatetimeIndex) else x
            position = series.index.get_indexer(pd.Index([key]), method="nearest")[0]
            y = float(series.iloc[position])
            x = series.index[position]
        annotate(ax, x, y, text, **options)


def _label_line_ends(ax: Axes, lines: list[tuple[str, Any, float, str]]) -> None:
    """Write each line's name at its last point, nudged apart so the names do not overlap."""
    if not lines:
        return
    ax.figure.canvas.draw_idle()
    ymin, ymax = ax.get_ylim()
    min_gap = (ymax - ymin) * 0.055
    ordered = sorted(lines, key=lambda item: item[2])
    placed: list[float] = []
    for _, _, y, _ in ordered:
        placed.append(max(y, placed[-1] + min_gap) if placed else y)
    for (name, x_last, _, colour), y in zip(ordered, placed, strict=True):
        add_text(ax, x_last, y, f"  {name}", color=readable_color(colour), va="center", ha="left",
                 fontsize=_theme.LABEL_FONT_SIZE, fontweight="bold", clip_on=False)


def _ticks_on_periods(ax: Axes, index: pd.DatetimeIndex, date_style: str) -> None:
    """Put the ticks on the data's own dates when they are monthly or yearly.

    Monthly values dated the 15th then get one ``janv. 2024`` label each, instead of
    ticks on the 1st and 15th of each month. At most 8 ticks are kept, on round
    steps aligned on the calendar.
    """
    if len(index) < 2 or date_style not in ("auto", "month", "month_long", "year"):
        return
    gaps = np.diff(index.to_numpy()).astype("timedelta64[s]").astype(float)
    spacing = float(np.median(gaps)) / 86_400.0
    if 27.0 <= spacing <= 32.0:
        style = "month" if date_style == "auto" else date_style
    elif 360.0 <= spacing <= 370.0:
        style = "year" if date_style == "auto" else date_style
    else:
        return
    # Round steps aligned on the calendar: quarters start in January, decades on years ending in 0.
    needed = int(np.ceil(len(index) / 8))
    if style == "year":
        step = next(s for s in (1, 2, 5, 10, 20, 25, 50, 100, 1000) if s >= needed)
        chosen = index[index.year % step == 0]
    else:
        step = next(s for s in (1, 2, 3, 4, 6, 12, 24, 60, 120) if s >= needed)
        months = index.year * 12 + index.month - 1
        chosen = index[months % step == 0]
    if len(chosen) < 2:
        chosen = index[::step]
    positions = mdates.date2num(chosen.to_pydatetime())
    ax.xaxis.set_major_locator(FixedLocator(positions))
    ax.xaxis.set_major_formatter(FrenchDateFormatter(style))


def _as_groups(named: list[tuple[Any, Any]], colors: Mapping[str, str] | None,
               legislature: int) -> tuple[list[tuple[Any, Any]], Mapping[str, str]]:
    """Rename political groups to their sigles, left to right, with their colours by default."""
    keys = [str(name) for name, _ in named]
    by_key = dict(zip(keys, (part for _, part in named), strict=True))
    ordered = _colors.group_order(keys, legislature)
    labels = dict(zip(ordered, _colors.group_labels(ordered, legislature), strict=True))
    if colors is None:
        palette = _colors.group_colors(ordered, legislature)
        colors = {labels[key]: palette[key] for key in ordered}
    return [(labels[key], by_key[key]) for key in ordered], colors


def plot_line(data: Any = None, *, x: Any, y: Any, hue: str | None = None, kind: str = "number",
              x_kind: str | None = None, colors: Mapping[str, str] | None = None, decimals: int | None = None,
              value_options: Mapping[str, Any] | None = None, label_ends: bool = True,
              annotations: Sequence[Annotation] | None = None, xlabel: str | None = None,
              ylabel: str | None = None, legislature: int | None = None, ax: Axes | None = None,
              **kwargs: Any) -> Axes:
    """Draw one line, or one line per ``hue`` value, with French axes.

    Parameters
    ----------
    data : DataFrame, optional
        Long table; ``x``, ``y`` and ``hue`` then name its columns. Without it, ``x`` and
        ``y`` are sequences of values.
    x, y : str or sequence
    hue : str, optional
        Column whose values each get a line.
    kind : {"number", "percent", "euros"}, default "number"
        Formatter of the y axis.
    x_kind : {"number", "year", "date", "percent", "euros"}, optional
        Formatter of the x axis; guessed from the values when None (dates, years 1800–2200).
    colors : dict, optional
        ``{hue value: colour}``.
    decimals : int, optional
        Fixed decimals of the y tick labels; None picks the fewest that write every tick.
    value_options : dict, optional
        Options of the y formatter (``xmax``, ``scale``, ``unit``).
    label_ends : bool, default True
        Name each line at its end instead of a legend (only with ``hue``).
    annotations : list, optional
        ``(x, y, text)`` tuples, or dicts with ``x``, ``y``, ``text`` and ``annotate`` options.
    xlabel, ylabel : str, optional
    legislature : int, optional
        The ``hue`` values are political groups: name each line by the group's sigle and,
        unless ``colors`` is given, draw it in the group's colour.
    ax : Axes, optional
    **kwargs
        Passed to ``Axes.plot``.

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> ax = plot_line(x=[0, 1, 2, 3], y=[0.0, 0.5, 1.0, 1.5])
    """
    if data is not None:
        if not isinstance(data, pd.DataFrame):
            raise ConfigurationError("plot_line(data=...) attend un DataFrame ; sinon passez x=[...] et y=[...].")
        missing = [c for c in (x, y, hue) if c is not None and c not in data.columns]
        if missing:
            raise ConfigurationError(
                f"plot_line() : colonnes absentes {', '.join(map(str, missing))}. "
                f"Colonnes disponibles : {', '.join(map(str, data.columns))}."
            )
        frame = data
        x_values = frame[x]
    else:
        if hue is not None:
            raise ConfigurationError("plot_line(hue=...) demande data=DataFrame.")
        frame = pd.DataFrame({"x": list(x), "y": list(y)})
        x, y = "x", "y"
        x_values = frame["x"]
    options = dict(value_options or {})
    ax = get_ax(ax)
    x_kind = x_kind or _x_kind(x_values.to_numpy())
    groups = [(None, frame)] if hue is None else list(frame.groupby(hue, sort=False, observed=True))
    if legislature is not None and hue is not None:
        groups, colors = _as_groups(groups, colors, legislature)
    cycle = _theme.CYCLE_DARK if _theme.is_dark() else _theme.CYCLE_LIGHT
    ends = []
    summaries = []
    for index, (name, part) in enumerate(groups):
        part = part.sort_values(x)
        colour = (colors or {}).get(str(name)) if name is not None else None
        colour = colour or kwargs.get("color") or cycle[index % len(cycle)]
        line_kwargs = {k: v for k, v in kwargs.items() if k != "color"}
        xs = part[x].to_numpy()
        ys = numeric(part[y].to_numpy(), "plot_line")
        ax.plot(xs, ys, color=colour, label=None if name is None else str(name), **line_kwargs)
        finite = np.isfinite(ys)
        if finite.any():
            last = np.flatnonzero(finite)[-1]
            first = np.flatnonzero(finite)[0]
            ends.append((str(name), xs[last], float(ys[last]), colour))
            peak = int(np.nanargmax(ys))
            prefix = f"{name!s} : " if name is not None else ""
            summaries.append(
                f"{prefix}de {fmt(ys[first], kind, decimals, **options)} ({_describe_x(xs[first], x_kind)}) "
                f"à {fmt(ys[last], kind, decimals, **options)} ({_describe_x(xs[last], x_kind)}), "
                f"maximum {fmt(ys[peak], kind, decimals, **options)} ({_describe_x(xs[peak], x_kind)})"
            )
    format_axis(ax, "y", kind, decimals=decimals, **options)
    format_axis(ax, "x", x_kind)
    if xlabel:
        ax.set_xlabel(xlabel)
    if ylabel:
        ax.set_ylabel(ylabel)
    if hue is not None:
        if label_ends:
            _label_line_ends(ax, ends)
        else:
            ax.legend(loc="best")
    single = groups[0][1] if hue is None else None
    series = pd.Series(numeric(single[y].to_numpy(), "plot_line"), index=single[x].to_numpy()) if single is not None else None
    _apply_annotations(ax, annotations, series)
    measure = f" de {ylabel}" if ylabel else ""
    describe(ax, f"Courbe{'s' if len(summaries) > 1 else ''}{measure} : " + " ; ".join(summaries) + ".")
    return ax


def plot_series(data: Any, *, kind: str = "number", decimals: int | None = None,
                value_options: Mapping[str, Any] | None = None, colors: Mapping[str, str] | None = None,
                date_style: str = "auto", label_ends: bool = True,
                annotations: Sequence[Annotation] | None = None, ylabel: str | None = None,
                legislature: int | None = None, ax: Axes | None = None, **kwargs: Any) -> Axes:
    """Draw a time series (or one line per column of a DataFrame) with French dates.

    Parameters
    ----------
    data : Series or DataFrame
        Values indexed by a DatetimeIndex (or by years as integers).
    kind : {"number", "percent", "euros"}, default "number"
        Formatter of the y axis.
    decimals : int, optional
        Fixed decimals of the y tick labels.
    value_options : dict, optional
        Options of the y formatter.
    colors : dict, optional
        ``{column: colour}``.
    date_style : str, default "auto"
        Style of the date ticks (see ``FrenchDateFormatter``): ``"month"`` gives
        ``janv. 2024``, ``"year"`` gives ``2024``.
    label_ends : bool, default True
        Name each column's line at its end (DataFrame only).
    annotations : list, optional
        ``(date, text)`` (y read on the series), ``(date, y, text)`` or dicts.
    ylabel : str, optional
    legislature : int, optional
        The columns are political groups: name each line by the group's sigle and,
        unless ``colors`` is given, draw it in the group's colour.
    ax : Axes, optional
    **kwargs
        Passed to ``Axes.plot``.

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> import pandas as pd
    >>> s = pd.Series([1, 2, 3], index=pd.to_datetime(["2024-01-15", "2024-02-15", "2024-03-15"]))
    >>> ax = plot_series(s, date_style="month")
    """
    if isinstance(data, pd.Series):
        frame = data.to_frame(name=data.name if data.name is not None else "valeur")
        single = True
    elif isinstance(data, pd.DataFrame):
        frame = data
        single = frame.shape[1] == 1
    else:
        raise ConfigurationError(
            f"plot_series() attend une Series ou un DataFrame indexé par des dates, pas {type(data).__name__}."
        )
    options = dict(value_options or {})
    if legislature is not None:
        named, colors = _as_groups([(c, frame[c]) for c in frame.columns], colors, legislature)
        frame = pd.DataFrame({name: column for name, column in named})
    index = frame.index
    is_dates = isinstance(index, pd.DatetimeIndex)
    x_kind = "date" if is_dates else _x_kind(index.to_numpy())
    ax = get_ax(ax)
    cycle = _theme.CYCLE_DARK if _theme.is_dark() else _theme.CYCLE_LIGHT
    ends = []
    summaries = []
    frame = frame.sort_index()
    xs = pd.DatetimeIndex(frame.index).to_pydatetime() if is_dates else frame.index.to_numpy()
    for position, column in enumerate(frame.columns):
        ys = numeric(frame[column].to_numpy(), "plot_series")
        colour = (colors or {}).get(column) or kwargs.get("color") or cycle[position % len(cycle)]
        line_kwargs = {k: v for k, v in kwargs.items() if k != "color"}
        ax.plot(xs, ys, color=colour, label=str(column), **line_kwargs)
        finite = np.flatnonzero(np.isfinite(ys))
        if len(finite):
            first, last = finite[0], finite[-1]
            peak = int(np.nanargmax(ys))
            x_num = mdates.date2num(xs[last]) if is_dates else xs[last]
            ends.append((str(column), x_num, float(ys[last]), colour))
            prefix = "" if single else f"{column} : "
            summaries.append(
                f"{prefix}de {fmt(ys[first], kind, decimals, **options)} ({_describe_x(frame.index[first], x_kind)}) "
                f"à {fmt(ys[last], kind, decimals, **options)} ({_describe_x(frame.index[last], x_kind)}), "
                f"maximum {fmt(ys[peak], kind, decimals, **options)} ({_describe_x(frame.index[peak], x_kind)})"
            )
    format_axis(ax, "y", kind, decimals=decimals, **options)
    if is_dates:
        format_axis(ax, "x", "date", style=date_style)
        _ticks_on_periods(ax, pd.DatetimeIndex(frame.index), date_style)
    else:
        format_axis(ax, "x", x_kind)
    if ylabel:
        ax.set_ylabel(ylabel)
    if not single:
        if label_ends:
            _label_line_ends(ax, ends)
        else:
            ax.legend(loc="best")
    _apply_annotations(ax, annotations, frame.iloc[:, 0] if single else None)
    measure = f" de {ylabel}" if ylabel else ""
    plural = "s" if len(summaries) > 1 else ""
    describe(ax, f"Série{plural} temporelle{plural}{measure} : "
             + " ; ".join(summaries) + ".")
    return ax


def small_multiples(data: pd.DataFrame, *, x: str, y: str, facet: str, ncols: int = 3, sharey: bool = True,
                    kind: str = "number", decimals: int | None = None,
                    value_options: Mapping[str, Any] | None = None, color: str | None = None,
                    colors: Mapping[str, str] | None = None, facet_order: Sequence[Any] | None = None,
                    panel_height: float = 1.7, **kwargs: Any) -> np.ndarray:
    """Draw one small line chart per value of ``facet``, on a grid with shared axes.

    Parameters
    ----------
    data : DataFrame
        Long table with the ``x``, ``y`` and ``facet`` columns.
    x, y, facet : str
        Column names.
    ncols : int, default 3
        Panels per row.
    sharey : bool, default True
        Same y scale in every panel, so panels compare.
    kind : {"number", "percent", "euros"}, default "number"
        Formatter of the y axes.
    decimals : int, optional
        Fixed decimals of the y tick labels.
    value_options : dict, optional
        Options of the y formatter.
    color : str, optional
        Colour of every line; ``colors`` gives one per facet value.
    colors : dict, optional
        ``{facet value: colour}``.
    facet_order : list, optional
        Order of the panels; default the order of first appearance.
    panel_height : float, default 1.7
        Height of each row of panels, in inches.
    **kwargs
        Passed to ``Axes.plot``.

    Returns
    -------
    numpy.ndarray of Axes
        The panels in reading order (unused cells of the grid are removed).

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> data = pd.DataFrame({"annee": [2020, 2021] * 2, "part": [30.0, 32.0, 40.0, 41.0],
    ...                      "groupe": ["A", "A", "B", "B"]})
    >>> axes = small_multiples(data, x="annee", y="part", facet="groupe", ncols=2)
    >>> [ax.get_title(loc="left") for ax in axes.flat]
    ['A', 'B']
    >>> plt.close(axes.flat[0].figure)
    """
    missing = [c for c in (x, y, facet) if c not in data.columns]
    if missing:
        raise ConfigurationError(
            f"small_multiples() : colonnes absentes {', '.join(missing)}. "
            f"Colonnes disponibles : {', '.join(map(str, data.columns))}."
        )
    keys = list(facet_order) if facet_order is not None else list(pd.unique(data[facet]))
    if not keys:
        raise ConfigurationError("small_multiples() : aucune valeur dans la colonne des panneaux.")
    ncols = max(1, min(ncols, len(keys)))
    nrows = int(np.ceil(len(keys) / ncols))
    fig, grid = plt.subplots(nrows, ncols, sharex=True, sharey=sharey, squeeze=False,
                             figsize=(_theme.FIGURE_WIDTH_IN, panel_height * nrows + 0.4))
    panels = grid.ravel()
    options = dict(value_options or {})
    x_kind = _x_kind(data[x].to_numpy())
    summaries = []
    for panel, key in zip(panels, keys, strict=False):
        part = data[data[facet] == key].sort_values(x)
        colour = (colors or {}).get(key) or color or _theme.ink("accent")
        xs = part[x].to_numpy()
        ys = numeric(part[y].to_numpy(), "small_multiples")
        panel.plot(xs, ys, color=colour, **kwargs)
        panel.fill_between(xs, ys, color=colour, alpha=0.12, linewidth=0)
        panel.set_title(str(key), fontsize=_theme.LABEL_FONT_SIZE, loc="left", pad=3)
        format_axis(panel, "y", kind, decimals=decimals, **options)
        if x_kind == "date":
            # A French date label is up to 0.8 in wide (« avr. 2020 ») at this font size:
            # fit the number of ticks to the panel width so neighbouring labels never touch.
            max_ticks = max(2, min(4, int(_theme.FIGURE_WIDTH_IN / ncols / 0.8)))
            panel.xaxis.set_major_locator(mdates.AutoDateLocator(minticks=2, maxticks=max_ticks))
            panel.xaxis.set_major_formatter(FrenchDateFormatter("compact"))
        else:
            format_axis(panel, "x", x_kind)
            panel.xaxis.set_major_locator(plt.MaxNLocator(3, integer=x_kind == "year"))
        finite = np.flatnonzero(np.isfinite(ys))
        if len(finite):
            summaries.append(f"{key} {fmt(ys[finite[-1]], kind, decimals if decimals is not None else None, **options)}")
    for unused in panels[len(keys):]:
        unused.remove()
    used = panels[: len(keys)]
    describe(used[0], f"Petits multiples : {len(keys)} panneaux, un par valeur de « {facet} ». "
             f"Dernières valeurs : {', '.join(summaries)}.")
    return used
