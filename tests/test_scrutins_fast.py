"""Tests of the typed fast path of the scrutins parser: same tables as the generic path.

The real archives are parsed twice, with the typed path and with the generic orjson path
alone, and the four tables must be equal, dtypes and ``attrs`` included. Hand-made
members with shapes that the typed path does not read must fall back and give the
generic path's result, or its error.
"""

from __future__ import annotations

import json
import warnings
import zipfile
from pathlib import Path

import pandas as pd
import pytest

from bureau_data.archive import iter_members
from bureau_data.assemblee import _scrutins_fast as fast
from bureau_data.assemblee import _scrutins_parse as parse
from bureau_data.assemblee import scrutins as S
from bureau_data.assemblee._scrutins_checks import check_counts, check_counts_aligned
from bureau_data.errors import SchemaError
from bureau_data.fetch import fetch

NIL = {"@xmlns:xsi": "http://www.w3.org/2001/XMLSchema-instance", "@xsi:nil": "true"}


def _archive_path(legislature: int) -> Path:
    return fetch(S.DATASETS[legislature]).path


def _read(path: Path, typed: bool, monkeypatch: pytest.MonkeyPatch) -> dict[str, pd.DataFrame]:
    monkeypatch.setattr(fast, "ENABLED", typed)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return S.read_archive(path)


def _assert_same_tables(typed: dict[str, pd.DataFrame], generic: dict[str, pd.DataFrame]) -> None:
    assert list(typed) == list(generic)
    for name in generic:
        pd.testing.assert_frame_equal(typed[name], generic[name])
        assert typed[name].attrs == generic[name].attrs, name


@pytest.mark.parametrize("legislature", [15, 16, 17])
def test_real_archive_same_tables(legislature, monkeypatch):
    path = _archive_path(legislature)
    _assert_same_tables(_read(path, True, monkeypatch), _read(path, False, monkeypatch))


@pytest.mark.parametrize(("legislature", "members"), [(15, 804), (16, 3711), (17, 3876)])
def test_real_archive_read_by_typed_path(legislature, members):
    cols = fast.parse_documents(iter_members(_archive_path(legislature), "*.json"), typed=True)
    assert len(cols.scrutins["uid"]) == members
    # Every real member has a shape the typed path reads, the Congrès included.
    assert cols.typed_members >= 0.99 * members
    assert cols.typed_members == members

    # The numpy count check gives the mismatches of the join-based one (the XVIIth
    # legislature has repeated PO0 groups, the XVIth four group mismatches).
    tables = S.build_tables(cols)
    scrutins_df, groupes_df = tables["scrutins"], tables["decomptes_groupes"]
    counted = parse.run_counts_by_row(cols, groupes_df)
    assert counted is not None
    pd.testing.assert_frame_equal(check_counts_aligned(scrutins_df, groupes_df, counted),
                                  check_counts(scrutins_df, groupes_df, counted=parse.run_counts(cols)))


def _voter(acteur: str, **extra: object) -> dict:
    return {"acteurRef": acteur, "mandatRef": acteur.replace("PA", "PM"), "parDelegation": "false",
            "numPlace": "12", **extra}


