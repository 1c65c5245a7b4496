"""Loaders of the other budgets, the revenue tables and the 2017 execution files."""

from __future__ import annotations

import re
from collections.abc import Iterable

import numpy as np
import pandas as pd

from bureau_data import cache
from bureau_data.budget import sources
from bureau_data.budget._read import normalise_code, read_budget_file
from bureau_data.budget.plf import _years, budget_lines
from bureau_data.budget.schema import LINE_COLUMNS, RECETTES_COLUMNS, conform
from bureau_data.csvfr import clean_header, detect_unit, find_header, parse_number, read_rows
from bureau_data.errors import SchemaError
from bureau_data.fetch import FetchedFile, fetch

RECETTES_VERSION = "1"
EXECUTION_MINISTRY_COLUMNS: dict[str, str] = {
    "year": "int16", "budget_type": "string", "ministry_code": "string", "ministry": "string",
    "programme_code": "string", "programme": "string", "action_code": "string", "action": "string",
    "titre_code": "string", "cp": "float64", "source": "string",
}


def autres_budgets(years: int | Iterable[int] | None = None, *, phase: str = "PLF") -> pd.DataFrame:
    """Load the budgets annexes (BA), comptes d'affectation spéciale (CAS) and comptes de
    concours financiers (CCF) by mission, programme and action.

    PLF 2015-2019 come from their own files (with the previous year's LFI as phase
    ``"LFI"``); PLF 2020-2025 from the lines of the common files whose type is not BG.
    The 2015 and 2016 « comptes spéciaux » files mix CAS and CCF: programmes 7xx are
    given CAS and 8xx CCF.

    Returns
    -------
    pandas.DataFrame
        The columns of ``budget_general``; ``mission_id`` is ``<type>-<code>``
        (``cas-ye``) because the crosswalk covers the budget général only.

    Examples
    --------
    >>> df = autres_budgets(2019)
    >>> sorted(df["budget_type"].unique().astype(str))
    ['BA', 'CAS', 'CCF']
    """
    lines = budget_lines()
    chosen = lines[(lines["budget_type"] != "BG") & (lines["phase"] == phase)]
    wanted = _years(years, sorted(chosen["year"].unique().tolist()), "les autres budgets")
    if wanted is not None:
        chosen = chosen[chosen["year"].isin(wanted)]
    return conform(chosen, LINE_COLUMNS)


def execution_2017(budget_type: str | None = None) -> pd.DataFrame:
    """Load the CP spent in 2017 (loi de règlement), by mission, programme, action,
    sub-action and nature, for the budget général, the CAS and the CCF.

    Parameters
    ----------
    budget_type
        ``"BG"``, ``"CAS"`` or ``"CCF"``; None gives the three.

    Returns
    -------
    pandas.DataFrame
        The columns of ``budget_general``, with phase ``exécution`` and ``ae`` empty.

    Examples
    --------
    >>> float(round(execution_2017("BG")["cp"].sum() / 1e9, 3))
    439.348
    """
    lines = budget_lines()
    chosen = lines[lines["phase"] == "exécution"]
    if budget_type is not None:
        if budget_type not in sources.EXECUTION_FILES:
            raise SchemaError(f"Type de budget inconnu pour l'exécution 2017 : {budget_type!r}. "
                              f"Types disponibles : {', '.join(sources.EXECUTION_FILES)}.")
        chosen = chosen[chosen["budget_type"] == budget_type]
    return conform(chosen, LINE_COLUMNS)


def _execution_ministries(file: FetchedFile) -> pd.DataFrame:
    raw = read_budget_file(file.path)
    if raw.layout != "execution_ministere_2017":
        raise SchemaError(f"{raw.name} : format attendu « exécution 2017 par ministère », "
                          f"trouvé {raw.layout}. Colonnes : {list(raw.frame.columns)}.", path=raw.name)
    frame = raw.frame
    base = pd.DataFrame({
        "year": pd.to_numeric(raw.column("année rap")),
        "budget_type": "CAS",
        "ministry_code": raw.column("code ministère au 1er janvier 2017"),
        "ministry": raw.column("ministère au 1er janvier 2017"),
        "programme_code": normalise_code(raw.column("code programme")),
        "programme": raw.column("programme"),
        "action_code": normalise_code(raw.column("code action"), 2),
        "action": raw.column("action"),
    })
    parts = []
    for column in frame.columns:
        match = re.fullmatch(r"T(\d) EXEC CP 2017", clean_header(column), flags=re.IGNORECASE)
        if match:
            part = base.copy()
            part["titre_code"] = match.group(1)
            part["cp"] = raw.amounts(column)
            parts.append(part[part["cp"].notna()])
    if not parts:
        raise SchemaError(f"{raw.name} : aucune colonne « Tn EXEC CP 2017 ». "
                          f"Colonnes : {list(frame.columns)}.", path=raw.name)
    out = pd.concat(parts, ignore_index=True)
    out["source"] = raw.name
    return conform(out, EXECUTION_MINISTRY_COLUMNS)


def execution_2017_ministeres() -> pd.DataFrame:
    """Load the CP spent in 2017 on the CAS by ministry, programme, action and titre.

    Returns
    -------
    pandas.DataFrame
        year, budget_type (CAS), ministry_code, ministry, programme_code, programme,
        action_code, action, titre_code (1 to 7), cp (euros), source. One row per
        filled cell of the T1…T7 columns.

    Examples
    --------
    >>> df = execution_2017_ministeres()
    >>> sorted(df["titre_code"].unique()), float(round(df["cp"].sum() / 1e9, 3))
    (['2', '3', '5', '6', '7'], 77.441)
    """
    file = fetch(sources.EXECUTION_MINISTRY_FILE)
    return cache.cached_table("budget-execution-ministeres", RECETTES_VERSION, [file.record],
                              lambda: _execution_ministries(file))


