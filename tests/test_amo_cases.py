"""AMO loaders on small invented archives: XML-to-JSON quirks, schema drift, group history.

Each test writes a zip in the layout of an official export, maps it to a catalogue
dataset through a temporary manifest, and reads it through the public loaders.
"""

from __future__ import annotations

import json
import zipfile
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from bureau_data.assemblee import amo
from bureau_data.errors import DataWarning, SchemaError

NIL = {"@xmlns:xsi": "http://www.w3.org/2001/XMLSchema-instance", "@xsi:nil": "true"}
NS = "http://schemas.assemblee-nationale.fr/referentiel"


def acteur(uid: str, nom: str, *, civ: str = "Mme", mandats: Any = None, variant_2019: bool = False) -> dict:
    """Return an acteur document; ``mandats`` None gives an AMO50 acteur without mandates."""
    uid_obj: dict[str, Any] = {"@xmlns:xsi": NIL["@xmlns:xsi"], "@xsi:type": "IdActeur_type", "#text": uid}
    etat_civil: dict[str, Any] = {
        "ident": {"civ": civ, "prenom": "Camille", "nom": nom, "alpha": nom, "trigramme": "CXX"},
        "infoNaissance": {"dateNais": "1980-01-31", "villeNais": "Nulle-Part", "depNais": NIL, "paysNais": "France"},
        "dateDeces": NIL,
    }
    body: dict[str, Any] = {"uid": uid_obj, "etatCivil": etat_civil,
                            "profession": {"libelleCourant": NIL, "socProcINSEE": NIL},
                            "uri_hatvp": NIL, "adresses": NIL}
    if variant_2019:
        uid_obj["@xmlns"] = NS
        etat_civil["@xmlns"] = NS
    else:
        body = {"@xmlns": NS, **body}
    if mandats is not None:
        body["mandats"] = {"mandat": mandats}
    return {"acteur": body}


def mandat_depute(uid: str, acteur_uid: str, *, debut: str, prise: str | None, fin: str | None,
                  dep: str = "01", circo: str = "1", remplace: str | None = None) -> dict:
    return {
        "@xsi:type": "MandatParlementaire_type", "uid": uid, "acteurRef": acteur_uid,
        "legislature": "16", "typeOrgane": "ASSEMBLEE", "dateDebut": debut, "datePublication": None,
        "dateFin": fin, "preseance": "50", "nominPrincipale": "1",
        "infosQualite": {"codeQualite": "membre", "libQualite": "membre", "libQualiteSex": "membre"},
        "organes": {"organeRef": "PO900001"},
        "suppleants": {"suppleant": {"dateDebut": debut, "dateFin": None, "suppleantRef": "PA909999"}},
        "election": {"lieu": {"region": "Auvergne-Rhône-Alpes", "regionType": "Métropolitain",
                              "departement": "Ain", "numDepartement": dep, "numCirco": circo},
                     "causeMandat": "élections générales", "refCirconscription": "PO900099"},
        "mandature": {"datePriseFonction": prise, "causeFin": None, "premiereElection": "1",
                      "placeHemicycle": "007", "mandatRemplaceRef": remplace},
        "collaborateurs": [None, None],
    }


def mandat_gp(uid: str, acteur_uid: str, groupe: str, *, debut: str, fin: str | None,
              qualite: str = "Membre") -> dict:
    return {
        "@xsi:type": "MandatSimple_Type", "uid": uid, "acteurRef": acteur_uid, "legislature": "16",
        "typeOrgane": "GP", "dateDebut": debut, "datePublication": NIL, "dateFin": fin,
        "preseance": "20", "nominPrincipale": "1",
        "infosQualite": {"codeQualite": qualite, "libQualite": qualite, "libQualiteSex": qualite},
        "organes": {"organeRef": groupe},
    }


def organe(uid: str, code_type: str, sigle: str, *, debut: str = "2022-06-28") -> dict:
    return {"organe": {
        "@xsi:type": "GroupePolitique_type", "uid": uid, "codeType": code_type,
        "libelle": f"Groupe {sigle}", "libelleEdition": NIL, "libelleAbrege": sigle, "libelleAbrev": sigle,
        "viMoDe": {"dateDebut": debut, "dateAgrement": None, "dateFin": NIL}, "organeParent": None,
        "regime": "5ème République", "legislature": "16", "secretariat": NIL,
        "positionPolitique": "Opposition", "preseance": "3", "couleurAssociee": "#123456",
    }}


BASE_ORGANES = {
    "json/organe/PO900001.json": organe("PO900001", "ASSEMBLEE", "AN", debut="2022-06-22"),
    "json/organe/PO900010.json": organe("PO900010", "GP", "ROUGE"),
    "json/organe/PO900011.json": organe("PO900011", "GP", "BLEU"),
    "json/organe/PO900012.json": organe("PO900012", "GP", "NI", debut="2022-06-22"),
}


