"""French number, amount and date formatting that never depends on the machine's locale.

Every function here builds its text from its own tables: the decimal comma, a narrow
no-break space (U+202F) between thousands and before ``%`` and units, the minus sign
U+2212, and French month names. Nothing calls ``locale.setlocale`` or ``strftime`` with
a month directive, so the result is the same on every machine and other code that
parses English dates keeps working.

The text contains no ``$``, so matplotlib never hands it to mathtext.

Examples
--------
>>> format_number(1234.5, 1)
'1\u202f234,5'
>>> format_percent(12.5)
'12,5\u202f%'
>>> format_euros(3.2e9)
'3,2\u202fMd€'
>>> format_date("2020-04-14")
'14 avril 2020'
>>> format_month_short("2024-01-15")
'janv. 2024'
"""

from __future__ import annotations

import datetime as dt
import math
from numbers import Real
from typing import Any

import numpy as np

from bureau_data.errors import ConfigurationError

NNBSP = "\u202f"  # narrow no-break space: thousands separator, before %, before units
MINUS = "\u2212"  # typographic minus sign
MISSING = "n.d."  # "non disponible": the text of a missing value

MONTHS: tuple[str, ...] = (
    "janvier", "février", "mars", "avril", "mai", "juin",
    "juillet", "août", "septembre", "octobre", "novembre", "décembre",
)
"""French month names, January first (``MONTHS[0] == "janvier"``)."""

MONTHS_SHORT: tuple[str, ...] = (
    "janv.", "févr.", "mars", "avr.", "mai", "juin",
    "juil.", "août", "sept.", "oct.", "nov.", "déc.",
)
"""Abbreviated French month names, as the Imprimerie nationale shortens them."""

DAYS: tuple[str, ...] = ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche")
"""French day names, Monday first, matching ``datetime.weekday()``."""

# Units of format_euros, largest first: (divisor, symbol).
EURO_UNITS: tuple[tuple[float, str], ...] = ((1e9, "Md€"), (1e6, "M€"), (1e3, "k€"), (1.0, "€"))

_DATE_STYLES = ("long", "month", "short", "numeric", "year")


def _is_missing(value: Any) -> bool:
    """Return True for None, NaN, NaT and pandas.NA."""
    if value is None:
        return True
    import pandas as pd

    result = pd.isna(value)
    return bool(result) if isinstance(result, bool | np.bool_) else False


def _as_float(value: Any, name: str) -> float:
    if isinstance(value, bool) or not isinstance(value, Real):
        try:
            # numpy scalars and Decimal are accepted; strings are not, to avoid silent parsing.
            if isinstance(value, str):
                raise TypeError
            return float(value)
        except (TypeError, ValueError):
            raise ConfigurationError(
                f"{name} attend un nombre, pas {value!r} ({type(value).__name__}). "
                "Convertissez la valeur avec float() ou pandas.to_numeric()."
            ) from None
    return float(value)


def _check_decimals(decimals: int) -> int:
    if isinstance(decimals, bool) or not isinstance(decimals, int) or decimals < 0:
        raise ConfigurationError(
            f"Nombre de décimales invalide : {decimals!r}. Indiquez un entier positif ou nul."
        )
    return decimals


def _digits(value: float, decimals: int, *, sign: bool) -> str:
    """Format a finite float with French separators; no unit."""
    text = f"{abs(value):,.{decimals}f}"
    text = text.replace(",", NNBSP).replace(".", ",")
    # The sign follows the rounded value, so -0.04 with 1 decimal gives "0,0", not "−0,0".
    rounded_is_zero = float(f"{abs(value):.{decimals}f}") == 0.0
    if value < 0 and not rounded_is_zero:
        return MINUS + text
    if sign and value > 0 and not rounded_is_zero:
        return "+" + text
    return text


def format_number(value: Any, decimals: int = 0, *, sign: bool = False) -> str:
    """Format a number the French way: ``1 234,5``.

    Parameters
    ----------
    value : float or int
        The number. ``None`` and NaN give ``"n.d."``.
    decimals : int, default 0
        Number of digits after the decimal comma, always shown.
    sign : bool, default False
        Prefix positive values with ``+`` (for changes).

    Returns
    -------
    str
        Thousands separated by U+202F, decimal comma, minus sign U+2212.

    Raises
    ------
    ConfigurationError
        When ``value`` is not a number (strings are rejected) or ``decimals`` is negative.

    Examples
    --------
    >>> format_number(-1234567.891, 2)
    '−1\u202f234\u202f567,89'
    >>> format_number(0.5, 1, sign=True)
    '+0,5'
    """
    decimals = _check_decimals(decimals)
    if _is_missing(value):
        return MISSING
    number = _as_float(value, "format_number")
    if math.isinf(number):
        return ("" if number > 0 else MINUS) + "∞"
    return _digits(number, decimals, sign=sign)


