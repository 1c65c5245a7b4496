"""Turn scrutin JSON documents into column lists, then DataFrames, in one pass.

The three vintages of the format (XVth, XVIth, XVIIth legislatures, and the Congrès vote)
differ in ways that a per-field special case would miss, so every structure goes through
the same normalisation:

- a section key is reduced to its canonical form (``pours``/``pour`` → ``pour``,
  ``nonVotants``/``nonVotant`` → ``nonvotant``), because the Congrès file uses singular
  keys where the others use plurals;
- every value that may be one object or a list goes through ``as_list``, which also drops
  ``null`` and ``xsi:nil`` items (the mises au point of the XVIIth legislature are lists
  such as ``[null, {"votant": ...}]``);
- every scalar goes through ``scalar``, so an ``xsi:nil`` object or a ``#text`` wrapper
  never reaches a column.

The XVIIth-legislature archive contains about 650 000 individual positions, so no
Python code runs per voter. The voter objects are gathered as they are, then about
every thousand voters, while the objects are still in the processor's cache, C-level
``map`` calls over ``dict.get`` read their fields and look up the tuple of each voter's
values in a ``defaultdict`` of codes (``_flush_voters``). Values are typed once per
distinct value, not once per voter. Per-section constants (scrutin, group, position)
are stored once with a run length, then expanded with ``numpy.repeat``.

The loaders first try the typed path of ``_scrutins_fast`` on each archive member, and
use this module's walk for the members of another shape and for documents given as
objects. Both fill the same ``_Columns``, and the typing into DataFrames below is shared.
"""

from __future__ import annotations

import gc
import logging
import re
import unicodedata
import warnings
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from functools import lru_cache
from itertools import count, islice, repeat
from operator import itemgetter
from typing import Any, NamedTuple

import numpy as np
import orjson
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from bureau_data._json import NIL_KEY, as_list, is_nil, require, scalar
from bureau_data.assemblee._common import invalid_json_advice
from bureau_data.errors import SchemaError

logger = logging.getLogger(__name__)

# Categories of a recorded position, in the order the Assemblée lists them.
POSITIONS = ("pour", "contre", "abstention", "non-votant")
# A mise au point may also state a wish not to take part in the vote.
POSITIONS_MISE_AU_POINT = (*POSITIONS, "non-votant volontaire")

# Canonical section key (see ``canonical_key``) → position.
_SECTION_POSITION = {
    "pour": "pour",
    "contre": "contre",
    "abstention": "abstention",
    "nonvotant": "non-votant",
    "nonvotantvolontaire": "non-votant volontaire",
}
# Canonical count key → column of the count tables.
COUNT_COLUMNS = {
    "pour": "pour",
    "contre": "contre",
    "abstention": "abstentions",
    "nonvotant": "non_votants",
    "nonvotantvolontaire": "non_votants_volontaires",
}

# Codes of ``causePositionVote``: why a listed deputy did not vote.
CAUSES = {
    "PAN": "président de l'Assemblée nationale",
    "PSE": "président de séance",
    "MG": "membre du Gouvernement",
}

# ``sort.code`` after NFC and case folding → adopted. Unaccented spellings are accepted
# because third-party copies sometimes strip accents.
SORT_ADOPTED = {"adopté": True, "adopte": True, "adoptée": True, "rejeté": False, "rejete": False,
                "rejetée": False}

_DICT_ONLY = {dict}
# Pending voter objects are encoded once this many have been gathered: a few
# documents, small enough to be still in the processor's cache.
_VOTER_BATCH = 1024
_CAMEL_PART = re.compile(r"[A-Z]?[a-z]+|[A-Z]+(?![a-z])")
_BOOL = {"true": True, "false": False}


@lru_cache(maxsize=256)
def canonical_key(key: str) -> str:
    """Return a section or count key in canonical form: lower case, every word singular.

    ``"nonVotantsVolontaires"`` and ``"nonVotantVolontaire"`` both give
    ``"nonvotantvolontaire"``, ``"pours"`` and ``"pour"`` give ``"pour"``.

    Parameters
    ----------
    key : str

    Returns
    -------
    str

    Examples
    --------
    >>> canonical_key("nonVotantsVolontaires"), canonical_key("pours")
    ('nonvotantvolontaire', 'pour')
    """
    parts = _CAMEL_PART.findall(key) or [key]
    return "".join(part.lower().removesuffix("s") for part in parts)


def normalise_sort(code: Any) -> str | None:
    """Return ``sort.code`` in NFC, case-folded and stripped, or None when it is empty.

    Parameters
    ----------
    code
        The ``sort.code`` value as read.

    Returns
    -------
    str or None

    Examples
    --------
    >>> normalise_sort(" Adopte\\u0301 "), normalise_sort(None)
    ('adopté', None)
    """
    value = scalar(code)
    if value is None:
        return None
    return unicodedata.normalize("NFC", str(value)).strip().casefold()


def _items(value: Any) -> list[Any]:
    """Return ``as_list(value)``, with a fast path for the plain dicts and lists of orjson."""
    if value is None:
        return []
    if type(value) is list:
        return [item for item in value if item is not None and (NIL_KEY not in item or not is_nil(item))]
    if type(value) is dict and NIL_KEY not in value:
        return [value]
    return as_list(value)


def _field(record: Any, key: str) -> Any:
    """Return ``record[key]``, or None when absent, nil, or when ``record`` is not an object.

    A one-item list, for ``record`` or the value, is read as its item: the exporter writes
    an element that may repeat as a list even when it occurs once.
    """
    if type(record) is list and len(record) == 1:
        record = record[0]
    if type(record) is dict or isinstance(record, Mapping) and not is_nil(record):
        value = record.get(key)
    else:
        return None
    if type(value) is list and len(value) == 1:
        value = value[0]
    if type(value) is dict and NIL_KEY in value:
        return None
    return value


def _path(record: Any, *keys: str) -> Any:
    """Return the value at ``keys`` inside ``record`` (``_field`` at each step)."""
    for key in keys:
        record = _field(record, key)
    return scalar(record) if type(record) is dict else record


def _text(value: Any, field: str | None = None) -> str | None:
    if type(value) is str or value is None:
        return value
    value = scalar(value)
    if value is None:
        return None
    if isinstance(value, Mapping | list):
        raise SchemaError(f"Champ {field} : valeur texte attendue, objet trouvé : {str(value)[:120]}",
                          field=field, found="objet")
    return str(value)


def _int(value: Any, field: str | None = None) -> int | None:
    try:
        if type(value) is str and value:
            return int(value)
        value = scalar(value)
        if value is None or value == "":
            return None
        if isinstance(value, bool) or not isinstance(value, str | int):
            raise TypeError
        return int(str(value).strip())
    except (TypeError, ValueError):
        raise SchemaError(f"Champ {field} : nombre entier attendu, trouvé {value!r:.120}.",
                          field=field, found=repr(value)) from None


def _bool(value: Any, field: str | None = None) -> bool | None:
    if value is None:
        return None
    result = _BOOL.get(value) if type(value) is str else None
    if result is not None:
        return result
    value = scalar(value)
    if value is None:
        return None
    text = str(value).strip().lower()
    if text in _BOOL:
        return _BOOL[text]
    raise SchemaError(f"Champ {field} : valeur booléenne attendue (true/false), trouvé {value!r:.120}.",
                      field=field, found=repr(value))