def write_archive(folder: Path, name: str, members: dict[str, Any]) -> Path:
    path = folder / name
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for member, doc in members.items():
            zf.writestr(member, doc if isinstance(doc, (str, bytes)) else json.dumps(doc))
    return path


@pytest.fixture
def local_amo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """Return a function mapping dataset ids to invented archives, through a manifest."""

    def install(archives: dict[str, dict[str, Any]]) -> None:
        lines = ["[files]"]
        for dataset_id, members in archives.items():
            filename = dataset_id.replace(".", "_") + ".zip"
            write_archive(tmp_path, filename, members)
            lines.append(f'"{dataset_id}" = "{filename}"')
        manifest = tmp_path / "manifest.toml"
        manifest.write_text("\n".join(lines) + "\n", encoding="utf-8")
        monkeypatch.setenv("BUREAU_DATA_LOCAL_DIR", str(tmp_path))
        monkeypatch.setenv("BUREAU_DATA_MANIFEST", str(manifest))

    return install


def no_dict_cells(df: pd.DataFrame) -> None:
    for column in df.columns:
        for value in df[column]:
            assert not isinstance(value, dict), f"dict dans la colonne {column} : {value!r}"


# -- XML-to-JSON shapes ----------------------------------------------------------------


def test_lone_objects_nil_and_text_uid(local_amo):
    # The single mandate is an object instead of a list, organeRef is a list, and many
    # fields are xsi:nil objects.
    lone = mandat_depute("PM900001", "PA900001", debut="2022-06-19", prise="2022-06-22", fin=None)
    lone["organes"] = {"organeRef": ["PO900001", "PO900002"]}
    local_amo({"assemblee.amo.l16": {
        "json/acteur/PA900001.json": acteur("PA900001", "Lorem", mandats=lone, variant_2019=True),
        **BASE_ORGANES,
    }})
    df = amo.deputes(16, "2023-01-01")
    assert df["uid"].tolist() == ["PA900001"]
    assert df["place_hemicycle"].tolist() == [7]
    assert df["sexe"].tolist() == ["F"]
    assert df["profession"].isna().all()
    assert df["groupe_uid"].isna().all()
    no_dict_cells(df)

    mandates = amo.mandats(16)
    assert mandates["organes_uids"].tolist() == [["PO900001", "PO900002"]]
    assert mandates["organe_uid"].tolist() == ["PO900001"]
    no_dict_cells(amo.organes(16))


def test_divided_export_joins_mandates_and_fallback_names(local_amo):
    # AMO50 keeps mandates in their own files. PA900002 has no acteur file there, so its
    # name comes from the AMO10 archive.
    local_amo({
        "assemblee.amo.l17.divise": {
            "json/acteur/PA900001.json": acteur("PA900001", "Ipsum"),
            "json/mandat/PM900001.json": {"mandat": {**mandat_depute(
                "PM900001", "PA900001", debut="2024-07-07", prise="2024-07-08", fin=None), "legislature": "17"}},
            "json/mandat/PM900002.json": {"mandat": {**mandat_depute(
                "PM900002", "PA900002", debut="2024-07-07", prise="2024-07-08", fin=None, circo="2"),
                "legislature": "17"}},
            "json/pays/GOP900001.json": {"pays": {"uid": "GOP900001"}},
        },
        "assemblee.amo.l17": {
            "json/acteur/PA900002.json": acteur("PA900002", "Dolor", civ="M.", mandats=[]),
            **BASE_ORGANES,
        },
    })
    df = amo.deputes(17, source="amo50").set_index("uid")
    assert df.loc["PA900001", "nom"] == "Ipsum"
    assert df.loc["PA900002", "nom"] == "Dolor"
    assert df.loc["PA900002", "sexe"] == "H"


# -- schema drift -------------------------------------------------------------------------


def test_missing_required_field_names_member_and_path(local_amo):
    broken = acteur("PA900001", "Lorem", mandats=[])
    del broken["acteur"]["etatCivil"]["ident"]["nom"]
    local_amo({"assemblee.amo.l16": {"json/acteur/PA900001.json": broken, **BASE_ORGANES}})
    with pytest.raises(SchemaError, match=r"json/acteur/PA900001\.json.*etatCivil\.ident\.nom") as info:
        amo.deputes(16)
    assert info.value.field == "etatCivil.ident.nom"
    assert info.value.found == "absent"
    assert "json/acteur/PA900001.json" in info.value.path


