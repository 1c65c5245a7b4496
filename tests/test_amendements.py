"""Tests of the amendements loader and funnel, on the real XVIIth-legislature archive."""

from __future__ import annotations

import json
import zipfile
from collections.abc import Mapping

import pandas as pd
import pytest

from bureau_data.assemblee.amendements import (
    amendements,
    amendements_from_documents,
    amendements_from_path,
    entonnoir_amendements,
    issues_amendements,
)
from bureau_data.errors import DataCheckError, DataWarning, SchemaError

NIL = {"@xmlns:xsi": "http://www.w3.org/2001/XMLSchema-instance", "@xsi:nil": "true"}


@pytest.fixture(scope="module")
def l17(shared_data, session_cache) -> pd.DataFrame:
    # Module fixtures run before the function-scoped settings fixture, so set them here.
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("BUREAU_DATA_LOCAL_DIR", str(shared_data))
        patch.setenv("BUREAU_DATA_CACHE_DIR", str(session_cache))
        patch.delenv("BUREAU_DATA_MANIFEST", raising=False)
        return amendements(17)


def test_l17_has_1925_unique_amendments(l17):
    assert len(l17) == 1925
    assert l17.index.is_unique
    assert l17.index.name == "uid"
    assert l17.attrs["doublons_identiques"] == 0
    assert l17.attrs["provenance"][0]["dataset"] == "assemblee.amendements.l17"


def test_l17_counts_by_sort(l17):
    counts = l17["sort"].value_counts().to_dict()
    assert counts == {"Rejeté": 680, "Adopté": 643, "Tombé": 172, "Retiré": 99, "Non soutenu": 60}
    assert int(l17["sort"].isna().sum()) == 271
    assert isinstance(l17["sort"].dtype, pd.CategoricalDtype)


def test_l17_counts_by_author_type(l17):
    counts = l17["type_auteur"].value_counts().to_dict()
    assert counts == {"Député": 1525, "Rapporteur": 362, "Gouvernement": 38, "Commission": 0}


def test_l17_government_amendments(l17):
    gouvernement = l17[l17["type_auteur"] == "Gouvernement"]
    assert len(gouvernement) == 38
    assert gouvernement["auteur_ref"].isna().all()
    assert gouvernement["groupe_ref"].isna().all()
    assert gouvernement["gouvernement_ref"].notna().all()
    assert gouvernement["sort"].value_counts().to_dict() == {
        "Adopté": 19, "Rejeté": 9, "Tombé": 3, "Retiré": 2, "Non soutenu": 0}


def test_l17_counts_by_text_and_dossier(l17):
    assert l17["texte_ref"].value_counts().to_dict() == {
        "PRJLANR5L17BTC1573": 728, "PRJLANR5L17B1470": 587, "PRJLANR5L17B1112": 505,
        "PIONANR5L17BTC1245": 68, "PIONANR5L17B1105": 37}
    assert l17["dossier_ref"].value_counts().to_dict() == {
        "DLR5L17N51985": 1315, "DLR5L17N50731": 505, "DLR5L15N43846": 105}
    assert l17["stade"].value_counts().to_dict() == {"commission": 1129, "séance": 796}


def test_l17_inadmissibility(l17):
    assert int(l17["irrecevable"].sum()) == 220
    assert l17["irrecevabilite"].value_counts().to_dict() == {
        "article 45": 101, "article 40": 82, "autre": 37}
    assert (l17.loc[l17["etat_code"] == "IR", "etat_libelle"] == "Irrecevable 40").all()


def test_l17_known_records(l17):
    sub = l17.loc["AMANR5L17PO866672B1112P0D1N000482"]
    assert sub["parent_uid"] == "AMANR5L17PO866672B1112P0D1N000125"
    assert sub["sort"] == "Retiré"
    assert sub["cosignataires"] == []
    first = l17.loc["AMANR5L17PO59051B1105P0D1N000001"]
    assert first["numero"] == "CL1"
    assert first["cosignataires"] == ["PA793094", "PA794058", "PA1327", "PA722390"]
    assert first["signataires_libelle"] == "M. Le Fur, M. Ray, Mme Gruet, M. Forissier et Mme Corneloup"
    assert first["sous_etat_libelle"] == "Entonnoir (45)"
    assert first["date_depot"] == pd.Timestamp("2025-03-20", tz="Europe/Paris")
    assert first["article_vise"] == "Article 3 bis"
    rapporteur = l17.loc["AMANR5L17PO59051B1470P0D1N000479"]
    assert rapporteur["type_auteur"] == "Rapporteur"
    assert rapporteur["n_cosignataires"] == len(rapporteur["cosignataires"]) > 1


def test_l17_numero_is_not_a_key(l17):
    assert l17["numero"].duplicated().any()


