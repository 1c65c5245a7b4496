"""AMO loaders against the real Assemblée nationale exports of ../shared/data."""

from __future__ import annotations

import warnings

import pandas as pd
import pytest

from bureau_data.assemblee import amo
from bureau_data.errors import ConfigurationError, DataWarning

# Seats by group of the 17th-legislature AMO10 snapshot (November 2025), counted once
# from the file; they add up to the 575 sitting deputies.
SEATS_L17_AMO10 = {
    "RN": 123, "EPR": 91, "LFI-NFP": 71, "SOC": 69, "DR": 49, "ECOS": 38, "DEM": 36,
    "HOR": 34, "LIOT": 22, "GDR": 17, "UDDPLR": 16, "NI": 9,
}
# Seats by group of the 16th legislature on 2023-06-01 (AMO20, every mandate kept).
SEATS_L16_2023_06_01 = {
    "RE": 171, "RN": 88, "LFI-NUPES": 75, "LR": 62, "DEM": 51, "SOC": 31, "HOR": 29,
    "ECOLO": 23, "GDR-NUPES": 22, "LIOT": 21, "NI": 4,
}


def _no_dict_cells(df: pd.DataFrame) -> None:
    for column in df.columns:
        kinds = {type(value).__name__ for value in df[column] if isinstance(value, (dict, list))}
        if column == "organes_uids":
            kinds.discard("list")
        assert not kinds, f"colonne {column} : {kinds}"


def test_l17_amo10_sitting_deputies():
    df = amo.deputes(17)
    assert len(df) == 575
    assert df["uid"].is_unique
    assert not df.duplicated(["departement_code", "circonscription"]).any()
    assert df.attrs["source"] == "amo10"
    assert df.attrs["provenance"][0]["dataset"] == "assemblee.amo.l17"


def test_l17_amo10_seats_by_group():
    df = amo.deputes(17)
    seats = df["groupe_sigle"].value_counts().to_dict()
    assert seats == SEATS_L17_AMO10
    assert sum(SEATS_L17_AMO10.values()) == 575
    assert df["groupe_uid"].notna().all()


def test_l17_group_presidents_counted_once():
    df = amo.deputes(17)
    # Eleven presidents hold a « Président » and a « Membre » GP mandate at once.
    gp = amo.mandats(17, type_organe="GP")
    assert len(gp) == 586
    assert (df["groupe_qualite"] == "Président").sum() == 11
    soc = df[df["groupe_sigle"] == "SOC"]
    assert soc["groupe_uid"].unique().tolist() == ["PO845419"]
    assert soc["groupe_couleur"].iloc[0] == "#F5B4CE"


def test_l17_columns_and_dtypes():
    df = amo.deputes(17)
    assert list(df.columns) == list(amo.DEPUTES_COLUMNS)
    assert df["uid"].dtype == pd.StringDtype()
    assert df["debut_mandat"].dtype == "datetime64[ns]"
    assert df["circonscription"].dtype == "Int64"
    assert set(df["sexe"].cat.categories) == {"F", "H"}
    _no_dict_cells(df)


def test_l17_deputy_values():
    df = amo.deputes(17).set_index("uid")
    david = df.loc["PA1008"]
    assert (david["prenom"], david["nom"], david["civilite"], david["sexe"]) == ("Alain", "David", "M.", "H")
    assert david["date_naissance"] == pd.Timestamp("1949-06-02")
    assert (david["departement"], david["departement_code"], david["circonscription"]) == ("Gironde", "33", 4)
    assert david["groupe_sigle"] == "SOC"
    assert david["profession"] == "Ingénieur"


def test_l17_returning_minister_takes_office_later():
    # PA227089 came back from the government: elected 2024-07-07, took office again 2025-11-06.
    row = amo.deputes(17).set_index("uid").loc["PA227089"]
    assert row["date_election"] == pd.Timestamp("2024-07-07")
    assert row["debut_mandat"] == pd.Timestamp("2025-11-06")
    assert row["mandat_remplace_uid"] == "PM843131"
    assert (row["departement_code"], row["circonscription"]) == ("59", 21)


def test_department_codes_normalised():
    codes = set(amo.deputes(17)["departement_code"])
    assert {"01", "2A", "2B", "971", "976", "988", "099"} <= codes
    assert "1" not in codes
    assert "20" not in codes


def test_l15_amo10_2019_layout():
    df = amo.deputes(15)
    assert len(df) == 577
    assert not df.duplicated(["departement_code", "circonscription"]).any()
    assert df.set_index("uid").loc["PA1008", "nom"] == "David"
    assert df["groupe_sigle"].value_counts()["LAREM"] == 305
    # The 2019 export publishes no group colours.
    assert df["groupe_couleur"].isna().all()


def test_l15_bureau_roles_are_not_deputies():
    assemblee = amo.mandats(15, type_organe="ASSEMBLEE")
    assert len(assemblee) == 605
    assert (assemblee["qualite"] == "membre").sum() == 577


def test_l16_closed_legislature_default_is_last_day():
    df = amo.deputes(16)
    assert df.attrs["date"] == "2024-06-09"
    assert len(df) == 577
    assert (df["fin_mandat"] == pd.Timestamp("2024-06-09")).all()


def test_l16_sitting_on_2023_06_01():
    df = amo.deputes(16, "2023-06-01")
    assert len(df) == 577
    assert not df.duplicated(["departement_code", "circonscription"]).any()
    assert df["groupe_sigle"].value_counts().to_dict() == SEATS_L16_2023_06_01