def _member(numero: int, *, groupes: object = None, mise_au_point: object = None, **fields: object) -> dict:
    """Return a scrutin document shaped like the XVIIth-legislature members."""
    if groupes is None:
        groupes = [
            {"organeRef": "PO1", "nombreMembresGroupe": "3", "vote": {
                "positionMajoritaire": "pour",
                "decompteVoix": {"nonVotants": "0", "pour": "2", "contre": "1", "abstentions": "0",
                                 "nonVotantsVolontaires": "0"},
                "decompteNominatif": {"nonVotants": None,
                                      "pours": {"votant": [_voter(f"PA{numero}1"), _voter(f"PA{numero}2")]},
                                      "contres": {"votant": _voter(f"PA{numero}3")}, "abstentions": None}}},
            {"organeRef": "PO2", "nombreMembresGroupe": "1", "vote": {
                "positionMajoritaire": "abstention",
                "decompteVoix": {"nonVotants": "1", "pour": "0", "contre": "0", "abstentions": "0",
                                 "nonVotantsVolontaires": "0"},
                "decompteNominatif": {"nonVotants": {"votant": [_voter(f"PA{numero}4", causePositionVote="PSE")]},
                                      "pours": None, "contres": None, "abstentions": None}}},
        ]
    if mise_au_point is None:
        mise_au_point = {
            "nonVotants": [None], "pours": {"votant": _voter(f"PA{numero}5")}, "abstentions": [None],
            "nonVotantsVolontaires": [None, {"votant": _voter(f"PA{numero}6")}],
            "contres": {"votant": [_voter(f"PA{numero}7"), _voter(f"PA{numero}8")]},
            "dysfonctionnement": {"nonVotants": None, "pour": {"votant": _voter(f"PA{numero}9")},
                                  "contre": None, "abstentions": None, "nonVotantsVolontaires": None},
        }
    scrutin = {
        "@xmlns": "http://schemas.assemblee-nationale.fr/referentiel",
        "uid": f"VTANR5L17V{numero}", "numero": str(numero), "organeRef": "PO838901", "legislature": "17",
        "sessionRef": "SCR5A2025O1", "seanceRef": "RUANR5L17S2025IDS28596", "dateScrutin": "2024-10-08",
        "typeVote": {"codeTypeVote": "SPO", "libelleTypeVote": "scrutin public ordinaire",
                     "typeMajorite": "majorité absolue des suffrages exprimés"},
        "sort": {"code": "adopté", "libelle": "L'Assemblée nationale a adopté"},
        "titre": f"scrutin {numero}", "demandeur": {"texte": "Président", "referenceLegislative": None},
        "objet": {"libelle": "l'article premier", "dossierLegislatif": None, "referenceLegislative": None},
        "modePublicationDesVotes": "DecompteNominatif",
        "syntheseVote": {"nombreVotants": "3", "suffragesExprimes": "3", "nbrSuffragesRequis": "2",
                         "annonce": "adopté", "decompte": {"nonVotants": "1", "pour": "2", "contre": "1",
                                                           "abstentions": "0", "nonVotantsVolontaires": "0"}},
        "ventilationVotes": {"organe": {"organeRef": "PO838901", "groupes": {"groupe": groupes}}},
        "miseAuPoint": mise_au_point,
        "lieuVote": "Hémicycle",
        **fields,
    }
    return {"scrutin": scrutin}


def _zip(tmp_path: Path, documents: list[dict]) -> Path:
    path = tmp_path / "scrutins.zip"
    with zipfile.ZipFile(path, "w") as archive:
        for doc in documents:
            archive.writestr(f"json/{doc['scrutin']['uid']}.json", json.dumps(doc, ensure_ascii=False))
    return path


def _typed_members(path: Path) -> int:
    return fast.parse_documents(iter_members(path, "*.json"), typed=True).typed_members


def test_regular_members_read_by_typed_path(tmp_path, monkeypatch):
    path = _zip(tmp_path, [_member(1), _member(2)])
    assert _typed_members(path) == 2
    typed = _read(path, True, monkeypatch)
    _assert_same_tables(typed, _read(path, False, monkeypatch))
    assert typed["positions"]["acteur_uid"].tolist() == ["PA11", "PA12", "PA13", "PA14",
                                                         "PA21", "PA22", "PA23", "PA24"]
    # Mises au point keep the section order of the file, dysfonctionnement last.
    assert typed["mises_au_point"]["acteur_uid"].tolist()[:5] == ["PA15", "PA16", "PA17", "PA18", "PA19"]
    assert typed["mises_au_point"]["position"].tolist()[:5] == [
        "pour", "non-votant volontaire", "contre", "contre", "pour"]


def _nil_voter_groupes() -> list[dict]:
    groupes = _member(0)["scrutin"]["ventilationVotes"]["organe"]["groupes"]["groupe"]
    groupes[0]["vote"]["decompteNominatif"]["pours"]["votant"].append(NIL)
    return groupes


