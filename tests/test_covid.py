"""Tests of the Covid-19 loaders against the real SpF and opencovid19-fr files."""

from __future__ import annotations

import warnings

import pandas as pd
import pytest

from bureau_data import covid
from bureau_data.codes import CODE_DTYPE
from bureau_data.errors import ConfigurationError, DataCheckError, DataWarning, SchemaError

HEADER = '"dep";"sexe";"jour";"hosp";"rea";"rad";"dc"\r\n'


def _parse_hospital_text(tmp_path, body: str) -> dict[str, pd.DataFrame]:
    path = tmp_path / "hosp.csv"
    path.write_bytes((HEADER + body).encode("ascii"))
    return covid._parse_hospital(path)


# --- Hospital file, real data ---------------------------------------------------

def test_national_peaks():
    france = covid.hospitalisations_france().set_index("jour")
    assert france["hosp"].max() == 32131
    assert france["hosp"].idxmax() == pd.Timestamp("2020-04-14")
    assert france["rea"].max() == 7019
    assert france["rea"].idxmax() == pd.Timestamp("2020-04-08")


def test_last_day_totals():
    last = covid.hospitalisations_france().set_index("jour").loc["2020-06-30"]
    assert last["hosp"] == 8491
    assert last["dc"] == 19326
    assert last["departements"] == 101


def test_every_day_present_once():
    france = covid.hospitalisations_france()
    assert len(france) == 105
    assert france["jour"].min() == pd.Timestamp("2020-03-18")
    assert france["jour"].max() == pd.Timestamp("2020-06-30")
    assert france["jour"].diff().dropna().eq(pd.Timedelta(days=1)).all()


def test_departements_string_codes():
    df = covid.hospitalisations()
    assert df["dep"].dtype == CODE_DTYPE
    codes = set(df["dep"])
    assert len(codes) == 101
    assert {"01", "2A", "2B", "971", "976"} <= codes
    assert "1" not in codes
    assert "20" not in codes


def test_paris_at_peak():
    df = covid.hospitalisations().set_index(["dep", "jour"])
    assert df.loc[("75", pd.Timestamp("2020-04-14"))].tolist() == [3281, 790, 2336, 1003]


def test_dates_from_french_format_rows():
    # On 2020-06-27 the file writes 27 rows 2020-06-27 and 276 rows 27/06/2020.
    df = covid.hospitalisations()
    assert (df["jour"] == "2020-06-27").sum() == 101
    ain = df[(df.dep == "01") & (df.jour == "2020-06-27")]
    assert ain[["hosp", "rea", "rad", "dc"]].iloc[0].tolist() == [51, 0, 425, 103]
    ten = df[(df.dep == "10") & (df.jour == "2020-06-27")]
    assert ten[["hosp", "rea", "rad", "dc"]].iloc[0].tolist() == [24, 2, 619, 136]


def test_sexes_separated_from_total():
    everyone = covid.hospitalisations()
    by_sex = covid.hospitalisations_par_sexe()
    assert "sexe" not in everyone.columns
    assert list(by_sex["sexe"].cat.categories) == ["hommes", "femmes"]
    assert by_sex["sexe"].cat.ordered
    assert len(by_sex) == 2 * len(everyone)
    day = by_sex[by_sex.jour == "2020-04-14"].groupby("sexe", observed=True)["hosp"].sum()
    total = everyone.loc[everyone.jour == "2020-04-14", "hosp"].sum()
    assert day.sum() <= total
    assert total == 32131


def test_schema_of_hospital_tables():
    assert {c: str(t) for c, t in covid.hospitalisations().dtypes.items()} == {
        "dep": "string", "jour": "datetime64[ns]", "hosp": "Int64", "rea": "Int64", "rad": "Int64", "dc": "Int64",
    }
    assert list(covid.hospitalisations_par_sexe().columns) == list(covid.HOSPITAL_BY_SEX_COLUMNS)
    assert covid.hospitalisations().attrs["provenance"][0]["dataset"] == "covid.spf.hospitalisations"


# --- Hospital file, invented edge cases ---------------------------------------------

