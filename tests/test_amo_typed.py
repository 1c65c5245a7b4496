"""The msgspec reader of AMO members gives exactly the rows, warnings and errors of the others.

``_amo_typed`` decodes plain members into structs and hands any other member back to
orjson and ``AmoParser.add_document``. These tests read the same members with the typed
reader switched on and off, and compare the outcomes. The inputs are:

- the four real AMO archives, whole;
- hand-made members where each field in turn takes an unusual value or is removed;
- shapes that only a struct decoder could misread (a nil marker set to null, a ``#text``
  key beside the fields, two root keys).
"""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Any

import orjson
import pandas as pd
import pytest
from test_amo_fast import (
    ACTEUR,
    GROUP_MANDAT,
    MANDAT,
    NIL,
    ODD_VALUES,
    ORGANE,
    leaf_paths,
    replaced,
)

from bureau_data import archive
from bureau_data.assemblee import _amo_parse
from bureau_data.errors import SchemaError

ARCHIVES = {
    "l15": "assemblee/amo/l15/AMO10_deputes_actifs_mandats_actifs_organes_XV.json.zip",
    "l16": "assemblee/amo/l16/AMO20_dep_sen_min_tous_mandats_et_organes.json.zip",
    "l17": "assemblee/amo/l17/AMO10_XVII_deputes_actifs_2025-11-18.repack.json.zip",
    "l17-divise": "assemblee/amo/l17/AMO50_XVII_divise_2024-07.repack.json.zip",
}


def rows_outcome(members: list[tuple[str, bytes]], typed: bool) -> tuple[Any, ...]:
    """Return the error, or the typed rows and counters, of reading ``members``."""
    parser = _amo_parse.AmoParser()
    try:
        for name, raw in members:
            where = _amo_parse._Where(name)
            if typed and parser.add_typed_document(raw, where):
                continue
            parser.add_document(orjson.loads(raw), where)
    except SchemaError as exc:
        return ("SchemaError", str(exc), exc.field, exc.found)
    # Types are compared too, because True == 1 and a bool must not appear where an int is expected.
    rows = [[tuple((type(value), value) for value in row) for row in table]
            for table in (parser.acteurs, parser.mandats, parser.organes)]
    counters = (parser.duplicate_mandats, parser.unknown_civilites, parser.invalid_departements)
    return ("rows", rows, counters)


def assert_same_rows(documents: list[tuple[str, Any]], what: str) -> None:
    members = [(name, orjson.dumps(document)) for name, document in documents]
    typed = rows_outcome(members, typed=True)
    plain = rows_outcome(members, typed=False)
    assert typed[0] == plain[0], f"{what}: {typed[0]} with the typed reader, {plain[0]} without"
    assert typed == plain, what


def parse_zip(path: Path, typed: bool) -> tuple[dict[str, pd.DataFrame], list[str]]:
    def documents() -> Any:
        for name, raw in archive.iter_members(path, "*.json"):
            yield f"{path.name}:{name}", raw

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        tables = _amo_parse.parse_documents(documents, path.name, typed=typed)
    return tables, [str(warning.message) for warning in caught]


@pytest.mark.parametrize("key", list(ARCHIVES))
def test_real_archive_same_tables(key: str, shared_data: Path) -> None:
    path = shared_data / ARCHIVES[key]

    typed_tables, typed_warnings = parse_zip(path, typed=True)
    plain_tables, plain_warnings = parse_zip(path, typed=False)

    assert typed_warnings == plain_warnings
    assert list(typed_tables) == list(plain_tables)
    for name, table in plain_tables.items():
        pd.testing.assert_frame_equal(typed_tables[name], table, check_exact=True, obj=f"{key} {name}")


def test_real_members_take_typed_path(shared_data: Path) -> None:
    path = shared_data / ARCHIVES["l16"]
    parser = _amo_parse.AmoParser()
    accepted: dict[str, int] = {}

    for name, raw in archive.iter_members(path, "*.json"):
        kind = name.split("/")[1]
        accepted[kind] = accepted.get(kind, 0) + parser.add_typed_document(raw, _amo_parse._Where(name))

    assert accepted == {"acteur": 1075, "organe": 798}
    assert (len(parser.acteurs), len(parser.mandats), len(parser.organes)) == (1075, 28883, 798)


@pytest.mark.parametrize("root", ["acteur", "mandat", "organe"])
def test_odd_field_values_same_rows(root: str) -> None:
    record = {"acteur": ACTEUR, "mandat": MANDAT, "organe": ORGANE}[root]
    for path in leaf_paths(record):
        for value in ODD_VALUES:
            document = {root: replaced(record, path, value)}
            assert_same_rows([("f.json", document)], f"{root} {path} = {value!r}")


def test_missing_fields_same_rows() -> None:
    for root, record in (("acteur", ACTEUR), ("mandat", MANDAT), ("mandat", GROUP_MANDAT)):
        for path in leaf_paths(record):
            document = replaced({root: record}, (root, *path), None)
            parent = document[root]
            for key in path[:-1]:
                parent = parent[key]
            del parent[path[-1]]
            assert_same_rows([("f.json", document)], f"{root} {path} removed")


