"""State budget loaders: PLF 2014-2025 by mission, programme and action, other budgets,
revenue and the 2017 execution, from the open data of the Direction du budget.
"""

from bureau_data.budget.autres import (
    autres_budgets,
    execution_2017,
    execution_2017_ministeres,
    recettes,
)
from bureau_data.budget.layouts import BudgetRepairWarning
from bureau_data.budget.missions import mission_crosswalk
from bureau_data.budget.plf import budget_general, budget_lines, plf, totals_by_year

__all__ = [
    "BudgetRepairWarning",
    "autres_budgets",
    "budget_general",
    "budget_lines",
    "execution_2017",
    "execution_2017_ministeres",
    "mission_crosswalk",
    "plf",
    "recettes",
    "totals_by_year",
]
