"""Legislative dossiers (dossiers législatifs) and the timeline of their acts.

A dossier's acts form a recursive tree (``actesLegislatifs.acteLegislatif``, an object
for one act and a list for several): a reading contains the commission work, which
contains the meetings. ``dossiers_from_documents`` flattens it into one row per act
with its depth and parent.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from bureau_data import _json
from bureau_data.assemblee._common import (
    as_text,
    empty_frame,
    frame_from_columns,
    iter_documents,
    lookup,
    parse_dates,
    ref_list,
    warn,
)
from bureau_data.cache import cached_tables
from bureau_data.errors import CatalogueError, SchemaError
from bureau_data.fetch import fetch

PARSER_VERSION = "1"
DATASETS = {17: "assemblee.dossiers.l17"}
TRUNCATION_MARKER = "__truncated_items__"

DOSSIER_COLUMNS: dict[str, Any] = {
    "uid": "string",
    "legislature": "Int16",
    "titre": "string",
    "titre_chemin": "string",
    "senat_chemin": "string",
    "procedure_code": "string",
    "procedure_libelle": "string",
    "initiateurs": "object",
    "initiateur_organes": "object",
    "fusion_dossier_ref": "string",
    "n_actes": "int64",
    "source": "string",
}
ACTE_COLUMNS: dict[str, Any] = {
    "dossier_uid": "string",
    "uid": "string",
    "parent_uid": "string",
    "profondeur": "int64",
    "ordre": "int64",
    "type_acte": "string",
    "code_acte": "string",
    "libelle": "string",
    "libelle_court": "string",
    "organe_ref": "string",
    "date": "datetime64[ns, Europe/Paris]",
    "texte_ref": "string",
    "texte_adopte_ref": "string",
    "statut_conclusion": "string",
    "vote_refs": "object",
    "provenance_ref": "string",
}


def _acts(container: Any) -> list[Any]:
    container = _json.scalar(container)
    if not isinstance(container, Mapping):
        return []
    return _json.as_list(container.get("acteLegislatif"))


def _flatten(dossier_uid: str, acts: list[Any], parent: str | None, depth: int,
             out: list[dict[str, Any]], truncated: list[int]) -> None:
    for act in acts:
        if not isinstance(act, Mapping):
            continue
        if TRUNCATION_MARKER in act:
            truncated[0] += int(act.get(TRUNCATION_MARKER) or 0)
            continue
        uid = as_text(act.get("uid"))
        # The texts of an act: texteAssocie (one ref) or textesAssocies.texteAssocie[].refTexteAssocie.
        texts = ref_list(act.get("texteAssocie"))
        associated = _json.scalar(act.get("textesAssocies"))
        for item in _json.as_list(associated.get("texteAssocie") if isinstance(associated, Mapping) else None):
            ref = as_text(item.get("refTexteAssocie")) if isinstance(item, Mapping) else None
            if ref:
                texts.append(ref)
        _, conclusion = lookup(act, ("statutConclusion.libelle",))
        _, votes = lookup(act, ("voteRefs.voteRef",))
        out.append({
            "dossier_uid": dossier_uid,
            "uid": uid,
            "parent_uid": parent,
            "profondeur": depth,
            "ordre": len(out),
            "type_acte": as_text(act.get("@xsi:type")),
            "code_acte": as_text(act.get("codeActe")),
            "libelle": as_text(lookup(act, ("libelleActe.nomCanonique",))[1]),
            "libelle_court": as_text(lookup(act, ("libelleActe.libelleCourt",))[1]),
            "organe_ref": as_text(act.get("organeRef")),
            "date": as_text(act.get("dateActe")),
            "texte_ref": ", ".join(dict.fromkeys(texts)) or None,
            "texte_adopte_ref": as_text(act.get("texteAdopte")),
            "statut_conclusion": as_text(conclusion),
            "vote_refs": ref_list(votes),
            "provenance_ref": as_text(act.get("provenance")),
        })
        _flatten(dossier_uid, _acts(act.get("actesLegislatifs")), uid, depth + 1, out, truncated)


def dossiers_from_documents(documents: Iterable[tuple[str, Any]]) -> dict[str, pd.DataFrame]:
    """Build the dossier and act tables from parsed ``{"dossierParlementaire": ...}`` documents.

    Envelopes ``{"sample": {...}}`` are unwrapped, and documents of other kinds (such as
    ``document`` records of the same archive) are skipped.

    Returns
    -------
    dict of str to pandas.DataFrame
        ``"dossiers"``: one row per dossier, indexed by ``uid``, with ``legislature``
        (Int16), ``titre``, ``titre_chemin``, ``senat_chemin``, ``procedure_code``,
        ``procedure_libelle``, ``initiateurs`` (list of PA…), ``initiateur_organes``
        (list of PO…), ``fusion_dossier_ref``, ``n_actes`` and ``source``.
        ``"actes"``: one row per act in tree order (``ordre``), with ``dossier_uid``,
        ``uid``, ``parent_uid`` (NA at the top), ``profondeur`` (0 at the top),
        ``type_acte`` (``@xsi:type``), ``code_acte`` (``AN1-DEPOT``...), ``libelle``,
        ``libelle_court``, ``organe_ref``, ``date`` (Europe/Paris), ``texte_ref`` (linked
        texts, comma-separated), ``texte_adopte_ref``, ``statut_conclusion``, ``vote_refs``
        (list) and ``provenance_ref``.

    Parameters
    ----------
    documents
        ``(name, document)`` pairs, where a document is the object parsed from one JSON
        file. ``name`` appears in messages and in the ``source`` column.

    Raises
    ------
    SchemaError
        When a dossier has no uid.

    Examples
    --------
    >>> record = {"dossierParlementaire": {
    ...     "uid": "DLR5L17N50489", "legislature": "17",
    ...     "titreDossier": {"titre": "Simplification de la vie économique"},
    ...     "actesLegislatifs": {"acteLegislatif": {
    ...         "uid": "L17-AN1", "codeActe": "AN1",
    ...         "actesLegislatifs": {"acteLegislatif": [
    ...             {"uid": "L17-AN1-DEPOT", "codeActe": "AN1-DEPOT",
    ...              "dateActe": "2024-10-14T00:00:00.000+02:00",
    ...              "texteAssocie": "PRJLANR5L17B0350"},
    ...             {"uid": "L17-AN1-COM", "codeActe": "AN1-COM"}]}}}}}
    >>> tables = dossiers_from_documents([("DLR5L17N50489.json", record)])
    >>> dossier = tables["dossiers"].loc["DLR5L17N50489"]
    >>> dossier["titre"], int(dossier["n_actes"])
    ('Simplification de la vie économique', 3)
    >>> tables["actes"][["code_acte", "parent_uid", "profondeur", "texte_ref"]].values.tolist()
    [['AN1', <NA>, 0, <NA>], ['AN1-DEPOT', 'L17-AN1', 1, 'PRJLANR5L17B0350'],
     ['AN1-COM', 'L17-AN1', 1, <NA>]]
    """
    dossiers: list[dict[str, Any]] = []
    acts: list[dict[str, Any]] = []
    truncated = [0]
    for source, document in documents:
        if isinstance(document, Mapping) and "sample" in document:
            document = document["sample"]
        if not isinstance(document, Mapping) or _json.is_nil(document):
            found = "null" if _json.is_nil(document) else type(document).__name__
            raise SchemaError(f"{source} : objet JSON attendu à la racine, trouvé : {found}.",
                              path=source, field="(racine)", found=found)
        if "dossierParlementaire" not in document:
            continue
        record = _json.scalar(document["dossierParlementaire"])
        if not isinstance(record, Mapping):
            found = "null" if record is None else type(record).__name__
            raise SchemaError(f"{source} : l'objet racine « dossierParlementaire » est de type {found} "
                              "au lieu d'un objet.", path=source, field="dossierParlementaire", found=found)
        uid = as_text(record.get("uid"))
        if uid is None:
            raise SchemaError(f"{source} : dossier sans uid.", path=source, field="uid", found="absent")
        before = len(acts)
        _flatten(uid, _acts(record.get("actesLegislatifs")), None, 0, acts, truncated)
        _, initiateurs = lookup(record, ("initiateur.acteurs.acteur",))
        _, organes = lookup(record, ("initiateur.organes.organe",))
        dossiers.append({
            "uid": uid,
            "legislature": _json.to_int(record.get("legislature"), file=source, field="legislature"),
            "titre": as_text(lookup(record, ("titreDossier.titre",))[1]),
            "titre_chemin": as_text(lookup(record, ("titreDossier.titreChemin",))[1]),
            "senat_chemin": as_text(lookup(record, ("titreDossier.senatChemin",))[1]),
            "procedure_code": as_text(lookup(record, ("procedureParlementaire.code",))[1]),
            "procedure_libelle": as_text(lookup(record, ("procedureParlementaire.libelle",))[1]),
            "initiateurs": [ref for item in _json.as_list(initiateurs) if isinstance(item, Mapping)
                            for ref in ref_list(item.get("acteurRef"))],
            "initiateur_organes": [ref for item in _json.as_list(organes) if isinstance(item, Mapping)
                                   for ref in ref_list(lookup(item, ("organeRef.uid", "organeRef"))[1])],
            "fusion_dossier_ref": as_text(lookup(record, ("fusionDossier.dossierAbsorbantRef",))[1]),
            "n_actes": len(acts) - before,
            "source": source,
        })
    if truncated[0]:
        warn(f"{truncated[0]} acte(s) coupés par l'outil qui a produit ces fichiers "
             f"(marqueur {TRUNCATION_MARKER}) : la chronologie de ces dossiers est incomplète.")

    if dossiers:
        dossier_df = frame_from_columns({k: [d[k] for d in dossiers] for k in DOSSIER_COLUMNS}, DOSSIER_COLUMNS)
        dossier_df = dossier_df.set_index("uid")
    else:
        dossier_df = empty_frame(DOSSIER_COLUMNS, index="uid")
    if acts:
        columns: dict[str, Any] = {k: [a[k] for a in acts] for k in ACTE_COLUMNS}
        columns["date"] = parse_dates(columns["date"], "dateActe")
        acte_df = frame_from_columns(columns, ACTE_COLUMNS, converters=("date",))
    else:
        acte_df = empty_frame(ACTE_COLUMNS)
    return {"dossiers": dossier_df, "actes": acte_df}


def dossiers_from_path(path: str | Path) -> dict[str, pd.DataFrame]:
    """Read dossiers from a zip archive, a folder of JSON files or one JSON file.

    In the official zip only the ``json/dossierParlementaire/`` members are read.

    Parameters
    ----------
    path
        The official zip, a folder of ``DLR5L17N*.json`` files or one such file.

    Returns
    -------
    dict of str to pandas.DataFrame
        ``"dossiers"`` and ``"actes"``, see ``dossiers_from_documents``.

    Raises
    ------
    SchemaError
        When a file is not valid JSON or a dossier has no uid.

    Examples
    --------
    >>> import json, pathlib, tempfile
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> record = {"dossierParlementaire": {"uid": "DLR5L17N50489", "legislature": "17"}}
    >>> _ = (folder / "DLR5L17N50489.json").write_text(json.dumps(record), encoding="utf-8")
    >>> dossiers_from_path(folder)["dossiers"].index.tolist()
    ['DLR5L17N50489']
    """
    path = Path(path)
    pattern = "json/dossierParlementaire/*.json" if path.suffix.lower() == ".zip" else "*.json"
    return dossiers_from_documents(iter_documents(path, pattern))


def dossiers_legislatifs(legislature: int = 17) -> dict[str, pd.DataFrame]:
    """Load the legislative dossiers of a legislature and the acts of their timeline.

    The official archive is downloaded, because the local data folder contains no copy.

    Returns
    -------
    dict of str to pandas.DataFrame
        ``"dossiers"`` and ``"actes"``, see ``dossiers_from_documents``.

    Parameters
    ----------
    legislature
        Available: 17.

    Raises
    ------
    CatalogueError
        When no archive is catalogued for the legislature.
    DownloadError
        When the archive cannot be downloaded.

    Examples
    --------
    The archive has no copy in the local data folder, so the tests skip this download:

    >>> tables = dossiers_legislatifs(17)  # doctest: +SKIP
    """
    dataset = DATASETS.get(legislature)
    if dataset is None:
        raise CatalogueError(f"Pas d'archive de dossiers législatifs cataloguée pour la législature "
                             f"{legislature}. Disponibles : {', '.join(map(str, DATASETS))}.")
    fetched = fetch(dataset)
    return cached_tables(dataset, PARSER_VERSION, [fetched.record], lambda: dossiers_from_path(fetched.path))
