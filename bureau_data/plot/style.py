"""The blog's matplotlib theme (``set_theme``, ``theme``): sizes for the article column, light and dark.

Importing this module changes no rcParams. ``set_theme()`` applies the theme until
``reset_theme()``; ``with theme(): ...`` applies it for a block and then restores every
rcParam as it was.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import matplotlib as mpl
from cycler import cycler

# The article column is about 700 CSS pixels wide. Figures are 7 inches wide at 100 dpi on
# screen, and PNGs are written at 2x (200 dpi, 1400 px) for high-density screens.
FIGURE_WIDTH_IN = 7.0
FIGURE_HEIGHT_IN = 4.3
SCREEN_DPI = 100
EXPORT_DPI = 200
MAX_DPI = 200  # cap for every PNG written by save() and show(): keeps articles light

FONT_FAMILY = ["DejaVu Sans"]  # ships with matplotlib, so a bare machine has it
BASE_FONT_SIZE = 10.5
TITLE_FONT_SIZE = 14.0
SUBTITLE_FONT_SIZE = 11.0
SOURCE_FONT_SIZE = 8.5
LABEL_FONT_SIZE = 9.5

# Text and structure colours of each variant. Helpers read them through ``ink()``.
_INKS: dict[str, dict[str, str]] = {
    "light": {
        "background": "#FFFFFF",
        "text": "#1A1A1A",
        "muted": "#5C5C5C",
        "grid": "#E3E3E3",
        "axis": "#8C8C8C",
        "neutral": "#B0B0B0",
        "accent": "#1F5C99",
    },
    "dark": {
        "background": "#16181D",
        "text": "#ECECEC",
        "muted": "#A8A8A8",
        "grid": "#33363D",
        "axis": "#7A7A7A",
        "neutral": "#6E7178",
        "accent": "#7FB2E5",
    },
}

# Colour-blind-safe qualitative cycle (Okabe and Ito, 2008), blue first.
CYCLE_LIGHT = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442",
               "#000000"]
CYCLE_DARK = ["#56B4E9", "#E69F00", "#009E73", "#CC79A7", "#0072B2", "#D55E00", "#F0E442",
              "#FFFFFF"]

_saved_before_theme: dict[str, Any] | None = None


def theme_rc(*, dark: bool = False) -> dict[str, Any]:
    """Return the rcParams of the blog's theme, without applying them.

    Parameters
    ----------
    dark : bool, default False
        The dark variant (light text on a dark background).

    Returns
    -------
    dict
        rcParams, ready for ``matplotlib.rc_context`` or ``rcParams.update``.

    Examples
    --------
    >>> rc = theme_rc()
    >>> rc["figure.facecolor"] == theme_rc(dark=True)["figure.facecolor"]
    False
    """
    inks = _INKS["dark" if dark else "light"]
    return {
        "figure.figsize": (FIGURE_WIDTH_IN, FIGURE_HEIGHT_IN),
        "figure.dpi": SCREEN_DPI,
        "figure.facecolor": inks["background"],
        "figure.edgecolor": inks["background"],
        "figure.titlesize": TITLE_FONT_SIZE,
        "savefig.dpi": EXPORT_DPI,
        "savefig.facecolor": inks["background"],
        "savefig.edgecolor": inks["background"],
        "savefig.bbox": None,
        "svg.hashsalt": "bureau-data",
        "svg.fonttype": "path",
        "pdf.fonttype": 42,
        "font.family": "sans-serif",
        "font.sans-serif": FONT_FAMILY + ["Arial", "Helvetica", "sans-serif"],
        "font.size": BASE_FONT_SIZE,
        "text.color": inks["text"],
        "axes.facecolor": inks["background"],
        "axes.edgecolor": inks["axis"],
        "axes.labelcolor": inks["muted"],
        "axes.labelsize": LABEL_FONT_SIZE,
        "axes.titlesize": BASE_FONT_SIZE + 0.5,
        "axes.titleweight": "bold",
        "axes.titlelocation": "left",
        "axes.titlecolor": inks["text"],
        "axes.titlepad": 8.0,
        "axes.linewidth": 0.8,
        "axes.grid": True,
        "axes.grid.axis": "y",
        "axes.axisbelow": True,
        "axes.spines.top": False,
        "axes.spines.right": False,
        "axes.prop_cycle": cycler(color=CYCLE_DARK if dark else CYCLE_LIGHT),
        # The French formatters write U+2212 themselves; this covers matplotlib's own labels.
        "axes.unicode_minus": True,
        "axes.formatter.use_locale": False,
        "axes.formatter.use_mathtext": False,
        "grid.color": inks["grid"],
        "grid.linewidth": 0.8,
        "grid.linestyle": "-",
        "xtick.color": inks["axis"],
        "ytick.color": inks["axis"],
        "xtick.labelcolor": inks["muted"],
        "ytick.labelcolor": inks["muted"],
        "xtick.labelsize": LABEL_FONT_SIZE,
        "ytick.labelsize": LABEL_FONT_SIZE,
        "xtick.major.size": 3.5,
        "ytick.major.size": 0.0,
        "legend.frameon": False,
        "legend.fontsize": LABEL_FONT_SIZE,
        "legend.title_fontsize": LABEL_FONT_SIZE,
        "lines.linewidth": 2.0,
        "lines.solid_capstyle": "round",
        "patch.edgecolor": inks["background"],
        "image.cmap": "cividis",
        "date.autoformatter.year": "%Y",
    }


def set_theme(*, dark: bool = False) -> None:
    """Apply the blog's theme to matplotlib until ``reset_theme()`` is called.

    Parameters
    ----------
    dark : bool, default False
        The dark variant.

    Examples
    --------
    >>> from bureau_data import plot
    >>> plot.set_theme()
    >>> plot.reset_theme()
    """
    global _saved_before_theme
    params: Any = mpl.rcParams  # typed by matplotlib with a Literal of known keys
    if _saved_before_theme is None:
        _saved_before_theme = {key: params[key] for key in theme_rc()}
    params.update(theme_rc(dark=dark))
    _state["dark"] = dark


def reset_theme() -> None:
    """Restore the rcParams that ``set_theme()`` changed to their values before its first call.

    Does nothing when ``set_theme()`` was not called since the last reset.

    Examples
    --------
    >>> import matplotlib as mpl
    >>> before = mpl.rcParams["figure.facecolor"]
    >>> set_theme(dark=True)
    >>> is_dark()
    True
    >>> reset_theme()
    >>> is_dark(), mpl.rcParams["figure.facecolor"] == before
    (False, True)
    """
    global _saved_before_theme
    if _saved_before_theme is not None:
        params: Any = mpl.rcParams
        params.update(_saved_before_theme)
        _saved_before_theme = None
    _state["dark"] = False


@contextmanager
def theme(*, dark: bool = False) -> Iterator[None]:
    """Apply the blog's theme inside a ``with`` block, then restore every rcParam.

    Examples
    --------
    >>> import matplotlib as mpl
    >>> from bureau_data import plot
    >>> before = mpl.rcParams["font.size"]
    >>> with plot.theme(dark=True):
    ...     pass
    >>> mpl.rcParams["font.size"] == before
    True
    """
    previous_dark = _state["dark"]
    rc: Any = theme_rc(dark=dark)
    with mpl.rc_context(rc):
        _state["dark"] = dark
        try:
            yield
        finally:
            _state["dark"] = previous_dark


# Variant in force. rcParams cannot hold custom keys, so the flag lives here.
_state: dict[str, bool] = {"dark": False}


def is_dark() -> bool:
    """Return True when the dark variant is in force (``set_theme(dark=True)`` or ``theme``).

    Examples
    --------
    >>> is_dark()
    False
    >>> with theme(dark=True):
    ...     is_dark()
    True
    """
    return _state["dark"] and mpl.rcParams["figure.facecolor"] == _INKS["dark"]["background"]


def ink(name: str) -> str:
    """Return a structure colour of the current variant.

    Parameters
    ----------
    name : {"background", "text", "muted", "grid", "axis", "neutral", "accent"}

    Returns
    -------
    str
        ``#RRGGBB`` colour.

    Raises
    ------
    KeyError
        When ``name`` is not one of the seven names.

    Examples
    --------
    >>> ink("text") != ink("background")
    True
    >>> with theme(dark=True):
    ...     ink("background") == theme_rc(dark=True)["figure.facecolor"]
    True
    """
    return _INKS["dark" if is_dark() else "light"][name]