def test_l17_dates_and_texts(l17):
    assert str(l17["date_sort"].dtype) == "datetime64[ns, Europe/Paris]"
    assert l17["date_depot"].min() == pd.Timestamp("2025-03-20", tz="Europe/Paris")
    assert l17["date_depot"].max() == pd.Timestamp("2025-09-09", tz="Europe/Paris")
    assert l17["date_sort"].max() == pd.Timestamp("2025-09-10 16:17:52", tz="Europe/Paris")
    assert l17["dispositif"].notna().sum() == 1684
    for column in ("dispositif", "expose_sommaire", "signataires_libelle", "cartouche"):
        assert not l17[column].dropna().str.contains("<", regex=False).any(), column


def test_l17_has_no_dict_cell(l17):
    for column in l17.columns:
        assert not l17[column].map(lambda v: isinstance(v, Mapping)).any(), column


def test_l17_funnel_totals(l17):
    funnel = entonnoir_amendements(l17)
    row = funnel.loc["Ensemble"]
    assert row["deposes"] == 1925
    assert row["irrecevables"] == 220
    assert row["recevables"] == 1705
    assert row["retires"] == 150
    assert row["non_soutenus"] == 60
    assert row["tombes"] == 172
    assert row["mis_aux_voix"] == 1323
    assert row["adoptes"] == 643
    assert row["part_adoptes_sur_mis_aux_voix"] == pytest.approx(100 * 643 / 1323)
    assert "dénominateur" in funnel.attrs["method"]
    assert "« Irrecevable 40 »" in funnel.attrs["method"]
    assert "_" not in funnel.attrs["method"]  # written for readers, without column names


def test_l17_funnel_by_author_type(l17):
    funnel = entonnoir_amendements(l17, "type_auteur")
    assert list(funnel.index) == ["Député", "Rapporteur", "Gouvernement", "Ensemble"]
    assert funnel.loc["Gouvernement", "adoptes"] == 19
    assert funnel.loc["Rapporteur", "adoptes"] == 303
    assert funnel.loc["Député", "irrecevables_article_40"] == 78
    assert funnel.loc["Ensemble", "deposes"] == funnel.drop("Ensemble")["deposes"].sum()


def test_funnel_logs_its_method(l17, tmp_path, monkeypatch):
    log = tmp_path / "provenance.jsonl"
    monkeypatch.setenv("BUREAU_DATA_PROVENANCE_LOG", str(log))
    entonnoir_amendements(l17.head(10), "groupe_ref")
    lines = [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines()]
    assert lines[-1]["key"] == "assemblee.amendements.entonnoir"


def test_issues_are_exclusive(l17):
    issues = issues_amendements(l17)
    assert issues.value_counts().sum() == 1925
    assert issues.value_counts()["retiré"] == 150


# --- C04: field names and archive layout change between exports ---------------------------

UID3 = "AMANR5L16PO900020B0001P0D1N000003"
UID4 = "AMANR5L16PO900020B0001P0D1N000004"
C04_A = {"uid": UID3, "signataires": {"auteur": {"acteurRef": "PA900001", "groupePolitiqueRef": "PO900010",
                                                 "typeAuteur": "Député"}},
         "corps": {"contenuAuteur": {"dispositif": "<p>Supprimer l'alinéa 2.</p>"}}}
C04_B = {"uid": UID4, "signataires": {"auteur": {"acteur": "PA900002", "groupePolitique": "PO900011",
                                                 "typeAuteur": "Député"}},
         "corps": {"tableau": "…"}}


def _zip(path, members):
    with zipfile.ZipFile(path, "w") as archive:
        for name, content in members.items():
            archive.writestr(name, json.dumps(content))
    return path


def test_c04_both_layouts_give_same_columns(tmp_path):
    archive = _zip(tmp_path / "amendements.zip", {
        f"DLR5L16N900001/{UID3}.json": {"amendement": C04_A},
        f"DLR5L16N900001/{UID4}.json": {"amendement": C04_B},
    })
    legacy = tmp_path / "Amendements_XIV.json"
    legacy.write_text(json.dumps({"textesEtAmendements": {"texteleg": [
        {"refTexteLegislatif": "PRJLANR5L16B0001", "amendements": {"amendement": [C04_A, C04_B]}}]}}))

    with pytest.warns(DataWarning):
        from_zip = amendements_from_path(archive)
    with pytest.warns(DataWarning):
        from_legacy = amendements_from_path(legacy)

    assert list(from_zip.columns) == list(from_legacy.columns)
    for df in (from_zip, from_legacy):
        assert list(df.index) == [UID3, UID4]
        assert list(df["auteur_ref"]) == ["PA900001", "PA900002"]
        assert list(df["groupe_ref"]) == ["PO900010", "PO900011"]
        assert df.loc[UID3, "dispositif"] == "Supprimer l'alinéa 2."
        assert pd.isna(df.loc[UID4, "dispositif"])
        assert df.loc[UID4, "corps_autres_champs"] == "tableau"
    assert list(from_zip["dossier_ref"]) == ["DLR5L16N900001", "DLR5L16N900001"]
    assert list(from_legacy["texte_ref"]) == ["PRJLANR5L16B0001", "PRJLANR5L16B0001"]


