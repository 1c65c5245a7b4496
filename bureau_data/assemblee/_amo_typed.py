"""Decode plain AMO members straight into typed structs with msgspec, then into rows.

``_amo_fast`` reads records decoded by orjson into dicts. For an acteur member with its
embedded mandates, msgspec can instead decode only the fields the parser reads, check
their types in C while decoding, and skip every other field (addresses, XML namespaces)
without building it. The whole parse of the AMO20 archive of the 16th legislature then
takes about a sixth less CPU time than with orjson followed by ``_amo_fast``.

The structs accept only the shapes that ``_amo_fast`` reads: every field a string,
``null`` or absent, sub-objects that are objects or absent, and no ``@xsi:nil`` or
``#text`` key where the dict readers would treat the object differently. Any other
member fails to decode (``msgspec.ValidationError``), or one of its values fails to
convert (``NotPlain``), and the caller reads the whole member again through orjson and
``_amo_parse.AmoParser.add_document``. So each row built here is the row that
``_amo_fast.mandat_row`` builds for the same record, and anything else gets the
generic reader's normalisation or its ``SchemaError``.
"""

from __future__ import annotations

from typing import Any

import msgspec

from bureau_data.assemblee._amo_fast import NotPlain, ValueCaches

# A field typed UnsetType decodes only when its key is absent. Its presence, with any
# value, fails validation, which sends the member to the dict readers.
_Absent = msgspec.UnsetType
_NO_NIL = msgspec.field(default=msgspec.UNSET, name="@xsi:nil")
_NO_TEXT = msgspec.field(default=msgspec.UNSET, name="#text")


class _Organes(msgspec.Struct):
    organeRef: str | list[str]
    nil: _Absent = _NO_NIL


class _Qualite(msgspec.Struct):
    codeQualite: str | None = None
    libQualiteSex: str | None = None
    nil: _Absent = _NO_NIL


class _Lieu(msgspec.Struct):
    region: str | None = None
    regionType: str | None = None
    departement: str | None = None
    numDepartement: str | None = None
    numCirco: str | None = None
    nil: _Absent = _NO_NIL


class _Election(msgspec.Struct):
    lieu: _Lieu | None = None
    causeMandat: str | None = None
    refCirconscription: str | None = None
    nil: _Absent = _NO_NIL


class _Mandature(msgspec.Struct):
    datePriseFonction: str | None = None
    causeFin: str | None = None
    mandatRemplaceRef: str | None = None
    placeHemicycle: str | None = None
    premiereElection: str | None = None
    nil: _Absent = _NO_NIL


class _Suppleant(msgspec.Struct):
    suppleantRef: str | None  # the key must be present, as in _amo_fast.mandat_row
    nil: _Absent = _NO_NIL
    text: _Absent = _NO_TEXT


class _Suppleants(msgspec.Struct):
    suppleant: _Suppleant | None = None
    nil: _Absent = _NO_NIL


class Mandat(msgspec.Struct):
    """A mandate whose every field has its usual shape."""

    uid: str
    acteurRef: str
    typeOrgane: str
    dateDebut: str
    organes: _Organes
    legislature: str | None = None
    dateFin: str | None = None
    datePublication: str | None = None
    preseance: str | None = None
    nominPrincipale: str | None = None
    infosQualite: _Qualite | None = None
    election: _Election | None = None
    mandature: _Mandature | None = None
    suppleants: _Suppleants | None = None
    nil: _Absent = _NO_NIL
    # ``_json.scalar`` reads a root object with a ``#text`` key as that text.
    text: _Absent = _NO_TEXT


class _Mandats(msgspec.Struct):
    mandat: list[Mandat] | Mandat | None = None
    nil: _Absent = _NO_NIL


class Acteur(msgspec.Struct):
    """An acteur: the four fields ``_amo_fast.acteur_row`` reads, left as decoded JSON."""

    uid: Any
    etatCivil: Any = None
    profession: Any = None
    uri_hatvp: Any = None
    mandats: _Mandats | None = None
    nil: _Absent = _NO_NIL
    text: _Absent = _NO_TEXT

    def fields(self) -> dict[str, Any]:
        """Return the fields read by ``_amo_fast.acteur_row``, as its dict argument."""
        return {"uid": self.uid, "etatCivil": self.etatCivil, "profession": self.profession,
                "uri_hatvp": self.uri_hatvp}


