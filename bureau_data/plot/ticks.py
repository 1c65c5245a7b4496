"""French tick formatters for matplotlib axes, independent of the locale and of mathtext.

Each formatter is a ``matplotlib.ticker.Formatter`` subclass that writes its labels with
``bureau_data.french``. The labels never contain ``$``, so the ``axes.formatter.use_mathtext``
setting cannot turn a decimal comma into ``{,}``, and no formatter reads the process
locale. The number of decimals is chosen once for all the ticks of an axis, so labels
line up (``0``, ``0,5``, ``1`` become ``0,0``, ``0,5``, ``1,0``).
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from typing import Any

import matplotlib.dates as mdates
import numpy as np
from matplotlib.axes import Axes
from matplotlib.ticker import AutoLocator, FixedLocator, Formatter, MaxNLocator

from bureau_data import french
from bureau_data.errors import ConfigurationError

_MAX_AUTO_DECIMALS = 6


def _needed_decimals(values: Sequence[float], scale: float = 1.0) -> int:
    """Return the fewest decimals that write every value exactly (up to float noise)."""
    finite = [v / scale for v in values if v is not None and math.isfinite(v)]
    for decimals in range(_MAX_AUTO_DECIMALS + 1):
        if all(abs(round(v, decimals) - v) < 1e-9 * max(1.0, abs(v)) for v in finite):
            return decimals
    return _MAX_AUTO_DECIMALS


class _TickAwareFormatter(Formatter):
    """Formatter that keeps the tick positions it is given (``Formatter.locs`` is deprecated)."""

    _tick_values: list[float] = []

    def set_locs(self, locs: Sequence[float]) -> None:
        self._tick_values = [float(v) for v in locs]


class _FrenchFormatter(_TickAwareFormatter):
    """Shared logic: fixed or automatic decimals, computed over the visible ticks."""

    def __init__(self, decimals: int | None = None, *, sign: bool = False) -> None:
        self.decimals = decimals
        self.sign = sign

    def _visible_locs(self) -> list[float]:
        locs = list(self._tick_values)
        if self.axis is not None and locs:
            low, high = sorted(self.axis.get_view_interval())
            span = high - low
            locs = [v for v in locs if low - 1e-9 * span <= v <= high + 1e-9 * span] or locs
        return locs

    def _decimals_for(self, scale: float = 1.0) -> int:
        if self.decimals is not None:
            return self.decimals
        return _needed_decimals(self._visible_locs(), scale)

    def format_ticks(self, values: Sequence[float]) -> list[str]:
        self.set_locs(values)
        return [self(value, index) for index, value in enumerate(values)]


class FrenchNumberFormatter(_FrenchFormatter):
    """Tick labels such as ``1 234,5`` and ``−12``.

    Parameters
    ----------
    decimals : int, optional
        Fixed number of decimals; ``None`` uses the fewest that write every tick exactly.
    sign : bool, default False
        Prefix positive values with ``+``.
    suffix : str, default ""
        Unit appended after a narrow no-break space, such as ``"sièges"``.

    Examples
    --------
    >>> FrenchNumberFormatter().format_ticks([0, 1500, 3000])
    ['0', '1\\u202f500', '3\\u202f000']
    >>> FrenchNumberFormatter(suffix="sièges").format_ticks([100, 289])
    ['100\\u202fsièges', '289\\u202fsièges']
    """

    def __init__(self, decimals: int | None = None, *, sign: bool = False, suffix: str = "") -> None:
        super().__init__(decimals, sign=sign)
        self.suffix = suffix

    def __call__(self, x: float, pos: int | None = None) -> str:
        text = french.format_number(x, self._decimals_for(), sign=self.sign)
        return f"{text}{french.NNBSP}{self.suffix}" if self.suffix else text


class FrenchPercentFormatter(_FrenchFormatter):
    """Tick labels such as ``12,5 %``.

    Parameters
    ----------
    decimals : int, optional
        Fixed number of decimals; ``None`` picks them from the ticks.
    xmax : float, default 100
        The data value that means 100 %: 100 when the data is in percent, 1 for shares.
    sign : bool, default False
        Prefix positive values with ``+``.

    Examples
    --------
    >>> FrenchPercentFormatter(xmax=1).format_ticks([0, 0.125, 0.25])
    ['0,0\\u202f%', '12,5\\u202f%', '25,0\\u202f%']
    """

    def __init__(self, decimals: int | None = None, *, xmax: float = 100.0, sign: bool = False) -> None:
        super().__init__(decimals, sign=sign)
        if xmax == 0:
            raise ConfigurationError("xmax ne peut pas valoir 0 : indiquez 100 (pourcentages) ou 1 (parts).")
        self.xmax = float(xmax)

    def __call__(self, x: float, pos: int | None = None) -> str:
        scale = self.xmax / 100.0
        return french.format_percent(x / scale, self._decimals_for(scale), sign=self.sign)


class FrenchEurosFormatter(_FrenchFormatter):
    """Tick labels in euros with one unit for the whole axis: ``0``, ``1,5 Md€``, ``3 Md€``.

    Parameters
    ----------
    decimals : int, optional
        Fixed number of decimals; ``None`` picks them from the ticks.
    unit : {"€", "k€", "M€", "Md€"}, optional
        Force the unit; ``None`` takes the unit of the largest tick in absolute value.
    scale : float, default 1
        Euros per data unit: 1e6 when the data is in millions of euros, 1e9 in billions.
    sign : bool, default False
        Prefix positive values with ``+`` (for changes).

    Examples
    --------
    >>> FrenchEurosFormatter().format_ticks([0, 1.5e9, 3e9])
    ['0', '1,5\\u202fMd€', '3,0\\u202fMd€']
    >>> FrenchEurosFormatter(scale=1e6).format_ticks([0, 500, 1000])
    ['0', '0,5\\u202fMd€', '1,0\\u202fMd€']
    """

    def __init__(self, decimals: int | None = None, *, unit: str | None = None, scale: float = 1.0,
                 sign: bool = False) -> None:
        super().__init__(decimals, sign=sign)
        self.unit = unit
        self.scale = float(scale)

    def _axis_unit(self) -> tuple[float, str]:
        units = {symbol: divisor for divisor, symbol in french.EURO_UNITS}
        if self.unit is not None:
            if self.unit not in units:
                raise ConfigurationError(
                    f"Unité inconnue : {self.unit!r}. Unités possibles : {', '.join(units)}."
                )
            return units[self.unit], self.unit
        locs = self._visible_locs()
        largest = max((abs(v) * self.scale for v in locs if math.isfinite(v)), default=0.0)
        return french.euro_unit(largest)

    def __call__(self, x: float, pos: int | None = None) -> str:
        divisor, symbol = self._axis_unit()
        amount = x * self.scale
        if amount == 0:
            return "0"
        decimals = self.decimals
        if decimals is None:
            decimals = _needed_decimals([v * self.scale for v in self._visible_locs()], divisor)
        return french.format_euros(amount, decimals, unit=symbol, sign=self.sign)


class FrenchYearFormatter(Formatter):
    """Tick labels of years written as numbers: ``2024``, never ``2 024``.

    Ticks that are not whole years get no label, so a year axis never shows ``2 023,5``.

    Examples
    --------
    >>> formatter = FrenchYearFormatter()
    >>> formatter(2024), formatter(2023.5)
    ('2024', '')
    """

    def __call__(self, x: float, pos: int | None = None) -> str:
        if not math.isfinite(x) or abs(x - round(x)) > 1e-9:
            return ""
        return french.format_number(round(x)).replace(french.NNBSP, "")


# Date tick formats, by the spacing of the ticks in days (largest first).
_DATE_FORMATS: tuple[tuple[float, str], ...] = (
    (300.0, "year"),
    (27.0, "month"),
    (0.99, "day"),
    (0.0, "time"),
)


class FrenchDateFormatter(_TickAwareFormatter):
    """Date tick labels with French month names: ``2024``, ``janv. 2024``, ``15 janv.``.

    Parameters
    ----------
    style : {"auto", "year", "month", "month_long", "day", "day_year", "time"}, default "auto"
        ``"auto"`` chooses from the spacing of the ticks: years for yearly ticks,
        ``janv. 2024`` for monthly ticks, ``15 janv.`` for daily ticks (with the year
        on the first tick and when it changes), ``14:30`` below a day. ``"compact"``
        is the same but writes monthly ticks as ``janv.``, with the year only on the
        first tick and where it changes (for narrow panels).

    Notes
    -----
    Dates are read with ``matplotlib.dates.num2date``, in UTC unless the axis has a time zone.
    Month names come from ``bureau_data.french.MONTHS_SHORT``, never from ``strftime``.

    Examples
    --------
    >>> import datetime as dt
    >>> import matplotlib.dates as mdates
    >>> days = mdates.date2num([dt.date(2024, 1, 1), dt.date(2024, 2, 1), dt.date(2024, 3, 1)])
    >>> FrenchDateFormatter().format_ticks(days)
    ['janv. 2024', 'févr. 2024', 'mars 2024']
    """

    styles = ("auto", "compact", "year", "month", "month_long", "day", "day_year", "time")

    def __init__(self, style: str = "auto", *, tz: dt.tzinfo | None = None) -> None:
        if style not in self.styles:
            raise ConfigurationError(
                f"Style de date inconnu : {style!r}. Styles possibles : {', '.join(self.styles)}."
            )
        self.style = style
        self.tz = tz

    def _style(self) -> str:
        if self.style not in ("auto", "compact"):
            return self.style
        locs = sorted(self._tick_values)
        if len(locs) < 2:
            return "day_year"
        spacing = min(b - a for a, b in zip(locs, locs[1:], strict=False) if b > a) if len(set(locs)) > 1 else 1.0
        for threshold, style in _DATE_FORMATS:
            if spacing >= threshold:
                return "month_compact" if style == "month" and self.style == "compact" else style
        return "time"

    def _year_changed(self, x: float, year: int) -> bool:
        """Return True on the first tick and on the first tick of each new year."""
        locs = sorted(self._tick_values)
        previous = [v for v in locs if v < x]
        return not previous or mdates.num2date(previous[-1], tz=self.tz).year != year

    def __call__(self, x: float, pos: int | None = None) -> str:
        if not math.isfinite(x):
            return ""
        date = mdates.num2date(x, tz=self.tz)
        style = self._style()
        if style == "year":
            return str(date.year)
        if style == "month":
            return french.format_month_short(date)
        if style == "month_compact":
            short = french.MONTHS_SHORT[date.month - 1]
            return f"{short} {date.year}" if self._year_changed(x, date.year) else short
        if style == "month_long":
            return french.format_date(date, style="month")
        if style == "time":
            return f"{date.hour:02d}:{date.minute:02d}"
        day = f"{french.format_day(date.day)} {french.MONTHS_SHORT[date.month - 1]}"
        if style == "day_year":
            return f"{day} {date.year}"
        # Daily ticks: show the year on the first tick and where it changes.
        return f"{day} {date.year}" if self._year_changed(x, date.year) else day


class InViewLocator(MaxNLocator):
    """``MaxNLocator`` that returns only the ticks inside the view limits.

    matplotlib's locators add one tick beyond each end; those ticks are not drawn, but
    ``Axis.get_ticklabels()`` still lists them, which makes tick labels harder to check.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> fig, ax = plt.subplots()
    >>> ax.set_ylim(0, 10)
    (0.0, 10.0)
    >>> ax.yaxis.set_major_locator(InViewLocator(nbins=5))
    >>> ax.yaxis.get_major_locator()().tolist()
    [0.0, 2.0, 4.0, 6.0, 8.0, 10.0]
    >>> plt.close(fig)
    """

    def __call__(self) -> Any:
        vmin, vmax = sorted(self.axis.get_view_interval()) if self.axis is not None else (-np.inf, np.inf)
        tolerance = (vmax - vmin) * 1e-9
        ticks = super().__call__()
        return np.asarray([t for t in ticks if vmin - tolerance <= t <= vmax + tolerance])


def format_axis(ax: Axes, axis: str = "y", kind: str = "number", **options: Any) -> Axes:
    """Give an axis French tick labels.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
    axis : {"x", "y"}, default "y"
    kind : {"number", "percent", "euros", "year", "date"}, default "number"
        Which formatter to install: ``FrenchNumberFormatter``, ``FrenchPercentFormatter``,
        ``FrenchEurosFormatter``, ``FrenchYearFormatter`` or ``FrenchDateFormatter``.
    **options
        Passed to the formatter (``decimals``, ``xmax``, ``unit``, ``scale``, ``sign``,
        ``style``...).

    Returns
    -------
    matplotlib.axes.Axes
        The same Axes.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> fig, ax = plt.subplots()
    >>> _ = ax.plot([0, 1], [0, 1.5e9])
    >>> _ = format_axis(ax, "y", "euros")
    >>> plt.close(fig)
    """
    if axis not in ("x", "y"):
        raise ConfigurationError(f"Axe inconnu : {axis!r}. Indiquez 'x' ou 'y'.")
    target = ax.xaxis if axis == "x" else ax.yaxis
    formatters = {
        "number": FrenchNumberFormatter,
        "percent": FrenchPercentFormatter,
        "euros": FrenchEurosFormatter,
        "year": FrenchYearFormatter,
        "date": FrenchDateFormatter,
    }
    if kind not in formatters:
        raise ConfigurationError(
            f"Type d'axe inconnu : {kind!r}. Types possibles : {', '.join(formatters)}."
        )
    if kind == "date":
        locator = mdates.AutoDateLocator(minticks=2, maxticks=7)
        target.set_major_locator(locator)
        target.set_major_formatter(FrenchDateFormatter(**options))
    elif kind == "year":
        target.set_major_locator(InViewLocator(nbins=7, steps=[1, 2, 5, 10], integer=True))
        target.set_major_formatter(FrenchYearFormatter())
    else:
        if isinstance(target.get_major_locator(), AutoLocator):
            # Five intervals at most and three ticks at least, on round steps: 0; 0,5; 1; 1,5
            # rather than every 0,2.
            target.set_major_locator(InViewLocator(nbins=5, steps=[1, 2, 2.5, 5, 10], min_n_ticks=3))
        target.set_major_formatter(formatters[kind](**options))
    return ax


def formatter_for(kind: str, **options: Any) -> Formatter:
    """Return a French formatter by kind, for value labels and colour bars.

    Parameters
    ----------
    kind : {"number", "percent", "euros", "year", "date"}
        As in ``format_axis``.
    **options
        Passed to the formatter.

    Returns
    -------
    matplotlib.ticker.Formatter
        A new formatter.

    Raises
    ------
    ConfigurationError
        When ``kind`` is not one of the five kinds.

    Examples
    --------
    >>> formatter_for("percent", decimals=1)(12.5)
    '12,5\\u202f%'
    >>> formatter_for("monnaie")
    Traceback (most recent call last):
        ...
    bureau_data.errors.ConfigurationError: Type de valeur inconnu : 'monnaie'. Types ...
    """
    formatters: dict[str, type[Formatter]] = {
        "number": FrenchNumberFormatter,
        "percent": FrenchPercentFormatter,
        "euros": FrenchEurosFormatter,
        "year": FrenchYearFormatter,
        "date": FrenchDateFormatter,
    }
    if kind not in formatters:
        raise ConfigurationError(
            f"Type de valeur inconnu : {kind!r}. Types possibles : {', '.join(formatters)}."
        )
    return formatters[kind](**options)


def value_label(value: float, kind: str = "number", decimals: int | None = None, **options: Any) -> str:
    """Format one value for a data label (``kind`` as in ``format_axis``).

    ``decimals=None`` uses 0 for numbers, 1 for percent and amounts in euros.

    Parameters
    ----------
    value : float
        The value, in the unit of the data.
    kind : {"number", "percent", "euros", "year", "date"}, default "number"
    decimals : int, optional
        Digits after the decimal comma.
    **options
        ``sign``, ``xmax`` (percent) and ``scale``, ``unit`` (euros), as for the formatters.

    Returns
    -------
    str

    Raises
    ------
    ConfigurationError
        When ``kind`` is not one of the five kinds.

    Examples
    --------
    >>> value_label(12_345), value_label(0.254, "percent", xmax=1), value_label(3.2e9, "euros")
    ('12\\u202f345', '25,4\\u202f%', '3,2\\u202fMd€')
    """
    if kind == "number":
        return french.format_number(value, 0 if decimals is None else decimals, sign=options.get("sign", False))
    if kind == "percent":
        xmax = float(options.get("xmax", 100.0))
        return french.format_percent(value * 100.0 / xmax, 1 if decimals is None else decimals,
                                     sign=options.get("sign", False))
    if kind == "euros":
        return french.format_euros(value * float(options.get("scale", 1.0)), 1 if decimals is None else decimals,
                                   unit=options.get("unit"), sign=options.get("sign", False))
    if kind == "year":
        return str(int(round(value)))
    if kind == "date":
        return french.format_date(mdates.num2date(value) if isinstance(value, float | np.floating) else value)
    raise ConfigurationError(
        f"Type de valeur inconnu : {kind!r}. Types possibles : number, percent, euros, year, date."
    )


def set_fixed_ticks(ax: Axes, axis: str, positions: Sequence[float]) -> None:
    """Put ticks at exactly these positions, keeping the formatter in place.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
    axis : {"x", "y"}
    positions : sequence of float

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> fig, ax = plt.subplots()
    >>> set_fixed_ticks(ax, "y", [0, 289, 577])
    >>> ax.get_yticks().tolist()
    [0, 289, 577]
    >>> plt.close(fig)
    """
    target = ax.xaxis if axis == "x" else ax.yaxis
    target.set_major_locator(FixedLocator(list(positions)))