def _numeric_seat_groupes() -> list[dict]:
    groupes = _member(0)["scrutin"]["ventilationVotes"]["organe"]["groupes"]["groupe"]
    groupes[0]["vote"]["decompteNominatif"]["pours"]["votant"][0]["numPlace"] = 12
    return groupes


def _text_wrapper_groupes() -> list[dict]:
    groupes = _member(0)["scrutin"]["ventilationVotes"]["organe"]["groupes"]["groupe"]
    groupes[1]["organeRef"] = {"@xsi:type": "xsd:string", "#text": "PO2"}
    return groupes


def _plural_count_key_groupes() -> list[dict]:
    groupes = _member(0)["scrutin"]["ventilationVotes"]["organe"]["groupes"]["groupe"]
    decompte = groupes[0]["vote"]["decompteVoix"]
    decompte["pours"] = decompte.pop("pour")
    return groupes


def _unknown_section_groupes() -> list[dict]:
    groupes = _member(0)["scrutin"]["ventilationVotes"]["organe"]["groupes"]["groupe"]
    groupes[0]["vote"]["decompteNominatif"]["excuses"] = {"votant": _voter("PA99")}
    return groupes


def _empty_group_in_list() -> list[dict]:
    groupes = _member(0)["scrutin"]["ventilationVotes"]["organe"]["groupes"]["groupe"]
    return [*groupes, {}]


# Members that the typed path must hand to the generic path, each for one reason.
ODD_MEMBERS = {
    "nil voter in a list": lambda: _member(3, groupes=_nil_voter_groupes()),
    "number instead of text": lambda: _member(3, groupes=_numeric_seat_groupes()),
    "text wrapper": lambda: _member(3, groupes=_text_wrapper_groupes()),
    "count key variant": lambda: _member(3, groupes=_plural_count_key_groupes()),
    "unknown voter section": lambda: _member(3, groupes=_unknown_section_groupes()),
    "empty group in a list": lambda: _member(3, groupes=_empty_group_in_list()),
    "lone empty group": lambda: _member(3, groupes={}),
    "nil vote": lambda: _member(3, groupes=[{"organeRef": "PO1", "vote": NIL}]),
    "nil title": lambda: _member(3, titre=NIL),
    "number as numero": lambda: {"scrutin": {**_member(3)["scrutin"], "numero": 3}},
    "one-item list of sort": lambda: _member(3, sort=[{"code": "rejeté", "libelle": "rejeté"}]),
    "nil mise au point": lambda: _member(3, mise_au_point=NIL),
    "unknown mise au point key": lambda: _member(3, mise_au_point={"excuses": {"votant": _voter("PA98")}}),
    "voter straight in a mise au point list": lambda: _member(3, mise_au_point={"pours": [_voter("PA97")]}),
    "mise au point as a list": lambda: _member(3, mise_au_point=[{"pours": None}]),
    "unknown delegation flag": lambda: _member(3, groupes=[{"organeRef": "PO1", "vote": {
        "decompteNominatif": {"pours": {"votant": _voter("PA96", parDelegation="oui")}}}}]),
}


@pytest.mark.parametrize("case", sorted(ODD_MEMBERS))
def test_odd_member_falls_back_to_generic(case, tmp_path, monkeypatch):
    path = _zip(tmp_path, [_member(1), ODD_MEMBERS[case](), _member(2)])
    # The two regular members around it stay on the typed path.
    assert _typed_members(path) == 2
    try:
        generic = _read(path, False, monkeypatch)
    except SchemaError as exc:
        with pytest.raises(SchemaError) as caught:
            _read(path, True, monkeypatch)
        assert str(caught.value) == str(exc)
        return
    _assert_same_tables(_read(path, True, monkeypatch), generic)


