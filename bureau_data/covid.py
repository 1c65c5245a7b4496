"""Covid-19 open data: hospital counts, consolidated key figures and vaccination.

Three families of files, each with its own loaders:

- Santé publique France (SpF) hospital file, by département, sex and day
  (``hospitalisations``, ``hospitalisations_par_sexe``, ``hospitalisations_france``).
- opencovid19-fr key figures, several sources per day and area (``chiffres_cles``).
- SpF vaccination files, France and régions (``vaccination_france``,
  ``vaccination_regions``).

Département and région codes are official strings (``"01"``, ``"2A"``, ``"971"``),
normalised with ``bureau_data.codes`` so they join the geography tables.
"""

from __future__ import annotations

import logging
import warnings
from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from bureau_data.cache import cached_tables
from bureau_data.codes import CODE_DTYPE, departement_codes, normalize_departement, region_codes
from bureau_data.delimited import read_delimited, to_floats, to_integers
from bureau_data.errors import ConfigurationError, DataCheckError, DataWarning, SchemaError
from bureau_data.fetch import fetch

logger = logging.getLogger(__name__)

HOSPITAL_DATASET = "covid.spf.hospitalisations"
KEY_FIGURES_DATASET = "covid.opencovid19.chiffres_cles"
VACCINATION_FRANCE_DATASET = "covid.spf.vacsi_fra"
VACCINATION_REGIONS_DATASET = "covid.spf.vacsi_reg"
_PARSER_VERSION = "1"

# --- Hospital file ------------------------------------------------------------------

HOSPITAL_MEASURES = ("hosp", "rea", "rad", "dc")
SEXES = pd.CategoricalDtype(["hommes", "femmes"], ordered=True)
_SEXE_CODES = {"1": "hommes", "2": "femmes"}

HOSPITAL_COLUMNS: dict[str, str] = {
    "dep": "string", "jour": "datetime64[ns]", "hosp": "Int64", "rea": "Int64", "rad": "Int64", "dc": "Int64",
}
HOSPITAL_BY_SEX_COLUMNS: dict[str, str] = {
    "dep": "string", "sexe": "category", "jour": "datetime64[ns]",
    "hosp": "Int64", "rea": "Int64", "rad": "Int64", "dc": "Int64",
}


def parse_days(values: pd.Series, *, field: str = "jour", name: str = "") -> pd.Series:
    """Parse a column of days written ``2020-06-27`` or ``27/06/2020`` in the same file.

    Raises
    ------
    SchemaError
        When some values match neither format; the message shows a few of them.

    Examples
    --------
    >>> parse_days(pd.Series(["2020-06-27", "27/06/2020"])).dt.strftime("%Y-%m-%d").tolist()
    ['2020-06-27', '2020-06-27']
    """
    iso = pd.to_datetime(values, format="%Y-%m-%d", errors="coerce")
    french = pd.to_datetime(values, format="%d/%m/%Y", errors="coerce")
    days = iso.fillna(french)
    bad = days.isna() & values.notna()
    if bad.any() or values.isna().any():
        shown = ", ".join(repr(value) for value in pd.unique(values[bad | values.isna()])[:5])
        raise SchemaError(
            f"Colonne « {field} » de {name or 'la table'} : dates attendues au format AAAA-MM-JJ "
            f"ou JJ/MM/AAAA, {int((bad | values.isna()).sum())} valeur(s) illisible(s) : {shown}.",
            path=name or None, field=field, found=shown,
        )
    return days.astype("datetime64[ns]")


