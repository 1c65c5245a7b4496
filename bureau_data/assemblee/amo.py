"""Deputies, mandates, organes and political groups from the Assemblée nationale AMO exports.

The AMO (« acteurs, mandats, organes ») files of data.assemblee-nationale.fr come in
several exports, and each legislature of this toolkit is read from one of them:

=========== ========= ============================ ========================================
législature source    dataset                      content
=========== ========= ============================ ========================================
15          ``amo10`` ``assemblee.amo.l15``        577 deputies sitting on 2019-06-20, with
                                                   their active mandates only
16          ``amo20`` ``assemblee.amo.l16``        every deputy, senator and minister of the
                                                   legislature with all their mandates. Every
                                                   deputy mandate closed on 2024-06-09.
17          ``amo10`` ``assemblee.amo.l17``        575 deputies sitting in November 2025,
                                                   active mandates only (the default)
17          ``amo50`` ``assemblee.amo.l17.divise`` divided export of July 2024: 577 deputy
                                                   mandates in separate files, before the
                                                   groups were formed
=========== ========= ============================ ========================================

Each archive is parsed once into three raw tables (acteurs, mandats, organes) kept in
the parsed-table cache. The functions here select and join them.
"""

from __future__ import annotations

import warnings
from datetime import date as Date
from datetime import datetime
from typing import Any

import pandas as pd

from bureau_data.assemblee._amo_parse import (
    ACTEUR_COLUMNS,
    DATE,
    MANDAT_COLUMNS,
    ORGANE_COLUMNS,
    PARSER_VERSION,
    STRING,
    parse_archive,
)
from bureau_data.cache import cached_tables
from bureau_data.errors import ConfigurationError, DataWarning
from bureau_data.fetch import fetch
from bureau_data.provenance import ProvenanceRecord, attach

# Dataset of each (legislature, source); the first source of a legislature is its default.
SOURCES: dict[int, dict[str, str]] = {
    15: {"amo10": "assemblee.amo.l15"},
    16: {"amo20": "assemblee.amo.l16"},
    17: {"amo10": "assemblee.amo.l17", "amo50": "assemblee.amo.l17.divise"},
}
# Exports that hold only the mandates active on the export day: a past date misses the
# deputies and group memberships that had ended by then.
ACTIVE_ONLY_SOURCES = {"amo10", "amo50"}

# Ranking of the qualities of a group mandate, used when a deputy has two at once. A
# group president has a « Président » and a « Membre » mandate of the same group.
_GROUP_QUALITY_RANK = {"Président": 0, "Membre": 1, "Membre apparenté": 2, "Député non-inscrit": 3}

DateLike = str | Date | datetime | pd.Timestamp

MANDATS_COLUMNS: dict[str, Any] = {
    name: (object if name == "organes_uids" else dtype)
    for name, dtype in MANDAT_COLUMNS.items()
    if name != "fichier"
}

ORGANES_COLUMNS: dict[str, Any] = {name: dtype for name, dtype in ORGANE_COLUMNS.items() if name != "fichier"}

APPARTENANCES_COLUMNS: dict[str, Any] = {
    "acteur_uid": STRING,
    "groupe_uid": STRING,
    "groupe_sigle": STRING,
    "groupe_nom": STRING,
    "groupe_couleur": STRING,
    "date_debut": DATE,
    "date_fin": DATE,
    "qualite": STRING,
    "mandat_uid": STRING,
}

GROUPE_A_LA_DATE_COLUMNS: dict[str, Any] = {
    "acteur_uid": STRING,
    "groupe_uid": STRING,
    "groupe_sigle": STRING,
    "groupe_nom": STRING,
    "groupe_couleur": STRING,
    "groupe_position": STRING,
    "groupe_preseance": "Int64",
    "qualite": STRING,
    "date_debut": DATE,
}