def _votants(section: Any) -> list[Any]:
    """Return the voter objects of one section: ``{"votant": obj|list}``, a list of those, or null."""
    voters: list[Any] = []
    if type(section) is dict and "votant" in section:
        return _items(section["votant"])
    for item in _items(section):
        if not isinstance(item, Mapping):
            raise SchemaError(f"Section de votants inattendue : {str(item)[:120]}", found=type(item).__name__)
        if "votant" in item:
            voters.extend(_items(item["votant"]))
        elif "acteurRef" in item:
            voters.append(item)
        elif not all(str(key).startswith("@") for key in item):
            raise SchemaError(
                f"Section de votants sans clé « votant » ni « acteurRef » : clés {sorted(item)}.",
                found="objet",
            )
    return voters


class _Columns:
    """Column lists of the four tables, filled scrutin by scrutin."""

    def __init__(self) -> None:
        self.scrutins: dict[str, list[Any]] = {name: [] for name in SCRUTIN_FIELDS}
        # Group rows are gathered as tuples (one append per group), and moved to the
        # column lists of ``groupes`` when it is read.
        self.groupe_rows: list[tuple[Any, ...]] = []
        self._groupes: dict[str, list[Any]] = {name: [] for name in GROUPE_FIELDS}
        # Positions: the voter objects not yet encoded, and for each of ``VOTER_FIELDS``
        # the code of every distinct raw value (in order of first appearance) and one
        # array of codes per batch (see ``_flush_voters``). Plus run-length encoded
        # constants.
        self.voters: list[dict[str, Any]] = []
        # Voter lists of the sections read by ``_scrutins_fast``, and their number of
        # voters. Pending voters are in ``voters`` or here, never in both at once.
        self.voter_sections: list[list[Any]] = []
        self.pending_typed_voters = 0
        self.voter_codes: dict[str, defaultdict[Any, int]] = {
            field: defaultdict(count().__next__) for field in VOTER_FIELDS}
        self.voter_batches: dict[str, list[np.ndarray | list[Any]]] = {field: [] for field in VOTER_FIELDS}
        # Code of every distinct tuple of a voter's raw values, and for each field (row)
        # and tuple code (column) the code of the field's value.
        self.voter_rows: defaultdict[tuple[Any, ...], int] = defaultdict(count().__next__)
        self.voter_lut = np.zeros((len(VOTER_FIELDS), 1024), dtype=np.int32)
        # Index of the first run whose voters are still in ``voters``.
        self.batch_first_run = 0
        self.run_scrutin: list[int] = []
        self.run_groupe: list[Any] = []
        self.run_position: list[int] = []
        self.run_length: list[int] = []
        self._run_arrays: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None
        self.mises_au_point: dict[str, list[Any]] = {name: [] for name in MISE_AU_POINT_FIELDS}
        # (file, key, number of voters) of sections whose key is not a known position.
        self.unknown_sections: list[tuple[str, str, int]] = []
        self.unknown_causes: dict[str, int] = {}
        # Members read by the typed path of ``_scrutins_fast`` (none by ``parse_documents``).
        self.typed_members = 0

    def run_arrays(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Return ``run_scrutin``, ``run_position`` and ``run_length`` as int64 arrays.

        The arrays are kept while the number of runs stays the same: call after the last
        ``_flush_voters``, which may change the runs.
        """
        size = len(self.run_length)
        arrays = self._run_arrays
        if arrays is None or len(arrays[2]) != size:
            arrays = (np.fromiter(self.run_scrutin, dtype=np.int64, count=size),
                      np.fromiter(self.run_position, dtype=np.int64, count=size),
                      np.fromiter(self.run_length, dtype=np.int64, count=size))
            self._run_arrays = arrays
        return arrays

    def extend_groupes(self, rows: list[tuple[Any, ...]]) -> None:
        """Append group rows (tuples in ``GROUPE_FIELDS`` order) straight to the columns.

        For a few rows at a time: one transposition of all rows at the end would read
        each tuple once per column, long after it was built.
        """
        groupes = self.groupes  # rows gathered before these go first
        for column, values in zip(groupes.values(), zip(*rows, strict=True), strict=True):
            column += values

    @property
    def groupes(self) -> dict[str, list[Any]]:
        """Column lists of the group table, in ``GROUPE_FIELDS`` order."""
        if self.groupe_rows:
            for position, column in enumerate(self._groupes.values()):
                column += map(itemgetter(position), self.groupe_rows)
            self.groupe_rows = []
        return self._groupes


# Raw fields gathered per scrutin, before typing (see ``build_tables``).
SCRUTIN_FIELDS = (
    "uid", "numero", "legislature", "organe_uid", "session_uid", "seance_uid", "date",
    "type_vote_code", "type_vote_libelle", "type_majorite", "titre", "objet", "demandeur",
    "dossier_uid", "lieu_vote", "mode_publication", "sort_code", "sort_libelle", "annonce",
    "majorite_requise", "pour", "contre", "abstentions", "non_votants",
    "non_votants_volontaires", "votants", "exprimes", "fichier",
)
GROUPE_FIELDS = (
    "scrutin_uid", "groupe_uid", "nombre_membres", "position_majoritaire", "pour", "contre",
    "abstentions", "non_votants", "non_votants_volontaires",
)
MISE_AU_POINT_FIELDS = (
    "scrutin_uid", "acteur_uid", "mandat_uid", "position", "dysfonctionnement",
    "par_delegation", "num_place",
)


# Raw key → canonical form, and raw count key → column, filled as keys are met.
_CANONICAL: dict[str, str] = {}
_COUNT_COLUMN: dict[str, str | None] = {}


def _canonical(key: str) -> str:
    canonical = _CANONICAL.get(key)
    if canonical is None:
        canonical = _CANONICAL[key] = canonical_key(key)
    return canonical


def _count_column(key: str) -> str | None:
    if key not in _COUNT_COLUMN:
        _COUNT_COLUMN[key] = COUNT_COLUMNS.get(canonical_key(key))
    return _COUNT_COLUMN[key]


# Count columns, in the order of the values ``_count_values`` returns.
_COUNT_NAMES = tuple(COUNT_COLUMNS.values())
_NO_COUNTS = (None,) * len(_COUNT_NAMES)
# Keys of a decompte object, in order → getter of its values in ``_COUNT_NAMES`` order.
_COUNT_GETTERS: dict[tuple[Any, ...], Callable[[list[Any]], tuple[Any, ...]]] = {}
_MAX_COUNT_GETTERS = 1024


def _count_getter(keys: tuple[Any, ...]) -> Callable[[list[Any]], tuple[Any, ...]]:
    """Return a getter of the count values in a list of a decompte's values, plus a None.

    When two keys give the same column, the last one wins. A column without a key reads
    the final None.
    """
    last: dict[str, int] = {}
    for position, key in enumerate(keys):
        column = _count_column(key)
        if column is not None:
            last[column] = position
    return itemgetter(*(last.get(column, -1) for column in _COUNT_NAMES))


def _count_values(decompte: Any) -> tuple[Any, ...]:
    """Return the raw published counts of a ``decompte``/``decompteVoix`` object.

    Values stay as found (strings), in the order of ``_COUNT_NAMES``; ``_nullable_int``
    converts whole columns at once.
    """
    if type(decompte) is not dict:
        if is_nil(decompte) or not isinstance(decompte, Mapping):
            return _NO_COUNTS
    elif NIL_KEY in decompte:
        return _NO_COUNTS
    keys = tuple(decompte)
    getter = _COUNT_GETTERS.get(keys)
    if getter is None:
        getter = _count_getter(keys)
        if len(_COUNT_GETTERS) < _MAX_COUNT_GETTERS:
            _COUNT_GETTERS[keys] = getter
    return getter([*decompte.values(), None])


def _counts(decompte: Any) -> dict[str, Any]:
    """Return the raw published counts of a ``decompte``/``decompteVoix`` object by column."""
    return dict(zip(_COUNT_NAMES, _count_values(decompte), strict=True))


# Raw section key → index in ``POSITIONS``, -1 for a key that is not one of them, -2 for
# an XML attribute (``@...``). Filled as keys are met.
_SECTION_CODES: dict[str, int] = {}


def _section_code(key: str) -> int:
    code = _SECTION_CODES.get(key)
    if code is None:
        if key.startswith("@"):
            code = -2
        else:
            position = _SECTION_POSITION.get(_canonical(key))
            code = POSITIONS.index(position) if position in POSITIONS else -1
        _SECTION_CODES[key] = code
    return code


def _add_scrutin(cols: _Columns, s: Mapping[str, Any], name: str) -> None:
    index = len(cols.scrutins["uid"])
    synthese = s.get("syntheseVote")
    counts = _counts(_path(s, "syntheseVote", "decompte"))
    row = {
        "uid": _text(require(s, "uid", file=name), "uid"),
        "numero": _int(s.get("numero"), "numero"),
        "legislature": _int(s.get("legislature"), "legislature"),
        "organe_uid": _text(s.get("organeRef"), "organeRef"),
        "session_uid": _text(s.get("sessionRef"), "sessionRef"),
        "seance_uid": _text(s.get("seanceRef"), "seanceRef"),
        "date": _text(s.get("dateScrutin"), "dateScrutin"),
        "type_vote_code": _text(_path(s, "typeVote", "codeTypeVote"), "typeVote.codeTypeVote"),
        "type_vote_libelle": _text(_path(s, "typeVote", "libelleTypeVote"), "typeVote.libelleTypeVote"),
        "type_majorite": _text(_path(s, "typeVote", "typeMajorite"), "typeVote.typeMajorite"),
        "titre": _text(s.get("titre"), "titre"),
        "objet": _text(_path(s, "objet", "libelle"), "objet.libelle"),
        "demandeur": _text(_path(s, "demandeur", "texte"), "demandeur.texte"),
        "dossier_uid": _text(_path(s, "objet", "dossierLegislatif"), "objet.dossierLegislatif"),
        "lieu_vote": _text(s.get("lieuVote"), "lieuVote"),
        "mode_publication": _text(s.get("modePublicationDesVotes"), "modePublicationDesVotes"),
        "sort_code": _text(_path(s, "sort", "code"), "sort.code"),
        "sort_libelle": _text(_path(s, "sort", "libelle"), "sort.libelle"),
        "annonce": _text(_path(synthese, "annonce"), "syntheseVote.annonce"),
        "majorite_requise": _int(_path(synthese, "nbrSuffragesRequis"), "syntheseVote.nbrSuffragesRequis"),
        "votants": _int(_path(synthese, "nombreVotants"), "syntheseVote.nombreVotants"),
        "exprimes": _int(_path(synthese, "suffragesExprimes"), "syntheseVote.suffragesExprimes"),
        "fichier": name,
        **counts,
    }
    for field in SCRUTIN_FIELDS:
        cols.scrutins[field].append(row[field])

    for organe in _items(_path(s, "ventilationVotes", "organe")):
        for groupe in _items(_path(organe, "groupes", "groupe")):
            _add_groupe(cols, index, row["uid"], groupe, name)
    _add_mises_au_point(cols, row["uid"], s.get("miseAuPoint"), name)


def _voter_dict(voter: Any) -> dict[str, Any]:
    """Return the ``VOTER_FIELDS`` of a voter object that is not a dict, as a dict.

    A value that is not a mapping raises AttributeError, which ``parse_document``
    reports with the file name.
    """
    return {field: voter.get(field) for field in VOTER_FIELDS}


def _section_voters(section: Any, votant: Any) -> list[dict[str, Any]]:
    """Return the voters of a section that is not a plain list of dicts, as dicts.

    A list without null items is read item by item, unless an item has none of the voter
    fields: then, as for every other shape, ``_votants`` drops its nil items first.
    """
    if type(votant) is list and None not in votant:
        rows = [voter if type(voter) is dict else _voter_dict(voter) for voter in votant]
        if all(any(row.get(field) is not None for field in VOTER_FIELDS) for row in rows):
            return rows
    return [voter if type(voter) is dict else _voter_dict(voter) for voter in _votants(section)]


def _add_groupe(cols: _Columns, index: int, uid: str | None, groupe: Any, name: str) -> None:
    # Plain strings and dicts (what orjson builds) are read directly; any other shape goes
    # through ``_field``, which also reads one-item lists and nil objects.
    plain = type(groupe) is dict
    groupe_uid = groupe.get("organeRef") if plain else None
    if type(groupe_uid) is not str:
        groupe_uid = _text(_field(groupe, "organeRef"), "groupe.organeRef")
    vote = groupe.get("vote") if plain else None
    if type(vote) is not dict or NIL_KEY in vote:
        vote = _field(groupe, "vote")
    membres = groupe.get("nombreMembresGroupe") if plain else None
    if type(membres) is not str:
        membres = _field(groupe, "nombreMembresGroupe")
    plain_vote = type(vote) is dict
    majority = vote.get("positionMajoritaire") if plain_vote else None
    if type(majority) is not str:
        majority = _text(_field(vote, "positionMajoritaire"), "groupe.vote.positionMajoritaire")
    decompte = vote.get("decompteVoix") if plain_vote else None
    if type(decompte) is not dict or NIL_KEY in decompte:
        decompte = _field(vote, "decompteVoix")

    cols.groupe_rows.append((uid, groupe_uid, membres, majority, *_count_values(decompte)))

    nominatif = vote.get("decompteNominatif") if plain_vote else None
    if type(nominatif) is not dict or NIL_KEY in nominatif:
        nominatif = _field(vote, "decompteNominatif")
        if not isinstance(nominatif, Mapping):
            return
    voters = cols.voters
    for key, section in nominatif.items():
        if section is None:
            continue
        code = _SECTION_CODES.get(key)
        if code is None:
            code = _section_code(key)
        if code < 0:
            if code == -1:
                _add_unknown_section(cols, name, key, section)
            continue
        # Fast path for the usual ``{"votant": [dict, ...]}``: the list is taken as it is.
        # Its nil items are dropped by ``_flush_voters`` when it has an item without any
        # voter field, as the general path's ``as_list`` would.
        votant = section.get("votant") if type(section) is dict else None
        if type(votant) is list and {*map(type, votant)} == _DICT_ONLY:
            rows = votant
        else:
            rows = _section_voters(section, votant)
            if not rows:
                continue
        voters += rows
        cols.run_scrutin.append(index)
        cols.run_groupe.append(groupe_uid)
        cols.run_position.append(code)
        cols.run_length.append(len(rows))


def _flush_voters(cols: _Columns) -> None:
    """Encode the pending voter objects: one array of codes per field of ``VOTER_FIELDS``.

    The fields of every voter are read by C-level ``map`` calls over ``dict.get``, and
    the tuple of a voter's values is looked up in a ``defaultdict`` of codes. Each new
    tuple gives its values a code in each field's ``defaultdict``. A value that cannot
    be a dict key (an ``xsi:nil`` object, a ``#text`` wrapper) makes the batch be encoded
    field by field, and that field's batch stay a list of raw values, normalised by
    ``_voter_field``. A voter object without any of the voter fields (an ``xsi:nil``
    item, say) first makes ``_drop_nil_voters`` remove the nil items of its run.
    """
    batch = cols.voters
    if not batch:
        return
    first_run = cols.batch_first_run
    cols.voters = []
    cols.batch_first_run = len(cols.run_length)
    get = dict.get
    actors = list(map(get, batch, repeat("acteurRef", len(batch))))
    if None in actors:
        empty = [i for i, voter in enumerate(batch) if all(voter.get(field) is None for field in VOTER_FIELDS)]
        if empty:
            batch = _drop_nil_voters(cols, batch, empty, first_run)
            actors = [voter.get("acteurRef") for voter in batch]
    size = len(batch)
    rows = cols.voter_rows
    known = len(rows)
    try:
        # One lookup per voter, of the tuple of its values: about 1 400 distinct tuples
        # for 650 000 voters in the XVIIth legislature.
        values = zip(actors, *(map(get, batch, repeat(field, size)) for field in VOTER_FIELDS[1:]), strict=True)
        row_codes = np.fromiter(map(rows.__getitem__, values), dtype=np.int32, count=size)
    except TypeError:  # a value that cannot be a dict key: encode field by field
        for key in list(islice(rows, known, None)):
            del rows[key]
        rows.default_factory = count(known).__next__
        _flush_fields(cols, batch, actors)
        return
    if len(rows) > known:
        _extend_lut(cols, known)
    for position, field in enumerate(VOTER_FIELDS):
        cols.voter_batches[field].append(cols.voter_lut[position][row_codes])


def _extend_lut(cols: _Columns, known: int,
                values: Callable[[Any], tuple[Any, ...]] | None = None) -> None:
    """Give the voters found since the first ``known`` their code in each field.

    The keys of ``cols.voter_rows`` are tuples of values, or objects that ``values``
    turns into such tuples (the typed voters of ``_scrutins_fast``).
    """
    rows = cols.voter_rows
    lut = cols.voter_lut
    if len(rows) > lut.shape[1]:
        lut = cols.voter_lut = np.concatenate([lut, np.zeros((lut.shape[0], max(len(rows), 2 * lut.shape[1])),
                                                             dtype=np.int32)], axis=1)
    new = list(islice(rows, known, None))
    if values is not None:
        new = [row if type(row) is tuple else values(row) for row in new]
    for position, field in enumerate(VOTER_FIELDS):
        lookup = cols.voter_codes[field].__getitem__
        lut[position, known:len(rows)] = [lookup(row[position]) for row in new]


def _flush_fields(cols: _Columns, batch: list[dict[str, Any]], actors: list[Any]) -> None:
    """Encode a batch field by field, keeping a field's raw values when one is unhashable."""
    get = dict.get
    size = len(batch)
    for field in VOTER_FIELDS:
        values = actors if field == "acteurRef" else list(map(get, batch, repeat(field, size)))
        try:
            codes: np.ndarray | list[Any] = np.fromiter(
                map(cols.voter_codes[field].__getitem__, values), dtype=np.int32, count=size)
        except TypeError:
            codes = values
        cols.voter_batches[field].append(codes)


def _drop_nil_voters(cols: _Columns, batch: list[dict[str, Any]], empty: list[int],
                     first_run: int) -> list[dict[str, Any]]:
    """Drop the ``xsi:nil`` items of each run of ``batch`` that has an item in ``empty``.

    ``first_run`` is the index of the run of ``batch[0]``. Runs left without voters are
    removed, as the general path never records an empty run.
    """
    cols._run_arrays = None  # the runs change below
    lengths = np.asarray(cols.run_length[first_run:], dtype=np.int64)
    ends = np.cumsum(lengths)
    starts = ends - lengths
    runs = sorted({int(run) for run in np.searchsorted(ends, empty, side="right")})
    kept: list[dict[str, Any]] = []
    previous = 0
    for run in runs:
        start, end = int(starts[run]), int(ends[run])
        kept += batch[previous:start]
        items = [voter for voter in batch[start:end] if NIL_KEY not in voter or not is_nil(voter)]
        kept += items
        cols.run_length[first_run + run] = len(items)
        previous = end
    kept += batch[previous:]
    for run in reversed(runs):
        if cols.run_length[first_run + run] == 0:
            for column in (cols.run_scrutin, cols.run_groupe, cols.run_position, cols.run_length):
                del column[first_run + run]
    return kept


def _add_unknown_section(cols: _Columns, name: str, key: str, section: Any) -> None:
    """Record a section whose key is not a position, when it lists voters; ignore it otherwise."""
    try:
        count = len(_votants(section))
    except SchemaError:  # an unknown field without voters
        count = 0
    if count:
        cols.unknown_sections.append((name, key, count))


def _add_mises_au_point(cols: _Columns, uid: str | None, block: Any, name: str) -> None:
    if is_nil(block) or not isinstance(block, Mapping):
        return
    for key, section in block.items():
        if key.startswith("@") or section is None:  # a None section lists no voter
            continue
        canonical = canonical_key(key)
        if canonical == "dysfonctionnement":
            if isinstance(section, Mapping):
                for sub_key, sub_section in section.items():
                    if not sub_key.startswith("@"):
                        _add_mise_au_point_section(cols, uid, sub_key, sub_section, True, name)
            continue
        _add_mise_au_point_section(cols, uid, key, section, False, name)


def _add_mise_au_point_section(cols: _Columns, uid: str | None, key: str, section: Any,
                               malfunction: bool, name: str) -> None:
    position = _SECTION_POSITION.get(canonical_key(key))
    if position is None:
        _add_unknown_section(cols, name, f"miseAuPoint.{key}", section)
        return
    voters = _votants(section)
    m = cols.mises_au_point
    for voter in voters:
        m["scrutin_uid"].append(uid)
        m["acteur_uid"].append(_text(voter.get("acteurRef"), "miseAuPoint.acteurRef"))
        m["mandat_uid"].append(_text(voter.get("mandatRef"), "miseAuPoint.mandatRef"))
        m["position"].append(position)
        m["dysfonctionnement"].append(malfunction)
        m["par_delegation"].append(_bool(voter.get("parDelegation"), "miseAuPoint.parDelegation"))
        m["num_place"].append(_int(voter.get("numPlace"), "miseAuPoint.numPlace"))


def parse_document(cols: _Columns, raw: bytes | Mapping[str, Any], name: str) -> None:
    """Add one scrutin document (bytes of a JSON file, or its parsed object) to ``cols``.

    Parameters
    ----------
    cols
        The column lists to extend, from ``parse_documents`` or ``_Columns()``.
    raw
        The bytes of one JSON file, or the object parsed from it.
    name
        The file name, in error messages and the ``fichier`` column.

    Raises
    ------
    SchemaError
        When the bytes are not valid JSON, the root is not ``{"scrutin": {...}}`` or a
        value has an unexpected shape.

    Examples
    --------
    >>> cols = _Columns()
    >>> parse_document(cols, b'{"scrutin": {"uid": "VTANR5L17V1", "numero": "1"}}', "V1.json")
    >>> cols.scrutins["uid"], cols.scrutins["fichier"]
    (['VTANR5L17V1'], ['V1.json'])
    >>> parse_document(cols, b'{"uid": "VTANR5L17V2"}', "V2.json")
    Traceback (most recent call last):
        ...
    bureau_data.errors.SchemaError: V2.json : objet racine « scrutin » introuvable (trouvé ...
    """
    if isinstance(raw, bytes | bytearray | memoryview | str):
        try:
            doc = orjson.loads(raw)
        except orjson.JSONDecodeError as exc:
            raise SchemaError(f"{name} : JSON invalide ({exc}). {invalid_json_advice(None)}", path=name,
                              found="JSON invalide") from exc
    else:
        doc = raw
    scrutin = doc.get("scrutin") if isinstance(doc, Mapping) else None
    if not isinstance(scrutin, Mapping):
        found = sorted(doc)[:5] if isinstance(doc, Mapping) else type(doc).__name__
        raise SchemaError(
            f"{name} : objet racine « scrutin » introuvable (trouvé : {found}). "
            "Ce fichier n'est pas un scrutin de l'Assemblée nationale au format JSON.",
            path=name, field="scrutin", found=str(found),
        )
    try:
        _add_scrutin(cols, scrutin, name)
    except SchemaError as exc:
        if exc.path:
            raise
        raise SchemaError(f"{name} : {exc}", path=name, field=exc.field, found=exc.found) from exc
    except (ValueError, TypeError, AttributeError) as exc:
        raise SchemaError(
            f"{name} : structure de scrutin inattendue ({type(exc).__name__} : {exc}).",
            path=name, found=type(exc).__name__,
        ) from exc


def parse_documents(documents: Iterable[tuple[str, bytes | Mapping[str, Any]]]) -> _Columns:
    """Parse ``(name, document)`` pairs into column lists.

    Parameters
    ----------
    documents
        ``(name, document)`` pairs, as for ``scrutins.read_documents``.

    Returns
    -------
    _Columns
        Column lists for ``scrutins_frame``, ``groupes_frame``, ``positions_frame``,
        ``mises_au_point_frame`` and ``run_counts``.

    Examples
    --------
    >>> vote = {"positionMajoritaire": "pour",
    ...         "decompteVoix": {"pour": "2", "contre": "1", "abstentions": "0", "nonVotants": "0"},
    ...         "decompteNominatif": {
    ...             "pours": {"votant": [{"acteurRef": "PA1"}, {"acteurRef": "PA2"}]},
    ...             "contres": {"votant": {"acteurRef": "PA3"}}}}
    >>> doc = {"scrutin": {"uid": "VTANR5L17V1", "numero": "1", "sort": {"code": "adopté"},
    ...                    "ventilationVotes": {"organe": {"groupes": {"groupe": [
    ...                        {"organeRef": "PO1", "nombreMembresGroupe": "3", "vote": vote}]}}}}}
    >>> cols = parse_documents([("VTANR5L17V1.json", doc)])
    >>> positions_frame(cols, cols.scrutins["uid"])[["acteur_uid", "position"]].values.tolist()
    [['PA1', 'pour'], ['PA2', 'pour'], ['PA3', 'contre']]
    """
    cols = _Columns()
    # The cyclic garbage collector would rescan the growing lists of voters many times.
    # The documents contain no reference cycles, so the collector is paused during the parse.
    enabled = gc.isenabled()
    gc.disable()
    try:
        for name, raw in documents:
            parse_document(cols, raw, name)
            if len(cols.voters) >= _VOTER_BATCH:
                _flush_voters(cols)
        _flush_voters(cols)
    finally:
        if enabled:
            gc.enable()
    return cols


def _strings(values: list[Any]) -> pd.api.extensions.ExtensionArray:
    return pd.array(values, dtype="str")


def _frame(columns: dict[str, Any]) -> pd.DataFrame:
    """Return a DataFrame of freshly built columns (Series or arrays), without copying them.

    Passing arrays rather than Series skips the alignment of indexes, which costs about
    0.7 ms of CPU time for the 28 columns of the scrutins table whatever its length
    (pandas 3.1, measured on a 2-core machine).
    """
    arrays = {name: column.array if isinstance(column, pd.Series) else column for name, column in columns.items()}
    return pd.DataFrame(arrays, copy=False)


def _parse_ints(values: list[Any]) -> np.ndarray | None:
    """Parse a list of decimal strings in one C call, or return None when any value is not one.

    Joining the strings and letting numpy read them is several times faster than calling
    ``int()`` on each. A missing value, a non-string or a malformed number makes the count
    of numbers read differ (or the join fail), and the caller takes the slow path.
    """
    if not values:
        return np.zeros(0, dtype=np.int64)
    try:
        text = " ".join(values)
    except TypeError:  # None or another value that is not a string
        return None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        try:
            numbers = np.fromstring(text, dtype=np.int64, sep=" ")
        except ValueError:
            return None
    return numbers if len(numbers) == len(values) else None


def _bad_value(values: Any, field: str, check: Callable[[Any, str], Any],
               locate: Callable[[int], str] | None) -> SchemaError:
    """Return the error for the first value of ``values`` that ``check`` rejects, naming its file.

    Columns are typed whole, for speed. Only when that fails are the values read one by
    one, to find the file and field of the bad one.
    """
    for index, value in enumerate(values):
        try:
            check(value, field)
        except SchemaError as exc:
            if locate is None:
                return exc
            file = locate(index)
            return SchemaError(f"{file} : {exc}", path=file, field=exc.field, found=exc.found)
    return SchemaError(f"Champ {field} : valeur invalide.", field=field, found="?")


_INT_OR_NONE = {int, type(None)}


def _nullable_int(values: list[Any], dtype: Any = "Int64", field: str = "",
                  locate: Callable[[int], str] | None = None) -> pd.Series:
    """Return integers from raw values (numeric strings, nil objects, None) as a nullable column.

    Raises ``SchemaError`` naming the file (through ``locate``) and the field of the first
    value that is not an integer.
    """
    # Integers already typed by ``_int`` while parsing. Only the first value is tested
    # before the others, so that columns of strings are not read one extra time.
    if values and type(values[0]) is int and {*map(type, values)} <= _INT_OR_NONE:
        return pd.Series(pd.array(values, dtype=dtype))
    numbers = _parse_ints(values)
    if numbers is not None:
        return pd.Series(numbers).astype(dtype)
    try:
        array = pa.array(values, type=pa.string())
    except (pa.ArrowTypeError, pa.ArrowInvalid):
        try:
            return pd.Series(pd.array([_int(value, field) for value in values], dtype=dtype))
        except SchemaError:
            raise _bad_value(values, field, _int, locate) from None
    return _arrow_int(array, field, dtype, locate)


def _category(values: list[Any], field: str) -> pd.Categorical:
    """Return a categorical of identifiers (small lists: scrutins and groups)."""
    return pd.Categorical([_text(value) for value in values])


# Fields kept for each voter, in the order in which their bad values are reported.
VOTER_FIELDS = ("acteurRef", "mandatRef", "parDelegation", "numPlace", "causePositionVote")


class _Encoded(NamedTuple):
    """A column as codes into its distinct values (``-1`` for a missing value)."""

    codes: np.ndarray
    categories: list[Any]

    def to_arrow(self) -> pa.Array:
        """Return the column as an Arrow string array, one value per row."""
        indices = pa.array(self.codes, mask=self.codes < 0, type=pa.int32())
        dictionary = pa.array(self.categories, type=pa.string())
        return pa.DictionaryArray.from_arrays(indices, dictionary).dictionary_decode()


def _encode(values: list[Any]) -> _Encoded:
    """Return hashable values as codes in order of first appearance, None as -1."""
    codes: defaultdict[Any, int] = defaultdict(count().__next__)
    array = np.fromiter(map(codes.__getitem__, values), dtype=np.int32, count=len(values))
    return _without_none(array, list(codes))


def _without_none(codes: np.ndarray, categories: list[Any]) -> _Encoded:
    """Return codes where the category None, if present, is replaced by -1."""
    try:
        none = categories.index(None)
    except ValueError:
        return _Encoded(codes, categories)
    codes = codes.copy()
    codes[codes == none] = -1
    codes[codes > none] -= 1
    return _Encoded(codes, categories[:none] + categories[none + 1:])


def _voter_field(cols: _Columns, position: int) -> _Encoded | tuple[int, SchemaError]:
    """Return one field of the voters as text codes, or ``(row, error)`` for its first bad value.

    When every value is hashable, only the distinct values go through ``_text``
    (``#text`` wrappers and nil objects are unhashable, so this is rare). Otherwise the
    field's values are normalised row by row, and the first one that is not text is
    returned with its row.
    """
    field = VOTER_FIELDS[position]
    batches = cols.voter_batches[field]
    raw_categories = list(cols.voter_codes[field])
    if not any(type(batch) is list for batch in batches):
        codes = np.concatenate(batches) if batches else np.zeros(0, dtype=np.int32)
        if all(type(value) is str or value is None for value in raw_categories):
            return _without_none(codes, raw_categories)
        # Hashable values that are not strings (numbers): type the distinct values.
        normalised = _encode([_text(value, f"votant.{field}") for value in raw_categories])
        return _Encoded(normalised.codes[codes], normalised.categories)
    values: list[Any] = []
    for batch in batches:
        values += batch if type(batch) is list else [raw_categories[code] for code in batch]
    normalised_values = []
    for index, value in enumerate(values):
        try:
            normalised_values.append(_text(value, f"votant.{field}"))
        except SchemaError as exc:
            return index, exc
    return _encode(normalised_values)


def _voter_columns(cols: _Columns, locate: Callable[[int], str] | None = None) -> dict[str, _Encoded]:
    """Return the voters' values as text codes, one ``_Encoded`` per field of ``VOTER_FIELDS``.

    The first value that is not text, in voter order, raises ``SchemaError`` naming its file.
    """
    columns: dict[str, _Encoded] = {}
    failures: list[tuple[int, int, SchemaError]] = []
    for position, field in enumerate(VOTER_FIELDS):
        result = _voter_field(cols, position)
        if isinstance(result, _Encoded):
            columns[field] = result
        else:
            failures.append((result[0], position, result[1]))
    if failures:
        index, _, exc = min(failures, key=lambda failure: failure[:2])
        if locate is None:
            raise exc
        file = locate(index)
        raise SchemaError(f"{file} : {exc}", path=file, field=exc.field, found=exc.found) from None
    return columns


def _encoded_category(column: _Encoded) -> pd.Categorical:
    return pd.Categorical.from_codes(column.codes, categories=pd.Index(column.categories, dtype="str"))


def _encoded_bool(column: _Encoded, field: str, locate: Callable[[int], str] | None = None) -> pd.Series:
    """Return ``_arrow_bool`` of the column, typing each distinct value once."""
    try:
        per_value = _arrow_bool(pa.array(column.categories, type=pa.string()), field).array
    except SchemaError:
        return _arrow_bool(column.to_arrow(), field, locate)
    # Code -1 picks the appended missing value.
    data = np.append(per_value.to_numpy(dtype=bool, na_value=False), False)[column.codes]
    mask = np.append(per_value.isna(), True)[column.codes]
    return pd.Series(pd.arrays.BooleanArray(data, mask))


def _encoded_int(column: _Encoded, field: str, dtype: Any,
                 locate: Callable[[int], str] | None = None) -> pd.Series:
    """Return ``_arrow_int`` of the column, typing each distinct value once."""
    try:
        per_value = _arrow_int(pa.array(column.categories, type=pa.string()), field, "Int64").array
    except SchemaError:
        return _arrow_int(column.to_arrow(), field, dtype, locate)
    data = np.append(per_value.to_numpy(dtype=np.int64, na_value=0), 0)[column.codes]
    mask = np.append(per_value.isna(), True)[column.codes]
    return pd.Series(pd.arrays.IntegerArray(data, mask)).astype(dtype)


def _string_array(values: list[Any]) -> pa.Array:
    """Return an Arrow string array of identifiers already normalised by ``_text``."""
    return pa.array(values, type=pa.string())


def _arrow_category(array: pa.Array) -> pd.Categorical:
    encoded = array.dictionary_encode()
    codes = encoded.indices.to_numpy(zero_copy_only=False)
    codes = np.where(encoded.indices.is_null().to_numpy(zero_copy_only=False), -1, codes)
    categories = pd.Index(encoded.dictionary.to_pylist(), dtype="str")
    return pd.Categorical.from_codes(codes.astype(np.int32), categories=categories)


def _arrow_bool(array: pa.Array, field: str, locate: Callable[[int], str] | None = None) -> pd.Series:
    valid = pc.is_in(array, value_set=pa.array(list(_BOOL), type=pa.string()))
    bad = pc.and_(pc.invert(pc.fill_null(valid, True)), pc.is_valid(array))
    if pc.any(bad).as_py():
        index = int(np.flatnonzero(bad.to_numpy(zero_copy_only=False))[0])
        raise _bad_value([array[index].as_py()], field, _bool,
                         None if locate is None else lambda _: locate(index))
    mask = array.is_null().to_numpy(zero_copy_only=False)
    data = pc.fill_null(pc.equal(array, "true"), False).to_numpy(zero_copy_only=False)
    return pd.Series(pd.arrays.BooleanArray(data, mask))


def _arrow_int(array: pa.Array, field: str, dtype: Any, locate: Callable[[int], str] | None = None) -> pd.Series:
    try:
        numbers = pc.cast(pc.utf8_trim_whitespace(array), pa.int64())
    except pa.ArrowInvalid:
        raise _bad_value(array.to_pylist(), field, _int, locate) from None
    mask = numbers.is_null().to_numpy(zero_copy_only=False)
    data = pc.fill_null(numbers, 0).to_numpy(zero_copy_only=False)
    return pd.Series(pd.arrays.IntegerArray(data, mask)).astype(dtype)


def scrutins_frame(cols: _Columns) -> pd.DataFrame:
    """Return the scrutins table (typed, before ``adopte`` is derived).

    Parameters
    ----------
    cols
        The result of ``parse_documents``.

    Returns
    -------
    pandas.DataFrame
        The columns of ``scrutins.scrutins()`` except ``adopte``.

    Raises
    ------
    SchemaError
        When a number, date or flag cannot be read, naming the file and the value.

    Examples
    --------
    >>> cols = parse_documents([("V1.json", {"scrutin": {"uid": "VTANR5L17V1", "numero": "1",
    ...                                                  "dateScrutin": "2024-07-18"}})])
    >>> scrutins_frame(cols)[["uid", "numero", "date"]].values.tolist()
    [['VTANR5L17V1', 1, Timestamp('2024-07-18 00:00:00')]]
    """
    raw = cols.scrutins

    def file_of(index: int) -> str:
        return str(raw["fichier"][index])

    def integers(column: str, field: str, dtype: str = "Int64") -> pd.Series:
        return _nullable_int(raw[column], dtype, field, file_of)

    df = _frame({
        "uid": _strings(raw["uid"]),
        "numero": integers("numero", "numero"),
        "legislature": integers("legislature", "legislature", "Int8"),
        "organe_uid": _strings(raw["organe_uid"]),
        "session_uid": _strings(raw["session_uid"]),
        "seance_uid": _strings(raw["seance_uid"]),
        "date": pd.to_datetime(pd.Series(raw["date"], dtype="object"), format="%Y-%m-%d", errors="coerce").astype(
            "datetime64[us]"),
        "type_vote_code": _strings(raw["type_vote_code"]),
        "type_vote_libelle": _strings(raw["type_vote_libelle"]),
        "type_majorite": _strings(raw["type_majorite"]),
        "titre": _strings(raw["titre"]),
        "objet": _strings(raw["objet"]),
        "demandeur": _strings(raw["demandeur"]),
        "dossier_uid": _strings(raw["dossier_uid"]),
        "lieu_vote": _strings(raw["lieu_vote"]),
        "mode_publication": _strings(raw["mode_publication"]),
        "sort_code": _strings(raw["sort_code"]),
        "sort_libelle": _strings(raw["sort_libelle"]),
        "annonce": _strings(raw["annonce"]),
        "majorite_requise": integers("majorite_requise", "syntheseVote.nbrSuffragesRequis"),
        **{column: integers(column, f"syntheseVote.decompte.{column}") for column in COUNT_COLUMNS.values()},
        "votants": integers("votants", "syntheseVote.nombreVotants"),
        "exprimes": integers("exprimes", "syntheseVote.suffragesExprimes"),
        "fichier": _strings(raw["fichier"]),
    })
    return df


def groupes_frame(cols: _Columns) -> pd.DataFrame:
    """Return the per-scrutin, per-group published counts.

    Parameters
    ----------
    cols
        The result of ``parse_documents``.

    Returns
    -------
    pandas.DataFrame
        The columns of ``scrutins.decomptes_groupes()``.

    Examples
    --------
    >>> vote = {"positionMajoritaire": "contre", "decompteVoix": {"pour": "0", "contre": "3"}}
    >>> doc = {"scrutin": {"uid": "VTANR5L17V1", "ventilationVotes": {"organe": {"groupes": {
    ...     "groupe": {"organeRef": "PO1", "nombreMembresGroupe": "3", "vote": vote}}}}}}
    >>> groupes_frame(parse_documents([("V1.json", doc)]))[["groupe_uid", "contre"]].values.tolist()
    [['PO1', 3]]
    """
    raw = cols.groupes
    files = dict(zip(cols.scrutins["uid"], cols.scrutins["fichier"], strict=True))

    def file_of(index: int) -> str:
        return str(files.get(raw["scrutin_uid"][index], raw["scrutin_uid"][index]))

    # A value that is not a position (reported by ``build_tables``) or None gives code -1.
    position_code = {position: i for i, position in enumerate(POSITIONS)}
    values = raw["position_majoritaire"]
    majority = pd.Categorical.from_codes(
        np.fromiter(map(position_code.get, values, repeat(-1)), dtype=np.int8, count=len(values)),
        dtype=pd.CategoricalDtype(list(POSITIONS), ordered=True))
    return _frame({
        "scrutin_uid": _arrow_category(_string_array(raw["scrutin_uid"])),
        "groupe_uid": _arrow_category(_string_array(raw["groupe_uid"])),
        "nombre_membres": _nullable_int(raw["nombre_membres"], "Int64", "groupe.nombreMembresGroupe", file_of),
        "position_majoritaire": majority,
        **{column: _nullable_int(raw[column], "Int64", f"groupe.vote.decompteVoix.{column}", file_of)
           for column in COUNT_COLUMNS.values()},
    })


def positions_frame(cols: _Columns, scrutin_uids: list[Any]) -> pd.DataFrame:
    """Return one row per recorded individual position.

    Parameters
    ----------
    cols
        The result of ``parse_documents``.
    scrutin_uids
        The scrutin uids in table order, for the categories of ``scrutin_uid``.

    Returns
    -------
    pandas.DataFrame
        The columns of ``scrutins.positions()``.

    Examples
    --------
    >>> vote = {"decompteNominatif": {"abstentions": {"votant": {"acteurRef": "PA1",
    ...                                                          "parDelegation": "false"}}}}
    >>> doc = {"scrutin": {"uid": "VTANR5L17V1", "ventilationVotes": {"organe": {"groupes": {
    ...     "groupe": {"organeRef": "PO1", "vote": vote}}}}}}
    >>> cols = parse_documents([("V1.json", doc)])
    >>> positions_frame(cols, cols.scrutins["uid"])[["acteur_uid", "position", "par_delegation"]]
      acteur_uid    position  par_delegation
    0        PA1  abstention           False
    """
    _flush_voters(cols)  # voters of documents added with parse_document alone
    run_scrutin, run_position, lengths = cols.run_arrays()
    ends = np.cumsum(lengths)

    def file_of(index: int) -> str:
        run = int(np.searchsorted(ends, index, side="right"))
        return str(cols.scrutins["fichier"][cols.run_scrutin[run]])

    voters = _voter_columns(cols, file_of)
    # A uid present twice (reported by the checks) maps to one category.
    uids = pd.Index(scrutin_uids, dtype="object")
    scrutin_categories = uids.unique()
    first_code = scrutin_categories.get_indexer(uids)
    scrutin_codes = np.repeat(first_code[run_scrutin], lengths)
    position_codes = np.repeat(run_position.astype(np.int8), lengths)
    groupe_runs = _arrow_category(_string_array(cols.run_groupe))
    groupe_codes = np.repeat(groupe_runs.codes, lengths)
    cause = _encoded_category(voters["causePositionVote"])
    cause = cause.add_categories(sorted(set(CAUSES) - set(cause.categories)))
    return _frame({
        "scrutin_uid": pd.Categorical.from_codes(scrutin_codes, categories=pd.Index(scrutin_categories, dtype="str")),
        "acteur_uid": _encoded_category(voters["acteurRef"]),
        "mandat_uid": _encoded_category(voters["mandatRef"]),
        "groupe_uid": pd.Categorical.from_codes(groupe_codes, dtype=groupe_runs.dtype),
        "position": pd.Categorical.from_codes(
            position_codes, dtype=pd.CategoricalDtype(list(POSITIONS), ordered=True)),
        "par_delegation": _encoded_bool(voters["parDelegation"], "votant.parDelegation", file_of),
        "cause_code": cause,
        "cause_libelle": cause.rename_categories(
            {code: CAUSES.get(code, f"inconnue ({code})") for code in cause.categories}),
        "num_place": _encoded_int(voters["numPlace"], "votant.numPlace", "Int16", file_of),
    })


def mises_au_point_frame(cols: _Columns) -> pd.DataFrame:
    """Return one row per correction (mise au point) of a recorded position.

    Parameters
    ----------
    cols
        The result of ``parse_documents``.

    Returns
    -------
    pandas.DataFrame
        The columns of ``scrutins.mises_au_point()``.

    Examples
    --------
    >>> doc = {"scrutin": {"uid": "VTANR5L17V1", "miseAuPoint": {
    ...     "pours": {"votant": {"acteurRef": "PA1"}},
    ...     "dysfonctionnement": {"contres": {"votant": {"acteurRef": "PA2"}}}}}}
    >>> table = mises_au_point_frame(parse_documents([("V1.json", doc)]))
    >>> table[["acteur_uid", "position", "dysfonctionnement"]].values.tolist()
    [['PA1', 'pour', False], ['PA2', 'contre', True]]
    """
    raw = cols.mises_au_point
    return _frame({
        "scrutin_uid": _strings(raw["scrutin_uid"]),
        "acteur_uid": _strings(raw["acteur_uid"]),
        "mandat_uid": _strings(raw["mandat_uid"]),
        "position": pd.Categorical(raw["position"], categories=list(POSITIONS_MISE_AU_POINT), ordered=True),
        "dysfonctionnement": pd.Series(raw["dysfonctionnement"], dtype="bool"),
        "par_delegation": pd.Series(pd.array(raw["par_delegation"], dtype="boolean")),
        "num_place": _nullable_int(raw["num_place"], "Int16"),
    })


def run_counts(cols: _Columns) -> pd.DataFrame:
    """Return the number of listed voters per scrutin, group and position, from the runs.

    The same counts as grouping ``positions_frame`` by scrutin, group and position, in
    the layout of ``_scrutins_checks.count_positions``, without touching 650 000 rows.

    Parameters
    ----------
    cols
        The result of ``parse_documents``.

    Returns
    -------
    pandas.DataFrame
        Indexed by ``(scrutin_uid, groupe_uid)``, with the columns of
        ``_scrutins_checks.count_positions``.

    Examples
    --------
    >>> voters = [{"acteurRef": "PA1"}, {"acteurRef": "PA2"}]
    >>> vote = {"decompteNominatif": {"pours": {"votant": voters}}}
    >>> doc = {"scrutin": {"uid": "VTANR5L17V1", "ventilationVotes": {"organe": {"groupes": {
    ...     "groupe": {"organeRef": "PO1", "vote": vote}}}}}}
    >>> run_counts(parse_documents([("V1.json", doc)])).loc[("VTANR5L17V1", "PO1")].to_dict()
    {'pour_calcule': 2, 'contre_calcule': 0, 'abstentions_calcule': 0, 'non_votants_calcule': 0}
    """
    _flush_voters(cols)  # dropping nil voters may change the runs
    uids = np.asarray(cols.scrutins["uid"], dtype=object)
    runs = pd.DataFrame({
        "scrutin_uid": uids[np.asarray(cols.run_scrutin, dtype=np.int64)] if cols.run_scrutin else [],
        "groupe_uid": pd.Series(cols.run_groupe, dtype="object"),
        "position": np.asarray(cols.run_position, dtype=np.int64),
        "n": np.asarray(cols.run_length, dtype=np.int64),
    })
    table = runs.groupby(["scrutin_uid", "groupe_uid", "position"], sort=False)["n"].sum().unstack(
        "position", fill_value=0)
    columns = {i: f"{COUNT_COLUMNS[_canonical(position.replace('-', ''))]}_calcule"
               for i, position in enumerate(POSITIONS)}
    table = table.rename(columns=columns)
    for column in columns.values():
        if column not in table:
            table[column] = 0
    table = table[list(columns.values())]
    if table.empty:
        table.index = pd.MultiIndex.from_arrays([[], []], names=["scrutin_uid", "groupe_uid"])
    return table


def run_counts_by_row(cols: _Columns, groupes: pd.DataFrame) -> np.ndarray | None:
    """Return the number of listed voters per row of ``groupes`` and position, from the runs.

    The same counts as ``run_counts``, aligned with the rows of the group table (as
    ``groupes_frame`` builds it, in any row order) for ``_scrutins_checks.check_counts_aligned``.
    When a ``(scrutin_uid, groupe_uid)`` pair has several rows (the placeholder group
    ``PO0``), its voters are counted on the first of them and 0 on the others.

    Parameters
    ----------
    cols
        The result of ``parse_documents``.
    groupes
        The group table, with categorical ``scrutin_uid`` and ``groupe_uid``.

    Returns
    -------
    numpy.ndarray or None
        Integers of shape ``(len(groupes), 4)``, columns in ``POSITIONS`` order; None
        when a uid is null or not categorical, cases that only ``run_counts`` handles.

    Examples
    --------
    >>> voters = [{"acteurRef": "PA1"}, {"acteurRef": "PA2"}]
    >>> vote = {"decompteNominatif": {"pours": {"votant": voters}}}
    >>> doc = {"scrutin": {"uid": "VTANR5L17V1", "ventilationVotes": {"organe": {"groupes": {
    ...     "groupe": {"organeRef": "PO1", "vote": vote}}}}}}
    >>> cols = parse_documents([("V1.json", doc)])
    >>> run_counts_by_row(cols, groupes_frame(cols)).tolist()
    [[2, 0, 0, 0]]
    """
    _flush_voters(cols)  # dropping nil voters may change the runs
    scrutin_uid, groupe_uid = groupes["scrutin_uid"], groupes["groupe_uid"]
    if not (isinstance(scrutin_uid.dtype, pd.CategoricalDtype) and isinstance(groupe_uid.dtype, pd.CategoricalDtype)):
        return None
    scrutin_codes = scrutin_uid.cat.codes.to_numpy(dtype=np.int64)
    groupe_codes = groupe_uid.cat.codes.to_numpy(dtype=np.int64)
    if (scrutin_codes < 0).any() or (groupe_codes < 0).any():
        return None
    counts = np.zeros((len(groupes), len(POSITIONS)), dtype=np.int64)
    if not cols.run_length or not len(groupes):
        return counts

    width = len(groupe_uid.cat.categories) + 1
    pair_keys, first_rows = np.unique(scrutin_codes * width + groupe_codes, return_index=True)
    # Key of each run, from its scrutin (by row in the parse) and its group uid. A run
    # whose pair has no group row (a null group uid) counts nowhere, as in the join.
    scrutin_of_row = _positions_in(scrutin_uid.cat.categories, cols.scrutins["uid"])
    run_rows, run_positions, run_lengths = cols.run_arrays()
    run_scrutin = scrutin_of_row[run_rows]
    run_groupe = _positions_in(groupe_uid.cat.categories, cols.run_groupe)
    run_keys = run_scrutin * width + run_groupe
    slots = np.minimum(np.searchsorted(pair_keys, run_keys), len(pair_keys) - 1)
    found = (pair_keys[slots] == run_keys) & (run_scrutin >= 0) & (run_groupe >= 0)
    rows = first_rows[slots[found]]
    positions = run_positions[found]
    lengths = run_lengths[found]
    np.add.at(counts, (rows, positions), lengths)
    return counts


def _positions_in(categories: pd.Index, values: list[Any]) -> np.ndarray:
    """Return the position of each value in ``categories``, -1 when absent or None."""
    position = {category: i for i, category in enumerate(categories.tolist())}
    return np.fromiter(map(position.get, values, repeat(-1)), dtype=np.int64, count=len(values))
