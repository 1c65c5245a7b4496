"""Schema drift: every Assemblée loader returns a correct table or raises SchemaError.

Hypothesis mutates one real record at a time (see ``tests/_mutations.py``) and runs the
loader's in-memory entry point on a few real documents. The property checked on each
run:

- the loader returns its tables with the declared columns and dtypes and no ``dict`` or
  ``list`` in a scalar column. The rows of the unmutated documents are unchanged, and a
  per-record table keeps one row per record unless a ``DataWarning`` reports the change.
  A mutation that keeps the content (a lone object turned into a one-item list, an
  unknown field added) gives exactly the unmutated tables. A mutation that removes a
  value never fills a cell that was empty;
- or it raises ``SchemaError`` naming the document, a field on the mutated path and
  what was found there, never ``KeyError``, ``TypeError``, ``AttributeError`` or a bare
  ``ValueError`` from inside the parser.

The examples are derandomised, so a run in CI draws the same mutations as a run here.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cache
from typing import Any

import numpy as np
import orjson
import pandas as pd
import pytest
from _mutations import (
    NEUTRAL_OPERATIONS,
    REMOVING_OPERATIONS,
    Document,
    Mutation,
    file_documents,
    mutations,
    zip_documents,
)
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bureau_data.assemblee import _amo_parse, amendements, dossiers, questions, scrutins
from bureau_data.errors import DataWarning, SchemaError

DRIFT_SETTINGS = settings(
    max_examples=60,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture,
                           HealthCheck.data_too_large],
)

Tables = dict[str, pd.DataFrame]


@dataclass(frozen=True)
class Owner:
    """How to find the rows of a table that come from one document.

    ``column`` contains the document name itself when ``via`` is None. Otherwise it
    contains a key, and ``via = (table, key column, name column)`` gives the keys of each document
    from the unmutated tables.
    """

    column: str
    via: tuple[str, str, str] | None = None


@dataclass
class LoaderCase:
    """A loader, the real documents it is fed and what its tables must look like."""

    name: str
    documents: Callable[[], list[Document]]
    run: Callable[[list[Document]], Tables]
    columns: dict[str, Mapping[str, Any]]
    owners: dict[str, Owner]
    # Tables with one row per record: a changed row count must be reported by a warning.
    per_record: tuple[str, ...]
    # Columns of lists of identifiers (every other column contains scalars).
    list_columns: frozenset[str] = frozenset()
    # Columns allowed to change when a field is added: they name the unknown fields.
    names_unknown_fields: frozenset[str] = frozenset()
    # Columns numbering rows across the whole table, so they shift when a record
    # elsewhere gains or loses rows.
    positional_columns: frozenset[str] = frozenset()
    baseline: Tables = field(default_factory=dict)


# -- loaders and their real documents ------------------------------------------------


@cache
def amendement_documents() -> list[Document]:
    return [
        *file_documents("samples/amendements/l17"),
        *zip_documents("amendements/l17/Amendements_XVII_3dossiers.repack.json.zip", step=320, limit=6),
    ]


@cache
def question_documents() -> list[Document]:
    ecrites = file_documents("reference_reserialized/hackathon_l17/questions_ecrites")
    return [
        *file_documents("samples/questions/l15_QG"),
        *zip_documents("questions/l15/Questions_gouvernement_XV_reponses2019.repack.json.zip",
                       step=250, limit=4),
        *ecrites[::4],
    ]


@cache
def question_ecrite_documents() -> list[Document]:
    records = file_documents("reference_reserialized/hackathon_l17/questions_ecrites")[::2]
    # ``questions_ecrites_from_records`` names parsed records by their position.
    return [(f"enregistrement {index}", document) for index, (_, document) in enumerate(records)]


@cache
def dossier_documents() -> list[Document]:
    envelopes = file_documents("reference_reserialized/hackathon_l17/sample_envelopes", "*dossierParlementaire*")
    return [*file_documents("reference_reserialized/zam_dossiers_l15"), *envelopes]


@cache
def amo_documents() -> list[Document]:
    return [
        *file_documents("samples/amo/l17_AMO10_format"),
        *file_documents("samples/amo/l17_AMO50_format"),
        *file_documents("samples/amo/l16_AMO20"),
        *file_documents("samples/amo/l15_AMO10_2019"),
        *zip_documents("amo/l17/AMO10_XVII_deputes_actifs_2025-11-18.repack.json.zip",
                       ["json/organe/PO845401.json", "json/acteur/PA841729.json"]),
    ]


@cache
def scrutin_documents() -> list[Document]:
    return [
        *file_documents("samples/scrutins"),
        *zip_documents("scrutins/l15/Scrutins_XV_2019.repack.json.zip", start=1, step=400, limit=1),
    ]


def run_amendements(documents: list[Document]) -> Tables:
    return {"amendements": amendements.amendements_from_documents(documents)}


def run_questions(documents: list[Document]) -> Tables:
    return {"questions": questions.questions_from_documents(documents)}


def run_questions_ecrites(documents: list[Document]) -> Tables:
    return {"questions": questions.questions_ecrites_from_records([document for _, document in documents])}


def run_dossiers(documents: list[Document]) -> Tables:
    return dossiers.dossiers_from_documents(documents)


def run_amo(documents: list[Document]) -> Tables:
    return _amo_parse.parse_documents(
        lambda: ((name, orjson.dumps(document)) for name, document in documents), "AMO"
    )


def run_scrutins(documents: list[Document]) -> Tables:
    return scrutins.read_documents(documents)


SCRUTIN_OWNER = Owner("scrutin_uid", ("scrutins", "uid", "fichier"))

CASES = {
    case.name: case
    for case in (
        LoaderCase(
            "amendements", amendement_documents, run_amendements,
            {"amendements": amendements.COLUMNS}, {"amendements": Owner("source")},
            per_record=("amendements",), list_columns=frozenset({"cosignataires"}),
            names_unknown_fields=frozenset({"corps_autres_champs"}),
        ),
        LoaderCase(
            "questions", question_documents, run_questions,
            {"questions": questions.COLUMNS}, {"questions": Owner("source")},
            per_record=("questions",),
        ),
        LoaderCase(
            "questions_ecrites", question_ecrite_documents, run_questions_ecrites,
            {"questions": questions.COLUMNS}, {"questions": Owner("source")},
            per_record=("questions",),
        ),
        LoaderCase(
            "dossiers", dossier_documents, run_dossiers,
            {"dossiers": dossiers.DOSSIER_COLUMNS, "actes": dossiers.ACTE_COLUMNS},
            {"dossiers": Owner("source"), "actes": Owner("dossier_uid", ("dossiers", "uid", "source"))},
            per_record=("dossiers",),
            list_columns=frozenset({"initiateurs", "initiateur_organes", "vote_refs"}),
            positional_columns=frozenset({"ordre"}),
        ),
        LoaderCase(
            "amo", amo_documents, run_amo,
            {"acteurs": _amo_parse.ACTEUR_COLUMNS, "mandats": _amo_parse.MANDAT_COLUMNS,
             "organes": _amo_parse.ORGANE_COLUMNS},
            {"acteurs": Owner("fichier"), "mandats": Owner("fichier"), "organes": Owner("fichier")},
            per_record=("acteurs", "organes"),
        ),
        LoaderCase(
            "scrutins", scrutin_documents, run_scrutins,
            {"scrutins": scrutins.SCRUTINS_COLUMNS, "positions": scrutins.POSITIONS_COLUMNS,
             "decomptes_groupes": scrutins.DECOMPTES_GROUPES_COLUMNS,
             "mises_au_point": scrutins.MISES_AU_POINT_COLUMNS},
            {"scrutins": Owner("fichier"), "positions": SCRUTIN_OWNER,
             "decomptes_groupes": SCRUTIN_OWNER, "mises_au_point": SCRUTIN_OWNER},
            per_record=("scrutins",),
        ),
    )
}


# -- running and checking -------------------------------------------------------------


def run_quietly(case: LoaderCase, documents: list[Document]) -> tuple[Tables, list[warnings.WarningMessage]]:
    """Run the loader, returning its tables (index as columns) and the warnings emitted."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        tables = case.run(documents)
    flat = {}
    for name, df in tables.items():
        # pandas deep-copies ``attrs`` on every column access, and the scrutins tables
        # carry large check reports there.
        df = df.copy()
        df.attrs = {}
        flat[name] = df.reset_index() if df.index.name is not None else df.reset_index(drop=True)
    return flat, caught


