"""Checks on loaded scrutins: counts that must add up, numbering gaps, unresolved references.

Each check returns a small table (JSON-friendly records go to ``df.attrs``) and the loader
emits one warning per kind of problem, with counts and the first cases. Nothing is dropped.
"""

from __future__ import annotations

import re
import warnings
from collections import Counter
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from bureau_data.errors import DataWarning

# How many cases a warning message lists before « … ».
MAX_LISTED = 8

# Count columns compared at each level, with their French label in messages.
COUNT_LABELS = {
    "pour": "pour",
    "contre": "contre",
    "abstentions": "abstentions",
    "non_votants": "non-votants",
}
_POSITION_COLUMN = {"pour": "pour", "contre": "contre", "abstention": "abstentions", "non-votant": "non_votants"}
_UID_NUMBER = re.compile(r"^(?P<prefix>.*?)(?P<number>\d+)$")

MISMATCH_COLUMNS = ("scrutin_uid", "niveau", "groupe_uid", "champ", "publie", "calcule")


class ScrutinsWarning(DataWarning):
    """A problem found in the scrutins files; the loader kept every row.

    Examples
    --------
    >>> issubclass(ScrutinsWarning, DataWarning)
    True
    >>> issubclass(VoteCountMismatchWarning, ScrutinsWarning)
    True
    """


class VoteCountMismatchWarning(ScrutinsWarning):
    """Individual positions, group counts and scrutin totals do not add up.

    Examples
    --------
    >>> mismatches = pd.DataFrame([{"scrutin_uid": "VTANR5L17V1", "niveau": "groupe",
    ...                             "groupe_uid": "PO845401", "champ": "pour", "publie": 12,
    ...                             "calcule": 11}])
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     warn_mismatches(mismatches, "Scrutins de la 17e législature")
    >>> caught[0].category.__name__
    'VoteCountMismatchWarning'
    """


class NumberingGapWarning(ScrutinsWarning):
    """Scrutin numbers are missing from the archive, or a uid appears twice.

    Examples
    --------
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     warn_gaps(["VTANR5L16V1743"], [], "Scrutins de la 16e législature")
    >>> print(caught[0].message)
    Scrutins de la 16e législature : 1 numéro(s) de scrutin absent(s) de l'archive :
    VTANR5L16V1743. Ils ne sont pas inventés ; la liste est dans df.attrs['numeros_manquants'].
    """


class UnknownSortWarning(ScrutinsWarning):
    """A ``sort.code`` is neither « adopté » nor « rejeté »: ``adopte`` is left empty.

    Examples
    --------
    >>> from bureau_data.assemblee.scrutins import read_documents
    >>> doc = {"scrutin": {"uid": "VTANR5L17V1", "numero": "1", "sort": {"code": "reporté"}}}
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     tables = read_documents([("VTANR5L17V1.json", doc)])
    >>> any(issubclass(warning.category, UnknownSortWarning) for warning in caught)
    True
    """


class ScrutinsSchemaWarning(ScrutinsWarning):
    """A section, cause or position value is not one the loader knows.

    Examples
    --------
    >>> issubclass(ScrutinsSchemaWarning, ScrutinsWarning)
    True
    """


class UnresolvedReferenceWarning(ScrutinsWarning):
    """Identifiers that a left join could not resolve in a reference table.

    Examples
    --------
    >>> votes = pd.DataFrame({"acteur_uid": ["PA1", "PA9"]})
    >>> deputies = pd.DataFrame({"uid": ["PA1"], "nom": ["Dupont"]})
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     merged = resolve_references(votes, "acteur_uid", deputies, key="uid", label="acteur")
    >>> caught[0].category.__name__, merged.attrs["references_non_resolues"]
    ('UnresolvedReferenceWarning', {'acteur': 1})
    """


def _listing(items: Sequence[str]) -> str:
    shown = ", ".join(items[:MAX_LISTED])
    return shown + (f", … ({len(items) - MAX_LISTED} de plus)" if len(items) > MAX_LISTED else "")


