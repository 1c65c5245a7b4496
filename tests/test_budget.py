"""Tests of the State budget loaders against the real published files."""

from __future__ import annotations

import importlib
import time
import warnings

import pandas as pd
import pytest

from bureau_data import budget
from bureau_data.budget import sources
from bureau_data.budget._read import detect_layout, read_budget_file
from bureau_data.budget.layouts import BudgetRepairWarning, build_lines
from bureau_data.errors import ConfigurationError, SchemaError
from bureau_data.fetch import fetch

# PLF budget général totals in billions of euros (Md€), AE and CP.
PLF_TOTALS = {
    2014: (410.459, 407.410), 2015: (410.614, 395.617), 2016: (413.629, 406.327),
    2017: (445.753, 427.353), 2018: (444.755, 440.964), 2019: (478.983, 464.479),
    2020: (501.162, 478.009), 2021: (553.058, 504.804), 2022: (677.063, 515.621),
    2023: (558.319, 560.220), 2024: (585.147, 581.088), 2025: (618.649, 594.036),
}
LFI_CP = {2013: 395.290, 2014: 391.323, 2015: 395.378, 2016: 409.617, 2017: 427.369}


@pytest.fixture(scope="module")
def data_env(shared_data, session_cache):
    # Module fixtures run before conftest's per-test settings, so set them here too.
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("BUREAU_DATA_LOCAL_DIR", str(shared_data))
        patch.setenv("BUREAU_DATA_CACHE_DIR", str(session_cache))
        yield


@pytest.fixture(scope="module")
def lines(data_env) -> pd.DataFrame:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", BudgetRepairWarning)
        return budget.budget_lines()


@pytest.fixture(scope="module")
def general(lines: pd.DataFrame, data_env) -> pd.DataFrame:
    return budget.plf()


@pytest.mark.parametrize("year", sorted(PLF_TOTALS))
def test_plf_totals_by_year(general: pd.DataFrame, year: int) -> None:
    ae, cp = PLF_TOTALS[year]
    rows = general[general["year"] == year]
    assert round(rows["ae"].sum() / 1e9, 3) == ae
    assert round(rows["cp"].sum() / 1e9, 3) == cp


def test_lfi_previous_year_cp(lines: pd.DataFrame) -> None:
    lfi = budget.budget_general(phase="LFI")
    totals = (lfi.groupby("year")["cp"].sum() / 1e9).round(3).to_dict()
    assert totals == LFI_CP


def test_execution_2017_cp(lines: pd.DataFrame) -> None:
    assert round(budget.execution_2017("BG")["cp"].sum() / 1e9, 3) == 439.348
    assert round(budget.execution_2017("CAS")["cp"].sum() / 1e9, 3) == 77.441
    assert round(budget.execution_2017("CCF")["cp"].sum() / 1e9, 3) == 120.672
    assert budget.execution_2017("BG")["ae"].isna().all()


def test_schema_and_dtypes(general: pd.DataFrame) -> None:
    assert list(general.columns) == list(budget.schema.LINE_COLUMNS)
    assert general["phase"].cat.ordered
    assert general["ae"].dtype == "float64"
    assert general["programme_code"].dtype == "string"
    assert set(general["budget_type"].astype(str)) == {"BG"}
    assert general.attrs["provenance"]


def test_every_line_has_mission_and_labels(general: pd.DataFrame) -> None:
    assert general["mission_id"].notna().all()
    assert general["mission_code"].notna().all()
    assert general["mission"].notna().all()
    # Code-only years get their labels from the nomenclatures.
    codes_only = general[general["year"].between(2020, 2023)]
    assert codes_only["programme"].notna().mean() > 0.99
    assert codes_only["action"].notna().mean() > 0.99


def test_code_only_year_labelled(general: pd.DataFrame) -> None:
    row = general[(general["year"] == 2021) & (general["programme_code"] == "178")].iloc[0]
    assert row["mission_code"] == "DA"
    assert row["mission"] == "Défense"
    assert row["mission_id"] == "defense"
    assert row["programme"] == "Préparation et emploi des forces"


def test_codes_written_as_floats_normalised(general: pd.DataFrame) -> None:
    y2023 = general[general["year"] == 2023]
    assert "302" in set(y2023["programme_code"])
    assert not y2023["programme_code"].str.contains(r"\.").any()
    assert set(y2023["ministry_code"].dropna()) >= {"07", "70"}
    odd = y2023[(y2023["programme_code"] == "169") & (y2023["sous_action_code"] == "32")]
    assert odd["action_code"].tolist() == ["03"]


def test_action_total_rows_removed(shared_data) -> None:
    expected = {2014: 36, 2015: 46, 2016: 48}
    for year, count in expected.items():
        name = f"PLF{year}-BG-Msn-Dest.csv"
        raw = read_budget_file(shared_data / "budget" / "plf" / name)
        with pytest.warns(BudgetRepairWarning, match=rf"{count} lignes « total d'action »"):
            frame = build_lines(raw, year)
        plf = frame[frame["phase"] == "PLF"]
        assert round(plf["cp"].sum() / 1e9, 3) == PLF_TOTALS[year][1]