# ---------------------------------------------------------------------------
# Revenue

_PREFIX = re.compile(r"^\s*(?P<code>[A-Z]['’]?|\d+\s*(?:bis|ter)?)\s*\.\s*(?P<label>.*)$")


def _estimate(header: str) -> str:
    folded = header.casefold()
    if "exécution" in folded:
        return "exécution"
    if "initiale" in folded:
        return "LFI"
    if "révisée" in folded:
        return "révisée"
    return "PLF"


def _recettes_headers(rows: list[list[str]], index: int) -> tuple[list[str], int]:
    """Return the header names and the index of the first data row.

    A header may continue on the next line (``;pour 2015;pour 2015;pour 2016``), and
    ``id.`` (idem) repeats the header on its left.
    """
    names = [clean_header(c) for c in rows[index]]
    start = index + 1
    if start < len(rows) and not rows[start][0] and not any(
            re.search(r"\d{3}", c) and not re.search(r"\d{4}", c) for c in rows[start]):
        extra = rows[start] + [""] * (len(names) - len(rows[start]))
        previous = ""
        merged = []
        for name, more in zip(names, extra, strict=False):
            if name.casefold() == "id.":
                name = previous
            previous = name or previous
            merged.append(clean_header(f"{name} {more}"))
        names, start = merged, start + 1
    return names, start


def _read_recettes(file: FetchedFile, edition: int) -> pd.DataFrame:
    parsed = read_rows(file.path)
    rows, lines = parsed.rows, parsed.lines
    index = find_header(rows, name=file.path.name)
    names, start = _recettes_headers(rows, index)
    unit_text = " ".join([*(";".join(r) for r in rows[:index]), *names])
    factor = detect_unit(unit_text)
    if factor is None:
        raise SchemaError(f"{file.path.name} : unité des montants introuvable (ni « en euros » ni "
                          "« en millions d'euros » dans l'en-tête).", path=file.path.name)

    has_code = names[0].casefold().startswith("numéro")
    label_index = 1 if has_code else 0
    amount_columns = [(i, n) for i, n in enumerate(names)
                      if i > label_index and re.search(r"\d{4}", n) and not n.casefold().startswith("écart")]
    records = []
    letter = ""
    for row, line in zip(rows[start:], lines[start:], strict=True):
        cells = row + [""] * (len(names) - len(row))
        label = cells[label_index].strip()
        code = cells[0].strip() if has_code else ""
        match = _PREFIX.match(label)
        prefix = re.sub(r"\s+", "", match.group("code")) if match else ""
        if match:
            label = match.group("label").strip()
        label = label.lstrip(". ").strip()
        if has_code:
            level = 3 if code else (1 if len(prefix) == 1 else 2)
            code = code or prefix
        elif prefix[:1].isalpha():
            letter, level, code = prefix, 1, prefix
        else:
            level = 2 if (prefix or cells[label_index].lstrip().startswith(".")) and letter else 1
            code = f"{letter}.{prefix}" if prefix and letter else ""
        for column, header in amount_columns:
            value = parse_number(cells[column], line=line, column=header, name=file.path.name)
            if np.isnan(value):
                continue
            year = int(re.findall(r"\d{4}", header)[-1])
            records.append({"edition": edition, "year": year, "estimate": _estimate(header),
                            "line_code": code or pd.NA, "label": label, "level": level,
                            "amount": value * factor, "source": file.path.name})
    return conform(pd.DataFrame.from_records(records), RECETTES_COLUMNS)


def recettes(years: int | Iterable[int] | None = None) -> pd.DataFrame:
    """Load the State revenue tables of the PLF 2015-2019 (recettes fiscales, état A).

    Parameters
    ----------
    years
        PLF years (2015-2019); None gives all.

    Returns
    -------
    pandas.DataFrame
        ========= ======= ==========================================================
        edition   int16   PLF year of the file
        year      int16   year the estimate is for
        estimate  string  PLF (proposed), LFI (initial), révisée, exécution
        line_code string  état A line (``1101``), subtotal (``11``), or the letter
                          and number of the summary tables (``A``, ``A.3bis``)
        label     string  revenue label
        level     int8    1 totals and headings, 2 subtotals, 3 état A detail lines
        amount    float64 euros (the 2015-2017 tables in millions are converted)
        source    string  raw file name
        ========= ======= ==========================================================

    Notes
    -----
    Totals and detail lines share the table: sum only one level of one file (for
    example ``level == 3`` in 2018-2019), never the whole column.

    Examples
    --------
    >>> df = recettes(2019)
    >>> float(round(df.query("level == 3 and line_code == '1101'")["amount"].iloc[0] / 1e9, 3))
    86.962
    """
    wanted = _years(years, list(sources.RECETTES_FILES), "les recettes") or list(sources.RECETTES_FILES)
    parts = []
    for year in wanted:
        file = fetch(sources.RECETTES_FILES[year])
        # mypy cannot infer a lambda whose default arguments bind the loop variables.
        parts.append(cache.cached_table(f"budget-recettes-{year}", RECETTES_VERSION, [file.record],
                                        lambda file=file, year=year: _read_recettes(file, year)))  # type: ignore[misc]
    out = conform(pd.concat(parts, ignore_index=True), RECETTES_COLUMNS)
    for part in parts:
        for record in part.attrs.get("provenance", []):
            out.attrs.setdefault("provenance", []).append(record)
    return out