def _parse_hospital(path: Path) -> dict[str, pd.DataFrame]:
    name = path.name
    df = read_delimited(path, required=["dep", "sexe", "jour", *HOSPITAL_MEASURES], name=name)
    df = df[["dep", "sexe", "jour", *HOSPITAL_MEASURES]].copy()

    # Three rows of 2020-03-24 have an empty département code. Their counts belong to
    # no département and cannot be placed on a map, so they are dropped.
    empty = df["dep"].isna()
    if empty.any():
        days = ", ".join(sorted(df.loc[empty, "jour"].dropna().unique()))
        warnings.warn(
            f"{name} : {int(empty.sum())} ligne(s) sans code de département ignorée(s) (jour(s) {days}).",
            DataWarning, stacklevel=3,
        )
        df = df[~empty].copy()
    df["dep"] = departement_codes(df["dep"], field="dep")

    # The rows of 2020-06-27 to 06-29 mix ISO and dd/mm/yyyy dates.
    french_dates = df["jour"].str.contains("/", regex=False, na=False)
    if french_dates.any():
        logger.info("%s : %d date(s) au format JJ/MM/AAAA converties.", name, int(french_dates.sum()))
    df["jour"] = parse_days(df["jour"], name=name)
    to_integers(df, list(HOSPITAL_MEASURES), name=name)

    unknown = sorted(set(df["sexe"].dropna()) - {"0", "1", "2"})
    if unknown or df["sexe"].isna().any():
        raise SchemaError(
            f"{name} : colonne « sexe » : valeurs attendues 0 (ensemble), 1 (hommes), 2 (femmes), "
            f"trouvé {unknown or ['(vide)']}.", path=name, field="sexe", found=str(unknown),
        )
    duplicated = df.duplicated(["dep", "sexe", "jour"])
    if duplicated.any():
        first = df[duplicated].iloc[0]
        raise DataCheckError(
            f"{name} : {int(duplicated.sum())} ligne(s) en double pour un même département, sexe et "
            f"jour (par exemple {first.dep}, sexe {first.sexe}, {first.jour:%Y-%m-%d})."
        )

    everyone = df[df["sexe"] == "0"].drop(columns="sexe")
    everyone = everyone.sort_values(["jour", "dep"], ignore_index=True)
    by_sex = df[df["sexe"] != "0"].copy()
    by_sex["sexe"] = by_sex["sexe"].map(_SEXE_CODES).astype(SEXES)
    by_sex = by_sex.sort_values(["jour", "dep", "sexe"], ignore_index=True)[list(HOSPITAL_BY_SEX_COLUMNS)]
    return {"ensemble": everyone[list(HOSPITAL_COLUMNS)], "par_sexe": by_sex}


def _hospital_tables() -> dict[str, pd.DataFrame]:
    fetched = fetch(HOSPITAL_DATASET)
    return cached_tables("covid-hospitalisations", _PARSER_VERSION, [fetched.record],
                         lambda: _parse_hospital(fetched.path))


def hospitalisations() -> pd.DataFrame:
    """Load the SpF hospital counts by département and day, both sexes together.

    These are the file's ``sexe = 0`` rows. The per-sex rows are in
    ``hospitalisations_par_sexe()``; do not add the two tables, because the
    ``sexe = 0`` rows already count men, women and patients of unknown sex.

    Returns
    -------
    DataFrame
        One row per département and day:

        =====  ==============  ==========================================================
        dep    string          département code (``"01"``, ``"2A"``, ``"971"``)
        jour   datetime64[ns]  day
        hosp   Int64           people in hospital for Covid-19 that day
        rea    Int64           of whom in intensive care (réanimation or soins critiques)
        rad    Int64           cumulative returns home since 2020-03-18
        dc     Int64           cumulative deaths in hospital since 2020-03-18
        =====  ==============  ==========================================================

    Raises
    ------
    SchemaError
        When a column is missing, a date or a count cannot be read, or ``sexe`` has
        another value than 0, 1 or 2.
    DataCheckError
        When a département code is invalid or a (département, sexe, jour) repeats.

    Notes
    -----
    The 2020-06-30 edition mixes quoted and unquoted fields and two date formats
    (``2020-06-27`` and ``27/06/2020``). On 2020-03-24 it has three rows with an
    empty département code, which are dropped with a ``DataWarning``.

    Examples
    --------
    >>> df = hospitalisations()
    >>> int(df.loc[(df.dep == "75") & (df.jour == "2020-04-14"), "hosp"].item())
    3281
    """
    return _hospital_tables()["ensemble"]


def hospitalisations_par_sexe() -> pd.DataFrame:
    """Load the SpF hospital counts by département, sex and day (``sexe`` 1 and 2 only).

    Returns
    -------
    DataFrame
        Columns ``dep`` (string), ``sexe`` (ordered categorical ``hommes`` < ``femmes``),
        ``jour`` (datetime64[ns]) and ``hosp``, ``rea``, ``rad``, ``dc`` (Int64) as in
        ``hospitalisations()``.

    Notes
    -----
    Men plus women can be lower than the ``sexe = 0`` total of the same day, because
    some patients' sex is not recorded. Use ``hospitalisations()`` for totals.

    Examples
    --------
    >>> df = hospitalisations_par_sexe()
    >>> paris = df[(df.dep == "75") & (df.jour == "2020-04-14")].set_index("sexe")
    >>> paris["hosp"].astype(int).to_dict()
    {'hommes': 1890, 'femmes': 1364}
    """
    return _hospital_tables()["par_sexe"]


