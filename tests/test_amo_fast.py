"""The fast AMO readers give exactly the rows, warnings and errors of the generic ones.

``_amo_fast`` reads records whose fields have their usual shape and hands any other
record to the generic reader of ``_amo_parse``. These tests parse the same documents
twice, once as shipped and once with the fast readers switched off, and compare the
outcomes: real documents of every AMO layout, then hand-made records where each field
in turn takes an unusual value (blank text, a nil or ``#text`` object, a list, a number,
an invalid date...).
"""

from __future__ import annotations

import copy
import warnings
from collections.abc import Iterator
from typing import Any

import orjson
import pandas as pd
import pytest
from _mutations import file_documents, zip_documents

from bureau_data.assemblee import _amo_fast, _amo_parse
from bureau_data.errors import SchemaError

NIL = {"@xmlns:xsi": "http://www.w3.org/2001/XMLSchema-instance", "@xsi:nil": "true"}

# Values put in place of one field. Each is read the same way by both readers, or
# makes the fast reader hand the record to the generic one.
ODD_VALUES: tuple[Any, ...] = (
    "", " ", "  padded  ", " 12 ", "1_000", "1.5", "TRUE", "oui", "2020-02-30", "2021-03-04T10:00:00",
    "2021-3-4", None, NIL, {"@xsi:nil": "false"}, {"#text": "wrapped"}, {"#text": None},
    {"@xsi:type": "only_attributes"}, {"cle": "valeur"}, [], ["x"], ["x", "y"], [None, "y"],
    17, 2.5, True,
)

MANDAT = {
    "@xsi:type": "MandatParlementaire_type", "uid": "PM900001", "acteurRef": "PA900001",
    "legislature": "16", "typeOrgane": "ASSEMBLEE", "dateDebut": "2022-06-19",
    "datePublication": "2022-06-20", "dateFin": None, "preseance": "50", "nominPrincipale": "1",
    "infosQualite": {"codeQualite": "membre", "libQualite": "membre", "libQualiteSex": "membre"},
    "organes": {"organeRef": "PO900001"},
    "suppleants": {"suppleant": {"dateDebut": "2022-06-19", "suppleantRef": "PA909999"}},
    "election": {"lieu": {"region": "Corse", "regionType": "Métropolitain", "departement": "Corse-du-Sud",
                          "numDepartement": "2a", "numCirco": "1"},
                 "causeMandat": "élections générales", "refCirconscription": "PO900099"},
    "mandature": {"datePriseFonction": "2022-06-22", "causeFin": None, "premiereElection": "1",
                  "placeHemicycle": "007", "mandatRemplaceRef": None},
}
GROUP_MANDAT = {
    "uid": "PM900002", "acteurRef": "PA900001", "legislature": "16", "typeOrgane": "GP",
    "dateDebut": "2022-06-28", "dateFin": "2024-06-09", "datePublication": None, "preseance": "20",
    "nominPrincipale": "0", "infosQualite": {"codeQualite": "Membre", "libQualiteSex": "Membre"},
    "organes": {"organeRef": ["PO900010", " PO900011 "]},
}
ACTEUR = {
    "@xmlns": "http://schemas.assemblee-nationale.fr/referentiel",
    "uid": {"@xsi:type": "IdActeur_type", "#text": "PA900001"},
    "etatCivil": {
        "ident": {"civ": "Mme", "prenom": "Camille", "nom": "Exemple", "alpha": "Exemple", "trigramme": NIL},
        "infoNaissance": {"dateNais": "1980-01-31", "villeNais": "Ajaccio", "depNais": NIL, "paysNais": "France"},
        "dateDeces": NIL,
    },
    "profession": {"libelleCourant": "Juriste", "socProcINSEE": {"catSocPro": "Cadres", "famSocPro": NIL}},
    "uri_hatvp": {"#text": "https://www.hatvp.fr/exemple"},
    "mandats": {"mandat": [MANDAT, GROUP_MANDAT]},
}
ORGANE = {
    "uid": "PO900010", "codeType": "GP", "libelle": "Groupe exemple", "libelleEdition": "du groupe exemple",
    "libelleAbrege": "Exemple", "libelleAbrev": "EX",
    "viMoDe": {"dateDebut": "2022-06-28", "dateAgrement": None, "dateFin": None},
    "legislature": "16", "organeParent": None, "regime": "5ème République", "couleurAssociee": "#123456",
    "positionPolitique": "Opposition", "preseance": "12",
}


def _not_plain(*_args: Any) -> Any:
    raise _amo_fast.NotPlain