def baseline(case: LoaderCase) -> Tables:
    if not case.baseline:
        case.baseline, _ = run_quietly(case, case.documents())
    return case.baseline


def records(df: pd.DataFrame, drop: frozenset[str] = frozenset()) -> list[tuple[Any, ...]]:
    """Return the rows of ``df`` as tuples: NA as None, categories as values, lists as tuples."""
    columns = []
    for column in df.columns:
        if column in drop:
            continue
        values = df[column].astype("object").tolist()
        columns.append([
            tuple(value) if isinstance(value, list)
            else None if not isinstance(value, tuple) and pd.isna(value) else value
            for value in values
        ])
    return list(zip(*columns, strict=True)) if columns else [()] * len(df)


def assert_same_rows(actual: pd.DataFrame, expected: pd.DataFrame, drop: frozenset[str], what: str) -> None:
    """Assert that two tables hold the same rows in the same order, naming the first difference."""
    left, right = records(actual, drop), records(expected, drop)
    assert len(left) == len(right), f"{what}: {len(left)} row(s) instead of {len(right)}"
    names = [column for column in actual.columns if column not in drop]
    for number, (got, wanted) in enumerate(zip(left, right, strict=True)):
        changed = {name: (b, a) for name, a, b in zip(names, got, wanted, strict=True) if a != b}
        assert not changed, f"{what}: row {number} changed (before, after): {changed}"


