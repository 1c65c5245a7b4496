"""Tests of the questions loaders: QG of 2019 (XV) and the XVII questions écrites layout."""

from __future__ import annotations

import json
import zipfile
from collections.abc import Mapping

import pandas as pd
import pytest

from bureau_data.assemblee.questions import (
    ministeres,
    questions_ecrites_from_records,
    questions_from_documents,
    questions_gouvernement,
)
from bureau_data.errors import DataCheckError, DataWarning, SchemaError


@pytest.fixture(scope="module")
def qg(shared_data, session_cache) -> pd.DataFrame:
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("BUREAU_DATA_LOCAL_DIR", str(shared_data))
        patch.setenv("BUREAU_DATA_CACHE_DIR", str(session_cache))
        patch.delenv("BUREAU_DATA_MANIFEST", raising=False)
        return questions_gouvernement(15)


@pytest.fixture(scope="module")
def qe_folder(shared_data):
    return shared_data / "assemblee/reference_reserialized/hackathon_l17/questions_ecrites"


def test_qg_2019_has_1003_questions(qg):
    assert len(qg) == 1003
    assert qg.index.is_unique
    assert (qg["type"] == "QG").all()
    assert (qg["legislature"] == 15).all()


def test_qg_2019_counts_by_group(qg):
    assert qg["groupe_abrege"].value_counts().to_dict() == {
        "LAREM": 281, "LR": 190, "SOC": 109, "MODEM": 98, "FI": 76, "GDR": 75, "LT": 71,
        "UDI-AGIR": 49, "UDI-A-I": 24, "UDI-I": 19, "NI": 8, "DEM": 3}
    assert qg.loc[qg["groupe_abrege"] == "LAREM", "groupe_ref"].unique().tolist() == ["PO730964"]


def test_qg_2019_dates_are_parsed_day_first(qg):
    assert qg["date_reponse"].min() == pd.Timestamp("2019-01-16")
    assert qg["date_reponse"].max() == pd.Timestamp("2019-12-18")
    assert qg.loc["QANR5L15QG1539", "date_reponse"] == pd.Timestamp("2019-01-16")
    assert (qg["delai_reponse_jours"] == 0).all()
    assert (qg["cloture_code"] == "REP_PUB").all()


def test_qg_2019_ministries_are_harmonised(qg):
    assert qg["ministere_attributaire_brut"].nunique() == 41
    counts = qg["ministere_attributaire"].value_counts()
    assert counts["Santé et solidarités"] == 161
    assert counts["Premier ministre"] == 75
    assert qg["ministere_attributaire"].nunique() == 20
    row = qg.loc[qg["ministere_attributaire_brut"] == "Intérieur (M. le secrétaire d'État auprès du ministre)"]
    assert len(row) == 38
    assert set(row["ministere_attributaire"]) == {"Intérieur"}
    assert set(row["fonction_attributaire"]) == {"secrétaire d'État"}


def test_qg_2019_subject_keys_in_capitals(qg):
    assert qg.loc["QANR5L15QG1539", "analyse"] == "attaques contre les élus de la République"
    assert qg.loc["QANR5L15QG1539", "rubrique"] == "élus"
    assert int(qg["analyse"].isna().sum()) == 8


def test_qg_exchange_is_plain_text(qg):
    text = qg.loc["QANR5L15QG1539", "texte_reponse"]
    assert text.startswith("ATTAQUES CONTRE LES ÉLUS DE LA RÉPUBLIQUE\nM. le président.")
    assert not qg["texte_reponse"].str.contains("<", regex=False).any()
    assert qg["texte_question"].isna().all()


def test_qg_has_no_dict_cell(qg):
    for column in qg.columns:
        assert not qg[column].map(lambda v: isinstance(v, Mapping)).any(), column


