"""Parse an AMO archive (acteurs, mandats, organes) into three raw tables.

One parser reads every AMO layout the Assemblée nationale has published:

- AMO10 (active deputies, their active mandates embedded in each acteur file), in its
  2019 variant where ``@xmlns`` sits inside ``uid`` and ``etatCivil``, and its later one;
- AMO20 (deputies, senators and ministers with all their mandates, past ones included);
- AMO50 (divided export: acteurs without mandates, one ``json/mandat/PM*.json`` file per
  mandate, joined on ``acteurRef``).

The member's root key (``acteur``, ``mandat``, ``organe``) decides how it is read, and the
members of other kinds (``deport``, ``pays``) are skipped. Values go through
``bureau_data._json`` so that ``xsi:nil`` objects, ``#text`` wrappers and lone objects in
place of lists never reach a cell. Columns are built as plain lists and turned into one
DataFrame per table with the dtypes declared below.
"""

from __future__ import annotations

import logging
import re
import warnings
from collections.abc import Callable, Mapping
from datetime import date
from pathlib import Path
from typing import Any

import orjson
import pandas as pd

from bureau_data import archive
from bureau_data._json import as_list, get, is_nil, require, scalar
from bureau_data.codes import normalize_departement
from bureau_data.errors import DataCheckError, DataWarning, SchemaError

logger = logging.getLogger(__name__)

# Bump when the parsed tables change, so that the Parquet cache is rebuilt.
PARSER_VERSION = "1"

STRING = pd.StringDtype()
DATE = "datetime64[ns]"
SEXES = ["F", "H"]
_SEX_OF_CIVILITE = {"Mme": "F", "M.": "H"}

# The AN's code for the circonscriptions of the Français établis hors de France. It is
# not a département, so it is kept as published rather than passed to normalize_departement.
CODE_FRANCAIS_ETRANGER = "099"

ACTEUR_COLUMNS: dict[str, Any] = {
    "uid": STRING,
    "civilite": STRING,
    "prenom": STRING,
    "nom": STRING,
    "nom_alpha": STRING,
    "trigramme": STRING,
    "sexe": pd.CategoricalDtype(SEXES),
    "date_naissance": DATE,
    "ville_naissance": STRING,
    "departement_naissance": STRING,
    "pays_naissance": STRING,
    "date_deces": DATE,
    "profession": STRING,
    "categorie_socio_pro": STRING,
    "famille_socio_pro": STRING,
    "uri_hatvp": STRING,
    "fichier": STRING,
}

MANDAT_COLUMNS: dict[str, Any] = {
    "uid": STRING,
    "acteur_uid": STRING,
    "legislature": "Int64",
    "type_organe": STRING,
    "organe_uid": STRING,
    # Every organe of the mandate, separated by spaces: Parquet would turn a list cell
    # into a numpy array, so the public loader splits this column into lists.
    "organes_uids": STRING,
    "date_debut": DATE,
    "date_prise_fonction": DATE,
    "date_fin": DATE,
    "date_publication": DATE,
    "qualite": STRING,
    "libelle_qualite": STRING,
    "preseance": "Int64",
    "nomination_principale": "boolean",
    "cause_mandat": STRING,
    "cause_fin": STRING,
    "mandat_remplace_uid": STRING,
    "suppleant_uid": STRING,
    "region": STRING,
    "region_type": STRING,
    "departement": STRING,
    "departement_code": STRING,
    "circonscription": "Int64",
    "circonscription_uid": STRING,
    "place_hemicycle": "Int64",
    "premiere_election": "boolean",
    "fichier": STRING,
}

ORGANE_COLUMNS: dict[str, Any] = {
    "uid": STRING,
    "code_type": STRING,
    "libelle": STRING,
    "libelle_edition": STRING,
    "libelle_abrege": STRING,
    "libelle_abrev": STRING,
    "date_debut": DATE,
    "date_agrement": DATE,
    "date_fin": DATE,
    "legislature": "Int64",
    "organe_parent": STRING,
    "regime": STRING,
    "couleur": STRING,
    "position_politique": STRING,
    "preseance": "Int64",
    "fichier": STRING,
}