def check_counts(scrutins: pd.DataFrame, groupes: pd.DataFrame, positions: pd.DataFrame | None = None,
                 *, counted: pd.DataFrame | None = None) -> pd.DataFrame:
    """Compare individual positions, group counts and scrutin totals.

    Three levels are checked:

    - ``groupe``: positions listed by name in a group, against the group's published
      ``decompteVoix`` (pour, contre, abstentions, non-votants);
    - ``scrutin``: the sum of the groups' counts, against the scrutin's ``syntheseVote``;
    - ``synthese``: ``votants`` against pour + contre + abstentions, and ``exprimes``
      against pour + contre, inside ``syntheseVote``.

    A published count that is missing (null) cannot be compared; see ``missing_counts``.
    The loader passes ``counted`` (the positions counted while parsing) instead of
    ``positions``, to avoid grouping every row again.

    Returns
    -------
    pandas.DataFrame
        One row per mismatch: ``scrutin_uid``, ``niveau``, ``groupe_uid`` (empty above
        group level), ``champ`` (column compared), ``publie`` (published value) and
        ``calcule`` (value computed from the level below).

    Parameters
    ----------
    scrutins
        One row per scrutin with ``uid`` and the published totals ``pour``, ``contre``,
        ``abstentions``, ``non_votants``, ``votants`` and ``exprimes``.
    groupes
        One row per scrutin and group with ``scrutin_uid``, ``groupe_uid`` and the same
        four counts.
    positions
        Individual positions (``scrutin_uid``, ``groupe_uid``, ``position``); not needed
        when ``counted`` is given.
    counted
        The result of ``count_positions``.

    Raises
    ------
    TypeError
        When neither ``positions`` nor ``counted`` is given.

    Examples
    --------
    >>> scrutins = pd.DataFrame({"uid": ["V1"], "pour": [2], "contre": [1], "abstentions": [0],
    ...                          "non_votants": [0], "votants": [3], "exprimes": [3]})
    >>> groupes = pd.DataFrame({"scrutin_uid": ["V1"], "groupe_uid": ["PO1"], "pour": [2],
    ...                         "contre": [1], "abstentions": [0], "non_votants": [0]})
    >>> positions = pd.DataFrame({"scrutin_uid": ["V1"] * 2, "groupe_uid": ["PO1"] * 2,
    ...                           "position": ["pour", "contre"]})
    >>> check_counts(scrutins, groupes, positions)[["niveau", "champ", "publie", "calcule"]]
       niveau champ  publie  calcule
    0  groupe  pour       2        1
    """
    rows: list[dict[str, Any]] = []
    if counted is None:
        if positions is None:
            raise TypeError("check_counts() attend positions ou counted.")
        counted = count_positions(positions)
    published = groupes.assign(
        scrutin_uid=groupes["scrutin_uid"].astype("str"), groupe_uid=groupes["groupe_uid"].astype("str"),
    ).groupby(["scrutin_uid", "groupe_uid"], sort=False)[list(COUNT_LABELS)].sum(min_count=1)
    merged = published.join(counted, how="outer")
    for column in COUNT_LABELS:
        found = merged[f"{column}_calcule"].fillna(0).astype("int64")
        expected = merged[column]
        bad = expected.notna() & (expected.fillna(-1).astype("int64") != found)
        for (scrutin_uid, groupe_uid), pub, calc in zip(merged.index[bad], expected[bad], found[bad], strict=True):
            rows.append({"scrutin_uid": scrutin_uid, "niveau": "groupe", "groupe_uid": groupe_uid,
                         "champ": column, "publie": None if pd.isna(pub) else int(pub), "calcule": int(calc)})

    by_scrutin = published.groupby(level="scrutin_uid", sort=False).sum(min_count=1)
    totals = scrutins.set_index(scrutins["uid"].astype("str"))[list(COUNT_LABELS)]
    aligned = totals.join(by_scrutin.add_suffix("_groupes"), how="left")
    for column in COUNT_LABELS:
        found = aligned[f"{column}_groupes"].fillna(0).astype("int64")
        expected = aligned[column]
        bad = expected.notna() & (expected.fillna(-1).astype("int64") != found)
        for scrutin_uid, pub, calc in zip(aligned.index[bad], expected[bad], found[bad], strict=True):
            rows.append({"scrutin_uid": scrutin_uid, "niveau": "scrutin", "groupe_uid": None,
                         "champ": column, "publie": None if pd.isna(pub) else int(pub), "calcule": int(calc)})

    rows += _synthese_mismatches(scrutins)
    return _mismatch_frame(rows, scrutins)