def rows_of(case: LoaderCase, table: str, df: pd.DataFrame, names: set[str]) -> pd.Series:
    """Return the mask of the rows of ``df`` that come from the documents ``names``."""
    owner = case.owners[table]
    keys: set[Any] = set(names)
    if owner.via is not None:
        source, key_column, name_column = owner.via
        reference = baseline(case)[source]
        keys = set(reference.loc[reference[name_column].isin(names), key_column].astype("object"))
    return df[owner.column].astype("object").isin(keys)


def check_schema(case: LoaderCase, tables: Tables, mutation: Mutation) -> None:
    assert set(tables) == set(case.columns), f"{mutation!r}: tables {sorted(tables)}"
    for table, declared in case.columns.items():
        df = tables[table]
        assert list(df.columns) == list(declared), f"{mutation!r}: columns of {table}"
        for column, dtype in declared.items():
            expected = pd.api.types.pandas_dtype(dtype)
            actual = df[column].dtype
            if isinstance(expected, pd.CategoricalDtype):
                assert isinstance(actual, pd.CategoricalDtype), f"{mutation!r}: {table}.{column} is {actual}"
            else:
                assert actual == expected, f"{mutation!r}: {table}.{column} is {actual}, not {expected}"
            if actual == np.dtype(object):
                for value in df[column]:
                    if column in case.list_columns:
                        assert isinstance(value, list), f"{mutation!r}: {table}.{column} holds {value!r}"
                        assert all(isinstance(item, str) for item in value), \
                            f"{mutation!r}: {table}.{column} holds {value!r}"
                    else:
                        assert not isinstance(value, dict | list), \
                            f"{mutation!r}: {table}.{column} holds {value!r}"


