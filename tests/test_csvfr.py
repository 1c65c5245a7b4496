"""Tests of the French CSV reader on small invented inputs of each kind of fault."""

from __future__ import annotations

import pandas as pd
import pytest

from bureau_data.csvfr import (
    AmbiguousNumberError,
    decode_bytes,
    detect_separator,
    detect_unit,
    find_header,
    parse_number,
    read_csv_fr,
)
from bureau_data.errors import SchemaError

# --- decimal comma, dotted thousands, special spaces and signs ------------------


def test_decimal_comma_with_dotted_thousands() -> None:
    df = read_csv_fr("mission;cp\nDéfense;1,20\nCulture;22,3\nÉcologie;1.234,56\n".encode())
    assert df["cp"].dtype == "float64"
    assert df["cp"].tolist() == [1.2, 22.3, 1234.56]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1 234,5", 1234.5),
        ("1\u00a0234,5", 1234.5),
        ("1\u202f234\u202f567", 1234567.0),
        ("\u22121\u202f234,5", -1234.5),
        ("-12", -12.0),
        ("12-", -12.0),
        ("1.234.567", 1234567.0),
        ("1.234.567,89", 1234567.89),
        ("2290904.0", 2290904.0),
        ("0,5", 0.5),
        ("386 130 ", 386130.0),
        ("12,5 €", 12.5),
        ("", float("nan")),
    ],
)
def test_parse_number_forms(text: str, expected: float) -> None:
    value = parse_number(text)
    if expected != expected:  # NaN
        assert value != value
    else:
        assert value == expected


@pytest.mark.parametrize("text", ["1.234", "12 34", "1,2,3", "abc", "1.2.3"])
def test_parse_number_rejects_ambiguous(text: str) -> None:
    with pytest.raises(AmbiguousNumberError):
        parse_number(text)


def test_ambiguous_value_names_line_and_value() -> None:
    data = "mission;cp\nDéfense;1.200\nCulture;2.300\nÉcologie;4.500\n".encode()
    with pytest.raises(AmbiguousNumberError, match=r"ligne 2.*'1\.200'") as info:
        read_csv_fr(data, name="essai.csv")
    assert info.value.line == 2
    assert info.value.value == "1.200"
    assert "essai.csv" in str(info.value)


def test_bad_value_blames_its_own_line() -> None:
    data = "mission;cp\nDéfense;1,20\nCulture;22,3\nÉcologie;1.2,5\n".encode()
    with pytest.raises(AmbiguousNumberError, match=r"ligne 4") as info:
        read_csv_fr(data, numbers=["cp"])
    assert info.value.value == "1.2,5"
    assert "1,20" not in str(info.value)


def test_dotted_column_reads_decimal_point() -> None:
    df = read_csv_fr(b"code;ae\n302.0;10067679.0\n7.0;1.5\n", numbers=["ae"])
    assert df["ae"].tolist() == [10067679.0, 1.5]
    assert df["code"].tolist() == ["302.0", "7.0"]


# --- BOM ------------------------------------------------------------------------


@pytest.mark.parametrize("sep", [None, ";"])
@pytest.mark.parametrize("encoding", [None, "utf-8-sig", "utf-8"])
def test_bom_never_in_header(sep: str | None, encoding: str | None) -> None:
    data = b"\xef\xbb\xbf" + b'"code_dep";"nb"\n"01";"3"\n'
    df = read_csv_fr(data, sep=sep, encoding=encoding)
    assert list(df.columns[:2]) == ["code_dep", "nb"]
    assert df["code_dep"].tolist() == ["01"]


def test_bom_with_comma_separator() -> None:
    df = read_csv_fr(b'\xef\xbb\xbf"dep","nom"\n"2A","Corse-du-Sud"\n')
    assert list(df.columns[:2]) == ["dep", "nom"]
    assert df.attrs["separator"] == ","


# --- encodings ------------------------------------------------------------------


@pytest.mark.parametrize("encoding", ["cp1252", "utf-8"])
def test_euro_sign_survives_both_encodings(encoding: str) -> None:
    df = read_csv_fr("Mission;Montant (Md€)\nSécurités;12,5\n".encode(encoding))
    assert list(df.columns[:2]) == ["Mission", "Montant (Md€)"]
    assert df["Mission"].tolist() == ["Sécurités"]
    assert df["Montant (Md€)"].tolist() == [12.5]
    assert detect_unit(df.columns[1]) == 1e9


def test_cp1252_curly_apostrophe_and_oe() -> None:
    text, encoding = decode_bytes("Rémunérations d’activité;œuvre – 3 €".encode("cp1252"))
    assert encoding == "cp1252"
    assert text == "Rémunérations d’activité;œuvre – 3 €"
    assert "\x80" not in text and "\x92" not in text


