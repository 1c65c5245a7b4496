"""The catalogue datasets the budget loaders read, by role and year."""

from __future__ import annotations

# PLF budget général by destination, one file per year. 2020-2025 files hold every
# budget (BG, BA, CAS, CCF) in one table.
PLF_FILES: dict[int, str] = {
    **{year: f"budget.plf.{year}.bg" for year in range(2014, 2020)},
    **{year: f"budget.plf.{year}" for year in range(2020, 2026)},
}
# Complete nature file of 2017, read when the destination file is truncated.
PLF_NATURE_FILES: dict[int, str] = {2017: "budget.plf.2017.bg.nature"}
MINISTRY_FILE_2014 = "budget.plf.2014.bg.ministeres"

OTHER_BUDGET_FILES: dict[int, tuple[str, ...]] = {
    2015: ("budget.plf.2015.ba", "budget.plf.2015.cs"),
    2016: ("budget.plf.2016.ba", "budget.plf.2016.cs"),
    2017: ("budget.plf.2017.ba", "budget.plf.2017.cf", "budget.plf.2017.cs"),
    2018: ("budget.plf.2018.ba", "budget.plf.2018.cf", "budget.plf.2018.cs"),
    2019: ("budget.plf.2019.ba", "budget.plf.2019.cf", "budget.plf.2019.cs"),
}
LOLF_NOMENCLATURES: dict[int, str] = {year: f"budget.nomenclature.lolf.{year}" for year in range(2012, 2019)}
MPA_NOMENCLATURES: dict[int, str] = {year: f"budget.nomenclature.mpa.{year}" for year in range(2015, 2020)}
RECETTES_FILES: dict[int, str] = {year: f"budget.recettes.{year}" for year in range(2015, 2020)}
EXECUTION_FILES: dict[str, str] = {
    "BG": "budget.execution.2017.bg",
    "CAS": "budget.execution.2017.cas",
    "CCF": "budget.execution.2017.ccf",
}
EXECUTION_MINISTRY_FILE = "budget.execution.2017.cas.ministeres"