def test_missing_mandate_start_raises(local_amo):
    bad = mandat_depute("PM900001", "PA900001", debut="2022-06-19", prise=None, fin=None)
    del bad["dateDebut"]
    local_amo({"assemblee.amo.l16": {
        "json/acteur/PA900001.json": acteur("PA900001", "Lorem", mandats=[bad]), **BASE_ORGANES,
    }})
    with pytest.raises(SchemaError, match="dateDebut"):
        amo.mandats(16)


def test_malformed_date_raises(local_amo):
    bad = mandat_depute("PM900001", "PA900001", debut="19/06/2022", prise=None, fin=None)
    local_amo({"assemblee.amo.l16": {
        "json/acteur/PA900001.json": acteur("PA900001", "Lorem", mandats=[bad]), **BASE_ORGANES,
    }})
    with pytest.raises(SchemaError, match="'19/06/2022' au lieu d'une date AAAA-MM-JJ") as info:
        amo.mandats(16)
    assert info.value.field == "acteur.mandats.mandat.dateDebut"


def test_uid_as_object_without_text_raises(local_amo):
    broken = acteur("PA900001", "Lorem", mandats=[])
    broken["acteur"]["uid"] = {"id": "PA900001"}
    local_amo({"assemblee.amo.l16": {"json/acteur/PA900001.json": broken, **BASE_ORGANES}})
    with pytest.raises(SchemaError, match="acteur.uid est un\\(e\\) objet"):
        amo.deputes(16)


def test_invalid_json_member_raises(local_amo):
    local_amo({"assemblee.amo.l16": {"json/acteur/PA900001.json": '{"acteur": {', **BASE_ORGANES}})
    with pytest.raises(SchemaError, match="PA900001.json : JSON invalide") as info:
        amo.deputes(16)
    assert "a passé son contrôle d'intégrité (CRC)" in str(info.value)
    assert "vider" not in str(info.value)


def test_unknown_civilite_warns(local_amo):
    local_amo({"assemblee.amo.l16": {
        "json/acteur/PA900001.json": acteur("PA900001", "Lorem", civ="Dr", mandats=[]), **BASE_ORGANES,
    }})
    with pytest.warns(DataWarning, match="civilité inconnue pour 1 acteur"):
        amo.mandats(16)


# -- group history --------------------------------------------------------------------------


def history_archive() -> dict[str, Any]:
    """Four deputies of an invented 16th legislature with every kind of group history.

    - PA900001 presides ROUGE: two open GP mandates (Président and Membre).
    - PA900002 leaves ROUGE on 2023-03-31 and joins BLEU on 2023-04-01.
    - PA900003 leaves ROUGE and joins BLEU the same day, 2023-05-10.
    - PA900004 became a minister: its seat (01-4) goes to the substitute PA900005 on
      2022-08-05; the minister is back on 2023-02-01 with a one-day NI mandate, then BLEU.
    """
    gp = mandat_gp
    return {
        "json/acteur/PA900001.json": acteur("PA900001", "Un", mandats=[
            mandat_depute("PM1", "PA900001", debut="2022-06-19", prise="2022-06-22", fin=None, circo="1"),
            gp("PM11", "PA900001", "PO900010", debut="2022-06-29", fin=None, qualite="Président"),
            gp("PM12", "PA900001", "PO900010", debut="2022-06-29", fin=None),
        ]),
        "json/acteur/PA900002.json": acteur("PA900002", "Deux", mandats=[
            mandat_depute("PM2", "PA900002", debut="2022-06-19", prise="2022-06-22", fin=None, circo="2"),
            gp("PM21", "PA900002", "PO900010", debut="2022-06-29", fin="2023-03-31"),
            gp("PM22", "PA900002", "PO900011", debut="2023-04-01", fin=None, qualite="Membre apparenté"),
        ]),
        "json/acteur/PA900003.json": acteur("PA900003", "Trois", mandats=[
            mandat_depute("PM3", "PA900003", debut="2022-06-19", prise="2022-06-22", fin=None, circo="3"),
            gp("PM31", "PA900003", "PO900010", debut="2022-06-29", fin="2023-05-10"),
            gp("PM32", "PA900003", "PO900011", debut="2023-05-10", fin=None),
        ]),
        "json/acteur/PA900004.json": acteur("PA900004", "Quatre", mandats=[
            mandat_depute("PM4", "PA900004", debut="2022-06-19", prise="2022-06-22", fin="2022-08-04", circo="4"),
            mandat_depute("PM4B", "PA900004", debut="2022-06-19", prise="2023-02-01", fin=None, circo="4",
                          remplace="PM4"),
            gp("PM41", "PA900004", "PO900010", debut="2022-06-29", fin="2022-08-04"),
            gp("PM42", "PA900004", "PO900012", debut="2023-02-01", fin="2023-02-01", qualite="Député non-inscrit"),
            gp("PM43", "PA900004", "PO900011", debut="2023-02-02", fin=None),
        ]),
        "json/acteur/PA900005.json": acteur("PA900005", "Cinq", mandats=[
            # Taking office is missing here: the start falls back on dateDebut.
            mandat_depute("PM5", "PA900005", debut="2022-08-05", prise=None, fin="2023-01-31", circo="4"),
            gp("PM51", "PA900005", "PO900010", debut="2022-08-05", fin="2023-01-31"),
        ]),
        **BASE_ORGANES,
    }