DEPUTES_COLUMNS: dict[str, Any] = {
    "uid": STRING,
    "civilite": STRING,
    "sexe": ACTEUR_COLUMNS["sexe"],
    "prenom": STRING,
    "nom": STRING,
    "date_naissance": DATE,
    "departement": STRING,
    "departement_code": STRING,
    "circonscription": "Int64",
    "region": STRING,
    "groupe_uid": STRING,
    "groupe_sigle": STRING,
    "groupe_nom": STRING,
    "groupe_couleur": STRING,
    "groupe_position": STRING,
    "groupe_qualite": STRING,
    "place_hemicycle": "Int64",
    "debut_mandat": DATE,
    "fin_mandat": DATE,
    "date_election": DATE,
    "cause_mandat": STRING,
    "premiere_election": "boolean",
    "mandat_uid": STRING,
    "mandat_remplace_uid": STRING,
    "suppleant_uid": STRING,
    "profession": STRING,
    "categorie_socio_pro": STRING,
    "famille_socio_pro": STRING,
}


# -- raw tables ------------------------------------------------------------------------


def _dataset_id(legislature: int, source: str | None) -> tuple[str, str]:
    """Return ``(source, dataset id)``, raising a clear error for an unknown pair."""
    if legislature not in SOURCES:
        raise ConfigurationError(
            f"Législature {legislature!r} non prise en charge pour les fichiers AMO. "
            f"Législatures disponibles : {', '.join(map(str, SOURCES))}."
        )
    choices = SOURCES[legislature]
    if source is None:
        source = next(iter(choices))
    if source not in choices:
        raise ConfigurationError(
            f"Source {source!r} inconnue pour la {legislature}e législature. "
            f"Sources disponibles : {', '.join(choices)}."
        )
    return source, choices[source]


def _parsed(dataset_id: str) -> tuple[dict[str, pd.DataFrame], ProvenanceRecord]:
    fetched = fetch(dataset_id)
    tables = cached_tables(
        f"assemblee-amo-{dataset_id}", PARSER_VERSION, [fetched.record],
        lambda: parse_archive(fetched.path),
    )
    return tables, fetched.record


def _append_missing(first: pd.DataFrame, second: pd.DataFrame) -> pd.DataFrame:
    """Return ``first`` followed by the rows of ``second`` whose uid ``first`` lacks."""
    extra = second[~second["uid"].isin(first["uid"])]
    return pd.concat([first, extra], ignore_index=True)


def _raw_tables(legislature: int, source: str | None) -> tuple[str, dict[str, pd.DataFrame], list[ProvenanceRecord]]:
    """Return the source name, the three raw tables and the provenance of their files.

    For the AMO50 export, the acteurs and organes it lacks are taken from the AMO10
    archive of the same legislature. The divided archive contains the acteur files of 28
    of its 577 deputies, and none of the organes of the 17th legislature. Its own
    mandates are kept alone, because the AMO10 ones are of a later date.
    """
    source, dataset_id = _dataset_id(legislature, source)
    tables, record = _parsed(dataset_id)
    records = [record]
    if source == "amo50":
        complement, complement_record = _parsed(SOURCES[legislature]["amo10"])
        records.append(complement_record)
        tables = {
            "acteurs": _append_missing(tables["acteurs"], complement["acteurs"]),
            "mandats": tables["mandats"],
            "organes": _append_missing(tables["organes"], complement["organes"]),
        }
    return source, tables, records


def _timestamp(value: DateLike, name: str = "date") -> pd.Timestamp:
    try:
        stamp = pd.Timestamp(value)
    except (TypeError, ValueError) as exc:
        raise ConfigurationError(
            f"Valeur invalide pour {name} : {value!r}. Donnez une date AAAA-MM-JJ, "
            "un datetime.date ou un pandas.Timestamp."
        ) from exc
    if pd.isna(stamp):
        raise ConfigurationError(f"Valeur invalide pour {name} : {value!r} (date vide).")
    return stamp.normalize().tz_localize(None) if stamp.tzinfo else stamp.normalize()


def _finish(df: pd.DataFrame, records: list[ProvenanceRecord], **attrs: Any) -> pd.DataFrame:
    df = df.reset_index(drop=True)
    df.attrs.update(attrs)
    return attach(df, records)


# -- organes and mandates ----------------------------------------------------------------


