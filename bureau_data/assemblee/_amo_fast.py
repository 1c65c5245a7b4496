"""Read AMO records whose fields all have their usual shape, at a fraction of the cost.

Nearly every mandate, organe and acteur of an AMO archive is a ``dict`` whose fields are
strings, ``null`` or absent, under sub-objects that are ``dict`` or absent. For such a
record the rules of ``bureau_data._json`` (nil objects, ``#text`` wrappers, one-item
lists) never apply. So the functions here read the fields with plain ``dict.get``, and
convert each value through a ``ValueCache``, which converts a given value only once.

Each function returns exactly the row that the generic reader of ``_amo_parse`` builds
for the same record, or raises ``NotPlain`` as soon as a field has another shape (a
nil object, a list, a number, a value the converter rejects). The caller then reads the
record again with the generic reader, which applies every normalisation rule and raises
the ``SchemaError`` that names the file, field and value. A ``TypeError`` means the same
thing: it comes from looking up an unhashable value (an object or a list) in a cache.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date
from typing import Any

from bureau_data._json import NIL_KEY
from bureau_data.codes import normalize_departement
from bureau_data.errors import DataCheckError

# The AN's code for the circonscriptions of the Français établis hors de France. It is
# not a département, so it is kept as published rather than passed to normalize_departement.
CODE_FRANCAIS_ETRANGER = "099"

_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}")


class NotPlain(Exception):
    """A record that only the generic reader can read (or reject with its message)."""


class ValueCache(dict):
    """A ``dict`` from raw value to converted value that fills itself on a miss.

    ``convert`` returns the converted value of a string, or raises ``NotPlain``. Only
    strings and the values given in ``known`` are ever stored, so any other value
    (a number, a nested object, ``True``) raises ``NotPlain`` or ``TypeError``.
    """

    __slots__ = ("_convert",)

    def __init__(self, convert: Callable[[str], Any], known: dict[Any, Any]) -> None:
        super().__init__(known)
        self._convert = convert

    def __missing__(self, value: Any) -> Any:
        if type(value) is not str:
            raise NotPlain
        converted = self._convert(value)
        self[value] = converted
        return converted


def iso_date_text(value: str) -> str | None:
    """Return the ``YYYY-MM-DD`` part of an AN date, None when it is not a valid date."""
    if not _ISO_DATE.match(value):
        return None
    text = value[:10]
    try:
        date.fromisoformat(text)
    except ValueError:
        return None
    return text


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


def _text(value: str) -> str | None:
    return value.strip() or None


def _date(value: str) -> str | None:
    text = iso_date_text(value)
    if text is None:
        raise NotPlain
    return text


def _int(value: str) -> int:
    try:
        return int(value.strip())
    except ValueError:
        raise NotPlain from None


def _bool(value: str) -> bool:
    text = value.strip().lower()
    if text in {"1", "true"}:
        return True
    if text in {"0", "false"}:
        return False
    raise NotPlain


class ValueCaches:
    """The caches of one parse, one per kind of field."""

    def __init__(self) -> None:
        # Optional fields: absent, null and "" are empty (None).
        self.text = ValueCache(_text, {None: None})
        self.date = ValueCache(_date, {None: None, "": None})
        self.int = ValueCache(_int, {None: None, "": None})
        self.bool = ValueCache(_bool, {None: None, "": None})
        # Required fields: a missing or null value is left to the generic reader's error,
        # while "" is kept, as ``_json.require`` accepts it.
        self.required = ValueCache(str.strip, {})
        self.departement = ValueCache(departement_code, {None: (None, True)})


# Fields whose values are mostly distinct (uids, names, labels) skip the caches, where
# each first lookup costs a Python call and the stored value is never looked up again.


def _distinct_text(value: Any) -> str | None:
    """Convert an optional text field like ``ValueCaches.text``, without caching."""
    if value is None:
        return None
    if type(value) is not str:
        raise NotPlain
    return value.strip() or None


def _distinct_required(value: Any) -> str:
    """Convert a required text field like ``ValueCaches.required``, without caching."""
    if type(value) is not str:
        raise NotPlain
    return value.strip()


_EMPTY: dict[str, Any] = {}


def _node(value: Any) -> dict[str, Any]:
    """Return a sub-object to read fields from: ``{}`` when absent, NotPlain when unusual."""
    if value is None:
        return _EMPTY
    if type(value) is dict and NIL_KEY not in value:
        return value
    raise NotPlain


def _leaf(value: Any) -> Any:
    """Return a field as ``_json.scalar`` reads it when it is a nil or ``#text`` object."""
    if type(value) is dict:
        if value.get(NIL_KEY) == "true":
            return None
        if NIL_KEY not in value and "#text" in value:
            return value["#text"]
        raise NotPlain
    return value


def _organe_refs(organes: Any, required: ValueCache) -> tuple[str, str]:
    """Return the first organe uid of a mandate and all of them joined by spaces."""
    if type(organes) is not dict or NIL_KEY in organes:
        raise NotPlain
    refs = organes.get("organeRef")
    if type(refs) is str:
        uid = required[refs]
        return uid, uid
    if type(refs) is list and refs and all(type(ref) is str for ref in refs):
        stripped = [ref.strip() for ref in refs]
        return stripped[0], " ".join(stripped)
    raise NotPlain


# Keys read from every mandate, in the order ``mandat_row`` unpacks them.
_MANDAT_KEYS = ("uid", "acteurRef", "legislature", "typeOrgane", "dateDebut", "dateFin", "datePublication",
                "preseance", "nominPrincipale", "organes", "infosQualite", "election", "mandature",
                "suppleants")