_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}")


def build_frame(data: Mapping[str, list[Any]], schema: Mapping[str, Any]) -> pd.DataFrame:
    """Return a DataFrame with exactly the columns and dtypes of ``schema``.

    A column absent from ``data`` is created empty, so an empty result keeps its schema.
    Date columns hold ISO ``YYYY-MM-DD`` strings or None.
    """
    length = max((len(values) for values in data.values()), default=0)
    columns: dict[str, Any] = {}
    for name, dtype in schema.items():
        values = data.get(name, [None] * length)
        if dtype == DATE:
            columns[name] = pd.to_datetime(pd.Series(values, dtype=object), format="%Y-%m-%d").astype("datetime64[ns]")
        elif isinstance(dtype, pd.CategoricalDtype):
            columns[name] = pd.Categorical(values, dtype=dtype)
        else:
            columns[name] = pd.array(values, dtype=dtype)
    return pd.DataFrame(columns, index=pd.RangeIndex(length))


class _Where:
    """Location of the record being read, for error messages: ``archive.zip:json/...``."""

    __slots__ = ("file",)

    def __init__(self, file: str) -> None:
        self.file = file


def _date(value: Any, where: _Where, field: str) -> str | None:
    """Return the ``YYYY-MM-DD`` part of an AN date, None when empty."""
    value = scalar(value)
    if value is None or value == "":
        return None
    if isinstance(value, str) and _ISO_DATE.match(value):
        text = value[:10]
        try:
            date.fromisoformat(text)
        except ValueError:
            pass
        else:
            return text
    raise SchemaError(
        f"{where.file} : le champ {field} contient {value!r} au lieu d'une date AAAA-MM-JJ.",
        path=where.file, field=field, found=repr(value),
    )


def _int(value: Any, where: _Where, field: str) -> int | None:
    value = scalar(value)
    if value is None or value == "":
        return None
    try:
        return int(str(value).strip())
    except ValueError:
        raise SchemaError(
            f"{where.file} : le champ {field} contient {value!r} au lieu d'un nombre entier.",
            path=where.file, field=field, found=repr(value),
        ) from None


def _bool(value: Any, where: _Where, field: str) -> bool | None:
    value = scalar(value)
    if value is None or value == "":
        return None
    text = str(value).strip().lower()
    if text in {"1", "true"}:
        return True
    if text in {"0", "false"}:
        return False
    raise SchemaError(
        f"{where.file} : le champ {field} contient {value!r} au lieu de 0/1 ou true/false.",
        path=where.file, field=field, found=repr(value),
    )


def _text(record: Any, path: str) -> str | None:
    """Return the text at ``path``, None when missing, nil or not a scalar."""
    value = get(record, path)
    if value is None or isinstance(value, (Mapping, list)):
        return None
    text = str(value).strip()
    return text or None


def _required_text(record: Any, path: str, where: _Where, prefix: str) -> str:
    value = require(record, path, file=where.file)
    if isinstance(value, (Mapping, list)):
        kind = "objet" if isinstance(value, Mapping) else "liste"
        raise SchemaError(
            f"{where.file} : le champ {prefix}{path} est un(e) {kind} au lieu d'un texte : {value!r:.120}.",
            path=where.file, field=prefix + path, found=kind,
        )
    return str(value).strip()


def departement_code(value: str | None) -> tuple[str | None, bool]:
    """Return the normalised code of an AN ``numDepartement`` and whether it is valid.

    ``"1"`` gives ``"01"``, ``"2a"`` gives ``"2A"`` and ``"099"`` stays as published. A code
    that is not a département (the Senate uses ``"997"`` and ``"998"``) is kept as
    published, with False.
    """
    if value is None:
        return None, True
    if value.strip().lstrip("0") == "99":
        return CODE_FRANCAIS_ETRANGER, True
    try:
        return normalize_departement(value, field="election.lieu.numDepartement"), True
    except DataCheckError:
        return value.strip(), False


# Root keys of the members read; members of other kinds (deport, pays) are skipped.
_KINDS = ("acteur", "mandat", "organe")


