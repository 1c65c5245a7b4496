"""Descriptive figures of the deputies returned by ``amo.deputes``: groups, women, ages, professions.

Each function takes the DataFrame of ``deputes(...)`` (one row per deputy on one day),
returns a small tidy table, and logs its French method paragraph for the article's
« Sources et méthode » block (``provenance.log_method``) and in ``df.attrs["method"]``.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from bureau_data.errors import DataCheckError
from bureau_data.provenance import log_method

_GROUP_KEYS = ["groupe_uid", "groupe_sigle", "groupe_nom", "groupe_couleur"]

_METHOD_COMPOSITION = (
    "Composition par groupe",
    "Chaque député en fonction à la date indiquée est compté dans le groupe politique dont il "
    "est membre, apparenté ou président ce jour-là, d'après ses mandats de groupe (GP) dans "
    "l'export AMO de l'Assemblée nationale. Les non-inscrits forment une catégorie à part.",
)
_METHOD_FEMMES = (
    "Part des femmes",
    "Les fichiers de l'Assemblée n'ont pas de champ « sexe » : une députée est une personne "
    "dont la civilité est « Mme ». La part est calculée parmi les députés en fonction à la "
    "date indiquée, suppléants entrés en fonction compris.",
)
_METHOD_AGES = (
    "Âge des députés",
    "L'âge est l'âge révolu à la date décrite (celle de l'export, ou le dernier jour de la "
    "législature), calculé à partir de la date de naissance publiée par l'Assemblée.",
)
_METHOD_CSP = (
    "Catégories socioprofessionnelles",
    "La catégorie est celle que l'Assemblée associe à la profession déclarée par chaque "
    "député (nomenclature de l'Insee : famille et catégorie socioprofessionnelles). Les "
    "députés sans catégorie renseignée sont comptés à part.",
)


def _log(key: str, method: tuple[str, str], df: pd.DataFrame) -> pd.DataFrame:
    title, text = method
    log_method(key, title, text)
    df.attrs["method"] = text
    return df


def _require_columns(deputes: pd.DataFrame, columns: list[str], function: str) -> None:
    missing = [column for column in columns if column not in deputes.columns]
    if missing:
        raise DataCheckError(
            f"{function} : colonne(s) absente(s) {', '.join(missing)}. Passez le tableau renvoyé "
            "par bureau_data.assemblee.amo.deputes()."
        )


def reference_day(deputes: pd.DataFrame) -> pd.Timestamp:
    """Return the day a ``deputes`` table describes (``df.attrs["date"]``).

    Parameters
    ----------
    deputes
        Table returned by ``amo.deputes``.

    Returns
    -------
    pandas.Timestamp
        The day described.

    Raises
    ------
    DataCheckError
        When ``df.attrs`` has no ``date``, as for a table built by hand.

    Examples
    --------
    >>> from bureau_data.assemblee.amo import deputes
    >>> reference_day(deputes(16))
    Timestamp('2024-06-09 00:00:00')
    >>> reference_day(pd.DataFrame())
    Traceback (most recent call last):
        ...
    bureau_data.errors.DataCheckError: Le tableau des députés n'indique pas sa date ...
    """
    day = deputes.attrs.get("date")
    if day is None:
        raise DataCheckError(
            "Le tableau des députés n'indique pas sa date (df.attrs['date']). Passez le tableau "
            "renvoyé par amo.deputes() ou donnez la date explicitement."
        )
    return pd.Timestamp(day)


def composition_par_groupe(deputes: pd.DataFrame) -> pd.DataFrame:
    """Count the seats of each political group.

    Returns
    -------
    pandas.DataFrame
        One row per group, most seats first: ``groupe_uid``, ``groupe_sigle``,
        ``groupe_nom``, ``groupe_couleur``, ``sieges`` (int) and ``part`` (percent of the
        deputies in the table). Deputies without a group that day are one row with
        ``groupe_sigle`` « sans groupe ».

    Examples
    --------
    >>> df = pd.DataFrame({"groupe_uid": ["PO1", "PO1", "PO2"], "groupe_sigle": ["A", "A", "B"],
    ...                    "groupe_nom": ["Alpha", "Alpha", "Bêta"], "groupe_couleur": ["#000", "#000", None]})
    >>> composition_par_groupe(df)[["groupe_sigle", "sieges"]].values.tolist()
    [['A', 2], ['B', 1]]
    """
    _require_columns(deputes, _GROUP_KEYS, "composition_par_groupe")
    keys = deputes[_GROUP_KEYS].astype(object).fillna({"groupe_sigle": "sans groupe", "groupe_uid": ""})
    table = keys.value_counts(dropna=False).rename("sieges").reset_index()
    table["sieges"] = table["sieges"].astype(int)
    table["part"] = 100 * table["sieges"] / max(len(deputes), 1)
    table = table.sort_values(["sieges", "groupe_sigle"], ascending=[False, True], ignore_index=True)
    table["groupe_uid"] = table["groupe_uid"].mask(table["groupe_uid"] == "")
    return _log("assemblee.composition", _METHOD_COMPOSITION, table)


def part_femmes(deputes: pd.DataFrame) -> float:
    """Return the share of women among the deputies, in percent (NaN for an empty table).

    Parameters
    ----------
    deputes
        Table returned by ``amo.deputes``, or any table with a ``sexe`` column of ``F`` and
        ``H``.

    Returns
    -------
    float
        Percent of rows with ``sexe == "F"``.

    Raises
    ------
    DataCheckError
        When the ``sexe`` column is missing.

    Examples
    --------
    >>> part_femmes(pd.DataFrame({"sexe": ["F", "H", "H", "H"]}))
    25.0
    >>> from bureau_data.assemblee.amo import deputes
    >>> round(part_femmes(deputes(17)), 1)
    36.2
    """
    _require_columns(deputes, ["sexe"], "part_femmes")
    log_method("assemblee.femmes", *_METHOD_FEMMES)
    if len(deputes) == 0:
        return float("nan")
    return float(100 * (deputes["sexe"] == "F").sum() / len(deputes))


def part_femmes_par_groupe(deputes: pd.DataFrame) -> pd.DataFrame:
    """Count women and men in each political group.

    Returns
    -------
    pandas.DataFrame
        One row per group, highest share of women first: ``groupe_uid``,
        ``groupe_sigle``, ``groupe_nom``, ``groupe_couleur``, ``deputes``, ``femmes``,
        ``hommes`` (int) and ``part_femmes`` (percent).

    Parameters
    ----------
    deputes
        Table returned by ``amo.deputes``.

    Raises
    ------
    DataCheckError
        When a group column or ``sexe`` is missing.

    Examples
    --------
    >>> df = pd.DataFrame({"groupe_uid": ["PO1", "PO1", "PO2"], "groupe_sigle": ["A", "A", "B"],
    ...                    "groupe_nom": ["Alpha", "Alpha", "Bêta"], "groupe_couleur": [None] * 3,
    ...                    "sexe": ["F", "H", "H"]})
    >>> table = part_femmes_par_groupe(df)
    >>> table[["groupe_sigle", "femmes", "hommes", "part_femmes"]].values.tolist()
    [['A', 1, 1, 50.0], ['B', 0, 1, 0.0]]
    """
    _require_columns(deputes, [*_GROUP_KEYS, "sexe"], "part_femmes_par_groupe")
    frame = deputes[[*_GROUP_KEYS, "sexe"]].astype(object).fillna({"groupe_sigle": "sans groupe", "groupe_uid": ""})
    frame["femme"] = (frame["sexe"] == "F").astype(int)
    frame["homme"] = (frame["sexe"] == "H").astype(int)
    table = (
        frame.groupby(_GROUP_KEYS, dropna=False)
        .agg(deputes=("sexe", "size"), femmes=("femme", "sum"), hommes=("homme", "sum"))
        .reset_index()
    )
    table["part_femmes"] = 100 * table["femmes"] / table["deputes"]
    table = table.sort_values(["part_femmes", "deputes"], ascending=[False, False], ignore_index=True)
    table["groupe_uid"] = table["groupe_uid"].mask(table["groupe_uid"] == "")
    return _log("assemblee.femmes", _METHOD_FEMMES, table)


def ages(deputes: pd.DataFrame, date: str | pd.Timestamp | None = None) -> pd.Series:
    """Return each deputy's age in completed years on ``date`` (default: the table's date).

    Examples
    --------
    >>> df = pd.DataFrame({"date_naissance": pd.to_datetime(["1980-06-02", "1980-06-03"])})
    >>> ages(df, "2020-06-02").tolist()
    [40, 39]
    """
    _require_columns(deputes, ["date_naissance"], "ages")
    day = reference_day(deputes) if date is None else pd.Timestamp(date)
    born = pd.to_datetime(deputes["date_naissance"])
    not_yet = (born.dt.month > day.month) | ((born.dt.month == day.month) & (born.dt.day > day.day))
    years = day.year - born.dt.year - not_yet.astype(int)
    log_method("assemblee.ages", *_METHOD_AGES)
    return years.astype("Int64").rename("age")


def pyramide_des_ages(deputes: pd.DataFrame, *, width: int = 5,
                      date: str | pd.Timestamp | None = None) -> pd.DataFrame:
    """Count the deputies by age bracket and sex.

    Parameters
    ----------
    deputes
        Table returned by ``amo.deputes``.
    width
        Width of each age bracket, in years.
    date
        Day of the ages; None takes the table's date.

    Returns
    -------
    pandas.DataFrame
        Indexed by ``tranche`` (ordered categorical « 25-29 », « 30-34 »…, youngest
        first, empty brackets between the youngest and oldest included), with the int
        columns ``femmes``, ``hommes`` and ``total``.

    Raises
    ------
    DataCheckError
        When ``width`` is below 1, a column is missing, or ``date`` is None and the table
        has no ``attrs["date"]``.

    Examples
    --------
    >>> df = pd.DataFrame({"sexe": ["F", "H", "H"],
    ...                    "date_naissance": pd.to_datetime(["1990-01-01", "1991-05-01",
    ...                                                      "1970-03-01"])})
    >>> pyramide_des_ages(df, width=10, date="2024-06-01")
             femmes  hommes  total
    tranche
    30-39         1       1      2
    40-49         0       0      0
    50-59         0       1      1
    """
    if width < 1:
        raise DataCheckError(f"pyramide_des_ages : width doit être un entier positif, reçu {width!r}.")
    _require_columns(deputes, ["sexe"], "pyramide_des_ages")
    years = ages(deputes, date)
    known = years.notna()
    if not known.any():
        empty = pd.DataFrame({"femmes": [], "hommes": [], "total": []}, dtype=int)
        empty.index = pd.CategoricalIndex([], categories=[], ordered=True, name="tranche")
        return _log("assemblee.ages", _METHOD_AGES, empty)
    low = int(years[known].min()) // width * width
    high = int(years[known].max()) // width * width
    starts = np.arange(low, high + width, width)
    labels = [f"{start}-{start + width - 1}" for start in starts]
    bracket = pd.Categorical(
        [labels[(int(age) - low) // width] if pd.notna(age) else None for age in years],
        categories=labels, ordered=True,
    )
    frame = pd.DataFrame({"tranche": bracket, "sexe": deputes["sexe"].astype(object).to_numpy()})
    table = pd.crosstab(frame["tranche"], frame["sexe"], dropna=False).reindex(labels, fill_value=0)
    table = table.reindex(columns=["F", "H"], fill_value=0).rename(columns={"F": "femmes", "H": "hommes"})
    table["total"] = table["femmes"] + table["hommes"]
    table.index = pd.CategoricalIndex(table.index, categories=labels, ordered=True, name="tranche")
    table.columns.name = None
    return _log("assemblee.ages", _METHOD_AGES, table.astype(int))


def categories_socio_pro(deputes: pd.DataFrame, *, column: str = "famille_socio_pro",
                         top: int | None = None) -> pd.DataFrame:
    """Count the deputies by socio-professional family or category.

    Parameters
    ----------
    deputes
        Table returned by ``amo.deputes``.
    column
        ``"famille_socio_pro"`` (a dozen INSEE families) or ``"categorie_socio_pro"``
        (finer categories).
    top
        Keep the ``top`` most frequent values and add the others up in « Autres ». None
        keeps them all.

    Returns
    -------
    pandas.DataFrame
        ``categorie``, ``deputes`` (int) and ``part`` (percent), most frequent first,
        then « Autres » and « Non renseignée » when present.

    Raises
    ------
    DataCheckError
        When ``column`` is neither of the two names or is missing from the table.

    Examples
    --------
    >>> df = pd.DataFrame({"famille_socio_pro": ["Cadres", "Cadres", "Employés", "Artisans", None]})
    >>> categories_socio_pro(df, top=1)
            categorie  deputes  part
    0          Cadres        2  40.0
    1          Autres        2  40.0
    2  Non renseignée        1  20.0
    """
    if column not in {"famille_socio_pro", "categorie_socio_pro"}:
        raise DataCheckError(
            f"categories_socio_pro : colonne {column!r} inconnue. Valeurs possibles : "
            "famille_socio_pro, categorie_socio_pro."
        )
    _require_columns(deputes, [column], "categories_socio_pro")
    values = deputes[column].astype(object)
    missing = int(values.isna().sum())
    counts = values.dropna().value_counts()
    counts = counts.sort_index(kind="stable").sort_values(ascending=False, kind="stable")
    rows = list(counts.items())
    if top is not None and len(rows) > top:
        rows = [*rows[:top], ("Autres", int(sum(count for _, count in rows[top:])))]
    if missing:
        rows.append(("Non renseignée", missing))
    table = pd.DataFrame(rows, columns=["categorie", "deputes"])
    table["deputes"] = table["deputes"].astype(int)
    table["part"] = 100 * table["deputes"] / max(len(deputes), 1)
    return _log("assemblee.csp", _METHOD_CSP, table)


def resume_legislatures(tables: Mapping[int, pd.DataFrame]) -> pd.DataFrame:
    """Summarise several ``deputes`` tables, one row per legislature.

    Parameters
    ----------
    tables
        ``{legislature: deputes(legislature, ...)}``.

    Returns
    -------
    pandas.DataFrame
        ``legislature``, ``date`` (the day described), ``deputes``, ``femmes``,
        ``part_femmes`` (percent), ``age_median`` and ``age_moyen`` (years).

    Raises
    ------
    DataCheckError
        When a table lacks ``attrs["date"]``, ``sexe`` or ``date_naissance``.

    Examples
    --------
    >>> from bureau_data.assemblee.amo import deputes
    >>> summary = resume_legislatures({16: deputes(16), 17: deputes(17)})
    >>> summary.round({"part_femmes": 1, "age_moyen": 1})
       legislature       date  deputes  femmes  part_femmes  age_median  age_moyen
    0           16 2024-06-09      577     218         37.8        52.0       50.9
    1           17 2025-11-14      575     208         36.2        52.0       50.8
    """
    rows = []
    for legislature, deputes in tables.items():
        years = ages(deputes)
        rows.append({
            "legislature": int(legislature),
            "date": reference_day(deputes),
            "deputes": len(deputes),
            "femmes": int((deputes["sexe"] == "F").sum()),
            "part_femmes": part_femmes(deputes),
            "age_median": float(years.median()),
            "age_moyen": float(years.mean()),
        })
    table = pd.DataFrame(rows, columns=["legislature", "date", "deputes", "femmes", "part_femmes",
                                        "age_median", "age_moyen"])
    return _log("assemblee.femmes", _METHOD_FEMMES, table.sort_values("legislature", ignore_index=True))
