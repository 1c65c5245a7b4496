"""Tests of the vote metrics on a small hand-made set of scrutins, and on the XVIIth legislature.

The hand-made set: group G1 = PO900010 (deputies A1–A4), group G2 = PO900011 (B1–B3).

    scrutin  date        outcome   G1                                 G2
    S1       2025-01-01  adopted   A1 pour, A2 pour, A3 contre,       B1 contre, B2 contre,
                                   A4 non-votant (PSE)                B3 abstention
    S2       2025-01-02  rejected  A1, A2, A3 contre                  B1 contre, B2 pour (B3 absent)
    S3       2025-01-03  adopted   A1 pour, A2 abstention             B1, B2, B3 pour
    S4       2025-01-04  rejected  A1, A2 contre                      B1 contre
    S5       2025-01-05  adopted   A1 pour                            B1, B2 abstention, B3 pour

Majority positions (ties are undefined):
    G1: S1 pour, S2 contre, S3 undefined (1 pour, 1 abstention), S4 contre, S5 pour
    G2: S1 contre, S2 undefined (1 pour, 1 contre), S3 pour, S4 contre, S5 abstention
"""

from __future__ import annotations

import functools
import warnings

import pandas as pd
import pytest

from bureau_data import plot, provenance
from bureau_data.assemblee import metrics as M
from bureau_data.assemblee import scrutins as S
from bureau_data.assemblee.metrics import SmallDenominatorWarning

G1, G2 = "PO900010", "PO900011"
VOTES = [
    ("S1", "A1", G1, "pour"), ("S1", "A2", G1, "pour"), ("S1", "A3", G1, "contre"), ("S1", "A4", G1, "non-votant"),
    ("S1", "B1", G2, "contre"), ("S1", "B2", G2, "contre"), ("S1", "B3", G2, "abstention"),
    ("S2", "A1", G1, "contre"), ("S2", "A2", G1, "contre"), ("S2", "A3", G1, "contre"),
    ("S2", "B1", G2, "contre"), ("S2", "B2", G2, "pour"),
    ("S3", "A1", G1, "pour"), ("S3", "A2", G1, "abstention"),
    ("S3", "B1", G2, "pour"), ("S3", "B2", G2, "pour"), ("S3", "B3", G2, "pour"),
    ("S4", "A1", G1, "contre"), ("S4", "A2", G1, "contre"), ("S4", "B1", G2, "contre"),
    ("S5", "A1", G1, "pour"), ("S5", "B1", G2, "abstention"), ("S5", "B2", G2, "abstention"), ("S5", "B3", G2, "pour"),
]


def _positions(votes=VOTES) -> pd.DataFrame:
    frame = pd.DataFrame(votes, columns=["scrutin_uid", "acteur_uid", "groupe_uid", "position"])
    frame["position"] = pd.Categorical(frame["position"], categories=list(S.POSITIONS), ordered=True)
    for column in ("scrutin_uid", "acteur_uid", "groupe_uid"):
        frame[column] = frame[column].astype("category")
    return frame


def _scrutins() -> pd.DataFrame:
    return pd.DataFrame({
        "uid": ["S1", "S2", "S3", "S4", "S5"],
        "date": pd.to_datetime(["2025-01-01", "2025-01-02", "2025-01-03", "2025-01-04", "2025-01-05"]),
        "adopte": pd.array([True, False, True, False, True], dtype="boolean"),
    }).assign(uid=lambda df: "VTAN" + df["uid"])


def _vtan(positions: pd.DataFrame) -> pd.DataFrame:
    # participation_by_deputy keeps the Assemblée's scrutins (uid VTAN…), not the Congrès.
    return positions.assign(scrutin_uid="VTAN" + positions["scrutin_uid"].astype(str))


def _quiet(function, *args, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SmallDenominatorWarning)
        return function(*args, **kwargs)


def test_cohesion_per_scrutin():
    table = M.cohesion(_positions()).set_index(["scrutin_uid", "groupe_uid"])
    # S1 G1: 2 pour, 1 contre, 1 non-votant: majority pour, 2/3 of voters, Rice |2-1|/3.
    row = table.loc[("S1", G1)]
    assert (row["pour"], row["contre"], row["abstention"], row["non_votant"], row["votants"]) == (2, 1, 0, 1, 3)
    assert row["position_majoritaire"] == "pour"
    assert row["part_majoritaire_pct"] == pytest.approx(200 / 3)
    assert row["rice"] == pytest.approx(1 / 3)
    # S1 G2: 2 contre, 1 abstention: Rice ignores abstentions, |0-2|/2 = 1.
    assert table.loc[("S1", G2), "rice"] == pytest.approx(1.0)
    # S2 G2 and S3 G1 tie: no majority position.
    assert pd.isna(table.loc[("S2", G2), "position_majoritaire"])
    assert pd.isna(table.loc[("S3", G1), "position_majoritaire"])
    assert pd.isna(table.loc[("S3", G1), "part_majoritaire_pct"])
    assert table.loc[("S2", G2), "rice"] == pytest.approx(0.0)
    assert table.loc[("S5", G2), "position_majoritaire"] == "abstention"
    assert "position majoritaire" in M.cohesion(_positions()).attrs["method"]


