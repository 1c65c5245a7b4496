"""Turn each layout of the budget files into budget lines of one shape.

Every builder takes a ``RawTable`` and returns the columns of ``LINE_COLUMNS`` that the
file gives, one row per line and phase. Labels and codes the file lacks are filled
later from the nomenclatures (``nomenclature.py``).
"""

from __future__ import annotations

import logging
import re
import warnings

import numpy as np
import pandas as pd

from bureau_data.budget._read import RawTable, fold, metadata_value, normalise_code
from bureau_data.budget.schema import BUDGET_LABELS
from bureau_data.errors import DataCheckError, SchemaError

logger = logging.getLogger(__name__)


class BudgetRepairWarning(UserWarning):
    """Rows of a budget file were dropped or repaired while loading.

    Examples
    --------
    >>> import warnings
    >>> from bureau_data.budget.lines import choose_2017
    >>> destination = pd.DataFrame({"mission": ["Défense"]})
    >>> nature = pd.DataFrame({"mission": ["Défense", "Justice"]})
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     chosen = choose_2017(destination, nature, "PLF2017-BG-Msn-Dest.csv")
    >>> caught[0].category is BudgetRepairWarning, chosen is nature
    (True, True)
    """


# Amount headers of the 2014-2018 files: AELF 2014 (previous LFI), AEPLF, AEAMT
# (amendments), AELF (LFI of the PLF's year), and the same for CP. Header cells may
# carry spaces (" CPLF 2014", " AEPLF").
_AMOUNT_HEADER = re.compile(r"^(ae|cp)(lf|plf|amt)(\d{4})?$")


def _text(raw: RawTable, *candidates: str) -> pd.Series:
    # pandas-stubs 3.1 have no replace overload taking pd.NA as the new value.
    return raw.column(*candidates).astype("string").str.strip().replace("", pd.NA)  # type: ignore[call-overload]


def _budget_type(label: str | None, raw: RawTable, hint: str | None = None) -> str:
    key = (label or "").strip().casefold().replace("’", "'")
    # Pivot-table exports write "(Plusieurs éléments)" when the filter held several
    # budgets: the catalogue entry then says which file this is.
    if key.startswith("(plusieurs") and hint is not None:
        return hint
    if key not in BUDGET_LABELS:
        raise SchemaError(
            f"Type de budget inconnu dans {raw.name} : {label!r}. Types reconnus : "
            f"{sorted(set(BUDGET_LABELS))}.", path=raw.name, field="Type budget", found=label,
        )
    return BUDGET_LABELS[key]


def _edition(raw: RawTable, expected: int, found: object) -> int:
    """Check the year the file states against the catalogue's year."""
    text = str(found or "").strip()
    digits = re.search(r"(\d{4})", text)
    if digits is None:
        return expected
    year = int(digits.group(1))
    if year != expected:
        raise SchemaError(
            f"Le fichier {raw.name} porte sur l'année {year}, alors que le catalogue l'associe "
            f"au PLF {expected}. Vérifiez le manifeste des données.",
            path=raw.name, field="année", found=text,
        )
    return year


def _long(frame: pd.DataFrame, specs: list[tuple[str, int, np.ndarray, np.ndarray]]) -> pd.DataFrame:
    """Stack one copy of ``frame`` per (phase, year) with its AE and CP amounts.

    A line whose AE and CP cells are both empty in a phase is not a credit of that
    phase and is left out. A single empty cell means no credit and counts as 0.
    """
    parts = []
    for phase, year, ae, cp in specs:
        part = frame.copy()
        part["phase"] = phase
        part["year"] = year
        part["ae"] = ae
        part["cp"] = cp
        keep = ~(np.isnan(ae) & np.isnan(cp))
        part = part[keep]
        parts.append(part.fillna({"ae": 0.0, "cp": 0.0}))
    return pd.concat(parts, ignore_index=True) if parts else frame.iloc[0:0]