def organes(legislature: int, *, source: str | None = None, code_type: str | None = None) -> pd.DataFrame:
    """Load the organes of an AMO export: groups, commissions, the Assemblée itself...

    The first call parses the archive; later calls read the parsed-table cache.

    Parameters
    ----------
    legislature
        15, 16 or 17.
    source
        Export to read (see the module table); None takes the legislature's default.
    code_type
        Keep only the organes of this type (``"GP"`` for political groups, ``"COMPER"``
        for standing commissions, ``"ASSEMBLEE"``...). None keeps them all.

    Returns
    -------
    pandas.DataFrame
        One row per organe of the export, whatever its legislature (the exports also
        hold the organes of earlier legislatures and those without one, such as
        ministries):

        ================== ============== ===========================================
        column             dtype          meaning
        ================== ============== ===========================================
        uid                string         organe uid (``PO845419``)
        code_type          string         ``codeType`` (GP, COMPER, ASSEMBLEE...)
        libelle            string         full name
        libelle_edition    string         name as printed (« du groupe ... »)
        libelle_abrege     string         short name
        libelle_abrev      string         acronym (``SOC``); the group sigle
        date_debut         datetime64[ns] ``viMoDe.dateDebut``
        date_agrement      datetime64[ns] ``viMoDe.dateAgrement``
        date_fin           datetime64[ns] ``viMoDe.dateFin`` (NaT while active)
        legislature        Int64          legislature (NA for ministries...)
        organe_parent      string         uid of the parent organe
        regime             string         « 5ème République »
        couleur            string         ``couleurAssociee`` (``#F5B4CE``), groups only,
                                          absent in the 2019 export
        position_politique string         Majoritaire, Minoritaire, Opposition (groups)
        preseance          Int64          order of precedence of a group
        ================== ============== ===========================================

    Raises
    ------
    ConfigurationError
        For an unknown legislature or source.
    SchemaError
        When an organe file lacks ``uid``, ``codeType`` or ``libelle``.

    Examples
    --------
    >>> groupes = organes(17, code_type="GP")
    >>> len(groupes), sorted(groupes["libelle_abrege"])[:4]
    (12, ['DR', 'Dem', 'EPR', 'EcoS'])
    """
    _, tables, records = _raw_tables(legislature, source)
    df = tables["organes"].drop(columns="fichier")
    if code_type is not None:
        df = df[df["code_type"] == code_type]
    return _finish(df, records)


def mandats(
    legislature: int,
    *,
    source: str | None = None,
    type_organe: str | None = None,
    only_legislature: bool = False,
) -> pd.DataFrame:
    """Load the mandates of an AMO export, one row per mandate.

    Parameters
    ----------
    legislature
        15, 16 or 17.
    source
        Export to read (see the module table); None takes the legislature's default.
    type_organe
        Keep only the mandates of this organe type (``"ASSEMBLEE"``, ``"GP"``...).
    only_legislature
        Keep only the mandates whose ``legislature`` is ``legislature``. The AMO20 export
        also contains its acteurs' mandates of earlier legislatures, and mandates without
        a legislature (parties, government, Senate).

    Returns
    -------
    pandas.DataFrame
        ==================== ============== ==========================================
        column               dtype          meaning
        ==================== ============== ==========================================
        uid                  string         mandate uid (``PM843113``)
        acteur_uid           string         ``acteurRef`` (``PA607846``)
        legislature          Int64          legislature (NA when the source has none)
        type_organe          string         ASSEMBLEE, GP, COMPER, GOUVERNEMENT...
        organe_uid           string         first organe of the mandate
        organes_uids         object         list of every organe uid (usually one)
        date_debut           datetime64[ns] ``dateDebut`` (election day for a deputy)
        date_prise_fonction  datetime64[ns] ``mandature.datePriseFonction`` (taking office)
        date_fin             datetime64[ns] ``dateFin``; NaT when open on the export day
        date_publication     datetime64[ns] ``datePublication``
        qualite              string         ``infosQualite.codeQualite`` (membre,
                                            Président, Membre apparenté...)
        libelle_qualite      string         gendered label (``libQualiteSex``)
        preseance            Int64          ``preseance``
        nomination_principale boolean       ``nominPrincipale``
        cause_mandat         string         ``election.causeMandat``
        cause_fin            string         ``mandature.causeFin``
        mandat_remplace_uid  string         ``mandature.mandatRemplaceRef``: mandate this
                                            one replaces (substitutes, returns)
        suppleant_uid        string         acteur uid of the (last listed) substitute
        region               string         ``election.lieu.region``
        region_type          string         Métropolitain, Outre-mer, Hors de France
        departement          string         département name
        departement_code     string         normalised code (``01``, ``2A``, ``971``,
                                            ``099`` for the Français de l'étranger)
        circonscription      Int64          circonscription number in the département
        circonscription_uid  string         ``election.refCirconscription``
        place_hemicycle      Int64          seat number
        premiere_election    boolean        first election as a deputy
        ==================== ============== ==========================================

    Notes
    -----
    Dates are inclusive: a mandate with ``date_debut == date_fin`` lasted one day. In the
    2019 export the Assemblée's bureau roles (Président, Questeur, Secrétaire...) are
    ASSEMBLEE mandates too; the deputy's own mandate has ``qualite == "membre"``.

    Examples
    --------
    >>> gp = mandats(16, type_organe="GP", only_legislature=True)
    >>> len(gp), gp["acteur_uid"].nunique()
    (1305, 618)
    """
    _, tables, records = _raw_tables(legislature, source)
    df = tables["mandats"].drop(columns="fichier")
    if type_organe is not None:
        df = df[df["type_organe"] == type_organe]
    if only_legislature:
        df = df[df["legislature"] == legislature]
    df = df.copy()
    df["organes_uids"] = [str(value).split() for value in df["organes_uids"]]
    return _finish(df, records)