def test_cohesion_by_group():
    # G1 (scrutins with ≥ 2 voters and a majority): S1 2/3, S2 1, S4 1 → 88.89 %;
    #   Rice (1/3 + 1 + 1) / 3 = 0.7778. S3 is a tie, S5 has one voter.
    # G2: S1 2/3, S3 1, S5 2/3 → 77.78 %; Rice (1 + 1 + 1) / 3 = 1. S2 is a tie, S4 has one voter.
    with pytest.warns(SmallDenominatorWarning, match="2 taux de cohésion sur 2"):
        table = M.cohesion_by_group(_positions())
    assert table["groupe_uid"].tolist() == [G1, G2]
    assert table["scrutins"].tolist() == [3, 3]
    assert table["cohesion_pct"].tolist() == pytest.approx([800 / 9, 700 / 9])
    assert table["rice"].tolist() == pytest.approx([7 / 9, 1.0])
    assert table["petit_effectif"].tolist() == [True, True]


def test_agreement_matrix():
    # Both groups have a majority in S1 (pour / contre), S4 (contre / contre) and
    # S5 (pour / abstention): they agree once in three, 33.33 %.
    # G1 with itself: S1, S2, S4, S5 → 100 % on 4 scrutins.
    with pytest.warns(SmallDenominatorWarning, match="1 paire"):
        matrix = M.agreement_matrix(_positions())
    assert matrix.loc[G1, G2] == pytest.approx(100 / 3)
    assert matrix.loc[G2, G1] == pytest.approx(100 / 3)
    assert matrix.loc[G1, G1] == pytest.approx(100.0)
    assert matrix.attrs["effectifs"][G1][G2] == 3
    assert matrix.attrs["effectifs"][G1][G1] == 4
    assert matrix.attrs["effectifs"][G2][G2] == 4


def test_agreement_matrix_group_order():
    matrix = _quiet(M.agreement_matrix, _positions(), groups=[G2, G1])
    assert matrix.index.tolist() == [G2, G1]
    assert matrix.columns.tolist() == [G2, G1]


def test_winning_side():
    # G1: S1 pour/adopted, S2 contre/rejected, S4 contre/rejected, S5 pour/adopted → 4 of 4.
    # G2: S1 contre/adopted (lost), S3 pour/adopted, S4 contre/rejected,
    #     S5 abstention (never winning) → 2 of 4.
    positions = _vtan(_positions())
    with pytest.warns(SmallDenominatorWarning):
        table = M.winning_side(positions, _scrutins()).set_index("groupe_uid")
    assert table.loc[G1, ["scrutins", "victoires"]].tolist() == [4, 4]
    assert table.loc[G2, ["scrutins", "victoires", "abstentions_majoritaires"]].tolist() == [4, 2, 1]
    assert table.loc[G1, "victoires_pct"] == pytest.approx(100.0)
    assert table.loc[G2, "victoires_pct"] == pytest.approx(50.0)


def test_winning_side_ignores_counts():
    # A motion de censure with only « pour » votes and rejected: the group voting for it lost.
    positions = _positions([("S1", "A1", G1, "pour"), ("S1", "A2", G1, "pour")])
    scrutins = pd.DataFrame({"uid": ["S1"], "adopte": pd.array([False], dtype="boolean")})
    table = _quiet(M.winning_side, positions, scrutins)
    assert table["victoires"].tolist() == [0]


def test_winning_side_unknown_outcome_excluded():
    scrutins = _scrutins().assign(adopte=pd.array([True, False, None, False, True], dtype="boolean"))
    table = _quiet(M.winning_side, _vtan(_positions()), scrutins).set_index("groupe_uid")
    # S3 has no known outcome: G2 loses its S3 win, 1 of 3.
    assert table.loc[G2, ["scrutins", "victoires"]].tolist() == [3, 1]


