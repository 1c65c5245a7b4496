"""French tick labels on matplotlib axes: mathtext-proof, locale-proof."""

from __future__ import annotations

import datetime as dt
import locale
import re

import matplotlib

matplotlib.use("Agg")

import matplotlib as mpl
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest

from bureau_data import french, plot
from bureau_data.errors import ConfigurationError
from bureau_data.plot.ticks import FrenchDateFormatter, FrenchEurosFormatter, FrenchPercentFormatter

N = "\u202f"
M = "\u2212"
FRENCH_NUMBER = re.compile(rf"^{M}?\d{{1,3}}({N}\d{{3}})*(,\d+)?$")


def tick_texts(ax, axis="y"):
    """Return the drawn tick labels of an axis, after a full draw."""
    ax.figure.canvas.draw()
    labels = ax.get_yticklabels() if axis == "y" else ax.get_xticklabels()
    return [label.get_text() for label in labels if label.get_visible() and label.get_text()]


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


@pytest.fixture
def no_setlocale(monkeypatch):
    def forbidden(*args, **kwargs):
        raise AssertionError("locale.setlocale must not be called")

    monkeypatch.setattr(locale, "setlocale", forbidden)


@pytest.mark.parametrize("use_mathtext", [True, False])
def test_decimal_comma_survives_mathtext(use_mathtext, no_setlocale):
    with mpl.rc_context({"axes.formatter.use_mathtext": use_mathtext}):
        ax = plot.plot_line(x=[0, 1, 2, 3], y=[0.0, 0.5, 1.0, 1.5])
        labels = tick_texts(ax)
    assert labels == ["0,0", "0,5", "1,0", "1,5"]
    for label in labels:
        assert "{" not in label
        assert "}" not in label
        assert ", " not in label
        assert "$" not in label


@pytest.mark.parametrize("use_mathtext", [True, False])
def test_theme_keeps_labels_plain(use_mathtext):
    with plot.theme(), mpl.rc_context({"axes.formatter.use_mathtext": use_mathtext}):
        ax = plot.plot_line(x=[0, 1, 2, 3], y=[-2.5e6, 0.0, 1.0e6, 3.0e6])
        labels = tick_texts(ax)
    assert f"{M}2{N}000{N}000" in labels
    assert f"2{N}000{N}000" in labels
    assert all(FRENCH_NUMBER.match(label) for label in labels), labels


def test_percent_axis_of_shares():
    fig, ax = plt.subplots()
    ax.plot([0, 1], [0.0, 0.125])
    plot.format_axis(ax, "y", "percent", xmax=1)
    assert tick_texts(ax) == [f"0{N}%", f"5{N}%", f"10{N}%"]


def test_percent_formatter_shared_decimals():
    formatter = FrenchPercentFormatter(xmax=1)
    labels = formatter.format_ticks([0, 0.025, 0.05, 0.075, 0.1, 0.125])
    assert labels == [f"0,0{N}%", f"2,5{N}%", f"5,0{N}%", f"7,5{N}%", f"10,0{N}%", f"12,5{N}%"]


def test_percent_axis_in_percent_with_negatives():
    ax = plot.plot_line(x=[0, 1, 2], y=[-10.0, 5.0, 20.0], kind="percent")
    assert tick_texts(ax) == [f"{M}10{N}%", f"0{N}%", f"10{N}%", f"20{N}%"]


def test_euros_axis_in_billions():
    ax = plot.plot_line(x=[2020, 2021, 2022], y=[0.0, 1.6e9, 3.2e9], kind="euros")
    assert tick_texts(ax) == ["0", f"1{N}Md€", f"2{N}Md€", f"3{N}Md€"]


def test_euros_formatter_shared_decimals():
    formatter = FrenchEurosFormatter()
    assert formatter.format_ticks([0, 1.6e9, 3.2e9]) == ["0", f"1,6{N}Md€", f"3,2{N}Md€"]