def test_mixed_quoting_and_dates(tmp_path):
    body = ('"01";0;"2020-03-24";22;3;11;0\r\n'
            '"01";"1";"2020-03-24";12;2;5;0\r\n'
            '01;2;24/03/2020;10;1;6;0\r\n'
            '"2A";0;"2020-03-24";4;1;0;0\r\n')
    tables = _parse_hospital_text(tmp_path, body)
    assert tables["ensemble"]["dep"].tolist() == ["01", "2A"]
    assert tables["par_sexe"]["sexe"].tolist() == ["hommes", "femmes"]
    assert tables["par_sexe"]["jour"].dt.strftime("%Y-%m-%d").tolist() == ["2020-03-24"] * 2


def test_empty_departement_dropped_with_warning(tmp_path):
    body = '"";"0";"2020-03-24";13;13;0;0\r\n"01";0;"2020-03-24";22;3;11;0\r\n'
    with pytest.warns(DataWarning, match=r"1 ligne\(s\) sans code de département.*2020-03-24"):
        tables = _parse_hospital_text(tmp_path, body)
    assert tables["ensemble"]["hosp"].tolist() == [22]


def test_unreadable_date_raises(tmp_path):
    with pytest.raises(SchemaError, match="« jour ».*'2020-13-45'"):
        _parse_hospital_text(tmp_path, '"01";0;"2020-13-45";1;0;0;0\r\n')


def test_unknown_sexe_raises(tmp_path):
    with pytest.raises(SchemaError, match="« sexe ».*'9'"):
        _parse_hospital_text(tmp_path, '"01";9;"2020-03-24";1;0;0;0\r\n')


def test_duplicate_rows_raise(tmp_path):
    body = '"01";0;"2020-03-24";1;0;0;0\r\n01;0;24/03/2020;1;0;0;0\r\n'
    with pytest.raises(DataCheckError, match="en double.*01, sexe 0, 2020-03-24"):
        _parse_hospital_text(tmp_path, body)


def test_invalid_departement_raises(tmp_path):
    with pytest.raises(DataCheckError, match="'20'"):
        _parse_hospital_text(tmp_path, '"20";0;"2020-03-24";1;0;0;0\r\n')


def test_comma_separated_release(tmp_path):
    path = tmp_path / "hosp.csv"
    path.write_text("dep,sexe,jour,hosp,rea,rad,dc\n01,0,2020-03-24,22,3,11,0\n", encoding="ascii")
    assert covid._parse_hospital(path)["ensemble"]["hosp"].tolist() == [22]


def test_missing_measure_column(tmp_path):
    path = tmp_path / "hosp.csv"
    path.write_text("dep;sexe;jour;hosp;rea;rad\n01;0;2020-03-24;22;3;11\n", encoding="ascii")
    with pytest.raises(SchemaError, match="« dc ».*Colonnes trouvées : dep, sexe, jour, hosp, rea, rad"):
        covid._parse_hospital(path)


# --- Key figures -------------------------------------------------------------------

def test_key_figures_one_row_per_date_and_area():
    df = covid.chiffres_cles()
    assert not df.duplicated(["date", "maille_code"]).any()
    assert len(df) == 28215
    assert df["sources"].max() == 4
    assert df.attrs["source_priority"][0] == "sante-publique-france-data"


def test_key_figures_raw_rows():
    raw = covid.chiffres_cles(deduplicate=False)
    assert len(raw) == 30161
    pairs = raw.groupby(["date", "maille_code"]).size()
    assert (pairs > 1).sum() == 1798


def test_source_priority_for_france():
    france = covid.chiffres_cles("pays").set_index("date")
    row = france.loc["2020-04-14"]
    assert row["source_type"] == "ministere-sante"
    assert row["hospitalises"] == 32292
    assert row["reanimation"] == 6730
    assert row["sources"] == 2


def test_custom_priority_changes_choice():
    priority = ["opencovid19-fr", *covid.SOURCE_PRIORITY]
    france = covid.chiffres_cles("pays", source_priority=priority).set_index("date")
    assert france.loc["2020-04-14", "hospitalises"] == 32131
    assert france.loc["2020-04-14", "source_type"] == "opencovid19-fr"


def test_unlisted_source_ranked_last_with_warning():
    with pytest.warns(DataWarning, match="classés en dernier : .*prefectures"):
        df = covid.chiffres_cles(source_priority=["sante-publique-france-data"])
    assert not df.duplicated(["date", "maille_code"]).any()


