"""Roll-call votes (scrutins publics) of the Assemblée nationale: scrutins, positions, corrections.

Each archive ``Scrutins.json.zip`` of data.assemblee-nationale.fr contains one JSON file per
scrutin. One parse of an archive gives four tables, cached together as Parquet:

- ``scrutins(legislature)``: one row per scrutin, with its published outcome and totals;
- ``positions(legislature)``: one row per deputy listed by name in a scrutin;
- ``decomptes_groupes(legislature)``: one row per scrutin and political group, with the
  group's published counts and majority position;
- ``mises_au_point(legislature)``: one row per correction a deputy asked for after the vote.

Every load reports, by warnings and in ``df.attrs``, the scrutins whose individual
positions, group counts and totals do not add up, and the numbers missing from the
archive. No row is dropped and no missing scrutin is invented.
"""

from __future__ import annotations

import logging
import warnings
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from bureau_data.archive import iter_members
from bureau_data.assemblee import _scrutins_fast
from bureau_data.assemblee import _scrutins_parse as parse
from bureau_data.assemblee._common import invalid_json_advice
from bureau_data.assemblee._scrutins_checks import (
    MISMATCH_COLUMNS,
    NumberingGapWarning,
    ScrutinsSchemaWarning,
    ScrutinsWarning,
    UnknownSortWarning,
    UnresolvedReferenceWarning,
    VoteCountMismatchWarning,
    check_counts,
    check_counts_aligned,
    missing_counts,
    numbering_gaps,
    placeholder_groups,
    resolve_references,
    warn_gaps,
    warn_mismatches,
)
from bureau_data.assemblee._scrutins_parse import CAUSES, POSITIONS, POSITIONS_MISE_AU_POINT
from bureau_data.cache import cached_tables
from bureau_data.errors import ConfigurationError, SchemaError
from bureau_data.fetch import fetch

__all__ = [
    "CAUSES",
    "DATASETS",
    "DECOMPTES_GROUPES_COLUMNS",
    "MISES_AU_POINT_COLUMNS",
    "POSITIONS",
    "POSITIONS_COLUMNS",
    "POSITIONS_MISE_AU_POINT",
    "SCRUTINS_COLUMNS",
    "NumberingGapWarning",
    "ScrutinsSchemaWarning",
    "ScrutinsWarning",
    "UnknownSortWarning",
    "UnresolvedReferenceWarning",
    "VoteCountMismatchWarning",
    "check_counts",
    "decomptes_groupes",
    "load_tables",
    "mises_au_point",
    "positions",
    "read_archive",
    "read_documents",
    "resolve_references",
    "scrutins",
]

logger = logging.getLogger(__name__)

# Catalogue dataset of each legislature's archive.
DATASETS = {
    15: "assemblee.scrutins.l15",
    16: "assemblee.scrutins.l16",
    17: "assemblee.scrutins.l17",
}
# Bump when the parsed tables change, so cached Parquet files are rebuilt.
PARSER_VERSION = "3"

# Declared columns and dtypes of each table (an empty result has them too).
SCRUTINS_COLUMNS = {
    "uid": "str",
    "numero": "Int64",
    "legislature": "Int8",
    "organe_uid": "str",
    "session_uid": "str",
    "seance_uid": "str",
    "date": "datetime64[us]",
    "type_vote_code": "str",
    "type_vote_libelle": "str",
    "type_majorite": "str",
    "titre": "str",
    "objet": "str",
    "demandeur": "str",
    "dossier_uid": "str",
    "lieu_vote": "str",
    "mode_publication": "str",
    "sort_code": "str",
    "sort_libelle": "str",
    "adopte": "boolean",
    "annonce": "str",
    "majorite_requise": "Int64",
    "pour": "Int64",
    "contre": "Int64",
    "abstentions": "Int64",
    "non_votants": "Int64",
    "non_votants_volontaires": "Int64",
    "votants": "Int64",
    "exprimes": "Int64",
    "fichier": "str",
}
POSITIONS_COLUMNS = {
    "scrutin_uid": "category",
    "acteur_uid": "category",
    "mandat_uid": "category",
    "groupe_uid": "category",
    "position": "category",
    "par_delegation": "boolean",
    "cause_code": "category",
    "cause_libelle": "category",
    "num_place": "Int16",
}
DECOMPTES_GROUPES_COLUMNS = {
    "scrutin_uid": "category",
    "groupe_uid": "category",
    "nombre_membres": "Int64",
    "position_majoritaire": "category",
    "pour": "Int64",
    "contre": "Int64",
    "abstentions": "Int64",
    "non_votants": "Int64",
    "non_votants_volontaires": "Int64",
}
MISES_AU_POINT_COLUMNS = {
    "scrutin_uid": "str",
    "acteur_uid": "str",
    "mandat_uid": "str",
    "position": "category",
    "dysfonctionnement": "bool",
    "par_delegation": "boolean",
    "num_place": "Int16",
}


