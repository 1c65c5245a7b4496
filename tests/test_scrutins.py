"""Tests of the scrutins loaders: real archives of three legislatures, and hand-made quirks."""

from __future__ import annotations

import functools
import json
import unicodedata
import warnings
import zipfile
from pathlib import Path

import pandas as pd
import pytest

from bureau_data.assemblee import scrutins as S
from bureau_data.assemblee.scrutins import (
    NumberingGapWarning,
    ScrutinsSchemaWarning,
    UnknownSortWarning,
    UnresolvedReferenceWarning,
    VoteCountMismatchWarning,
)
from bureau_data.errors import ConfigurationError, SchemaError

SAMPLES = Path(__file__).resolve().parent.parent.parent / "shared" / "data" / "assemblee" / "samples" / "scrutins"
NIL = {"@xmlns:xsi": "http://www.w3.org/2001/XMLSchema-instance", "@xsi:nil": "true"}


@functools.cache
def _tables(legislature: int) -> dict[str, pd.DataFrame]:
    # Loaded once per session; the conftest's session cache keeps the Parquet files.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return S.load_tables(legislature)


def _read(documents: list[tuple[str, dict]]) -> dict[str, pd.DataFrame]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return S.read_documents(documents)


def _voter(acteur: str, **extra: str) -> dict:
    return {"acteurRef": acteur, "mandatRef": acteur.replace("PA", "PM"), "parDelegation": "false", **extra}


def _scrutin(numero: int, groupes, *, sort: str = "adopté", synthese: dict | None = None,
             legislature: int = 16, **fields) -> tuple[str, dict]:
    """Build a minimal scrutin document; ``groupes`` is the value of ``groupes.groupe``."""
    uid = f"VTANR5L{legislature}V90000{numero}"
    doc = {"scrutin": {
        "uid": uid, "numero": str(numero), "legislature": str(legislature), "dateScrutin": "2023-02-01",
        "typeVote": {"codeTypeVote": "SPO", "libelleTypeVote": "scrutin public ordinaire"},
        "sort": {"code": sort, "libelle": "…"},
        "titre": f"scrutin {numero}",
        "syntheseVote": synthese or {},
        "ventilationVotes": {"organe": {"organeRef": "PO900001", "groupes": {"groupe": groupes}}},
        **fields,
    }}
    return f"json/{uid}.json", doc


def _groupe(organe: str, *, pours=None, contres=None, abstentions=None, non_votants=None,
            decompte: dict | None = None, membres: str = "10") -> dict:
    def section(voters):
        return None if voters is None else {"votant": voters}

    return {"organeRef": organe, "nombreMembresGroupe": membres, "vote": {
        "positionMajoritaire": "pour",
        "decompteVoix": decompte or {},
        "decompteNominatif": {"pours": section(pours), "contres": section(contres),
                              "abstentions": section(abstentions), "nonVotants": section(non_votants)},
    }}


# --- real archives -------------------------------------------------------------------------


@pytest.mark.parametrize(("legislature", "total", "adopted", "rejected", "positions", "mises_au_point"), [
    (17, 3876, 1444, 2432, 649410, 1670),
    (16, 3711, 1360, 2351, 560512, 1809),
    (15, 804, 301, 503, 68944, 453),
])
def test_archive_counts(legislature, total, adopted, rejected, positions, mises_au_point):
    tables = _tables(legislature)
    df = tables["scrutins"]
    assert len(df) == total
    assert df["uid"].is_unique
    assert int(df["adopte"].sum()) == adopted
    assert int((~df["adopte"]).sum()) == rejected
    assert df["adopte"].notna().all()
    assert len(tables["positions"]) == positions
    assert len(tables["mises_au_point"]) == mises_au_point


