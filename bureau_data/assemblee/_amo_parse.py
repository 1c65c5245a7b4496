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
place of lists never reach a cell. Each record becomes a tuple, and the tuples of each
table become one DataFrame with the dtypes declared below. Records whose fields all have
their usual shape are read by the faster readers of ``_amo_fast``.
"""

from __future__ import annotations

import gc
import logging
import warnings
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, cast

import msgspec
import numpy as np
import orjson
import pandas as pd
import pyarrow as pa

from bureau_data import archive
from bureau_data._json import NIL_KEY, as_list, get, is_nil, is_utf8, require, scalar
from bureau_data.assemblee import _amo_fast, _amo_typed
from bureau_data.assemblee._amo_fast import (
    NotPlain,
    ValueCaches,
    departement_code,
    iso_date_text,
)
from bureau_data.assemblee._common import invalid_json_advice
from bureau_data.errors import DataWarning, SchemaError

logger = logging.getLogger(__name__)

# Bump when the parsed tables change, so that the cached tables are rebuilt.
PARSER_VERSION = "1"

STRING = pd.StringDtype()
DATE = "datetime64[ns]"
SEXES = ["F", "H"]
_SEX_OF_CIVILITE = {"Mme": "F", "M.": "H"}

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
    # Every organe of the mandate, separated by spaces: the Arrow cache would turn a list
    # cell into a numpy array, so the public loader splits this column into lists.
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

def _string_array(values: Sequence[Any], dtype: pd.StringDtype) -> Any:
    # pyarrow converts a sequence of str and None in C, where pandas would check every
    # item in Python first. The result is the ArrowStringArray that pd.array builds.
    return pd.array(pa.array(values, type=pa.large_string()), dtype=dtype)


def _masked_array(values: Sequence[Any], dtype: str) -> Any:
    """Return a nullable ``Int64`` or ``boolean`` array of Python ints or bools and None."""
    try:
        arrow = pa.array(values, type=pa.int64() if dtype == "Int64" else pa.bool_())
    except (pa.ArrowException, OverflowError, TypeError):
        return pd.array(values, dtype=cast(Any, dtype))  # pandas raises its own error on such values
    mask = arrow.is_null().to_numpy(zero_copy_only=False, writable=True)
    data = arrow.fill_null(0 if dtype == "Int64" else False).to_numpy(zero_copy_only=False, writable=True)
    if dtype == "Int64":
        return pd.arrays.IntegerArray(data, mask)
    return pd.arrays.BooleanArray(data, mask)


def _date_array(values: Sequence[Any]) -> Any:
    """Return the ``datetime64[ns]`` array of ISO ``YYYY-MM-DD`` strings and None.

    Each distinct date is converted once by ``pd.to_datetime`` (an archive has a few
    thousand distinct dates among tens of thousands of cells), so the result and the
    errors are those of converting the whole column.
    """
    distinct = list(set(values) - {None})
    converted = pd.to_datetime(pd.Series(distinct, dtype=object), format="%Y-%m-%d")
    nanoseconds = dict(zip(distinct, converted.astype("datetime64[ns]").to_numpy().view(np.int64).tolist(), strict=True))
    nanoseconds[None] = np.iinfo(np.int64).min  # NaT
    stamps = np.fromiter(map(nanoseconds.__getitem__, values), dtype=np.int64, count=len(values))
    return stamps.view(DATE)


def build_frame(rows: Sequence[tuple[Any, ...]], schema: Mapping[str, Any]) -> pd.DataFrame:
    """Return a DataFrame with exactly the columns and dtypes of ``schema``.

    ``rows`` are tuples in the order of ``schema``. An empty ``rows`` gives an empty
    table with the schema's columns. Date columns hold ISO ``YYYY-MM-DD`` strings or None.
    """
    length = len(rows)
    values_of = list(zip(*rows, strict=True)) if rows else [()] * len(schema)
    columns: dict[str, Any] = {}
    for (name, dtype), values in zip(schema.items(), values_of, strict=True):
        if dtype == DATE:
            columns[name] = _date_array(values)
        elif isinstance(dtype, pd.CategoricalDtype):
            columns[name] = pd.Categorical(values, dtype=dtype)
        elif isinstance(dtype, pd.StringDtype):
            columns[name] = _string_array(values, dtype)
        elif dtype in ("Int64", "boolean"):
            columns[name] = _masked_array(values, dtype)
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
    if isinstance(value, str):
        text = iso_date_text(value)
        if text is not None:
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


# Root keys of the members read; members of other kinds (deport, pays) are skipped.
_KINDS = ("acteur", "mandat", "organe")
# Positions in a mandate row of the columns the parser checks after reading it.
_MANDAT_UID, _MANDAT_TYPE_ORGANE, _MANDAT_DEPARTEMENT_CODE = (
    list(MANDAT_COLUMNS).index(name) for name in ("uid", "type_organe", "departement_code")
)


class AmoParser:
    """Accumulate the rows of the three tables while members are read.

    Each record is first read by the fast reader of ``_amo_fast``, which handles records
    whose fields have their usual shape, and otherwise by the generic reader below,
    which applies every rule of ``bureau_data._json`` and raises the ``SchemaError``s.
    Both build the same row from the same record.
    """

    def __init__(self) -> None:
        self.acteurs: list[tuple[Any, ...]] = []
        self.mandats: list[tuple[Any, ...]] = []
        self.organes: list[tuple[Any, ...]] = []
        self._caches = ValueCaches()
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
        if type(doc) is dict and len(doc) == 1:
            # The usual member has one root key, its kind. Other shapes are checked below.
            (kind,) = doc
            if kind in _KINDS:
                self._add_record(kind, scalar(doc[kind]), where)
                return
        kinds = [key for key in doc if key in _KINDS] if isinstance(doc, Mapping) else []
        if not isinstance(doc, Mapping) or not doc or is_nil(doc) or len(kinds) > 1:
            found = sorted(doc)[:5] if isinstance(doc, Mapping) else type(doc).__name__
            raise SchemaError(
                f"{where.file} : un objet racine unique (acteur, mandat ou organe) était attendu, "
                f"trouvé : {found or 'objet vide'}.",
                path=where.file, field="(racine)", found=str(found or "objet vide"),
            )
        if kinds:
            self._add_record(kinds[0], scalar(doc[kinds[0]]), where)

    def _add_record(self, kind: str, record: Any, where: _Where) -> None:
        if kind == "acteur":
            self.add_acteur(record, where)
        elif kind == "mandat":
            self.add_mandat(record, where, prefix="mandat.")
        elif kind == "organe":
            self.add_organe(record, where)

    def add_acteur(self, acteur: Any, where: _Where) -> None:
        """Read one acteur and the mandates embedded in it (AMO10, AMO20)."""
        row = None
        if type(acteur) is dict and NIL_KEY not in acteur:
            try:
                row = _amo_fast.acteur_row(acteur, self._caches, _SEX_OF_CIVILITE, where.file)
            except (NotPlain, TypeError):
                row = None
        if row is None:
            row = self._acteur_row(acteur, where)
        self._keep_acteur(row)

        mandats = acteur.get("mandats") if isinstance(acteur, Mapping) else None
        for mandat in as_list(get(mandats, "mandat") if mandats is not None else None):
            self.add_mandat(mandat, where, prefix="acteur.mandats.mandat.")

    def add_mandat(self, mandat: Any, where: _Where, prefix: str) -> None:
        """Read one mandate, embedded in an acteur or from its own file (AMO50)."""
        read = None
        if type(mandat) is dict and NIL_KEY not in mandat:
            try:
                read = _amo_fast.mandat_row(mandat, self._caches, where.file)
            except (NotPlain, TypeError):
                read = None
        if read is None:
            uid = _required_text(mandat, "uid", where, prefix)
            if uid in self._mandat_uids:
                self.duplicate_mandats += 1
                return
            read = self._mandat_row(mandat, uid, where, prefix)
        self._keep_mandat(read)

    def add_typed_document(self, raw: bytes, where: _Where) -> bool:
        """Read one member through the msgspec structs of ``_amo_typed``, when it is plain.

        Returns False, with nothing kept, when the member does not decode into the structs
        or one of its records does not convert. The caller then reads it again with
        ``add_document``, so the result is the same as if this method did not exist.
        """
        if not is_utf8(raw):
            return False
        # NOTE: a number too large for a float (1e999) in a field the structs skip is
        # accepted here, while add_document's orjson rejects the member as invalid JSON.
        try:
            doc = _amo_typed.DECODER.decode(raw)
        except (msgspec.MsgspecError, RecursionError):
            return False
        acteur, mandat, organe = doc.acteur, doc.mandat, doc.organe
        kinds = [value is not msgspec.UNSET for value in (acteur, mandat, organe)]
        if sum(kinds) != 1:
            return False  # no kind or several: add_document skips the member or raises
        if isinstance(organe, msgspec.Raw):
            try:
                record = orjson.loads(bytes(organe))
            except orjson.JSONDecodeError:
                return False  # the general path raises the French error for the whole member
            self._add_record("organe", scalar(record), where)
            return True
        try:
            if isinstance(acteur, _amo_typed.Acteur):
                acteur_row = _amo_fast.acteur_row(acteur.fields(), self._caches, _SEX_OF_CIVILITE, where.file)
                mandats = _amo_typed.mandates_of(acteur)
            else:
                acteur_row = None
                mandats = [cast(_amo_typed.Mandat, mandat)]
            reads = [_amo_typed.mandat_row(item, self._caches, where.file) for item in mandats]
        except (NotPlain, TypeError):
            return False
        if acteur_row is not None:
            self._keep_acteur(acteur_row)
        for read in reads:
            self._keep_mandat(read)
        return True

    def _keep_acteur(self, row: tuple[Any, ...]) -> None:
        civilite, sexe = row[1], row[6]
        if sexe is None:
            self.unknown_civilites[civilite] = self.unknown_civilites.get(civilite, 0) + 1
        self.acteurs.append(row)

    def _keep_mandat(self, read: tuple[tuple[Any, ...], bool]) -> None:
        """Keep a mandate's row unless its uid was already read, and count a bad code."""
        row, departement_valid = read
        uid = row[_MANDAT_UID]
        if uid in self._mandat_uids:
            self.duplicate_mandats += 1
            return
        self._mandat_uids.add(uid)
        code = row[_MANDAT_DEPARTEMENT_CODE]
        if code is not None and not departement_valid and row[_MANDAT_TYPE_ORGANE] == "ASSEMBLEE":
            self.invalid_departements[code] = self.invalid_departements.get(code, 0) + 1
        self.mandats.append(row)

    def add_organe(self, organe: Any, where: _Where) -> None:
        """Read one organe."""
        row = None
        if type(organe) is dict and NIL_KEY not in organe:
            try:
                row = _amo_fast.organe_row(organe, self._caches, where.file)
            except (NotPlain, TypeError):
                row = None
        self.organes.append(row if row is not None else self._organe_row(organe, where))

    # -- the generic readers, one row each -----------------------------------------------
    # Each tuple lists its values in the order of the table's columns, which is also the
    # order in which they are read and checked.

    def _acteur_row(self, acteur: Any, where: _Where) -> tuple[Any, ...]:
        prefix = "acteur."
        uid = _required_text(acteur, "uid", where, prefix)
        civilite = _required_text(acteur, "etatCivil.ident.civ", where, prefix)
        return (
            uid,
            civilite,
            _required_text(acteur, "etatCivil.ident.prenom", where, prefix),
            _required_text(acteur, "etatCivil.ident.nom", where, prefix),
            _text(acteur, "etatCivil.ident.alpha"),
            _text(acteur, "etatCivil.ident.trigramme"),
            _SEX_OF_CIVILITE.get(civilite),
            _date(get(acteur, "etatCivil.infoNaissance.dateNais"), where, "acteur.etatCivil.infoNaissance.dateNais"),
            _text(acteur, "etatCivil.infoNaissance.villeNais"),
            _text(acteur, "etatCivil.infoNaissance.depNais"),
            _text(acteur, "etatCivil.infoNaissance.paysNais"),
            _date(get(acteur, "etatCivil.dateDeces"), where, "acteur.etatCivil.dateDeces"),
            _text(acteur, "profession.libelleCourant"),
            _text(acteur, "profession.socProcINSEE.catSocPro"),
            _text(acteur, "profession.socProcINSEE.famSocPro"),
            _text(acteur, "uri_hatvp"),
            where.file,
        )

    def _mandat_row(self, mandat: Any, uid: str, where: _Where, prefix: str) -> tuple[tuple[Any, ...], bool]:
        """Return the row of a mandate whose ``uid`` is read, and whether its département
        code is valid."""
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
        code, valid = departement_code(departement)
        row = (
            uid,
            _required_text(mandat, "acteurRef", where, prefix),
            _int(get(mandat, "legislature"), where, prefix + "legislature"),
            type_organe,
            organe_refs[0],
            " ".join(organe_refs),
            _date(require(mandat, "dateDebut", file=where.file), where, prefix + "dateDebut"),
            _date(get(mandat, "mandature.datePriseFonction"), where, prefix + "mandature.datePriseFonction"),
            _date(get(mandat, "dateFin"), where, prefix + "dateFin"),
            _date(get(mandat, "datePublication"), where, prefix + "datePublication"),
            _text(mandat, "infosQualite.codeQualite"),
            _text(mandat, "infosQualite.libQualiteSex"),
            _int(get(mandat, "preseance"), where, prefix + "preseance"),
            _bool(get(mandat, "nominPrincipale"), where, prefix + "nominPrincipale"),
            _text(mandat, "election.causeMandat"),
            _text(mandat, "mandature.causeFin"),
            _text(mandat, "mandature.mandatRemplaceRef"),
            # The last substitute listed is the current one when the list has several.
            _text(suppleants[-1], "suppleantRef") if suppleants else None,
            _text(mandat, "election.lieu.region"),
            _text(mandat, "election.lieu.regionType"),
            _text(mandat, "election.lieu.departement"),
            code,
            _int(get(mandat, "election.lieu.numCirco"), where, prefix + "election.lieu.numCirco"),
            _text(mandat, "election.refCirconscription"),
            _int(get(mandat, "mandature.placeHemicycle"), where, prefix + "mandature.placeHemicycle"),
            _bool(get(mandat, "mandature.premiereElection"), where, prefix + "mandature.premiereElection"),
            where.file,
        )
        return row, valid

    def _organe_row(self, organe: Any, where: _Where) -> tuple[Any, ...]:
        prefix = "organe."
        return (
            _required_text(organe, "uid", where, prefix),
            _required_text(organe, "codeType", where, prefix),
            _required_text(organe, "libelle", where, prefix),
            _text(organe, "libelleEdition"),
            _text(organe, "libelleAbrege"),
            _text(organe, "libelleAbrev"),
            _date(get(organe, "viMoDe.dateDebut"), where, prefix + "viMoDe.dateDebut"),
            _date(get(organe, "viMoDe.dateAgrement"), where, prefix + "viMoDe.dateAgrement"),
            _date(get(organe, "viMoDe.dateFin"), where, prefix + "viMoDe.dateFin"),
            _int(get(organe, "legislature"), where, prefix + "legislature"),
            _text(organe, "organeParent"),
            _text(organe, "regime"),
            _text(organe, "couleurAssociee"),
            _text(organe, "positionPolitique"),
            _int(get(organe, "preseance"), where, prefix + "preseance"),
            where.file,
        )

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


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector, and restart it afterwards if it was running.

    A parse allocates hundreds of thousands of dicts and lists and frees them member by
    member, without reference cycles, so the collector's passes find nothing to free.
    On the AMO20 archive of the 16th legislature they cost about 6 % of the parse's CPU
    time. Reference counting still frees every object, so memory use does not change.
    """
    running = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if running:
            gc.enable()


def parse_documents(documents: Callable[[], Any], label: str, typed: bool = True,
                    container: Path | None = None) -> dict[str, pd.DataFrame]:
    """Parse ``(file, bytes)`` pairs yielded by ``documents()`` into the three tables.

    With ``typed`` (the default), plain members are decoded by ``_amo_typed``. False reads
    every member through orjson and ``add_document``, for tests that compare the two.
    ``container`` is the archive or folder the documents come from, for the advice of
    the error raised on invalid JSON.
    """
    with _collector_paused():
        return _parse_documents(documents, label, typed, container)


def _parse_documents(documents: Callable[[], Any], label: str, typed: bool,
                     container: Path | None) -> dict[str, pd.DataFrame]:
    parser = AmoParser()
    for file, raw in documents():
        where = _Where(file)
        if typed and parser.add_typed_document(raw, where):
            continue
        try:
            doc = orjson.loads(raw)
        except orjson.JSONDecodeError as exc:
            raise SchemaError(
                f"{file} : JSON invalide ({exc}). {invalid_json_advice(container)}",
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

    return parse_documents(documents, path.name, container=path)
