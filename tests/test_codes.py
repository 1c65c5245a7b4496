"""Tests of département/région code normalisation and of delimited-file reading."""

from __future__ import annotations

import pandas as pd
import pytest

from bureau_data.codes import (
    CODE_DTYPE,
    departement_codes,
    is_overseas_departement,
    normalize_departement,
    normalize_region,
    region_codes,
)
from bureau_data.delimited import detect_separator, read_delimited, to_floats, to_integers
from bureau_data.errors import DataCheckError, SchemaError


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("01", "01"), (1, "01"), ("1", "01"), (1.0, "01"), ("1.0", "01"), (" 01 ", "01"),
        ("2A", "2A"), ("2a", "2A"), ("2B", "2B"), ("DEP-2B", "2B"), ("DEP-75", "75"),
        ("075", "75"), (75, "75"), ("971", "971"), (971, "971"), (976.0, "976"),
        ("975", "975"), ("988", "988"), ("69M", "69M"), ("95", "95"),
    ],
)
def test_departement_forms(raw, expected):
    assert normalize_departement(raw) == expected


@pytest.mark.parametrize("raw", [None, "", "  ", float("nan"), pd.NA])
def test_departement_missing(raw):
    assert normalize_departement(raw) is None


@pytest.mark.parametrize("raw", ["20", 20, "96", "00", "2C", "970", "abc", 1.5, -1, True])
def test_departement_invalid(raw):
    with pytest.raises(DataCheckError, match="Code de département invalide"):
        normalize_departement(raw, field="dep")


def test_corsica_twenty_hint():
    with pytest.raises(DataCheckError, match="utilisez 2A ou 2B"):
        normalize_departement("20")


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("01", "01"), (1, "01"), ("6", "06"), ("REG-84", "84"), (11, "11"), ("93", "93"), ("08", "08")],
)
def test_region_forms(raw, expected):
    assert normalize_region(raw) == expected


@pytest.mark.parametrize("raw", ["05", "12", "99", "REG-XX"])
def test_region_invalid(raw):
    with pytest.raises(DataCheckError, match="Code de région invalide"):
        normalize_region(raw)


def test_series_lists_invalid_values():
    with pytest.raises(DataCheckError, match=r"2 code\(s\) de département invalide\(s\).*'20'.*'XX'"):
        departement_codes(["01", "20", "XX", "2A"], field="dep")


def test_region_series_dtype():
    codes = region_codes(pd.Series([1, 84, None]))
    assert codes.dtype == CODE_DTYPE
    assert codes.tolist()[:2] == ["01", "84"]
    assert codes.isna().tolist() == [False, False, True]


def test_overseas_flag():
    assert is_overseas_departement("971")
    assert is_overseas_departement("988")
    assert not is_overseas_departement("2A")
    assert not is_overseas_departement("01")


# A file read by pandas with type inference gives [1, 2, 971] for file A and strings for
# file B: the dtype of the code column would depend on the rows present.
FILE_A = "dep;valeur\n01;5\n02;3\n971;7\n"
FILE_B = "dep;valeur\n01;5\n2A;3\n2B;4\n"


def _read_codes(text: str) -> pd.DataFrame:
    df = read_delimited(text, required=["dep", "valeur"])
    df["dep"] = departement_codes(df["dep"], field="dep")
    to_integers(df, ["valeur"])
    return df


def test_codes_without_corsica_stay_strings():
    df = _read_codes(FILE_A)
    assert df["dep"].dtype == CODE_DTYPE
    assert df["dep"].tolist() == ["01", "02", "971"]


def test_codes_with_corsica_stay_strings():
    df = _read_codes(FILE_B)
    assert df["dep"].dtype == CODE_DTYPE
    assert df["dep"].tolist() == ["01", "2A", "2B"]