@pytest.mark.parametrize("legislature", [15, 16, 17])
def test_declared_dtypes(legislature):
    tables = _tables(legislature)
    for name, declared in (("scrutins", S.SCRUTINS_COLUMNS), ("positions", S.POSITIONS_COLUMNS),
                           ("decomptes_groupes", S.DECOMPTES_GROUPES_COLUMNS),
                           ("mises_au_point", S.MISES_AU_POINT_COLUMNS)):
        df = tables[name]
        assert {column: str(dtype) for column, dtype in df.dtypes.items()} == declared, name
        assert not df.astype(object).map(lambda value: isinstance(value, dict | list)).any().any(), name


def test_empty_input_keeps_schema():
    tables = _read([])
    for name, declared in (("scrutins", S.SCRUTINS_COLUMNS), ("positions", S.POSITIONS_COLUMNS),
                           ("decomptes_groupes", S.DECOMPTES_GROUPES_COLUMNS),
                           ("mises_au_point", S.MISES_AU_POINT_COLUMNS)):
        assert {column: str(dtype) for column, dtype in tables[name].dtypes.items()} == declared, name
        assert tables[name].empty


def test_l17_type_codes_and_order():
    df = _tables(17)["scrutins"]
    assert df["type_vote_code"].value_counts().to_dict() == {"SPO": 3833, "SPS": 31, "MOC": 12}
    assert df["uid"].iloc[0] == "VTANR5L17V1"
    assert df["uid"].iloc[-1] == "VTANR5L17V3876"
    assert df["numero"].is_monotonic_increasing
    assert df["date"].min() == pd.Timestamp("2024-10-08")
    assert df["date"].max() == pd.Timestamp("2025-11-17")
    assert df.attrs["numeros_manquants"] == []


def test_l17_motion_de_censure_v1():
    # A motion de censure records only the votes for it: 197 for and 0 against, yet rejected.
    row = _tables(17)["scrutins"].set_index("uid").loc["VTANR5L17V1"]
    assert row["type_vote_code"] == "MOC"
    assert (row["pour"], row["contre"], row["majorite_requise"]) == (197, 0, 289)
    assert row["sort_code"] == "rejeté"
    assert not row["adopte"]


def test_l17_v1_count_mismatch_reported():
    # V1 lists 21 non-voting deputies by group, its syntheseVote announces 10.
    attrs = _tables(17)["scrutins"].attrs
    assert attrs["ecarts_decompte"] == [{
        "scrutin_uid": "VTANR5L17V1", "niveau": "scrutin", "groupe_uid": None, "champ": "non_votants",
        "publie": 10, "calcule": 21,
    }]


def test_l16_group_mismatches_reported():
    assert _tables(16)["scrutins"].attrs["ecarts_decompte"] == [
        {"scrutin_uid": "VTANR5L16V1927", "niveau": "groupe", "groupe_uid": "PO800502", "champ": "contre",
         "publie": 3, "calcule": 2},
        {"scrutin_uid": "VTANR5L16V1929", "niveau": "groupe", "groupe_uid": "PO800502", "champ": "pour",
         "publie": 3, "calcule": 2},
        {"scrutin_uid": "VTANR5L16V1930", "niveau": "groupe", "groupe_uid": "PO800502", "champ": "pour",
         "publie": 4, "calcule": 3},
        {"scrutin_uid": "VTANR5L16V1948", "niveau": "groupe", "groupe_uid": "PO800502", "champ": "abstentions",
         "publie": 16, "calcule": 15},
    ]


def test_l17_placeholder_groups_reported():
    # On 2 December 2024 twelve scrutins were published with PO0 for every group.
    attrs = _tables(17)["scrutins"].attrs
    assert attrs["groupes_non_identifies"] == [f"VTANR5L17V{n}" for n in (489, *range(491, 502))]
    votes = _tables(17)["positions"]
    assert int((votes["groupe_uid"] == "PO0").sum()) == 1826
    with pytest.warns(ScrutinsSchemaWarning, match="12 scrutin\\(s\\) publié\\(s\\) avec l'organe fictif PO0"):
        S.decomptes_groupes(17)


def test_l15_counts_all_add_up():
    assert _tables(15)["scrutins"].attrs["ecarts_decompte"] == []
    assert _tables(15)["scrutins"].attrs["numeros_manquants"] == []