def check_counts_aligned(scrutins: pd.DataFrame, groupes: pd.DataFrame, counted: np.ndarray) -> pd.DataFrame:
    """Compare the counts as ``check_counts`` does, given the listed positions of each group row.

    The result equals ``check_counts(scrutins, groupes, counted=...)`` when scrutin uids
    are unique and no uid of ``groupes`` is null; the caller checks that. Rows of
    ``groupes`` with the same ``(scrutin_uid, groupe_uid)`` pair are summed, as there.
    Whole columns are compared with numpy, with no join on the uids.

    Parameters
    ----------
    scrutins, groupes
        As for ``check_counts``.
    counted
        Integer array of shape ``(len(groupes), 4)``: the positions listed by name in
        each group row, in the order pour, contre, abstentions, non-votants. For a pair
        with several rows, only the sum over its rows matters.

    Returns
    -------
    pandas.DataFrame
        As ``check_counts``.

    Examples
    --------
    >>> scrutins = pd.DataFrame({"uid": ["V1"], "pour": [2], "contre": [1], "abstentions": [0],
    ...                          "non_votants": [0], "votants": [3], "exprimes": [3]})
    >>> groupes = pd.DataFrame({"scrutin_uid": ["V1"], "groupe_uid": ["PO1"], "pour": [2],
    ...                         "contre": [1], "abstentions": [0], "non_votants": [0]})
    >>> check_counts_aligned(scrutins, groupes, np.array([[1, 1, 0, 0]]))[["niveau", "champ", "calcule"]]
       niveau champ  calcule
    0  groupe  pour        1
    """
    rows: list[dict[str, Any]] = []
    labels = list(COUNT_LABELS)
    scrutin_codes = _codes(groupes["scrutin_uid"])
    groupe_codes = _codes(groupes["groupe_uid"])
    _, first_rows, pair_of_row = np.unique(scrutin_codes * (groupe_codes.max(initial=0) + 1) + groupe_codes,
                                           return_index=True, return_inverse=True)
    pairs = len(first_rows)
    published = _float_matrix(groupes, labels)
    known = ~np.isnan(published)
    values = np.where(known, published, 0).astype("int64")
    uid = scrutins["uid"].astype("str").to_numpy(dtype=object)
    totals = _float_matrix(scrutins, labels)
    # Row of each group's scrutin in ``scrutins``, -1 when absent (left out, as by the join).
    scrutin_rows = _rows_in(pd.Index(uid), groupes["scrutin_uid"])
    in_table = scrutin_rows >= 0
    for position, column in enumerate(labels):
        # Per pair, a sum is null only when every row of the pair is (``min_count=1``).
        pair_values = np.bincount(pair_of_row, weights=values[:, position], minlength=pairs).astype("int64")
        pair_known = np.bincount(pair_of_row, weights=known[:, position], minlength=pairs) > 0
        found = np.bincount(pair_of_row, weights=np.asarray(counted[:, position]), minlength=pairs).astype("int64")
        for i in np.flatnonzero(pair_known & (pair_values != found)):
            row = groupes.iloc[first_rows[i]]
            rows.append({"scrutin_uid": str(row["scrutin_uid"]), "niveau": "groupe",
                         "groupe_uid": str(row["groupe_uid"]), "champ": column,
                         "publie": int(pair_values[i]), "calcule": int(found[i])})

        # A scrutin's groups sum without their null counts, and to 0 without groups.
        sums = np.bincount(scrutin_rows[in_table], weights=values[in_table, position],
                           minlength=len(scrutins)).astype("int64")
        total = totals[:, position]
        for i in np.flatnonzero(~np.isnan(total) & (total != sums)):
            rows.append({"scrutin_uid": uid[i], "niveau": "scrutin", "groupe_uid": None,
                         "champ": column, "publie": int(total[i]), "calcule": int(sums[i])})
    rows += _synthese_mismatches(scrutins)
    return _mismatch_frame(rows, scrutins)


