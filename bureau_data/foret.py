"""Forest area and forest cover by country and year (FAO FRA 2020, via Our World in Data).

The loaders read one raw file, the Our World in Data (OWID) table « Forest land,
deforestation and change (FAO, 2020) ». It has the FAO Global Forest Resources
Assessment 2020 figures for 1990-2020, and OWID's compilation of historical
forest-cover estimates for earlier years (France from the year 1000). Units are part of the column names: ``_kha`` is thousand hectares,
``_kha_per_year`` thousand hectares per year, ``_pct`` percent. ``df.attrs["units"]``
gives the unit of every column in French.
"""

from __future__ import annotations

import logging
import warnings
from pathlib import Path

import pandas as pd

from bureau_data.cache import cached_tables
from bureau_data.delimited import read_delimited, to_floats, to_integers
from bureau_data.errors import DataCheckError, DataWarning
from bureau_data.fetch import fetch

logger = logging.getLogger(__name__)

DATASET = "foret.owid.fra2020"
_PARSER_VERSION = "1"

# Source column -> (loader column, French unit). Order is the order of the output.
_COLUMNS: dict[str, tuple[str, str]] = {
    "Forest area": ("forest_area_kha", "milliers d'hectares"),
    "Forest cover": ("forest_cover_pct", "% de la surface terrestre"),
    "Share of global forest area": ("share_of_global_forest_area_pct", "% de la surface forestière mondiale"),
    "Share of regional forest area": ("share_of_regional_forest_area_pct", "% de la surface forestière régionale"),
    "Annual net change in forest area": ("net_change_kha_per_year", "milliers d'hectares par an"),
    "Deforestation": ("deforestation_kha_per_year", "milliers d'hectares par an"),
    "Afforestation": ("afforestation_kha_per_year", "milliers d'hectares par an"),
    "Forest expansion": ("forest_expansion_kha_per_year", "milliers d'hectares par an"),
    "Natural forest expansion": ("natural_forest_expansion_kha_per_year", "milliers d'hectares par an"),
    "Deforestation as share of forest area": ("deforestation_share_of_forest_pct", "% de la surface forestière"),
    "Expansion as share of forest area": ("expansion_share_of_forest_pct", "% de la surface forestière"),
    "Conversion as share of forest area": ("net_change_share_of_forest_pct", "% de la surface forestière"),
    "Share of global deforestation": ("share_of_global_deforestation_pct", "% de la déforestation mondiale"),
    "Share of global forest expansion": ("share_of_global_forest_expansion_pct", "% de l'expansion mondiale"),
    "Share of regional deforestation": ("share_of_regional_deforestation_pct", "% de la déforestation régionale"),
}
# Other names of source columns. The CSV header and the OWID data package call the
# net-change column « Annual net change in forest area ».
# NOTE: « Net forest conversion » is accepted because a description of this file uses
# that name; no release with that header has been seen.
_ALIASES: dict[str, tuple[str, ...]] = {
    "Annual net change in forest area": ("Net forest conversion",),
}

COLUMNS: dict[str, str] = {
    "entity": "string",
    "year": "Int64",
    **{target: "float64" for target, _ in _COLUMNS.values()},
}
UNITS: dict[str, str] = {target: unit for target, unit in _COLUMNS.values()}


def _build(path: Path) -> dict[str, pd.DataFrame]:
    name = path.name
    df = read_delimited(path, required=["Entity", "Year", *_COLUMNS], aliases=_ALIASES, name=name)
    df = df.rename(columns={"Entity": "entity", "Year": "year", **{k: v for k, (v, _) in _COLUMNS.items()}})
    df = df[list(COLUMNS)]
    to_integers(df, ["year"], name=name)
    to_floats(df, [column for column, dtype in COLUMNS.items() if dtype == "float64"], name=name)
    df["entity"] = df["entity"].astype("string")

    duplicated = df.duplicated(["entity", "year"])
    if duplicated.any():
        example = df.loc[duplicated, ["entity", "year"]].iloc[0].tolist()
        raise DataCheckError(
            f"{name} : {int(duplicated.sum())} ligne(s) en double pour un même pays et une même "
            f"année (par exemple {example[0]} {example[1]}). Le fichier source a changé de forme."
        )
    # The source has impossible cover rates (Micronesia 1990: 242.7 %). They are set
    # to NaN rather than shown.
    out_of_range = df["forest_cover_pct"].notna() & ~df["forest_cover_pct"].between(0, 100)
    if out_of_range.any():
        examples = ", ".join(f"{row.entity} {row.year} ({row.forest_cover_pct:.1f} %)"
                             for row in df[out_of_range].head(3).itertuples())
        warnings.warn(
            f"{name} : {int(out_of_range.sum())} taux de couverture forestière hors de 0-100 % "
            f"remplacé(s) par une valeur manquante ({examples}).",
            DataWarning, stacklevel=2,
        )
        df.loc[out_of_range, "forest_cover_pct"] = float("nan")
    df = df.sort_values(["entity", "year"], ignore_index=True)
    df.attrs["units"] = UNITS
    return {"forest": df}