def test_concat_keeps_one_string_dtype_and_joins():
    both = pd.concat([_read_codes(FILE_A), _read_codes(FILE_B)], ignore_index=True)
    assert both["dep"].dtype == CODE_DTYPE
    assert both["dep"].tolist() == ["01", "02", "971", "01", "2A", "2B"]
    reference = pd.DataFrame({"dep": pd.Series(["01", "2A", "971"], dtype=CODE_DTYPE),
                              "nom": ["Ain", "Corse-du-Sud", "Guadeloupe"]})
    joined = both.merge(reference, on="dep", how="left")
    assert joined["nom"].notna().sum() == 4
    assert joined.loc[joined.dep == "01", "nom"].tolist() == ["Ain", "Ain"]


def test_codes_typed_as_integers_are_repaired():
    # A table built elsewhere with inferred dtypes: the leading zero is already lost.
    inferred = pd.read_csv(pd.io.common.StringIO(FILE_A), sep=";")
    assert inferred["dep"].tolist() == [1, 2, 971]
    assert departement_codes(inferred["dep"]).tolist() == ["01", "02", "971"]


RELEASE_1 = "dep,jour,n_dose1\n01,2021-03-01,120\n"
RELEASE_2 = "dep;jour;n_dose1\n01;2021-03-01;120\n"
RELEASE_3 = "dep;jour;n_dose1_h\n01;2021-03-01;120\n"


def test_separator_change_gives_same_frame():
    first = read_delimited(RELEASE_1, required=["dep", "jour", "n_dose1"])
    second = read_delimited(RELEASE_2, required=["dep", "jour", "n_dose1"])
    pd.testing.assert_frame_equal(first, second, check_like=False)
    assert first.attrs["separator"] == ","
    assert second.attrs["separator"] == ";"
    assert first["dep"].tolist() == ["01"]


def test_renamed_column_fails_early_in_french():
    with pytest.raises(SchemaError, match="« n_dose1 ».*Colonnes trouvées : dep, jour, n_dose1_h") as info:
        read_delimited(RELEASE_3, required=["dep", "jour", "n_dose1"], name="vacsi.csv")
    assert info.value.field == "n_dose1"
    assert "vacsi.csv" in str(info.value)


def test_documented_alias_maps_renamed_column():
    df = read_delimited(RELEASE_3, required=["dep", "jour", "n_dose1"], aliases={"n_dose1": ["n_dose1_h"]})
    assert "n_dose1" in df.columns
    assert df["n_dose1"].tolist() == ["120"]


def test_wrong_separator_hint():
    with pytest.raises(SchemaError, match="séparateur a peut-être changé"):
        read_delimited(RELEASE_2, required=["dep", "n_dose1"], separator=",")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a;b;c\n1;2;3\n", ";"),
        ("a,b,c\n1,2,3\n", ","),
        ("a\tb\n1\t2\n", "\t"),
        ('"x;y",b,c\n1,2,3\n', ","),  # the semicolon inside quotes is not a separator
        ("a;b,c\n1;2,5\n", ";"),  # French decimal comma in the data row
        ("\ufeffdep|jour\n01|x\n", "|"),
        ('"dep";"sexe";"jour"\r\n"01";0;"2020-03-18"\r\n', ";"),
    ],
)
def test_detect_separator(text, expected):
    assert detect_separator(text) == expected


def test_bytes_with_bom_and_crlf():
    raw = "\ufeffdep;valeur\r\n01;5\r\n".encode()
    df = read_delimited(raw, required=["dep", "valeur"])
    assert list(df.columns) == ["dep", "valeur"]
    assert df["valeur"].tolist() == ["5"]


def test_bad_encoding_is_schema_error():
    with pytest.raises(SchemaError, match="n'est pas encodé en utf-8"):
        read_delimited("Mission;Montant\nSécurités;1\n".encode("cp1252"), required=["Mission"])


def test_integer_conversion_names_bad_values():
    df = read_delimited("dep;hosp\n01;12\n02;douze\n", required=["hosp"])
    with pytest.raises(SchemaError, match="« hosp ».*'douze'"):
        to_integers(df, ["hosp"], name="x.csv")


def test_float_conversion_decimal_comma():
    df = read_delimited("terme\tn\na\t3,97\nb\t\n", required=["n"])
    to_floats(df, ["n"], decimal=",")
    assert df["n"].iloc[0] == 3.97
    assert pd.isna(df["n"].iloc[1])
