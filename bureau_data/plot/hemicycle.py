"""Hemicycle: one dot per seat in concentric arcs, groups from left to right."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.collections import EllipseCollection
from matplotlib.patches import Patch

from bureau_data import french
from bureau_data.errors import ConfigurationError
from bureau_data.plot import colors as _colors
from bureau_data.plot import style as _theme
from bureau_data.plot._common import add_text, describe, get_ax, outline_colors

INNER_RADIUS = 0.38  # radius of the innermost row, the outermost being 1
SEATS_ATTR = "_bureau_data_seats"  # Axes attribute: DataFrame of the drawn seats
MIN_LABEL_ANGLE = 0.12  # radians: narrower wedges get no group label around the arc


def _row_capacities(rows: int, inner: float) -> tuple[np.ndarray, np.ndarray, float]:
    if rows == 1:
        # A single arc holds up to 12 seats, spaced like the seats of a two-row layout.
        return np.array([1.0]), np.array([12]), math.pi / 11
    radii = inner + (1.0 - inner) * np.arange(rows) / (rows - 1)
    spacing = (1.0 - inner) / (rows - 1)
    capacities = np.floor(math.pi * radii / spacing).astype(int) + 1
    return radii, capacities, spacing


def hemicycle_layout(total: int, *, rows: int | None = None, inner: float = INNER_RADIUS) -> pd.DataFrame:
    """Place ``total`` seats on concentric half circles, ordered from left to right.

    Parameters
    ----------
    total : int
        Number of seats (577 for the Assemblée nationale).
    rows : int, optional
        Number of arcs; None uses the fewest arcs that hold every seat.
    inner : float, default 0.38
        Radius of the innermost arc (the outermost is 1).

    Returns
    -------
    pandas.DataFrame
        One row per seat in left-to-right order (by angle, then from the inner arc out):
        ``x``, ``y``, ``angle`` (radians, pi on the left), ``row`` (0 inner), and the
        ``size`` of the dot (diameter, in data units).

    Raises
    ------
    ConfigurationError
        When ``total`` is negative or does not fit in ``rows`` arcs.

    Examples
    --------
    >>> seats = hemicycle_layout(577)
    >>> len(seats), seats.columns.tolist()
    (577, ['x', 'y', 'angle', 'row', 'size'])
    """
    if total < 0:
        raise ConfigurationError(f"Nombre de sièges négatif : {total}.")
    if total == 0:
        return pd.DataFrame({"x": [], "y": [], "angle": [], "row": [], "size": []})
    if rows is None:
        rows = 1
        while _row_capacities(rows, inner)[1].sum() < total:
            rows += 1
    radii, capacities, spacing = _row_capacities(rows, inner)
    if capacities.sum() < total:
        raise ConfigurationError(
            f"{total} sièges ne tiennent pas sur {rows} rangs (au plus {int(capacities.sum())}). "
            "Augmentez rows ou laissez rows=None."
        )
    # Seats per row in proportion to the row's length, largest remainder first.
    quotas = total * radii / radii.sum()
    counts = np.minimum(np.floor(quotas).astype(int), capacities)
    remainders = quotas - counts
    while counts.sum() < total:
        candidates = np.flatnonzero(counts < capacities)
        best = candidates[np.argmax(remainders[candidates])]
        counts[best] += 1
        remainders[best] -= 1.0
    xs: list[float] = []
    ys: list[float] = []
    angles: list[float] = []
    row_ids: list[int] = []
    for row, (radius, count) in enumerate(zip(radii, counts, strict=True)):
        if count == 0:
            continue
        row_angles = np.array([math.pi / 2]) if count == 1 else np.linspace(math.pi, 0.0, count)
        xs.extend(radius * np.cos(row_angles))
        ys.extend(radius * np.sin(row_angles))
        angles.extend(row_angles)
        row_ids.extend([row] * count)
    layout = pd.DataFrame({"x": xs, "y": ys, "angle": angles, "row": row_ids})
    layout["angle_key"] = layout["angle"].round(9)
    layout = layout.sort_values(["angle_key", "row"], ascending=[False, True], kind="mergesort")
    layout = layout.drop(columns="angle_key").reset_index(drop=True)
    layout["size"] = spacing * 0.8
    return layout


def _seat_table(data: Any, group: str | None, seats: str | None, position: str | None) -> pd.DataFrame:
    """Return a table ``group, position, seats`` from the accepted input forms."""
    if isinstance(data, Mapping):
        data = pd.Series(data)
    if isinstance(data, pd.Series):
        table = pd.DataFrame({"group": [str(i) for i in data.index], "position": None,
                              "seats": data.to_numpy()})
    elif isinstance(data, pd.DataFrame):
        group = group or ("groupe" if "groupe" in data.columns else None)
        if group is None or group not in data.columns:
            raise ConfigurationError(
                "hemicycle() : indiquez la colonne des groupes (group=...). "
                f"Colonnes disponibles : {', '.join(map(str, data.columns))}."
            )
        if position is not None and position not in data.columns:
            raise ConfigurationError(f"hemicycle() : colonne de position {position!r} absente.")
        keys = [group] + ([position] if position else [])
        if seats is not None:
            if seats not in data.columns:
                raise ConfigurationError(f"hemicycle() : colonne de sièges {seats!r} absente.")
            counted = data.groupby(keys, sort=False, observed=True)[seats].sum().reset_index()
            counted = counted.rename(columns={seats: "seats"})
        else:
            counted = data.groupby(keys, sort=False, observed=True).size().reset_index(name="seats")
        table = pd.DataFrame({
            "group": counted[group].astype(str),
            "position": counted[position].map(lambda p: _colors.position_key(p) or str(p)) if position else None,
            "seats": counted["seats"].to_numpy(),
        })
    else:
        raise ConfigurationError(
            f"hemicycle() attend une Series de sièges par groupe ou un DataFrame, pas {type(data).__name__}."
        )
    values = pd.to_numeric(table["seats"], errors="coerce")
    bad = table.loc[values.isna() | (values < 0) | (values % 1 != 0), "group"].tolist()
    if bad:
        raise ConfigurationError(
            f"hemicycle() : nombre de sièges invalide pour {', '.join(map(str, bad))} "
            "(entier positif ou nul attendu)."
        )
    table["seats"] = values.astype(int)
    return table[table["seats"] > 0].reset_index(drop=True)


def hemicycle(data: Any, *, group: str | None = None, seats: str | None = None, position: str | None = None,
              legislature: int | None = None, colors: Mapping[str, str] | None = None,
              order: Sequence[str] | None = None, aliases: Mapping[str, str] | None = None,
              rows: int | None = None, legend: bool = True, group_labels: bool | None = None,
              ax: Axes | None = None, **kwargs: Any) -> Axes:
    """Draw a hemicycle: one dot per seat, groups from left to right in their colours.

    Parameters
    ----------
    data : Series, dict or DataFrame
        One of three forms. Seats per group: ``{"RN": 123, ...}`` or a Series indexed
        by organe uid or acronym. One row per deputy: a DataFrame with the ``group``
        column, and optionally ``position``. Aggregated counts: a DataFrame with a
        ``seats`` count column.
    group : str, optional
        Column of the groups (default ``"groupe"`` when present).
    seats : str, optional
        Column of seat counts, for aggregated data.
    position : str, optional
        Column of the positions taken on one scrutin (``pour``, ``contre``,
        ``abstention``, ``non-votant``, or the AN's other spellings): seats are then coloured by position, inside the
        wedge of their group.
    legislature : int, optional
        Legislature of the groups, for acronyms, colours and order.
    colors : dict, optional
        Colours by group (by position when ``position`` is given) that replace the official ones.
    order : list of str, optional
        Groups from left to right; default the registry's order.
    aliases : dict, optional
        Extra ``{acronym: official acronym}`` pairs.
    rows : int, optional
        Number of arcs; None fits them to the seat count.
    legend : bool, default True
        Legend under the hemicycle, with seat counts.
    group_labels : bool, optional
        Write the group names around the arc; default True when coloured by position.
    ax : Axes, optional
    **kwargs
        Passed to ``EllipseCollection`` (``edgecolors``, ``linewidths``...).

    Returns
    -------
    matplotlib.axes.Axes
        The seats drawn are kept, one row each, in the DataFrame ``ax._bureau_data_seats``
        (``group``, ``position``, ``color``, ``x``, ``y``).

    Examples
    --------
    >>> ax = hemicycle({"LFI-NFP": 71, "EPR": 91, "RN": 123}, legislature=17)
    >>> ax._bureau_data_seats["group"].value_counts()["RN"]
    np.int64(123)
    """
    table = _seat_table(data, group, seats, position)
    group_keys = list(pd.unique(table["group"]))
    if order is not None:
        missing = [g for g in group_keys if g not in order]
        if missing:
            raise ConfigurationError(f"order ne cite pas les groupes : {', '.join(missing)}.")
        ordered = [g for g in order if g in group_keys]
    else:
        ordered = _colors.group_order(group_keys, legislature, aliases=aliases)
    by_position = position is not None
    if by_position:
        palette = {**_colors.POSITION_COLORS, **(colors or {})}
        group_palette = _colors.group_colors(ordered, legislature, aliases=aliases)
    else:
        group_palette = _colors.group_colors(ordered, legislature, aliases=aliases, overrides=colors)
        palette = group_palette

    total = int(table["seats"].sum())
    layout = hemicycle_layout(total, rows=rows)
    assigned_groups: list[str] = []
    assigned_positions: list[str | None] = []
    position_rank = {p: i for i, p in enumerate(_colors.POSITIONS)}
    for key in ordered:
        part = table[table["group"] == key]
        if by_position:
            part = part.assign(rank=part["position"].map(lambda p: position_rank.get(p, len(position_rank))))
            part = part.sort_values("rank", kind="mergesort")
        for _, record in part.iterrows():
            assigned_groups.extend([key] * int(record["seats"]))
            assigned_positions.extend([record["position"]] * int(record["seats"]))
    layout["group"] = assigned_groups
    layout["position"] = assigned_positions
    if by_position:
        unknown = sorted({str(p) for p in assigned_positions if p not in palette})
        if unknown:
            raise ConfigurationError(
                f"Positions sans couleur : {', '.join(map(str, unknown))}. Positions connues : "
                f"{', '.join(_colors.POSITIONS)} ; ou passez colors={{position: couleur}}."
            )
        layout["color"] = [palette[str(p)] for p in assigned_positions]
    else:
        layout["color"] = [palette[g] for g in assigned_groups]

    if group_labels is None:
        group_labels = by_position
    legend_entries = len(set(assigned_positions)) if by_position else len(ordered)
    legend_rows = int(np.ceil(legend_entries / 6)) if legend else 0
    ax = get_ax(ax, height=3.6 + 0.25 * legend_rows)
    kwargs.setdefault("edgecolors", outline_colors(layout["color"].to_list()))
    kwargs.setdefault("linewidths", 0.6)
    sizes = layout["size"].to_numpy()
    collection = EllipseCollection(sizes, sizes, np.zeros(len(layout)), units="xy",
                                   offsets=layout[["x", "y"]].to_numpy(), offset_transform=ax.transData,
                                   facecolors=layout["color"].to_list(), **kwargs)
    ax.add_collection(collection)
    ax.set_aspect("equal")
    ax.set_xlim(-1.2 if group_labels else -1.05, 1.2 if group_labels else 1.05)
    # The legend sits inside the axes, under the arc: with an equal aspect, a legend outside
    # the axes is placed after the layout is computed and can overlap the source line.
    ax.set_ylim(-0.04 - 0.13 * legend_rows - (0.04 if legend_rows else 0.0), 1.12)
    ax.set_axis_off()
    setattr(ax, SEATS_ATTR, layout)

    labels = dict(zip(ordered, _colors.group_labels(ordered, legislature), strict=True))
    counts = layout.groupby("group", sort=False).size()
    add_text(ax, 0.0, 0.02, f"{french.format_number(total)} sièges", ha="center", va="bottom",
             fontsize=_theme.SUBTITLE_FONT_SIZE, fontweight="bold", color=_theme.ink("text"))
    if group_labels:
        _write_group_labels(ax, layout, ordered, labels)
    if legend:
        if by_position:
            position_counts = layout.groupby("position", sort=False).size()
            present = [p for p in _colors.POSITIONS if p in position_counts.index]
            present += [p for p in position_counts.index if p not in present]
            handles = [Patch(facecolor=palette[p], edgecolor=outline_colors([palette[p]])[0],
                             label=f"{_position_label(p)} "
                             f"({french.format_number(int(position_counts[p]))})") for p in present]
        else:
            handles = [Patch(facecolor=palette[key], edgecolor=outline_colors([palette[key]])[0],
                             label=f"{labels[key]} ({french.format_number(int(counts[key]))})")
                       for key in ordered]
        ax.legend(handles=handles, loc="lower center", bbox_to_anchor=(0.5, 0.0), ncols=min(len(handles), 6),
                  frameon=False, handlelength=0.9, columnspacing=1.0, fontsize=_theme.LABEL_FONT_SIZE)

    parts = [f"{labels[key]} {french.format_number(int(counts[key]))}" for key in ordered]
    text = (f"Hémicycle de {french.format_number(total)} sièges, groupes de gauche à droite : "
            f"{', '.join(parts)}.")
    if by_position:
        position_counts = layout.groupby("position", sort=False).size()
        text += " Positions : " + ", ".join(
            f"{_colors.POSITION_LABELS.get(str(p), str(p)).lower()} {french.format_number(int(n))}"
            for p, n in position_counts.items()) + "."
    describe(ax, text)
    return ax


def _position_label(position: str) -> str:
    """Return the legend label of a position; a custom one (« absent ») is capitalised."""
    label = _colors.POSITION_LABELS.get(position, str(position))
    return label[:1].upper() + label[1:]


def _write_group_labels(ax: Axes, layout: pd.DataFrame, ordered: Sequence[str], labels: Mapping[str, str]) -> None:
    """Write each group's acronym outside the arc, at the middle of its wedge.

    Groups whose wedge spans less than ``MIN_LABEL_ANGLE`` get no label, because their
    names would overlap; the legend and the alt text still list them.
    """
    for key in ordered:
        angles = layout.loc[layout["group"] == key, "angle"]
        if angles.empty or float(angles.max() - angles.min()) < MIN_LABEL_ANGLE:
            continue
        middle = float((angles.max() + angles.min()) / 2)
        cos, sin = math.cos(middle), math.sin(middle)
        ha = "center"
        if cos > 0.25:
            ha = "left"
        elif cos < -0.25:
            ha = "right"
        va = "bottom" if sin > 0.25 else "center"
        add_text(ax, 1.04 * cos, 1.04 * sin, labels[key], ha=ha, va=va,
                 fontsize=_theme.LABEL_FONT_SIZE - 0.5, color=_theme.ink("muted"))