def forest() -> pd.DataFrame:
    """Load every row of the FAO FRA 2020 / OWID forest table.

    Reads the raw file through ``fetch`` and parses it once; later calls read the
    parsed-table cache until the raw file or the parser changes.

    Returns
    -------
    DataFrame
        One row per entity and year (years 1000-2020):

        ============================================  ========  =========================================
        column                                        dtype     meaning
        ============================================  ========  =========================================
        entity                                        string    country or aggregate, English OWID name
        year                                          Int64     year
        forest_area_kha                               float64   forest area, thousand hectares
        forest_cover_pct                              float64   forest share of land area, %
        share_of_global_forest_area_pct               float64   share of the world's forest area, %
        share_of_regional_forest_area_pct             float64   share of the continent's forest area, %
        net_change_kha_per_year                       float64   annual net change, thousand ha per year
        deforestation_kha_per_year                    float64   annual deforestation, thousand ha per year
        afforestation_kha_per_year                    float64   annual afforestation, thousand ha per year
        forest_expansion_kha_per_year                 float64   annual expansion, thousand ha per year
        natural_forest_expansion_kha_per_year         float64   natural expansion, thousand ha per year
        deforestation_share_of_forest_pct             float64   deforestation / forest area, %
        expansion_share_of_forest_pct                 float64   expansion / forest area, %
        net_change_share_of_forest_pct                float64   net change / forest area, %
        share_of_global_deforestation_pct             float64   share of world deforestation, %
        share_of_global_forest_expansion_pct          float64   share of world expansion, %
        share_of_regional_deforestation_pct           float64   share of the continent's deforestation, %
        ============================================  ========  =========================================

        ``attrs["units"]`` maps each measure column to its unit, in French.

    Raises
    ------
    SchemaError
        When a column is missing from the file (under its name and former names).
    DataCheckError
        When an (entity, year) pair repeats.

    Notes
    -----
    - ``entity`` mixes countries and aggregates (``World``, ``Europe``, ``EU-27``,
      ``Western Europe``…), as OWID publishes them. Filter on names before summing.
    - ``France`` is metropolitan France in FRA: Guadeloupe, Martinique, Mayotte,
      New Caledonia and French Polynesia are separate entities, French Guiana and
      Réunion are absent.
    - FAO flows (deforestation, afforestation, expansion, net change) are annual
      averages over FRA periods, stored at the period's first year: 1990 = 1990-2000,
      2000 = 2000-2010, 2010 = 2010-2015, 2015 = 2015-2020.
    - Cover rates outside 0-100 % (Micronesia 1990: 242.7 %) are set to NaN, with a
      ``DataWarning`` when the file is parsed (not on later cache hits).
    - Before 1990 only ``forest_cover_pct`` is filled, from historical estimates
      compiled by OWID from several sources; they are less precise than FRA figures.

    Examples
    --------
    >>> df = forest()
    >>> df.loc[(df.entity == "France") & (df.year == 2020), "forest_area_kha"].item()
    17253.0
    """
    fetched = fetch(DATASET)
    return cached_tables("foret", _PARSER_VERSION, [fetched.record], lambda: _build(fetched.path))["forest"]


def forest_area(entities: list[str] | None = None) -> pd.DataFrame:
    """Load forest area and cover by entity and year, 1990-2020 (FAO FRA 2020).

    Parameters
    ----------
    entities
        OWID entity names to keep (``["France", "Germany"]``); None keeps all.

    Returns
    -------
    DataFrame
        Columns ``entity`` (string), ``year`` (Int64), ``forest_area_kha`` (float64,
        thousand hectares), ``forest_cover_pct`` (float64, % of land area), one row per
        entity and year where the forest area is known. ``attrs["units"]`` gives the units.

    Raises
    ------
    DataCheckError
        When an entity asked for is not in the table.

    Examples
    --------
    >>> forest_area(["France"]).set_index("year").loc[1990, "forest_area_kha"]
    np.float64(14436.0)
    """
    df = forest()
    df = df.loc[df["forest_area_kha"].notna(), ["entity", "year", "forest_area_kha", "forest_cover_pct"]]
    df = _select(df, entities)
    df.attrs["units"] = {key: UNITS[key] for key in ("forest_area_kha", "forest_cover_pct")}
    return df.reset_index(drop=True)


def forest_cover_history(entity: str = "France") -> pd.DataFrame:
    """Load the long series of forest cover of one entity, historical estimates included.

    Parameters
    ----------
    entity
        OWID entity name; France has 26 historical points from the year 1000 to 1976,
        then one per year from 1990 to 2020.

    Returns
    -------
    DataFrame
        Columns ``entity`` (string), ``year`` (Int64), ``forest_cover_pct`` (float64,
        % of land area), ``source`` (string: ``"FAO FRA 2020"`` from 1990,
        ``"estimations historiques"`` before), one row per year with a value.

    Raises
    ------
    DataCheckError
        When the entity is not in the table.

    Examples
    --------
    >>> history = forest_cover_history("France")
    >>> int(history.year.iloc[0]), round(float(history.forest_cover_pct.iloc[0]), 2)
    (1000, 47.49)
    """
    df = forest()
    df = df.loc[df["forest_cover_pct"].notna(), ["entity", "year", "forest_cover_pct"]]
    df = _select(df, [entity]).reset_index(drop=True)
    df["source"] = pd.Series(
        ["FAO FRA 2020" if year >= 1990 else "estimations historiques" for year in df["year"]],
        dtype="string",
    )
    df.attrs["units"] = {"forest_cover_pct": UNITS["forest_cover_pct"]}
    return df


def _select(df: pd.DataFrame, entities: list[str] | None) -> pd.DataFrame:
    if entities is None:
        return df.copy()
    known = set(df["entity"].unique())
    missing = [entity for entity in entities if entity not in known]
    if missing:
        import difflib

        hints = [f"{name} → {', '.join(difflib.get_close_matches(name, known, n=3)) or 'aucune'}"
                 for name in missing]
        raise DataCheckError(
            f"Entité(s) absente(s) du tableau forestier : {', '.join(missing)}. "
            f"Les noms sont ceux d'Our World in Data, en anglais (propositions : {'; '.join(hints)})."
        )
    return df[df["entity"].isin(entities)].copy()