def test_loyalty():
    # A3: S1 contre against a pour majority, S2 contre with the majority → 1 of 2.
    # B3: S1 abstention (majority contre), S3 pour (ok), S5 pour (majority abstention) → 1 of 3.
    # A1: S3 is a tie and is left out → 4 of 4. A4 never voted and is absent.
    with pytest.warns(SmallDenominatorWarning):
        table = M.loyalty(_positions())
    assert table["acteur_uid"].tolist() == ["B3", "A3", "A1", "A2", "B1", "B2"]
    indexed = table.set_index("acteur_uid")
    assert indexed.loc["A3", ["votes", "votes_loyaux"]].tolist() == [2, 1]
    assert indexed.loc["B3", ["votes", "votes_loyaux"]].tolist() == [3, 1]
    assert indexed.loc["A1", ["votes", "votes_loyaux"]].tolist() == [4, 4]
    assert indexed.loc["B3", "loyaute_pct"] == pytest.approx(100 / 3)
    assert indexed.loc["B3", "groupe_uid"] == G2


def test_participation_by_deputy_presence():
    # Without mandates, the period runs from the first to the last listed scrutin.
    # B2: listed in S1, S2, S3, S5 → period S1–S5 = 5 scrutins, 4 votes → 80 %.
    # B3: S1, S3, S5 → 5 scrutins, 3 votes → 60 %. A4: only excused (PSE) → 0 expected, no rate.
    with pytest.warns(SmallDenominatorWarning, match="7 taux de participation sur 7"):
        table = M.participation_by_deputy(_vtan(_positions()), _scrutins())
    indexed = table.set_index("acteur_uid")
    assert indexed.loc["B2", ["scrutins_periode", "votes", "attendus"]].tolist() == [5, 4, 5]
    assert indexed.loc["B2", "participation_pct"] == pytest.approx(80.0)
    assert indexed.loc["B3", "participation_pct"] == pytest.approx(60.0)
    assert indexed.loc["A2", "scrutins_periode"] == 4
    assert indexed.loc["A4", ["excuses", "attendus"]].tolist() == [1, 0]
    assert pd.isna(indexed.loc["A4", "participation_pct"])
    assert set(table["base"]) == {"présence"}


def test_participation_by_deputy_mandates():
    # A3's mandate covers S1–S3: 3 scrutins, 2 votes → 66.67 %. B3's open mandate: 5, 3 → 60 %.
    mandats = pd.DataFrame({
        "acteur_uid": ["A3", "B3"],
        "date_debut": pd.to_datetime(["2025-01-01", "2024-12-01"]),
        "date_fin": pd.to_datetime(["2025-01-03", None]),
    })
    table = _quiet(M.participation_by_deputy, _vtan(_positions()), _scrutins(), mandats).set_index("acteur_uid")
    assert table.loc["A3", ["scrutins_periode", "votes", "base"]].tolist() == [3, 2, "mandat"]
    assert table.loc["A3", "participation_pct"] == pytest.approx(200 / 3)
    assert table.loc["B3", "participation_pct"] == pytest.approx(60.0)
    assert table.loc["A1", "base"] == "présence"


def test_participation_by_group():
    # G1: S1 4 members − 1 non-voting = 3 expected, 3 votes; S2 4 expected, 3 votes → 6 / 7.
    # G2: S1 3 expected, 3 votes; S2 3 expected, 2 votes → 5 / 6.
    decomptes = pd.DataFrame({
        "scrutin_uid": ["S1", "S1", "S2", "S2"], "groupe_uid": [G1, G2, G1, G2],
        "nombre_membres": [4, 3, 4, 3], "pour": [2, 0, 0, 1], "contre": [1, 2, 3, 1],
        "abstentions": [0, 1, 0, 0], "non_votants": [1, 0, 0, 0],
    })
    with pytest.warns(SmallDenominatorWarning):
        table = M.participation_by_group(decomptes).set_index("groupe_uid")
    assert table.loc[G1, ["attendus", "votants"]].tolist() == [7, 6]
    assert table.loc[G1, "participation_pct"] == pytest.approx(600 / 7)
    assert table.loc[G2, "participation_pct"] == pytest.approx(500 / 6)
    assert "ne sont pas comptés absents" in table.attrs["method"]


def test_missing_column_named():
    with pytest.raises(M.SchemaError, match="colonnes manquantes position"):
        M.cohesion(pd.DataFrame({"scrutin_uid": [], "groupe_uid": []}))


def test_methods_logged(tmp_path, monkeypatch):
    log = tmp_path / "provenance.jsonl"
    monkeypatch.setenv("BUREAU_DATA_PROVENANCE_LOG", str(log))
    positions = _vtan(_positions())
    _quiet(M.cohesion_by_group, positions)
    _quiet(M.agreement_matrix, positions)
    _quiet(M.winning_side, positions, _scrutins())
    _quiet(M.loyalty, positions)
    _quiet(M.participation_by_deputy, positions, _scrutins())
    keys = [method["key"] for method in provenance.read_methods(log)]
    assert keys == ["scrutins.cohesion", "scrutins.cohesion_groupes", "scrutins.accord", "scrutins.victoires",
                    "scrutins.loyaute", "scrutins.participation_deputes"]


