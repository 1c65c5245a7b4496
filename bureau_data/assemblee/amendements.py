"""Amendements of the Assemblée nationale: one row per amendment, and the amendment funnel.

Two archive layouts are read into the same columns:

- since the XVth legislature, a zip with one file per amendment,
  ``json/<dossier>/<texte>/<uid>.json`` holding ``{"amendement": {...}}``;
- the XIVth legislature, a single root
  ``textesEtAmendements.texteleg[].amendements.amendement[]``, whose fields are
  spelt differently (``identifiant.numero``, ``sort.sortEnSeance``, ``corps.dispositif``,
  ``signataires.auteur.acteur`` or ``acteurRef``...).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any, Literal

import orjson
import pandas as pd

from bureau_data import _json
from bureau_data.assemblee._common import (
    PARIS,
    as_text,
    empty_frame,
    find,
    frame_from_columns,
    iter_documents,
    normalise_label,
    parse_dates,
    ref_list,
    warn,
)
from bureau_data.cache import cached_tables
from bureau_data.errors import DataCheckError, SchemaError
from bureau_data.fetch import fetch
from bureau_data.provenance import log_method
from bureau_data.text import html_to_text

PARSER_VERSION = "1"

DATASETS = {17: "assemblee.amendements.l17"}

SORTS = ("Adopté", "Rejeté", "Tombé", "Non soutenu", "Retiré")
TYPES_AUTEUR = ("Député", "Rapporteur", "Commission", "Gouvernement")
STADES = ("commission", "séance")
IRRECEVABILITES = ("article 40", "article 45", "autre")
ISSUES = ("irrecevable", "retiré", "non soutenu", "tombé", "rejeté", "adopté", "sans sort")

_SORT_KEYS = {normalise_label(label): label for label in SORTS}
_TYPE_KEYS = {normalise_label(label): label for label in TYPES_AUTEUR}

# Candidate paths of each field, current export first, then the XIVth legislature
# single-file export and the other spellings seen in the AN dumps.
FIELDS: dict[str, tuple[str, ...]] = {
    "numero": ("identification.numeroLong", "numeroLong"),
    "numero_ordre_depot": ("identification.numeroOrdreDepot", "identifiant.numero"),
    "legislature": ("legislature", "identifiant.legislature"),
    "texte_ref": ("texteLegislatifRef", "identifiant.saisine.refTexteLegislatif", "refTexteLegislatif"),
    "examen_ref": ("examenRef",),
    "organe_examen_ref": ("identifiant.saisine.organeExamen",),
    "organe_examen_prefixe": ("identification.prefixeOrganeExamen",),
    "type_auteur": ("signataires.auteur.typeAuteur",),
    "auteur_ref": ("signataires.auteur.acteurRef", "signataires.auteur.acteur"),
    "groupe_ref": ("signataires.auteur.groupePolitiqueRef", "signataires.auteur.groupePolitique"),
    "gouvernement_ref": ("signataires.auteur.gouvernementRef",),
    "auteur_organe_ref": (
        "signataires.auteur.auteurRapporteurOrganeRef",
        "signataires.auteur.organeRef",
        "signataires.auteur.organe",
    ),
    "cosignataires": ("signataires.cosignataires.acteurRef", "signataires.cosignataires.acteur"),
    "signataires_libelle": ("signataires.libelle", "signataires.texteAffichable"),
    "date_depot": ("cycleDeVie.dateDepot", "dateDepot"),
    "date_publication": ("cycleDeVie.datePublication", "dateDistribution"),
    "date_sort": ("cycleDeVie.dateSort", "sort.dateSaisie"),
    "sort": ("cycleDeVie.sort", "sort.sortEnSeance"),
    "etat_code": ("cycleDeVie.etatDesTraitements.etat.code",),
    "etat_libelle": ("cycleDeVie.etatDesTraitements.etat.libelle", "etat"),
    "sous_etat_code": ("cycleDeVie.etatDesTraitements.sousEtat.code",),
    "sous_etat_libelle": ("cycleDeVie.etatDesTraitements.sousEtat.libelle",),
    "soumis_article_40": ("cycleDeVie.soumisArticle40",),
    "article_vise": ("pointeurFragmentTexte.division.titre",),
    "article_designation": ("pointeurFragmentTexte.division.articleDesignationCourte",),
    "article_additionnel": ("pointeurFragmentTexte.division.articleAdditionnel",),
    "parent_uid": ("amendementParentRef", "amendementParent"),
    "seance_ref": ("seanceDiscussionRef", "seanceDiscussion"),
    "dispositif": ("corps.contenuAuteur.dispositif", "corps.dispositif"),
    "expose_sommaire": ("corps.contenuAuteur.exposeSommaire", "corps.exposeSommaire"),
    "cartouche": ("corps.cartoucheInformatif",),
    "tri": ("triAmendement",),
    "chronotag": ("chronotag",),
}

# Fields every export has under one spelling or another: a record with none of their
# spellings is reported by uid, and its row is kept with the field empty.
CHECKED_FIELDS = ("numero", "texte_ref", "type_auteur", "auteur_ref", "groupe_ref", "date_depot", "sort")

# Keys of ``corps`` (or ``corps.contenuAuteur``) that the loader reads or knows to hold no
# text. Any other key, such as the credit tables of finance-bill amendments, is named in
# the ``corps_autres_champs`` column so that the row says its text is incomplete.
_KNOWN_CORPS_KEYS = frozenset({
    "contenuAuteur", "cartoucheInformatif", "dispositif", "exposeSommaire",
    "annexeExposeSommaire", "avantAppel",
})

_DATETIME = f"datetime64[ns, {PARIS}]"

COLUMNS: dict[str, Any] = {
    "uid": "string",
    "numero": "string",
    "numero_ordre_depot": "Int64",
    "legislature": "Int16",
    "texte_ref": "string",
    "dossier_ref": "string",
    "examen_ref": "string",
    "organe_examen_ref": "string",
    "organe_examen_prefixe": "string",
    "stade": pd.CategoricalDtype(list(STADES)),
    "type_auteur": pd.CategoricalDtype(list(TYPES_AUTEUR)),
    "auteur_ref": "string",
    "groupe_ref": "string",
    "gouvernement_ref": "string",
    "auteur_organe_ref": "string",
    "cosignataires": "object",
    "n_cosignataires": "int64",
    "signataires_libelle": "string",
    "date_depot": _DATETIME,
    "date_publication": _DATETIME,
    "date_sort": _DATETIME,
    "sort": pd.CategoricalDtype(list(SORTS)),
    "sort_brut": "string",
    "etat_code": "string",
    "etat_libelle": "string",
    "sous_etat_code": "string",
    "sous_etat_libelle": "string",
    "irrecevable": "bool",
    "irrecevabilite": pd.CategoricalDtype(list(IRRECEVABILITES)),
    "soumis_article_40": "boolean",
    "article_vise": "string",
    "article_designation": "string",
    "article_additionnel": "boolean",
    "parent_uid": "string",
    "seance_ref": "string",
    "dispositif": "string",
    "expose_sommaire": "string",
    "cartouche": "string",
    "corps_autres_champs": "string",
    "tri": "string",
    "chronotag": "Int64",
    "source": "string",
}

_TEXT_FIELDS = ("signataires_libelle", "dispositif", "expose_sommaire", "cartouche")
_DATE_FIELDS = ("date_depot", "date_publication", "date_sort")
_ORGANE_IN_EXAMEN = re.compile(r"PO\d+")
_DOSSIER_IN_PATH = re.compile(r"(?:^|/)(DL[A-Z0-9]+)/")


def _iter_amendements(source: str, document: Any) -> Iterable[tuple[str, Mapping[str, Any], str | None]]:
    """Yield ``(source, amendement, texte_ref of the enclosing text)`` for both layouts."""
    if isinstance(document, Mapping) and "amendement" in document:
        if _json.is_nil(document["amendement"]):
            raise SchemaError(f"{source} : l'objet racine « amendement » est vide (null ou xsi:nil).",
                              path=source, field="amendement", found="null")
        for record in _json.as_list(document["amendement"]):
            yield source, record, None
        return
    if isinstance(document, Mapping) and "textesEtAmendements" in document:
        root = document["textesEtAmendements"]
        for texte in _json.as_list(root.get("texteleg") if isinstance(root, Mapping) else None):
            texte_ref = as_text(texte.get("refTexteLegislatif")) if isinstance(texte, Mapping) else None
            amendements = texte.get("amendements") if isinstance(texte, Mapping) else None
            records = _json.as_list(amendements.get("amendement")) if isinstance(amendements, Mapping) else []
            for record in records:
                yield source, record, texte_ref
        return
    keys = ", ".join(sorted(map(str, document))) if isinstance(document, Mapping) else type(document).__name__
    keys = keys or "objet vide"
    raise SchemaError(
        f"{source} : ni « amendement » ni « textesEtAmendements » à la racine (trouvé : {keys}). "
        "Ce fichier n'est pas un export d'amendements de l'Assemblée nationale.",
        path=source, field="amendement", found=keys,
    )



def _html_fragments(path: Path) -> list[str]:
    """Return the HTML fragments of an amendement archive that the loader converts to text.

    The text tests and the benchmarks read them, to compare and time the conversion alone.
    """
    fragments = []
    for source, document in iter_documents(path):
        for _origin, record, _texte in _iter_amendements(source, document):
            for column in _TEXT_FIELDS:
                _, value = find(record, FIELDS[column])
                if isinstance(value, str):
                    fragments.append(value)
    return fragments

def _fingerprint(record: Mapping[str, Any]) -> str:
    return hashlib.sha256(orjson.dumps(record, option=orjson.OPT_SORT_KEYS)).hexdigest()


def _irrecevabilite(etat_code: str | None, etat_libelle: str | None) -> tuple[bool, str | None]:
    code = (etat_code or "").upper()
    libelle = normalise_label(etat_libelle or "")
    if not (code.startswith("IR") or libelle.startswith("irrecevable")):
        return False, None
    # "IR" is the financial inadmissibility of article 40 of the Constitution
    # (état "Irrecevable 40"); "IRR45" is article 45 (cavalier, entonnoir).
    if code == "IR" or libelle == "irrecevable 40":
        return True, "article 40"
    if code == "IRR45" or "45" in libelle:
        return True, "article 45"
    return True, "autre"


def _row(source: str, record: Mapping[str, Any], texte_ref: str | None,
         missing: dict[str, list[str]], shapes: dict[str, int], unknown_sorts: dict[str, int],
         unknown_types: dict[str, int]) -> dict[str, Any]:
    uid = as_text(record.get("uid"))
    if uid is None:
        raise SchemaError(f"{source} : amendement sans uid. Le champ uid est obligatoire.",
                          path=source, field="uid", found="absent")
    row: dict[str, Any] = {"uid": uid, "source": source}
    problems: list[str] = []
    spellings: dict[str, str | None] = {}
    for column, paths in FIELDS.items():
        path, value = find(record, paths)
        spellings[column] = path
        if path is None and column in CHECKED_FIELDS and not (column == "texte_ref" and texte_ref):
            missing.setdefault(uid, []).append(f"{column} ({' ou '.join(paths)})")
        if column == "cosignataires":
            row[column] = ref_list(value)
        elif type(value) is str:
            # as_text, inlined for the common case: this loop runs for every field.
            row[column] = value.strip() or None
        else:
            row[column] = as_text(value, problems, column)
    for column in problems:
        shapes[column] = shapes.get(column, 0) + 1

    row["texte_ref"] = row["texte_ref"] or texte_ref
    match = _DOSSIER_IN_PATH.search(source.replace("\\", "/"))
    row["dossier_ref"] = match.group(1) if match else None
    if row["organe_examen_ref"] is None and row["examen_ref"]:
        found_organe = _ORGANE_IN_EXAMEN.search(row["examen_ref"])
        row["organe_examen_ref"] = found_organe.group() if found_organe else None
    prefixe = row["organe_examen_prefixe"]
    if prefixe is None:
        row["stade"] = None
    elif prefixe == "AN":
        row["stade"] = "séance"
    else:
        row["stade"] = "commission"

    for column in ("numero_ordre_depot", "legislature", "chronotag"):
        row[column] = _json.to_int(row[column], file=source, field=spellings[column])
    for column in ("soumis_article_40", "article_additionnel"):
        row[column] = _json.to_bool(row[column], file=source, field=spellings[column])
    row["n_cosignataires"] = len(row["cosignataires"])

    raw_sort = row.pop("sort")
    row["sort_brut"] = raw_sort
    row["sort"] = None
    if raw_sort is not None:
        row["sort"] = _SORT_KEYS.get(normalise_label(raw_sort))
        if row["sort"] is None:
            unknown_sorts[raw_sort] = unknown_sorts.get(raw_sort, 0) + 1
    raw_type = row["type_auteur"]
    if raw_type is not None:
        row["type_auteur"] = _TYPE_KEYS.get(normalise_label(raw_type), raw_type)
        if row["type_auteur"] not in TYPES_AUTEUR:
            unknown_types[raw_type] = unknown_types.get(raw_type, 0) + 1

    row["irrecevable"], row["irrecevabilite"] = _irrecevabilite(row["etat_code"], row["etat_libelle"])

    corps = _json.scalar(record.get("corps"))
    extra: set[str] = set()
    for part in (corps, _json.scalar(corps.get("contenuAuteur")) if isinstance(corps, Mapping) else None):
        if isinstance(part, Mapping) and not _json.is_nil(part):
            extra.update(key for key in part if not key.startswith("@") and key not in _KNOWN_CORPS_KEYS)
    row["corps_autres_champs"] = ", ".join(sorted(extra)) or None
    for column in _TEXT_FIELDS:
        row[column] = html_to_text(row[column])
    return row


def amendements_from_documents(
    documents: Iterable[tuple[str, Any]],
    *,
    on_conflict: Literal["raise", "latest"] = "raise",
) -> pd.DataFrame:
    """Build the amendment table from parsed JSON documents of either archive layout.

    Parameters
    ----------
    documents : iterable of (str, object)
        ``(source name, parsed JSON)`` pairs: one ``{"amendement": ...}`` document per
        amendment, or XIVth-legislature documents with a ``textesEtAmendements`` root.
        For the per-amendment layout, the source name is the archive path, from which
        ``dossier_ref`` is read.
    on_conflict : {"raise", "latest"}
        What to do when two copies of one uid differ: raise ``DataCheckError`` (default),
        or keep the copy with the latest ``chronotag`` and warn. Copies with the same
        chronotag, or none, raise in both modes: no copy is ever kept at random.

    Returns
    -------
    pandas.DataFrame
        One row per amendment, indexed by ``uid`` (unique). See ``amendements`` for the
        columns. ``df.attrs["doublons_identiques"]`` counts the identical copies removed
        and ``df.attrs["doublons_differents"]`` the uids whose differing copies were resolved.

    Raises
    ------
    SchemaError
        When a document has neither root, or an amendment has no uid.
    DataCheckError
        When two copies of one uid differ and cannot be resolved.

    Examples
    --------
    >>> record = {"amendement": {
    ...     "uid": "AMANR5L17PO59048B1112P0D1N000001", "legislature": "17",
    ...     "identification": {"numeroLong": "1", "numeroOrdreDepot": "1"},
    ...     "texteLegislatifRef": "PRJLANR5L17B1112",
    ...     "signataires": {"auteur": {"typeAuteur": "Député", "acteurRef": "PA1",
    ...                                "groupePolitiqueRef": "PO1"}},
    ...     "cycleDeVie": {"dateDepot": "2025-03-01", "sort": "Adopté"}}}
    >>> source = "json/DLR5L17N50489/PRJLANR5L17B1112/AMANR5L17PO59048B1112P0D1N000001.json"
    >>> df = amendements_from_documents([(source, record)])
    >>> row = df.iloc[0]
    >>> row["dossier_ref"], row["type_auteur"], row["sort"], row["date_depot"].date()
    ('DLR5L17N50489', 'Député', 'Adopté', datetime.date(2025, 3, 1))
    """
    if on_conflict not in ("raise", "latest"):
        raise ValueError(f"on_conflict vaut {on_conflict!r} ; valeurs possibles : 'raise', 'latest'.")
    rows: dict[str, dict[str, Any]] = {}
    prints: dict[str, str] = {}
    identical = 0
    conflicts: dict[str, list[str]] = {}
    missing: dict[str, list[str]] = {}
    shapes: dict[str, int] = {}
    unknown_sorts: dict[str, int] = {}
    unknown_types: dict[str, int] = {}

    for source, document in documents:
        for origin, record, texte_ref in _iter_amendements(source, document):
            if not isinstance(record, Mapping):
                raise SchemaError(f"{origin} : un amendement est de type {type(record).__name__} "
                                  "au lieu d'un objet.", path=origin, field="amendement")
            row = _row(origin, record, texte_ref, missing, shapes, unknown_sorts, unknown_types)
            uid = row["uid"]
            fingerprint = _fingerprint(record)
            if uid not in rows:
                rows[uid], prints[uid] = row, fingerprint
                continue
            if prints[uid] == fingerprint:
                identical += 1
                continue
            conflicts.setdefault(uid, [rows[uid]["source"]]).append(origin)
            kept = rows[uid]
            if on_conflict == "latest" and row["chronotag"] is not None and kept["chronotag"] is not None \
                    and row["chronotag"] != kept["chronotag"]:
                if row["chronotag"] > kept["chronotag"]:
                    rows[uid], prints[uid] = row, fingerprint
            else:
                conflicts.setdefault("__unresolved__", []).append(uid)

    unresolved = sorted(set(conflicts.pop("__unresolved__", [])))
    if unresolved:
        details = "; ".join(f"{uid} ({', '.join(conflicts[uid])})" for uid in unresolved[:5])
        raise DataCheckError(
            f"{len(unresolved)} amendement(s) présents en plusieurs copies différentes : {details}. "
            "Aucune copie n'est choisie au hasard. Vérifiez l'export, ou passez "
            "on_conflict='latest' pour garder la copie au chronotag le plus récent."
        )
    if identical:
        warn(f"{identical} doublon(s) identique(s) d'amendements dans l'export officiel : "
             "une seule copie gardée par uid.")
    if conflicts:
        warn(f"{len(conflicts)} amendement(s) en copies différentes : copie au chronotag le plus "
             f"récent gardée ({', '.join(sorted(conflicts)[:5])}).")
    if missing:
        details = "; ".join(f"{uid} : {', '.join(fields)}" for uid, fields in list(missing.items())[:5])
        warn(f"{len(missing)} amendement(s) sans aucune orthographe connue de certains champs, "
             f"laissés vides mais gardés : {details}.")
    if shapes:
        details = ", ".join(f"{column} ({count})" for column, count in sorted(shapes.items()))
        warn(f"Objets imbriqués là où un texte était attendu, laissés vides : {details}.")
    if unknown_sorts:
        details = ", ".join(f"{label!r} ({count})" for label, count in sorted(unknown_sorts.items()))
        warn(f"Sort d'amendement inconnu : {details}. La colonne sort est laissée vide pour ces "
             f"lignes ; la valeur d'origine est dans sort_brut. Sorts connus : {', '.join(SORTS)}.")
    if unknown_types:
        details = ", ".join(f"{label!r} ({count})" for label, count in sorted(unknown_types.items()))
        warn(f"Type d'auteur inconnu : {details}, ajouté aux catégories de type_auteur.")

    df = _frame(list(rows.values()), sorted(unknown_types))
    df.attrs["doublons_identiques"] = identical
    df.attrs["doublons_differents"] = len(conflicts)
    return df


def _frame(rows: list[dict[str, Any]], extra_types: list[str]) -> pd.DataFrame:
    dtypes = dict(COLUMNS)
    if extra_types:
        dtypes["type_auteur"] = pd.CategoricalDtype([*TYPES_AUTEUR, *extra_types])
    if not rows:
        return empty_frame(dtypes, index="uid")
    columns: dict[str, Any] = {name: [row[name] for row in rows] for name in dtypes}
    for name in _DATE_FIELDS:
        columns[name] = parse_dates(columns[name], name)
    df = frame_from_columns(columns, dtypes, converters=_DATE_FIELDS)
    return df.set_index("uid")


def amendements_from_path(path: str | Path, *, on_conflict: Literal["raise", "latest"] = "raise") -> pd.DataFrame:
    """Read amendments from a zip archive, a folder or one JSON file, in either layout.

    Parameters
    ----------
    path : str or Path
        A zip (``json/<dossier>/<texte>/<uid>.json`` members), a folder of such files,
        or one JSON file (a single amendment, or the XIVth legislature single root).
    on_conflict : {"raise", "latest"}
        See ``amendements_from_documents``.

    Returns
    -------
    pandas.DataFrame
        The table described in ``amendements``, without cache or provenance.

    Examples
    --------
    >>> import json, pathlib, tempfile
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> record = {"amendement": {
    ...     "uid": "AMANR5L17PO59048B1112P0D1N000001", "legislature": "17",
    ...     "identification": {"numeroLong": "1", "numeroOrdreDepot": "1"},
    ...     "texteLegislatifRef": "PRJLANR5L17B1112",
    ...     "signataires": {"auteur": {"typeAuteur": "Député", "acteurRef": "PA1",
    ...                                "groupePolitiqueRef": "PO1"}},
    ...     "cycleDeVie": {"dateDepot": "2025-03-01", "sort": "Rejeté"}}}
    >>> _ = (folder / "amendement.json").write_text(json.dumps(record), encoding="utf-8")
    >>> amendements_from_path(folder)[["numero", "sort"]].values.tolist()
    [['1', 'Rejeté']]
    """
    return amendements_from_documents(iter_documents(Path(path)), on_conflict=on_conflict)


def amendements(legislature: int = 17, *, on_conflict: Literal["raise", "latest"] = "raise") -> pd.DataFrame:
    """Load the amendments of a legislature: one row per amendment.

    The raw archive comes from ``fetch`` (local data folder, cache or download) and the
    parsed table from the Parquet cache when the archive has not changed.

    Parameters
    ----------
    legislature : int
        Legislature number. Available: 17.
    on_conflict : {"raise", "latest"}
        Handling of differing copies of one uid, see ``amendements_from_documents``.

    Returns
    -------
    pandas.DataFrame
        Indexed by ``uid`` (``AMANR5L17PO59051B1105P0D1N000001``), unique. Columns:

        ======================  ====================  ===============================================
        column                  dtype                 meaning
        ======================  ====================  ===============================================
        numero                  string                number as printed (``CL1``); restarts per text
        numero_ordre_depot      Int64                 filing order number within the text
        legislature             Int16                 legislature of the amendment
        texte_ref               string                amended text (``PRJLANR5L17B1470``)
        dossier_ref             string                dossier, from the archive path (NA for XIV)
        examen_ref              string                examination (text × organe × reading)
        organe_examen_ref       string                organe examining it (commission or Assemblée)
        organe_examen_prefixe   string                AN code of that organe (``CION_LOIS``, ``AN``)
        stade                   category              ``commission`` or ``séance`` (prefix ``AN``)
        type_auteur             category              Député, Rapporteur, Commission, Gouvernement
        auteur_ref              string                first signatory (PA…), NA for the Gouvernement
        groupe_ref              string                group of the first signatory (PO…)
        gouvernement_ref        string                government organe for government amendments
        auteur_organe_ref       string                commission of a rapporteur or commission
        cosignataires           object                list of co-signatories' PA… (may be empty)
        n_cosignataires         int64                 length of that list
        signataires_libelle     string                signatories as printed, plain text
        date_depot              datetime64[ns, tz]    filing date (midnight, Europe/Paris)
        date_publication        datetime64[ns, tz]    publication date
        date_sort               datetime64[ns, tz]    time the outcome was recorded
        sort                    category              Adopté, Rejeté, Tombé, Non soutenu, Retiré, NA
        sort_brut               string                outcome as written in the source
        etat_code, etat_libelle string                processing state (``DI`` Discuté, ``IR``...)
        sous_etat_code/libelle  string                sub-state (``Cavalier (45)``, ``Charge``...)
        irrecevable             bool                  declared inadmissible (état ``IR…``)
        irrecevabilite          category              article 40, article 45 or autre; NA if not
        soumis_article_40       boolean               submitted to the article 40 check
        article_vise            string                targeted division (``Article 3 bis``)
        article_designation     string                short designation (``APRÈS ART. 3 BIS``)
        article_additionnel     boolean               inserts a new article
        parent_uid              string                amended amendment, for a sub-amendment
        seance_ref              string                sitting of the discussion
        dispositif              string                operative text, plain text
        expose_sommaire         string                explanatory statement, plain text
        cartouche               string                notice replacing the text (inadmissible...)
        corps_autres_champs     string                unread parts of the body (tables), or NA
        tri                     string                AN sort key of the amendment in the text
        chronotag               Int64                 version time stamp (ms since 1970)
        source                  string                archive member the row comes from
        ======================  ====================  ===============================================

    Raises
    ------
    CatalogueError
        When no archive is catalogued for ``legislature``.
    DataCheckError
        When two copies of an amendment differ (see ``on_conflict``).

    Notes
    -----
    The text fields are HTML in the source. They are converted by
    ``bureau_data.text.html_to_text``: no tag, script or event handler survives.
    ``numero`` is not a key: numbering restarts on each text and each examination.
    Fields the AN leaves empty come as ``null`` or ``xsi:nil`` objects; both give NA.

    Examples
    --------
    >>> df = amendements(17)
    >>> len(df), df["sort"].value_counts().head(2).to_dict()
    (1925, {'Rejeté': 680, 'Adopté': 643})
    """
    dataset = DATASETS.get(legislature)
    if dataset is None:
        from bureau_data.errors import CatalogueError

        raise CatalogueError(
            f"Pas d'archive d'amendements cataloguée pour la législature {legislature}. "
            f"Législatures disponibles : {', '.join(map(str, sorted(DATASETS)))}."
        )
    fetched = fetch(dataset)
    tables = cached_tables(
        dataset, PARSER_VERSION, [fetched.record],
        lambda: {"amendements": amendements_from_path(fetched.path, on_conflict=on_conflict)},
        extra=on_conflict,
    )
    df = tables["amendements"]
    # Parquet gives arrays back for list cells; the contract is a list.
    df["cosignataires"] = df["cosignataires"].map(list)
    return df


def issues_amendements(df: pd.DataFrame) -> pd.Series:
    """Return the outcome stage of each amendment, one category per row.

    The stages are exclusive and taken in this order: ``irrecevable`` (declared
    inadmissible), ``retiré`` (withdrawn before or during the discussion), ``non soutenu``,
    ``tombé`` (fell without a vote), ``rejeté``, ``adopté``, and ``sans sort`` (no
    outcome recorded yet).

    Parameters
    ----------
    df : pandas.DataFrame
        The table returned by ``amendements``, or any table with ``etat_code``, ``sort``
        and ``irrecevable``.

    Returns
    -------
    pandas.Series
        Ordered categorical with the index of ``df``.

    Examples
    --------
    >>> df = pd.DataFrame({"etat_code": ["IRR", "RT", None, None],
    ...                    "sort": [None, None, "Adopté", None],
    ...                    "irrecevable": [True, False, False, False]})
    >>> issues_amendements(df).tolist()
    ['irrecevable', 'retiré', 'adopté', 'sans sort']
    """
    etat = df["etat_code"].fillna("").astype(str).str.upper()
    sort = df["sort"].astype("object")
    issue = pd.Series("sans sort", index=df.index, dtype="object")
    issue[sort == "Adopté"] = "adopté"
    issue[sort == "Rejeté"] = "rejeté"
    issue[sort == "Tombé"] = "tombé"
    issue[sort == "Non soutenu"] = "non soutenu"
    issue[(sort == "Retiré") | (etat == "RT")] = "retiré"
    issue[df["irrecevable"].astype(bool)] = "irrecevable"
    return issue.astype(pd.CategoricalDtype(list(ISSUES), ordered=True))


METHOD_KEY = "assemblee.amendements.entonnoir"
METHOD_TITLE = "Entonnoir des amendements"
METHOD_TEXT = (
    "Chaque amendement déposé est classé dans une seule étape, dans cet ordre : irrecevable, "
    "retiré (avant ou pendant la discussion), non soutenu, tombé (devenu sans objet), rejeté, "
    "adopté, ou sans sort (pas encore examiné). L'irrecevabilité au titre de l'article 40 de la "
    "Constitution est l'état « Irrecevable 40 » de l'Assemblée, qui réunit la création ou "
    "l'aggravation d'une charge publique, le gage et les autres motifs financiers de la loi "
    "organique relative aux lois de finances (LOLF) ; celle au titre de l'article 45 réunit les "
    "cavaliers et la règle de l'entonnoir ; les autres motifs de l'état « Irrecevable » forment "
    "le reste. Les recevables sont les déposés moins les irrecevables ; les mis aux voix sont "
    "les adoptés et les rejetés. Chaque taux nomme son dénominateur : la part des adoptés parmi "
    "les déposés divise par tous les amendements déposés, la part parmi les mis aux voix par "
    "les seuls amendements mis aux voix. Un amendement compte pour le groupe et le type de son "
    "premier signataire ; les cosignataires ne sont pas comptés. Un amendement examiné en "
    "commission puis redéposé en séance compte deux fois, une fois par texte."
)


FUNNEL_COUNTS = (
    "deposes", "irrecevables", "irrecevables_article_40", "irrecevables_article_45",
    "irrecevables_autres", "recevables", "retires", "non_soutenus", "tombes", "sans_sort",
    "mis_aux_voix", "adoptes", "rejetes",
)
FUNNEL_RATES = {
    "part_irrecevables_sur_deposes": ("irrecevables", "deposes"),
    "part_recevables_sur_deposes": ("recevables", "deposes"),
    "part_mis_aux_voix_sur_recevables": ("mis_aux_voix", "recevables"),
    "part_adoptes_sur_deposes": ("adoptes", "deposes"),
    "part_adoptes_sur_recevables": ("adoptes", "recevables"),
    "part_adoptes_sur_mis_aux_voix": ("adoptes", "mis_aux_voix"),
}


def entonnoir_amendements(df: pd.DataFrame, by: str | None = None, *, total: bool = True) -> pd.DataFrame:
    """Count amendments at each stage from filing to outcome, with rates naming their denominators.

    Parameters
    ----------
    df : pandas.DataFrame
        The table returned by ``amendements`` (or a subset of its rows).
    by : str, optional
        Column to group by (``"groupe_ref"``, ``"type_auteur"``, ``"texte_ref"``...).
        ``None`` gives a single row, ``Ensemble``. Rows whose key is NA are grouped
        under ``(non renseigné)``.
    total : bool
        Add a last row ``Ensemble`` with all amendments (when ``by`` is given).

    Returns
    -------
    pandas.DataFrame
        One row per group, with the counts ``deposes``, ``irrecevables`` (and by article:
        ``irrecevables_article_40``, ``irrecevables_article_45``, ``irrecevables_autres``),
        ``recevables``, ``retires``, ``non_soutenus``, ``tombes``, ``sans_sort``,
        ``mis_aux_voix``, ``adoptes``, ``rejetes`` (int64), and the rates in percent
        (float64, NaN when the denominator is 0): ``part_irrecevables_sur_deposes``,
        ``part_recevables_sur_deposes``, ``part_mis_aux_voix_sur_recevables``,
        ``part_adoptes_sur_deposes``, ``part_adoptes_sur_recevables``,
        ``part_adoptes_sur_mis_aux_voix``. ``df.attrs["method"]`` holds the French method
        paragraph, also sent to ``provenance.log_method``.

    Raises
    ------
    DataCheckError
        When the recevables do not equal the sum of the stages after admissibility.
    KeyError
        When ``by`` is not a column of ``df``.

    Examples
    --------
    >>> funnel = entonnoir_amendements(amendements(17))
    >>> funnel[["deposes", "irrecevables", "mis_aux_voix", "adoptes"]].iloc[0].tolist()
    [1925, 220, 1323, 643]
    >>> float(round(funnel["part_adoptes_sur_deposes"].iloc[0], 1))
    33.4
    """
    if by is not None and by not in df.columns:
        raise KeyError(f"Colonne {by!r} absente du tableau d'amendements. Colonnes : {', '.join(df.columns)}.")
    issue = issues_amendements(df)
    stages = pd.DataFrame({
        "deposes": 1,
        "irrecevables": issue == "irrecevable",
        "irrecevables_article_40": df["irrecevabilite"].astype("object") == "article 40",
        "irrecevables_article_45": df["irrecevabilite"].astype("object") == "article 45",
        "irrecevables_autres": df["irrecevabilite"].astype("object") == "autre",
        "recevables": issue != "irrecevable",
        "retires": issue == "retiré",
        "non_soutenus": issue == "non soutenu",
        "tombes": issue == "tombé",
        "sans_sort": issue == "sans sort",
        "mis_aux_voix": issue.isin(["adopté", "rejeté"]),
        "adoptes": issue == "adopté",
        "rejetes": issue == "rejeté",
    }, index=df.index).astype("int64")

    if by is None:
        result = stages.sum().to_frame("Ensemble").T
    else:
        keys = df[by].astype("object").where(df[by].notna(), "(non renseigné)")
        if isinstance(df[by].dtype, pd.CategoricalDtype):
            order = [c for c in df[by].cat.categories if (keys == c).any()]
            order += [k for k in keys.unique() if k not in order]
        else:
            order = sorted(keys.unique(), key=str)
        result = stages.groupby(keys, sort=False).sum().reindex(order)
        result.index.name = by
        if total:
            result.loc["Ensemble"] = stages.sum()
    result = result.astype("int64")

    after = result[["retires", "non_soutenus", "tombes", "sans_sort", "mis_aux_voix"]].sum(axis=1)
    if not (after == result["recevables"]).all():
        raise DataCheckError("Entonnoir incohérent : les recevables ne sont pas la somme des étapes suivantes.")
    for name, (numerator, denominator) in FUNNEL_RATES.items():
        den = result[denominator].where(result[denominator] > 0)
        result[name] = (100 * result[numerator] / den).astype("float64")

    result.attrs["method"] = METHOD_TEXT
    log_method(METHOD_KEY, METHOD_TITLE, METHOD_TEXT)
    return result