def _float_matrix(df: pd.DataFrame, columns: list[str]) -> np.ndarray:
    """Return columns of counts as a float matrix, NaN where null.

    Column by column, because ``df[columns]`` first builds a new DataFrame.
    """
    return np.column_stack([df[column].to_numpy(dtype="float64", na_value=np.nan) for column in columns]
                           ) if columns else np.zeros((len(df), 0))


def _rows_in(index: pd.Index, column: pd.Series) -> np.ndarray:
    """Return the position in ``index`` of each value of ``column`` as text, -1 when absent."""
    if isinstance(column.dtype, pd.CategoricalDtype):
        # One lookup per category, not per row.
        per_category = np.append(index.get_indexer(pd.Index(column.cat.categories.astype("str"), dtype=object)), -1)
        return per_category[column.cat.codes.to_numpy(dtype="int64")]
    return index.get_indexer(pd.Index(column.astype("str"), dtype=object))


def _codes(column: pd.Series) -> np.ndarray:
    """Return integer codes of a column of uids, equal codes for equal uids."""
    if isinstance(column.dtype, pd.CategoricalDtype):
        return column.cat.codes.to_numpy(dtype="int64")
    return pd.factorize(column.astype("str"))[0].astype("int64")


def _synthese_mismatches(scrutins: pd.DataFrame) -> list[dict[str, Any]]:
    """Return the mismatches inside each ``syntheseVote``: votants and exprimes against the counts."""
    rows: list[dict[str, Any]] = []
    pour, contre, abstentions, votants, exprimes = _float_matrix(
        scrutins, ["pour", "contre", "abstentions", "votants", "exprimes"]).T
    uid: np.ndarray | None = None
    for column, published, computed in (
        ("votants", votants, pour + contre + abstentions),
        ("exprimes", exprimes, pour + contre),
    ):
        # A null on either side is no mismatch: NaN compares unequal, so it is masked.
        bad = np.flatnonzero(~np.isnan(published) & ~np.isnan(computed) & (published != computed))
        if not len(bad):
            continue
        if uid is None:
            uid = scrutins["uid"].astype("str").to_numpy(dtype=object)
        for i in bad:
            rows.append({"scrutin_uid": uid[i], "niveau": "synthese", "groupe_uid": None,
                         "champ": column, "publie": int(published[i]), "calcule": int(computed[i])})
    return rows


def _mismatch_frame(rows: list[dict[str, Any]], scrutins: pd.DataFrame) -> pd.DataFrame:
    """Return the mismatch rows as a table, in scrutin order, then level, group and field."""
    values = {column: [row[column] for row in rows] for column in MISMATCH_COLUMNS}
    result = pd.DataFrame({
        **{column: np.array(values[column] or [], dtype=object)
           for column in ("scrutin_uid", "niveau", "groupe_uid", "champ")},
        "publie": pd.array(values["publie"], dtype="Int64"),
        "calcule": pd.array(values["calcule"], dtype="Int64"),
    }, copy=False)
    if result.empty:
        return result
    uid = scrutins["uid"].astype("str")
    rank = {value: i for i, value in enumerate(uid)}
    levels = {"groupe": 0, "scrutin": 1, "synthese": 2}
    order = sorted(range(len(result)), key=lambda i: (
        rank.get(str(result.at[i, "scrutin_uid"]), len(rank)), levels[str(result.at[i, "niveau"])],
        str(result.at[i, "groupe_uid"]), result.at[i, "champ"]))
    return result.iloc[order].reset_index(drop=True)


# Organe uids that the files use when a group is not identified.
PLACEHOLDER_ORGANES = frozenset({"PO0"})