def check_tables(case: LoaderCase, tables: Tables, caught: list[warnings.WarningMessage],
                 mutation: Mutation) -> None:
    check_schema(case, tables, mutation)
    expected = baseline(case)
    others = {name for name, _ in case.documents()} - {mutation.name}
    reported = any(issubclass(w.category, DataWarning) for w in caught)

    for table in case.columns:
        drop = case.positional_columns
        if mutation.operation in NEUTRAL_OPERATIONS and mutation.path:
            if mutation.operation == "champ_inconnu":
                drop = drop | case.names_unknown_fields
            assert_same_rows(tables[table], expected[table], drop, f"{table} after {mutation!r}")
            continue
        kept = tables[table][rows_of(case, table, tables[table], others)]
        before = expected[table][rows_of(case, table, expected[table], others)]
        assert_same_rows(kept, before, drop, f"{table}, rows of the other documents, after {mutation!r}")

    for table in case.per_record:
        mine = tables[table][rows_of(case, table, tables[table], {mutation.name})]
        before = expected[table][rows_of(case, table, expected[table], {mutation.name})]
        if len(mine) != len(before):
            assert reported, f"{mutation!r}: {table} has {len(mine)} row(s), not {len(before)}, and no warning"
            continue
        if mutation.operation in REMOVING_OPERATIONS:
            check_nothing_filled(case, table, mine, before, mutation)


def check_nothing_filled(case: LoaderCase, table: str, mine: pd.DataFrame, before: pd.DataFrame,
                         mutation: Mutation) -> None:
    """Check that removing a value left empty every cell that was empty."""
    for column in mine.columns:
        if column in case.list_columns:
            continue
        was_empty = before[column].isna().to_numpy()
        now = mine[column].to_numpy(dtype="object")
        filled = [value for value, empty in zip(now, was_empty, strict=True) if empty and not pd.isna(value)]
        assert not filled, f"{mutation!r}: {table}.{column} was empty and now holds {filled}"


def check_error(exc: SchemaError, mutation: Mutation) -> None:
    message = str(exc)
    assert mutation.name in message, f"{mutation!r}: the message does not name the document: {message}"
    assert exc.field, f"{mutation!r}: SchemaError without field: {message}"
    assert exc.found, f"{mutation!r}: SchemaError without what was found: {message}"
    field_keys = {key for key in re.split(r"[.\[\]() ]", exc.field) if key and not key.isdigit()}
    assert any(key in message for key in field_keys), \
        f"{mutation!r}: the message does not name the field {exc.field}: {message}"
    # An error on the record as a whole (its root was changed) may name any field.
    if len(mutation.keys) > 1:
        assert field_keys & mutation.keys, \
            f"{mutation!r}: the error names {exc.field}, off the mutated path: {message}"


def check_mutation(case: LoaderCase, mutation: Mutation) -> None:
    documents = list(case.documents())
    name, document = documents[mutation.index]
    documents[mutation.index] = (name, mutation.apply(document))
    try:
        tables, caught = run_quietly(case, documents)
    except SchemaError as exc:
        # Unknown fields must be accepted, wherever they appear.
        assert mutation.operation != "champ_inconnu", f"{mutation!r}: unknown field rejected: {exc}"
        check_error(exc, mutation)
        return
    except Exception as exc:  # noqa: BLE001 - any other exception is the failure under test
        raise AssertionError(f"{mutation!r}: {type(exc).__name__} instead of SchemaError: {exc}") from exc
    check_tables(case, tables, caught, mutation)


# -- the properties -------------------------------------------------------------------


@pytest.mark.parametrize("name", list(CASES))
def test_baseline_documents_load(name: str) -> None:
    case = CASES[name]
    tables = baseline(case)
    for table in case.per_record:
        assert len(tables[table]) > 0, f"{name}: no row in {table}"
    check_schema(case, tables, Mutation(-1, "(aucune)", (), "aucune"))


def _property(name: str) -> Callable[[], None]:
    case = CASES[name]

    @DRIFT_SETTINGS
    @given(data=st.data())
    def test(data: st.DataObject) -> None:
        # Drawn inside the test, so that the data folder is read at run time only.
        mutation = data.draw(mutations(case.documents()), label="mutation")
        check_mutation(case, mutation)

    return test


test_amendements_drift = _property("amendements")
test_questions_drift = _property("questions")
test_questions_ecrites_drift = _property("questions_ecrites")
test_dossiers_drift = _property("dossiers")
test_amo_drift = _property("amo")
test_scrutins_drift = _property("scrutins")