SHAPES: dict[str, Any] = {
    "nil marker set to null": {"mandat": {**MANDAT, "@xsi:nil": None}},
    "nil marker set to false": {"mandat": {**MANDAT, "@xsi:nil": "false"}},
    "text key beside the fields": {"mandat": {**MANDAT, "#text": "PM900001"}},
    "acteur with text key": {"acteur": {**ACTEUR, "#text": "PA900001"}},
    "acteur made of attributes": {"acteur": {"@xmlns": "x"}},
    "nil acteur": {"acteur": NIL},
    "null root": {"acteur": None},
    "root as one-item list": {"mandat": [MANDAT]},
    "two roots": {"acteur": ACTEUR, "organe": ORGANE},
    "extra root key": {"@xmlns": "x", "organe": ORGANE},
    "other kind": {"deport": {"uid": "DPTR1"}},
    "empty document": {},
    "nil document": NIL,
    "mandates as one-item list": {"acteur": {**ACTEUR, "mandats": [{"mandat": MANDAT}]}},
    "lone mandate": {"acteur": {**ACTEUR, "mandats": {"mandat": MANDAT}}},
    "nil mandate in list": {"acteur": {**ACTEUR, "mandats": {"mandat": [MANDAT, NIL]}}},
    "null mandate in list": {"acteur": {**ACTEUR, "mandats": {"mandat": [MANDAT, None]}}},
    "empty mandate list": {"acteur": {**ACTEUR, "mandats": {"mandat": []}}},
    "nil mandates": {"acteur": {**ACTEUR, "mandats": NIL}},
    "mandate of attributes": {"acteur": {**ACTEUR, "mandats": {"mandat": {"@xsi:type": "x"}}}},
    "substitute list": {"mandat": replaced(MANDAT, ("suppleants", "suppleant"), [{"suppleantRef": "PA1"}] * 2)},
    "substitute without ref": {"mandat": replaced(MANDAT, ("suppleants", "suppleant"), {"dateDebut": "2022-06-19"})},
    "substitute ref null": {"mandat": replaced(MANDAT, ("suppleants", "suppleant"), {"suppleantRef": None})},
    "empty election": {"mandat": replaced(MANDAT, ("election",), {})},
    "organe refs padded": {"mandat": replaced(MANDAT, ("organes", "organeRef"), [" PO1 ", "PO2"])},
}


@pytest.mark.parametrize("shape", list(SHAPES))
def test_unusual_shapes_same_rows(shape: str) -> None:
    assert_same_rows([("f.json", SHAPES[shape])], shape)


def test_member_falls_back_whole() -> None:
    broken = replaced(GROUP_MANDAT, ("dateDebut",), "2022-13-45")
    documents = [("a.json", {"acteur": {**ACTEUR, "mandats": {"mandat": [MANDAT, broken]}}})]

    members = [(name, orjson.dumps(document)) for name, document in documents]
    parser = _amo_parse.AmoParser()
    accepted = parser.add_typed_document(members[0][1], _amo_parse._Where("a.json"))

    assert not accepted
    assert (parser.acteurs, parser.mandats, parser._mandat_uids) == ([], [], set())
    assert_same_rows(documents, "one broken mandate")
    assert rows_outcome(members, typed=True)[0] == "SchemaError"


def test_duplicate_mandates_same_rows() -> None:
    documents = [
        ("a.json", {"acteur": ACTEUR}),
        ("m1.json", {"mandat": MANDAT}),
        ("m2.json", {"mandat": replaced(MANDAT, ("legislature",), "seize")}),
    ]
    assert_same_rows(documents, "duplicates")
    outcome = rows_outcome([(name, orjson.dumps(doc)) for name, doc in documents], typed=True)
    assert outcome[2][0] == 2  # the acteur already embeds MANDAT, so both files repeat it


@pytest.mark.parametrize("root", ["acteur", "mandat", "organe"])
def test_plain_records_take_typed_path(root: str) -> None:
    """The hand-made records are plain, so the tests above compare the two readers."""
    record = {"acteur": ACTEUR, "mandat": MANDAT, "organe": ORGANE}[root]
    parser = _amo_parse.AmoParser()

    accepted = parser.add_typed_document(orjson.dumps({root: record}), _amo_parse._Where("f.json"))

    assert accepted
    assert len(parser.mandats) == {"acteur": 2, "mandat": 1, "organe": 0}[root]


def test_organe_numbers_read_by_orjson() -> None:
    big = b'{"organe": {"uid": "PO1", "codeType": "GP", "libelle": "G", "legislature": 123456789012345678901234567890}}'
    members = [("o.json", big)]

    assert rows_outcome(members, typed=True) == rows_outcome(members, typed=False)


@pytest.mark.parametrize("member", [
    orjson.dumps({"mandat": MANDAT}).replace(b'"uid"', b'"x": "\xff", "uid"', 1),
    orjson.dumps({"mandat": MANDAT}).replace(b'"uid"', b'"x": ' + b"[" * 1100 + b"]" * 1100 + b', "uid"', 1),
    b'{"organe": {"uid": "PO1", "codeType": "GP", "libelle": "G", "x": 1e999}}',
])
def test_invalid_member_same_error(member: bytes) -> None:
    messages = []
    for typed in (True, False):
        with pytest.raises(SchemaError, match="m.json : JSON invalide") as info:
            _amo_parse.parse_documents(lambda: iter([("m.json", member)]), "essai.zip", typed=typed)
        messages.append(str(info.value))
    assert messages[0] == messages[1]