def placeholder_groups(groupes: pd.DataFrame) -> list[str]:
    """Return the uids of scrutins where a group's ``organeRef`` is a placeholder (``PO0``).

    Parameters
    ----------
    groupes
        The table of ``decomptes_groupes``.

    Returns
    -------
    list of str
        Scrutin uids in table order, each once.

    Examples
    --------
    >>> groupes = pd.DataFrame({"scrutin_uid": ["V1", "V2", "V2"],
    ...                         "groupe_uid": ["PO1", "PO0", "PO0"]})
    >>> placeholder_groups(groupes)
    ['V2']
    """
    column = groupes["groupe_uid"]
    if isinstance(column.dtype, pd.CategoricalDtype) and PLACEHOLDER_ORGANES.isdisjoint(column.cat.categories):
        return []  # the usual case, known from the categories alone
    mask = column.astype("str").isin(PLACEHOLDER_ORGANES)
    return list(pd.unique(groupes.loc[mask, "scrutin_uid"].astype("str")))


def missing_counts(scrutins: pd.DataFrame, groupes: pd.DataFrame) -> list[str]:
    """Return the uids of scrutins where a published count needed by the checks is null.

    Parameters
    ----------
    scrutins, groupes
        As for ``check_counts``.

    Returns
    -------
    list of str
        Scrutin uids, each once.

    Examples
    --------
    >>> scrutins = pd.DataFrame({"uid": ["V1", "V2"], "pour": [2, None], "contre": [1, 0],
    ...                          "abstentions": [0, 0], "non_votants": [0, 0], "votants": [3, 0],
    ...                          "exprimes": [3, 0]})
    >>> groupes = pd.DataFrame({"scrutin_uid": ["V1"], "groupe_uid": ["PO1"], "pour": [2],
    ...                         "contre": [None], "abstentions": [0], "non_votants": [0]})
    >>> missing_counts(scrutins, groupes)
    ['V1', 'V2']
    """
    columns = list(COUNT_LABELS)
    group_rows = np.flatnonzero(np.isnan(_float_matrix(groupes, columns)).any(axis=1))
    total_rows = np.flatnonzero(np.isnan(_float_matrix(scrutins, [*columns, "votants", "exprimes"])).any(axis=1))
    if not len(group_rows) and not len(total_rows):
        return []
    in_groups = groupes["scrutin_uid"].iloc[group_rows].astype("str")
    in_totals = scrutins["uid"].iloc[total_rows].astype("str")
    found = set(in_groups) | set(in_totals)
    if not found:
        return []
    return [uid for uid in scrutins["uid"].astype("str") if uid in found]


def count_positions(positions: pd.DataFrame) -> pd.DataFrame:
    """Return the number of listed positions per scrutin and group, one ``<column>_calcule`` each.

    Parameters
    ----------
    positions
        Individual positions with ``scrutin_uid``, ``groupe_uid`` and ``position``.

    Returns
    -------
    pandas.DataFrame
        Indexed by ``(scrutin_uid, groupe_uid)``, with the int64 columns ``pour_calcule``,
        ``contre_calcule``, ``abstentions_calcule`` and ``non_votants_calcule``.

    Examples
    --------
    >>> positions = pd.DataFrame({"scrutin_uid": ["V1"] * 3, "groupe_uid": ["PO1"] * 3,
    ...                           "position": ["pour", "pour", "abstention"]})
    >>> count_positions(positions).loc[("V1", "PO1")].to_dict()
    {'pour_calcule': 2, 'abstentions_calcule': 1, 'contre_calcule': 0, 'non_votants_calcule': 0}
    """
    if positions.empty:
        index = pd.MultiIndex.from_arrays([[], []], names=["scrutin_uid", "groupe_uid"])
        return pd.DataFrame({f"{column}_calcule": pd.Series([], dtype="int64") for column in COUNT_LABELS},
                            index=index)
    sizes = positions.groupby(["scrutin_uid", "groupe_uid", "position"], observed=True, sort=False).size()
    table = sizes.unstack("position", fill_value=0)
    table = table.rename(columns=lambda position: f"{_POSITION_COLUMN[str(position)]}_calcule")
    for column in COUNT_LABELS:
        if f"{column}_calcule" not in table:
            table[f"{column}_calcule"] = 0
    table.index = pd.MultiIndex.from_arrays(
        [table.index.get_level_values(0).astype("str"), table.index.get_level_values(1).astype("str")],
        names=["scrutin_uid", "groupe_uid"],
    )
    return table


