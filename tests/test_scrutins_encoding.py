"""Tests of the voter encoding of the scrutins parser: batches, nil items, fallbacks, errors."""

from __future__ import annotations

import warnings

import pandas as pd
import pytest

from bureau_data.assemblee import _scrutins_parse as parse
from bureau_data.assemblee import scrutins as S
from bureau_data.errors import SchemaError

NIL = {"@xsi:nil": "true"}


def _document(number: int, voters: object, key: str = "pours") -> tuple[str, dict]:
    uid = f"VTANR5L17V{number}"
    groupe = {"organeRef": "PO1", "nombreMembresGroupe": "3",
              "vote": {"positionMajoritaire": "pour", "decompteNominatif": {key: {"votant": voters}}}}
    scrutin = {"uid": uid, "numero": str(number), "sort": {"code": "adopté"},
               "ventilationVotes": {"organe": {"groupes": {"groupe": groupe}}}}
    return f"{uid}.json", {"scrutin": scrutin}


def _positions(documents: list[tuple[str, dict]]) -> pd.DataFrame:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return S.read_documents(documents)["positions"]


def _error(documents: list[tuple[str, dict]]) -> str:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with pytest.raises(SchemaError) as info:
            S.read_documents(documents)
    return str(info.value)


def test_nil_item_dropped_from_list():
    positions = _positions([_document(1, [{"acteurRef": "PA1"}, NIL, {"acteurRef": "PA3"}])])
    assert positions["acteur_uid"].tolist() == ["PA1", "PA3"]


def test_all_nil_list_gives_no_row():
    positions = _positions([_document(1, [NIL]), _document(2, [{"acteurRef": "PA2"}])])
    assert positions["scrutin_uid"].tolist() == ["VTANR5L17V2"]


def test_nil_item_with_data_kept():
    # Only a list with an item lacking every voter field goes through as_list.
    positions = _positions([_document(1, [{"@xsi:nil": "true", "acteurRef": "PA9"}, {"acteurRef": "PA2"}])])
    assert positions["acteur_uid"].tolist() == ["PA9", "PA2"]


def test_nil_item_dropped_beside_empty_item():
    positions = _positions([_document(1, [{"@xsi:nil": "true", "acteurRef": "PA9"}, {}])])
    assert len(positions) == 1
    assert positions["acteur_uid"].isna().all()


def test_nil_items_across_voter_batches():
    # Enough voters to fill several encoding batches, with a nil item in a late one.
    voters = [{"acteurRef": f"PA{i}", "numPlace": str(i % 577)} for i in range(3 * parse._VOTER_BATCH)]
    documents = [_document(number, voters[(number - 1) * 500:number * 500]) for number in range(1, 7)]
    documents[5][1]["scrutin"]["ventilationVotes"]["organe"]["groupes"]["groupe"]["vote"][
        "decompteNominatif"]["pours"]["votant"].insert(3, NIL)
    positions = _positions(documents)
    assert len(positions) == 3000
    assert positions["acteur_uid"].tolist() == [f"PA{i}" for i in range(3000)]
    assert positions["num_place"].tolist() == [i % 577 for i in range(3000)]
    assert positions.groupby("scrutin_uid", observed=True).size().tolist() == [500] * 6


def test_text_wrapper_shares_category():
    positions = _positions([_document(1, [{"acteurRef": {"#text": "PA1"}}, {"acteurRef": "PA1"},
                                         {"acteurRef": "PA2"}])])
    assert positions["acteur_uid"].tolist() == ["PA1", "PA1", "PA2"]
    assert list(positions["acteur_uid"].cat.categories) == ["PA1", "PA2"]


def test_numbers_read_as_their_text():
    positions = _positions([_document(1, [{"acteurRef": 7, "numPlace": 5}, {"acteurRef": "7", "numPlace": "5"}])])
    assert positions["acteur_uid"].tolist() == ["7", "7"]
    assert list(positions["acteur_uid"].cat.categories) == ["7"]
    assert positions["num_place"].tolist() == [5, 5]


def test_categories_in_first_appearance_order():
    positions = _positions([_document(1, [{"acteurRef": "PA3", "causePositionVote": "PSE"}, {"acteurRef": "PA1"}]),
                            _document(2, [{"acteurRef": "PA2"}, {"acteurRef": "PA3"}])])
    assert list(positions["acteur_uid"].cat.categories) == ["PA3", "PA1", "PA2"]
    assert positions["cause_code"].iloc[0] == "PSE"
    assert positions["cause_code"].iloc[1:].isna().all()
    assert positions["cause_libelle"].iloc[0] == "président de séance"


def test_text_error_reported_before_seat_error():
    # V1 has a bad seat number and V2 an object where text is expected. Text values
    # are checked before seat numbers, so V2 is named.
    message = _error([_document(1, [{"acteurRef": "PA1", "numPlace": "x"}]),
                      _document(2, [{"acteurRef": {"a": 1}}])])
    assert message.startswith("VTANR5L17V2.json : Champ votant.acteurRef : valeur texte attendue")


def test_first_bad_voter_in_row_order_named():
    message = _error([_document(1, [{"acteurRef": "PA1", "mandatRef": [1, 2]}, {"acteurRef": {"x": 1}}])])
    assert message.startswith("VTANR5L17V1.json : Champ votant.mandatRef : valeur texte attendue")


def test_bad_delegation_flag_names_file():
    message = _error([_document(1, [{"acteurRef": "PA1"}]),
                      _document(2, [{"acteurRef": "PA2", "parDelegation": "oui"}])])
    assert message.startswith("VTANR5L17V2.json : Champ votant.parDelegation : valeur booléenne attendue")


def test_voter_that_is_not_an_object_names_file():
    message = _error([_document(1, ["PA1"])])
    assert message.startswith("VTANR5L17V1.json : structure de scrutin inattendue (AttributeError")
