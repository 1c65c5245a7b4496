"""Tests of the forest loaders against the real FAO FRA 2020 / OWID file."""

from __future__ import annotations

import pandas as pd
import pytest

from bureau_data import foret
from bureau_data.delimited import read_delimited
from bureau_data.errors import DataCheckError, DataWarning, SchemaError


def test_france_area_and_cover_exact():
    df = foret.forest_area(["France"]).set_index("year")
    assert df.loc[1990, "forest_area_kha"] == 14436.0
    assert df.loc[2020, "forest_area_kha"] == 17253.0
    assert round(df.loc[2020, "forest_cover_pct"], 2) == 31.51
    assert round(df.loc[1990, "forest_cover_pct"], 2) == 26.36
    assert list(df.index) == list(range(1990, 2021))


def test_units_stated_in_attrs():
    df = foret.forest_area(["France"])
    assert df.attrs["units"] == {
        "forest_area_kha": "milliers d'hectares",
        "forest_cover_pct": "% de la surface terrestre",
    }
    assert df.attrs["provenance"][0]["dataset"] == "foret.owid.fra2020"


def test_full_table_schema():
    df = foret.forest()
    assert list(df.columns) == list(foret.COLUMNS)
    assert {column: str(dtype) for column, dtype in df.dtypes.items()} == foret.COLUMNS
    assert len(df) == 7974
    assert df["entity"].nunique() == 263
    assert not df.duplicated(["entity", "year"]).any()


def test_flows_per_period_brazil():
    df = foret.forest().set_index(["entity", "year"])
    assert df.loc[("Brazil", 1990), "deforestation_kha_per_year"] == 4254.8
    assert df.loc[("Brazil", 1990), "net_change_kha_per_year"] == -3780.94
    assert df.loc[("Brazil", 2015), "forest_expansion_kha_per_year"] == 242.66


def test_france_has_no_flows():
    france = foret.forest().query("entity == 'France'")
    assert france["deforestation_kha_per_year"].isna().all()


def test_history_of_france():
    history = foret.forest_cover_history("France")
    assert len(history) == 57
    assert history["year"].iloc[0] == 1000
    assert round(history["forest_cover_pct"].iloc[0], 2) == 47.49
    by_year = history.set_index("year")
    assert round(by_year.loc[1841, "forest_cover_pct"], 2) == 13.27
    assert by_year.loc[1976, "source"] == "estimations historiques"
    assert by_year.loc[1990, "source"] == "FAO FRA 2020"
    assert history["year"].is_monotonic_increasing


def test_impossible_cover_set_missing():
    with pytest.warns(DataWarning, match=r"1 taux de couverture.*Micronesia 1990 \(242.7 %\)"):
        df = foret._build(foret.fetch(foret.DATASET).path)["forest"]
    micronesia = df[(df.entity == "Micronesia") & (df.year == 1990)]
    assert micronesia["forest_cover_pct"].isna().all()
    assert micronesia["forest_area_kha"].item() == 169.92
    assert df["forest_cover_pct"].max() <= 100


def test_unknown_entity_suggests_name():
    with pytest.raises(DataCheckError, match="Frnace.*France"):
        foret.forest_area(["Frnace"])


def test_former_column_name_accepted():
    # A description of this file names the net-change column « Net forest conversion ».
    text = "Entity,Year,Net forest conversion\nFrance,1990,85.2\n"
    df = read_delimited(text, required=["Entity", "Year", "Annual net change in forest area"],
                        aliases=foret._ALIASES)
    assert df["Annual net change in forest area"].tolist() == ["85.2"]


def test_missing_column_raises_schema_error():
    text = "Entity;Year;Forest area\nFrance;1990;14436.0\n"
    with pytest.raises(SchemaError, match="« Forest cover ».*Colonnes trouvées : Entity, Year, Forest area"):
        read_delimited(text, required=["Entity", "Year", "Forest area", "Forest cover"])


def test_area_empty_selection_keeps_columns():
    df = foret.forest_area([])
    assert df.empty
    assert list(df.columns) == ["entity", "year", "forest_area_kha", "forest_cover_pct"]
    assert isinstance(df, pd.DataFrame)
