"""Tests of the « Égalité femmes-hommes » consultation loaders against the real files."""

from __future__ import annotations

import json
import warnings

import pandas as pd
import pytest

from bureau_data import consultation
from bureau_data.errors import DataWarning, SchemaError


def test_respondents_per_theme():
    people = consultation.participants()
    assert people.groupby("theme_number").size().tolist() == [901, 936, 875, 842, 838, 835]
    assert people.groupby("theme", observed=True).size().index.tolist() == list(consultation.THEMES)


def test_declared_sex_of_first_theme():
    first = consultation.participants().query("theme_number == 1")
    assert first["sexe"].value_counts().to_dict() == {"Femme": 668, "Homme": 186, "Inconnu": 47}


def test_respondent_keeps_sex_across_themes():
    people = consultation.participants()
    assert people.groupby("respondent")["sexe"].nunique().max() == 1
    assert people["respondent"].nunique() == 967


def test_one_row_per_chosen_answer():
    answers = consultation.reponses()
    assert len(answers) == 38488
    assert not answers.duplicated(["respondent", "question_id", "option_id", "precision"]).any()
    first = answers[answers.question_number == 1]
    assert first["respondent"].nunique() == 901
    counts = first.groupby("option", observed=True).size()
    assert counts["Lutter contre les violences faites aux femmes et les atteintes à leur dignité"] == 697
    assert counts["Autre"] == 75
    assert counts.idxmax() == "Lutter contre les violences faites aux femmes et les atteintes à leur dignité"


def test_free_text_precision_kept():
    answers = consultation.reponses()
    assert answers["precision"].notna().sum() == 1607
    recommendations = answers[answers.question_number == 38]
    assert recommendations["option"].isna().all()
    # 50 of the 298 answers to the open question 38 were recorded with no text.
    assert recommendations["respondent"].nunique() == 298
    assert recommendations["precision"].notna().sum() == 248
    sample = answers[(answers.respondent == "lpucnGQ=") & (answers.question_id == "16")]
    assert sample["precision"].item().startswith("le langage, la tenue et une certaine façon de danser")


def test_schema_of_answers():
    answers = consultation.reponses()
    assert list(answers.columns) == list(consultation.RESPONSE_COLUMNS)
    assert answers["sexe"].cat.ordered
    assert list(answers["sexe"].cat.categories) == ["Femme", "Homme", "Inconnu"]
    assert answers["respondent"].dtype == "string"
    assert answers["question_number"].between(1, 38).all()
    datasets = [record["dataset"] for record in answers.attrs["provenance"]]
    assert datasets == list(consultation.RESPONSE_DATASETS)


def test_questions_table():
    table = consultation.questions()
    assert table["question_number"].tolist() == list(range(1, 39))
    assert table.groupby("theme_number").size().tolist() == [1, 9, 10, 5, 9, 4]
    first = table.iloc[0]
    assert first["text"].startswith("Quels sont selon vous les domaines")
    assert "<i>" not in first["text"]
    assert "\t" not in first["text"]
    assert table.loc[table.question_number == 10, "open"].item()
    assert not table.loc[table.question_number == 1, "open"].item()
    assert table.loc[table.question_number == 1, "respondents"].item() == 901


def _write(tmp_path, records) -> list:
    paths = []
    for n in range(1, 7):
        path = tmp_path / f"EGALITE{n}.json"
        path.write_text(json.dumps(records if n == 1 else []), encoding="utf-8")
        paths.append(path)
    return paths


def test_skipped_and_duplicated_answers(tmp_path):
    records = [{"id": "a", "sexe": "Femme", "questions": [
        {"id": "7", "titreQuestion": "Question n° 1", "texte": "Q ?", "Reponse": [
            {"critere": {"id": "1", "texte": "Oui"}}, {"critere": {"id": "1", "texte": "Oui"}},
            {"critere": {"id": "11", "texte": "Autre", "precision": "autre chose"}}]},
        {"id": "8", "titreQuestion": "Question n° 2", "texte": "Q2 ?", "Reponse": None},
        {"id": "9", "titreQuestion": "Question n° 3", "texte": "Q3 ?"},
    ]}]
    with pytest.warns(DataWarning, match=r"1 réponse\(s\) enregistrée\(s\) deux fois"):
        tables = consultation._build_responses(_write(tmp_path, records))
    answers = tables["reponses"]
    assert answers["option_id"].tolist() == ["1", "11"]
    assert answers["precision"].isna().tolist() == [True, False]
    assert tables["participants"]["questions_answered"].tolist() == [1]
    assert tables["questions"]["respondents"].tolist() == [1, 0, 0]


def test_unexpected_sex_rejected(tmp_path):
    records = [{"id": "a", "sexe": "F", "questions": []}]
    with pytest.raises(SchemaError, match="sexe 'F' inattendu.*Femme, Homme, Inconnu"):
        consultation._build_responses(_write(tmp_path, records))


def test_missing_field_named(tmp_path):
    records = [{"id": "a", "questions": []}]
    with pytest.raises(SchemaError, match="champ « sexe » absent.*Champs trouvés : id, questions"):
        consultation._build_responses(_write(tmp_path, records))


def test_bad_question_title(tmp_path):
    records = [{"id": "a", "sexe": "Homme", "questions": [{"id": "7", "titreQuestion": "Q1", "texte": "?"}]}]
    with pytest.raises(SchemaError, match="titre de question 'Q1'"):
        consultation._build_responses(_write(tmp_path, records))


def test_not_a_list(tmp_path):
    path = tmp_path / "EGALITE1.json"
    path.write_text('{"id": 1}', encoding="utf-8")
    with pytest.raises(SchemaError, match="liste de répondants est attendue, trouvé dict"):
        consultation._parse_theme(1, path)


def test_crowdsourced_analyses():
    df = consultation.analyses_crowdsourcing()
    assert len(df) == 787
    assert sorted(df["theme_number"].unique().tolist()) == [2, 3, 4, 5]
    assert df.groupby("theme_number").size().to_dict() == {2: 273, 3: 198, 4: 122, 5: 194}
    assert df["pour_une_mesure"].eq(0).all()
    assert df[["analyse_ou_proposition", "description_probleme"]].stack().between(0, 1).all()
    row = df[df.document_id == 623].iloc[0]
    assert row["respondent"] == "lp2XmWo="
    assert row["question_id"] == "40"
    assert row["text"].startswith("Juriste dans un CIDFF")


def test_analyses_link_to_answers():
    df = consultation.analyses_crowdsourcing()
    answers = consultation.reponses()
    keys = set(zip(answers["respondent"], answers["question_id"], strict=True))
    linked = sum((r, q) in keys for r, q in zip(df["respondent"], df["question_id"], strict=True))
    assert linked == len(df)


def test_crowdsourced_syntheses():
    df = consultation.syntheses_crowdsourcing()
    assert len(df) == 1808
    assert df["document_id"].nunique() == 465
    assert df["affirmation"].isna().sum() == 0
    counts = df["affirmation"].value_counts()
    assert counts["des propositions de nouvelles mesures"] == 536
    assert counts["des questions ou demandes d'information"] == 10


def test_cache_hit_is_identical():
    first = consultation.reponses()
    with warnings.catch_warnings():
        warnings.simplefilter("error", DataWarning)
        second = consultation.reponses()
    pd.testing.assert_frame_equal(first, second)
