"""Labels and codes of missions, programmes, actions and sub-actions across the years.

The 2020-2023 files give codes only, and the 2014-2019 files give mission labels
without the two-letter LOLF mission code. Both are filled from the nomenclature files
and from the labelled years, taking each label from the nearest year that has it
(the later year on a tie), so a renamed mission keeps the wording of its time.
"""

from __future__ import annotations

import pandas as pd

from bureau_data.budget._read import normalise_code
from bureau_data.csvfr import read_csv_fr
from bureau_data.fetch import FetchedFile

NOMENCLATURE_COLUMNS = ("year", "mission_code", "mission", "programme_code", "programme",
                        "action_code", "action", "sous_action_code", "sous_action")


def _strings(df: pd.DataFrame, column: str) -> pd.Series:
    return df[column].astype("string").str.strip()


def read_lolf(file: FetchedFile) -> pd.DataFrame:
    """Read a ``nomenclature_lolf_YYYY.csv`` file (codes down to the sub-action).

    Parameters
    ----------
    file
        The fetched nomenclature file.

    Returns
    -------
    pandas.DataFrame
        The columns of ``NOMENCLATURE_COLUMNS``, one row per sub-action (or per action
        without sub-action), codes normalised (actions and sub-actions on two digits).

    Raises
    ------
    SchemaError
        When the file lacks ``ANNEE`` or ``COD_MSN``.

    Examples
    --------
    >>> from bureau_data.budget import sources
    >>> from bureau_data.fetch import fetch
    >>> lolf = read_lolf(fetch(sources.LOLF_NOMENCLATURES[2018]))
    >>> lolf.loc[lolf["programme_code"] == "178", ["mission_code", "mission"]].iloc[0].tolist()
    ['DA', 'Défense']
    """
    df = read_csv_fr(file.path, numbers=None, total_pattern=None, required=["ANNEE", "COD_MSN"])
    return pd.DataFrame({
        "year": pd.to_numeric(df["ANNEE"]).astype("int16"),
        "mission_code": _strings(df, "COD_MSN"),
        "mission": _strings(df, "Mission"),
        "programme_code": normalise_code(df["COD_PGM"]),
        "programme": _strings(df, "Programme"),
        "action_code": normalise_code(df["code action"], 2),
        "action": _strings(df, "action"),
        "sous_action_code": normalise_code(df["code sous-action"], 2),
        "sous_action": _strings(df, "sous action"),
    })


def read_mpa(file: FetchedFile, year: int) -> pd.DataFrame:
    """Read a ``PLFyyyy-Nomenclature_MPA.csv`` file (missions, programmes, actions).

    Parameters
    ----------
    file
        The fetched nomenclature file.
    year
        PLF year of the file, from the catalogue (the file has no year column).

    Returns
    -------
    pandas.DataFrame
        ``year``, ``mission``, ``programme_code``, ``programme``, ``action_code`` and
        ``action``, plus ``mission_code`` when the file gives it.

    Raises
    ------
    SchemaError
        When the file lacks ``Mission``, ``Code Programme`` or ``Code Action``.

    Examples
    --------
    >>> from bureau_data.budget import sources
    >>> from bureau_data.fetch import fetch
    >>> mpa = read_mpa(fetch(sources.MPA_NOMENCLATURES[2019]), 2019)
    >>> mpa["programme_code"].nunique(), "mission_code" in mpa.columns
    (177, True)
    """
    df = read_csv_fr(file.path, numbers=None, total_pattern=None,
                     required=["Mission", "Code Programme", "Code Action"])
    out = pd.DataFrame({
        "year": year,
        "mission": _strings(df, "Mission"),
        "programme_code": normalise_code(df["Code Programme"]),
        "programme": _strings(df, "Programme"),
        "action_code": normalise_code(df["Code Action"], 2),
        "action": _strings(df, "Action"),
    })
    if "Code Mission" in df.columns:
        out["mission_code"] = _strings(df, "Code Mission")
    return out