# -- groups ------------------------------------------------------------------------------


def _group_mandates(tables: dict[str, pd.DataFrame], legislature: int) -> pd.DataFrame:
    """Return the GP mandates of ``legislature`` joined with their group's labels."""
    mandates = tables["mandats"]
    gp = mandates[(mandates["type_organe"] == "GP") & (mandates["legislature"] == legislature)]
    groups = tables["organes"][["uid", "libelle_abrev", "libelle", "couleur", "position_politique", "preseance"]]
    groups = groups.rename(columns={
        "uid": "groupe_uid", "libelle_abrev": "groupe_sigle", "libelle": "groupe_nom",
        "couleur": "groupe_couleur", "position_politique": "groupe_position",
        "preseance": "groupe_preseance",
    })
    joined = gp[["uid", "acteur_uid", "organe_uid", "date_debut", "date_fin", "qualite"]].rename(
        columns={"uid": "mandat_uid", "organe_uid": "groupe_uid"}
    ).merge(groups, on="groupe_uid", how="left")
    unresolved = joined["groupe_nom"].isna()
    if unresolved.any():
        missing = sorted(joined.loc[unresolved, "groupe_uid"].unique())
        warnings.warn(
            f"{int(unresolved.sum())} mandat(s) de groupe renvoient à un organe absent de "
            f"l'export : {', '.join(missing[:10])}. Le sigle et le nom du groupe restent vides.",
            DataWarning, stacklevel=3,
        )
    return joined


def appartenances_groupes(legislature: int, *, source: str | None = None) -> pd.DataFrame:
    """Load the political group memberships of a legislature as date intervals.

    Parameters
    ----------
    legislature
        15, 16 or 17.
    source
        Export to read (see the module table); None takes the legislature's default.

    Returns
    -------
    pandas.DataFrame
        One row per group mandate (``typeOrgane == "GP"``) of the legislature, sorted by
        acteur and start date:

        ============== ============== ================================================
        column         dtype          meaning
        ============== ============== ================================================
        acteur_uid     string         deputy
        groupe_uid     string         group organe uid (``PO800496``)
        groupe_sigle   string         acronym (``SOC``)
        groupe_nom     string         full name
        groupe_couleur string         colour published by the AN (NA in 2019)
        date_debut     datetime64[ns] first day of the membership
        date_fin       datetime64[ns] last day (inclusive); NaT when still open
        qualite        string         Membre, Membre apparenté, Président, Député
                                      non-inscrit
        mandat_uid     string         group mandate uid
        ============== ============== ================================================

    Notes
    -----
    A group president has two mandates of the same group at once (« Président » and
    « Membre »), so two rows overlap. ``groupe_a_la_date`` keeps one group per deputy.
    Only the AMO20 export keeps ended memberships: in AMO10 and AMO50 each deputy has
    only the membership open on the export day.

    Examples
    --------
    >>> df = appartenances_groupes(16)
    >>> len(df)
    1305
    >>> df.loc[df["groupe_sigle"] == "LIOT", "acteur_uid"].nunique()
    22
    """
    _, tables, records = _raw_tables(legislature, source)
    df = _group_mandates(tables, legislature)
    df = df.sort_values(["acteur_uid", "date_debut", "mandat_uid"])
    df = df[list(APPARTENANCES_COLUMNS)].astype(APPARTENANCES_COLUMNS)
    return _finish(df, records)