def test_l16_numbering_gaps_warned():
    with pytest.warns(NumberingGapWarning, match="VTANR5L16V1743, VTANR5L16V1748, VTANR5L16V3707, VTANR5L16V3710"):
        df = S.scrutins(16)
    assert df.attrs["numeros_manquants"] == ["VTANR5L16V1743", "VTANR5L16V1748", "VTANR5L16V3707",
                                             "VTANR5L16V3710"]


def test_warnings_repeated_on_cached_load():
    _tables(17)  # the Parquet cache exists from here on
    with pytest.warns(VoteCountMismatchWarning, match=r"VTANR5L17V1 non_votants : publié 10, calculé 21"):
        S.positions(17)


def test_provenance_attached():
    record = _tables(15)["scrutins"].attrs["provenance"][0]
    assert record["dataset"] == "assemblee.scrutins.l15"
    assert record["sha256"] == "25847512e581ddd9609145f928dfce883f78c807af09926677fbcc13fd9583d4"


def test_congres_singular_keys():
    tables = _tables(16)
    row = tables["scrutins"].set_index("uid").loc["VTCGR5L16V1"]
    assert (row["type_vote_code"], row["lieu_vote"], bool(row["adopte"])) == ("SSG", "Congrès", True)
    assert (row["pour"], row["contre"], row["abstentions"], row["votants"]) == (780, 72, 50, 902)
    votes = tables["positions"][tables["positions"]["scrutin_uid"] == "VTCGR5L16V1"]
    assert votes["position"].value_counts().to_dict() == {"pour": 780, "contre": 72, "abstention": 50,
                                                          "non-votant": 0}
    # The Congrès is numbered apart: it is not a gap in the Assemblée's series.
    assert tables["scrutins"]["uid"].iloc[-1] == "VTCGR5L16V1"


@pytest.mark.parametrize(("legislature", "uid"), [
    (17, "VTANR5L17V1"), (17, "VTANR5L17V1997"), (17, "VTANR5L17V3700"),
    (16, "VTANR5L16V278"), (16, "VTCGR5L16V1"), (15, "VTANR5L15V1614"),
])
def test_sample_groups_match_published_counts(legislature, uid):
    # The sample files are the official bytes of these scrutins; read them with plain json.
    sample = json.loads((SAMPLES / f"l{legislature}" / "json" / f"{uid}.json").read_text(encoding="utf-8"))
    groupes = sample["scrutin"]["ventilationVotes"]["organe"]["groupes"]["groupe"]
    votes = _tables(legislature)["positions"]
    votes = votes[votes["scrutin_uid"] == uid]
    counted = votes.groupby(["groupe_uid", "position"], observed=True).size()
    for groupe in groupes:
        published = groupe["vote"]["decompteVoix"]
        for position, key in (("pour", "pour"), ("contre", "contre"), ("abstention", "abstentions"),
                              ("non-votant", "nonVotants")):
            assert counted.get((groupe["organeRef"], position), 0) == int(published[key]), (groupe["organeRef"], position)


def test_v3700_group_positions():
    votes = _tables(17)["positions"]
    votes = votes[votes["scrutin_uid"] == "VTANR5L17V3700"]
    table = votes.groupby(["groupe_uid", "position"], observed=True).size().unstack(fill_value=0)
    assert table.loc["PO845401"].to_dict() == {"pour": 0, "contre": 79, "abstention": 0, "non-votant": 1}
    assert table.loc["PO845419"].to_dict() == {"pour": 6, "contre": 24, "abstention": 1, "non-votant": 0}
    assert int(table["pour"].sum()) == 91
    assert int(table["contre"].sum()) == 143


def test_v1_causes_of_non_voting():
    votes = _tables(17)["positions"]
    votes = votes[votes["scrutin_uid"] == "VTANR5L17V1"]
    non_votants = votes[votes["position"] == "non-votant"]
    assert len(non_votants) == 21
    assert non_votants["cause_code"].notna().all()
    first = non_votants.iloc[0]
    assert (first["acteur_uid"], first["cause_code"], first["cause_libelle"], first["num_place"]) == (
        "PA795050", "MG", "membre du Gouvernement", 322)