def test_questions_ecrites_structure(qe_folder):
    qe = questions_ecrites_from_records(qe_folder)
    assert len(qe) == 16
    assert (qe["type"] == "QE").all()
    assert int(qe["date_reponse"].notna().sum()) == 13
    assert int(qe["cloture_code"].isna().sum()) == 3
    row = qe.loc["QANR5L17QE3029"]
    assert row["date_question"] == pd.Timestamp("2025-01-07")
    assert row["date_reponse"] == pd.Timestamp("2025-04-08")
    assert row["delai_reponse_jours"] == 91
    assert row["n_attributions"] == 2
    assert row["ministere_interroge_brut"] == "Travail, santé, solidarités et familles"
    assert row["ministere_interroge_ref"] == "PO855081"
    assert row["ministere_attributaire_brut"] == "Santé et accès aux soins"
    assert row["ministere_attributaire_ref"] == "PO855064"
    assert row["ministere_attributaire"] == "Santé et solidarités"
    assert row["analyse"] == "Développement des soins palliatifs dans l'Indre"
    assert "80 M€" in row["texte_reponse"]
    assert qe.loc["QANR5L17QE4679", "signalee"]
    assert qe.loc["QANR5L17QE13134", "n_renouvellements"] == 1


def test_questions_ecrites_from_parsed_records_and_zip(qe_folder, tmp_path):
    documents = [json.loads(path.read_text(encoding="utf-8")) for path in sorted(qe_folder.glob("*.json"))]
    from_records = questions_ecrites_from_records(documents)
    archive = tmp_path / "Questions_ecrites.json.zip"
    with zipfile.ZipFile(archive, "w") as handle:
        for path in sorted(qe_folder.glob("*.json")):
            handle.writestr(f"json/{path.name}", path.read_bytes())
    from_zip = questions_ecrites_from_records(archive)
    columns = [c for c in from_zip.columns if c != "source"]
    pd.testing.assert_frame_equal(from_records[columns], from_zip[columns])


def test_qg_l17_envelope_is_unwrapped(shared_data):
    envelope = shared_data / ("assemblee/reference_reserialized/hackathon_l17/sample_envelopes/"
                              "Questions_gouvernement.json__json__QANR5L17QG1.json.sample.json")
    df = questions_from_documents([("QG1", json.loads(envelope.read_text(encoding="utf-8")))])
    row = df.loc["QANR5L17QG1"]
    assert row["date_reponse"] == pd.Timestamp("2024-10-03")
    assert row["analyse"] == "Situation à Mayotte"
    assert row["ministere_attributaire"] == "Intérieur"


def test_unknown_ministry_is_kept_raw_with_warning():
    record = {"question": {"uid": "QANR5L17QE900001", "type": "QE", "identifiant": {"numero": "1"},
                           "auteur": {"identite": {"acteurRef": "PA900001"}, "groupe": {"organeRef": "PO900010"}},
                           "minInt": {"abrege": "Ministère imaginaire"},
                           "minAttribs": {"minAttrib": {"denomination": {"abrege": "Ministère imaginaire"}}}}}
    with pytest.warns(DataWarning, match="Ministère imaginaire"):
        df = questions_from_documents([("a", record)])
    assert df.iloc[0]["ministere_interroge"] == "Ministère imaginaire"
    assert pd.isna(df.iloc[0]["fonction_attributaire"])


def test_differing_duplicate_question_raises():
    base = {"uid": "QANR5L17QE900002", "type": "QE", "identifiant": {"numero": "2"}}
    changed = dict(base, indexationAN={"rubrique": "autre"})
    with pytest.raises(DataCheckError, match="QANR5L17QE900002"):
        questions_from_documents([("a", {"question": base}), ("b", {"question": changed})])


def test_non_question_document_raises():
    with pytest.raises(SchemaError, match="question"):
        questions_from_documents([("a", {"amendement": {}})])


def test_ministry_table_has_unique_labels():
    table = ministeres()
    assert table["libelle"].is_unique
    assert table["ministere"].notna().all()