def format_percent(value: Any, decimals: int = 1, *, sign: bool = False) -> str:
    """Format a value already expressed in percent: ``12.5 -> "12,5 %"``.

    Parameters
    ----------
    value : float
        The percentage (50 means half, not 0.5).
    decimals : int, default 1
        Digits after the decimal comma.
    sign : bool, default False
        Prefix positive values with ``+`` (for changes in points or percent).

    Returns
    -------
    str
        The number, a narrow no-break space U+202F, then ``%``.

    Examples
    --------
    >>> format_percent(-3.25, 2)
    '−3,25\u202f%'
    """
    text = format_number(value, decimals, sign=sign)
    return text if text == MISSING else f"{text}{NNBSP}%"


def euro_unit(value: Any) -> tuple[float, str]:
    """Return the ``(divisor, symbol)`` that ``format_euros`` picks for ``value``.

    The unit is the largest one whose divisor is at most ``abs(value)``: 950 gives ``€``,
    12 000 gives ``k€``, 3.2e9 gives ``Md€``.

    Parameters
    ----------
    value : float
        Amount in euros. None or NaN gives the plain ``€`` unit.

    Returns
    -------
    tuple of (float, str)
        The divisor and the unit symbol.

    Examples
    --------
    >>> euro_unit(950), euro_unit(12_000), euro_unit(-3.2e9)
    ((1.0, '€'), (1000.0, 'k€'), (1000000000.0, 'Md€'))
    """
    if _is_missing(value):
        return EURO_UNITS[-1]
    magnitude = abs(_as_float(value, "euro_unit"))
    for divisor, symbol in EURO_UNITS:
        if magnitude >= divisor:
            return divisor, symbol
    return EURO_UNITS[-1]


def format_euros(value: Any, decimals: int = 1, *, unit: str | None = None,
                 sign: bool = False) -> str:
    """Format an amount in euros with an automatic unit: ``3.2e9 -> "3,2 Md€"``.

    Parameters
    ----------
    value : float
        Amount in euros (not in thousands or millions).
    decimals : int, default 1
        Digits after the decimal comma.
    unit : {"€", "k€", "M€", "Md€"}, optional
        Force a unit, for example to give every label of a table the same one.
        ``None`` picks the largest unit not above the amount.
    sign : bool, default False
        Prefix positive amounts with ``+`` (for changes).

    Returns
    -------
    str
        The scaled number, U+202F, then the unit.

    Raises
    ------
    ConfigurationError
        When ``unit`` is not one of the four units.

    Notes
    -----
    Rounding can carry an amount into the next unit: 999 960 000 € with one decimal is
    ``1,0 Md€``, never ``1 000,0 M€``.

    Examples
    --------
    >>> format_euros(12_345)
    '12,3\u202fk€'
    >>> format_euros(-2.5e6, 0, unit="k€")
    '−2\u202f500\u202fk€'
    """
    decimals = _check_decimals(decimals)
    if _is_missing(value):
        return MISSING
    amount = _as_float(value, "format_euros")
    if unit is None:
        divisor, symbol = euro_unit(amount)
        for index, (candidate, candidate_symbol) in enumerate(EURO_UNITS):
            if candidate_symbol != symbol or index == 0:
                continue
            # Carry into the larger unit when rounding reaches 1000 of this one.
            if round(abs(amount) / candidate, decimals) >= 1000:
                divisor, symbol = EURO_UNITS[index - 1]
            break
    else:
        units = {symbol: divisor for divisor, symbol in EURO_UNITS}
        if unit not in units:
            raise ConfigurationError(
                f"Unité inconnue : {unit!r}. Unités possibles : {', '.join(units)}."
            )
        divisor, symbol = units[unit], unit
    if math.isinf(amount):
        return format_number(amount) + NNBSP + symbol
    return f"{_digits(amount / divisor, decimals, sign=sign)}{NNBSP}{symbol}"


