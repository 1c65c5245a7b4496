"""Vote metrics computed from the scrutins tables: participation, cohesion, agreement, wins, loyalty.

Every function takes the tables of ``bureau_data.assemblee.scrutins`` and returns a
DataFrame keyed by organe uid (``groupe_uid``) or deputy uid (``acteur_uid``), never by
acronym, because a new legislature may reuse an acronym for another organe. Names and
colours come afterwards, from ``bureau_data.plot.group_label`` / ``group_color`` or from
``bureau_data.assemblee.amo``.

Each result carries its French method paragraph in ``df.attrs["method"]``, also logged
with ``bureau_data.provenance.log_method`` so that an article prints it under
« Sources et méthode ». Rates computed on fewer than ``MIN_DENOMINATOR`` observations are
flagged (``petit_effectif``) and reported by a ``SmallDenominatorWarning``.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable

import numpy as np
import pandas as pd

from bureau_data.errors import DataWarning, SchemaError
from bureau_data.provenance import log_method

__all__ = [
    "EXPRESSED",
    "MIN_DENOMINATOR",
    "PLACEHOLDER_GROUPS",
    "SmallDenominatorWarning",
    "UnidentifiedGroupWarning",
    "agreement_matrix",
    "group_table",
    "cohesion",
    "cohesion_by_group",
    "loyalty",
    "participation_by_deputy",
    "participation_by_group",
    "winning_side",
]

# A rate over fewer observations than this is flagged as fragile: one vote more or less
# moves it by more than 3 points.
MIN_DENOMINATOR = 30
# Positions that count as taking part in a vote.
EXPRESSED = ("pour", "contre", "abstention")


# Organe uids that stand for « group not identified » in the scrutins files.
PLACEHOLDER_GROUPS = frozenset({"PO0"})


class SmallDenominatorWarning(DataWarning):
    """Some rates rest on fewer than ``MIN_DENOMINATOR`` observations.

    Examples
    --------
    >>> import warnings
    >>> votes = pd.DataFrame({"scrutin_uid": ["V1", "V1", "V2"], "groupe_uid": ["PO1"] * 3,
    ...                       "acteur_uid": ["PA1", "PA2", "PA1"],
    ...                       "position": ["pour", "contre", "pour"]})
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     table = loyalty(votes)
    >>> [warning.category.__name__ for warning in caught]
    ['SmallDenominatorWarning']
    """


class UnidentifiedGroupWarning(DataWarning):
    """Votes recorded under a placeholder group (``PO0``) were left out of group metrics.

    Examples
    --------
    >>> import warnings
    >>> votes = pd.DataFrame({"scrutin_uid": ["V1", "V1"], "groupe_uid": ["PO1", "PO0"],
    ...                       "acteur_uid": ["PA1", "PA2"], "position": ["pour", "contre"]})
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     table = cohesion(votes)
    >>> table["groupe_uid"].tolist(), caught[0].category.__name__
    (['PO1'], 'UnidentifiedGroupWarning')
    """


def _require(df: pd.DataFrame, columns: Iterable[str], name: str) -> None:
    missing = [column for column in columns if column not in df.columns]
    if missing:
        raise SchemaError(
            f"Table {name} : colonnes manquantes {', '.join(missing)}. Colonnes présentes : "
            f"{', '.join(map(str, df.columns))}. Passez la table renvoyée par "
            f"bureau_data.assemblee.scrutins.{name}().",
            field=", ".join(missing), found=", ".join(map(str, df.columns)),
        )


def _method(df: pd.DataFrame, key: str, title: str, text: str) -> pd.DataFrame:
    df.attrs["method"] = text
    df.attrs["method_title"] = title
    log_method(key, title, text)
    return df


def _flag_small(df: pd.DataFrame, denominator: str, what: str, min_denominator: int) -> pd.DataFrame:
    df["petit_effectif"] = (df[denominator] < min_denominator).astype("bool")
    count = int(df["petit_effectif"].sum())
    if count:
        warnings.warn(
            f"{count} taux de {what} sur {len(df)} reposent sur moins de {min_denominator} "
            f"observations (colonne {denominator}) : ils sont marqués dans la colonne "
            "petit_effectif ; citez-les avec prudence ou écartez-les.",
            SmallDenominatorWarning, stacklevel=3,
        )
    return df


def _percent(numerator: pd.Series, denominator: pd.Series) -> pd.Series:
    num = numerator.astype("float64")
    den = denominator.astype("float64")
    return (100 * num / den.where(den > 0)).astype("Float64")


def _group_key(series: pd.Series) -> pd.Series:
    """Return identifiers as plain Python strings (object dtype); missing values stay NaN.

    Taking the categories by code is much faster than ``astype("str")`` on a categorical
    of 650 000 rows.
    """
    if isinstance(series.dtype, pd.CategoricalDtype):
        categories = np.append(np.asarray(series.cat.categories.astype("str"), dtype=object), np.nan)
        codes = series.cat.codes.to_numpy()
        return pd.Series(categories[np.where(codes < 0, len(categories) - 1, codes)], index=series.index,
                         dtype="object")
    return series.astype("object").where(series.notna(), np.nan).map(lambda value: value if isinstance(
        value, str) or value is np.nan else str(value))


def _identified(df: pd.DataFrame) -> pd.DataFrame:
    """Drop the rows whose group is the placeholder organe ``PO0``, with a warning.

    The Assemblée published 12 scrutins of 2 December 2024 (XVIIth legislature) with
    ``PO0`` as the organe of every group, so their votes cannot be given to a group.
    """
    placeholder = _group_key(df["groupe_uid"]).isin(PLACEHOLDER_GROUPS)
    if not placeholder.any():
        return df
    scrutins_count = _group_key(df.loc[placeholder, "scrutin_uid"]).nunique()
    warnings.warn(
        f"{int(placeholder.sum())} ligne(s) de {scrutins_count} scrutin(s) sont rattachées à l'organe "
        f"fictif {', '.join(sorted(PLACEHOLDER_GROUPS))} (groupe non identifié par l'Assemblée) : "
        "elles sont écartées des mesures par groupe.",
        UnidentifiedGroupWarning, stacklevel=3,
    )
    return df[~placeholder]


# -- per scrutin and group ------------------------------------------------------------


def cohesion(positions: pd.DataFrame) -> pd.DataFrame:
    """Count each group's positions in each scrutin and measure how united it voted.

    Parameters
    ----------
    positions
        The table of ``scrutins.positions()`` (or a subset of its rows).

    Returns
    -------
    pandas.DataFrame
        One row per scrutin and group with at least one listed member:

        ====================  ========  =====================================================
        column                dtype     meaning
        ====================  ========  =====================================================
        scrutin_uid           str       scrutin
        groupe_uid            str       group organe, as recorded in the scrutin
        pour, contre          int64     members listed in each position
        abstention            int64     idem
        non_votant            int64     idem (president of the sitting, government...)
        votants               int64     pour + contre + abstention
        position_majoritaire  str       the position most of its voters took; <NA> when two
                                        positions tie or no member voted
        part_majoritaire_pct  Float64   share of its voters in that position, in %
        rice                  Float64   Rice index, |pour − contre| / (pour + contre)
        ====================  ========  =====================================================

    Examples
    --------
    >>> votes = pd.DataFrame({"scrutin_uid": ["V1"] * 4, "groupe_uid": ["PO1"] * 4,
    ...                       "acteur_uid": ["PA1", "PA2", "PA3", "PA4"],
    ...                       "position": ["pour", "pour", "pour", "contre"]})
    >>> row = cohesion(votes).iloc[0]
    >>> int(row["pour"]), int(row["contre"]), row["position_majoritaire"], float(row["rice"])
    (3, 1, 'pour', 0.5)
    >>> from bureau_data.assemblee.scrutins import positions
    >>> len(cohesion(positions(17)))
    43135
    """
    _require(positions, ("scrutin_uid", "groupe_uid", "position"), "positions")
    positions = _identified(positions)
    sizes = positions.groupby(["scrutin_uid", "groupe_uid", "position"], observed=True, sort=False).size()
    counts: pd.DataFrame = sizes.unstack("position", fill_value=0)
    counts.columns = counts.columns.astype("str")
    for position in (*EXPRESSED, "non-votant"):
        if position not in counts:
            counts[position] = 0
    counts = counts[[*EXPRESSED, "non-votant"]].astype("int64").rename(columns={"non-votant": "non_votant"})
    counts = counts.reset_index()
    counts["scrutin_uid"] = _group_key(counts["scrutin_uid"])
    counts["groupe_uid"] = _group_key(counts["groupe_uid"])
    counts = counts[counts[[*EXPRESSED, "non_votant"]].sum(axis=1) > 0].reset_index(drop=True)

    expressed = counts[list(EXPRESSED)].to_numpy()
    counts["votants"] = expressed.sum(axis=1)
    top = expressed.max(axis=1)
    ties = (expressed == top[:, None]).sum(axis=1) > 1
    majority = np.array(EXPRESSED, dtype=object)[expressed.argmax(axis=1)]
    undefined = ties | (counts["votants"].to_numpy() == 0)
    counts["position_majoritaire"] = pd.Series(np.where(undefined, None, majority), dtype="str")
    counts["part_majoritaire_pct"] = _percent(pd.Series(top).where(~undefined), counts["votants"])
    for_against = counts["pour"] + counts["contre"]
    counts["rice"] = ((counts["pour"] - counts["contre"]).abs() / for_against.where(for_against > 0)).astype("Float64")
    return _method(counts, "scrutins.cohesion", "Cohésion des groupes", (
        "La position majoritaire d'un groupe dans un scrutin est celle (pour, contre ou "
        "abstention) qu'ont prise le plus de ses membres votants, selon la liste nominative "
        "publiée par l'Assemblée nationale ; en cas d'égalité, elle n'est pas définie. La "
        "cohésion est la part des votants du groupe qui ont pris cette position. L'indice de "
        "Rice vaut |pour − contre| / (pour + contre) : 1 quand tous les suffrages exprimés du "
        "groupe vont dans le même sens, 0 quand ils se partagent à égalité ; il ignore les "
        "abstentions. Les députés qui n'ont pas pris part au vote ne comptent pas. Les votes "
        "que l'Assemblée publie sans groupe identifié (organe « PO0 ») sont écartés."
    ))


def cohesion_by_group(positions: pd.DataFrame, *, min_voters: int = 2,
                      min_denominator: int = MIN_DENOMINATOR) -> pd.DataFrame:
    """Average each group's cohesion over the scrutins where it cast enough votes.

    Parameters
    ----------
    positions
        The table of ``scrutins.positions()``.
    min_voters
        Scrutins where the group has fewer votes than this are left out: a lone voter is
        always « cohesive ».
    min_denominator
        Groups averaged over fewer scrutins are flagged ``petit_effectif``.

    Returns
    -------
    pandas.DataFrame
        One row per group: ``groupe_uid``, ``scrutins`` (scrutins averaged),
        ``cohesion_pct`` (mean share of voters in the majority position, in %), ``rice``
        (mean Rice index over the scrutins where the group cast a vote for or against),
        ``petit_effectif``. Sorted by decreasing cohesion.

    Examples
    --------
    >>> from bureau_data.assemblee.scrutins import positions
    >>> table = cohesion_by_group(positions(17)).set_index("groupe_uid")
    >>> rn = table.loc["PO845401"]  # Rassemblement national
    >>> int(rn["scrutins"]), round(float(rn["cohesion_pct"]), 1)
    (3854, 98.4)
    """
    per_scrutin = cohesion(positions)
    kept = per_scrutin[(per_scrutin["votants"] >= min_voters) & per_scrutin["position_majoritaire"].notna()]
    summary = kept.groupby("groupe_uid", sort=False).agg(
        scrutins=("scrutin_uid", "size"),
        cohesion_pct=("part_majoritaire_pct", "mean"),
        rice=("rice", "mean"),
    ).reset_index()
    summary["scrutins"] = summary["scrutins"].astype("int64")
    summary[["cohesion_pct", "rice"]] = summary[["cohesion_pct", "rice"]].astype("Float64")
    summary = summary.sort_values("cohesion_pct", ascending=False, kind="stable").reset_index(drop=True)
    summary = _flag_small(summary, "scrutins", "cohésion", min_denominator)
    return _method(summary, "scrutins.cohesion_groupes", "Cohésion moyenne des groupes", (
        "Pour chaque groupe, la cohésion est la moyenne, sur les scrutins où au moins "
        f"{min_voters} de ses membres ont voté, de la part de ses votants qui ont pris la "
        "position majoritaire du groupe (pour, contre ou abstention) ; l'indice de Rice moyen, "
        "|pour − contre| / (pour + contre), est calculé sur les mêmes scrutins. Chaque scrutin "
        "pèse autant, quel que soit le nombre de votants. Les scrutins où la position "
        "majoritaire n'est pas définie (égalité) sont écartés. Une moyenne sur moins de "
        f"{min_denominator} scrutins est signalée comme fragile."
    ))


def agreement_matrix(positions: pd.DataFrame, *, groups: Iterable[str] | None = None,
                     min_denominator: int = MIN_DENOMINATOR) -> pd.DataFrame:
    """Measure how often two groups took the same majority position.

    Parameters
    ----------
    positions
        The table of ``scrutins.positions()``.
    groups
        Group organe uids to keep, in this order; None keeps every group.
    min_denominator
        Pairs compared on fewer scrutins are reported by a warning.

    Returns
    -------
    pandas.DataFrame
        Square matrix indexed by ``groupe_uid`` in rows and columns: the share, in %, of
        the scrutins where both groups had a defined majority position and these
        positions were the same. ``attrs["effectifs"]`` contains the number of scrutins
        compared for each pair, as a nested dict.

    Examples
    --------
    >>> from bureau_data.assemblee.scrutins import positions
    >>> matrix = agreement_matrix(positions(17), groups=["PO845401", "PO845413"])
    >>> matrix.round(1)
    groupe_uid  PO845401  PO845413
    groupe_uid
    PO845401       100.0      19.7
    PO845413        19.7     100.0
    """
    per_scrutin = cohesion(positions)
    table = per_scrutin.pivot(index="scrutin_uid", columns="groupe_uid", values="position_majoritaire")
    order = list(groups) if groups is not None else list(table.columns)
    table = table.reindex(columns=order)
    codes = {position: i for i, position in enumerate(EXPRESSED)}
    values = table.apply(lambda column: column.map(codes)).to_numpy(dtype="float64")
    defined = ~np.isnan(values)
    size = len(order)
    shares = np.full((size, size), np.nan)
    counts = np.zeros((size, size), dtype=np.int64)
    for i in range(size):
        both = defined & defined[:, [i]]
        same = both & (values == values[:, [i]])
        counts[i] = both.sum(axis=0)
        with np.errstate(invalid="ignore", divide="ignore"):
            shares[i] = 100 * same.sum(axis=0) / np.where(counts[i] > 0, counts[i], np.nan)
    matrix = pd.DataFrame(shares, index=pd.Index(order, name="groupe_uid"),
                          columns=pd.Index(order, name="groupe_uid"))
    matrix.attrs["effectifs"] = {a: {b: int(counts[i, j]) for j, b in enumerate(order)} for i, a in enumerate(order)}
    small = int(((counts < min_denominator) & ~np.eye(size, dtype=bool)).sum() // 2)
    if small:
        warnings.warn(
            f"{small} paire(s) de groupes comparée(s) sur moins de {min_denominator} scrutins : "
            "leur taux d'accord est fragile (effectifs dans attrs['effectifs']).",
            SmallDenominatorWarning, stacklevel=2,
        )
    return _method(matrix, "scrutins.accord", "Accord entre groupes", (
        "Le taux d'accord entre deux groupes est la part des scrutins où leurs positions "
        "majoritaires (pour, contre ou abstention, celle qu'ont prise le plus de leurs "
        "membres votants) sont identiques, parmi les scrutins où chacun des deux groupes a "
        "une position majoritaire définie : au moins un votant et pas d'égalité. Deux groupes "
        "majoritairement abstentionnistes sont comptés d'accord. Chaque scrutin pèse autant, "
        "qu'il porte sur un amendement ou sur l'ensemble d'un texte."
    ))


def winning_side(positions: pd.DataFrame, scrutins: pd.DataFrame, *,
                 min_denominator: int = MIN_DENOMINATOR) -> pd.DataFrame:
    """Count how often each group's majority position matched the outcome of the vote.

    Parameters
    ----------
    positions
        The table of ``scrutins.positions()``.
    scrutins
        The table of ``scrutins.scrutins()``, for ``adopte``.
    min_denominator
        Groups counted on fewer scrutins are flagged ``petit_effectif``.

    Returns
    -------
    pandas.DataFrame
        One row per group: ``groupe_uid``, ``scrutins`` (scrutins with a defined majority
        position and a known outcome), ``victoires`` (majority pour and adopted, or
        majority contre and rejected), ``abstentions_majoritaires``, ``victoires_pct``
        (in %), ``petit_effectif``. Sorted by decreasing share.

    Examples
    --------
    >>> from bureau_data.assemblee.scrutins import positions, scrutins
    >>> table = winning_side(positions(17), scrutins(17)).set_index("groupe_uid")
    >>> table.loc["PO845407", ["scrutins", "victoires"]].tolist()  # EPR
    [3794, 3038]
    """
    _require(scrutins, ("uid", "adopte"), "scrutins")
    per_scrutin = cohesion(positions)
    outcome = pd.Series(scrutins["adopte"].to_numpy(), index=scrutins["uid"].astype("str"))
    per_scrutin["adopte"] = per_scrutin["scrutin_uid"].map(outcome).astype("boolean")
    kept = per_scrutin[per_scrutin["position_majoritaire"].notna() & per_scrutin["adopte"].notna()].copy()
    won = ((kept["position_majoritaire"] == "pour") & kept["adopte"]) | (
        (kept["position_majoritaire"] == "contre") & ~kept["adopte"])
    kept["victoire"] = won.astype("bool")
    kept["abstention_majoritaire"] = kept["position_majoritaire"] == "abstention"
    summary = kept.groupby("groupe_uid", sort=False).agg(
        scrutins=("scrutin_uid", "size"),
        victoires=("victoire", "sum"),
        abstentions_majoritaires=("abstention_majoritaire", "sum"),
    ).reset_index()
    summary = summary.astype({"scrutins": "int64", "victoires": "int64", "abstentions_majoritaires": "int64"})
    summary["victoires_pct"] = _percent(summary["victoires"], summary["scrutins"])
    summary = summary.sort_values("victoires_pct", ascending=False, kind="stable").reset_index(drop=True)
    summary = _flag_small(summary, "scrutins", "victoire", min_denominator)
    return _method(summary, "scrutins.victoires", "Groupes du côté gagnant", (
        "Un groupe est du côté gagnant d'un scrutin quand sa position majoritaire est « pour » "
        "et que le texte ou l'amendement est adopté, ou « contre » et qu'il est rejeté ; le "
        "résultat est celui que publie l'Assemblée nationale, jamais recalculé à partir des "
        "voix (une motion de censure exige 289 voix pour). Une abstention majoritaire n'est "
        "jamais gagnante. Le taux se calcule sur les scrutins où le groupe a une position "
        "majoritaire définie ; lors d'une motion de censure, seuls les votes pour sont "
        "recueillis, si bien que les groupes qui la refusent n'y ont pas de position."
    ))


# -- participation ----------------------------------------------------------------------


def participation_by_group(decomptes: pd.DataFrame, *,
                           min_denominator: int = MIN_DENOMINATOR) -> pd.DataFrame:
    """Measure each group's turnout from the published group counts.

    Parameters
    ----------
    decomptes
        The table of ``scrutins.decomptes_groupes()`` (or a subset of its rows).
    min_denominator
        Groups with fewer expected votes are flagged ``petit_effectif``.

    Returns
    -------
    pandas.DataFrame
        One row per group: ``groupe_uid``, ``scrutins``, ``membres_moyen`` (mean group
        size), ``attendus`` (sum over scrutins of members minus non-voting members),
        ``votants`` (pour + contre + abstentions), ``participation_pct`` (in %),
        ``petit_effectif``. Sorted by decreasing participation.

    Examples
    --------
    >>> from bureau_data.assemblee.scrutins import decomptes_groupes
    >>> table = participation_by_group(decomptes_groupes(17)).set_index("groupe_uid")
    >>> round(float(table.loc["PO845401", "membres_moyen"]), 1)  # RN
    123.4
    """
    _require(decomptes, ("scrutin_uid", "groupe_uid", "nombre_membres", "pour", "contre", "abstentions",
                         "non_votants"), "decomptes_groupes")
    decomptes = _identified(decomptes)
    df = pd.DataFrame({
        "groupe_uid": _group_key(decomptes["groupe_uid"]),
        "scrutin_uid": _group_key(decomptes["scrutin_uid"]),
        "membres": decomptes["nombre_membres"].astype("float64"),
        "attendus": (decomptes["nombre_membres"] - decomptes["non_votants"]).astype("float64"),
        "votants": (decomptes["pour"] + decomptes["contre"] + decomptes["abstentions"]).astype("float64"),
    })
    summary = df.groupby("groupe_uid", sort=False).agg(
        scrutins=("scrutin_uid", "size"), membres_moyen=("membres", "mean"),
        attendus=("attendus", "sum"), votants=("votants", "sum"),
    ).reset_index()
    summary = summary.astype({"scrutins": "int64", "attendus": "int64", "votants": "int64"})
    summary["participation_pct"] = _percent(summary["votants"], summary["attendus"])
    summary = summary.sort_values("participation_pct", ascending=False, kind="stable").reset_index(drop=True)
    summary = _flag_small(summary, "attendus", "participation", min_denominator)
    return _method(summary, "scrutins.participation_groupes", "Participation des groupes", (
        "La participation d'un groupe rapporte le nombre de votes de ses membres (pour, contre "
        "ou abstention) au nombre de votes attendus : pour chaque scrutin, l'effectif du groupe "
        "publié ce jour-là, moins ses membres que l'Assemblée liste comme ne pouvant pas voter "
        "(président de l'Assemblée ou de la séance, membres du Gouvernement), qui ne sont pas "
        "comptés absents ; puis on somme sur tous les scrutins. Un député présent qui choisit "
        "de ne pas voter compte comme non participant. Une délégation de vote compte comme "
        "une participation. La plupart des scrutins ordinaires ont lieu devant un hémicycle "
        "peu rempli : le taux mesure la présence aux votes, pas le travail des députés."
    ))


def participation_by_deputy(positions: pd.DataFrame, scrutins: pd.DataFrame,
                            mandats: pd.DataFrame | None = None, *,
                            min_denominator: int = MIN_DENOMINATOR) -> pd.DataFrame:
    """Measure each deputy's turnout: votes cast over the scrutins held during their mandate.

    Parameters
    ----------
    positions
        The table of ``scrutins.positions()``.
    scrutins
        The table of ``scrutins.scrutins()``, for the dates; Congrès votes are left out.
    mandats
        Deputy mandates with ``acteur_uid``, ``date_debut`` and ``date_fin`` (NaT while
        active), such as ``amo.mandats(17, type_organe="ASSEMBLEE")``. A deputy without a
        mandate here (or every deputy, when None) is counted from their first to their
        last listed position, which misses absences before and after: ``base`` names the method used.
    min_denominator
        Deputies with fewer expected votes are flagged ``petit_effectif``.

    Returns
    -------
    pandas.DataFrame
        One row per deputy listed at least once: ``acteur_uid``, ``groupe_uid`` (group in
        their latest listed scrutin), ``scrutins_periode`` (scrutins held during the period),
        ``excuses`` (listed as non-voting: presiding, in government), ``votes`` (pour,
        contre or abstention), ``attendus`` (period minus excused), ``participation_pct``
        (in %), ``base`` (« mandat » or « présence »), ``petit_effectif``.

    Examples
    --------
    >>> from bureau_data.assemblee.scrutins import positions, scrutins
    >>> from bureau_data.assemblee.amo import mandats
    >>> deputies = mandats(17, type_organe="ASSEMBLEE")
    >>> table = participation_by_deputy(positions(17), scrutins(17), deputies)
    >>> len(table), table["base"].value_counts().to_dict()
    (621, {'mandat': 575, 'présence': 46})
    """
    _require(positions, ("scrutin_uid", "acteur_uid", "groupe_uid", "position"), "positions")
    _require(scrutins, ("uid", "date"), "scrutins")
    assemblee = scrutins[scrutins["uid"].astype("str").str.startswith("VTAN")]
    dates = pd.Series(assemblee["date"].to_numpy(), index=assemblee["uid"].astype("str"))
    sorted_dates = np.sort(assemblee["date"].dropna().to_numpy())

    votes = pd.DataFrame({
        "acteur_uid": _group_key(positions["acteur_uid"]),
        "groupe_uid": _group_key(positions["groupe_uid"]),
        "date": _group_key(positions["scrutin_uid"]).map(dates),
        "vote": _group_key(positions["position"]).isin(EXPRESSED),
    }).dropna(subset=["date"])
    votes["excuse"] = ~votes["vote"]
    summary = votes.groupby("acteur_uid", sort=False).agg(
        votes=("vote", "sum"), excuses=("excuse", "sum"), premier=("date", "min"), dernier=("date", "max"),
    )
    identified = votes[~votes["groupe_uid"].isin(PLACEHOLDER_GROUPS)]
    latest = identified.sort_values("date", kind="stable").groupby("acteur_uid")["groupe_uid"].last()
    summary["groupe_uid"] = latest

    def held(start: pd.Series, end: pd.Series) -> np.ndarray:
        first = np.searchsorted(sorted_dates, start.to_numpy(dtype="datetime64[us]"), side="left")
        last = np.searchsorted(sorted_dates, end.to_numpy(dtype="datetime64[us]"), side="right")
        return np.maximum(last - first, 0)

    summary["scrutins_periode"] = held(summary["premier"], summary["dernier"])
    summary["base"] = "présence"
    if mandats is not None:
        _require(mandats, ("acteur_uid", "date_debut", "date_fin"), "mandats")
        spans = mandats[mandats["acteur_uid"].astype("str").isin(summary.index)]
        if len(spans):
            end = spans["date_fin"].fillna(pd.Timestamp.max.normalize())
            per_mandate = pd.Series(held(spans["date_debut"], end), index=spans["acteur_uid"].astype("str"))
            # NOTE: a deputy's mandates are assumed not to overlap, so their counts add up.
            from_mandates = per_mandate.groupby(level=0).sum()
            summary.loc[from_mandates.index, "scrutins_periode"] = from_mandates
            summary.loc[from_mandates.index, "base"] = "mandat"
    summary = summary.reset_index()
    summary["attendus"] = (summary["scrutins_periode"] - summary["excuses"]).clip(lower=0).astype("int64")
    summary = summary.astype({"votes": "int64", "excuses": "int64", "scrutins_periode": "int64"})
    summary["participation_pct"] = _percent(summary["votes"], summary["attendus"])
    summary = summary[["acteur_uid", "groupe_uid", "scrutins_periode", "excuses", "votes", "attendus",
                       "participation_pct", "base"]]
    summary = summary.sort_values(["participation_pct", "acteur_uid"], ascending=[False, True],
                                  kind="stable").reset_index(drop=True)
    summary = _flag_small(summary, "attendus", "participation", min_denominator)
    return _method(summary, "scrutins.participation_deputes", "Participation des députés", (
        "La participation d'un député rapporte ses votes (pour, contre ou abstention, y "
        "compris par délégation) aux scrutins publics de l'Assemblée tenus pendant son mandat, "
        "moins ceux où il est listé comme ne pouvant pas voter (président de l'Assemblée ou de "
        "la séance, membre du Gouvernement) : ces scrutins ne comptent pas comme des absences. "
        "Quand les dates du mandat ne sont pas connues (colonne base = « présence »), la "
        "période va du premier au dernier scrutin où il apparaît, ce qui surestime sa "
        "participation. Les scrutins publics ne sont qu'une partie des votes : la plupart se "
        "font à main levée et ne sont pas nominatifs."
    ))


# -- loyalty ----------------------------------------------------------------------------


def loyalty(positions: pd.DataFrame, *, min_denominator: int = MIN_DENOMINATOR) -> pd.DataFrame:
    """Measure how often each deputy voted like the majority of their group.

    Parameters
    ----------
    positions
        The table of ``scrutins.positions()``.
    min_denominator
        Deputies with fewer compared votes are flagged ``petit_effectif``.

    Returns
    -------
    pandas.DataFrame
        One row per deputy with at least one compared vote: ``acteur_uid``,
        ``groupe_uid`` (group of most of their compared votes), ``votes`` (votes cast where
        their group had a defined majority position), ``votes_loyaux`` (same position),
        ``loyaute_pct`` (in %), ``petit_effectif``. Sorted by increasing loyalty.

    Examples
    --------
    >>> from bureau_data.assemblee.scrutins import positions
    >>> table = loyalty(positions(17))
    >>> len(table), round(float(table["loyaute_pct"].median()), 1)
    (617, 97.3)
    """
    _require(positions, ("scrutin_uid", "acteur_uid", "groupe_uid", "position"), "positions")
    positions = _identified(positions)
    per_scrutin = cohesion(positions)
    majority = per_scrutin.set_index(["scrutin_uid", "groupe_uid"])["position_majoritaire"]
    votes = pd.DataFrame({
        "acteur_uid": _group_key(positions["acteur_uid"]),
        "scrutin_uid": _group_key(positions["scrutin_uid"]),
        "groupe_uid": _group_key(positions["groupe_uid"]),
        "position": _group_key(positions["position"]),
    })
    votes = votes[votes["position"].isin(EXPRESSED)]
    votes = votes.merge(majority.rename("majoritaire").reset_index(), on=["scrutin_uid", "groupe_uid"], how="left")
    votes = votes[votes["majoritaire"].notna()]
    votes["loyal"] = votes["position"] == votes["majoritaire"]
    summary = votes.groupby("acteur_uid", sort=False).agg(
        votes=("loyal", "size"), votes_loyaux=("loyal", "sum"),
    )
    # The group of most of the deputy's compared votes (first in name order on a tie).
    main_group = votes.groupby(["acteur_uid", "groupe_uid"]).size().sort_values(ascending=False, kind="stable")
    summary["groupe_uid"] = main_group.reset_index().drop_duplicates("acteur_uid").set_index("acteur_uid")["groupe_uid"]
    summary = summary.reset_index()[["acteur_uid", "groupe_uid", "votes", "votes_loyaux"]]
    summary = summary.astype({"votes": "int64", "votes_loyaux": "int64"})
    summary["loyaute_pct"] = _percent(summary["votes_loyaux"], summary["votes"])
    summary = summary.sort_values(["loyaute_pct", "acteur_uid"], kind="stable").reset_index(drop=True)
    summary = _flag_small(summary, "votes", "loyauté", min_denominator)
    return _method(summary, "scrutins.loyaute", "Loyauté envers le groupe", (
        "La loyauté d'un député est la part de ses votes (pour, contre ou abstention) "
        "identiques à la position majoritaire de son groupe dans le même scrutin, c'est-à-dire "
        "la position qu'ont prise le plus de membres votants du groupe, lui compris ; le "
        "groupe est celui que l'Assemblée indique dans chaque scrutin, si bien qu'un changement "
        "de groupe est suivi. Les scrutins où le groupe n'a pas de position majoritaire "
        "définie (égalité) sont écartés. Pour les non-inscrits, qui ne forment pas un groupe "
        "politique, ce taux ne mesure pas une discipline."
    ))


# -- names of the groups ------------------------------------------------------------------


def group_table(decomptes: pd.DataFrame, scrutins: pd.DataFrame, legislature: int) -> pd.DataFrame:
    """Describe the groups present in the scrutins: acronym, name, colour, order, period.

    Names and colours come from the group registry of ``bureau_data.plot`` (looked up by
    organe uid, never by acronym). When two organes of the legislature share an acronym,
    as the two « UDR » groups of the XVIIth legislature do, ``libelle_court`` adds the
    period of their scrutins so that charts keep them apart.

    Parameters
    ----------
    decomptes
        The table of ``scrutins.decomptes_groupes()``.
    scrutins
        The table of ``scrutins.scrutins()``, for the dates.
    legislature
        The legislature of the tables.

    Returns
    -------
    pandas.DataFrame
        One row per group organe (placeholders such as ``PO0`` left out), left to right:
        ``groupe_uid``, ``sigle``, ``nom``, ``couleur``, ``ordre``, ``premier_scrutin``,
        ``dernier_scrutin`` (dates), ``scrutins`` (scrutins where the group is listed),
        ``libelle_court`` (unique label for charts). A group missing from the registry
        keeps its uid as label, in grey, with a ``UnknownGroupWarning``.

    Examples
    --------
    >>> from bureau_data.assemblee.scrutins import decomptes_groupes, scrutins
    >>> table = group_table(decomptes_groupes(17), scrutins(17), 17)
    >>> table.loc[table["sigle"] == "UDR", "libelle_court"].tolist()
    ['UDR (oct. 2024 – juil. 2025)', 'UDR (sept. 2025 – nov. 2025)']
    """
    from bureau_data.french import format_month_short
    from bureau_data.plot import group_color, group_label, group_order, resolve_group

    _require(decomptes, ("scrutin_uid", "groupe_uid"), "decomptes_groupes")
    dates = pd.Series(scrutins["date"].to_numpy(), index=_group_key(scrutins["uid"]))
    frame = pd.DataFrame({"groupe_uid": _group_key(decomptes["groupe_uid"]),
                          "date": _group_key(decomptes["scrutin_uid"]).map(dates)})
    frame = frame[~frame["groupe_uid"].isin(PLACEHOLDER_GROUPS)]
    table = frame.groupby("groupe_uid").agg(
        premier_scrutin=("date", "min"), dernier_scrutin=("date", "max"), scrutins=("date", "size"),
    ).reset_index()
    order = group_order(list(table["groupe_uid"]), legislature)
    table = table.set_index("groupe_uid").loc[order].reset_index()
    rows = [resolve_group(uid, legislature) or {} for uid in table["groupe_uid"]]
    table["sigle"] = [group_label(uid, legislature) for uid in table["groupe_uid"]]
    table["nom"] = [row.get("libelle", uid) for row, uid in zip(rows, table["groupe_uid"], strict=True)]
    table["couleur"] = [group_color(uid, legislature) for uid in table["groupe_uid"]]
    table["ordre"] = range(1, len(table) + 1)
    shared = table["sigle"].duplicated(keep=False)
    table["libelle_court"] = table["sigle"]
    table.loc[shared, "libelle_court"] = [
        f"{sigle} ({format_month_short(start)} – {format_month_short(end)})"
        for sigle, start, end in zip(table.loc[shared, "sigle"], table.loc[shared, "premier_scrutin"],
                                     table.loc[shared, "dernier_scrutin"], strict=True)
    ]
    return table[["groupe_uid", "sigle", "nom", "couleur", "ordre", "premier_scrutin", "dernier_scrutin",
                  "scrutins", "libelle_court"]]