def _legislature(legislature: int | str) -> int:
    try:
        number = int(legislature)
    except (TypeError, ValueError):
        number = -1
    if number not in DATASETS:
        raise ConfigurationError(
            f"Législature {legislature!r} non disponible pour les scrutins. "
            f"Législatures disponibles : {', '.join(map(str, DATASETS))}."
        )
    return number


def _derive_adopte(df: pd.DataFrame) -> tuple[pd.Series, list[str]]:
    """Return ``adopte`` from ``sort_code`` and the uids whose code is unknown.

    The outcome is never recomputed from the counts: a motion de censure needs the
    absolute majority of the members, and some votes need three fifths of the votes cast.
    """
    # Each distinct code is normalised once: a few spellings for thousands of scrutins.
    codes = df["sort_code"].astype("object").where(df["sort_code"].notna(), None).to_numpy()
    distinct = pd.unique(codes)
    outcome = {}
    for code in distinct:
        normalised = parse.normalise_sort(code) if isinstance(code, str) else None
        outcome[code] = parse.SORT_ADOPTED.get(normalised) if normalised is not None else None
    values = [outcome[code] for code in codes]
    unknown_rows = [row for row, value in enumerate(values) if value is None]
    unknown = [str(uid) for uid in df["uid"].iloc[unknown_rows]]
    return pd.Series(pd.array(values, dtype="boolean"), index=df.index), unknown