def to_date(value: Any) -> dt.date | dt.datetime:
    """Convert a date, datetime, pandas Timestamp, numpy datetime64 or ISO string.

    Parameters
    ----------
    value
        The date to convert. A ``date`` or ``datetime`` is returned unchanged.

    Returns
    -------
    datetime.date or datetime.datetime
        A datetime for every input except a plain ``date``.

    Raises
    ------
    ConfigurationError
        When a string is not an ISO date, or the type is none of the above.

    Examples
    --------
    >>> to_date("2024-01-15")
    datetime.datetime(2024, 1, 15, 0, 0)
    >>> to_date(np.datetime64("2024-01-15T10:30"))
    datetime.datetime(2024, 1, 15, 10, 30)
    >>> to_date("15/01/2024")
    Traceback (most recent call last):
        ...
    bureau_data.errors.ConfigurationError: Date illisible : '15/01/2024'. Indiquez une date ...
    """
    if isinstance(value, dt.datetime | dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.datetime.fromisoformat(value.strip())
        except ValueError:
            raise ConfigurationError(
                f"Date illisible : {value!r}. Indiquez une date ISO, par exemple 2024-01-15."
            ) from None
    to_pydatetime = getattr(value, "to_pydatetime", None)  # pandas Timestamp
    if callable(to_pydatetime):
        return to_pydatetime()
    if isinstance(value, np.datetime64):
        seconds = value.astype("datetime64[s]").astype("int64")
        return dt.datetime(1970, 1, 1) + dt.timedelta(seconds=int(seconds))
    raise ConfigurationError(
        f"Type de date non pris en charge : {type(value).__name__} ({value!r}). "
        "Passez un datetime.date, un pandas.Timestamp ou une chaîne ISO."
    )


def format_day(day: int) -> str:
    """Return the day of month as written in French dates: ``1er``, ``2``, ... ``31``.

    Parameters
    ----------
    day
        Day of month, 1 to 31.

    Returns
    -------
    str
        ``"1er"`` for the first of the month, else the number.

    Examples
    --------
    >>> format_day(1), format_day(14)
    ('1er', '14')
    """
    return "1er" if day == 1 else str(day)


def format_date(value: Any, style: str = "long") -> str:
    """Format a date in French.

    Parameters
    ----------
    value : date, datetime, pandas.Timestamp, numpy.datetime64 or ISO string
        The date. ``None`` and NaT give ``"n.d."``.
    style : {"long", "month", "short", "numeric", "year"}, default "long"
        ``"long"``: ``14 avril 2020`` (``1er avril 2020`` on the first day);
        ``"month"``: ``avril 2020``; ``"short"``: ``14 avr. 2020``;
        ``"numeric"``: ``14/04/2020``; ``"year"``: ``2020``.

    Returns
    -------
    str

    Raises
    ------
    ConfigurationError
        When the style is unknown or the value is not a date.

    Examples
    --------
    >>> format_date("2020-04-01")
    '1er avril 2020'
    >>> format_date("2024-09-03", style="short")
    '3 sept. 2024'
    """
    if style not in _DATE_STYLES:
        raise ConfigurationError(
            f"Style de date inconnu : {style!r}. Styles possibles : {', '.join(_DATE_STYLES)}."
        )
    if _is_missing(value):
        return MISSING
    date = to_date(value)
    if style == "long":
        return f"{format_day(date.day)} {MONTHS[date.month - 1]} {date.year}"
    if style == "month":
        return f"{MONTHS[date.month - 1]} {date.year}"
    if style == "short":
        return f"{format_day(date.day)} {MONTHS_SHORT[date.month - 1]} {date.year}"
    if style == "numeric":
        return f"{date.day:02d}/{date.month:02d}/{date.year:04d}"
    return str(date.year)


def format_month_short(value: Any) -> str:
    """Format a month as ``janv. 2024``.

    Examples
    --------
    >>> format_month_short("2024-02-29")
    'févr. 2024'
    """
    if _is_missing(value):
        return MISSING
    date = to_date(value)
    return f"{MONTHS_SHORT[date.month - 1]} {date.year}"


def format_list(items: list[str] | tuple[str, ...], *, conjunction: str = "et") -> str:
    """Join words the French way: ``"A, B et C"``.

    Examples
    --------
    >>> format_list(["RN", "EPR", "LFI-NFP"])
    'RN, EPR et LFI-NFP'
    """
    words = [str(item) for item in items]
    if len(words) <= 1:
        return "".join(words)
    return f"{', '.join(words[:-1])} {conjunction} {words[-1]}"


__all__ = [
    "DAYS",
    "EURO_UNITS",
    "MINUS",
    "MISSING",
    "MONTHS",
    "MONTHS_SHORT",
    "NNBSP",
    "euro_unit",
    "format_date",
    "format_day",
    "format_euros",
    "format_list",
    "format_month_short",
    "format_number",
    "format_percent",
    "to_date",
]