# -- the faults the properties found, on small invented records ------------------------

NIL = {"@xmlns:xsi": "http://www.w3.org/2001/XMLSchema-instance", "@xsi:nil": "true"}
UNKNOWN = "champInconnuAjoute"
AMENDEMENT_UID = "AMANR5L17PO900020B0001P0D1N000001"


def amendement(**fields: Any) -> dict[str, Any]:
    record = {
        "uid": AMENDEMENT_UID, "legislature": "17", "chronotag": "1700000000000",
        "identification": {"numeroLong": "1", "numeroOrdreDepot": "1", "prefixeOrganeExamen": "AN"},
        "texteLegislatifRef": "PRJLANR5L17B0001",
        "signataires": {"auteur": {"typeAuteur": "Député", "acteurRef": "PA900001",
                                   "groupePolitiqueRef": "PO900010"}},
        "cycleDeVie": {"dateDepot": "2025-01-02", "sort": "Adopté"},
    }
    record.update(fields)
    return {"amendement": record}


def test_json_helpers_walk_one_item_lists() -> None:
    from bureau_data import _json

    record = {"a": [{"b": [{"#text": "PA900001"}]}]}
    assert _json.get(record, "a.b") == "PA900001"
    assert _json.require(record, "a.b", file="f.json") == "PA900001"
    assert _json.scalar([NIL]) is None
    assert _json.as_list(_json.scalar([{"x": 1}, {"x": 2}])) == [{"x": 1}, {"x": 2}]


@pytest.mark.parametrize(("convert", "value"), [("to_int", "inconnu"), ("to_int", 2.5), ("to_bool", "17")])
def test_json_conversion_errors_name_file_and_field(convert: str, value: Any) -> None:
    from bureau_data import _json

    with pytest.raises(SchemaError, match=r"f\.json : le champ a\.b contient") as caught:
        getattr(_json, convert)(value, file="f.json", field="a.b")
    assert caught.value.field == "a.b"
    assert caught.value.found == repr(value)


def test_amendement_signataires_as_one_item_list() -> None:
    plain = amendements.amendements_from_documents([("a.json", amendement())])
    wrapped_record = amendement()
    wrapped_record["amendement"]["signataires"] = [wrapped_record["amendement"]["signataires"]]
    wrapped = amendements.amendements_from_documents([("a.json", wrapped_record)])
    assert wrapped.loc[AMENDEMENT_UID, "auteur_ref"] == "PA900001"
    assert wrapped.loc[AMENDEMENT_UID, "type_auteur"] == "Député"
    pd.testing.assert_frame_equal(wrapped, plain)


def test_amendement_non_numeric_chronotag_raises() -> None:
    with pytest.raises(SchemaError, match=r"a\.json : le champ chronotag contient 'inconnu' au lieu d'un nombre"):
        amendements.amendements_from_documents([("a.json", amendement(chronotag="inconnu"))])


def test_amendement_nil_root_raises() -> None:
    with pytest.raises(SchemaError, match=r"a\.json : l'objet racine « amendement » est vide"):
        amendements.amendements_from_documents([("a.json", {"amendement": NIL})])


def test_amendement_empty_root_names_empty_object() -> None:
    with pytest.raises(SchemaError, match="trouvé : objet vide") as caught:
        amendements.amendements_from_documents([("a.json", {})])
    assert caught.value.found == "objet vide"


def test_question_root_and_attribution_as_one_item_lists() -> None:
    question = {
        "uid": "QANR5L17QE900001", "type": "QE",
        "identifiant": [{"numero": "900001", "legislature": "17"}],
        "minAttribs": [{"minAttrib": {"denomination": {"abrege": "Santé"}}}],
        "signalement": [NIL],
    }
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataWarning)
        df = questions.questions_from_documents([("q.json", {"question": [question]})])
    row = df.loc["QANR5L17QE900001"]
    assert row["numero"] == 900001
    assert row["n_attributions"] == 1
    assert row["ministere_attributaire_brut"] == "Santé"
    assert not row["signalee"]