def hospitalisations_france() -> pd.DataFrame:
    """Return national hospital counts by day: the sum of the départements' ``sexe = 0`` rows.

    Returns
    -------
    DataFrame
        Columns ``jour`` (datetime64[ns]), ``hosp``, ``rea``, ``rad``, ``dc`` (Int64)
        and ``departements`` (Int64, number of départements summed), one row per day.

    Examples
    --------
    >>> france = hospitalisations_france().set_index("jour")
    >>> int(france["hosp"].max()), france["hosp"].idxmax().date().isoformat()
    (32131, '2020-04-14')
    """
    df = hospitalisations()
    grouped = df.groupby("jour", sort=True)
    national = grouped[list(HOSPITAL_MEASURES)].sum().astype("Int64")
    national["departements"] = grouped["dep"].nunique().astype("Int64")
    national = national.reset_index()
    national.attrs = dict(df.attrs)
    return national


# --- Key figures (opencovid19-fr) ----------------------------------------------------------

# Source types of opencovid19-fr, most trusted first. Official machine-readable files
# come first, then national then regional press releases, then figures the
# project typed or computed itself. Pass another order to ``chiffres_cles``.
SOURCE_PRIORITY: tuple[str, ...] = (
    "sante-publique-france-data",
    "ministere-sante",
    "sante-publique-france",
    "agences-regionales-sante",
    "prefectures",
    "opencovid19-fr",
    "lperez31-historical-data",
)
GRANULARITES = pd.CategoricalDtype(
    ["monde", "pays", "region", "collectivite-outremer", "departement"], ordered=True,
)
KEY_FIGURES_MEASURES = (
    "cas_confirmes", "cas_ehpad", "cas_confirmes_ehpad", "cas_possibles_ehpad", "deces", "deces_ehpad",
    "reanimation", "hospitalises", "nouvelles_hospitalisations", "nouvelles_reanimations", "gueris", "depistes",
)
_KEY_FIGURES_TEXT = ("maille_code", "maille_nom", "source_nom", "source_url", "source_archive", "source_type")
KEY_FIGURES_COLUMNS: dict[str, str] = {
    "date": "datetime64[ns]", "granularite": "category", "maille_code": "string", "code": "string",
    "maille_nom": "string", **{measure: "Int64" for measure in KEY_FIGURES_MEASURES},
    "source_nom": "string", "source_url": "string", "source_archive": "string", "source_type": "string",
    "sources": "Int64",
}


def _area_code(granularite: str, maille_code: str) -> str:
    if granularite == "departement":
        return normalize_departement(maille_code, field="maille_code") or ""
    if granularite == "region":
        return region_codes([maille_code], field="maille_code").iloc[0]
    if granularite == "collectivite-outremer":
        return maille_code.removeprefix("COM-")
    return maille_code


def _parse_key_figures(path: Path) -> dict[str, pd.DataFrame]:
    name = path.name
    required = ["date", "granularite", *_KEY_FIGURES_TEXT[:2], *KEY_FIGURES_MEASURES, *_KEY_FIGURES_TEXT[2:]]
    # Some counts are written "NaN" instead of an empty cell.
    df = read_delimited(path, required=required, name=name, na_values=["NaN"])[required].copy()
    unknown = sorted(set(df["granularite"].dropna()) - set(GRANULARITES.categories))
    if unknown or df["granularite"].isna().any():
        raise SchemaError(
            f"{name} : colonne « granularite » : valeurs attendues {', '.join(GRANULARITES.categories)}, "
            f"trouvé aussi {unknown or ['(vide)']}.", path=name, field="granularite", found=str(unknown),
        )
    df["date"] = parse_days(df["date"], field="date", name=name)
    to_integers(df, list(KEY_FIGURES_MEASURES), name=name)
    pairs = df[["granularite", "maille_code"]].drop_duplicates()
    codes = {(level, area): _area_code(str(level), str(area))
             for level, area in zip(pairs["granularite"], pairs["maille_code"], strict=True)}
    df["code"] = pd.Series([codes[pair] for pair in zip(df["granularite"], df["maille_code"], strict=True)],
                           index=df.index, dtype=CODE_DTYPE)
    df["granularite"] = df["granularite"].astype(GRANULARITES)
    for column in _KEY_FIGURES_TEXT:
        df[column] = df[column].astype("string")
    df = df.sort_values(["date", "granularite", "maille_code", "source_type"], ignore_index=True, kind="stable")
    return {"chiffres_cles": df}