def warn_mismatches(mismatches: pd.DataFrame, where: str, *, stacklevel: int = 3) -> None:
    """Emit one ``VoteCountMismatchWarning`` describing ``mismatches``, if any.

    Parameters
    ----------
    mismatches
        The result of ``check_counts``.
    where
        The archive or legislature, at the start of the message.
    stacklevel
        Passed to ``warnings.warn``.

    Examples
    --------
    >>> mismatches = pd.DataFrame([{"scrutin_uid": "VTANR5L17V1", "niveau": "groupe",
    ...                             "groupe_uid": "PO845401", "champ": "pour", "publie": 12,
    ...                             "calcule": 11}])
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     warn_mismatches(mismatches, "Scrutins de la 17e législature")
    >>> print(caught[0].message)
    Scrutins de la 17e législature : 1 écart(s) de décompte dans 1 scrutin(s), entre
    positions nominatives, décomptes des groupes et synthèse : VTANR5L17V1 groupe PO845401
    pour : publié 12, calculé 11 (groupe). Toutes les lignes sont conservées ; le tableau
    complet est dans df.attrs['ecarts_decompte'].
    """
    if mismatches.empty:
        return
    details = []
    for row in mismatches.itertuples(index=False):
        place = f"{row.scrutin_uid}" + (f" groupe {row.groupe_uid}" if isinstance(row.groupe_uid, str) else "")
        details.append(f"{place} {row.champ} : publié {row.publie}, calculé {row.calcule} ({row.niveau})")
    scrutins_count = mismatches["scrutin_uid"].nunique()
    warnings.warn(
        f"{where} : {len(mismatches)} écart(s) de décompte dans {scrutins_count} scrutin(s), "
        f"entre positions nominatives, décomptes des groupes et synthèse : {_listing(details)}. "
        "Toutes les lignes sont conservées ; le tableau complet est dans "
        "df.attrs['ecarts_decompte'].",
        VoteCountMismatchWarning, stacklevel=stacklevel,
    )


def numbering_gaps(uids: pd.Series) -> tuple[list[str], list[str]]:
    """Return the missing uids inside each numbered series, and the duplicated uids.

    A series is the uid without its final number (``VTANR5L16V`` for the Assemblée,
    ``VTCGR5L16V`` for the Congrès). Gaps are searched between the smallest and the
    largest number of each series present, so a subset archive starting at V1614
    reports no gap before it, and numbers after the last one cannot be detected.

    Parameters
    ----------
    uids
        Scrutin uids.

    Returns
    -------
    tuple of (list of str, list of str)
        The missing uids, in series and number order, and the duplicated uids, sorted.

    Examples
    --------
    >>> numbering_gaps(pd.Series(["VTANR5L16V1", "VTANR5L16V4", "VTANR5L16V4", "VTCGR5L16V1"]))
    (['VTANR5L16V2', 'VTANR5L16V3'], ['VTANR5L16V4'])
    """
    numbers: dict[str, set[int]] = {}
    texts = uids.dropna().astype("str").tolist()
    for uid in texts:
        match = _UID_NUMBER.match(uid)
        if match:
            numbers.setdefault(match["prefix"], set()).add(int(match["number"]))
    missing = [
        f"{prefix}{number}"
        for prefix, present in sorted(numbers.items())
        for number in range(min(present), max(present) + 1)
        if number not in present
    ]
    counts = Counter(texts)
    duplicated = sorted(uid for uid, count in counts.items() if count > 1)
    return missing, duplicated


