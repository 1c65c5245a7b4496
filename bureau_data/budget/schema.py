"""Columns and dtypes of the budget tables, declared once beside the loaders."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd

PHASES = ("PLF", "LFI", "exécution")
PHASE_DTYPE = pd.CategoricalDtype(list(PHASES), ordered=True)

# Budget types: BG budget général, BA budgets annexes, CAS comptes d'affectation
# spéciale, CCF comptes de concours financiers, CS comptes spéciaux when a file mixes
# CAS and CCF (2015 and 2016).
BUDGET_TYPES = ("BG", "BA", "CAS", "CCF", "CS")
BUDGET_TYPE_DTYPE = pd.CategoricalDtype(list(BUDGET_TYPES), ordered=True)

BUDGET_LABELS = {
    "budget général": "BG",
    "budgets annexes": "BA",
    "budget annexe": "BA",
    "comptes d'affectation spéciale": "CAS",
    "comptes de concours financiers": "CCF",
    "comptes spéciaux et comptes de concours financiers": "CS",
    "comptes spéciaux": "CS",
    "bg": "BG", "ba": "BA", "cas": "CAS", "ccf": "CCF", "cs": "CS",
}

# One row per budget line (year, phase, edition, programme, action, sub-action, nature).
LINE_COLUMNS: dict[str, str | pd.CategoricalDtype] = {
    "year": "int16",
    "phase": PHASE_DTYPE,
    "edition": "int16",
    "budget_type": BUDGET_TYPE_DTYPE,
    "ministry_code": "string",
    "ministry": "string",
    "mission_id": "string",
    "mission_code": "string",
    "mission": "string",
    "programme_code": "string",
    "programme": "string",
    "action_code": "string",
    "action": "string",
    "sous_action_code": "string",
    "sous_action": "string",
    "categorie_code": "string",
    "categorie": "string",
    "titre_code": "string",
    "ae": "float64",
    "cp": "float64",
    "source": "string",
}

RECETTES_COLUMNS: dict[str, str | pd.CategoricalDtype] = {
    "edition": "int16",
    "year": "int16",
    "estimate": "string",
    "line_code": "string",
    "label": "string",
    "level": "int8",
    "amount": "float64",
    "source": "string",
}


def conform(df: pd.DataFrame, columns: Mapping[str, str | pd.CategoricalDtype]) -> pd.DataFrame:
    """Return ``df`` with exactly ``columns``, in order and with their dtypes.

    Missing columns are added empty, so an empty result still has the declared schema.

    Parameters
    ----------
    df
        The table to reshape. Columns not in ``columns`` are dropped.
    columns
        Column names and dtypes, such as ``LINE_COLUMNS``.

    Returns
    -------
    pandas.DataFrame
        A new table with a fresh ``RangeIndex``.

    Examples
    --------
    >>> df = pd.DataFrame({"cp": ["1.5"], "phase": ["PLF"], "note": ["x"]})
    >>> out = conform(df, {"phase": PHASE_DTYPE, "cp": "float64", "source": "string"})
    >>> out.dtypes.astype(str).to_dict(), out["source"].tolist()
    ({'phase': 'category', 'cp': 'float64', 'source': 'string'}, [<NA>])
    """
    out = pd.DataFrame(index=df.index)
    for name, declared in columns.items():
        # pandas-stubs 3.1 type astype's argument as literal dtype names, not any str.
        dtype: Any = declared
        if name in df.columns:
            out[name] = df[name].astype(dtype)
        else:
            out[name] = pd.Series(pd.NA if dtype == "string" else None, index=df.index).astype(dtype)
    return out.reset_index(drop=True)


def empty(columns: dict[str, str | pd.CategoricalDtype]) -> pd.DataFrame:
    """Return an empty table with the declared columns and dtypes.

    Parameters
    ----------
    columns
        Column names and dtypes, such as ``LINE_COLUMNS``.

    Returns
    -------
    pandas.DataFrame
        A table with no row.

    Examples
    --------
    >>> table = empty(RECETTES_COLUMNS)
    >>> len(table), list(table.columns[:3]), str(table["level"].dtype)
    (0, ['edition', 'year', 'estimate'], 'int8')
    """
    return conform(pd.DataFrame(), columns)