def outcome(documents: list[tuple[str, Any]], *, tables: bool = False) -> tuple[Any, ...]:
    """Return what reading ``documents`` gives: the error, or the rows and counters.

    With ``tables``, the DataFrames and warnings of ``parse_documents`` replace the
    rows and counters.
    """
    if tables:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            try:
                frames = _amo_parse.parse_documents(
                    lambda: ((name, orjson.dumps(document)) for name, document in documents), "AMO"
                )
            except SchemaError as exc:
                return ("SchemaError", str(exc), exc.field, exc.found)
        return ("tables", frames, [str(warning.message) for warning in caught])
    parser = _amo_parse.AmoParser()
    try:
        for name, document in documents:
            parser.add_document(document, _amo_parse._Where(name))
    except SchemaError as exc:
        return ("SchemaError", str(exc), exc.field, exc.found)
    # Types are compared too, because True == 1 and a bool must not appear where an int is expected.
    rows = [[tuple((type(value), value) for value in row) for row in table]
            for table in (parser.acteurs, parser.mandats, parser.organes)]
    counters = (parser.duplicate_mandats, parser.unknown_civilites, parser.invalid_departements)
    return ("rows", rows, counters)


def assert_same_outcome(documents: list[tuple[str, Any]], monkeypatch: pytest.MonkeyPatch, what: str,
                        *, tables: bool = False) -> None:
    fast = outcome(documents, tables=tables)
    with monkeypatch.context() as patch:
        for reader in ("acteur_row", "mandat_row", "organe_row"):
            patch.setattr(_amo_fast, reader, _not_plain)
        generic = outcome(documents, tables=tables)
    assert fast[0] == generic[0], f"{what}: {fast[0]} with the fast readers, {generic[0]} without"
    if fast[0] != "tables":
        assert fast == generic, what
        return
    assert fast[2] == generic[2], f"{what}: warnings differ"
    for name, table in generic[1].items():
        pd.testing.assert_frame_equal(fast[1][name], table, check_exact=True, obj=f"{what}: {name}")


def leaf_paths(value: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    """Yield the path of every value inside ``value`` (keys and list positions)."""
    if path:
        yield path
    if isinstance(value, dict):
        for key, item in value.items():
            yield from leaf_paths(item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from leaf_paths(item, (*path, index))


def replaced(document: Any, path: tuple[Any, ...], value: Any) -> Any:
    document = copy.deepcopy(document)
    parent = document
    for key in path[:-1]:
        parent = parent[key]
    parent[path[-1]] = copy.deepcopy(value)
    return document


def test_real_documents_same_tables(monkeypatch: pytest.MonkeyPatch) -> None:
    documents = [
        *file_documents("samples/amo/l17_AMO10_format"),
        *file_documents("samples/amo/l17_AMO50_format"),
        *file_documents("samples/amo/l16_AMO20"),
        *file_documents("samples/amo/l15_AMO10_2019"),
        *zip_documents("amo/l16/AMO20_dep_sen_min_tous_mandats_et_organes.json.zip", step=150, limit=12),
        *zip_documents("amo/l17/AMO50_XVII_divise_2024-07.repack.json.zip", step=300, limit=10),
    ]
    assert_same_outcome(documents, monkeypatch, "real documents", tables=True)


@pytest.mark.parametrize("root", ["acteur", "mandat", "organe"])
def test_odd_field_values_same_outcome(root: str, monkeypatch: pytest.MonkeyPatch) -> None:
    record = {"acteur": ACTEUR, "mandat": MANDAT, "organe": ORGANE}[root]
    for path in leaf_paths(record):
        for value in ODD_VALUES:
            document = {root: replaced(record, path, value)}
            assert_same_outcome([("f.json", document)], monkeypatch, f"{root} {path} = {value!r}")


def test_duplicate_mandates_same_outcome(monkeypatch: pytest.MonkeyPatch) -> None:
    broken = replaced(MANDAT, ("legislature",), "seize")
    documents = [
        ("a.json", {"acteur": ACTEUR}),
        ("m1.json", {"mandat": MANDAT}),
        ("m2.json", {"mandat": broken}),  # a duplicate uid is skipped before its fields are read
    ]
    assert_same_outcome(documents, monkeypatch, "duplicates", tables=True)
    tables = outcome(documents, tables=True)[1]
    assert len(tables["mandats"]) == 2


def test_fast_reader_rejects_unusual_shapes() -> None:
    caches = _amo_fast.ValueCaches()
    row, valid = _amo_fast.mandat_row(MANDAT, caches, "f.json")
    assert row[:6] == ("PM900001", "PA900001", 16, "ASSEMBLEE", "PO900001", "PO900001")
    assert row[21] == "2A"
    assert valid
    for path, value in ((("legislature",), "seize"), (("election",), NIL), (("organes", "organeRef"), [])):
        with pytest.raises(_amo_fast.NotPlain):
            _amo_fast.mandat_row(replaced(MANDAT, path, value), caches, "f.json")
