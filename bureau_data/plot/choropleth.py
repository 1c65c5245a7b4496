"""Choropleth maps of départements or régions, with the overseas territories in insets."""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from typing import Any, Literal

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.collections import PathCollection
from matplotlib.colors import BoundaryNorm, Colormap, Normalize, TwoSlopeNorm
from matplotlib.patches import Rectangle

from bureau_data.errors import ConfigurationError, DataWarning
from bureau_data.plot import colors as _colors
from bureau_data.plot import style as _theme
from bureau_data.plot._common import add_text, describe, fmt, get_ax, list_items
from bureau_data.plot.ticks import formatter_for

LEVELS = ("departements", "regions")
MISSING_LABEL = "Donnée absente"


def _shapes(level: str, geometry: pd.DataFrame | None, overseas: bool) -> pd.DataFrame:
    from bureau_data import geo

    if geometry is None:
        if level not in LEVELS:
            raise ConfigurationError(f"Niveau inconnu : {level!r}. Niveaux possibles : {', '.join(LEVELS)}.")
        loader = geo.departements if level == "departements" else geo.regions
        geometry = loader(overseas=overseas)
    for column in ("code", "geometry"):
        if column not in geometry.columns:
            raise ConfigurationError(
                f"choropleth(geometry=...) : colonne {column!r} absente. Passez une table de "
                "bureau_data.geo.departements() ou regions()."
            )
    if overseas and "outre_mer" in geometry.columns and geometry["outre_mer"].any() and "inset" not in geometry.columns:
        geometry = geo.place_overseas(geometry)
    return geometry.reset_index(drop=True)


def _values_by_code(data: Any, code: str | None, value: str | None, level: str) -> pd.Series:
    from bureau_data import codes

    if isinstance(data, pd.Series):
        series = data
    elif isinstance(data, pd.DataFrame):
        if code is None:
            code = next((name for name in ("code", "dep", "reg") if name in data.columns), None)
        if code is None or value is None or code not in data.columns or value not in data.columns:
            raise ConfigurationError(
                "choropleth() avec un DataFrame demande code=... (colonne des codes) et value=... "
                f"(colonne des valeurs). Colonnes disponibles : {', '.join(map(str, data.columns))}."
            )
        series = pd.Series(data[value].to_numpy(), index=data[code].to_numpy())
    else:
        raise ConfigurationError(
            f"choropleth() attend une Series indexée par code ou un DataFrame, pas {type(data).__name__}."
        )
    normalise = codes.departement_codes if level == "departements" else codes.region_codes
    index = normalise(pd.Series(series.index, dtype="object"))
    result = pd.Series(pd.to_numeric(pd.Series(series.to_numpy()), errors="coerce").to_numpy(),
                       index=index.astype(str).to_numpy())
    duplicated = result.index[result.index.duplicated()].unique().tolist()
    if duplicated:
        raise ConfigurationError(f"choropleth() : codes en double {', '.join(duplicated)}.")
    return result