class AmoParser:
    """Accumulate the columns of the three tables while members are read."""

    def __init__(self) -> None:
        self.acteurs: dict[str, list[Any]] = {name: [] for name in ACTEUR_COLUMNS}
        self.mandats: dict[str, list[Any]] = {name: [] for name in MANDAT_COLUMNS}
        self.organes: dict[str, list[Any]] = {name: [] for name in ORGANE_COLUMNS}
        self._mandat_uids: set[str] = set()
        self.duplicate_mandats = 0
        self.unknown_civilites: dict[str, int] = {}
        self.invalid_departements: dict[str, int] = {}

    # -- documents -------------------------------------------------------------------

    def add_document(self, doc: Any, where: _Where) -> None:
        """Read one member: an acteur, a mandat or an organe; other kinds are skipped.

        Unknown keys beside the root object are ignored, and a root object written as a
        one-item list is read as its item.
        """
        kinds = [key for key in doc if key in _KINDS] if isinstance(doc, Mapping) else []
        if not isinstance(doc, Mapping) or not doc or is_nil(doc) or len(kinds) > 1:
            found = sorted(doc)[:5] if isinstance(doc, Mapping) else type(doc).__name__
            raise SchemaError(
                f"{where.file} : un objet racine unique (acteur, mandat ou organe) était attendu, "
                f"trouvé : {found or 'objet vide'}.",
                path=where.file, field="(racine)", found=str(found or "objet vide"),
            )
        if not kinds:
            return
        kind = kinds[0]
        record = scalar(doc[kind])
        if kind == "acteur":
            self.add_acteur(record, where)
        elif kind == "mandat":
            self.add_mandat(record, where, prefix="mandat.")
        elif kind == "organe":
            self.add_organe(record, where)

    def add_acteur(self, acteur: Any, where: _Where) -> None:
        """Read one acteur and the mandates embedded in it (AMO10, AMO20)."""
        prefix = "acteur."
        uid = _required_text(acteur, "uid", where, prefix)
        civilite = _required_text(acteur, "etatCivil.ident.civ", where, prefix)
        columns = self.acteurs
        columns["uid"].append(uid)
        columns["civilite"].append(civilite)
        columns["prenom"].append(_required_text(acteur, "etatCivil.ident.prenom", where, prefix))
        columns["nom"].append(_required_text(acteur, "etatCivil.ident.nom", where, prefix))
        columns["nom_alpha"].append(_text(acteur, "etatCivil.ident.alpha"))
        columns["trigramme"].append(_text(acteur, "etatCivil.ident.trigramme"))
        sexe = _SEX_OF_CIVILITE.get(civilite)
        if sexe is None:
            self.unknown_civilites[civilite] = self.unknown_civilites.get(civilite, 0) + 1
        columns["sexe"].append(sexe)
        columns["date_naissance"].append(
            _date(get(acteur, "etatCivil.infoNaissance.dateNais"), where, "acteur.etatCivil.infoNaissance.dateNais")
        )
        columns["ville_naissance"].append(_text(acteur, "etatCivil.infoNaissance.villeNais"))
        columns["departement_naissance"].append(_text(acteur, "etatCivil.infoNaissance.depNais"))
        columns["pays_naissance"].append(_text(acteur, "etatCivil.infoNaissance.paysNais"))
        columns["date_deces"].append(_date(get(acteur, "etatCivil.dateDeces"), where, "acteur.etatCivil.dateDeces"))
        columns["profession"].append(_text(acteur, "profession.libelleCourant"))
        columns["categorie_socio_pro"].append(_text(acteur, "profession.socProcINSEE.catSocPro"))
        columns["famille_socio_pro"].append(_text(acteur, "profession.socProcINSEE.famSocPro"))
        columns["uri_hatvp"].append(_text(acteur, "uri_hatvp"))
        columns["fichier"].append(where.file)

        mandats = acteur.get("mandats") if isinstance(acteur, Mapping) else None
        for mandat in as_list(get(mandats, "mandat") if mandats is not None else None):
            self.add_mandat(mandat, where, prefix="acteur.mandats.mandat.")

    def add_mandat(self, mandat: Any, where: _Where, prefix: str) -> None:
        """Read one mandate, embedded in an acteur or from its own file (AMO50)."""
        uid = _required_text(mandat, "uid", where, prefix)
        if uid in self._mandat_uids:
            self.duplicate_mandats += 1
            return
        self._mandat_uids.add(uid)

        organe_refs = [
            str(scalar(ref)).strip()
            for ref in as_list(require(mandat, "organes.organeRef", file=where.file))
            if scalar(ref) is not None
        ]
        if not organe_refs:
            raise SchemaError(
                f"{where.file} : le mandat {uid} n'a aucun organe ({prefix}organes.organeRef vide).",
                path=where.file, field=prefix + "organes.organeRef", found="liste vide",
            )
        suppleants = as_list(get(mandat, "suppleants.suppleant"))
        departement = _text(mandat, "election.lieu.numDepartement")
        type_organe = _required_text(mandat, "typeOrgane", where, prefix)

        columns = self.mandats
        columns["uid"].append(uid)
        columns["acteur_uid"].append(_required_text(mandat, "acteurRef", where, prefix))
        columns["legislature"].append(_int(get(mandat, "legislature"), where, prefix + "legislature"))
        columns["type_organe"].append(type_organe)
        columns["organe_uid"].append(organe_refs[0])
        columns["organes_uids"].append(" ".join(organe_refs))
        columns["date_debut"].append(
            _date(require(mandat, "dateDebut", file=where.file), where, prefix + "dateDebut")
        )
        columns["date_prise_fonction"].append(
            _date(get(mandat, "mandature.datePriseFonction"), where, prefix + "mandature.datePriseFonction")
        )
        columns["date_fin"].append(_date(get(mandat, "dateFin"), where, prefix + "dateFin"))
        columns["date_publication"].append(
            _date(get(mandat, "datePublication"), where, prefix + "datePublication")
        )
        columns["qualite"].append(_text(mandat, "infosQualite.codeQualite"))
        columns["libelle_qualite"].append(_text(mandat, "infosQualite.libQualiteSex"))
        columns["preseance"].append(_int(get(mandat, "preseance"), where, prefix + "preseance"))
        columns["nomination_principale"].append(
            _bool(get(mandat, "nominPrincipale"), where, prefix + "nominPrincipale")
        )
        columns["cause_mandat"].append(_text(mandat, "election.causeMandat"))
        columns["cause_fin"].append(_text(mandat, "mandature.causeFin"))
        columns["mandat_remplace_uid"].append(_text(mandat, "mandature.mandatRemplaceRef"))
        # The last substitute listed is the current one when the list has several.
        columns["suppleant_uid"].append(
            _text(suppleants[-1], "suppleantRef") if suppleants else None
        )
        columns["region"].append(_text(mandat, "election.lieu.region"))
        columns["region_type"].append(_text(mandat, "election.lieu.regionType"))
        columns["departement"].append(_text(mandat, "election.lieu.departement"))
        code, valid = departement_code(departement)
        if code is not None and not valid and type_organe == "ASSEMBLEE":
            self.invalid_departements[code] = self.invalid_departements.get(code, 0) + 1
        columns["departement_code"].append(code)
        columns["circonscription"].append(
            _int(get(mandat, "election.lieu.numCirco"), where, prefix + "election.lieu.numCirco")
        )
        columns["circonscription_uid"].append(_text(mandat, "election.refCirconscription"))
        columns["place_hemicycle"].append(
            _int(get(mandat, "mandature.placeHemicycle"), where, prefix + "mandature.placeHemicycle")
        )
        columns["premiere_election"].append(
            _bool(get(mandat, "mandature.premiereElection"), where, prefix + "mandature.premiereElection")
        )
        columns["fichier"].append(where.file)

    def add_organe(self, organe: Any, where: _Where) -> None:
        """Read one organe."""
        prefix = "organe."
        columns = self.organes
        columns["uid"].append(_required_text(organe, "uid", where, prefix))
        columns["code_type"].append(_required_text(organe, "codeType", where, prefix))
        columns["libelle"].append(_required_text(organe, "libelle", where, prefix))
        columns["libelle_edition"].append(_text(organe, "libelleEdition"))
        columns["libelle_abrege"].append(_text(organe, "libelleAbrege"))
        columns["libelle_abrev"].append(_text(organe, "libelleAbrev"))
        columns["date_debut"].append(_date(get(organe, "viMoDe.dateDebut"), where, prefix + "viMoDe.dateDebut"))
        columns["date_agrement"].append(
            _date(get(organe, "viMoDe.dateAgrement"), where, prefix + "viMoDe.dateAgrement")
        )
        columns["date_fin"].append(_date(get(organe, "viMoDe.dateFin"), where, prefix + "viMoDe.dateFin"))
        columns["legislature"].append(_int(get(organe, "legislature"), where, prefix + "legislature"))
        columns["organe_parent"].append(_text(organe, "organeParent"))
        columns["regime"].append(_text(organe, "regime"))
        columns["couleur"].append(_text(organe, "couleurAssociee"))
        columns["position_politique"].append(_text(organe, "positionPolitique"))
        columns["preseance"].append(_int(get(organe, "preseance"), where, prefix + "preseance"))
        columns["fichier"].append(where.file)

    # -- result ----------------------------------------------------------------------

    def tables(self, label: str) -> dict[str, pd.DataFrame]:
        """Return the three tables, after warning about repaired records."""
        if self.duplicate_mandats:
            warnings.warn(
                f"{label} : {self.duplicate_mandats} mandat(s) présent(s) deux fois ; "
                "seule la première occurrence est gardée.",
                DataWarning, stacklevel=3,
            )
        if self.unknown_civilites:
            found = ", ".join(f"{civ!r} ({count})" for civ, count in sorted(self.unknown_civilites.items()))
            warnings.warn(
                f"{label} : civilité inconnue pour {sum(self.unknown_civilites.values())} acteur(s) : "
                f"{found}. Valeurs attendues : « M. » ou « Mme » ; le sexe est laissé vide.",
                DataWarning, stacklevel=3,
            )
        if self.invalid_departements:
            found = ", ".join(f"{code!r} ({count})" for code, count in sorted(self.invalid_departements.items()))
            warnings.warn(
                f"{label} : code de département inconnu dans {sum(self.invalid_departements.values())} "
                f"mandat(s) de député : {found}. Le code est gardé tel que publié.",
                DataWarning, stacklevel=3,
            )
        return {
            "acteurs": build_frame(self.acteurs, ACTEUR_COLUMNS),
            "mandats": build_frame(self.mandats, MANDAT_COLUMNS),
            "organes": build_frame(self.organes, ORGANE_COLUMNS),
        }