def test_mises_au_point_v1997_and_v3700():
    corrections = _tables(17)["mises_au_point"]
    v1997 = corrections[corrections["scrutin_uid"] == "VTANR5L17V1997"].set_index("acteur_uid")
    assert v1997.loc["PA721750", ["position", "dysfonctionnement"]].tolist() == ["contre", False]
    assert v1997.loc["PA342384", ["position", "dysfonctionnement"]].tolist() == ["pour", True]
    assert v1997.loc["PA793342", ["position", "dysfonctionnement"]].tolist() == ["non-votant volontaire", True]
    v3700 = corrections[corrections["scrutin_uid"] == "VTANR5L17V3700"]
    assert v3700["position"].value_counts().to_dict() == {
        "pour": 2, "contre": 6, "abstention": 0, "non-votant": 0, "non-votant volontaire": 1}
    assert v3700.set_index("acteur_uid").loc["PA794894", "position"] == "non-votant volontaire"


def test_l16_non_voters_without_delegation_flag():
    votes = _tables(16)["positions"]
    votes = votes[votes["scrutin_uid"] == "VTANR5L16V278"]
    assert votes["par_delegation"].isna().sum() == 1
    assert votes.loc[votes["par_delegation"].isna(), "cause_code"].tolist() == ["PSE"]
    assert votes["num_place"].isna().all()


def test_unknown_legislature():
    with pytest.raises(ConfigurationError, match="Législatures disponibles : 15, 16, 17"):
        S.scrutins(14)


# --- C01: a lone voter or a lone group is an object, not a list ----------------------------


def _c01_documents(shape: str) -> list[tuple[str, dict]]:
    pours = [_voter("PA900001")]
    contres = [_voter("PA900002"), _voter("PA900003")]
    if shape == "objects":
        groupes = _groupe("PO900010", pours=pours[0], contres=contres)
    elif shape == "lists":
        groupes = [_groupe("PO900010", pours=pours, contres=contres)]
    else:  # two groups, the second one empty
        groupes = [_groupe("PO900010", pours=pours[0], contres=contres),
                   _groupe("PO900011", non_votants=None)]
    return [_scrutin(1, groupes)]


@pytest.mark.parametrize("shape", ["objects", "lists", "two_groups"])
def test_lone_voter_object(shape):
    votes = _read(_c01_documents(shape))["positions"]
    rows = list(zip(votes["acteur_uid"].astype(str), votes["groupe_uid"].astype(str),
                    votes["position"].astype(str), strict=True))
    assert rows == [("PA900001", "PO900010", "pour"), ("PA900002", "PO900010", "contre"),
                    ("PA900003", "PO900010", "contre")]


def test_lone_voter_in_mise_au_point_list_with_nulls():
    name, doc = _scrutin(1, _groupe("PO900010", pours=_voter("PA900001")))
    doc["scrutin"]["miseAuPoint"] = {
        "pours": None, "contres": {"votant": _voter("PA900004")}, "abstentions": [None, None],
        "nonVotants": [None, NIL], "nonVotantsVolontaires": [None, {"votant": _voter("PA900005")}],
        "dysfonctionnement": {"pour": {"votant": [_voter("PA900006")]}, "contre": None},
    }
    corrections = _read([(name, doc)])["mises_au_point"]
    assert list(zip(corrections["acteur_uid"], corrections["position"].astype(str),
                    corrections["dysfonctionnement"], strict=True)) == [
        ("PA900004", "contre", False), ("PA900005", "non-votant volontaire", False), ("PA900006", "pour", True)]


def test_singular_section_keys_like_congres():
    name, doc = _scrutin(1, [_groupe("PO900010")])
    doc["scrutin"]["ventilationVotes"]["organe"]["groupes"]["groupe"][0]["vote"]["decompteNominatif"] = {
        "pour": {"votant": _voter("PA900001")}, "contre": None,
        "abstention": {"votant": [_voter("PA900002")]}, "nonVotant": {"votant": _voter("PA900003", causePositionVote="PSE")},
    }
    votes = _read([(name, doc)])["positions"]
    assert votes["position"].astype(str).tolist() == ["pour", "abstention", "non-votant"]
    assert votes["cause_libelle"].tolist()[2] == "président de séance"


