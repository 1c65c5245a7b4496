"""Colours of political groups, budget missions and vote positions."""

from __future__ import annotations

import warnings

import pandas as pd
import pytest

from bureau_data.assemblee import amo
from bureau_data.errors import ConfigurationError
from bureau_data.plot import colors


def test_registry_rows_per_legislature():
    registry = colors.group_registry()
    assert len(registry) == 42
    assert registry.groupby("legislature").size().to_dict() == {15: 17, 16: 12, 17: 13}
    assert registry["organe_uid"].is_unique


def test_registry_order_left_to_right_17():
    registry = colors.group_registry(17)
    assert registry["sigle"].tolist() == [
        "LFI-NFP", "GDR", "ECOS", "SOC", "LIOT", "EPR", "DEM", "HOR", "DR", "UDR", "UDR", "RN", "NI",
    ]
    assert registry["ordre"].tolist() == list(range(1, 14))


@pytest.mark.parametrize("legislature", [15, 16, 17])
def test_registry_matches_an_organes(legislature):
    """Every GP organe of the legislature in the AMO export is in the registry, with its colour."""
    organes = amo.organes(legislature, code_type="GP")
    organes = organes[organes["legislature"].astype(str) == str(legislature)]
    registry = colors.group_registry(legislature).set_index("organe_uid")
    missing = sorted(set(organes["uid"]) - set(registry.index))
    assert missing == []
    for _, organe in organes.iterrows():
        row = registry.loc[organe["uid"]]
        assert row["acronyme"] == organe["libelle_abrev"]
        if not pd.isna(organe["couleur"]):
            assert row["couleur"] == str(organe["couleur"]).upper()
            assert row["source_couleur"] == "AN"


def test_group_color_by_uid_and_acronym():
    assert colors.group_color("PO845401") == "#313567"
    assert colors.group_color("RN", legislature=17) == "#313567"
    assert colors.group_color("rn", legislature=16) == "#35495E"
    assert colors.group_color("RN") == "#313567"  # latest legislature by default


def test_same_acronym_distinct_organes():
    assert colors.resolve_group("LR", 15)["organe_uid"] == "PO730934"
    assert colors.resolve_group("LR", 16)["organe_uid"] == "PO800508"
    assert colors.group_color("LR", 15) == "#1C2EFA"
    assert colors.group_color("LR", 16) == "#4565AD"


def test_aliases_resolve_other_spellings():
    assert colors.resolve_group("LREM", 15)["organe_uid"] == "PO730964"
    assert colors.resolve_group("LFI", 17)["organe_uid"] == "PO845413"
    assert colors.resolve_group("LR", 17)["organe_uid"] == "PO845425"
    assert colors.resolve_group("UDI-I", 15)["organe_uid"] == "PO771889"  # latest of UDI-I and UDI_I
    assert colors.resolve_group("UDR", 17)["organe_uid"] == "PO847173"
    assert colors.resolve_group("MACRONIE", 17, aliases={"MACRONIE": "EPR"})["organe_uid"] == "PO845407"


def test_user_colour_map_goes_through_aliases():
    result = colors.group_colors(["LAREM", "PO730934"], legislature=15, overrides={"LREM": "#ffcc00"})
    assert result == {"LAREM": "#ffcc00", "PO730934": "#1C2EFA"}


def test_unknown_acronym_warns_and_lists_it():
    with pytest.warns(colors.UnknownGroupWarning, match="ZZY, ZZZ") as record:
        result = colors.group_colors(["ZZZ", "RN", "ZZY"], legislature=17)
    assert len(record) == 1
    assert result["ZZZ"] == colors.UNKNOWN_GROUP_COLOR
    assert result["RN"] == "#313567"


def test_unknown_uid_warns():
    with pytest.warns(colors.UnknownGroupWarning, match="PO900010"):
        assert colors.group_color("PO900010") == colors.UNKNOWN_GROUP_COLOR


def test_group_order_sorts_keys():
    assert colors.group_order(["RN", "LFI-NFP", "EPR"], 17) == ["LFI-NFP", "EPR", "RN"]
    assert colors.group_order(["PO845401", "PO845413"]) == ["PO845413", "PO845401"]
    full = colors.group_order(legislature=16)
    assert full[0] == "PO800490"
    assert full[-1] == "PO793087"


def test_group_order_unknown_last_with_warning():
    with pytest.warns(colors.UnknownGroupWarning, match="XX"):
        assert colors.group_order(["XX", "RN", "SOC"], 17) == ["SOC", "RN", "XX"]


def test_group_order_needs_keys_or_legislature():
    with pytest.raises(ConfigurationError, match="législature"):
        colors.group_order()


def test_group_label_display_acronym():
    assert colors.group_label("PO872880") == "UDR"
    assert colors.group_label("PO771889") == "UDI-I"
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert colors.group_label("inconnu") == "inconnu"


def test_mission_color_from_table():
    assert colors.mission_color("defense") == "#117733"
    assert colors.mission_color("Défense") == "#117733"
    assert colors.mission_color("enseignement-scolaire") == "#CC6677"


def test_mission_color_fallback_is_stable():
    first = colors.mission_color("mission-inventee")
    assert first == colors.mission_color("mission-inventee")
    assert first in colors.FALLBACK_PALETTE


def test_mission_color_without_table(monkeypatch, tmp_path):
    monkeypatch.setattr(colors, "_data_dir", lambda: tmp_path)
    colors.clear_caches()
    try:
        assert colors.mission_color("defense") in colors.FALLBACK_PALETTE
    finally:
        monkeypatch.undo()
        colors.clear_caches()


@pytest.mark.parametrize(
    ("spelling", "key"),
    [("pour", "pour"), ("Contre", "contre"), ("abstentions", "abstention"),
     ("nonVotants", "non-votant"), ("non_votants", "non-votant"), ("non-votant", "non-votant")],
)
def test_position_spellings(spelling, key):
    assert colors.position_key(spelling) == key
    assert colors.position_color(spelling) == colors.POSITION_COLORS[key]


def test_position_unknown():
    with pytest.raises(ConfigurationError, match="Positions possibles"):
        colors.position_color("peut-être")


def test_palettes_are_colour_blind_safe_choices():
    assert colors.SEQUENTIAL == "cividis"
    assert colors.sequential_cmap().name == "cividis"
    low, high = colors.DIVERGING(0.0), colors.DIVERGING(1.0)
    assert low[2] > low[0]  # purple end
    assert high[0] > high[2]  # orange end