def mandat_row(mandat: dict[str, Any], caches: ValueCaches, file: str) -> tuple[tuple[Any, ...], bool]:
    """Return the row of a plain mandate (``MANDAT_COLUMNS`` order), and whether its
    département code is valid."""
    text, date_, int_, bool_, required = caches.text, caches.date, caches.int, caches.bool, caches.required

    (uid, acteur, legislature, type_organe, debut, fin, publication, preseance, nomination,
     organes, qualite, election, mandature, suppleants) = map(mandat.get, _MANDAT_KEYS)
    if type(uid) is not str or debut is None:
        raise NotPlain
    refs = organes.get("organeRef") if type(organes) is dict and NIL_KEY not in organes else None
    if type(refs) is str:
        # The cache returns one string object per distinct uid, which pyarrow copies
        # faster than thousands of equal strings scattered in memory.
        organe_uid = organes_uids = required[refs]
    else:
        organe_uid, organes_uids = _organe_refs(organes, required)
    if type(qualite) is not dict or NIL_KEY in qualite:
        qualite = _node(qualite)

    if election is None and mandature is None and suppleants is None:
        # Most mandates (groups, commissions, parties...) have no election, mandature
        # or substitute, so the columns read from them are empty.
        row: tuple[Any, ...] = (
            uid.strip(),
            required[acteur],
            int_[legislature],
            required[type_organe],
            organe_uid,
            organes_uids,
            date_[debut],
            None,
            date_[fin],
            date_[publication],
            text[qualite.get("codeQualite")],
            text[qualite.get("libQualiteSex")],
            int_[preseance],
            bool_[nomination],
            None, None, None, None, None, None, None, None, None, None, None, None,
            file,
        )
        return row, True

    suppleant_uid = None
    suppleant = _node(suppleants).get("suppleant")
    if suppleant is not None:
        # A lone substitute object: a list, a nil or a ``#text`` wrapper goes to the generic reader.
        if type(suppleant) is not dict or "suppleantRef" not in suppleant or NIL_KEY in suppleant \
                or "#text" in suppleant:
            raise NotPlain
        suppleant_uid = _distinct_text(suppleant["suppleantRef"])
    election = _node(election)
    lieu = _node(election.get("lieu"))
    mandature = _node(mandature)
    code, valid = caches.departement[text[lieu.get("numDepartement")]]
    row = (
        uid.strip(),
        required[acteur],
        int_[legislature],
        required[type_organe],
        organe_uid,
        organes_uids,
        date_[debut],
        date_[mandature.get("datePriseFonction")],
        date_[fin],
        date_[publication],
        text[qualite.get("codeQualite")],
        text[qualite.get("libQualiteSex")],
        int_[preseance],
        bool_[nomination],
        text[election.get("causeMandat")],
        text[mandature.get("causeFin")],
        _distinct_text(mandature.get("mandatRemplaceRef")),
        suppleant_uid,
        text[lieu.get("region")],
        text[lieu.get("regionType")],
        text[lieu.get("departement")],
        code,
        int_[lieu.get("numCirco")],
        _distinct_text(election.get("refCirconscription")),
        int_[mandature.get("placeHemicycle")],
        bool_[mandature.get("premiereElection")],
        file,
    )
    return row, valid


def organe_row(organe: dict[str, Any], caches: ValueCaches, file: str) -> tuple[Any, ...]:
    """Return the row of a plain organe (``ORGANE_COLUMNS`` order)."""
    get = organe.get
    text, date_, int_, required = caches.text, caches.date, caches.int, caches.required
    periode = _node(get("viMoDe"))
    return (
        _distinct_required(get("uid")),
        required[get("codeType")],
        _distinct_required(get("libelle")),
        _distinct_text(get("libelleEdition")),
        _distinct_text(get("libelleAbrege")),
        text[get("libelleAbrev")],
        date_[periode.get("dateDebut")],
        date_[periode.get("dateAgrement")],
        date_[periode.get("dateFin")],
        int_[get("legislature")],
        text[get("organeParent")],
        text[get("regime")],
        text[get("couleurAssociee")],
        text[get("positionPolitique")],
        int_[get("preseance")],
        file,
    )


def acteur_row(acteur: dict[str, Any], caches: ValueCaches, sexes: dict[str, str],
               file: str) -> tuple[Any, ...]:
    """Return the row of a plain acteur (``ACTEUR_COLUMNS`` order), without its mandates.

    Unlike mandates, acteurs often have nil fields and a ``#text`` uid, so every field
    goes through ``_leaf``: a thousand acteurs per archive make that cheap.
    """
    get = acteur.get
    text, date_, required = caches.text, caches.date, caches.required
    etat_civil = _node(get("etatCivil"))
    ident = _node(etat_civil.get("ident"))
    naissance = _node(etat_civil.get("infoNaissance"))
    profession = _node(get("profession"))
    insee = _node(profession.get("socProcINSEE"))
    civilite = required[_leaf(ident.get("civ"))]
    return (
        _distinct_required(_leaf(get("uid"))),
        civilite,
        required[_leaf(ident.get("prenom"))],
        _distinct_required(_leaf(ident.get("nom"))),
        _distinct_text(_leaf(ident.get("alpha"))),
        text[_leaf(ident.get("trigramme"))],
        sexes.get(civilite),
        date_[_leaf(naissance.get("dateNais"))],
        _distinct_text(_leaf(naissance.get("villeNais"))),
        text[_leaf(naissance.get("depNais"))],
        text[_leaf(naissance.get("paysNais"))],
        date_[_leaf(etat_civil.get("dateDeces"))],
        text[_leaf(profession.get("libelleCourant"))],
        text[_leaf(insee.get("catSocPro"))],
        text[_leaf(insee.get("famSocPro"))],
        _distinct_text(_leaf(get("uri_hatvp"))),
        file,
    )