def nearest(target: pd.DataFrame, source: pd.DataFrame, keys: list[str], value: str) -> pd.Series:
    """Return, for each row of ``target``, ``value`` from the nearest year of ``source``.

    Rows are matched on ``keys``; among the years of ``source`` that have a non-empty
    ``value`` for those keys, the closest to the row's ``year`` wins, the later on a tie.

    Parameters
    ----------
    target
        Rows to fill, with ``year`` and ``keys``.
    source
        Rows to take the values from, with ``year``, ``keys`` and ``value``.
    keys
        Columns both tables are matched on.
    value
        Column to take from ``source``.

    Returns
    -------
    pandas.Series
        ``string`` values with the index of ``target``, ``<NA>`` where no year of
        ``source`` has the keys.

    Examples
    --------
    >>> source = pd.DataFrame({"year": [2014, 2018], "programme_code": ["112", "112"],
    ...                        "programme": ["Impulsion", "Impulsion et coordination"]})
    >>> target = pd.DataFrame({"year": [2015, 2016, 2021], "programme_code": ["112", "112", "999"]})
    >>> nearest(target, source, ["programme_code"], "programme").tolist()
    ['Impulsion', 'Impulsion et coordination', <NA>]
    """
    pool = source.loc[source[value].notna() & source[keys].notna().all(axis=1),
                      ["year", *keys, value]].drop_duplicates(["year", *keys])
    wanted = target[["year", *keys]].drop_duplicates().dropna()
    if wanted.empty or pool.empty:
        return pd.Series(pd.NA, index=target.index, dtype="string")
    pool = pool.rename(columns={"year": "source_year"})
    merged = wanted.merge(pool, on=keys, how="inner")
    merged["distance"] = (merged["year"].astype(int) - merged["source_year"].astype(int)).abs()
    merged = merged.sort_values(["distance", "source_year"], ascending=[True, False])
    best = merged.drop_duplicates(["year", *keys])[["year", *keys, value]]
    result = target[["year", *keys]].merge(best, on=["year", *keys], how="left")[value]
    return pd.Series(result.to_numpy(), index=target.index, dtype="string")


def fill_labels(lines: pd.DataFrame, reference: pd.DataFrame) -> pd.DataFrame:
    """Fill missing mission codes and labels of ``lines`` from ``reference``.

    ``reference`` has the columns of ``NOMENCLATURE_COLUMNS`` (the nomenclatures and the
    labelled budget lines). A value the file gives is never replaced. Lines are matched
    on their ``edition``, not their ``year``: a PLF file restates the previous year's
    LFI in its own structure (in the PLF 2014 file, programme 161 of 2013 already
    belongs to « Sécurités », not to « Sécurité civile »).

    Parameters
    ----------
    lines
        Budget lines with ``year``, ``edition`` and the columns of ``NOMENCLATURE_COLUMNS``.
    reference
        Labelled rows with the columns of ``NOMENCLATURE_COLUMNS``.

    Returns
    -------
    pandas.DataFrame
        A copy of ``lines`` with the missing codes and labels filled where the
        reference has them.

    Examples
    --------
    >>> lines = pd.DataFrame({"year": [2021], "edition": [2021], "mission_code": [pd.NA],
    ...                       "mission": [pd.NA], "programme_code": ["178"], "programme": [pd.NA],
    ...                       "action_code": ["01"], "action": [pd.NA],
    ...                       "sous_action_code": [pd.NA], "sous_action": [pd.NA]})
    >>> reference = pd.DataFrame({"year": [2019], "mission_code": ["DA"], "mission": ["Défense"],
    ...                           "programme_code": ["178"],
    ...                           "programme": ["Préparation des forces"],
    ...                           "action_code": ["01"], "action": ["Planification"],
    ...                           "sous_action_code": [pd.NA], "sous_action": [pd.NA]})
    >>> fill_labels(lines, reference)[["mission_code", "mission", "programme"]].iloc[0].tolist()
    ['DA', 'Défense', 'Préparation des forces']
    """
    out = lines.copy()
    year = out["year"]
    out["year"] = out["edition"].astype("int16")
    reference = reference.copy()
    reference["year"] = reference["year"].astype("int16")

    steps = [
        ("mission_code", ["programme_code"]),
        ("mission", ["mission_code"]),
        ("programme", ["programme_code"]),
        ("action", ["programme_code", "action_code"]),
        ("sous_action", ["programme_code", "action_code", "sous_action_code"]),
    ]
    for value, keys in steps:
        missing = out[value].isna() & out[keys].notna().all(axis=1)
        if missing.any():
            filled = nearest(out.loc[missing], reference, keys, value)
            out.loc[missing, value] = filled
    out["year"] = year
    return out
