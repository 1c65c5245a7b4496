"""Typed fast path of the scrutins parser: msgspec Structs in place of orjson dicts.

``parse_documents`` decodes each member with a ``msgspec.json.Decoder`` of the Structs
below, then walks the Structs with no shape checks, because the types guarantee the
shapes. A member that the types reject (``msgspec.ValidationError`` or
``DecodeError``), or whose content the walk does not handle, is parsed by the generic
orjson path (``_scrutins_parse.parse_document``) instead. Every repair, warning and
error message therefore stays in one place, and both paths give the same tables.

What the types accept, and so what the fast path reads:

- every scalar is a JSON string or null, so a number, an ``xsi:nil`` object or a
  ``#text`` wrapper fails over to the generic path;
- every object below ``scrutin`` has ``forbid_unknown_fields=True``, so an unknown or
  misspelt key, an ``@xsi:nil`` marker or a count key variant (``pours`` in a
  ``decompteVoix``) fails over too. The ``scrutin`` object itself ignores unknown keys,
  as the generic path does;
- a group, organe or voter may be one object or a list of objects, never a list with
  nulls;
- ``decompteNominatif`` and ``miseAuPoint`` are decoded as dicts, so their sections
  keep the order of the file. A non-null section whose key ``_scrutins_parse`` does not
  map to a position, or whose key starts with ``@``, fails over. A null section gives
  no row in either path, whatever its key.

The walk stages one member's rows in local lists and appends them only when the whole
member has been read, so a member that fails over half-way leaves nothing behind.
Voters are frozen Structs: ``flush_voters`` looks each one up in the ``defaultdict`` of
voter codes directly, because a frozen Struct hashes and compares its fields in C. The
voter lists of the sections are kept whole until then (``_Columns.voter_sections``),
because copying their items into one list would touch every voter once more.
"""

from __future__ import annotations

import gc
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from itertools import chain, repeat
from operator import attrgetter
from typing import Any, Literal

import msgspec
import numpy as np

from bureau_data._json import is_utf8
from bureau_data.assemblee import _scrutins_parse as parse
from bureau_data.errors import SchemaError

# Module switch: False sends every member through the generic path. Tests compare both.
ENABLED = True


class _FallBack(Exception):  # noqa: N818 (a signal, not an error)
    """Raised when a member has a shape the typed walk does not read, so the generic path parses it."""


class Votant(msgspec.Struct, frozen=True, gc=False, forbid_unknown_fields=True):
    """One listed voter. Field order is ``_scrutins_parse.VOTER_FIELDS``."""

    acteurRef: str | None = None  # noqa: N815 (JSON key)
    mandatRef: str | None = None  # noqa: N815
    # A Literal decodes to one shared object per value, whose hash is computed once.
    # Any other value fails over, and the generic path reports it.
    parDelegation: Literal["true", "false"] | None = None  # noqa: N815
    numPlace: str | None = None  # noqa: N815
    causePositionVote: str | None = None  # noqa: N815


class _Section(msgspec.Struct, gc=False, forbid_unknown_fields=True):
    votant: Votant | list[Votant] | None = None


class _Decompte(msgspec.Struct, gc=False, forbid_unknown_fields=True):
    nonVotants: str | None = None  # noqa: N815
    pour: str | None = None
    contre: str | None = None
    abstentions: str | None = None
    nonVotantsVolontaires: str | None = None  # noqa: N815


class _Vote(msgspec.Struct, gc=False, forbid_unknown_fields=True):
    positionMajoritaire: str | None = None  # noqa: N815
    decompteVoix: _Decompte | None = None  # noqa: N815
    decompteNominatif: dict[str, _Section | None] | None = None  # noqa: N815


class _Groupe(msgspec.Struct, gc=False, forbid_unknown_fields=True):
    # Required: the generic path reads a lone ``{}`` group as no group at all, but a
    # ``{}`` item of a longer list as a group without uid. Such groups fail over.
    organeRef: str  # noqa: N815
    nombreMembresGroupe: str | None = None  # noqa: N815
    vote: _Vote | None = None


class _Groupes(msgspec.Struct, gc=False, forbid_unknown_fields=True):
    groupe: _Groupe | list[_Groupe] | None = None


class _Organe(msgspec.Struct, gc=False, forbid_unknown_fields=True):
    organeRef: str | None = None  # noqa: N815
    groupes: _Groupes | None = None


class _Ventilation(msgspec.Struct, gc=False, forbid_unknown_fields=True):
    organe: _Organe | list[_Organe] | None = None