def warn_gaps(missing: Sequence[str], duplicated: Sequence[str], where: str, *, stacklevel: int = 3) -> None:
    """Emit ``NumberingGapWarning`` for missing and duplicated uids, if any.

    Parameters
    ----------
    missing, duplicated
        The two lists of ``numbering_gaps``.
    where
        The archive or legislature, at the start of the message.
    stacklevel
        Passed to ``warnings.warn``.

    Examples
    --------
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     warn_gaps(["VTANR5L16V1743"], ["VTANR5L16V12"], "Scrutins de la 16e législature")
    >>> [warning.category.__name__ for warning in caught]
    ['NumberingGapWarning', 'NumberingGapWarning']
    """
    if missing:
        warnings.warn(
            f"{where} : {len(missing)} numéro(s) de scrutin absent(s) de l'archive : {_listing(list(missing))}. "
            "Ils ne sont pas inventés ; la liste est dans df.attrs['numeros_manquants'].",
            NumberingGapWarning, stacklevel=stacklevel,
        )
    if duplicated:
        warnings.warn(
            f"{where} : {len(duplicated)} uid(s) de scrutin présent(s) plusieurs fois : {_listing(list(duplicated))}. "
            "Toutes les copies sont gardées ; dédoublonnez après vérification.",
            NumberingGapWarning, stacklevel=stacklevel,
        )


def resolve_references(
    df: pd.DataFrame,
    column: str,
    reference: pd.DataFrame,
    *,
    key: str,
    label: str,
    columns: Sequence[str] | None = None,
) -> pd.DataFrame:
    """Left-join ``reference`` on ``df[column] == reference[key]``, counting unresolved refs.

    Every row of ``df`` is kept, in order; the columns taken from ``reference`` are empty
    where the identifier is not found. The number of distinct unresolved identifiers is
    added to ``attrs["references_non_resolues"][label]`` and reported by an
    ``UnresolvedReferenceWarning`` that lists them.

    Parameters
    ----------
    df
        The table holding the references (positions, scrutins...).
    column
        Its column of identifiers (``acteur_uid``, ``groupe_uid``, ``dossier_uid``...).
    reference
        The table the identifiers point to.
    key
        The identifier column of ``reference``.
    label
        Name of the kind of reference in the report (« acteur », « organe », « dossier »).
    columns
        Columns of ``reference`` to bring; all of them when None.

    Returns
    -------
    pandas.DataFrame
        ``df`` with the columns of ``reference``, same index and row order, and
        ``attrs["references_non_resolues"]`` updated.

    Examples
    --------
    >>> votes = pd.DataFrame({"acteur_uid": ["PA1", "PA9", None]})
    >>> deputies = pd.DataFrame({"uid": ["PA1"], "nom": ["Dupont"]})
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     merged = resolve_references(votes, "acteur_uid", deputies, key="uid", label="acteur")
    >>> merged["nom"].tolist(), merged.attrs["references_non_resolues"]
    (['Dupont', nan, nan], {'acteur': 1})
    """
    wanted = [name for name in (columns if columns is not None else reference.columns) if name != key]
    right = reference[[key, *wanted]].drop_duplicates(subset=key)
    right = right.assign(**{key: right[key].astype("str")})
    left_keys = df[column].astype("object").where(df[column].notna(), None)
    merged = df.assign(_ref_key=left_keys.astype("str").where(left_keys.notna(), None)).merge(
        right.rename(columns={key: "_ref_key"}), on="_ref_key", how="left", validate="many_to_one",
    )
    merged.index = df.index
    present = set(right[key])
    unresolved = sorted({value for value in left_keys.dropna().astype("str") if value not in present})
    merged = merged.drop(columns="_ref_key")
    merged.attrs = dict(df.attrs)
    report = dict(merged.attrs.get("references_non_resolues", {}))
    report[label] = len(unresolved)
    merged.attrs["references_non_resolues"] = report
    if unresolved:
        warnings.warn(
            f"{len(unresolved)} référence(s) {label} introuvable(s) dans la table de référence "
            f"(colonne {column}) : {_listing(unresolved)}. Les lignes sont gardées, avec des "
            "valeurs vides pour les colonnes jointes.",
            UnresolvedReferenceWarning, stacklevel=2,
        )
    return merged