def _groups_on(memberships: pd.DataFrame, day: pd.Timestamp) -> pd.DataFrame:
    """Return one group per acteur among the memberships that contain ``day``.

    When a deputy holds several group mandates that day, the group of the latest start
    wins (a change of group the same day), and among the mandates of that group the
    highest quality (Président before Membre).
    """
    active = memberships[
        (memberships["date_debut"] <= day)
        & (memberships["date_fin"].isna() | (memberships["date_fin"] >= day))
    ].copy()
    active["_rank"] = active["qualite"].map(_GROUP_QUALITY_RANK).fillna(9)
    latest_start = active.groupby("acteur_uid")["date_debut"].transform("max")
    latest_group = (
        active[active["date_debut"] == latest_start]
        .sort_values(["acteur_uid", "_rank", "groupe_uid"])
        .drop_duplicates("acteur_uid")[["acteur_uid", "groupe_uid"]]
    )
    chosen = active.merge(latest_group, on=["acteur_uid", "groupe_uid"])
    # The membership start is that of the group's earliest open mandate; the quality is
    # the best one held.
    start = chosen.groupby("acteur_uid")["date_debut"].min().rename("_start")
    chosen = chosen.sort_values(["acteur_uid", "_rank"]).drop_duplicates("acteur_uid")
    chosen = chosen.merge(start, left_on="acteur_uid", right_index=True)
    chosen["date_debut"] = chosen["_start"]
    return chosen[list(GROUPE_A_LA_DATE_COLUMNS)].astype(GROUPE_A_LA_DATE_COLUMNS)


def groupe_a_la_date(legislature: int, date: DateLike, *, source: str | None = None) -> pd.DataFrame:
    """Return each deputy's political group on a given day.

    Parameters
    ----------
    legislature
        15, 16 or 17.
    date
        The day, as ``"AAAA-MM-JJ"``, a ``datetime.date`` or a ``pandas.Timestamp``.
    source
        Export to read (see the module table); None takes the legislature's default.

    Returns
    -------
    pandas.DataFrame
        One row per acteur with a group mandate containing ``date`` (start and end
        inclusive): ``acteur_uid``, ``groupe_uid``, ``groupe_sigle``, ``groupe_nom``,
        ``groupe_couleur``, ``groupe_position``, ``groupe_preseance``, ``qualite`` (the
        highest quality held in that group: Président, Membre, Membre apparenté, Député
        non-inscrit) and ``date_debut`` (start of the membership).

    Notes
    -----
    A deputy who leaves one group and joins another the same day is counted in the
    group joined. In the exports of active mandates (AMO10, AMO50), a date before the
    export misses memberships that had ended by the export day; a warning says so.

    Examples
    --------
    >>> groupes = groupe_a_la_date(16, "2023-06-01")
    >>> len(groupes), groupes["groupe_sigle"].value_counts().head(3).to_dict()
    (577, {'RE': 171, 'RN': 88, 'LFI-NUPES': 75})
    """
    day = _timestamp(date)
    source, tables, records = _raw_tables(legislature, source)
    memberships = _group_mandates(tables, legislature)
    if source in ACTIVE_ONLY_SOURCES:
        _warn_if_before_export(tables, legislature, day, source)
    df = _groups_on(memberships, day).sort_values("acteur_uid")
    return _finish(df, records, date=day.date().isoformat())


# -- deputies ----------------------------------------------------------------------------


def _deputy_mandates(mandates: pd.DataFrame, legislature: int) -> pd.DataFrame:
    """Return the deputy mandates (not the bureau roles) of ``legislature``."""
    selected = mandates[
        (mandates["type_organe"] == "ASSEMBLEE")
        & (mandates["legislature"] == legislature)
        & (mandates["qualite"].str.lower() == "membre")
    ].copy()
    # NOTE: datePriseFonction (taking office) is the start of a sitting. A mandate
    # without it falls back on dateDebut (the election day, or the day of replacement).
    selected["debut_mandat"] = selected["date_prise_fonction"].fillna(selected["date_debut"])
    return selected