def drop_action_totals(frame: pd.DataFrame, raw: RawTable, amount_columns: list[str],
                       checked_columns: list[str]) -> pd.DataFrame:
    """Remove the action-total rows of the 2014-2016 destination files.

    For an action with sub-actions these files add a row whose sub-action is empty or
    ``0`` and whose amounts are the sum of the sub-actions; its ``Libellé SSA`` is carried
    over from the line above and means nothing. Summing without dropping it counts the
    action twice.

    In ``checked_columns`` (the PLF amounts) each dropped row must equal the sum of its
    sub-actions, or ``DataCheckError`` is raised. The previous year's LFI columns are
    restated in the new sub-action structure and a few totals differ from their
    sub-actions; those differences are counted in the warning.

    Parameters
    ----------
    frame
        Budget lines with ``programme_code``, ``action_code``, ``sous_action_code`` and the
        amount columns.
    raw
        The file the lines come from, named in messages.
    amount_columns
        Amount columns compared between a total row and its sub-actions.
    checked_columns
        Those of ``amount_columns`` where a difference raises.

    Returns
    -------
    pandas.DataFrame
        ``frame`` without the total rows. A ``BudgetRepairWarning`` gives their count.

    Raises
    ------
    DataCheckError
        When a total row differs from its sub-actions by more than 1 € in a checked column.

    Examples
    --------
    >>> import warnings
    >>> frame = pd.DataFrame({"programme_code": ["178"] * 3, "action_code": ["01"] * 3,
    ...                       "sous_action_code": ["01", "02", "00"], "cp": [1.0, 2.0, 3.0]})
    >>> raw = RawTable(frame=frame, layout="destination_2014", name="PLF2015-BG-Msn-Dest.csv",
    ...                metadata=[], lines=[5, 6, 7])
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     kept = drop_action_totals(frame, raw, ["cp"], ["cp"])
    >>> kept["sous_action_code"].tolist()
    ['01', '02']
    >>> print(caught[0].message)
    PLF2015-BG-Msn-Dest.csv : 1 lignes « total d'action » retirées (somme de leurs
    sous-actions, elles compteraient les crédits deux fois).
    """
    key = ["programme_code", "action_code"]
    ssa = frame["sous_action_code"]
    is_blank = ssa.isna() | (ssa == "00")
    has_detail = (~is_blank).groupby([frame[k] for k in key]).transform("any")
    totals = is_blank & has_detail
    if not totals.any():
        return frame
    sums = frame[~is_blank & has_detail].groupby(key)[amount_columns].sum()
    check = frame[totals].set_index(key)[amount_columns]
    diff = (check - sums.reindex(check.index)).abs()
    strict = diff[checked_columns].max(axis=1)
    bad = strict[strict > 1.0]
    if len(bad):
        programme, action = bad.index[0]
        raise DataCheckError(
            f"{raw.name} : la ligne total de l'action {programme}-{action} ne vaut pas la somme "
            f"de ses sous-actions en PLF (écart {bad.iloc[0]:,.0f} €). Le fichier n'a pas la forme "
            "attendue : vérifiez-le avant de l'utiliser."
        )
    loose = int((diff.max(axis=1) > 1.0).sum())
    count = int(totals.sum())
    note = (f" ; {loose} d'entre elles diffèrent de la somme de leurs sous-actions dans la "
            "colonne de LFI de l'année précédente" if loose else "")
    warnings.warn(
        f"{raw.name} : {count} lignes « total d'action » retirées (somme de leurs sous-actions, "
        f"elles compteraient les crédits deux fois){note}.", BudgetRepairWarning, stacklevel=2,
    )
    return frame[~totals]


def _split_special_accounts(programmes: pd.Series) -> pd.Series:
    """Return CAS or CCF for the lines of a file mixing the special accounts.

    Programmes of comptes d'affectation spéciale are numbered 7xx and those of comptes
    de concours financiers 8xx; any other number stays CS.
    """
    first = programmes.str[0]
    return pd.Series(np.select([first == "7", first == "8"], ["CAS", "CCF"], "CS"),
                     index=programmes.index)