class _TypeVote(msgspec.Struct, gc=False, forbid_unknown_fields=True):
    codeTypeVote: str | None = None  # noqa: N815
    libelleTypeVote: str | None = None  # noqa: N815
    typeMajorite: str | None = None  # noqa: N815


class _Sort(msgspec.Struct, gc=False, forbid_unknown_fields=True):
    code: str | None = None
    libelle: str | None = None


class _Demandeur(msgspec.Struct, gc=False, forbid_unknown_fields=True):
    texte: str | None = None
    referenceLegislative: Any = None  # noqa: N815 (never read)


class _Objet(msgspec.Struct, gc=False, forbid_unknown_fields=True):
    libelle: str | None = None
    dossierLegislatif: str | None = None  # noqa: N815
    referenceLegislative: Any = None  # noqa: N815 (never read)


class _Synthese(msgspec.Struct, gc=False, forbid_unknown_fields=True):
    nombreVotants: str | None = None  # noqa: N815
    suffragesExprimes: str | None = None  # noqa: N815
    nbrSuffragesRequis: str | None = None  # noqa: N815
    annonce: str | None = None
    decompte: _Decompte | None = None


class _Scrutin(msgspec.Struct, gc=False):
    uid: str
    numero: str | None = None
    organeRef: str | None = None  # noqa: N815
    legislature: str | None = None
    sessionRef: str | None = None  # noqa: N815
    seanceRef: str | None = None  # noqa: N815
    dateScrutin: str | None = None  # noqa: N815
    typeVote: _TypeVote | None = None  # noqa: N815
    sort: _Sort | None = None
    titre: str | None = None
    demandeur: _Demandeur | None = None
    objet: _Objet | None = None
    modePublicationDesVotes: str | None = None  # noqa: N815
    syntheseVote: _Synthese | None = None  # noqa: N815
    ventilationVotes: _Ventilation | None = None  # noqa: N815
    # Sections are decoded one by one (see ``_stage_mises_au_point``), because
    # ``dysfonctionnement`` is an object of sections where the others are sections.
    miseAuPoint: dict[str, msgspec.Raw] | None = None  # noqa: N815
    lieuVote: str | None = None  # noqa: N815


class _Document(msgspec.Struct, gc=False):
    scrutin: _Scrutin


_DOCUMENT = msgspec.json.Decoder(_Document)
_MISE_AU_POINT_SECTION = msgspec.json.Decoder(_Section | list[_Section | None] | None)
_DYSFONCTIONNEMENT = msgspec.json.Decoder(dict[str, _Section | list[_Section | None] | None] | None)
_DECODE_ERRORS = (msgspec.ValidationError, msgspec.DecodeError)
# Raw text of mise au point sections read without voters, and whether each was a
# ``dysfonctionnement`` block (the same text may be valid there and not elsewhere).
_EMPTY_SECTIONS: set[tuple[bool, bytes]] = set()
_MAX_EMPTY_SECTIONS = 1024

# Published counts in ``_scrutins_parse._COUNT_NAMES`` order.
_count_values = attrgetter("pour", "contre", "abstentions", "nonVotants", "nonVotantsVolontaires")
_NO_COUNTS = (None,) * 5
_voter_values = attrgetter(*parse.VOTER_FIELDS)


def _voters(section: _Section) -> list[Votant]:
    votant = section.votant
    if isinstance(votant, list):
        return votant
    return [] if votant is None else [votant]


def _scrutin_row(s: _Scrutin, name: str) -> tuple[Any, ...]:
    """Return the ``SCRUTIN_FIELDS`` values of a scrutin, typed as ``_add_scrutin`` types them."""
    to_int = parse._int
    type_vote = s.typeVote or _TypeVote()
    sort = s.sort or _Sort()
    objet = s.objet or _Objet()
    synthese = s.syntheseVote or _Synthese()
    decompte = synthese.decompte
    counts = _NO_COUNTS if decompte is None else _count_values(decompte)
    return (
        s.uid, to_int(s.numero, "numero"), to_int(s.legislature, "legislature"), s.organeRef,
        s.sessionRef, s.seanceRef, s.dateScrutin, type_vote.codeTypeVote, type_vote.libelleTypeVote,
        type_vote.typeMajorite, s.titre, objet.libelle, s.demandeur.texte if s.demandeur else None,
        objet.dossierLegislatif, s.lieuVote, s.modePublicationDesVotes, sort.code, sort.libelle,
        synthese.annonce,
        to_int(synthese.nbrSuffragesRequis, "syntheseVote.nbrSuffragesRequis"),
        *counts,
        to_int(synthese.nombreVotants, "syntheseVote.nombreVotants"),
        to_int(synthese.suffragesExprimes, "syntheseVote.suffragesExprimes"),
        name,
    )