def test_latin1_only_for_bytes_cp1252_lacks() -> None:
    text, encoding = decode_bytes(b"caf\xe9;\x81")
    assert encoding == "latin-1"
    assert text.startswith("café")


@pytest.mark.parametrize(
    ("label", "factor"),
    [("Montant (M€)", 1e6), ("(en millions d’euros)", 1e6), ("(en euros)", 1.0),
     ("Crédits (k€)", 1e3), ("Mission", None)],
)
def test_detect_unit(label: str, factor: float | None) -> None:
    assert detect_unit(label) == factor


# --- title and subtotal rows ---------------------------------------------------

TITLED = """Projet de loi de finances 2024 - Budget général;;
Source : Direction du budget;;
;;
Mission;Programme;CP
Défense;Programme A;1 800,0
Défense;Programme B;12 000,0
Total Défense;;13 800,0
Culture;Programme C;1 100,0
Total général;;14 900,0
"""


def test_title_rows_and_subtotals() -> None:
    df = read_csv_fr(TITLED.encode("cp1252"))
    assert df.attrs["header_line"] == 4
    assert list(df.columns) == ["Mission", "Programme", "CP", "is_total"]
    assert int((~df["is_total"]).sum()) == 3
    assert df.loc[~df["is_total"], "CP"].sum() == 14900.0
    assert df.attrs["metadata"] == ["Projet de loi de finances 2024 - Budget général",
                                    "Source : Direction du budget"]


def test_metadata_lines_with_values_above_header() -> None:
    data = ("Gestion;2015;;;\nType Budget;Budget général;;;\n;;;Données;\n"
            "Mission;Programme;Action; AEPLF; CPPLF\nDéfense;178;01;1 000;900\n"
            "Sous-total Défense;;;1 000;900\n")
    df = read_csv_fr(data.encode("cp1252"))
    assert df.attrs["header_line"] == 4
    assert list(df.columns[:5]) == ["Mission", "Programme", "Action", "AEPLF", "CPPLF"]
    assert df["is_total"].tolist() == [False, True]
    assert df["Action"].iloc[0] == "01"
    assert pd.isna(df["Action"].iloc[1])


def test_header_with_double_spaces_and_newline() -> None:
    data = b'AE  PLF;"EXEC CP 2017\nRAP 2017";x\n1;2;a\n'
    df = read_csv_fr(data, total_pattern=None)
    assert list(df.columns) == ["AE PLF", "EXEC CP 2017 RAP 2017", "x"]


def test_required_columns_missing_names_found() -> None:
    with pytest.raises(SchemaError, match=r"n_dose1.*dep"):
        read_csv_fr(b"dep;jour;n_dose1_h\n01;2021-03-01;120\n", required=["dep", "n_dose1"])


def test_find_header_fails_on_number_rows() -> None:
    with pytest.raises(SchemaError, match="En-tête introuvable"):
        find_header([["1", "2"], ["3", "4"]], name="chiffres.csv")


# --- identifiers kept as text --------------------------------------------------


def test_departement_codes_stay_strings() -> None:
    a = read_csv_fr(b"dep;valeur\n01;5\n02;3\n971;7\n")
    b = read_csv_fr(b"dep;valeur\n01;5\n2A;3\n2B;4\n")
    assert a["dep"].tolist() == ["01", "02", "971"]
    assert b["dep"].tolist() == ["01", "2A", "2B"]
    both = pd.concat([a, b], ignore_index=True)
    assert both["dep"].dtype == "string"
    reference = pd.DataFrame({"dep": pd.array(["01"], dtype="string"), "nom": ["Ain"]})
    assert len(a.merge(reference, on="dep")) == 1


def test_postal_codes_with_leading_zero_stay_strings() -> None:
    df = read_csv_fr(b"code_postal,nb\n01000,3\n75001,4\n")
    assert df["code_postal"].tolist() == ["01000", "75001"]
    assert df["nb"].tolist() == [3.0, 4.0]


# --- separators and trailing fields -------------------------------------------


def test_separators_give_same_frame() -> None:
    comma = read_csv_fr(b"dep,jour,n_dose1\n01,2021-03-01,120\n")
    semicolon = read_csv_fr(b"dep;jour;n_dose1\n01;2021-03-01;120\n")
    pd.testing.assert_frame_equal(comma, semicolon, check_like=False)


def test_trailing_empty_fields_and_lines_dropped() -> None:
    data = "a;b" + ";" * 163 + "\n1;x" + ";" * 163 + "\n" + ";" * 164 + "\n" + ";" * 164 + "\n"
    df = read_csv_fr(data.encode(), total_pattern=None)
    assert list(df.columns) == ["a", "b"]
    assert len(df) == 1


def test_detect_separator_prefers_semicolon_on_tie() -> None:
    assert detect_separator("a\nb\n") == ";"
    assert detect_separator("a\tb\n1\t2\n") == "\t"