def test_c04_legacy_single_amendment_object(tmp_path):
    legacy = tmp_path / "Amendements_XIV.json"
    record = {"uid": "AMANR5L14PO900020B0001P0D1N000001", "numeroLong": "12",
              "identifiant": {"numero": "12", "legislature": "14", "saisine": {
                  "refTexteLegislatif": "PRJLANR5L14B0001", "organeExamen": "PO900020"}},
              "signataires": {"auteur": {"typeAuteur": "Gouvernement", "acteurRef": None,
                                         "groupePolitiqueRef": None, "organeRef": "PO900030"},
                              "cosignataires": None, "texteAffichable": "Le Gouvernement"},
              "dateDepot": "2014-05-06", "dateDistribution": None, "etat": "Irrecevable",
              "sort": {"dateSaisie": "2014-05-07", "sortEnSeance": "Non soutenu"},
              "corps": {"dispositif": "<p>Texte</p>", "exposeSommaire": "<p>Motif</p>"}}
    legacy.write_text(json.dumps({"textesEtAmendements": {"texteleg": {
        "refTexteLegislatif": "PRJLANR5L14B0001", "amendements": {"amendement": record}}}}))
    df = amendements_from_path(legacy)
    row = df.iloc[0]
    assert row["legislature"] == 14
    assert row["numero"] == "12"
    assert row["texte_ref"] == "PRJLANR5L14B0001"
    assert row["organe_examen_ref"] == "PO900020"
    assert row["auteur_organe_ref"] == "PO900030"
    assert row["type_auteur"] == "Gouvernement"
    assert row["sort"] == "Non soutenu"
    assert row["irrecevable"]
    assert row["date_sort"] == pd.Timestamp("2014-05-07", tz="Europe/Paris")
    assert row["expose_sommaire"] == "Motif"


def test_c04_missing_field_warns_with_uid(tmp_path):
    record = {"uid": "AMANR5L16PO900020B0001P0D1N000009", "texteLegislatifRef": "PRJLANR5L16B0001",
              "identification": {"numeroLong": "9"},
              "signataires": {"auteur": {"typeAuteur": "Député"}},
              "cycleDeVie": {"dateDepot": "2023-02-01", "sort": NIL}}
    with pytest.warns(DataWarning, match=r"AMANR5L16PO900020B0001P0D1N000009.*auteur_ref.*groupe_ref"):
        df = amendements_from_documents([("a.json", {"amendement": record})])
    assert len(df) == 1
    assert pd.isna(df.iloc[0]["auteur_ref"])


def test_unknown_root_raises():
    with pytest.raises(SchemaError, match="textesEtAmendements"):
        amendements_from_documents([("x.json", {"scrutin": {}})])


# --- C03: xsi:nil and #text ----------------------------------------------------------------

def test_c03_nil_values_and_sorting():
    first = {"uid": "AMANR5L16PO900020B0001P0D1N000002", "numeroParent": NIL, "amendementParentRef": NIL,
             "cycleDeVie": {"sort": NIL, "dateDepot": NIL},
             "signataires": {"auteur": {"acteurRef": {"@xsi:type": "IdActeur_type", "#text": "PA900001"},
                                        "groupePolitiqueRef": NIL, "groupeTribunId": NIL}}}
    second = {"uid": "AMANR5L16PO900020B0001P0D1N000003", "cycleDeVie": {"dateDepot": "2023-02-01"}}
    with pytest.warns(DataWarning):
        df = amendements_from_documents([("a", {"amendement": first}), ("b", {"amendement": second})])
    assert df.iloc[0]["auteur_ref"] == "PA900001"
    assert pd.isna(df.iloc[0]["groupe_ref"])
    assert pd.isna(df.iloc[0]["sort"])
    assert pd.isna(df.iloc[0]["parent_uid"])
    assert df["date_depot"].dtype.kind == "M"
    ordered = df.sort_values("date_depot")
    assert list(ordered.index) == ["AMANR5L16PO900020B0001P0D1N000003", "AMANR5L16PO900020B0001P0D1N000002"]
    for column in df.columns:
        assert not df[column].map(lambda v: isinstance(v, Mapping)).any(), column