def choropleth(data: Any, *, level: str = "departements", code: str | None = None, value: str | None = None,
               geometry: pd.DataFrame | None = None, overseas: bool = True, kind: str = "number",
               decimals: int | None = None, cmap: str | Colormap | None = None, bins: Sequence[float] | None = None,
               center: float | None = None, vmin: float | None = None, vmax: float | None = None,
               colorbar_label: str | None = None, value_options: dict[str, Any] | None = None,
               inset_labels: bool = True, ax: Axes | None = None, **kwargs: Any) -> Axes:
    """Draw a map of départements or régions coloured by value, overseas territories in insets.

    Parameters
    ----------
    data : Series or DataFrame
        Values indexed by département or région code (``"01"``, ``"2A"``, ``"971"``; codes
        written as numbers are normalised), or a DataFrame with ``code`` and ``value`` columns.
    level : {"departements", "regions"}, default "departements"
    code, value : str, optional
        Columns of a DataFrame.
    geometry : DataFrame, optional
        Shapes from ``bureau_data.geo.departements()`` or ``regions()``; default loaded here.
    overseas : bool, default True
        Draw the overseas territories, moved into insets west of metropolitan France.
    kind : {"number", "percent", "euros"}, default "number"
        How values are written on the colour bar and in the alt text.
    decimals : int, optional
        Decimals of the values in the alt text.
    cmap : str or Colormap, optional
        Default cividis, or the purple-orange diverging map when ``center`` is given.
    bins : list of float, optional
        Class boundaries: the map then uses one flat colour per class.
    center : float, optional
        Middle value of a diverging colour scale.
    vmin, vmax : float, optional
        Limits of a continuous scale.
    colorbar_label : str, optional
    value_options : dict, optional
        Formatter options.
    inset_labels : bool, default True
        Write the name of each overseas territory under its inset.
    ax : Axes, optional
    **kwargs
        Passed to ``PathCollection`` (``edgecolors``, ``linewidths``).

    Returns
    -------
    matplotlib.axes.Axes

    Notes
    -----
    Shapes with no value are drawn in a light hatched grey and counted in the alt text.
    Codes of ``data`` that match no shape (such as the collectivités 977 and 978, which
    have no outline in the IGN files) are listed in a ``DataWarning`` rather than dropped
    silently.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> ax = choropleth(pd.Series({"11": 12.5, "84": 8.0}), level="regions", kind="percent")
    >>> len(ax.figure.axes) > 1
    True
    >>> plt.close(ax.figure)
    """
    from bureau_data import geo

    shapes = _shapes(level, geometry, overseas)
    values = _values_by_code(data, code, value, level)
    unknown = sorted(set(values.index) - set(shapes["code"].astype(str)))
    if unknown:
        warnings.warn(
            f"choropleth() : {len(unknown)} code(s) sans contour, non dessiné(s) : {', '.join(unknown[:10])}"
            f"{'…' if len(unknown) > 10 else ''}. Vérifiez le niveau (level={level!r}) et overseas.",
            DataWarning,
            stacklevel=2,
        )
    shape_values = shapes["code"].astype(str).map(values).to_numpy(dtype=float)
    options = dict(value_options or {})
    ax = get_ax(ax, height=5.6)
    finite = shape_values[np.isfinite(shape_values)]
    if finite.size == 0:
        raise ConfigurationError("choropleth() : aucune valeur numérique à cartographier.")
    low = float(finite.min()) if vmin is None else vmin
    high = float(finite.max()) if vmax is None else vmax
    if bins is not None:
        boundaries = list(bins)
        colormap = _colors.sequential_cmap(cmap) if isinstance(cmap, str) else (cmap or _colors.sequential_cmap())
        # The colour bar gets an arrow only on a side where values fall outside the bins.
        below, above = bool((finite < boundaries[0]).any()), bool((finite > boundaries[-1]).any())
        sides: dict[tuple[bool, bool], Literal["both", "min", "max", "neither"]] = {
            (True, True): "both", (True, False): "min", (False, True): "max"}
        extend = sides.get((below, above), "neither")
        norm: Normalize = BoundaryNorm(boundaries, colormap.N, extend=extend)
    elif center is not None:
        colormap = cmap or _colors.DIVERGING
        norm = TwoSlopeNorm(vcenter=center, vmin=min(low, center - 1e-9), vmax=max(high, center + 1e-9))
    else:
        colormap = _colors.sequential_cmap(cmap) if isinstance(cmap, str) else (cmap or _colors.sequential_cmap())
        norm = Normalize(vmin=low, vmax=high)

    paths = [geo.geometry_path(g) for g in shapes["geometry"]]
    has_value = np.isfinite(shape_values)
    kwargs.setdefault("edgecolors", _theme.ink("background"))
    kwargs.setdefault("linewidths", 0.4)
    collection = PathCollection([p for p, ok in zip(paths, has_value, strict=True) if ok], cmap=colormap,
                                norm=norm, **kwargs)
    collection.set_array(shape_values[has_value])
    ax.add_collection(collection)
    if (~has_value).any():
        missing = PathCollection([p for p, ok in zip(paths, has_value, strict=True) if not ok],
                                 facecolors=_theme.ink("grid"), edgecolors=_theme.ink("neutral"),
                                 linewidths=0.4, hatch="////")
        ax.add_collection(missing)

    if "inset" in shapes.columns and shapes["inset"].any():
        for _, row in shapes[shapes["inset"]].iterrows():
            pad = 0.12
            ax.add_patch(Rectangle((row["lon_min"] - pad, row["lat_min"] - pad),
                                   row["lon_max"] - row["lon_min"] + 2 * pad,
                                   row["lat_max"] - row["lat_min"] + 2 * pad,
                                   fill=False, edgecolor=_theme.ink("grid"), linewidth=0.8))
            if inset_labels and "nom" in shapes.columns:
                add_text(ax, (row["lon_min"] + row["lon_max"]) / 2, row["lat_min"] - pad - 0.05, str(row["nom"]),
                         ha="center", va="top", fontsize=_theme.SOURCE_FONT_SIZE - 1, color=_theme.ink("muted"))

    lon_min, lon_max = float(shapes["lon_min"].min()), float(shapes["lon_max"].max())
    lat_min, lat_max = float(shapes["lat_min"].min()), float(shapes["lat_max"].max())
    ax.set_xlim(lon_min - 0.3, lon_max + 0.3)
    ax.set_ylim(lat_min - 0.5, lat_max + 0.3)
    ax.set_aspect(geo.ASPECT_METROPOLE)
    ax.set_axis_off()
    bar = ax.figure.colorbar(collection, ax=ax, fraction=0.03, pad=0.01, shrink=0.7)
    bar.formatter = formatter_for(kind, **options)
    bar.update_ticks()
    bar.outline.set_visible(False)
    bar.ax.tick_params(length=0)
    if colorbar_label:
        bar.set_label(colorbar_label)

    names = shapes["nom"].astype(str) if "nom" in shapes.columns else shapes["code"].astype(str)
    ranked = pd.Series(shape_values, index=names).dropna().sort_values(ascending=False)
    unit = "départements" if level == "departements" else "régions"
    coloured = "colorés" if level == "departements" else "colorées"
    text = (f"Carte de {len(shapes)} {unit} {coloured} selon la valeur, de {fmt(ranked.min(), kind, decimals, **options)} "
            f"à {fmt(ranked.max(), kind, decimals, **options)}. Les plus hautes : "
            + list_items([(str(n), fmt(v, kind, decimals, **options)) for n, v in ranked.head(3).items()])
            + ". Les plus basses : "
            + list_items([(str(n), fmt(v, kind, decimals, **options)) for n, v in ranked.tail(3).iloc[::-1].items()]) + ".")
    if (~has_value).any():
        text += f" {int((~has_value).sum())} {unit} sans donnée."
    describe(ax, text)
    return ax
