"""French formatting: numbers, percentages, amounts, dates, without the machine's locale."""

from __future__ import annotations

import datetime as dt
import locale
from decimal import Decimal

import numpy as np
import pandas as pd
import pytest

from bureau_data import french
from bureau_data.errors import ConfigurationError

N = "\u202f"  # narrow no-break space
M = "\u2212"  # minus sign


@pytest.mark.parametrize(
    ("value", "decimals", "expected"),
    [
        (1234.5, 1, f"1{N}234,5"),
        (1234.5, 0, f"1{N}234"),
        (-1234567.891, 2, f"{M}1{N}234{N}567,89"),
        (0, 0, "0"),
        (0.5, 2, "0,50"),
        (999, 0, "999"),
        (1000, 0, f"1{N}000"),
        (1e12, 0, f"1{N}000{N}000{N}000{N}000"),
        (-0.04, 1, "0,0"),  # rounds to zero: no minus sign
        (-0.06, 1, f"{M}0,1"),
        (np.int64(-42), 0, f"{M}42"),
        (np.float32(2.5), 1, "2,5"),
        (Decimal("1234.25"), 2, f"1{N}234,25"),
        (2024, 0, f"2{N}024"),
    ],
)
def test_format_number_cases(value, decimals, expected):
    assert french.format_number(value, decimals) == expected


@pytest.mark.parametrize("missing", [None, float("nan"), np.nan, pd.NA, pd.NaT])
def test_format_number_missing(missing):
    assert french.format_number(missing) == "n.d."


def test_format_number_sign_and_infinity():
    assert french.format_number(0.5, 1, sign=True) == "+0,5"
    assert french.format_number(-0.5, 1, sign=True) == f"{M}0,5"
    assert french.format_number(0.0, 1, sign=True) == "0,0"
    assert french.format_number(float("-inf")) == f"{M}∞"


def test_format_number_rejects_text_and_bad_decimals():
    with pytest.raises(ConfigurationError, match="attend un nombre"):
        french.format_number("1234")
    with pytest.raises(ConfigurationError, match="décimales"):
        french.format_number(1.0, -1)


@pytest.mark.parametrize(
    ("value", "decimals", "expected"),
    [
        (12.5, 1, f"12,5{N}%"),
        (-3.25, 2, f"{M}3,25{N}%"),
        (100, 0, f"100{N}%"),
        (0.04, 1, f"0,0{N}%"),
        (1234.5, 1, f"1{N}234,5{N}%"),
    ],
)
def test_format_percent_cases(value, decimals, expected):
    assert french.format_percent(value, decimals) == expected


def test_format_percent_signed():
    assert french.format_percent(2.0, 1, sign=True) == f"+2,0{N}%"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (3.2e9, f"3,2{N}Md€"),
        (-4.25e9, f"{M}4,2{N}Md€"),  # 4.25 is stored as 4.2499...: rounds down
        (12_345, f"12,3{N}k€"),
        (2.5e6, f"2,5{N}M€"),
        (950, f"950,0{N}€"),
        (0, f"0,0{N}€"),
        (999_960_000, f"1,0{N}Md€"),  # carried into the larger unit
        (999_960, f"1,0{N}M€"),
        (1.234e12, f"1{N}234,0{N}Md€"),
    ],
)
def test_format_euros_automatic_unit(value, expected):
    assert french.format_euros(value) == expected


def test_format_euros_forced_unit_and_sign():
    assert french.format_euros(-2.5e6, 0, unit="k€") == f"{M}2{N}500{N}k€"
    assert french.format_euros(1.2e8, 2, unit="Md€") == f"0,12{N}Md€"
    assert french.format_euros(3e8, 1, sign=True) == f"+300,0{N}M€"


def test_format_euros_unknown_unit():
    with pytest.raises(ConfigurationError, match="Unités possibles"):
        french.format_euros(1.0, unit="Mds€")


@pytest.mark.parametrize(
    ("value", "style", "expected"),
    [
        ("2020-04-14", "long", "14 avril 2020"),
        ("2020-04-01", "long", "1er avril 2020"),
        ("2024-08-15", "month", "août 2024"),
        ("2024-09-03", "short", "3 sept. 2024"),
        ("2024-02-29", "numeric", "29/02/2024"),
        ("2024-12-31", "year", "2024"),
        (pd.Timestamp("2023-12-25 18:30"), "long", "25 décembre 2023"),
        (np.datetime64("2021-02-01"), "long", "1er février 2021"),
        (dt.date(2019, 7, 14), "long", "14 juillet 2019"),
    ],
)
def test_format_date_cases(value, style, expected):
    assert french.format_date(value, style=style) == expected


def test_format_date_errors_and_missing():
    assert french.format_date(pd.NaT) == "n.d."
    with pytest.raises(ConfigurationError, match="Styles possibles"):
        french.format_date("2020-01-01", style="iso")
    with pytest.raises(ConfigurationError, match="Date illisible"):
        french.format_date("14/04/2020")


def test_format_month_short_every_month():
    labels = [french.format_month_short(dt.date(2024, month, 15)) for month in range(1, 13)]
    assert labels == [
        "janv. 2024", "févr. 2024", "mars 2024", "avr. 2024", "mai 2024", "juin 2024",
        "juil. 2024", "août 2024", "sept. 2024", "oct. 2024", "nov. 2024", "déc. 2024",
    ]


def test_month_tables():
    assert len(french.MONTHS) == 12
    assert french.MONTHS[0] == "janvier"
    assert french.MONTHS[7] == "août"
    assert french.MONTHS_SHORT[1] == "févr."


def test_format_list():
    assert french.format_list(["RN", "EPR", "LFI-NFP"]) == "RN, EPR et LFI-NFP"
    assert french.format_list(["a", "b"], conjunction="ou") == "a ou b"
    assert french.format_list(["seul"]) == "seul"


def test_formatting_never_touches_locale(monkeypatch):
    before = locale.getlocale()

    def forbidden(*args, **kwargs):
        raise AssertionError("locale.setlocale must not be called")

    monkeypatch.setattr(locale, "setlocale", forbidden)
    outputs = [
        french.format_number(-1234.5, 1),
        french.format_percent(12.5),
        french.format_euros(3.2e9),
        french.format_date("2024-09-01"),
        french.format_month_short("2024-09-01"),
    ]
    assert locale.getlocale() == before
    assert dt.datetime.strptime("Sep 2024", "%b %Y") == dt.datetime(2024, 9, 1)
    for text in outputs:
        assert "$" not in text  # nothing for mathtext to parse
