"""Tests of the dossiers législatifs loader, on the structure reference files."""

from __future__ import annotations

import pandas as pd
import pytest

from bureau_data.assemblee.dossiers import dossiers_from_documents, dossiers_from_path
from bureau_data.errors import DataWarning

REFERENCE = "assemblee/reference_reserialized"


@pytest.fixture(scope="module")
def zam(shared_data):
    return dossiers_from_path(shared_data / REFERENCE / "zam_dossiers_l15")


def test_zam_dossiers(zam):
    dossiers = zam["dossiers"]
    assert list(dossiers.index) == ["DLR5L15N35854", "DLR5L15N36030", "DLR5L15N36159",
                                    "DLR5L15N36460", "DLR5L15N37055"]
    plfss = dossiers.loc["DLR5L15N36030"]
    assert plfss["titre"] == "Sécurité sociale : loi de financement 2018"
    assert plfss["procedure_libelle"] == "Projet de loi de financement de la sécurité sociale"
    assert plfss["initiateurs"] == ["PA345619", "PA607846", "PA717153"]
    assert plfss["legislature"] == 15
    assert plfss["n_actes"] == 97


def test_zam_acts_tree_is_flattened(zam):
    actes = zam["actes"]
    assert len(actes) == 573
    assert actes["profondeur"].value_counts().sort_index().to_dict() == {0: 28, 1: 95, 2: 203, 3: 247}
    assert actes.groupby("dossier_uid").size().to_dict() == {
        "DLR5L15N35854": 285, "DLR5L15N36030": 97, "DLR5L15N36159": 67,
        "DLR5L15N36460": 59, "DLR5L15N37055": 65}
    assert actes.loc[actes["profondeur"] == 0, "parent_uid"].isna().all()
    known = set(actes["uid"])
    assert actes["parent_uid"].dropna().isin(known).all()
    depot = actes[(actes["dossier_uid"] == "DLR5L15N36030") & (actes["code_acte"] == "AN1-DEPOT")].iloc[0]
    assert depot["texte_ref"] == "PRJLANR5L15B0269"
    assert depot["parent_uid"] == "L15-AN1-36030"
    assert depot["date"] == pd.Timestamp("2017-10-11", tz="Europe/Paris")


def test_sample_envelope_warns_on_truncation(shared_data):
    with pytest.warns(DataWarning, match="8 acte"):
        tables = dossiers_from_path(shared_data / REFERENCE / "hackathon_l17/sample_envelopes")
    assert list(tables["dossiers"].index) == ["DLR5L11N19503"]
    assert tables["dossiers"].iloc[0]["initiateurs"] == ["PA294"]


def test_single_act_object_and_text_list():
    record = {"dossierParlementaire": {"uid": "DLR5L17N900001", "legislature": "17",
        "titreDossier": {"titre": "Essai"}, "initiateur": None,
        "actesLegislatifs": {"acteLegislatif": {
            "uid": "L17-AN1-900001", "codeActe": "AN1", "dateActe": None,
            "actesLegislatifs": {"acteLegislatif": {
                "uid": "L17-AN1-DEPOT", "codeActe": "AN1-DEPOT", "dateActe": "2017-12-31+01:00",
                "textesAssocies": {"texteAssocie": [{"refTexteAssocie": "PIONANR5L17B0001"},
                                                    {"refTexteAssocie": "PIONANR5L17B0002"}]},
                "voteRefs": {"voteRef": "VTANR5L17V1"}, "actesLegislatifs": None}}}}}}
    tables = dossiers_from_documents([("d", record)])
    actes = tables["actes"]
    assert list(actes["profondeur"]) == [0, 1]
    assert actes.iloc[1]["texte_ref"] == "PIONANR5L17B0001, PIONANR5L17B0002"
    assert actes.iloc[1]["vote_refs"] == ["VTANR5L17V1"]
    assert actes.iloc[1]["date"] == pd.Timestamp("2017-12-31", tz="Europe/Paris")
    assert tables["dossiers"].iloc[0]["initiateurs"] == []


def test_empty_input_has_columns():
    tables = dossiers_from_documents([])
    assert "code_acte" in tables["actes"].columns
    assert "titre" in tables["dossiers"].columns
