"""Build every budget line of the PLF, other-budget and execution files as one table.

This is the parse behind ``budget_general``, ``autres_budgets`` and ``execution_2017``:
it reads each file, recognises its layout, removes the action-total rows, replaces the
truncated PLF 2017 destination file by the nature file, fills codes and labels from
the nomenclatures, attaches the stable mission identifier and checks the totals.
"""

from __future__ import annotations

import logging
import warnings
from collections.abc import Iterable
from typing import Any

import pandas as pd

from bureau_data.budget import sources
from bureau_data.budget._read import read_budget_file
from bureau_data.budget.layouts import BudgetRepairWarning, build_lines
from bureau_data.budget.missions import attach_mission_ids
from bureau_data.budget.nomenclature import NOMENCLATURE_COLUMNS, fill_labels, read_lolf, read_mpa
from bureau_data.budget.schema import LINE_COLUMNS, conform
from bureau_data.errors import DataCheckError
from bureau_data.fetch import FetchedFile

logger = logging.getLogger(__name__)


def _read(file: FetchedFile, edition: int) -> pd.DataFrame:
    suffix = file.record.dataset.rsplit(".", 1)[-1]
    hint = {"bg": "BG", "ba": "BA", "cs": "CS", "cf": "CCF", "cas": "CAS", "ccf": "CCF"}.get(suffix)
    return build_lines(read_budget_file(file.path), edition, hint)


def choose_2017(destination: pd.DataFrame, nature: pd.DataFrame, name: str) -> pd.DataFrame:
    """Return the PLF 2017 lines: the destination file unless it lacks missions.

    The published ``PLF2017-BG-Msn-Dest.csv`` stops after 6 of the 32 missions. When the
    destination file's missions are a strict subset of the nature file's, the nature
    file (by action and spending category, without sub-actions) is used instead.

    Parameters
    ----------
    destination
        Lines of the PLF 2017 destination file.
    nature
        Lines of the PLF 2017 nature file.
    name
        Name of the destination file, for the warning.

    Returns
    -------
    pandas.DataFrame
        ``destination`` or ``nature``, unchanged. Choosing ``nature`` emits a
        ``BudgetRepairWarning``.

    Examples
    --------
    >>> destination = pd.DataFrame({"mission": ["Défense", "Justice"]})
    >>> nature = pd.DataFrame({"mission": ["Défense", "Justice"]})
    >>> choose_2017(destination, nature, "PLF2017-BG-Msn-Dest.csv") is destination
    True
    """
    found = set(destination["mission"].dropna())
    complete = set(nature["mission"].dropna())
    if found < complete:
        warnings.warn(
            f"{name} est tronqué ({len(found)} missions sur {len(complete)}) : le fichier selon la "
            "nature, complet, est utilisé pour 2017 (sans le détail des sous-actions).",
            BudgetRepairWarning, stacklevel=2,
        )
        return nature
    return destination


def _ministries_2014(file: FetchedFile, lines: pd.DataFrame) -> pd.DataFrame:
    """Give the 2014 lines the ministry of their programme, from the ministry file."""
    ministries = _read(file, 2014)
    by_programme = ministries.drop_duplicates("programme_code").set_index("programme_code")
    mask = lines["edition"] == 2014
    codes = lines.loc[mask, "programme_code"]
    lines.loc[mask, "ministry_code"] = codes.map(by_programme["ministry_code"]).to_numpy()
    lines.loc[mask, "ministry"] = codes.map(by_programme["ministry"]).to_numpy()
    return lines


