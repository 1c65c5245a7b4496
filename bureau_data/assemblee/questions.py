"""Questions to the government (questions au gouvernement, écrites, orales sans débat).

Every kind of question has the same record, ``{"question": {...}}``, with differences
between exports: the XVth legislature writes dates as ``DD/MM/YYYY`` and its subject
keys in capitals (``indexationAN.ANALYSE.ANA``), the XVIIth writes ISO dates and
``indexationAN.analyses.analyse``. A question au gouvernement has no written question:
the oral exchange, question and answer, is one HTML text in ``textesReponse``.

Ministry labels change with each government. ``data/ministeres.csv`` maps each label
the AN used to a stable ministry name (``ministere``) and the rank of the minister who
answered (``fonction``); the raw label is kept beside it.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any

import pandas as pd

from bureau_data import _json
from bureau_data.assemblee._common import (
    as_text,
    empty_frame,
    find,
    frame_from_columns,
    iter_documents,
    lookup,
    normalise_label,
    parse_dates,
    warn,
)
from bureau_data.cache import cached_tables
from bureau_data.config import PROJECT_ROOT
from bureau_data.errors import CatalogueError, DataCheckError, SchemaError
from bureau_data.fetch import fetch
from bureau_data.text import html_to_text

PARSER_VERSION = "1"

DATASETS = {
    ("QG", 15): "assemblee.questions.gouvernement.l15",
    ("QE", 17): "assemblee.questions.ecrites.l17",
}
TYPES = ("QG", "QE", "QOSD")

COLUMNS: dict[str, Any] = {
    "uid": "string",
    "type": pd.CategoricalDtype(list(TYPES)),
    "numero": "Int64",
    "legislature": "Int16",
    "auteur_ref": "string",
    "mandat_ref": "string",
    "groupe_ref": "string",
    "groupe_abrege": "string",
    "groupe_libelle": "string",
    "ministere_interroge": "string",
    "ministere_interroge_brut": "string",
    "ministere_interroge_ref": "string",
    "ministere_attributaire": "string",
    "ministere_attributaire_brut": "string",
    "ministere_attributaire_ref": "string",
    "fonction_attributaire": "string",
    "n_attributions": "int64",
    "rubrique": "string",
    "tete_analyse": "string",
    "analyse": "string",
    "date_question": "datetime64[ns]",
    "date_reponse": "datetime64[ns]",
    "delai_reponse_jours": "Int64",
    "cloture_code": "string",
    "cloture_libelle": "string",
    "date_cloture": "datetime64[ns]",
    "n_renouvellements": "int64",
    "signalee": "bool",
    "texte_question": "string",
    "texte_reponse": "string",
    "source": "string",
}
_DATE_FIELDS = ("date_question", "date_reponse", "date_cloture")

FIELDS: dict[str, tuple[str, ...]] = {
    "type": ("type",),
    "numero": ("identifiant.numero",),
    "legislature": ("identifiant.legislature",),
    "auteur_ref": ("auteur.identite.acteurRef",),
    "mandat_ref": ("auteur.identite.mandatRef",),
    "groupe_ref": ("auteur.groupe.organeRef",),
    "groupe_abrege": ("auteur.groupe.abrege",),
    "groupe_libelle": ("auteur.groupe.developpe",),
    "ministere_interroge_brut": ("minInt.abrege", "minInt.developpe"),
    "ministere_interroge_ref": ("minInt.organeRef",),
    "rubrique": ("indexationAN.rubrique",),
    "tete_analyse": ("indexationAN.teteAnalyse",),
    "date_question": ("textesQuestion.texteQuestion.infoJO.dateJO",),
    "texte_question": ("textesQuestion.texteQuestion.texte",),
    "date_reponse": ("textesReponse.texteReponse.infoJO.dateJO",),
    "texte_reponse": ("textesReponse.texteReponse.texte",),
    "cloture_code": ("cloture.codeCloture",),
    "cloture_libelle": ("cloture.libelleCloture",),
    "date_cloture": ("cloture.dateCloture",),
}
CHECKED_FIELDS = ("type", "numero", "auteur_ref", "groupe_ref", "ministere_interroge_brut")


@lru_cache(maxsize=4)
def _ministry_table(path: str) -> dict[str, tuple[str, str]]:
    table: dict[str, tuple[str, str]] = {}
    with open(path, encoding="utf-8", newline="") as handle:
        for line, row in enumerate(csv.DictReader(handle, delimiter=";"), start=2):
            key = normalise_label(row.get("libelle") or "")
            if not key or not row.get("ministere"):
                raise DataCheckError(f"{path}, ligne {line} : libelle et ministere sont obligatoires : complétez la ligne ou supprimez-la.")
            if key in table and table[key] != (row["ministere"], row["fonction"]):
                raise DataCheckError(f"{path}, ligne {line} : libellé {row['libelle']!r} en double, "
                                     "avec un autre ministère.")
            table[key] = (row["ministere"], row["fonction"])
    return table


def ministeres() -> pd.DataFrame:
    """Return the reference table of ministry labels, ``data/ministeres.csv``.

    Returns
    -------
    pandas.DataFrame
        Columns ``libelle`` (label as the AN writes it in ``minInt.abrege`` or
        ``denomination.abrege``), ``ministere`` (stable name across reshuffles, e.g.
        « Santé et solidarités ») and ``fonction`` (ministre, ministre délégué,
        secrétaire d'État...).

    Raises
    ------
    CatalogueError
        When the package runs outside its checkout, which contains the table.

    Examples
    --------
    >>> table = ministeres().set_index("libelle")
    >>> table.loc["Solidarités et santé", ["ministere", "fonction"]].tolist()
    ['Santé et solidarités', 'ministre']
    """
    return pd.read_csv(_ministry_path(), sep=";", dtype="string")


def _ministry_path() -> str:
    if PROJECT_ROOT is None:
        raise CatalogueError("Table des ministères introuvable : installez bureau_data depuis son dépôt.")
    return str(PROJECT_ROOT / "data" / "ministeres.csv")


def _analyse(index: Any) -> str | None:
    # XV: ANALYSE.ANA (string or list); XVII: analyses.analyse (string or list).
    found, value = lookup(index, ("ANALYSE.ANA", "analyses.analyse"))
    if not found:
        return None
    parts = [as_text(item) for item in _json.as_list(value)]
    return "; ".join(part for part in parts if part) or None


def _children(container: Any, key: str) -> list[Any]:
    """Return the items under ``container[key]``: none, one object or a list."""
    container = _json.scalar(container)
    if not isinstance(container, Mapping):
        return []
    return _json.as_list(container.get(key))


def _row(source: str, record: Mapping[str, Any], missing: dict[str, list[str]]) -> dict[str, Any]:
    uid = as_text(record.get("uid"))
    if uid is None:
        raise SchemaError(f"{source} : question sans uid.", path=source, field="uid", found="absent")
    row: dict[str, Any] = {"uid": uid, "source": source}
    problems: list[str] = []
    spellings: dict[str, str | None] = {}
    for column, paths in FIELDS.items():
        path, value = find(record, paths)
        spellings[column] = path
        if path is None and column in CHECKED_FIELDS:
            missing.setdefault(uid, []).append(column)
        # as_text, inlined for the common case: this loop runs for every field.
        row[column] = (value.strip() or None) if type(value) is str else as_text(value, problems, column)
    if problems:
        warn(f"{source} : objets imbriqués là où un texte était attendu ({', '.join(problems)}), laissés vides.")

    row["analyse"] = _analyse(record.get("indexationAN"))
    attributions = _children(record.get("minAttribs"), "minAttrib")
    # The last attribution is the ministry that answers (or must answer).
    last = attributions[-1] if attributions else None
    _, attrib_label = lookup(last, ("denomination.abrege", "denomination.developpe"))
    _, attrib_ref = lookup(last, ("denomination.organeRef",))
    row["ministere_attributaire_brut"] = as_text(attrib_label)
    row["ministere_attributaire_ref"] = as_text(attrib_ref)
    row["n_attributions"] = len(attributions)
    row["n_renouvellements"] = len(_children(record.get("renouvellements"), "renouvellement"))
    row["signalee"] = _json.scalar(record.get("signalement")) is not None
    row["numero"] = _json.to_int(row["numero"], file=source, field=spellings["numero"])
    row["legislature"] = _json.to_int(row["legislature"], file=source, field=spellings["legislature"])
    row["texte_question"] = html_to_text(row["texte_question"])
    row["texte_reponse"] = html_to_text(row["texte_reponse"])
    return row


def _html_fragments(path: Path) -> list[str]:
    """Return the HTML fragments of a question archive that ``_row`` converts to text.

    The text tests and the benchmarks read them, to compare and time the conversion alone.
    """
    fragments = []
    for _source, document in iter_documents(path):
        for column in ("texte_question", "texte_reponse"):
            _, value = find(document["question"], FIELDS[column])
            if isinstance(value, str):
                fragments.append(value)
    return fragments


def questions_from_documents(documents: Iterable[tuple[str, Any]]) -> pd.DataFrame:
    """Build the question table from parsed ``{"question": {...}}`` documents of any kind.

    Envelopes that wrap a record in ``{"sample": {...}}`` are unwrapped.

    Returns
    -------
    pandas.DataFrame
        Indexed by ``uid``; see ``questions_gouvernement`` for the columns.

    Parameters
    ----------
    documents
        ``(name, document)`` pairs, where a document is the object parsed from one JSON
        file. ``name`` appears in messages and in the ``source`` column.

    Raises
    ------
    SchemaError
        When a document has no ``question`` root or a question has no uid.
    DataCheckError
        When two different records share a uid.

    Examples
    --------
    >>> record = {"question": {
    ...     "uid": "QANR5L17QE1", "type": "QE",
    ...     "identifiant": {"numero": "1", "legislature": "17"},
    ...     "auteur": {"identite": {"acteurRef": "PA1", "mandatRef": "PM1"},
    ...                "groupe": {"organeRef": "PO1", "abrege": "EPR"}},
    ...     "minInt": {"abrege": "Solidarités et santé"},
    ...     "textesQuestion": {"texteQuestion": {"infoJO": {"dateJO": "2024-10-01"},
    ...                                          "texte": "<p>Quand&nbsp;?</p>"}},
    ...     "textesReponse": {"texteReponse": {"infoJO": {"dateJO": "2024-11-05"},
    ...                                        "texte": "Bientôt."}}}}
    >>> df = questions_from_documents([("QANR5L17QE1.json", record)])
    >>> row = df.loc["QANR5L17QE1"]
    >>> row["ministere_interroge"], int(row["delai_reponse_jours"]), row["texte_question"]
    ('Santé et solidarités', 35, 'Quand ?')
    >>> questions_from_documents([("vide.json", {"scrutin": {}})])
    Traceback (most recent call last):
        ...
    bureau_data.errors.SchemaError: vide.json : objet « question » attendu à la racine, ...
    """
    rows: dict[str, dict[str, Any]] = {}
    missing: dict[str, list[str]] = {}
    duplicates = 0
    for source, document in documents:
        if isinstance(document, Mapping) and "sample" in document and "question" not in document:
            document = document["sample"]
        question = _json.scalar(document.get("question")) if isinstance(document, Mapping) else None
        if not isinstance(question, Mapping):
            keys = ", ".join(sorted(map(str, document))) if isinstance(document, Mapping) else type(document).__name__
            keys = keys or "objet vide"
            raise SchemaError(f"{source} : objet « question » attendu à la racine, trouvé : {keys}.",
                              path=source, field="question", found=keys)
        row = _row(source, question, missing)
        if row["uid"] in rows:
            if {k: v for k, v in rows[row["uid"]].items() if k != "source"} != \
                    {k: v for k, v in row.items() if k != "source"}:
                raise DataCheckError(f"Question {row['uid']} présente deux fois avec des contenus différents "
                                     f"({rows[row['uid']]['source']}, {source}). Vérifiez l'export.")
            duplicates += 1
            continue
        rows[row["uid"]] = row
    if duplicates:
        warn(f"{duplicates} doublon(s) identique(s) de questions : une seule copie gardée par uid.")
    if missing:
        details = "; ".join(f"{uid} : {', '.join(fields)}" for uid, fields in list(missing.items())[:5])
        warn(f"{len(missing)} question(s) sans certains champs, laissés vides mais gardées : {details}.")
    df = _frame(list(rows.values()))
    df.attrs["doublons_identiques"] = duplicates
    return df


def _frame(rows: list[dict[str, Any]]) -> pd.DataFrame:
    if not rows:
        return empty_frame(COLUMNS, index="uid")
    table = _ministry_table(_ministry_path())
    unmapped: dict[str, int] = {}
    for row in rows:
        for kind in ("interroge", "attributaire"):
            raw = row[f"ministere_{kind}_brut"]
            mapped = table.get(normalise_label(raw)) if raw else None
            if raw and mapped is None:
                unmapped[raw] = unmapped.get(raw, 0) + 1
            row[f"ministere_{kind}"] = mapped[0] if mapped else raw
            if kind == "attributaire":
                row["fonction_attributaire"] = mapped[1] if mapped else None
    if unmapped:
        details = ", ".join(f"{label!r} ({count})" for label, count in sorted(unmapped.items())[:10])
        warn(f"{len(unmapped)} libellé(s) de ministère absents de data/ministeres.csv, gardés tels quels : "
             f"{details}. Ajoutez-les à la table pour les regrouper.")

    columns: dict[str, Any] = {name: [row.get(name) for row in rows] for name in COLUMNS}
    for name in _DATE_FIELDS:
        columns[name] = parse_dates(columns[name], name, tz=None)
    # A question au gouvernement is asked and answered in the same sitting.
    is_qg = pd.Series([t == "QG" for t in columns["type"]])
    columns["date_question"] = columns["date_question"].where(~is_qg, columns["date_reponse"])
    delay = (columns["date_reponse"] - columns["date_question"]).dt.days
    columns["delai_reponse_jours"] = delay.astype("Int64")
    unknown_types = sorted({t for t in columns["type"] if t is not None and t not in TYPES})
    if unknown_types:
        warn(f"Type de question inconnu : {', '.join(unknown_types)} ; laissé vide. Types connus : {', '.join(TYPES)}.")
    df = frame_from_columns(columns, COLUMNS, converters=(*_DATE_FIELDS, "delai_reponse_jours"))
    return df.set_index("uid")


def questions_from_path(path: str | Path) -> pd.DataFrame:
    """Read questions from a zip archive, a folder of JSON files or one JSON file.

    Examples
    --------
    >>> import json, pathlib, tempfile
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> record = {"question": {
    ...     "uid": "QANR5L17QE1", "type": "QE", "identifiant": {"numero": "1", "legislature": "17"},
    ...     "auteur": {"identite": {"acteurRef": "PA1"}, "groupe": {"organeRef": "PO1"}},
    ...     "minInt": {"abrege": "Premier ministre"}}}
    >>> _ = (folder / "QANR5L17QE1.json").write_text(json.dumps(record), encoding="utf-8")
    >>> df = questions_from_path(folder)
    >>> df.index.tolist(), df["source"].tolist()
    (['QANR5L17QE1'], ['QANR5L17QE1.json'])
    """
    return questions_from_documents(iter_documents(Path(path)))


def questions_ecrites_from_records(records: str | Path | Iterable[Mapping[str, Any]]) -> pd.DataFrame:
    """Build the table of questions écrites from a folder, a zip, or parsed records.

    Parameters
    ----------
    records : str, Path or iterable of dict
        A zip or folder of ``QANR5L17QE*.json`` files, or parsed ``{"question": ...}``
        documents.

    Returns
    -------
    pandas.DataFrame
        The columns of ``questions_gouvernement``; rows whose type is not ``QE`` are
        dropped with a warning.

    Examples
    --------
    >>> import warnings
    >>> def record(uid, kind):
    ...     return {"question": {
    ...         "uid": uid, "type": kind, "identifiant": {"numero": "1", "legislature": "17"},
    ...         "auteur": {"identite": {"acteurRef": "PA1"}, "groupe": {"organeRef": "PO1"}},
    ...         "minInt": {"abrege": "Premier ministre"}}}
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     df = questions_ecrites_from_records([record("QANR5L17QE1", "QE"),
    ...                                          record("QANR5L17QG1", "QG")])
    >>> df.index.tolist(), str(caught[-1].message)
    (['QANR5L17QE1'], "1 question(s) d'un autre type que QE écartées.")
    """
    if isinstance(records, str | Path):
        df = questions_from_path(records)
    else:
        df = questions_from_documents((f"enregistrement {i}", doc) for i, doc in enumerate(records))
    other = df["type"].astype("object") != "QE"
    if other.any():
        warn(f"{int(other.sum())} question(s) d'un autre type que QE écartées.")
    return df[~other]


def _load(kind: str, legislature: int) -> pd.DataFrame:
    dataset = DATASETS.get((kind, legislature))
    if dataset is None:
        available = ", ".join(f"{k} {leg}" for k, leg in sorted(DATASETS))
        raise CatalogueError(f"Pas d'archive de questions {kind} cataloguée pour la législature "
                             f"{legislature}. Disponibles : {available}.")
    fetched = fetch(dataset)
    tables = cached_tables(dataset, PARSER_VERSION, [fetched.record],
                           lambda: {"questions": questions_from_path(fetched.path)})
    return tables["questions"]


def questions_gouvernement(legislature: int = 15) -> pd.DataFrame:
    """Load the questions au gouvernement of a legislature: one row per question.

    Parameters
    ----------
    legislature : int
        Available: 15 (the local copy holds the 1003 questions answered in 2019).

    Returns
    -------
    pandas.DataFrame
        Indexed by ``uid`` (``QANR5L15QG1539``). Columns:

        ===========================  ==============  =========================================
        column                       dtype           meaning
        ===========================  ==============  =========================================
        type                         category        QG, QE or QOSD
        numero, legislature          Int64, Int16    number of the question, legislature
        auteur_ref, mandat_ref       string          deputy (PA…) and mandate (PM…)
        groupe_ref                   string          group organe (PO…) at the time
        groupe_abrege, _libelle      string          group acronym and name, as in the record
        ministere_interroge          string          questioned ministry, harmonised
        ministere_interroge_brut     string          label as written by the AN
        ministere_interroge_ref      string          ministry organe (XVII only)
        ministere_attributaire       string          ministry that answers, harmonised
        ministere_attributaire_brut  string          its label as written (last attribution)
        ministere_attributaire_ref   string          its organe (XVII only)
        fonction_attributaire        string          ministre, secrétaire d'État... (from the table)
        n_attributions               int64           attributions (more than 1: reassigned)
        rubrique, tete_analyse       string          subject heading
        analyse                      string          subject analysis (``ANALYSE.ANA``)
        date_question                datetime64[ns]  JO date of the question (the sitting for QG)
        date_reponse                 datetime64[ns]  JO date of the answer, NaT if none
        delai_reponse_jours          Int64           days from question to answer (0 for QG)
        cloture_code, _libelle       string          closure (``REP_PUB`` Réponse publiée...)
        date_cloture                 datetime64[ns]  closure date
        n_renouvellements            int64           times a QE was renewed
        signalee                     bool            flagged by the group president (QE)
        texte_question               string          question, plain text (NA for QG)
        texte_reponse                string          answer (the whole exchange for QG), plain text
        source                       string          archive member of the row
        ===========================  ==============  =========================================

    Notes
    -----
    XVth-legislature dates are ``DD/MM/YYYY``; later ones ISO. Both are parsed.
    ``identifiant.regime`` contains a U+FFFD character in the XVth export; it is not read.
    Ministry labels absent from ``data/ministeres.csv`` are kept raw, with a warning.

    Examples
    --------
    >>> df = questions_gouvernement(15)
    >>> len(df), df["ministere_attributaire"].value_counts().index[0]
    (1003, 'Santé et solidarités')
    """
    return _load("QG", legislature)


def questions_ecrites(legislature: int = 17) -> pd.DataFrame:
    """Load the questions écrites of a legislature from the official archive.

    The archive is downloaded (45 to 130 MB): no copy is kept in the local data folder.
    Same columns as ``questions_gouvernement``.

    Parameters
    ----------
    legislature : int
        Available: 17.

    Returns
    -------
    pandas.DataFrame
        Indexed by ``uid`` (``QANR5L17QE1``), with the columns of
        ``questions_gouvernement``.

    Raises
    ------
    CatalogueError
        When no archive is catalogued for the legislature.
    DownloadError
        When the archive cannot be downloaded.

    Examples
    --------
    The archive has no copy in the local data folder, so the tests skip this download:

    >>> df = questions_ecrites(17)  # doctest: +SKIP
    """
    return _load("QE", legislature)
