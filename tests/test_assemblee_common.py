"""Tests of the helpers shared by the amendement, question and dossier loaders."""

from __future__ import annotations

import warnings
import zipfile
from collections import OrderedDict
from types import MappingProxyType

import pandas as pd
import pytest

from bureau_data.assemblee._common import (
    as_text,
    find,
    iter_documents,
    lookup,
    parse_dates,
    ref_list,
)
from bureau_data.errors import DataWarning, SchemaError

NIL = {"@xsi:nil": "true", "@xmlns:xsi": "http://www.w3.org/2001/XMLSchema-instance"}

FIND_CASES = [
    # (record, paths, expected (path, value))
    ({"a": {"b": " x "}}, ("a.b",), ("a.b", " x ")),
    ({"a": {"c": "y"}}, ("a.b", "a.c"), ("a.c", "y")),
    ({"a": {"c": "y"}}, ("a.b", "z"), (None, None)),
    ({"a": [{"b": "x"}]}, ("a.b",), ("a.b", "x")),
    ({"a": [{"b": "x"}, {"b": "y"}]}, ("a.b",), (None, None)),
    ({"a": None}, ("a.b",), ("a.b", None)),
    ({"a": NIL}, ("a.b",), ("a.b", None)),
    ({"a": {"@xsi:nil": "false", "b": "x"}}, ("a.b",), ("a.b", "x")),
    ({"a": {"b": NIL}}, ("a.b",), ("a.b", None)),
    ({"a": {"b": {"#text": "PA1", "@xsi:type": "t"}}}, ("a.b",), ("a.b", "PA1")),
    ({"a": {"b": ["x"]}}, ("a.b",), ("a.b", "x")),
    ({"a": "texte"}, ("a.b",), (None, None)),
    ({"a": MappingProxyType({"b": "x"})}, ("a.b",), ("a.b", "x")),
    (OrderedDict(a=OrderedDict(b="x")), ("a.b",), ("a.b", "x")),
    ([{"a": "x"}], ("a",), ("a", "x")),
]


@pytest.mark.parametrize(("record", "paths", "expected"), FIND_CASES)
def test_find_walks_every_shape(record, paths, expected):
    assert find(record, paths) == expected


def test_lookup_reports_presence():
    assert lookup({"a": NIL}, ("a.b",)) == (True, None)
    assert lookup({"a": {}}, ("a.b",)) == (False, None)


@pytest.mark.parametrize(("value", "expected"), [
    (None, []),
    (NIL, []),
    (" PA1 ", ["PA1"]),
    (["PA1", " PA2", "", "  "], ["PA1", "PA2"]),
    (["PA1", None, NIL, {"#text": "PA3"}, 4], ["PA1", "PA3", "4"]),
    ([{"acteur": "PA1"}], []),
])
def test_ref_list_keeps_identifiers(value, expected):
    assert ref_list(value) == expected


def test_as_text_records_nested_objects():
    problems: list[str] = []
    assert as_text({"x": "1"}, problems, "champ") is None
    assert problems == ["champ"]
    assert as_text("  ") is None
    assert as_text(12) == "12"


def test_parse_dates_reads_every_format():
    values = ["2025-03-20", "2025-03-20+01:00", "2025-09-09T18:23:59+02:00", "29/05/2019",
              " 2024-01-31Z ", None, ""]
    parsed = parse_dates(values, "date_test")
    assert str(parsed.dtype) == "datetime64[ns, Europe/Paris]"
    assert parsed.iloc[:5].tolist() == [
        pd.Timestamp("2025-03-20", tz="Europe/Paris"),
        pd.Timestamp("2025-03-20", tz="Europe/Paris"),
        pd.Timestamp("2025-09-09 18:23:59", tz="Europe/Paris"),
        pd.Timestamp("2019-05-29", tz="Europe/Paris"),
        pd.Timestamp("2024-01-31", tz="Europe/Paris"),
    ]
    assert parsed.iloc[5:].isna().all()


def test_parse_dates_naive_converts_stamps_to_paris():
    parsed = parse_dates(["2025-09-09T16:23:59Z", "29/05/2019"], "date_test", tz=None)
    assert str(parsed.dtype) == "datetime64[ns]"
    assert parsed.tolist() == [pd.Timestamp("2025-09-09 18:23:59"), pd.Timestamp("2019-05-29")]


def test_parse_dates_warns_once_for_bad_values():
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        parsed = parse_dates(["2025-02-30", "demain", "demain", "2025-03-01"], "date_test")
    messages = [str(w.message) for w in caught if issubclass(w.category, DataWarning)]
    assert len(messages) == 1
    assert messages[0].startswith("3 date(s) illisible(s) dans le champ date_test (par exemple '2025-02-30', 'demain')")
    assert parsed.isna().tolist() == [True, True, True, False]


def test_parse_dates_empty_input():
    parsed = parse_dates([], "date_test")
    assert len(parsed) == 0
    assert str(parsed.dtype) == "datetime64[ns, Europe/Paris]"


def test_parse_dates_reads_fullwidth_digits():
    # Full-width digits are decimal digits (\p{Nd}), which pandas parses.
    parsed = parse_dates(["２０２５-03-20"], "date_test")
    assert parsed.tolist() == [pd.Timestamp("2025-03-20", tz="Europe/Paris")]


def test_invalid_json_file_gets_file_advice(tmp_path):
    path = tmp_path / "question.json"
    path.write_text('{"question": {', encoding="utf-8")
    with pytest.raises(SchemaError, match="question.json : JSON invalide") as info:
        list(iter_documents(path))
    assert "Le fichier est peut-être tronqué. Remplacez ce fichier par une copie complète." in str(info.value)


def test_invalid_json_member_gets_archive_advice(tmp_path):
    path = tmp_path / "questions.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("json/Q1.json", '{"question": {')
    with pytest.raises(SchemaError, match="json/Q1.json : JSON invalide") as info:
        list(iter_documents(path))
    assert "questions.zip a passé son contrôle d'intégrité (CRC)" in str(info.value)