def _stage_mises_au_point(uid: str, block: dict[str, msgspec.Raw] | None) -> list[tuple[Any, ...]]:
    """Return the rows of ``MISE_AU_POINT_FIELDS`` of a ``miseAuPoint`` block, in file order.

    A section without voters gives no row in the generic path, whatever its key, so the
    raw text of such sections is remembered (``_EMPTY_SECTIONS``) and later skipped
    without decoding: most blocks are the same few lines of nulls.
    """
    if not block:
        return []
    rows: list[tuple[Any, ...]] = []
    for key, raw in block.items():
        if key.startswith("@"):
            raise _FallBack  # a nil block, or attributes that the generic path skips
        malfunction = parse._canonical(key) == "dysfonctionnement"
        text = bytes(raw)
        if (malfunction, text) in _EMPTY_SECTIONS:
            continue
        known = len(rows)
        if malfunction:
            sections = _DYSFONCTIONNEMENT.decode(text)
            for sub_key, section in (sections or {}).items():
                _stage_mise_au_point_section(rows, uid, sub_key, section, True)
        else:
            _stage_mise_au_point_section(rows, uid, key, _MISE_AU_POINT_SECTION.decode(text), False)
        if len(rows) == known and len(_EMPTY_SECTIONS) < _MAX_EMPTY_SECTIONS:
            _EMPTY_SECTIONS.add((malfunction, text))
    return rows


def _stage_mise_au_point_section(rows: list[tuple[Any, ...]], uid: str, key: str,
                                 section: _Section | list[_Section | None] | None, malfunction: bool) -> None:
    position = parse._SECTION_POSITION.get(parse._canonical(key))
    if position is None or key.startswith("@"):
        raise _FallBack  # reported as an unknown section by the generic path
    if section is None:
        return
    voters: list[Votant] = []
    for item in section if isinstance(section, list) else [section]:
        if item is not None:
            voters += _voters(item)
    for voter in voters:
        rows.append((
            uid, voter.acteurRef, voter.mandatRef, position, malfunction,
            parse._bool(voter.parDelegation, "miseAuPoint.parDelegation"),
            parse._int(voter.numPlace, "miseAuPoint.numPlace"),
        ))


def _parse_member(cols: parse._Columns, data: bytes, name: str) -> bool:
    """Add one member through the typed path; return False when it must take the generic path."""
    if not is_utf8(data):
        return False
    # NOTE: a number too large for a float (1e999) in a field the structs skip is accepted
    # here, while the generic path's orjson rejects the member as invalid JSON.
    try:
        scrutin = _DOCUMENT.decode(data).scrutin
        row = _scrutin_row(scrutin, name)
        mises_au_point = _stage_mises_au_point(scrutin.uid, scrutin.miseAuPoint)
        index = len(cols.scrutins["uid"])
        groupe_rows, sections, runs = _stage_groupes(scrutin)
    except (_FallBack, SchemaError, RecursionError, *_DECODE_ERRORS):
        return False

    for column, value in zip(cols.scrutins.values(), row, strict=True):
        column.append(value)
    if groupe_rows:
        cols.extend_groupes(groupe_rows)
    cols.voter_sections += sections
    if runs:
        run_groupe, run_position, run_length = zip(*runs, strict=True)
        cols.pending_typed_voters += sum(run_length)
        cols.run_scrutin += repeat(index, len(runs))
        cols.run_groupe += run_groupe
        cols.run_position += run_position
        cols.run_length += run_length
    if mises_au_point:
        for column, values in zip(cols.mises_au_point.values(), zip(*mises_au_point, strict=True), strict=True):
            column += values
    return True