def chiffres_cles(
    granularite: str | None = None,
    *,
    deduplicate: bool = True,
    source_priority: Sequence[str] = SOURCE_PRIORITY,
) -> pd.DataFrame:
    """Load the opencovid19-fr key figures, one row per date and area by default.

    Parameters
    ----------
    granularite
        Keep one level: ``"pays"``, ``"region"``, ``"departement"``,
        ``"collectivite-outremer"`` or ``"monde"``; None keeps all.
    deduplicate
        True (default) keeps, for each date and area (``maille_code``), the whole row
        of the best-ranked source in ``source_priority``. False returns every source's row.
    source_priority
        Source types (``source_type`` column), most trusted first. Types not listed
        rank after all listed ones, in alphabetical order, with a ``DataWarning``.

    Returns
    -------
    DataFrame
        Columns ``date`` (datetime64[ns]); ``granularite`` (ordered categorical);
        ``maille_code`` (string, as published: ``DEP-75``, ``REG-11``, ``FRA``);
        ``code`` (string, official code: ``75``, ``11``, ``977``, ``FRA``); ``maille_nom``;
        the counts ``cas_confirmes``, ``cas_ehpad``, ``cas_confirmes_ehpad``,
        ``cas_possibles_ehpad``, ``deces``, ``deces_ehpad``, ``reanimation``,
        ``hospitalises``, ``nouvelles_hospitalisations``, ``nouvelles_reanimations``,
        ``gueris``, ``depistes`` (Int64, NA when the source did not give it);
        ``source_nom``, ``source_url``, ``source_archive``, ``source_type`` (string);
        ``sources`` (Int64, number of sources that gave a row for this date and area).

    Raises
    ------
    ConfigurationError
        When ``granularite`` is not one of the levels.

    Notes
    -----
    Missing counts are written either as an empty cell or as ``NaN``; both become NA.
    Up to four sources report the same date and area with different values (France on
    2020-04-14: 32 292 in hospital for the ministry, 32 131 for the opencovid19-fr
    sum of SpF data). Deduplication keeps whole rows and never mixes values of two
    sources in one row, so a count the chosen source did not give stays NA.

    Examples
    --------
    >>> france = chiffres_cles("pays").set_index("date")
    >>> int(france.loc["2020-04-14", "hospitalises"]), france.loc["2020-04-14", "source_type"]
    (32292, 'ministere-sante')
    """
    if granularite is not None and granularite not in GRANULARITES.categories:
        raise ConfigurationError(
            f"Granularité inconnue : {granularite!r}. Valeurs possibles : {', '.join(GRANULARITES.categories)}."
        )
    fetched = fetch(KEY_FIGURES_DATASET)
    df = cached_tables("covid-chiffres-cles", _PARSER_VERSION, [fetched.record],
                       lambda: _parse_key_figures(fetched.path))["chiffres_cles"]
    if granularite is not None:
        df = df[df["granularite"] == granularite]
    attrs = dict(df.attrs)
    keys = ["date", "maille_code"]
    counts = df.groupby(keys, observed=True)["source_type"].transform("size").astype("Int64")
    df = df.assign(sources=counts)
    if deduplicate:
        df = _keep_best_source(df, keys, list(source_priority))
    df = df[list(KEY_FIGURES_COLUMNS)].reset_index(drop=True)
    df.attrs = attrs
    df.attrs["source_priority"] = list(source_priority) if deduplicate else []
    return df


def _keep_best_source(df: pd.DataFrame, keys: list[str], priority: list[str]) -> pd.DataFrame:
    unlisted = sorted(set(df["source_type"].dropna()) - set(priority))
    if unlisted:
        warnings.warn(
            f"Types de source absents de l'ordre de priorité, classés en dernier : {', '.join(unlisted)}.",
            DataWarning, stacklevel=3,
        )
    ranks: dict[str, int] = {}
    for source in [*priority, *unlisted]:
        ranks.setdefault(source, len(ranks))  # a source listed twice keeps its first rank
    rank = df["source_type"].map(ranks).fillna(len(ranks)).astype(int)
    ordered = df.assign(_rank=rank).sort_values([*keys, "_rank"], kind="stable")
    best = ordered.drop_duplicates(keys, keep="first").drop(columns="_rank")
    dropped = len(df) - len(best)
    if dropped:
        logger.info("Chiffres clés : %d ligne(s) d'autres sources écartées (une source par date et maille).",
                    dropped)
    return best.sort_values(["date", "granularite", "maille_code"], kind="stable")


# --- Vaccination (VAC-SI) ---------------------------------------------------------------------