def test_truncated_2017_file_replaced(general: pd.DataFrame, shared_data) -> None:
    y2017 = general[general["year"] == 2017]
    assert y2017["mission"].nunique() == 32
    assert set(y2017["source"]) == {"PLF2017-BG-Msn-Nat.csv"}
    raw = read_budget_file(shared_data / "budget" / "plf" / "PLF2017-BG-Msn-Dest.csv")
    assert build_lines(raw, 2017)["mission"].nunique() == 6


def test_truncation_warns(shared_data) -> None:
    from bureau_data.budget.lines import choose_2017

    folder = shared_data / "budget" / "plf"
    dest = build_lines(read_budget_file(folder / "PLF2017-BG-Msn-Dest.csv"), 2017)
    nature = build_lines(read_budget_file(folder / "PLF2017-BG-Msn-Nat.csv"), 2017)
    with pytest.warns(BudgetRepairWarning, match="tronqué .6 missions sur 32"):
        assert choose_2017(dest, nature, "PLF2017-BG-Msn-Dest.csv") is nature
    assert choose_2017(nature, nature, "x") is nature


@pytest.mark.parametrize(
    ("name", "layout"),
    [
        ("PLF2014-BG-Msn-Dest.csv", "destination_2014"),
        ("PLF2016-BG-Msn-Dest.csv", "destination_2014"),
        ("PLF2017-BG-Msn-Nat.csv", "nature_2017"),
        ("plf2019-bg-msn-dest.csv", "mpa_2019"),
        ("plf_2020_depenses.csv", "codes_2020"),
        ("plf_2023_depenses.csv", "codes_2020"),
        ("plf_2024_depenses.csv", "api_2024"),
        ("plf_2025_depenses.csv", "api_2025"),
        ("plf2014-bg-ministeres-missions-programme-titres-actions.csv", "ministeres_2014"),
    ],
)
def test_layout_detection(shared_data, name: str, layout: str) -> None:
    raw = read_budget_file(shared_data / "budget" / "plf" / name)
    assert raw.layout == layout


def test_reader_handles_file_quirks(shared_data) -> None:
    folder = shared_data / "budget" / "plf"
    cp1252 = read_budget_file(folder / "PLF2017-BG-Msn-Nat.csv")
    assert "Rémunérations d’activité" in set(cp1252.frame["Libellé catégorie"])
    assert "AEPLF" in cp1252.frame.columns  # header cell " AEPLF"
    bom = read_budget_file(folder / "plf_2024_depenses.csv")
    assert bom.frame.columns[0] == "Type Mission"
    assert "AE PLF" in bom.frame.columns  # header "AE  PLF"
    wide = read_budget_file(folder / "plf_2021_depenses.csv")
    assert len(wide.frame.columns) == 12
    assert len(wide.frame) == 2353
    trailing = read_budget_file(folder / "plf2019-bg-msn-dest.csv")
    assert len(trailing.frame) == 777


def test_unknown_layout_raises_french_schema_error(tmp_path) -> None:
    path = tmp_path / "inconnu.csv"
    path.write_bytes("Année;Poste;Montant\n2024;X;1 000\n".encode("cp1252"))
    with pytest.raises(SchemaError, match=r"Format de fichier budgétaire inconnu : inconnu\.csv.*Poste"):
        read_budget_file(path)
    with pytest.raises(SchemaError):
        detect_layout(["a", "b"], "x.csv")


def test_year_mismatch_raises(shared_data) -> None:
    raw = read_budget_file(shared_data / "budget" / "plf" / "plf_2022_depenses.csv")
    with pytest.raises(SchemaError, match="porte sur l'année 2022"):
        build_lines(raw, 2021)


def test_programmes_sum_to_missions(general: pd.DataFrame) -> None:
    per_mission = general.groupby(["year", "mission_id"])["cp"].sum()
    per_programme = general.groupby(["year", "mission_id", "programme_code"])["cp"].sum()
    rebuilt = per_programme.groupby(level=["year", "mission_id"]).sum()
    pd.testing.assert_series_equal(per_mission, rebuilt)
    assert general.groupby(["year", "programme_code"])["mission_id"].nunique().max() == 1


def test_totals_attr_lists_years(lines: pd.DataFrame) -> None:
    totals = {(t["budget_type"], t["phase"], t["year"]): t for t in lines.attrs["totals"]}
    assert round(totals[("BG", "PLF", 2025)]["cp"] / 1e9, 3) == 594.036
    assert totals[("BG", "exécution", 2017)]["ae"] is None


def test_mission_followed_through_renaming(general: pd.DataFrame) -> None:
    avenir = general[general["mission_id"] == "investissements-avenir"]
    assert set(avenir["mission"]) == {"Investissements d'avenir", "Investir pour la France de 2030"}
    cohesion = general[general["mission_id"] == "cohesion-territoires"]
    assert sorted(cohesion["year"].unique()) == list(range(2014, 2026))
    assert "PA" in set(cohesion["mission_code"])