def test_key_figures_codes_join_departements():
    paris = covid.chiffres_cles("departement")
    assert paris["code"].dtype == CODE_DTYPE
    row = paris[(paris.code == "75") & (paris.date == "2020-04-14")].iloc[0]
    assert row["maille_code"] == "DEP-75"
    assert row["hospitalises"] == 3281
    assert row["source_type"] == "sante-publique-france-data"
    assert {"2A", "2B", "971"} <= set(paris["code"])


def test_key_figures_nan_text_is_missing():
    df = covid.chiffres_cles(deduplicate=False)
    assert df["deces"].dtype == "Int64"
    assert df["deces"].isna().sum() > 0


def test_key_figures_schema_and_regions():
    df = covid.chiffres_cles("region")
    assert {c: str(t) for c, t in df.dtypes.items() if c != "granularite"} == {
        c: t for c, t in covid.KEY_FIGURES_COLUMNS.items() if c != "granularite"
    }
    assert sorted(df["code"].unique())[:5] == ["01", "02", "03", "04", "06"]


def test_unknown_granularity():
    with pytest.raises(ConfigurationError, match="Granularité inconnue : 'commune'"):
        covid.chiffres_cles("commune")


# --- Vaccination ---------------------------------------------------------------------

def test_first_doses_at_end():
    france = covid.vaccination_france()
    last = france.iloc[-1]
    assert last["jour"] == pd.Timestamp("2023-05-03")
    assert last["n_cum_dose1"] == 54672496
    assert last["n_cum_complet"] == 53768044
    assert last["couv_dose1"] == 80.6
    assert len(france) == 858


def test_regions_codes_and_sum():
    regions = covid.vaccination_regions()
    assert regions["reg"].dtype == CODE_DTYPE
    assert sorted(regions["reg"].unique()) == [
        "01", "02", "03", "04", "06", "07", "08", "11", "24", "27", "28", "32",
        "44", "52", "53", "75", "76", "84", "93", "94",
    ]
    assert len(regions) == 17160
    last = regions[regions.jour == "2023-05-03"]
    # Régions add up to 96.4 % of the national count: the rest have no known région.
    assert last["n_cum_dose1"].sum() == 52727296


def _vaccination_file(tmp_path, text: str):
    path = tmp_path / "vacsi.csv"
    path.write_text(text, encoding="ascii")
    return covid._parse_vaccination(path, "reg")["vaccination"]


def test_vaccination_separators_give_same_frame(tmp_path):
    header = ["reg", "jour", "n_dose1", "n_complet", "n_cum_dose1", "n_cum_complet", "couv_dose1", "couv_complet"]
    row = ["1", "2021-03-01", "120", "3", "500", "10", "12.5", "0.3"]
    with_commas = _vaccination_file(tmp_path, ",".join(header) + "\n" + ",".join(row) + "\n")
    with_semicolons = _vaccination_file(tmp_path, ";".join(header) + "\n" + ";".join(row) + "\n")
    pd.testing.assert_frame_equal(with_commas, with_semicolons)
    assert with_commas["reg"].tolist() == ["01"]
    assert with_commas["n_3_rappel"].isna().all()
    assert with_commas["couv_dose1"].tolist() == [12.5]


def test_vaccination_former_dose2_names(tmp_path):
    text = ("reg;jour;n_dose1;n_dose2;n_cum_dose1;n_cum_dose2;couv_dose1;couv_dose2\n"
            "84;2021-03-01;120;3;500;10;12.5;0.3\n")
    df = _vaccination_file(tmp_path, text)
    assert df["n_cum_complet"].tolist() == [10]


def test_vaccination_renamed_column_fails(tmp_path):
    text = "reg;jour;n_dose1_h;n_complet;n_cum_dose1;n_cum_complet;couv_dose1;couv_complet\n84;2021-03-01;1;1;1;1;1;1\n"
    with pytest.raises(SchemaError, match="« n_dose1 ».*n_dose1_h"):
        _vaccination_file(tmp_path, text)


def test_cache_hit_gives_same_dtypes():
    first = covid.hospitalisations()
    with warnings.catch_warnings():
        warnings.simplefilter("error", DataWarning)
        second = covid.hospitalisations()
    pd.testing.assert_frame_equal(first, second)