def build_destination_2014(raw: RawTable, edition: int, hint: str | None = None) -> pd.DataFrame:
    """Budget lines of the 2014-2018 « Msn-Dest » and « Msn-Nat » files.

    Parameters
    ----------
    raw
        The file, as ``read_budget_file`` returns it.
    edition
        PLF year of the file, from the catalogue. A different year in the file raises.
    hint
        Budget type the catalogue gives the file, used when the file's own budget type
        is « (Plusieurs éléments) ».

    Returns
    -------
    pandas.DataFrame
        The columns of ``LINE_COLUMNS`` the file gives, one row per line and phase: the
        PLF of ``edition`` and the LFI of the year before.

    Raises
    ------
    SchemaError
        When a column is missing, the budget type is unknown or the year differs.

    Examples
    --------
    >>> from bureau_data.budget import sources
    >>> from bureau_data.budget._read import read_budget_file
    >>> from bureau_data.fetch import fetch
    >>> raw = read_budget_file(fetch(sources.PLF_FILES[2018]).path)
    >>> lines = build_destination_2014(raw, 2018)
    >>> (lines.groupby(["phase", "year"], observed=True)["cp"].sum() / 1e9).round(3)
    phase  year
    LFI    2017    427.369
    PLF    2018    440.964
    Name: cp, dtype: float64
    """
    _edition(raw, edition, metadata_value(raw.metadata, "gestion"))
    budget = _budget_type(metadata_value(raw.metadata, "type budget"), raw, hint)
    frame = pd.DataFrame({
        "mission": _text(raw, "mission"),
        "programme_code": normalise_code(_text(raw, "programme")),
        "action_code": normalise_code(_text(raw, "action"), 2),
    })
    if raw.layout == "nature_2017":
        frame["categorie_code"] = normalise_code(_text(raw, "catégorie"), 2)
        frame["categorie"] = _text(raw, "libellé catégorie")
    else:
        frame["sous_action_code"] = normalise_code(_text(raw, "sous-action"), 2)
        frame["sous_action"] = _text(raw, "libellé ssa")
        if raw.has("libellé action"):
            frame["action"] = _text(raw, "libellé action")
    frame["budget_type"] = budget
    if budget == "CS":
        frame["budget_type"] = _split_special_accounts(frame["programme_code"])
    frame["edition"] = edition

    amounts: dict[tuple[str, str, int], str] = {}
    for column in raw.frame.columns:
        match = _AMOUNT_HEADER.match(fold(column).replace(" ", ""))
        if match:
            measure, kind, year = match.groups()
            if kind == "amt" or (kind == "lf" and not year):
                # NOTE: the amendment columns are all zero and the same-year LFI column
                # (2014, 2016) repeats the PLF: the files predate the vote. Only the
                # previous year's LFI, restated in the PLF's structure, is kept.
                continue
            phase = "PLF" if kind == "plf" else "LFI"
            amounts[(phase, measure, int(year) if year else edition)] = column
    values = {key: raw.amounts(col) for key, col in amounts.items()}
    for key, array in values.items():
        frame["_".join(map(str, key))] = array
    if raw.layout == "destination_2014":
        columns = ["_".join(map(str, k)) for k in values]
        frame = drop_action_totals(frame, raw, columns, [c for c in columns if c.startswith("PLF")])

    specs = []
    for phase, year in sorted({(p, y) for p, _, y in amounts}):
        ae_col, cp_col = f"{phase}_ae_{year}", f"{phase}_cp_{year}"
        if ae_col not in frame or cp_col not in frame:
            raise SchemaError(f"{raw.name} : colonnes AE et CP incomplètes pour {phase} {year}. "
                              f"Colonnes trouvées : {list(raw.frame.columns)}.", path=raw.name)
        specs.append((phase, year, frame[ae_col].to_numpy(), frame[cp_col].to_numpy()))
    frame = frame.drop(columns=[c for c in frame.columns if re.match(r"^(PLF|LFI)_", c)])
    if not specs:
        raise SchemaError(f"{raw.name} : aucune colonne de montants (AEPLF, CPPLF…). "
                          f"Colonnes trouvées : {list(raw.frame.columns)}.", path=raw.name)
    return _long(frame, specs)