def test_euros_axis_from_millions_scale():
    formatter = FrenchEurosFormatter(scale=1e6)
    assert formatter.format_ticks([0, 500, 1000, 1500]) == ["0", f"0,5{N}Md€", f"1,0{N}Md€", f"1,5{N}Md€"]


def test_euros_axis_negative_changes():
    formatter = FrenchEurosFormatter(sign=True)
    assert formatter.format_ticks([-2e6, 0, 2e6]) == [f"{M}2{N}M€", "0", f"+2{N}M€"]


def test_year_axis_has_no_thousands_space():
    ax = plot.plot_line(x=list(range(1990, 2021)), y=list(range(31)))
    labels = tick_texts(ax, "x")
    assert labels == ["1990", "1995", "2000", "2005", "2010", "2015", "2020"]


def test_monthly_series_labels(no_setlocale):
    before = locale.getlocale()
    series = pd.Series([1, 2, 3], index=pd.to_datetime(["2024-01-15", "2024-02-15", "2024-03-15"]))
    ax = plot.plot_series(series)
    assert tick_texts(ax, "x") == ["janv. 2024", "févr. 2024", "mars 2024"]
    assert locale.getlocale() == before
    assert dt.datetime.strptime("Sep 2024", "%b %Y") == dt.datetime(2024, 9, 1)


def test_long_monthly_series_every_quarter():
    series = pd.Series(range(24), index=pd.date_range("2023-01-01", periods=24, freq="MS"))
    ax = plot.plot_series(series)
    assert tick_texts(ax, "x") == ["janv. 2023", "avr. 2023", "juil. 2023", "oct. 2023",
                                   "janv. 2024", "avr. 2024", "juil. 2024", "oct. 2024"]


def test_daily_series_labels():
    series = pd.Series(range(40), index=pd.date_range("2024-01-01", periods=40, freq="D"))
    ax = plot.plot_series(series)
    labels = tick_texts(ax, "x")
    assert labels[0] == "1er janv. 2024"
    assert "15 janv." in labels
    assert "1er févr." in labels
    months = {label.split(" ")[1] for label in labels}
    assert months <= set(french.MONTHS_SHORT)


def test_yearly_series_labels():
    series = pd.Series(range(30), index=pd.date_range("1995-01-01", periods=30, freq="YS"))
    ax = plot.plot_series(series, kind="percent")
    assert tick_texts(ax, "x") == ["1995", "2000", "2005", "2010", "2015", "2020"]


def test_yearly_series_on_decades():
    series = pd.Series(range(60), index=pd.date_range("1961-01-01", periods=60, freq="YS"))
    ax = plot.plot_series(series)
    assert tick_texts(ax, "x") == ["1970", "1980", "1990", "2000", "2010", "2020"]


def test_date_formatter_styles():
    x = matplotlib.dates.date2num(dt.datetime(2024, 8, 1, 14, 30))
    assert FrenchDateFormatter("month_long")(x) == "août 2024"
    assert FrenchDateFormatter("day_year")(x) == "1er août 2024"
    assert FrenchDateFormatter("time")(x) == "14:30"
    compact = FrenchDateFormatter("compact")
    ticks = matplotlib.dates.date2num([dt.datetime(2023, 11, 1), dt.datetime(2023, 12, 1), dt.datetime(2024, 1, 1)])
    assert compact.format_ticks(list(ticks)) == ["nov. 2023", "déc.", "janv. 2024"]


def test_percent_formatter_rejects_zero_max():
    with pytest.raises(ConfigurationError, match="xmax"):
        FrenchPercentFormatter(xmax=0)


def test_no_label_is_mathtext_even_with_dollar_text():
    ax = plot.barh_ranked({"Coût en $": 12.5, "B": 3.0}, kind="number", decimals=1)
    ax.figure.canvas.draw()
    assert [t.get_text() for t in ax.texts] == ["12,5", "3,0"]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["Coût en $", "B"]
    assert np.all([not t._parse_math for t in ax.texts])