class Document(msgspec.Struct):
    """An AMO member. A root key present with ``null`` fails, like an unknown layout."""

    acteur: Acteur | msgspec.UnsetType = msgspec.UNSET
    mandat: Mandat | msgspec.UnsetType = msgspec.UNSET
    # Organes have no nested records, so nothing is gained by decoding them here. They are
    # kept as raw JSON for orjson, which reads numbers as the dict readers expect (msgspec
    # keeps an integer beyond 64 bits that orjson turns into a float).
    organe: msgspec.Raw | msgspec.UnsetType = msgspec.UNSET
    nil: _Absent = _NO_NIL


DECODER = msgspec.json.Decoder(Document)


def mandates_of(acteur: Acteur) -> list[Mandat]:
    """Return the embedded mandates of an acteur, a lone one as a one-item list."""
    if acteur.mandats is None or acteur.mandats.mandat is None:
        return []
    mandat = acteur.mandats.mandat
    return mandat if type(mandat) is list else [mandat]  # type: ignore[list-item,return-value]


def _optional_text(value: str | None) -> str | None:
    """Convert a mostly distinct optional text like ``_amo_fast._distinct_text``."""
    return value.strip() or None if value is not None else None


def mandat_row(mandat: Mandat, caches: ValueCaches, file: str) -> tuple[tuple[Any, ...], bool]:
    """Return the row of a mandate (``MANDAT_COLUMNS`` order) and whether its département
    code is valid, exactly as ``_amo_fast.mandat_row`` does for the same record."""
    text, date_, int_, bool_, required = caches.text, caches.date, caches.int, caches.bool, caches.required

    refs = mandat.organes.organeRef
    if type(refs) is str:
        organe_uid = organes_uids = required[refs]
    elif refs:
        stripped = [ref.strip() for ref in refs]
        organe_uid, organes_uids = stripped[0], " ".join(stripped)
    else:
        raise NotPlain
    qualite = mandat.infosQualite
    code_qualite = text[qualite.codeQualite] if qualite is not None else None
    libelle_qualite = text[qualite.libQualiteSex] if qualite is not None else None
    election, mandature, suppleants = mandat.election, mandat.mandature, mandat.suppleants

    if election is None and mandature is None and suppleants is None:
        row: tuple[Any, ...] = (
            mandat.uid.strip(),
            required[mandat.acteurRef],
            int_[mandat.legislature],
            required[mandat.typeOrgane],
            organe_uid,
            organes_uids,
            date_[mandat.dateDebut],
            None,
            date_[mandat.dateFin],
            date_[mandat.datePublication],
            code_qualite,
            libelle_qualite,
            int_[mandat.preseance],
            bool_[mandat.nominPrincipale],
            None, None, None, None, None, None, None, None, None, None, None, None,
            file,
        )
        return row, True

    suppleant = suppleants.suppleant if suppleants is not None else None
    suppleant_uid = _optional_text(suppleant.suppleantRef) if suppleant is not None else None
    if election is None:
        election = _Election()
    lieu = election.lieu if election.lieu is not None else _Lieu()
    if mandature is None:
        mandature = _Mandature()
    code, valid = caches.departement[text[lieu.numDepartement]]
    row = (
        mandat.uid.strip(),
        required[mandat.acteurRef],
        int_[mandat.legislature],
        required[mandat.typeOrgane],
        organe_uid,
        organes_uids,
        date_[mandat.dateDebut],
        date_[mandature.datePriseFonction],
        date_[mandat.dateFin],
        date_[mandat.datePublication],
        code_qualite,
        libelle_qualite,
        int_[mandat.preseance],
        bool_[mandat.nominPrincipale],
        text[election.causeMandat],
        text[mandature.causeFin],
        _optional_text(mandature.mandatRemplaceRef),
        suppleant_uid,
        text[lieu.region],
        text[lieu.regionType],
        text[lieu.departement],
        code,
        int_[lieu.numCirco],
        _optional_text(election.refCirconscription),
        int_[mandature.placeHemicycle],
        bool_[mandature.premiereElection],
        file,
    )
    return row, valid