def parse_documents(documents: Callable[[], Any], label: str) -> dict[str, pd.DataFrame]:
    """Parse ``(file, bytes)`` pairs yielded by ``documents()`` into the three tables."""
    parser = AmoParser()
    for file, raw in documents():
        where = _Where(file)
        try:
            doc = orjson.loads(raw)
        except orjson.JSONDecodeError as exc:
            raise SchemaError(
                f"{file} : JSON invalide ({exc}). Le fichier est peut-être tronqué : "
                "supprimez-le du cache (bureau-data vider) et relancez.",
                path=file, field="(racine)", found="JSON invalide",
            ) from exc
        parser.add_document(doc, where)
    return parser.tables(label)


def parse_archive(path: Path) -> dict[str, pd.DataFrame]:
    """Parse every ``json/**.json`` member of an AMO zip archive.

    Returns
    -------
    dict
        ``{"acteurs": ..., "mandats": ..., "organes": ...}`` with the columns of
        ``ACTEUR_COLUMNS``, ``MANDAT_COLUMNS`` and ``ORGANE_COLUMNS``. The ``fichier``
        column names the member each row comes from, as ``<archive>:<member>``.

    Raises
    ------
    SchemaError
        When a member lacks a required field (naming the member, the field path and what
        was found) or is not valid JSON.
    """
    logger.debug("Lecture de l'archive AMO %s", path)

    def documents() -> Any:
        for name, raw in archive.iter_members(path, "*.json"):
            yield f"{path.name}:{name}", raw

    return parse_documents(documents, path.name)