def test_dossier_root_as_one_item_list() -> None:
    record = {"uid": "DLR5L17N900001", "legislature": "17",
              "actesLegislatifs": [{"acteLegislatif": {"uid": "L17-AN1", "codeActe": "AN1"}}]}
    tables = dossiers.dossiers_from_documents([("d.json", {"dossierParlementaire": [record]})])
    assert list(tables["dossiers"].index) == ["DLR5L17N900001"]
    assert list(tables["actes"]["code_acte"]) == ["AN1"]


def test_dossier_nil_root_raises() -> None:
    with pytest.raises(SchemaError, match=r"d\.json : l'objet racine « dossierParlementaire » est de type null"):
        dossiers.dossiers_from_documents([("d.json", {"dossierParlementaire": NIL})])


def scrutin(nominatif: Any, decompte_voix: Any = None) -> dict[str, Any]:
    groupe = {"organeRef": "PO900010", "nombreMembresGroupe": "2",
              "vote": {"positionMajoritaire": "pour",
                       "decompteVoix": decompte_voix or {"pour": "2", "contre": "0", "abstentions": "0",
                                                         "nonVotants": "0"},
                       "decompteNominatif": nominatif}}
    return {"scrutin": {"uid": "VTANR5L17V900001", "numero": "900001", "legislature": "17",
                        "sort": {"code": "adopté"},
                        "ventilationVotes": {"organe": {"groupes": {"groupe": groupe}}}}}


POURS = {"pours": {"votant": [{"acteurRef": "PA900001", "mandatRef": "PM900001"},
                              {"acteurRef": "PA900002", "mandatRef": "PM900002"}]}}


def read_scrutin(document: dict[str, Any]) -> Tables:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataWarning)
        return scrutins.read_documents([("s.json", document)])


def test_scrutin_nominatif_as_one_item_list() -> None:
    tables = read_scrutin(scrutin([POURS]))
    assert list(tables["positions"]["acteur_uid"].astype(str)) == ["PA900001", "PA900002"]


def test_scrutin_unknown_text_field_in_nominatif_is_ignored() -> None:
    tables = read_scrutin(scrutin({**POURS, UNKNOWN: "valeur inattendue"}))
    assert len(tables["positions"]) == 2
    assert tables["scrutins"].attrs["sections_inconnues"] == []


def test_scrutin_non_numeric_group_count_names_file_and_field() -> None:
    counts = {"pour": "inconnu", "contre": "0", "abstentions": "0", "nonVotants": "0"}
    with pytest.raises(SchemaError, match=r"s\.json : Champ groupe\.vote\.decompteVoix\.pour : nombre entier") as caught:
        read_scrutin(scrutin(POURS, counts))
    assert caught.value.found == "'inconnu'"


def amo_tables(*documents: tuple[str, Any]) -> Tables:
    return _amo_parse.parse_documents(lambda: ((name, orjson.dumps(doc)) for name, doc in documents), "AMO")


ORGANE = {"organe": {"uid": "PO900010", "codeType": "GP", "libelle": "Groupe inventé"}}


def test_amo_unknown_root_key_is_ignored() -> None:
    tables = amo_tables(("o.json", {**ORGANE, UNKNOWN: "valeur inattendue"}))
    assert list(tables["organes"]["uid"]) == ["PO900010"]


def test_amo_root_object_as_one_item_list() -> None:
    tables = amo_tables(("o.json", {"organe": [ORGANE["organe"]]}))
    assert list(tables["organes"]["libelle"]) == ["Groupe inventé"]


def test_amo_two_root_kinds_raise() -> None:
    with pytest.raises(SchemaError, match=r"o\.json : un objet racine unique"):
        amo_tables(("o.json", {**ORGANE, "acteur": {}}))


def test_dossier_null_document_raises() -> None:
    with pytest.raises(SchemaError, match=r"d\.json : objet JSON attendu à la racine, trouvé : null"):
        dossiers.dossiers_from_documents([("d.json", None)])