def test_nested_object_in_text_field_is_reported():
    record = {"uid": "AMANR5L16PO900020B0001P0D1N000005",
              "identification": {"numeroLong": {"inattendu": "1"}}}
    with pytest.warns(DataWarning, match="numero"):
        df = amendements_from_documents([("a", {"amendement": record})])
    assert pd.isna(df.iloc[0]["numero"])


def test_unknown_sort_is_kept_raw():
    record = {"uid": "AMANR5L16PO900020B0001P0D1N000006", "cycleDeVie": {"sort": "Satisfait"}}
    with pytest.warns(DataWarning, match="Satisfait"):
        df = amendements_from_documents([("a", {"amendement": record})])
    assert pd.isna(df.iloc[0]["sort"])
    assert df.iloc[0]["sort_brut"] == "Satisfait"


def test_sort_is_normalised_nfd_and_case():
    for raw in ("ADOPTE\u0301", "adopte\u0301", " Adopté "):
        record = {"uid": "AMANR5L16PO900020B0001P0D1N000007", "cycleDeVie": {"sort": raw}}
        with pytest.warns(DataWarning, match="orthographe"):
            df = amendements_from_documents([("a", {"amendement": record})])
        assert df.iloc[0]["sort"] == "Adopté"


# --- C05: duplicates, numero is not a key ---------------------------------------------------

def _c05_record(uid, texte, chronotag="1"):
    return {"uid": uid, "chronotag": chronotag, "texteLegislatifRef": texte,
            "identification": {"numeroLong": "1"},
            "signataires": {"auteur": {"typeAuteur": "Député", "acteurRef": "PA900001",
                                       "groupePolitiqueRef": "PO900010"}},
            "cycleDeVie": {"dateDepot": "2023-02-01", "sort": "Rejeté"}}


def test_c05_identical_duplicates_collapse():
    one = _c05_record("AMANR5L16PO900020B0001P0D1N000001", "PRJLANR5L16B0001")
    other = _c05_record("AMANR5L16PO900020B0002P0D1N000001", "PRJLANR5L16B0002")
    documents = [("a", {"amendement": one}), ("b", {"amendement": dict(one)}), ("c", {"amendement": other})]
    with pytest.warns(DataWarning, match="1 doublon"):
        df = amendements_from_documents(documents)
    assert len(df) == 2
    assert df.index.is_unique
    assert df.attrs["doublons_identiques"] == 1
    assert df.groupby("auteur_ref").size().to_dict() == {"PA900001": 2}
    assert list(df["numero"]) == ["1", "1"]


def test_c05_differing_copies_raise():
    one = _c05_record("AMANR5L16PO900020B0001P0D1N000001", "PRJLANR5L16B0001", chronotag="1")
    changed = _c05_record("AMANR5L16PO900020B0001P0D1N000001", "PRJLANR5L16B0001", chronotag="2")
    changed["cycleDeVie"]["sort"] = "Adopté"
    documents = [("a", {"amendement": one}), ("b", {"amendement": changed})]
    with pytest.raises(DataCheckError, match="AMANR5L16PO900020B0001P0D1N000001"):
        amendements_from_documents(documents)
    with pytest.warns(DataWarning, match="chronotag"):
        df = amendements_from_documents(documents, on_conflict="latest")
    assert df.iloc[0]["sort"] == "Adopté"
    assert df.attrs["doublons_differents"] == 1


def test_c05_differing_copies_without_order_raise_even_with_latest():
    one = _c05_record("AMANR5L16PO900020B0001P0D1N000001", "PRJLANR5L16B0001", chronotag="5")
    changed = _c05_record("AMANR5L16PO900020B0001P0D1N000001", "PRJLANR5L16B0001", chronotag="5")
    changed["cycleDeVie"]["sort"] = "Adopté"
    with pytest.raises(DataCheckError):
        amendements_from_documents([("a", {"amendement": one}), ("b", {"amendement": changed})],
                                   on_conflict="latest")


def test_empty_input_has_declared_columns():
    df = amendements_from_documents([])
    assert len(df) == 0
    assert "sort" in df.columns
    assert isinstance(df["sort"].dtype, pd.CategoricalDtype)
    assert str(df["date_depot"].dtype) == "datetime64[ns, Europe/Paris]"


def test_hostile_amendment_text_is_plain():
    record = {"uid": "AMANR5L16PO900020B0001P0D1N000008",
              "corps": {"contenuAuteur": {
                  "dispositif": "<p>Supprimer<script>alert(1)</script> l&#8217;alinéa</p>",
                  "exposeSommaire": "<img src=x onerror=alert(1)><a href='javascript:x()'>Motif</a>"}}}
    with pytest.warns(DataWarning):
        df = amendements_from_documents([("a", {"amendement": record})])
    assert df.iloc[0]["dispositif"] == "Supprimer l’alinéa"
    assert df.iloc[0]["expose_sommaire"] == "Motif"