def build_mpa_2019(raw: RawTable, edition: int, hint: str | None = None) -> pd.DataFrame:
    """Budget lines of the 2019 files (one header line, codes and labels).

    Parameters
    ----------
    raw, edition, hint
        As for ``build_destination_2014``.

    Returns
    -------
    pandas.DataFrame
        The columns of ``LINE_COLUMNS`` the file gives, one row per PLF line.

    Examples
    --------
    >>> from bureau_data.budget import sources
    >>> from bureau_data.budget._read import read_budget_file
    >>> from bureau_data.fetch import fetch
    >>> lines = build_mpa_2019(read_budget_file(fetch(sources.PLF_FILES[2019]).path), 2019)
    >>> len(lines), float(round(lines["cp"].sum() / 1e9, 3))
    (750, 464.479)
    """
    phase_cells = _text(raw, "phase").dropna().unique()
    for cell in phase_cells:
        _edition(raw, edition, cell)
    types = _text(raw, "type de mission").dropna().unique()
    if len(types) != 1:
        raise SchemaError(f"{raw.name} : un seul type de mission attendu, trouvé {list(types)}.",
                          path=raw.name)
    frame = pd.DataFrame({
        "budget_type": _budget_type(types[0], raw, hint),
        "mission": _text(raw, "mission"),
        "programme_code": normalise_code(_text(raw, "code programme")),
        "programme": _text(raw, "programme"),
        "action_code": normalise_code(_text(raw, "code action"), 2),
        "action": _text(raw, "action"),
        "sous_action_code": normalise_code(_text(raw, "code sous-action"), 2),
        "sous_action": _text(raw, "sous-action"),
        "ministry_code": normalise_code(_text(raw, "code ministère"), 2),
        "ministry": _text(raw, "ministère"),
        "edition": edition,
    })
    ae = raw.amounts(raw.column(f"ae plf {edition}").name)
    cp = raw.amounts(raw.column(f"cp plf {edition}").name)
    return _long(frame, [("PLF", edition, ae, cp)])


def _split_code(series: pd.Series, part: int, raw: RawTable, field: str) -> pd.Series:
    """Return part ``part`` of ``PPP-AA-SS`` codes (0 programme, 1 action, 2 sub-action)."""
    pieces = series.str.split("-")
    out = pieces.str[part]
    return normalise_code(out, 2 if part else 0)


def build_codes_2020(raw: RawTable, edition: int, hint: str | None = None) -> pd.DataFrame:
    """Budget lines of the 2020-2023 files (codes only) and of the 2025 file.

    Parameters
    ----------
    raw, edition, hint
        As for ``build_destination_2014``.

    Returns
    -------
    pandas.DataFrame
        The columns of ``LINE_COLUMNS`` the file gives, one row per PLF line, for every
        budget type of the file. Labels are filled later from the nomenclatures.

    Examples
    --------
    >>> from bureau_data.budget import sources
    >>> from bureau_data.budget._read import read_budget_file
    >>> from bureau_data.fetch import fetch
    >>> lines = build_codes_2020(read_budget_file(fetch(sources.PLF_FILES[2022]).path), 2022)
    >>> "programme" in lines.columns, sorted(lines["budget_type"].unique())
    (False, ['BA', 'BG', 'CAS', 'CCF'])
    """
    for cell in _text(raw, "exercice").dropna().unique():
        _edition(raw, edition, normalise_code(pd.Series([cell])).iloc[0])
    laws = set(_text(raw, "loi").dropna().unique())
    if laws - {"PLF"}:
        raise SchemaError(f"{raw.name} : seule la loi « PLF » est attendue, trouvé {sorted(laws)}.",
                          path=raw.name, field="loi")
    action = _text(raw, "action")
    sous_action = _text(raw, "sous_action", "sous-action")
    # One 2023 row has an empty action and a filled sub-action (169-03-32): the action
    # is taken from the sub-action code.
    action = action.fillna(sous_action.str.rsplit("-", n=1).str[0])
    frame = pd.DataFrame({
        "budget_type": _text(raw, "typebudget").str.upper(),
        "ministry_code": normalise_code(_text(raw, "ministere"), 2),
        "mission_code": _text(raw, "mission"),
        "programme_code": normalise_code(_text(raw, "programme")),
        "action_code": _split_code(action, 1, raw, "action"),
        "sous_action_code": _split_code(sous_action, 2, raw, "sous_action"),
        "categorie_code": normalise_code(_text(raw, "categorie"), 2),
        "titre_code": normalise_code(_text(raw, "titre")),
        "edition": edition,
    })
    if raw.layout == "api_2025":
        frame["ministry"] = _text(raw, "libelle_ministere")
        frame["mission"] = _text(raw, "libelle_mission")
        frame["programme"] = _text(raw, "libelle_programme")
        frame["action"] = _text(raw, "libelle_action")
        frame["sous_action"] = _text(raw, "libelle_sous_action")
    ae_name = raw.column("aeplfnp1", "ae plf", "ae", "autorisation_engagement").name
    cp_name = raw.column("cpplfnp1", "cp plf", "cp", "credit_de_paiement").name
    return _long(frame, [("PLF", edition, raw.amounts(ae_name), raw.amounts(cp_name))])


