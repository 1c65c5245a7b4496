"""Descriptive figures of the deputies (groups, women, ages, professions)."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from bureau_data.assemblee import amo, portrait
from bureau_data.errors import DataCheckError


def small_table() -> pd.DataFrame:
    df = pd.DataFrame({
        "groupe_uid": ["PO900010", "PO900010", "PO900011", None],
        "groupe_sigle": ["ROUGE", "ROUGE", "BLEU", None],
        "groupe_nom": ["Groupe rouge", "Groupe rouge", "Groupe bleu", None],
        "groupe_couleur": ["#ff0000", "#ff0000", "#0000ff", None],
        "sexe": pd.Categorical(["F", "H", "F", "H"], categories=["F", "H"]),
        "date_naissance": pd.to_datetime(["1990-03-01", "1990-03-02", "1960-12-31", "1999-01-01"]),
        "famille_socio_pro": ["Employés", "Employés", "Cadres", None],
    })
    df.attrs["date"] = "2020-03-01"
    return df


def test_ages_completed_years():
    assert portrait.ages(small_table()).tolist() == [30, 29, 59, 21]


def test_composition_counts_no_group_apart():
    table = portrait.composition_par_groupe(small_table())
    assert table["groupe_sigle"].tolist() == ["ROUGE", "BLEU", "sans groupe"]
    assert table["sieges"].tolist() == [2, 1, 1]
    assert table["part"].tolist() == [50.0, 25.0, 25.0]
    assert pd.isna(table.loc[2, "groupe_uid"])


def test_women_by_group():
    table = portrait.part_femmes_par_groupe(small_table()).set_index("groupe_sigle")
    assert table.loc["BLEU", "part_femmes"] == 100.0
    assert table.loc["ROUGE", ["deputes", "femmes", "hommes"]].tolist() == [2, 1, 1]
    assert portrait.part_femmes(small_table()) == 50.0


def test_age_pyramid_brackets_and_gaps():
    table = portrait.pyramide_des_ages(small_table(), width=10)
    assert table.index.tolist() == ["20-29", "30-39", "40-49", "50-59"]
    assert table["femmes"].tolist() == [0, 1, 0, 1]
    assert table["hommes"].tolist() == [2, 0, 0, 0]
    assert table.index.ordered


def test_socio_pro_top_and_missing():
    table = portrait.categories_socio_pro(small_table(), top=1)
    assert table["categorie"].tolist() == ["Employés", "Autres", "Non renseignée"]
    assert table["deputes"].tolist() == [2, 1, 1]


def test_missing_column_message():
    with pytest.raises(DataCheckError, match="colonne\\(s\\) absente\\(s\\) sexe"):
        portrait.part_femmes(pd.DataFrame({"nom": ["A"]}))


def test_method_logged(tmp_path, monkeypatch):
    log = tmp_path / "provenance.jsonl"
    monkeypatch.setenv("BUREAU_DATA_PROVENANCE_LOG", str(log))
    table = portrait.part_femmes_par_groupe(small_table())
    lines = [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines()]
    assert [line["key"] for line in lines] == ["assemblee.femmes"]
    assert "civilité" in table.attrs["method"]


def test_real_l17_women_and_ages():
    d17 = amo.deputes(17)
    summary = portrait.resume_legislatures({17: d17}).iloc[0]
    assert (summary["deputes"], summary["femmes"]) == (575, 208)
    assert summary["age_median"] == 52.0
    pyramid = portrait.pyramide_des_ages(d17)
    assert pyramid["total"].sum() == 575
    assert pyramid["femmes"].sum() == 208
    top = portrait.categories_socio_pro(d17, top=3)
    assert top.iloc[0].tolist()[:2] == ["Cadres et professions intellectuelles supérieures", 388]


def test_real_women_over_legislatures():
    table = portrait.resume_legislatures({15: amo.deputes(15), 16: amo.deputes(16)})
    assert table["femmes"].tolist() == [228, 218]
    assert table["date"].dt.strftime("%Y-%m-%d").tolist() == ["2019-06-14", "2024-06-09"]