# --- C06: aggregates keyed by organe uid, acronyms only through aliases --------------------


def test_groups_keyed_by_uid_not_acronym():
    # PO900010 (legislature 15) and PO900030 (legislature 16) share the acronym LAREM:
    # they stay two groups.
    votes = [("S1", "PA900001", "PO900010", "pour"), ("S2", "PA900002", "PO900030", "contre")]
    table = _quiet(M.cohesion_by_group, _positions(votes), min_voters=1)
    assert sorted(table["groupe_uid"]) == ["PO900010", "PO900030"]


def test_group_colour_through_alias_table():
    # The user's colour map says LREM; the AN's acronym is LAREM (PO730964, legislature 15).
    colours = plot.group_colors(["PO730964"], legislature=15, overrides={"LREM": "#ffcc00"})
    assert colours == {"PO730964": "#ffcc00"}
    with pytest.warns(plot.UnknownGroupWarning, match="LAREMX"):
        plot.group_colors(["LAREMX"], legislature=15)


# --- real data -----------------------------------------------------------------------------


@functools.cache
def _l17() -> dict[str, pd.DataFrame]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return S.load_tables(17)


def _l17_quiet(function, *args):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", M.UnidentifiedGroupWarning)
        warnings.simplefilter("ignore", SmallDenominatorWarning)
        return function(*args)


def test_l17_placeholder_group_left_out():
    # 12 scrutins of 2 December 2024 give every group as PO0: those votes are left out.
    with pytest.warns(M.UnidentifiedGroupWarning, match="12 scrutin"):
        table = M.participation_by_group(_l17()["decomptes_groupes"])
    assert "PO0" not in set(table["groupe_uid"])
    assert len(table) == 13


def test_l17_participation_rn():
    # RN (PO845401): 191 029 votes for 476 353 expected over the 3864 scrutins with groups.
    row = _l17_quiet(M.participation_by_group, _l17()["decomptes_groupes"]).set_index("groupe_uid").loc["PO845401"]
    assert (row["scrutins"], row["attendus"], row["votants"]) == (3864, 476353, 191029)
    assert row["participation_pct"] == pytest.approx(40.1024, abs=1e-4)


def test_l17_cohesion_lfi():
    row = _l17_quiet(M.cohesion_by_group, _l17()["positions"]).set_index("groupe_uid").loc["PO845413"]
    assert row["scrutins"] == 3765
    assert row["cohesion_pct"] == pytest.approx(98.8932, abs=1e-4)
    assert row["rice"] == pytest.approx(0.99168, abs=1e-5)


def test_l17_winning_side_epr():
    table = _l17_quiet(M.winning_side, _l17()["positions"], _l17()["scrutins"]).set_index("groupe_uid")
    assert table.loc["PO845407", ["scrutins", "victoires", "abstentions_majoritaires"]].tolist() == [3794, 3038, 33]
    assert table["victoires"].le(table["scrutins"]).all()


def test_l17_agreement_rn_udr():
    matrix = _l17_quiet(M.agreement_matrix, _l17()["positions"])
    assert matrix.loc["PO845401", "PO847173"] == pytest.approx(94.109, abs=1e-3)
    assert matrix.attrs["effectifs"]["PO845401"]["PO847173"] == 2733


def test_l17_president_not_counted_absent():
    # PA721908, President of the Assemblée: listed non-voting (PAN) in 3809 of 3876 scrutins.
    table = _l17_quiet(M.participation_by_deputy, _l17()["positions"], _l17()["scrutins"]).set_index("acteur_uid")
    assert table.loc["PA721908", ["scrutins_periode", "excuses", "votes", "attendus"]].tolist() == [3876, 3809, 67, 67]
    assert len(table) == 621


def test_l17_loyalty_counts():
    table = _l17_quiet(M.loyalty, _l17()["positions"]).set_index("acteur_uid")
    assert len(table) == 617
    assert table.loc["PA721336", ["groupe_uid", "votes", "votes_loyaux"]].tolist() == ["PO845454", 701, 508]


def test_l17_group_table_labels():
    # Two organes share the acronym UDR: the chart labels add their periods.
    table = M.group_table(_l17()["decomptes_groupes"], _l17()["scrutins"], 17).set_index("groupe_uid")
    assert len(table) == 13
    assert table["libelle_court"].is_unique
    assert table.loc["PO847173", "libelle_court"] == "UDR (oct. 2024 – juil. 2025)"
    assert table.loc["PO872880", "libelle_court"] == "UDR (sept. 2025 – nov. 2025)"
    assert table.loc["PO845401", ["sigle", "couleur"]].tolist() == ["RN", "#313567"]
    assert table.iloc[0]["sigle"] == "LFI-NFP"
    assert "PO0" not in table.index
