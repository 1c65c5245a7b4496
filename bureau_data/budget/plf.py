"""Loaders of the State budget lines: budget général by PLF year, and the whole table."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

import pandas as pd

from bureau_data import cache
from bureau_data.budget import sources
from bureau_data.budget.lines import build_all
from bureau_data.budget.missions import crosswalk_path
from bureau_data.budget.schema import LINE_COLUMNS, PHASES, conform
from bureau_data.errors import ConfigurationError
from bureau_data.fetch import FetchedFile, fetch

# Bump when the parse changes, so cached tables are rebuilt.
PARSER_VERSION = "1"

PLF_YEARS = tuple(sources.PLF_FILES)


def _dataset_ids(*, other_budgets: bool = True,
                 execution: Iterable[str] = tuple(sources.EXECUTION_FILES)) -> list[str]:
    """List the datasets that ``lines.build_all`` reads with the same options."""
    ids = [*sources.PLF_FILES.values(), *sources.PLF_NATURE_FILES.values(), sources.MINISTRY_FILE_2014]
    if other_budgets:
        ids += [d for group in sources.OTHER_BUDGET_FILES.values() for d in group]
    ids += [sources.EXECUTION_FILES[budget_type] for budget_type in execution]
    ids += [*sources.LOLF_NOMENCLATURES.values(), *sources.MPA_NOMENCLATURES.values()]
    return ids


def _load_lines(name: str, *, other_budgets: bool, execution: tuple[str, ...]) -> pd.DataFrame:
    """Fetch the datasets of the options, then parse them or read the cached table."""
    files: dict[str, FetchedFile] = {
        dataset: fetch(dataset) for dataset in _dataset_ids(other_budgets=other_budgets, execution=execution)
    }
    crosswalk = hashlib.sha256(crosswalk_path().read_bytes()).hexdigest()
    tables = cache.cached_tables(name, PARSER_VERSION, [f.record for f in files.values()],
                                 lambda: build_all(files, other_budgets=other_budgets, execution=execution),
                                 extra=crosswalk)
    return conform_with_attrs(tables["lines"])


def budget_lines() -> pd.DataFrame:
    """Load every budget line of the PLF 2014-2025, other-budget and 2017 execution files.

    The first call parses about forty files (a few seconds) and stores the result in
    the parsed-table cache; later calls read the cache. Most users want ``budget_general``,
    ``autres_budgets`` or ``execution_2017``, which filter this table.

    Returns
    -------
    pandas.DataFrame
        The columns of ``budget_general``; ``df.attrs["totals"]`` lists the AE and CP
        totals by budget type, phase and year.

    Raises
    ------
    SchemaError
        When a file has an unknown layout (the message names it and its columns).
    DataCheckError
        When totals do not add up (see ``lines.check_lines``).

    Examples
    --------
    >>> df = budget_lines()
    >>> len(df), df["budget_type"].value_counts().to_dict()
    (28487, {'BG': 26632, 'CAS': 1096, 'CCF': 401, 'BA': 358, 'CS': 0})
    """
    return _load_lines("budget-lignes", other_budgets=True, execution=tuple(sources.EXECUTION_FILES))


def conform_with_attrs(df: pd.DataFrame) -> pd.DataFrame:
    """Return ``df`` with the columns and dtypes of ``LINE_COLUMNS``, keeping its ``attrs``.

    Parameters
    ----------
    df
        Budget lines. Columns missing from it are added empty, which fails for the
        ``int16`` columns ``year`` and ``edition`` of a non-empty table.

    Returns
    -------
    pandas.DataFrame
        A new table with a fresh index and the ``attrs`` of ``df``.

    Examples
    --------
    >>> lines = budget_lines()
    >>> out = conform_with_attrs(lines[["year", "edition", "phase", "cp"]])
    >>> list(out.columns) == list(LINE_COLUMNS), len(out.attrs["totals"])
    (True, 64)
    """
    out = conform(df, LINE_COLUMNS)
    out.attrs.update(df.attrs)
    return out


def _years(years: int | Iterable[int] | None, allowed: Iterable[int], what: str) -> list[int] | None:
    if years is None:
        return None
    wanted = [years] if isinstance(years, int) else list(years)
    allowed = list(allowed)
    unknown = [y for y in wanted if y not in allowed]
    if unknown:
        raise ConfigurationError(
            f"Années indisponibles pour {what} : {unknown}. Années disponibles : "
            f"{allowed[0]} à {allowed[-1]}." if allowed else f"Aucune année disponible pour {what}."
        )
    return wanted


def budget_general(years: int | Iterable[int] | None = None, *, phase: str = "PLF") -> pd.DataFrame:
    """Load the budget général by destination: one row per budget line of a year and phase.

    Parameters
    ----------
    years
        A year or several; None gives every year of the phase (PLF 2014-2025, LFI
        2013-2017, exécution 2017).
    phase
        ``"PLF"`` (the bill as tabled), ``"LFI"`` (the previous year's voted law, as
        restated in the next PLF file: 2013 to 2017) or ``"exécution"`` (CP spent,
        2017 only).

    Returns
    -------
    pandas.DataFrame
        ================ ========== ===================================================
        year             int16      year the credits are for
        phase            category   PLF < LFI < exécution (ordered)
        edition          int16      year of the file the line comes from
        budget_type      category   BG here (BA, CAS, CCF, CS in ``autres_budgets``)
        ministry_code    string     ministry code where the file gives it (2014 and
                                    2019-2025), two digits or ``MIN01``
        ministry         string     ministry label (2014, 2019, 2024, 2025, 2017
                                    execution), else <NA>
        mission_id       string     stable identifier of ``data/budget_missions.csv``
        mission_code     string     LOLF two-letter code (``DA``)
        mission          string     mission label as written that year
        programme_code   string     programme number (``178``)
        programme        string     programme label
        action_code      string     action number, two digits (``04``)
        action           string     action label
        sous_action_code string     sub-action number, two digits, or <NA>
        sous_action      string     sub-action label
        categorie_code   string     nature category (``21``), 2017 and 2020-2025
        categorie        string     category label (2017 nature file, execution)
        titre_code       string     titre (``2`` personnel…), 2014 and 2020-2025
        ae               float64    autorisations d'engagement in euros (<NA> in
                                    execution, which publishes CP only)
        cp               float64    crédits de paiement in euros
        source           string     name of the raw file
        ================ ========== ===================================================

    Raises
    ------
    ConfigurationError
        When ``phase`` or a year is not available.
    SchemaError
        When a file has an unknown layout (the message names it and its columns).
    DataCheckError
        When totals do not add up (see ``check_lines``).

    Notes
    -----
    Only the files of the budget général are fetched (and listed in an article's
    sources): the PLF files, the 2017 nature file, the 2014 ministry file and the
    nomenclatures, plus the budget général execution file for ``"exécution"``.
    The 2014-2016 files repeat each action that has sub-actions as an action-total row;
    these rows are removed. The PLF 2017 destination file is truncated at the source
    (6 missions of 32): the complete file by nature is read instead, so 2017 has
    categories but no sub-actions. Labels of the code-only years (2020-2023) come from
    the nomenclatures and the labelled years, from the nearest year. Amendment columns
    and the same-year LFI columns of the 2014 and 2016 files are left out because
    they repeat the PLF (the files predate the vote).

    Examples
    --------
    >>> df = budget_general(2025)
    >>> float(round(df["cp"].sum() / 1e9, 3))
    594.036
    """
    if phase not in PHASES:
        raise ConfigurationError(f"Phase inconnue : {phase!r}. Phases possibles : {', '.join(PHASES)}.")
    if phase == "exécution":
        lines = _load_lines("budget-general-execution", other_budgets=False, execution=("BG",))
    else:
        lines = _load_lines("budget-general", other_budgets=False, execution=())
    chosen = lines[(lines["budget_type"] == "BG") & (lines["phase"] == phase)]
    wanted = _years(years, sorted(chosen["year"].unique().tolist()), f"la phase {phase}")
    if wanted is not None:
        chosen = chosen[chosen["year"].isin(wanted)]
    out = conform(chosen, LINE_COLUMNS)
    out.attrs = {k: v for k, v in lines.attrs.items() if k != "totals"}
    return out


def plf(years: int | Iterable[int] | None = None) -> pd.DataFrame:
    """Load the budget général of the PLF 2014-2025; same as ``budget_general(years)``.

    Parameters
    ----------
    years
        A year or several from 2014 to 2025; None gives them all.

    Returns
    -------
    pandas.DataFrame
        The columns of ``budget_general``.

    Raises
    ------
    ConfigurationError
        When a year is not available.

    Examples
    --------
    >>> df = plf(2024)
    >>> float(round(df["cp"].sum() / 1e9, 3)), df["mission_id"].nunique()
    (581.088, 33)
    >>> plf(2013)
    Traceback (most recent call last):
        ...
    bureau_data.errors.ConfigurationError: Années indisponibles pour la phase PLF : [2013]. ...
    """
    return budget_general(years, phase="PLF")


def totals_by_year(df: pd.DataFrame, by: str | list[str] | None = None) -> pd.DataFrame:
    """Sum AE and CP by year (and by ``by`` columns), in euros.

    Examples
    --------
    >>> totals_by_year(plf([2024, 2025])).loc[2025, "cp"] > 5e11
    np.True_
    """
    keys = ["year"] + ([by] if isinstance(by, str) else list(by or []))
    return df.groupby(keys, observed=True)[["ae", "cp"]].sum(min_count=1)