# --- C03: xsi:nil objects and #text wrappers ------------------------------------------------


def test_nil_values_never_reach_cells():
    wrapped = {"@xmlns:xsi": "http://www.w3.org/2001/XMLSchema-instance", "@xsi:type": "IdActeur_type",
               "#text": "PA900001"}
    voter = {"acteurRef": wrapped, "mandatRef": "PM900001", "parDelegation": NIL, "numPlace": NIL}
    name, doc = _scrutin(1, _groupe("PO900010", pours=voter, contres=[_voter("PA900002", numPlace="12")]),
                         demandeur={"texte": NIL}, lieuVote=NIL,
                         objet={"libelle": "objet", "dossierLegislatif": NIL})
    doc["scrutin"]["dateScrutin"] = NIL
    second = _scrutin(2, _groupe("PO900010", pours=_voter("PA900003")))
    tables = _read([(name, doc), second])
    for df in tables.values():
        assert not df.astype(object).map(lambda value: isinstance(value, dict | list)).any().any()
    votes = tables["positions"]
    assert votes["acteur_uid"].astype(str).tolist() == ["PA900001", "PA900002", "PA900003"]
    assert votes["par_delegation"].isna().tolist() == [True, False, False]
    assert votes["num_place"].tolist() == [pd.NA, 12, pd.NA]
    df = tables["scrutins"]
    assert df["demandeur"].isna().all()
    assert df["dossier_uid"].isna().all()
    assert df["date"].isna().tolist() == [True, False]
    assert df.sort_values("date")["numero"].tolist() == [2, 1]  # NaT sorts last without raising


def test_nil_sections_and_groups():
    name, doc = _scrutin(1, [NIL, _groupe("PO900010", pours=[_voter("PA900001"), NIL])])
    doc["scrutin"]["miseAuPoint"] = NIL
    tables = _read([(name, doc)])
    assert tables["positions"]["acteur_uid"].astype(str).tolist() == ["PA900001"]
    assert tables["decomptes_groupes"]["groupe_uid"].astype(str).tolist() == ["PO900010"]
    assert tables["mises_au_point"].empty


# --- C06 is in test_metrics (aggregates keyed by organe uid, acronym aliases) ---------------


# --- C08: numbering gaps and dangling references -------------------------------------------


def test_numbering_gap_reported_not_invented():
    documents = [_scrutin(n, _groupe("PO900010", pours=_voter("PA900001"))) for n in (1, 2, 4)]
    with pytest.warns(NumberingGapWarning, match=r"1 numéro\(s\) de scrutin absent\(s\) de l'archive : VTANR5L16V900003"):
        tables = S.read_documents(documents)
    assert len(tables["scrutins"]) == 3
    assert tables["scrutins"].attrs["numeros_manquants"] == ["VTANR5L16V900003"]


def test_duplicate_uid_reported_and_kept():
    documents = [_scrutin(1, _groupe("PO900010", pours=_voter("PA900001")))] * 2
    with pytest.warns(NumberingGapWarning, match="plusieurs fois : VTANR5L16V900001"):
        tables = S.read_documents(documents)
    assert len(tables["scrutins"]) == 2
    assert len(tables["positions"]) == 2