def build_api_2024(raw: RawTable, edition: int, hint: str | None = None) -> pd.DataFrame:
    """Budget lines of the 2024 export (codes and labels, no year column).

    Parameters
    ----------
    raw, edition, hint
        As for ``build_destination_2014``. The year is ``edition``, since the file has no
        year column.

    Returns
    -------
    pandas.DataFrame
        The columns of ``LINE_COLUMNS`` the file gives, one row per PLF line.

    Examples
    --------
    >>> from bureau_data.budget import sources
    >>> from bureau_data.budget._read import read_budget_file
    >>> from bureau_data.fetch import fetch
    >>> lines = build_api_2024(read_budget_file(fetch(sources.PLF_FILES[2024]).path), 2024)
    >>> len(lines), float(round(lines["cp"].sum() / 1e9, 3))
    (2392, 812.095)
    """
    action = _text(raw, "action")
    frame = pd.DataFrame({
        "budget_type": _text(raw, "type mission").str.upper(),
        "ministry": _text(raw, "ministère"),
        "mission_code": _text(raw, "code mission"),
        "mission": _text(raw, "mission"),
        "programme_code": normalise_code(_text(raw, "programme")),
        "programme": _text(raw, "libellé programme"),
        "action_code": normalise_code(action.str.rsplit("-", n=1).str[-1], 2),
        "action": _text(raw, "libellé action"),
        "sous_action_code": normalise_code(_text(raw, "sous action").str.rsplit("-", n=1).str[-1], 2),
        "sous_action": _text(raw, "libellé sousaction"),
        "categorie_code": normalise_code(_text(raw, "catégorie"), 2),
        "titre_code": normalise_code(_text(raw, "code titre")),
        "edition": edition,
    })
    ae = raw.amounts(raw.column("ae plf").name)
    cp = raw.amounts(raw.column("cp plf").name)
    return _long(frame, [("PLF", edition, ae, cp)])


def build_execution_2017(raw: RawTable, edition: int, hint: str | None = None) -> pd.DataFrame:
    """Executed CP of 2017 by mission, programme, action, sub-action and nature.

    Parameters
    ----------
    raw, edition, hint
        As for ``build_destination_2014``.

    Returns
    -------
    pandas.DataFrame
        The columns of ``LINE_COLUMNS`` the file gives, phase ``exécution``, with CP only
        (``ae`` is NaN).

    Examples
    --------
    >>> from bureau_data.budget import sources
    >>> from bureau_data.budget._read import read_budget_file
    >>> from bureau_data.fetch import fetch
    >>> raw = read_budget_file(fetch(sources.EXECUTION_FILES["BG"]).path)
    >>> lines = build_execution_2017(raw, 2017)
    >>> bool(lines["ae"].isna().all()), float(round(lines["cp"].sum() / 1e9, 3))
    (True, 439.348)
    """
    for cell in _text(raw, "année rap").dropna().unique():
        _edition(raw, edition, cell)
    types = _text(raw, "type de budget (hors budgets annexes)").dropna().unique()
    if len(types) != 1:
        raise SchemaError(f"{raw.name} : un seul type de budget attendu, trouvé {list(types)}.",
                          path=raw.name)
    frame = pd.DataFrame({
        "budget_type": _budget_type(types[0], raw),
        "ministry_code": _text(raw, "code ministère au 1er janvier 2017"),
        "ministry": _text(raw, "ministère au 1er janvier 2017"),
        "mission_code": _text(raw, "code mission"),
        "mission": _text(raw, "mission"),
        "programme_code": normalise_code(_text(raw, "code programme")),
        "programme": _text(raw, "programme"),
        "action_code": normalise_code(_text(raw, "code action"), 2),
        "action": _text(raw, "action"),
        "sous_action_code": normalise_code(_text(raw, "code sous-action"), 2),
        "sous_action": _text(raw, "sous-action"),
        "categorie_code": normalise_code(_text(raw, "code catégorie"), 2),
        "categorie": _text(raw, "catégorie"),
        "titre_code": normalise_code(_text(raw, "code titre")),
        "edition": edition,
    })
    cp_name = raw.column("exec cp 2017 rap 2017").name
    cp = raw.amounts(cp_name)
    ae = np.full(len(cp), np.nan)
    out = _long(frame, [("exécution", edition, ae, cp)])
    out["ae"] = np.nan  # the execution files publish CP only: AE is unknown, not zero
    return out