_DOSE_KINDS = ("dose1", "complet", "rappel", "2_rappel", "rappel_biv", "3_rappel")
VACCINATION_MEASURES: dict[str, str] = {
    **{f"n_{kind}": "Int64" for kind in _DOSE_KINDS},
    **{f"n_cum_{kind}": "Int64" for kind in _DOSE_KINDS},
    **{f"couv_{kind}": "float64" for kind in _DOSE_KINDS},
}
# Columns every release has; later boosters are added as NA when a release lacks them.
_VACCINATION_REQUIRED = ("jour", "n_dose1", "n_complet", "n_cum_dose1", "n_cum_complet", "couv_dose1", "couv_complet")
# The first 2021 releases counted second doses (``dose2``) where later ones count a
# complete vaccination schedule (``complet``).
_VACCINATION_ALIASES: dict[str, tuple[str, ...]] = {
    "n_complet": ("n_dose2",), "n_cum_complet": ("n_cum_dose2",), "couv_complet": ("couv_dose2",),
}


def _parse_vaccination(path: Path, area: str) -> dict[str, pd.DataFrame]:
    name = path.name
    df = read_delimited(path, required=[area, *_VACCINATION_REQUIRED], aliases=_VACCINATION_ALIASES, name=name)
    for column in VACCINATION_MEASURES:
        if column not in df.columns:
            df[column] = pd.NA
    df = df[[area, "jour", *VACCINATION_MEASURES]].copy()
    if area == "reg":
        df["reg"] = region_codes(df["reg"], field="reg")
    else:
        df[area] = df[area].astype(CODE_DTYPE)
    df["jour"] = parse_days(df["jour"], name=name)
    to_integers(df, [c for c, dtype in VACCINATION_MEASURES.items() if dtype == "Int64"], name=name)
    to_floats(df, [c for c, dtype in VACCINATION_MEASURES.items() if dtype == "float64"], name=name)
    duplicated = df.duplicated([area, "jour"])
    if duplicated.any():
        raise DataCheckError(f"{name} : {int(duplicated.sum())} ligne(s) en double pour un même {area} et jour.")
    df = df.sort_values([area, "jour"], ignore_index=True)
    df.attrs["units"] = {f"couv_{kind}": "% de la population" for kind in _DOSE_KINDS}
    return {"vaccination": df}


def _vaccination(dataset: str, area: str) -> pd.DataFrame:
    fetched = fetch(dataset)
    return cached_tables(f"covid-vaccination-{area}", _PARSER_VERSION, [fetched.record],
                         lambda: _parse_vaccination(fetched.path, area))["vaccination"]


def vaccination_france() -> pd.DataFrame:
    """Load the SpF count of vaccinated people in France, by day (VAC-SI, ``vacsi-fra``).

    Returns
    -------
    DataFrame
        One row per day. Columns: ``fra`` (string, ``"FR"``); ``jour`` (datetime64[ns]);
        for each kind ``dose1`` (first dose), ``complet`` (complete schedule),
        ``rappel``, ``2_rappel``, ``rappel_biv`` (bivalent booster), ``3_rappel``:
        ``n_<kind>`` (Int64, people that day), ``n_cum_<kind>`` (Int64, cumulative)
        and ``couv_<kind>`` (float64, % of the population).

    Raises
    ------
    SchemaError
        When a required column is missing under its name and former names
        (``n_dose2`` for ``n_complet``…).

    Examples
    --------
    >>> int(vaccination_france()["n_cum_dose1"].iloc[-1])
    54672496
    """
    return _vaccination(VACCINATION_FRANCE_DATASET, "fra")


def vaccination_regions() -> pd.DataFrame:
    """Load the SpF count of vaccinated people by région and day (VAC-SI, ``vacsi-reg``).

    Returns
    -------
    DataFrame
        Same columns as ``vaccination_france()``, with ``reg`` (string, 2016 région
        code such as ``"01"`` or ``"84"``) in place of ``fra``.

    Notes
    -----
    Régions ``07`` (Saint-Barthélemy) and ``08`` (Saint-Martin) are collectivités with
    no shape in the geography files. People whose région is unknown are in no row:
    on 2023-05-03 the régions add up to 52 727 296 first doses, 96.4 % of the
    national 54 672 496.

    Examples
    --------
    >>> df = vaccination_regions()
    >>> last = df[df.jour == df.jour.max()]
    >>> last["reg"].nunique(), int(last["n_cum_dose1"].sum())
    (20, 52727296)
    """
    return _vaccination(VACCINATION_REGIONS_DATASET, "reg")