def test_dangling_references_kept_and_counted():
    documents = [
        _scrutin(1, _groupe("PO900010", pours=_voter("PA900001"))),
        _scrutin(2, _groupe("PO900010", pours=_voter("PA900001")), objet={"libelle": "x", "dossierLegislatif": "DLR5L16N909999"}),
        _scrutin(4, [_groupe("PO900010", pours=_voter("PA900001")),
                     _groupe("PO909999", contres=_voter("PA909999"))]),
    ]
    tables = _read(documents)
    acteurs = pd.DataFrame({"uid": ["PA900001"], "nom": ["Dupont"]})
    organes = pd.DataFrame({"uid": ["PO900010"], "libelle_abrev": ["AAA"]})
    dossiers = pd.DataFrame({"uid": ["DLR5L16N900001"], "titre": ["Un dossier"]})
    votes = tables["positions"]
    with pytest.warns(UnresolvedReferenceWarning, match="PA909999"):
        named = S.resolve_references(votes, "acteur_uid", acteurs, key="uid", label="acteur")
    with pytest.warns(UnresolvedReferenceWarning, match="PO909999"):
        named = S.resolve_references(named, "groupe_uid", organes, key="uid", label="organe")
    assert len(named) == len(votes) == 4
    assert named["nom"].isna().sum() == 1
    assert named["libelle_abrev"].isna().sum() == 1
    assert named.attrs["references_non_resolues"] == {"acteur": 1, "organe": 1}
    with pytest.warns(UnresolvedReferenceWarning, match="DLR5L16N909999"):
        linked = S.resolve_references(tables["scrutins"], "dossier_uid", dossiers, key="uid", label="dossier")
    assert len(linked) == 3
    assert linked.attrs["references_non_resolues"] == {"dossier": 1}
    assert tables["scrutins"].attrs["numeros_manquants"] == ["VTANR5L16V900003"]


# --- C10: outcome from sort.code, never from the counts ------------------------------------


def test_outcome_from_sort_code_not_counts():
    motion = _scrutin(10, _groupe("PO900010", pours=_voter("PA900001")), sort="rejeté",
                      synthese={"decompte": {"pour": "250", "contre": "0", "abstentions": "0"}})
    motion[1]["scrutin"]["typeVote"] = {"codeTypeVote": "MOC", "libelleTypeVote": "motion de censure"}
    nfd = _scrutin(11, _groupe("PO900010", pours=_voter("PA900001")), sort="adopte\u0301",
                   synthese={"decompte": {"pour": "40", "contre": "12", "abstentions": "3"}})
    assert unicodedata.normalize("NFC", "adopte\u0301") != "adopte\u0301"
    df = _read([motion, nfd])["scrutins"]
    assert df["adopte"].tolist() == [False, True]


@pytest.mark.parametrize(("code", "expected"), [
    ("ADOPTÉ", True), (" Rejeté ", False), ("rejete\u0301", False), ("adopte", True),
])
def test_sort_code_case_and_accents(code, expected):
    df = _read([_scrutin(1, _groupe("PO900010"), sort=code)])["scrutins"]
    assert df["adopte"].tolist() == [expected]


@pytest.mark.parametrize("code", ["reporté", "", "retiré"])
def test_unknown_sort_code_never_rejected(code):
    with pytest.warns(UnknownSortWarning, match="VTANR5L16V900001"):
        df = S.read_documents([_scrutin(1, _groupe("PO900010"), sort=code)])["scrutins"]
    assert df["adopte"].isna().all()
    assert df.attrs["sorts_inconnus"] == ["VTANR5L16V900001"]


# --- checks and schema errors --------------------------------------------------------------


def test_group_count_mismatch_warned():
    groupe = _groupe("PO900010", pours=[_voter("PA900001"), _voter("PA900002")],
                     decompte={"pour": "3", "contre": "0", "abstentions": "0", "nonVotants": "0"})
    synthese = {"nombreVotants": "3", "suffragesExprimes": "3",
                "decompte": {"pour": "3", "contre": "0", "abstentions": "0", "nonVotants": "0"}}
    with pytest.warns(VoteCountMismatchWarning, match=r"VTANR5L16V900001 groupe PO900010 pour : publié 3, calculé 2"):
        tables = S.read_documents([_scrutin(1, groupe, synthese=synthese)])
    assert tables["positions"].attrs["ecarts_decompte"] == [
        {"scrutin_uid": "VTANR5L16V900001", "niveau": "groupe", "groupe_uid": "PO900010", "champ": "pour",
         "publie": 3, "calcule": 2}]