def _stage_groupes(s: _Scrutin) -> tuple[list[tuple[Any, ...]], list[list[Votant]],
                                          list[tuple[str, int, int]]]:
    """Return the group rows, the voter lists and the runs ``(groupe, position, length)`` of a scrutin."""
    uid = s.uid
    groupe_rows: list[tuple[Any, ...]] = []
    sections: list[list[Votant]] = []
    runs: list[tuple[str, int, int]] = []
    ventilation = s.ventilationVotes
    organes = None if ventilation is None else ventilation.organe
    if organes is None:
        return groupe_rows, sections, runs
    section_codes = parse._SECTION_CODES
    for organe in organes if isinstance(organes, list) else [organes]:
        groupes = None if organe.groupes is None else organe.groupes.groupe
        if groupes is None:
            continue
        for groupe in groupes if isinstance(groupes, list) else [groupes]:
            groupe_uid = groupe.organeRef
            vote = groupe.vote
            if vote is None:
                groupe_rows.append((uid, groupe_uid, groupe.nombreMembresGroupe, None, *_NO_COUNTS))
                continue
            decompte = vote.decompteVoix
            groupe_rows.append((uid, groupe_uid, groupe.nombreMembresGroupe, vote.positionMajoritaire,
                                *(_NO_COUNTS if decompte is None else _count_values(decompte))))
            nominatif = vote.decompteNominatif
            if not nominatif:
                continue
            for key, section in nominatif.items():
                if section is None:  # skipped whatever its key, as by the generic path
                    continue
                code = section_codes.get(key)
                if code is None:
                    code = parse._section_code(key)
                if code < 0:
                    raise _FallBack  # an unknown section (reported) or an attribute (skipped)
                votant = section.votant
                if isinstance(votant, list):
                    if not votant:
                        continue
                    sections.append(votant)
                    runs.append((groupe_uid, code, len(votant)))
                elif votant is not None:
                    sections.append([votant])
                    runs.append((groupe_uid, code, 1))
    return groupe_rows, sections, runs


def flush_voters(cols: parse._Columns) -> None:
    """Encode the pending ``Votant`` Structs, as ``_scrutins_parse._flush_voters`` encodes dicts.

    Each voter is looked up whole in ``cols.voter_rows``: equal voters are equal Structs.
    The tuples of values of the new Structs then get their field codes.
    """
    sections = cols.voter_sections
    if not sections:
        return
    size = cols.pending_typed_voters
    cols.voter_sections = []
    cols.pending_typed_voters = 0
    cols.batch_first_run = len(cols.run_length)
    rows = cols.voter_rows
    known = len(rows)
    row_codes = np.fromiter(map(rows.__getitem__, chain.from_iterable(sections)), dtype=np.int32, count=size)
    if len(rows) > known:
        parse._extend_lut(cols, known, _voter_values)
    for position, field in enumerate(parse.VOTER_FIELDS):
        cols.voter_batches[field].append(cols.voter_lut[position][row_codes])


def parse_documents(documents: Iterable[tuple[str, bytes | Mapping[str, Any]]],
                    typed: bool | None = None) -> parse._Columns:
    """Parse ``(name, document)`` pairs into column lists, through the typed path when possible.

    Parameters
    ----------
    documents
        ``(name, document)`` pairs, as for ``_scrutins_parse.parse_documents``. Documents
        given as objects (not bytes) always take the generic path.
    typed
        Whether to try the typed path first; None reads the module switch ``ENABLED``.

    Returns
    -------
    _scrutins_parse._Columns
        The same column lists as ``_scrutins_parse.parse_documents``, with
        ``typed_members`` set to the number of members read by the typed path.

    Raises
    ------
    SchemaError
        As ``_scrutins_parse.parse_document``, for the first member that the generic
        path cannot read.

    Examples
    --------
    >>> doc = b'{"scrutin": {"uid": "VTANR5L17V1", "numero": "1"}}'
    >>> cols = parse_documents([("V1.json", doc)])
    >>> cols.scrutins["numero"], cols.typed_members
    ([1], 1)
    """
    if typed is None:
        typed = ENABLED
    cols = parse._Columns()
    # As in the generic path, the collector is paused: the documents contain no cycles.
    with gc_paused():
        for name, raw in documents:
            if typed and isinstance(raw, bytes) and _parse_member(cols, raw, name):
                cols.typed_members += 1
                if cols.pending_typed_voters >= parse._VOTER_BATCH:
                    flush_voters(cols)
                continue
            # A batch contains voters of one kind: Structs here, dicts in the generic path.
            flush_voters(cols)
            parse.parse_document(cols, raw, name)
            parse._flush_voters(cols)
        flush_voters(cols)
    return cols


@contextmanager
def gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector inside the block, if it was running.

    Building the tables allocates millions of objects that hold no reference cycles,
    and each collection would scan all the objects alive. Cycles made meanwhile are
    collected after the block.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