def build_ministeres_2014(raw: RawTable, edition: int, hint: str | None = None) -> pd.DataFrame:
    """Budget lines of the 2014 file by ministry, mission, programme, action and titre.

    Parameters
    ----------
    raw, edition, hint
        As for ``build_destination_2014``.

    Returns
    -------
    pandas.DataFrame
        The columns of ``LINE_COLUMNS`` the file gives, with ``ministry_code`` and
        ``ministry``, one row per line and phase.

    Examples
    --------
    >>> from bureau_data.budget import sources
    >>> from bureau_data.budget._read import read_budget_file
    >>> from bureau_data.fetch import fetch
    >>> raw = read_budget_file(fetch(sources.MINISTRY_FILE_2014).path)
    >>> lines = build_ministeres_2014(raw, 2014)
    >>> lines["ministry"].nunique()
    18
    """
    frame = pd.DataFrame({
        "budget_type": "BG",
        "ministry_code": normalise_code(_text(raw, "code ministère"), 2),
        "ministry": _text(raw, "ministère"),
        "mission": _text(raw, "mission"),
        "programme_code": normalise_code(_text(raw, "code programme")),
        "programme": _text(raw, "nom programme"),
        "action_code": normalise_code(_text(raw, "code action"), 2),
        "action": _text(raw, "nom action"),
        "titre_code": normalise_code(_text(raw, "code titre")),
        "edition": edition,
    })
    specs = [
        ("LFI", edition - 1, raw.amounts(raw.column(f"aelf {edition - 1}").name),
         raw.amounts(raw.column(f"cplf {edition - 1}").name)),
        ("PLF", edition, raw.amounts(raw.column(f"aeplf {edition}").name),
         raw.amounts(raw.column(f"cpplf {edition}").name)),
        ("LFI", edition, raw.amounts(raw.column(f"aelfi {edition}").name),
         raw.amounts(raw.column(f"cplfi {edition}").name)),
    ]
    return _long(frame, specs)


BUILDERS = {
    "destination_2014": build_destination_2014,
    "nature_2017": build_destination_2014,
    "mpa_2019": build_mpa_2019,
    "codes_2020": build_codes_2020,
    "api_2025": build_codes_2020,
    "api_2024": build_api_2024,
    "execution_2017": build_execution_2017,
    "ministeres_2014": build_ministeres_2014,
}


def build_lines(raw: RawTable, edition: int, hint: str | None = None) -> pd.DataFrame:
    """Return the budget lines of a file whatever its layout.

    ``hint`` is the budget type the catalogue gives the file (BG, BA, CS, CCF), used
    when the file itself does not say.

    Parameters
    ----------
    raw
        The file, as ``read_budget_file`` returns it.
    edition
        PLF year of the file, from the catalogue.
    hint
        Budget type the catalogue gives the file, or None.

    Returns
    -------
    pandas.DataFrame
        The lines of the layout's builder, with the file name in ``source``.

    Raises
    ------
    SchemaError
        When the layout has no budget lines (nomenclature, revenue) or the file does not
        have the layout's shape.

    Examples
    --------
    >>> from bureau_data.budget import sources
    >>> from bureau_data.budget._read import read_budget_file
    >>> from bureau_data.fetch import fetch
    >>> lines = build_lines(read_budget_file(fetch(sources.PLF_FILES[2025]).path), 2025)
    >>> general = lines[lines["budget_type"] == "BG"]
    >>> float(round(general["cp"].sum() / 1e9, 3)), lines["source"].iloc[0]
    (594.036, 'plf_2025_depenses.csv')
    """
    builder = BUILDERS.get(raw.layout)
    if builder is None:
        raise SchemaError(f"{raw.name} : le format {raw.layout!r} ne contient pas de lignes "
                          "budgétaires par mission.", path=raw.name)
    frame = builder(raw, edition, hint)
    frame["source"] = raw.name
    return frame