def reference_date(legislature: int, *, source: str | None = None) -> pd.Timestamp:
    """Return the day that ``deputes(legislature, date=None)`` describes.

    It is the latest date (start or end) of the legislature's deputy and group mandates
    in the export. For an export of active mandates (AMO10, AMO50) it is close to the
    export day. For a closed legislature it is its last day (2024-06-09 for the AMO20 of
    the 16th legislature).

    Parameters
    ----------
    legislature
        15, 16 or 17.
    source
        Export to read (see the module table); None takes the legislature's default.

    Returns
    -------
    pandas.Timestamp
        Midnight of that day.

    Examples
    --------
    >>> reference_date(16)
    Timestamp('2024-06-09 00:00:00')
    """
    _, tables, _ = _raw_tables(legislature, source)
    return _reference_date(tables, legislature)


def _reference_date(tables: dict[str, pd.DataFrame], legislature: int) -> pd.Timestamp:
    mandates = tables["mandats"]
    relevant = mandates[
        mandates["type_organe"].isin(["ASSEMBLEE", "GP"]) & (mandates["legislature"] == legislature)
    ]
    dates = pd.concat([relevant["date_debut"], relevant["date_prise_fonction"], relevant["date_fin"]])
    return pd.Timestamp(dates.max())


def _warn_if_before_export(tables: dict[str, pd.DataFrame], legislature: int,
                           day: pd.Timestamp, source: str) -> None:
    export_day = _reference_date(tables, legislature)
    if day < export_day:
        warnings.warn(
            f"L'export {source.upper()} de la {legislature}e législature ne contient que les "
            f"mandats en cours au {export_day.date().isoformat()} : au {day.date().isoformat()}, "
            "les députés et les appartenances de groupe terminés avant l'export manquent. "
            "Utilisez un export de tous les mandats (AMO20, AMO30) pour une date passée.",
            DataWarning, stacklevel=3,
        )


