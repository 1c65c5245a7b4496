"""Heatmap of a matrix, such as the agreement rates between political groups."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.colors import Colormap, TwoSlopeNorm

from bureau_data.errors import ConfigurationError
from bureau_data.plot import colors as _colors
from bureau_data.plot import style as _theme
from bureau_data.plot._common import add_text, contrast_text, describe, fmt, get_ax
from bureau_data.plot.ticks import formatter_for


def heatmap(data: pd.DataFrame, *, kind: str = "percent", decimals: int = 0, cmap: str | Colormap | None = None,
            center: float | None = None, vmin: float | None = None, vmax: float | None = None,
            legislature: int | None = None, order: Sequence[Any] | None = None, annot: bool = True,
            colorbar: bool = True, colorbar_label: str | None = None, value_options: dict[str, Any] | None = None,
            ax: Axes | None = None, **kwargs: Any) -> Axes:
    """Draw a matrix as coloured cells with their values written inside.

    Parameters
    ----------
    data : DataFrame
        The matrix; its index labels the rows and its columns the columns.
    kind : {"percent", "number", "euros"}, default "percent"
        How values are written (``82 %``).
    decimals : int, default 0
        Decimals of the cell labels.
    cmap : str or Colormap, optional
        Colormap; default cividis (sequential), or the purple-orange diverging map when
        ``center`` is given. Both read for colour-blind readers.
    center : float, optional
        Value at the middle of a diverging colormap.
    vmin, vmax : float, optional
        Limits of the colour scale; default the data's minimum and maximum.
    legislature : int, optional
        Rows and columns are political groups: order them left to right and label them
        by acronym.
    order : list, optional
        Explicit order of rows and columns (for a square matrix).
    annot : bool, default True
        Write each value in its cell.
    colorbar : bool, default True
    colorbar_label : str, optional
    value_options : dict, optional
        Formatter options (``xmax=1`` when percentages are stored as shares).
    ax : Axes, optional
    **kwargs
        Passed to ``Axes.imshow``.

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> matrix = pd.DataFrame([[100.0, 42.0], [42.0, 100.0]], index=["A", "B"], columns=["A", "B"])
    >>> ax = heatmap(matrix)
    >>> sorted(text.get_text() for text in ax.texts)
    ['100\\u202f%', '100\\u202f%', '42\\u202f%', '42\\u202f%']
    >>> plt.close(ax.figure)
    """
    if not isinstance(data, pd.DataFrame):
        raise ConfigurationError(f"heatmap() attend un DataFrame, pas {type(data).__name__}.")
    matrix = data
    if order is not None:
        matrix = matrix.loc[list(order), [c for c in order if c in matrix.columns]]
    elif legislature is not None:
        rows = _colors.group_order([str(i) for i in matrix.index], legislature)
        columns = _colors.group_order([str(c) for c in matrix.columns], legislature)
        matrix = matrix.rename(index=str, columns=str).loc[rows, columns]
    values = matrix.to_numpy(dtype=float)
    options = dict(value_options or {})
    # Square cells fill the width left by the row labels and the colour bar (about 4.9 in).
    cell = min(0.5, 4.9 / max(matrix.shape[1], 1))
    size = max(3.0, min(_theme.FIGURE_WIDTH_IN, cell * matrix.shape[0] + 1.4))
    ax = get_ax(ax, width=_theme.FIGURE_WIDTH_IN, height=size)
    low = np.nanmin(values) if vmin is None else vmin
    high = np.nanmax(values) if vmax is None else vmax
    if center is not None:
        norm = TwoSlopeNorm(vcenter=center, vmin=min(low, center - 1e-9), vmax=max(high, center + 1e-9))
        colormap = cmap or _colors.DIVERGING
        kwargs.setdefault("norm", norm)
    else:
        colormap = cmap or _colors.SEQUENTIAL
        kwargs.setdefault("vmin", low)
        kwargs.setdefault("vmax", high)
    image = ax.imshow(values, cmap=colormap, aspect="equal", interpolation="nearest", **kwargs)
    if legislature is not None:
        row_labels = _colors.group_labels([str(i) for i in matrix.index], legislature)
        column_labels = _colors.group_labels([str(c) for c in matrix.columns], legislature)
    else:
        row_labels = [str(i) for i in matrix.index]
        column_labels = [str(c) for c in matrix.columns]
    ax.set_xticks(np.arange(matrix.shape[1]), column_labels)
    ax.set_yticks(np.arange(matrix.shape[0]), row_labels)
    ax.xaxis.tick_top()
    ax.tick_params(axis="both", length=0)
    for tick_label in ax.get_xticklabels():
        tick_label.set_rotation(45)
        tick_label.set_horizontalalignment("left")
        tick_label.set_rotation_mode("anchor")
    ax.grid(False)
    for spine in ax.spines.values():
        spine.set_visible(False)
    if annot:
        for i in range(matrix.shape[0]):
            for j in range(matrix.shape[1]):
                value = values[i, j]
                if not np.isfinite(value):
                    continue
                colour = image.cmap(image.norm(value))
                add_text(ax, j, i, fmt(value, kind, decimals, **options), ha="center", va="center",
                         fontsize=_theme.LABEL_FONT_SIZE - 1.5, color=contrast_text(colour))
    if colorbar:
        bar = ax.figure.colorbar(image, ax=ax, fraction=0.035, pad=0.02)
        bar.formatter = formatter_for(kind, **options)
        bar.update_ticks()
        bar.outline.set_visible(False)
        bar.ax.tick_params(length=0)
        if colorbar_label:
            bar.set_label(colorbar_label)

    finite = np.where(np.isfinite(values), values, np.nan)
    off_diagonal = finite.copy()
    if matrix.shape[0] == matrix.shape[1]:
        np.fill_diagonal(off_diagonal, np.nan)
    text = f"Matrice de {matrix.shape[0]} lignes sur {matrix.shape[1]} colonnes."
    if np.isfinite(off_diagonal).any():
        high_index = np.unravel_index(np.nanargmax(off_diagonal), off_diagonal.shape)
        low_index = np.unravel_index(np.nanargmin(off_diagonal), off_diagonal.shape)
        text += (f" Valeur la plus haute : {row_labels[high_index[0]]} et {column_labels[high_index[1]]} "
                 f"({fmt(off_diagonal[high_index], kind, decimals, **options)}) ;"
                 f" la plus basse : {row_labels[low_index[0]]} et {column_labels[low_index[1]]} "
                 f"({fmt(off_diagonal[low_index], kind, decimals, **options)}).")
    describe(ax, text)
    return ax