def _order_by_scrutin(tables: dict[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    """Sort scrutins by series and number, and the other tables in the same scrutin order.

    Archive members come in name order (V1, V10, V100…), hence the sort.
    """
    scrutins_df = tables["scrutins"]
    series = scrutins_df["uid"].str.replace(r"\d+$", "", regex=True)
    order = np.lexsort((scrutins_df["numero"].fillna(-1).to_numpy(dtype="int64"), series.to_numpy(dtype="object")))
    scrutins_df = scrutins_df.iloc[order].reset_index(drop=True)
    ordered_uids = list(pd.unique(scrutins_df["uid"].to_numpy(dtype="object")))
    rank = {uid: i for i, uid in enumerate(ordered_uids)}
    result = {"scrutins": scrutins_df}
    for name, df in tables.items():
        if name == "scrutins":
            continue
        if isinstance(df["scrutin_uid"].dtype, pd.CategoricalDtype):
            scrutin_uid = df["scrutin_uid"].cat.set_categories(pd.Index(ordered_uids, dtype="str"))
            keys = scrutin_uid.cat.codes.to_numpy()
            df = df.assign(scrutin_uid=scrutin_uid)
        else:
            keys = df["scrutin_uid"].map(rank).to_numpy(dtype="int64")
        result[name] = df.iloc[np.argsort(keys, kind="stable")].reset_index(drop=True)
    return result


def build_tables(cols: parse._Columns) -> dict[str, pd.DataFrame]:
    """Type the parsed column lists, derive ``adopte``, run the checks and fill ``attrs``.

    Parameters
    ----------
    cols
        Column lists returned by ``_scrutins_parse.parse_documents``.

    Returns
    -------
    dict of pandas.DataFrame
        As ``read_documents``, without emitting the warnings: the checks are only stored
        in ``attrs``.

    Examples
    --------
    >>> doc = {"scrutin": {"uid": "VTANR5L17V1", "numero": "1", "sort": {"code": "rejeté"}}}
    >>> tables = build_tables(parse.parse_documents([("VTANR5L17V1.json", doc)]))
    >>> bool(tables["scrutins"].loc[0, "adopte"]), tables["scrutins"].attrs["numeros_manquants"]
    (False, [])
    """
    scrutins_df = parse.scrutins_frame(cols)
    adopte, unknown_sorts = _derive_adopte(scrutins_df)
    scrutins_df.insert(list(scrutins_df.columns).index("sort_libelle") + 1, "adopte", adopte)
    tables = _order_by_scrutin({
        "scrutins": scrutins_df,
        "positions": parse.positions_frame(cols, list(cols.scrutins["uid"])),
        "decomptes_groupes": parse.groupes_frame(cols),
        "mises_au_point": parse.mises_au_point_frame(cols),
    })
    scrutins_df, positions_df, groupes_df = tables["scrutins"], tables["positions"], tables["decomptes_groupes"]

    counted = parse.run_counts_by_row(cols, groupes_df) if scrutins_df["uid"].is_unique else None
    if counted is None:
        mismatches = check_counts(scrutins_df, groupes_df, counted=parse.run_counts(cols))
    else:
        mismatches = check_counts_aligned(scrutins_df, groupes_df, counted)
    missing, duplicated = numbering_gaps(scrutins_df["uid"])
    cause_counts = positions_df["cause_code"].value_counts()
    unknown_causes = cause_counts[[code not in CAUSES and count > 0 for code, count in cause_counts.items()]]
    raw_majority = cols.groupes["position_majoritaire"]
    unknown_majority: dict[Any, int] = {}
    if not set(raw_majority) <= {None, *POSITIONS}:
        majority = pd.Series(raw_majority, dtype="object")
        unknown_majority = majority[majority.notna() & ~majority.isin(POSITIONS)].value_counts().to_dict()

    report: dict[str, Any] = {
        "ecarts_decompte": (mismatches.astype("object").where(mismatches.notna(), None).to_dict("records")
                            if len(mismatches) else []),
        "decomptes_absents": missing_counts(scrutins_df, groupes_df),
        "groupes_non_identifies": placeholder_groups(groupes_df),
        "numeros_manquants": missing,
        "uids_en_double": duplicated,
        "sorts_inconnus": unknown_sorts,
        "sections_inconnues": [list(item) for item in cols.unknown_sections],
        "causes_inconnues": {str(k): int(v) for k, v in unknown_causes.items()},
        "positions_majoritaires_inconnues": {str(k): int(v) for k, v in unknown_majority.items()},
    }
    for df in tables.values():
        df.attrs.update(report)
    return tables


def _report(tables: Mapping[str, pd.DataFrame], where: str, stacklevel: int = 4) -> None:
    """Emit the warnings stored in ``attrs``: at every load, from the cache or not."""
    attrs = tables["scrutins"].attrs
    mismatches = pd.DataFrame(attrs.get("ecarts_decompte", []), columns=list(MISMATCH_COLUMNS))
    warn_mismatches(mismatches, where, stacklevel=stacklevel)
    warn_gaps(attrs.get("numeros_manquants", []), attrs.get("uids_en_double", []), where, stacklevel=stacklevel)

    unknown_sorts = attrs.get("sorts_inconnus", [])
    if unknown_sorts:
        warnings.warn(
            f"{where} : {len(unknown_sorts)} scrutin(s) dont sort.code n'est ni « adopté » ni « rejeté » "
            f"({', '.join(unknown_sorts[:8])}) : la colonne adopte y est vide (<NA>), jamais « rejeté » "
            "par défaut. Voyez la colonne sort_code.",
            UnknownSortWarning, stacklevel=stacklevel,
        )

    placeholders = attrs.get("groupes_non_identifies", [])
    if placeholders:
        warnings.warn(
            f"{where} : {len(placeholders)} scrutin(s) publié(s) avec l'organe fictif PO0 à la place "
            f"des groupes ({', '.join(placeholders[:8])}{', …' if len(placeholders) > 8 else ''}) : "
            "leurs positions sont gardées avec groupe_uid = PO0, sans groupe réel. Liste dans "
            "df.attrs['groupes_non_identifies'].",
            ScrutinsSchemaWarning, stacklevel=stacklevel,
        )

    missing = attrs.get("decomptes_absents", [])
    if missing:
        warnings.warn(
            f"{where} : {len(missing)} scrutin(s) sans décompte publié complet ({', '.join(missing[:8])}) : "
            "la concordance des positions, des groupes et des totaux n'y est pas vérifiable. "
            "Liste dans df.attrs['decomptes_absents'].",
            ScrutinsSchemaWarning, stacklevel=stacklevel,
        )

    sections = attrs.get("sections_inconnues", [])
    if sections:
        listed = ", ".join(f"{name} « {key} » ({count} votants)" for name, key, count in sections[:8])
        warnings.warn(
            f"{where} : {len(sections)} section(s) de votants de nom inconnu, non lues : {listed}. "
            "Ces votants manquent aux positions, et les décomptes publiés de ces scrutins "
            "apparaissent en écart.",
            ScrutinsSchemaWarning, stacklevel=stacklevel,
        )

    for key, what in (("causes_inconnues", "cause de non-vote (causePositionVote)"),
                      ("positions_majoritaires_inconnues", "position majoritaire de groupe")):
        unknown = attrs.get(key, {})
        if unknown:
            listed = ", ".join(f"{code!r} × {count}" for code, count in unknown.items())
            warnings.warn(
                f"{where} : valeur(s) inconnue(s) de {what} : {listed}. Le code est gardé ; "
                "voyez la documentation de l'Assemblée nationale pour son sens.",
                ScrutinsSchemaWarning, stacklevel=stacklevel,
            )


def read_documents(documents: Iterable[tuple[str, bytes | Mapping[str, Any]]]) -> dict[str, pd.DataFrame]:
    """Parse scrutin documents into the four tables, with their checks in ``attrs``.

    This is the parser behind the loaders, for documents that do not come from the
    catalogue (tests, a single downloaded file). Warnings are emitted as by the loaders.

    Parameters
    ----------
    documents
        ``(name, document)`` pairs, where a document is the bytes of one JSON file or
        the object it contains (``{"scrutin": {...}}``). ``name`` appears in error messages.

    Returns
    -------
    dict of pandas.DataFrame
        Keys ``scrutins``, ``positions``, ``decomptes_groupes`` and ``mises_au_point``,
        with the columns described in ``scrutins()`` and the other loaders.

    Raises
    ------
    SchemaError
        When a document is not valid JSON, has no ``scrutin`` root, or contains a value of an
        unexpected shape. The message names the document.

    Examples
    --------
    >>> doc = {"scrutin": {"uid": "VTANR5L17V1", "numero": "1", "sort": {"code": "adopté"}}}
    >>> import warnings
    >>> with warnings.catch_warnings():
    ...     warnings.simplefilter("ignore")
    ...     tables = read_documents([("VTANR5L17V1.json", doc)])
    >>> bool(tables["scrutins"].loc[0, "adopte"])
    True
    """
    tables = build_tables(_scrutins_fast.parse_documents(documents))
    _report(tables, "Scrutins", stacklevel=3)
    return tables


def read_archive(path: str | Path, *, where: str | None = None) -> dict[str, pd.DataFrame]:
    """Parse every ``*.json`` member of a scrutins zip archive into the four tables.

    Members are read in memory through ``bureau_data.archive.iter_members`` (with its
    zip-bomb limits) and decoded with typed msgspec Structs; a member of another shape is
    parsed with orjson and normalised (see ``_scrutins_fast``), with the same result.
    Nothing is cached here; the loaders cache.
    Warnings are not emitted here, so that a cached load and a fresh one report the same
    way; see ``df.attrs`` or call a loader.

    Parameters
    ----------
    path
        The zip archive.
    where
        Name of the archive in the debug log line, or None for ``path``.

    Returns
    -------
    dict of pandas.DataFrame
        As ``read_documents``.

    Raises
    ------
    ArchiveError
        When the archive is damaged or exceeds a size limit.
    SchemaError
        When a member is not valid JSON or has no ``scrutin`` root.

    Examples
    --------
    >>> import json, pathlib, tempfile, zipfile
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "scrutins.zip"
    >>> doc = {"scrutin": {"uid": "VTANR5L17V1", "numero": "1", "sort": {"code": "adopté"}}}
    >>> with zipfile.ZipFile(path, "w") as zf:
    ...     zf.writestr("json/VTANR5L17V1.json", json.dumps(doc))
    >>> tables = read_archive(path)
    >>> sorted(tables), tables["scrutins"]["uid"].tolist()
    (['decomptes_groupes', 'mises_au_point', 'positions', 'scrutins'], ['VTANR5L17V1'])
    """
    path = Path(path)
    try:
        with _scrutins_fast.gc_paused():
            cols = _scrutins_fast.parse_documents(iter_members(path, "*.json"))
            tables = build_tables(cols)
    except SchemaError as exc:
        if exc.found != "JSON invalide":
            raise
        # The member passed the archive's CRC check, so the message names the archive
        # and gives the advice for a file malformed as published.
        message = str(exc).replace(invalid_json_advice(None), invalid_json_advice(path))
        raise SchemaError(f"{path.name}:{message}", path=f"{path.name}:{exc.path}", field=exc.field,
                          found=exc.found) from exc
    logger.debug("%s : %d scrutins, %d positions lus", where or path, len(tables["scrutins"]),
                 len(tables["positions"]))
    return tables


def load_tables(legislature: int) -> dict[str, pd.DataFrame]:
    """Return the four scrutins tables of ``legislature`` from one (cached) parse.

    On a cache miss the archive is fetched (``bureau_data.fetch``), parsed once, and the
    four tables are stored as Parquet beside their ``attrs``; later calls read the
    Parquet files. Warnings for the checks are emitted at every call.

    Parameters
    ----------
    legislature
        15, 16 or 17.

    Returns
    -------
    dict of pandas.DataFrame
        Keys ``scrutins``, ``positions``, ``decomptes_groupes`` and ``mises_au_point``.

    Raises
    ------
    ConfigurationError
        When no archive is catalogued for ``legislature`` (15, 16 and 17 are).

    Examples
    --------
    >>> tables = load_tables(17)
    >>> {name: len(table) for name, table in tables.items()}
    {'scrutins': 3876, 'positions': 649410, 'decomptes_groupes': 46512, 'mises_au_point': 1670}
    """
    number = _legislature(legislature)
    fetched = fetch(DATASETS[number])
    where = f"Scrutins de la {number}e législature ({fetched.path.name})"
    tables = cached_tables(
        f"assemblee-scrutins-l{number}", PARSER_VERSION, [fetched.record],
        lambda: read_archive(fetched.path, where=where),
    )
    _report(tables, where)
    return tables


def scrutins(legislature: int) -> pd.DataFrame:
    """Load the roll-call votes of a legislature: one row per scrutin.

    Parameters
    ----------
    legislature
        15, 16 or 17. The XVth-legislature archive contains only the 804 scrutins of 2019,
        the XVIth the 3711 scrutins from July 2022 to May 2024 (one of them the Congrès).

    Returns
    -------
    pandas.DataFrame
        Sorted by uid series (Assemblée ``VTANR…`` then Congrès ``VTCGR…``) and number.

        ========================  ===============  =================================================
        column                    dtype            meaning
        ========================  ===============  =================================================
        uid                       str              ``VTANR5L17V1``; ``VTCGR…`` for the Congrès
        numero                    Int64            number within its series
        legislature               Int8             legislature
        organe_uid                str              Assemblée (or Congrès) organe of the vote
        session_uid, seance_uid   str              session and sitting
        date                      datetime64       date of the vote
        type_vote_code            str              SPO ordinaire, SPS solennel, MOC motion de
                                                   censure, SSG Congrès
        type_vote_libelle         str              label of the type, as published
        type_majorite             str              majority rule, as published
        titre, objet              str              title and object of the vote
        demandeur                 str              who asked for the scrutin public, or empty
        dossier_uid               str              ``objet.dossierLegislatif`` (empty in these files)
        lieu_vote                 str              « Hémicycle », « Salons », « Congrès » (XVIIth)
        mode_publication          str              ``DecompteNominatif``
        sort_code, sort_libelle   str              outcome, as published
        adopte                    boolean          True when ``sort_code`` is « adopté »,
                                                   False for « rejeté », <NA> when unknown
        annonce                   str              announcement of the result
        majorite_requise          Int64            votes needed (``nbrSuffragesRequis``)
        pour, contre              Int64            totals of the ``syntheseVote``
        abstentions, non_votants  Int64            idem
        non_votants_volontaires   Int64            idem
        votants, exprimes         Int64            votes cast, and votes for or against
        fichier                   str              archive member the row comes from
        ========================  ===============  =================================================

        ``attrs`` contains the checks (see Notes), and ``provenance`` the file's record.

    Raises
    ------
    ConfigurationError
        When ``legislature`` is not 15, 16 or 17.
    SchemaError
        When a file of the archive is not a scrutin or has an unexpected shape.

    Notes
    -----
    - ``adopte`` comes from ``sort.code`` after Unicode NFC and case folding, never from
      the counts: a motion de censure is adopted only with 289 votes for, whatever the
      votes against. An unknown code gives <NA> and an ``UnknownSortWarning``.
    - ``attrs["ecarts_decompte"]`` lists, with a ``VoteCountMismatchWarning``, every
      scrutin whose individual positions, group counts (``decompteVoix``) and totals
      (``syntheseVote``) differ. In the XVIIth legislature, V1 lists 21 non-voting deputies
      by group but announces 10; in the XVIth, four group counts of GDR-NUPES differ
      by one from its list (V1927, V1929, V1930, V1948).
    - ``attrs["groupes_non_identifies"]`` lists the scrutins published with the placeholder
      organe ``PO0`` for every group (XVIIth legislature: V489 and V491 to V501, on
      2 December 2024), with a ``ScrutinsSchemaWarning``. Their positions keep ``PO0``.
    - ``attrs["numeros_manquants"]`` lists the numbers missing between the first and the
      last scrutin of the archive (XVIth: V1743, V1748, V3707, V3710), with a
      ``NumberingGapWarning``.
    - The Congrès scrutin ``VTCGR5L16V1`` uses singular keys and lists senators: filter on
      ``uid.str.startswith("VTANR")`` to keep the Assemblée's votes.

    Examples
    --------
    >>> from bureau_data.assemblee.scrutins import scrutins
    >>> df = scrutins(17)
    >>> len(df), int(df["adopte"].sum())
    (3876, 1444)
    """
    return load_tables(legislature)["scrutins"]


def positions(legislature: int) -> pd.DataFrame:
    """Load the individual positions of a legislature's scrutins: one row per deputy and vote.

    Only deputies listed by name appear: those who voted, and the non-voting deputies
    listed with a cause (president of the Assemblée or of the sitting, members of the
    government). Absent deputies are not listed; see ``decomptes_groupes`` for the
    group sizes.

    Parameters
    ----------
    legislature
        15, 16 or 17.

    Returns
    -------
    pandas.DataFrame
        In scrutin order, then group and position as published.

        =============  ==========  ========================================================
        column         dtype       meaning
        =============  ==========  ========================================================
        scrutin_uid    category    scrutin (``scrutins().uid``)
        acteur_uid     category    deputy (``PA…``)
        mandat_uid     category    mandate under which the deputy voted (``PM…``)
        groupe_uid     category    group organe (``PO…``) as recorded in the scrutin
        position       category    ordered: pour < contre < abstention < non-votant
        par_delegation boolean     vote cast by delegation; <NA> where not given (non-
                                   voting deputies of the XVth and XVIth legislatures)
        cause_code     category    why a non-voting deputy did not vote: PAN, PSE, MG
        cause_libelle  category    label of ``cause_code`` (see ``CAUSES``)
        num_place      Int16       seat in the hemicycle (XVIIth legislature only)
        =============  ==========  ========================================================

    Raises
    ------
    ConfigurationError, SchemaError
        As ``scrutins()``.

    Notes
    -----
    A group with a single voter in a position has an object where other files have a
    list, and a scrutin with one group likewise; both give the same rows.

    Examples
    --------
    >>> from bureau_data.assemblee.scrutins import positions
    >>> votes = positions(17)
    >>> votes["position"].value_counts().to_dict()
    {'contre': 310652, 'pour': 288991, 'abstention': 33917, 'non-votant': 15850}
    """
    return load_tables(legislature)["positions"]


def decomptes_groupes(legislature: int) -> pd.DataFrame:
    """Load the published count of each political group in each scrutin.

    Returns
    -------
    pandas.DataFrame
        =======================  =========  ===================================================
        column                   dtype      meaning
        =======================  =========  ===================================================
        scrutin_uid              category   scrutin
        groupe_uid               category   group organe (``PO…``), never its acronym
        nombre_membres           Int64      members of the group on the day of the vote
        position_majoritaire     category   published majority position: pour, contre,
                                            abstention (also given for a group with no vote)
        pour, contre             Int64      the group's ``decompteVoix``
        abstentions, non_votants Int64      idem
        non_votants_volontaires  Int64      idem
        =======================  =========  ===================================================

    Parameters
    ----------
    legislature
        15, 16 or 17.

    Raises
    ------
    ConfigurationError, SchemaError
        As ``scrutins()``.

    Examples
    --------
    >>> counts = decomptes_groupes(17)
    >>> rn = counts[(counts.scrutin_uid == "VTANR5L17V1") & (counts.groupe_uid == "PO845401")]
    >>> int(rn["nombre_membres"].iloc[0])
    125
    """
    return load_tables(legislature)["decomptes_groupes"]


def mises_au_point(legislature: int) -> pd.DataFrame:
    """Load the corrections (mises au point) of a legislature's scrutins.

    A mise au point records the position a deputy states they meant to take; it never
    changes the published result, so ``positions()`` keeps the recorded votes.

    Returns
    -------
    pandas.DataFrame
        =================  ========  ========================================================
        column             dtype     meaning
        =================  ========  ========================================================
        scrutin_uid        str       scrutin
        acteur_uid         str       deputy
        mandat_uid         str       mandate
        position           category  position meant: pour, contre, abstention, non-votant,
                                     non-votant volontaire
        dysfonctionnement  bool      True when declared as a malfunction of the voting
                                     system (``miseAuPoint.dysfonctionnement``)
        par_delegation     boolean   as in ``positions()``
        num_place          Int16     seat (XVIIth legislature)
        =================  ========  ========================================================

    Parameters
    ----------
    legislature
        15, 16 or 17.

    Raises
    ------
    ConfigurationError, SchemaError
        As ``scrutins()``.

    Notes
    -----
    In the XVIIth legislature ``abstentions``, ``nonVotants`` and
    ``nonVotantsVolontaires`` are lists that may hold nulls (``[null, {"votant": …}]``);
    the Congrès uses ``pour``/``contre`` instead of ``pours``/``contres``.

    Examples
    --------
    >>> corrections = mises_au_point(17)
    >>> len(corrections), int(corrections["dysfonctionnement"].sum())
    (1670, 53)
    """
    return load_tables(legislature)["mises_au_point"]