def deputes(legislature: int, date: DateLike | None = None, *, source: str | None = None) -> pd.DataFrame:
    """Load the deputies sitting on a day, one row per deputy, with their group that day.

    The first call parses the archive (under half a second of CPU per archive on the
    benchmark machine, see docs/benchmarks.md); later calls read the parsed-table cache.

    Parameters
    ----------
    legislature
        15, 16 or 17.
    date
        The day: deputies who had taken office on or before it and whose mandate had not
        ended before it (both bounds inclusive), with their group that day. None takes
        ``reference_date(legislature)``. For an export of active mandates that is the
        export day, so every open mandate is returned. For the closed 16th legislature
        (AMO20, where every deputy mandate ended) it is its last day, 2024-06-09.
    source
        Export to read: ``"amo10"`` (15th and 17th), ``"amo20"`` (16th) or ``"amo50"``
        (17th, July 2024 divided export). None takes the legislature's default. With
        ``"amo50"``, the names of the deputies whose acteur file the divided archive
        lacks are read from the AMO10 archive of the 17th legislature.

    Returns
    -------
    pandas.DataFrame
        ==================== ============== ==========================================
        column               dtype          meaning
        ==================== ============== ==========================================
        uid                  string         acteur uid (``PA1008``)
        civilite             string         « M. » or « Mme »
        sexe                 category       F or H, from ``civilite`` (the AMO has no
                                            sex field)
        prenom, nom          string         first name, last name
        date_naissance       datetime64[ns] birth date
        departement          string         département name (``Gironde``)
        departement_code     string         ``01``, ``2A``, ``971``; ``099`` for the
                                            Français établis hors de France
        circonscription      Int64          circonscription number
        region               string         région name
        groupe_uid           string         group organe uid that day (NA if none)
        groupe_sigle         string         group acronym (``SOC``)
        groupe_nom           string         group name
        groupe_couleur       string         colour published by the AN (NA in 2019)
        groupe_position      string         Majoritaire, Minoritaire, Opposition
        groupe_qualite       string         Président, Membre, Membre apparenté,
                                            Député non-inscrit
        place_hemicycle      Int64          seat number (NA when not yet assigned)
        debut_mandat         datetime64[ns] taking office (``datePriseFonction``;
                                            ``dateDebut`` when absent)
        fin_mandat           datetime64[ns] end of the mandate; NaT when open
        date_election        datetime64[ns] ``dateDebut`` of the mandate
        cause_mandat         string         élections générales, remplacement...
        premiere_election    boolean        first term as a deputy
        mandat_uid           string         ASSEMBLEE mandate uid
        mandat_remplace_uid  string         mandate this one replaces (substitutes)
        suppleant_uid        string         substitute's acteur uid
        profession           string         ``profession.libelleCourant``
        categorie_socio_pro  string         INSEE socio-professional category
        famille_socio_pro    string         INSEE socio-professional family
        ==================== ============== ==========================================

        ``df.attrs["date"]`` holds the day described (ISO text) and ``df.attrs["source"]``
        the export read.

    Raises
    ------
    ConfigurationError
        For an unknown legislature or source, or an invalid date.
    SchemaError
        When a file of the archive lacks a required field.

    Warns
    -----
    DataWarning
        When ``date`` is before the export day of an export of active mandates, or when
        a circonscription has two deputies that day.

    Notes
    -----
    A deputy who became a minister leaves the table one month after the nomination and
    the substitute enters. When the minister comes back, a new mandate starts whose
    ``date_election`` is the original election day; ``debut_mandat`` gives the return.

    Examples
    --------
    >>> df = deputes(16, "2023-06-01")
    >>> len(df)
    577
    """
    source, tables, records = _raw_tables(legislature, source)
    day = _reference_date(tables, legislature) if date is None else _timestamp(date)
    if date is not None and source in ACTIVE_ONLY_SOURCES:
        _warn_if_before_export(tables, legislature, day, source)

    mandates = _deputy_mandates(tables["mandats"], legislature)
    sitting = mandates[
        (mandates["debut_mandat"] <= day) & (mandates["date_fin"].isna() | (mandates["date_fin"] >= day))
    ]
    # A deputy has one mandate a day; should two overlap, the latest taking office wins.
    sitting = sitting.sort_values(["acteur_uid", "debut_mandat"]).drop_duplicates("acteur_uid", keep="last")
    _check_circonscriptions(sitting, legislature, day)

    people = tables["acteurs"].drop_duplicates("uid")
    groups = _groups_on(_group_mandates(tables, legislature), day)
    df = (
        sitting.rename(columns={
            "acteur_uid": "uid", "uid": "mandat_uid", "date_fin": "fin_mandat",
            "date_debut": "date_election",
        })
        .drop(columns=["profession"], errors="ignore")
        .merge(people.drop(columns=["fichier"]), on="uid", how="left")
        .merge(
            groups.rename(columns={"acteur_uid": "uid", "qualite": "groupe_qualite"}).drop(
                columns=["date_debut", "groupe_preseance"]
            ),
            on="uid", how="left",
        )
    )
    _warn_unresolved(df, "nom", "acteur", legislature, source)
    df = df[list(DEPUTES_COLUMNS)].astype(DEPUTES_COLUMNS)
    df = df.sort_values(["departement_code", "circonscription", "uid"])
    return _finish(df, records, date=day.date().isoformat(), source=source)


def _check_circonscriptions(sitting: pd.DataFrame, legislature: int, day: pd.Timestamp) -> None:
    seats = sitting.groupby(["departement_code", "circonscription"]).size()
    doubled = seats[seats > 1]
    if len(doubled):
        listed = ", ".join(f"{dep}-{circo}" for dep, circo in doubled.index[:10])
        warnings.warn(
            f"{len(doubled)} circonscription(s) de la {legislature}e législature ont plusieurs "
            f"députés au {day.date().isoformat()} : {listed}. Vérifiez les dates de fin des "
            "mandats dans l'export.",
            DataWarning, stacklevel=3,
        )


def _warn_unresolved(df: pd.DataFrame, column: str, kind: str, legislature: int, source: str) -> None:
    missing = df[column].isna()
    if missing.any():
        warnings.warn(
            f"{int(missing.sum())} député(s) de la {legislature}e législature (source {source}) "
            f"sans fichier {kind} : {', '.join(df.loc[missing, 'uid'].head(10))}. "
            "Leur nom reste vide.",
            DataWarning, stacklevel=3,
        )