# Shapes that the typed path reads itself, and must read as the generic path does.
TYPED_SHAPES = {
    "congres singular keys": lambda: _member(3, groupes=[{"organeRef": "PO1", "vote": {
        "decompteNominatif": {"nonVotant": None, "pour": {"votant": [_voter("PA1"), _voter("PA2")]},
                              "contre": {"votant": _voter("PA3")}, "abstention": None}}}]),
    "sections in another order": lambda: _member(3, groupes=[{"organeRef": "PO1", "vote": {
        "decompteNominatif": {"contres": {"votant": _voter("PA3")}, "pours": {"votant": _voter("PA1")}}}}]),
    "empty voter list": lambda: _member(3, groupes=[{"organeRef": "PO1", "vote": {
        "decompteNominatif": {"pours": {"votant": []}}}}]),
    "empty voter": lambda: _member(3, groupes=[{"organeRef": "PO1", "vote": {
        "decompteNominatif": {"pours": {"votant": [{}, _voter("PA1")]}}}}]),
    "group without vote": lambda: _member(3, groupes={"organeRef": "PO1"}),
    "placeholder groups": lambda: _member(3, groupes=[
        {"organeRef": "PO0", "vote": {"decompteVoix": {"pour": "1"},
                                      "decompteNominatif": {"pours": {"votant": _voter("PA1")}}}},
        {"organeRef": "PO0", "vote": {"decompteVoix": {"pour": "3"},
                                      "decompteNominatif": {"pours": {"votant": _voter("PA2")}}}}]),
    "null sections": lambda: _member(3, mise_au_point={"pours": None, "dysfonctionnement": None}),
    "mise au point in dysfonctionnement order": lambda: _member(3, mise_au_point={"dysfonctionnement": {
        "contre": {"votant": _voter("PA2")}, "pour": {"votant": _voter("PA1")}}}),
}


@pytest.mark.parametrize("case", sorted(TYPED_SHAPES))
def test_typed_shape_same_as_generic(case, tmp_path, monkeypatch):
    path = _zip(tmp_path, [_member(1), TYPED_SHAPES[case](), _member(2)])
    assert _typed_members(path) == 3
    _assert_same_tables(_read(path, True, monkeypatch), _read(path, False, monkeypatch))


def test_duplicated_key_keeps_last_value(tmp_path, monkeypatch):
    # json.dumps cannot write a key twice, so the member is edited as text.
    text = json.dumps(_member(3)).replace('"titre": "scrutin 3"', '"titre": "premier", "titre": "scrutin 3"')
    path = tmp_path / "scrutins.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("json/VTANR5L17V3.json", text)
    assert _typed_members(path) == 1
    typed = _read(path, True, monkeypatch)
    _assert_same_tables(typed, _read(path, False, monkeypatch))
    assert typed["scrutins"]["titre"].tolist() == ["scrutin 3"]


def test_bad_number_error_names_file(tmp_path, monkeypatch):
    path = _zip(tmp_path, [_member(1), {"scrutin": {**_member(2)["scrutin"], "numero": "deux"}}])
    monkeypatch.setattr(fast, "ENABLED", True)
    with pytest.raises(SchemaError, match=r"VTANR5L17V2\.json .*numero"):
        S.read_archive(path)


def test_documents_as_objects_take_generic_path():
    cols = fast.parse_documents([("V1.json", _member(1))], typed=True)
    assert cols.typed_members == 0
    assert cols.scrutins["uid"] == ["VTANR5L17V1"]


@pytest.mark.parametrize("extra", [
    b'"extra": "\xff", ',  # invalid UTF-8 in a field the typed path does not read
    b'"extra": ' + b"[" * 1100 + b"]" * 1100 + b", ",  # nesting deeper than the parsers allow
])
def test_invalid_member_same_error(extra, tmp_path, monkeypatch):
    raw = json.dumps(_member(3)).encode().replace(b'"lieuVote"', extra + b'"lieuVote"')
    path = tmp_path / "scrutins.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("json/VTANR5L17V3.json", raw)
    messages = []
    for typed in (True, False):
        monkeypatch.setattr(fast, "ENABLED", typed)
        with pytest.raises(SchemaError, match="JSON invalide") as info:
            S.read_archive(path)
        messages.append(str(info.value))
    assert messages[0] == messages[1]