def seats(day: str) -> dict[str, tuple[int, str]]:
    df = amo.deputes(16, day)
    return {row.uid: (row.circonscription, row.groupe_sigle) for row in df.itertuples()}


def test_group_president_has_one_group(local_amo):
    local_amo({"assemblee.amo.l16": history_archive()})
    df = amo.groupe_a_la_date(16, "2023-01-15").set_index("acteur_uid")
    assert df.loc["PA900001", "groupe_sigle"] == "ROUGE"
    assert df.loc["PA900001", "qualite"] == "Président"
    assert df.index.is_unique
    intervals = amo.appartenances_groupes(16)
    assert (intervals["acteur_uid"] == "PA900001").sum() == 2


def test_group_change_during_term(local_amo):
    local_amo({"assemblee.amo.l16": history_archive()})
    assert seats("2023-03-31")["PA900002"] == (2, "ROUGE")
    assert seats("2023-04-01")["PA900002"] == (2, "BLEU")
    row = amo.groupe_a_la_date(16, "2023-04-01").set_index("acteur_uid").loc["PA900002"]
    assert row["qualite"] == "Membre apparenté"
    assert row["date_debut"] == pd.Timestamp("2023-04-01")


def test_same_day_group_change_counts_new_group(local_amo):
    local_amo({"assemblee.amo.l16": history_archive()})
    assert seats("2023-05-09")["PA900003"] == (3, "ROUGE")
    assert seats("2023-05-10")["PA900003"] == (3, "BLEU")


@pytest.mark.parametrize(
    ("day", "uid", "group"),
    [
        ("2022-06-21", None, None),  # elected, not yet in office
        ("2022-06-28", "PA900004", None),  # in office, groups not formed yet
        ("2022-08-04", "PA900004", "ROUGE"),  # last day before the government
        ("2022-08-05", "PA900005", "ROUGE"),  # substitute, start from dateDebut
        ("2023-01-31", "PA900005", "ROUGE"),  # substitute's last day
        ("2023-02-01", "PA900004", "NI"),  # back, one-day non-inscrit mandate
        ("2023-02-02", "PA900004", "BLEU"),
        ("2030-01-01", "PA900004", "BLEU"),  # open mandates stay open after the export
    ],
)
def test_minister_substitute_and_one_day_mandate(local_amo, day, uid, group):
    local_amo({"assemblee.amo.l16": history_archive()})
    df = amo.deputes(16, day)
    seat = df[df["circonscription"] == 4]
    if uid is None:
        assert seat.empty
        return
    assert seat["uid"].tolist() == [uid]
    if group is None:
        assert seat["groupe_sigle"].isna().all()
    else:
        assert seat["groupe_sigle"].tolist() == [group]


def test_returning_minister_columns(local_amo):
    local_amo({"assemblee.amo.l16": history_archive()})
    row = amo.deputes(16, "2023-06-01").set_index("uid").loc["PA900004"]
    assert row["date_election"] == pd.Timestamp("2022-06-19")
    assert row["debut_mandat"] == pd.Timestamp("2023-02-01")
    assert row["mandat_remplace_uid"] == "PM4"
    assert pd.isna(row["fin_mandat"])


def test_default_date_of_open_export(local_amo):
    local_amo({"assemblee.amo.l16": history_archive()})
    df = amo.deputes(16)
    assert df.attrs["date"] == "2023-05-10"
    assert sorted(df["uid"]) == ["PA900001", "PA900002", "PA900003", "PA900004"]


def test_two_deputies_on_one_seat_warns(local_amo):
    archive = history_archive()
    # An invented overlap: the substitute's mandate ends after the minister's return.
    archive["json/acteur/PA900005.json"]["acteur"]["mandats"]["mandat"][0]["dateFin"] = "2023-02-10"
    local_amo({"assemblee.amo.l16": archive})
    with pytest.warns(DataWarning, match="1 circonscription.*01-4"):
        amo.deputes(16, "2023-02-05")


def test_group_missing_from_organes_warns(local_amo):
    archive = history_archive()
    del archive["json/organe/PO900011.json"]
    local_amo({"assemblee.amo.l16": archive})
    with pytest.warns(DataWarning, match="PO900011"):
        df = amo.deputes(16, "2023-06-01")
    assert df.set_index("uid").loc["PA900002", "groupe_uid"] == "PO900011"