def test_crosswalk_columns_and_colours() -> None:
    crosswalk = budget.mission_crosswalk()
    assert list(crosswalk.columns[:3]) == ["mission_id", "libelle_court", "couleur"]
    assert crosswalk["mission_id"].is_unique
    main = crosswalk[crosswalk["principale"]]
    assert len(main) == 9
    assert main["couleur"].is_unique


def test_ministries_where_given(general: pd.DataFrame) -> None:
    y2014 = general[general["year"] == 2014]
    assert y2014["ministry"].notna().all()
    y2025 = general[general["year"] == 2025]
    assert y2025.loc[y2025["programme_code"] == "152", "ministry"].iloc[0] == "Intérieur"


def test_autres_budgets(lines: pd.DataFrame) -> None:
    other = budget.autres_budgets()
    assert set(other["budget_type"].astype(str)) <= {"BA", "CAS", "CCF", "CS"}
    y2015 = other[other["year"] == 2015]
    assert round(y2015.loc[y2015["budget_type"] == "CCF", "cp"].sum() / 1e9, 2) == 114.26
    assert round(y2015.loc[y2015["budget_type"] == "BA", "cp"].sum() / 1e9, 2) == 2.51
    assert other["mission_id"].str.match(r"^(ba|cas|ccf)-[a-z]{2}$").all()


def test_recettes_levels_and_units() -> None:
    df = budget.recettes()
    ir_2019 = df[(df["edition"] == 2019) & (df["line_code"] == "1101")]
    assert ir_2019["amount"].tolist() == [86_961_912_000.0]
    tva_2015 = df[(df["edition"] == 2015) & (df["label"] == "Taxe sur la valeur ajoutée")
                  & (df["estimate"] == "PLF")]
    assert tva_2015["amount"].tolist() == [193_235e6]
    execution = df[(df["edition"] == 2017) & (df["estimate"] == "exécution") & (df["line_code"] == "A")]
    assert execution["amount"].tolist() == [383_316e6]
    assert set(df["level"]) == {1, 2, 3}


def test_execution_by_ministry() -> None:
    df = budget.execution_2017_ministeres()
    assert round(df["cp"].sum() / 1e9, 3) == 77.441
    assert set(df["titre_code"]) <= set("1234567")


def test_bad_phase_and_year() -> None:
    with pytest.raises(ConfigurationError, match="Phase inconnue"):
        budget.budget_general(phase="PLR")
    with pytest.raises(ConfigurationError, match="2013"):
        budget.plf(2013)


def test_warm_cache_faster_than_cold(monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:
    monkeypatch.setenv("BUREAU_DATA_CACHE_DIR", str(tmp_path))
    start = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", BudgetRepairWarning)
        cold = budget.budget_lines()
    cold_time = time.perf_counter() - start
    start = time.perf_counter()
    warm = budget.budget_lines()
    warm_time = time.perf_counter() - start
    pd.testing.assert_frame_equal(cold, warm)
    assert warm_time * 4 < cold_time


def _fetched_by(monkeypatch: pytest.MonkeyPatch, load) -> list[str]:
    """Run ``load`` and return the dataset ids it fetched, in order."""
    plf_module = importlib.import_module("bureau_data.budget.plf")
    fetched: list[str] = []

    def recording_fetch(dataset_id: str):
        fetched.append(dataset_id)
        return fetch(dataset_id)

    monkeypatch.setattr(plf_module, "fetch", recording_fetch)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", BudgetRepairWarning)
        load()
    return fetched


def test_general_fetches_only_its_files(data_env, monkeypatch: pytest.MonkeyPatch) -> None:
    other = {d for group in sources.OTHER_BUDGET_FILES.values() for d in group}
    fetched = _fetched_by(monkeypatch, lambda: budget.plf(2025))
    assert len(fetched) == 26
    assert not other & set(fetched)
    assert not set(sources.EXECUTION_FILES.values()) & set(fetched)
    assert "budget.plf.2025" in fetched


def test_general_execution_fetches_bg_file(data_env, monkeypatch: pytest.MonkeyPatch) -> None:
    fetched = _fetched_by(monkeypatch, lambda: budget.budget_general(phase="exécution"))
    assert len(fetched) == 27
    assert set(sources.EXECUTION_FILES.values()) & set(fetched) == {"budget.execution.2017.bg"}


@pytest.mark.parametrize("phase", ["PLF", "LFI", "exécution"])
def test_general_same_as_all_lines(lines: pd.DataFrame, phase: str) -> None:
    expected = lines[(lines["budget_type"] == "BG") & (lines["phase"] == phase)].reset_index(drop=True)
    pd.testing.assert_frame_equal(budget.budget_general(phase=phase).reset_index(drop=True), expected)