def check_lines(lines: pd.DataFrame) -> dict[str, object]:
    """Check the invariants of the budget lines and return the totals by year.

    Checks: every amount is a finite number (AE may be missing in execution); every
    line has a mission code and a programme; a programme belongs to one mission in a
    given year, phase and budget, so the sum of a mission's programmes equals the
    mission total; each budget général total by year and phase is positive.

    Parameters
    ----------
    lines
        Budget lines with the columns of ``LINE_COLUMNS``.

    Returns
    -------
    dict
        ``{"totals": [...]}``: one dict per budget type, phase and year with ``ae`` (None
        when no line has AE) and ``cp``, in euros.

    Raises
    ------
    DataCheckError
        Naming the first broken invariant.

    Examples
    --------
    >>> from bureau_data.budget.plf import budget_lines
    >>> totals = check_lines(budget_lines())["totals"]
    >>> {key: totals[0][key] for key in ("budget_type", "phase", "year", "cp")}
    {'budget_type': 'BG', 'phase': 'PLF', 'year': 2014, 'cp': 407409515462.0}
    >>> broken = pd.DataFrame({"cp": [float("nan")], "source": ["PLF2019.csv"],
    ...                        "programme_code": ["178"]})
    >>> check_lines(broken)
    Traceback (most recent call last):
        ...
    bureau_data.errors.DataCheckError: CP manquant dans PLF2019.csv (programme 178).
    """
    amounts = lines["cp"]
    if amounts.isna().any():
        row = lines[amounts.isna()].iloc[0]
        raise DataCheckError(f"CP manquant dans {row['source']} (programme {row['programme_code']}).")
    planned = lines["phase"] != "exécution"
    if lines.loc[planned, "ae"].isna().any():
        row = lines[planned & lines["ae"].isna()].iloc[0]
        raise DataCheckError(f"AE manquant dans {row['source']} (programme {row['programme_code']}).")
    for column in ("mission_code", "programme_code"):
        missing = lines[column].isna()
        if missing.any():
            row = lines[missing].iloc[0]
            raise DataCheckError(
                f"{int(missing.sum())} lignes sans {column} (première : {row['source']}, "
                f"programme {row['programme_code']}, mission {row['mission']!r}). Complétez la "
                "nomenclature ou la table data/budget_missions.csv."
            )

    group = ["budget_type", "phase", "year", "edition"]
    per_programme = lines.groupby([*group, "programme_code"], observed=True)["mission_code"].nunique()
    split = per_programme[per_programme > 1]
    if len(split):
        budget, phase, year, edition, programme = split.index[0]
        raise DataCheckError(
            f"Le programme {programme} est rattaché à plusieurs missions ({phase} {year}, {budget}, "
            f"fichier {edition}) : la somme des programmes ne vaudrait pas le total des missions."
        )
    missions = lines.groupby([*group, "mission_code"], observed=True)[["ae", "cp"]].sum()
    programmes = lines.groupby([*group, "mission_code", "programme_code"], observed=True)[["ae", "cp"]].sum()
    rebuilt = programmes.groupby(level=[*group, "mission_code"], observed=True).sum()
    gap = (missions - rebuilt.reindex(missions.index)).abs().max(axis=1)
    if (gap > 1.0).any():
        raise DataCheckError(f"Somme des programmes différente du total de mission : {gap[gap > 1.0].index[0]}.")

    totals = (lines.groupby(["budget_type", "phase", "year"], observed=True)[["ae", "cp"]]
              .sum(min_count=1).reset_index())
    general = totals[totals["budget_type"] == "BG"]
    if (general["cp"] <= 0).any():
        raise DataCheckError(f"Total de CP nul ou négatif pour le budget général : {general.to_dict('records')}.")
    # pandas-stubs 3.1 type an itertuples field as any scalar, which int() rejects.
    rows: Iterable[Any] = totals.itertuples()
    return {
        "totals": [
            {"budget_type": str(r.budget_type), "phase": str(r.phase), "year": int(r.year),
             "ae": None if pd.isna(r.ae) else float(r.ae), "cp": float(r.cp)}
            for r in rows
        ]
    }


def build_all(files: dict[str, FetchedFile], *, other_budgets: bool = True,
              execution: Iterable[str] = tuple(sources.EXECUTION_FILES)) -> dict[str, pd.DataFrame]:
    """Parse every budget file of ``files`` (keyed by dataset id) into one table of lines.

    Parameters
    ----------
    files
        Every dataset of ``sources`` (PLF, other budgets, execution, nomenclatures), as
        ``fetch`` returns them; the files that the two options leave out may be absent.
    other_budgets
        Read the 2015-2019 files of the budgets annexes and comptes spéciaux. Without
        them, the table still has the other budgets of the 2020-2025 PLF files, which
        hold every budget in one table.
    execution
        Budget types (keys of ``sources.EXECUTION_FILES``) whose 2017 execution file is
        read; empty for none.

    Returns
    -------
    dict of str to pandas.DataFrame
        ``{"lines": ...}``, the table ``budget_lines`` returns, with ``attrs["totals"]``.

    Raises
    ------
    KeyError
        When ``files`` lacks a dataset.
    SchemaError, DataCheckError
        When a file has an unknown shape or the totals do not add up.

    Examples
    --------
    >>> import warnings
    >>> from bureau_data.budget.plf import _dataset_ids
    >>> from bureau_data.fetch import fetch
    >>> files = {dataset: fetch(dataset) for dataset in _dataset_ids()}
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     lines = build_all(files)["lines"]
    >>> len(lines), int(lines["mission_id"].isna().sum()), len(caught)
    (28487, 0, 4)
    """
    parts = []
    for year, dataset in sources.PLF_FILES.items():
        frame = _read(files[dataset], year)
        if year in sources.PLF_NATURE_FILES:
            nature = _read(files[sources.PLF_NATURE_FILES[year]], year)
            frame = choose_2017(frame, nature, files[dataset].path.name)
        parts.append(frame)
    if other_budgets:
        for year, datasets in sources.OTHER_BUDGET_FILES.items():
            parts.extend(_read(files[dataset], year) for dataset in datasets)
    for budget_type in execution:
        parts.append(_read(files[sources.EXECUTION_FILES[budget_type]], 2017))
    lines = pd.concat(parts, ignore_index=True)
    lines = _ministries_2014(files[sources.MINISTRY_FILE_2014], lines)

    reference = [read_lolf(files[d]) for d in sources.LOLF_NOMENCLATURES.values()]
    reference += [read_mpa(files[d], year) for year, d in sources.MPA_NOMENCLATURES.items()]
    labelled = lines[list(NOMENCLATURE_COLUMNS)]
    reference_table = pd.concat([*reference, labelled], ignore_index=True)
    lines = fill_labels(conform(lines, LINE_COLUMNS), reference_table)
    lines = attach_mission_ids(lines)
    lines = conform(lines, LINE_COLUMNS)
    lines.attrs.update(check_lines(lines))
    return {"lines": lines}