def test_l16_group_change_between_dates():
    # PA794914 left LR on 2024-03-19 and joined Horizons on 2024-03-20.
    before = amo.groupe_a_la_date(16, "2024-03-19").set_index("acteur_uid").loc["PA794914"]
    after = amo.groupe_a_la_date(16, "2024-03-20").set_index("acteur_uid").loc["PA794914"]
    assert (before["groupe_sigle"], before["groupe_uid"]) == ("LR", "PO800508")
    assert (after["groupe_sigle"], after["groupe_uid"]) == ("HOR", "PO800514")
    assert after["date_debut"] == pd.Timestamp("2024-03-20")


def test_l16_group_renamed_is_a_new_organe():
    # The socialist group became SOC-A on 2023-10-19: a new organe uid, not a new acronym.
    before = amo.deputes(16, "2023-10-18")
    after = amo.deputes(16, "2023-10-19")
    assert before.set_index("uid").loc["PA795156", "groupe_uid"] == "PO800496"
    assert after.set_index("uid").loc["PA795156", "groupe_uid"] == "PO830170"


@pytest.mark.parametrize(
    ("day", "uid", "group"),
    [
        ("2022-08-04", "PA267780", "HOR"),  # last day before joining the government
        ("2022-08-05", "PA795266", "HOR"),  # the substitute takes the seat
        ("2024-02-11", "PA795266", "HOR"),  # the substitute's last day
        ("2024-02-12", "PA267780", "NI"),  # the minister is back, one day non-inscrit
        ("2024-02-13", "PA267780", "HOR"),
    ],
)
def test_l16_minister_substitute_and_return(day, uid, group):
    df = amo.deputes(16, day)
    seat = df[(df["departement_code"] == "76") & (df["circonscription"] == 7)]
    assert seat["uid"].tolist() == [uid]
    assert seat["groupe_sigle"].tolist() == [group]


def test_l16_appartenances_intervals():
    df = amo.appartenances_groupes(16)
    person = df[df["acteur_uid"] == "PA267780"]
    assert person["groupe_sigle"].tolist() == ["NI", "HOR", "NI", "HOR"]
    one_day = person.iloc[2]
    assert one_day["date_debut"] == one_day["date_fin"] == pd.Timestamp("2024-02-12")
    assert list(df.columns) == list(amo.APPARTENANCES_COLUMNS)


def test_l17_amo50_divided_export():
    with warnings.catch_warnings():
        warnings.simplefilter("error", DataWarning)
        df = amo.deputes(17, source="amo50")
    assert len(df) == 577
    assert df["nom"].notna().all()
    assert not df.duplicated(["departement_code", "circonscription"]).any()
    # Before the groups formed (2024-07-18), every deputy is non-inscrit.
    assert set(df["groupe_sigle"]) == {"NI"}
    assert {record["dataset"] for record in df.attrs["provenance"]} == {
        "assemblee.amo.l17.divise", "assemblee.amo.l17",
    }


def test_l17_amo50_mandates_open_one_per_seat():
    assemblee = amo.mandats(17, source="amo50", type_organe="ASSEMBLEE")
    assert len(assemblee) == 577
    assert assemblee["date_fin"].isna().all()
    assert not assemblee.duplicated(["departement_code", "circonscription"]).any()
    assert set(assemblee["date_prise_fonction"].dt.strftime("%Y-%m-%d")) == {"2024-07-01", "2024-07-08"}


def test_l17_amo50_name_from_own_acteur_file():
    # PA607846 left for the government in 2025: only the divided archive has its file.
    df = amo.deputes(17, source="amo50").set_index("uid")
    assert df.loc["PA607846", "mandat_uid"] == "PM843113"
    assert pd.notna(df.loc["PA607846", "nom"])
    assert "PA607846" not in set(amo.deputes(17)["uid"])


def test_mandats_organe_lists():
    df = amo.mandats(17)
    assert len(df) == 13222
    several = df[df["organes_uids"].map(len) > 1]
    assert len(several) > 0
    assert all(row.organe_uid == row.organes_uids[0] for row in several.itertuples())
    _no_dict_cells(df)


def test_organes_groups_l16():
    groups = amo.organes(16, code_type="GP")
    assert len(groups) == 12
    soc_a = groups.set_index("uid").loc["PO830170"]
    assert (soc_a["libelle_abrev"], soc_a["couleur"], soc_a["position_politique"]) == ("SOC-A", "#DF84B5", "Opposition")
    assert soc_a["date_debut"] == pd.Timestamp("2023-10-19")
    _no_dict_cells(groups)


def test_past_date_in_active_export_warns():
    with pytest.warns(DataWarning, match="ne contient que les mandats en cours"):
        amo.deputes(17, "2024-09-01")


def test_date_before_legislature_gives_empty_typed_frame():
    df = amo.deputes(16, "2000-01-01")
    assert len(df) == 0
    assert list(df.columns) == list(amo.DEPUTES_COLUMNS)
    assert df["debut_mandat"].dtype == "datetime64[ns]"


@pytest.mark.parametrize(
    ("legislature", "source", "message"),
    [
        (14, None, "Législatures disponibles : 15, 16, 17"),
        (17, "amo20", "Sources disponibles : amo10, amo50"),
    ],
)
def test_unknown_legislature_or_source(legislature, source, message):
    with pytest.raises(ConfigurationError, match=message):
        amo.deputes(legislature, source=source)


def test_invalid_date_rejected():
    with pytest.raises(ConfigurationError, match="AAAA-MM-JJ"):
        amo.deputes(16, "pas une date")