def test_synthese_totals_checked():
    groupe = _groupe("PO900010", pours=[_voter("PA900001")],
                     decompte={"pour": "1", "contre": "0", "abstentions": "0", "nonVotants": "0"})
    synthese = {"nombreVotants": "2", "suffragesExprimes": "1",
                "decompte": {"pour": "1", "contre": "0", "abstentions": "0", "nonVotants": "0"}}
    with pytest.warns(VoteCountMismatchWarning, match="votants : publié 2, calculé 1"):
        S.read_documents([_scrutin(1, groupe, synthese=synthese)])


def test_unknown_section_key_warned():
    name, doc = _scrutin(1, [_groupe("PO900010", pours=_voter("PA900001"))])
    doc["scrutin"]["ventilationVotes"]["organe"]["groupes"]["groupe"][0]["vote"]["decompteNominatif"]["absents"] = {
        "votant": _voter("PA900009")}
    with pytest.warns(ScrutinsSchemaWarning, match="« absents » \\(1 votants\\)"):
        S.read_documents([(name, doc)])


def test_invalid_json_names_file():
    with pytest.raises(SchemaError, match="json/VTANR5L17V9.json : JSON invalide"):
        S.read_documents([("json/VTANR5L17V9.json", b'{"scrutin": ')])


def test_invalid_json_member_names_archive(tmp_path):
    path = tmp_path / "Scrutins.json.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("json/VTANR5L17V9.json", '{"scrutin": ')
    with pytest.raises(SchemaError, match=r"Scrutins.json.zip:json/VTANR5L17V9.json : JSON invalide") as info:
        S.read_archive(path)
    assert "Scrutins.json.zip a passé son contrôle d'intégrité (CRC)" in str(info.value)
    assert info.value.path == "Scrutins.json.zip:json/VTANR5L17V9.json"


def test_missing_root_names_file():
    with pytest.raises(SchemaError, match="json/autre.json : objet racine « scrutin » introuvable"):
        S.read_documents([("json/autre.json", {"amendement": {}})])


def test_missing_uid_names_file():
    with pytest.raises(SchemaError, match="json/x.json : champ obligatoire manquant uid"):
        S.read_documents([("json/x.json", {"scrutin": {"numero": "1"}})])


def test_read_archive_from_zip(tmp_path):
    archive = tmp_path / "Scrutins.json.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for name, doc in _c01_documents("lists"):
            zf.writestr(name, json.dumps(doc))
    tables = S.read_archive(archive)
    assert tables["scrutins"]["fichier"].tolist() == ["json/VTANR5L16V900001.json"]
    assert len(tables["positions"]) == 3


@pytest.mark.parametrize(("field", "value", "expected"), [
    ("numPlace", "douze", r"json/VTANR5L16V900002\.json : Champ votant\.numPlace : nombre entier attendu, trouvé 'douze'"),
    ("parDelegation", "peut-être", r"json/VTANR5L16V900002\.json : Champ votant\.parDelegation : valeur booléenne"),
])
def test_bad_voter_value_names_file(field, value, expected):
    # Columns are typed whole; the error still names the file of the bad value, here the second one.
    good = _scrutin(1, _groupe("PO900010", pours=[_voter("PA900001", numPlace="1")]))
    bad = _scrutin(2, _groupe("PO900010", pours=[_voter("PA900002", numPlace="2"),
                                                 _voter("PA900003", **{field: value})]))
    with pytest.raises(SchemaError, match=expected) as caught:
        _read([good, bad])
    assert caught.value.path == "json/VTANR5L16V900002.json"
    assert caught.value.field == f"votant.{field}"


def test_bad_total_names_file():
    synthese = {"decompte": {"pour": "12", "contre": "beaucoup", "abstentions": "0", "nonVotants": "0"}}
    documents = [_scrutin(1, _groupe("PO900010")), _scrutin(2, _groupe("PO900010"), synthese=synthese)]
    with pytest.raises(SchemaError, match=r"json/VTANR5L16V900002\.json : Champ syntheseVote\.decompte\.contre"):
        _read(documents)
