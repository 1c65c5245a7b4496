"""Chart helpers and the French house style of the blog.

Importing this package changes no matplotlib setting. Apply the theme explicitly:

>>> from bureau_data import plot
>>> with plot.theme():
...     ax = plot.barh_ranked({"A": 3, "B": 1})
...     fig = plot.finish(ax, title="A devant B", source="Exemple", alt=plot.draft_alt(ax))

Every helper takes the data first and keyword-only options, accepts ``ax=`` and returns
the Axes. ``plot.show(fig, data=df)`` ends each chart cell of an article.
"""

from bureau_data.plot.charts_bars import barh_ranked, bars_diverging, bars_stacked, waterfall
from bureau_data.plot.charts_lines import annotate, plot_line, plot_series, small_multiples
from bureau_data.plot.charts_matrix import heatmap
from bureau_data.plot.choropleth import choropleth
from bureau_data.plot.colors import (
    DIVERGING,
    POSITION_COLORS,
    POSITION_LABELS,
    POSITIONS,
    SEQUENTIAL,
    UnknownGroupWarning,
    group_color,
    group_colors,
    group_label,
    group_labels,
    group_order,
    group_registry,
    mission_color,
    position_color,
    resolve_group,
)
from bureau_data.plot.hemicycle import hemicycle, hemicycle_layout
from bureau_data.plot.output import chart_info, chart_output, draft_alt, finish, render, save, show
from bureau_data.plot.style import ink, is_dark, reset_theme, set_theme, theme, theme_rc
from bureau_data.plot.ticks import (
    FrenchDateFormatter,
    FrenchEurosFormatter,
    FrenchNumberFormatter,
    FrenchPercentFormatter,
    FrenchYearFormatter,
    format_axis,
)
from bureau_data.plot.treemap import treemap

__all__ = [
    "DIVERGING",
    "POSITIONS",
    "POSITION_COLORS",
    "POSITION_LABELS",
    "SEQUENTIAL",
    "FrenchDateFormatter",
    "FrenchEurosFormatter",
    "FrenchNumberFormatter",
    "FrenchPercentFormatter",
    "FrenchYearFormatter",
    "UnknownGroupWarning",
    "annotate",
    "barh_ranked",
    "bars_diverging",
    "bars_stacked",
    "chart_info",
    "choropleth",
    "chart_output",
    "draft_alt",
    "finish",
    "format_axis",
    "group_color",
    "group_colors",
    "group_label",
    "group_labels",
    "group_order",
    "group_registry",
    "heatmap",
    "hemicycle",
    "hemicycle_layout",
    "ink",
    "is_dark",
    "mission_color",
    "plot_line",
    "plot_series",
    "position_color",
    "render",
    "reset_theme",
    "resolve_group",
    "save",
    "set_theme",
    "show",
    "small_multiples",
    "theme",
    "theme_rc",
    "treemap",
    "waterfall",
]
