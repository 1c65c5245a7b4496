"""Chart helpers: drawn objects, colours, order, seat counts and drafted alt texts."""

from __future__ import annotations

import warnings

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from matplotlib.colors import to_hex, to_rgb
from matplotlib.patches import Rectangle

from bureau_data import plot
from bureau_data.assemblee import amo, scrutins
from bureau_data.errors import ConfigurationError, DataWarning
from bureau_data.plot.treemap import BoxLabel

N = "\u202f"
M = "\u2212"
SEATS_17 = {"RN": 123, "EPR": 91, "LFI-NFP": 71, "SOC": 69, "DR": 49, "ECOS": 38, "DEM": 36, "HOR": 34,
            "LIOT": 22, "GDR": 17, "UDR": 16, "NI": 9}


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


@pytest.fixture
def deputes_17():
    return amo.deputes(17)


@pytest.fixture
def positions_v1():
    positions = scrutins.positions(17)
    return positions[positions["scrutin_uid"] == "VTANR5L17V1"]


def test_barh_ranked_labels_and_order():
    data = pd.Series({"Culture": 3.8e9, "Défense": 47.2e9, "Enseignement scolaire": 63.6e9, "Recherche": 31.5e9})
    ax = plot.barh_ranked(data, kind="euros")
    assert [t.get_text() for t in ax.get_yticklabels()] == ["Enseignement scolaire", "Défense", "Recherche", "Culture"]
    assert [t.get_text() for t in ax.texts] == [f"63,6{N}Md€", f"47,2{N}Md€", f"31,5{N}Md€", f"3,8{N}Md€"]
    widths = [patch.get_width() for patch in ax.patches]
    assert widths == [63.6e9, 47.2e9, 31.5e9, 3.8e9]


def test_barh_ranked_negative_values_and_top_n():
    ax = plot.barh_ranked({"a": -1234.5, "b": 10.0, "c": 5.0}, n=2, ascending=True, decimals=1)
    assert [t.get_text() for t in ax.texts] == [f"{M}1{N}234,5", "5,0"]
    assert ax.texts[0].get_horizontalalignment() == "right"


def test_barh_ranked_group_colours_and_alt(deputes_17):
    seats = deputes_17.groupby("groupe_uid", observed=True).size()
    seats.index = [plot.group_label(uid, 17) for uid in seats.index]
    ax = plot.barh_ranked(seats, color=lambda g: plot.group_color(g, legislature=17), xlabel="sièges")
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert labels[:3] == ["RN", "EPR", "LFI-NFP"]
    assert dict(zip(labels, [int(p.get_width()) for p in ax.patches], strict=True)) == SEATS_17
    assert to_hex(ax.patches[0].get_facecolor()).upper() == "#313567"
    alt = plot.draft_alt(ax)
    assert alt == ("Diagramme en barres horizontales classant 12 éléments (sièges). "
                   "En tête : RN (123), EPR (91) et LFI-NFP (71). En dernier : NI (9).")


def test_barh_ranked_dataframe_columns():
    frame = pd.DataFrame({"mission": ["A", "B"], "cp": [2.0, 1.0]})
    ax = plot.barh_ranked(frame, x="cp", y="mission")
    assert [t.get_text() for t in ax.get_yticklabels()] == ["A", "B"]
    with pytest.raises(ConfigurationError, match="Colonnes disponibles : mission, cp"):
        plot.barh_ranked(frame, x="ae", y="mission")


def test_hemicycle_seats_per_group_real(deputes_17):
    ax = plot.hemicycle(deputes_17, group="groupe_uid", legislature=17)
    seats = ax._bureau_data_seats
    assert len(seats) == 575
    assert len(ax.collections[0].get_offsets()) == 575
    counts = {plot.group_label(g, 17): n for g, n in seats.groupby("group", sort=False).size().items()}
    assert counts == SEATS_17
    # Groups appear left to right in the registry's order.
    sequence = list(dict.fromkeys(seats["group"]))
    assert [plot.group_label(g, 17) for g in sequence] == [
        "LFI-NFP", "GDR", "ECOS", "SOC", "LIOT", "EPR", "DEM", "HOR", "DR", "UDR", "RN", "NI"]
    assert (np.diff(seats["angle"].to_numpy()) <= 1e-9).all()
    rn = seats[seats["group"] == "PO845401"]
    assert set(rn["color"]) == {"#313567"}
    facecolors = [to_hex(c).upper() for c in ax.collections[0].get_facecolors()]
    assert facecolors.count("#313567") == 123
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert legend[0] == "LFI-NFP (71)"
    assert legend[-1] == "NI (9)"


def test_hemicycle_by_position_real(positions_v1):
    ax = plot.hemicycle(positions_v1, group="groupe_uid", position="position", legislature=17)
    seats = ax._bureau_data_seats
    assert seats.groupby("position").size().to_dict() == {"non-votant": 21, "pour": 197}
    assert seats.groupby("group").size().sum() == 218
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["Pour (197)", "Non-votant (21)"]
    assert "Positions : pour 197, non-votant 21." in plot.draft_alt(ax)


def test_hemicycle_custom_position_capitalised():
    seats = pd.DataFrame({"groupe": ["RN", "RN", "EPR"], "position": ["pour", "absent", "absent"],
                          "sieges": [2, 1, 3]})
    ax = plot.hemicycle(seats, group="groupe", seats="sieges", position="position", legislature=17,
                        colors={"absent": "#E6E6E6"})
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["Pour (2)", "Absent (4)"]
    assert "Positions : absent 4, pour 2." in plot.draft_alt(ax)


def test_hemicycle_exact_counts_small():
    ax = plot.hemicycle({"RN": 3, "LFI-NFP": 2, "EPR": 1}, legislature=17)
    seats = ax._bureau_data_seats
    assert seats["group"].tolist() == ["LFI-NFP", "LFI-NFP", "EPR", "RN", "RN", "RN"]


def test_hemicycle_layout_sizes():
    for total in (1, 12, 13, 348, 577, 925):
        layout = plot.hemicycle_layout(total)
        assert len(layout) == total
    assert plot.hemicycle_layout(577)["row"].nunique() >= 8


def test_hemicycle_rejects_bad_counts():
    with pytest.raises(ConfigurationError, match="RN"):
        plot.hemicycle({"RN": 2.5}, legislature=17)


def test_hemicycle_unknown_group_warns():
    with pytest.warns(plot.UnknownGroupWarning, match="LAREM"):
        ax = plot.hemicycle({"LAREM": 3, "RN": 2}, legislature=17)
    assert set(ax._bureau_data_seats.loc[ax._bureau_data_seats.group == "LAREM", "color"]) == {"#9A9A9A"}


def test_bars_stacked_vote_columns():
    data = pd.DataFrame({"pour": [72, 0], "contre": [0, 10], "abstentions": [0, 5], "non_votants": [0, 1]},
                        index=["PO845401", "PO845413"])
    ax = plot.bars_stacked(data, legislature=17)
    assert [t.get_text() for t in ax.get_yticklabels()] == ["LFI-NFP", "RN"]
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["Pour", "Contre", "Abstention", "Non-votant"]
    assert to_hex(ax.patches[0].get_facecolor()).upper() == plot.POSITION_COLORS["pour"].upper()


def test_bars_stacked_normalized_percent():
    data = pd.DataFrame({"a": [1.0, 3.0], "b": [3.0, 1.0]}, index=["x", "y"])
    ax = plot.bars_stacked(data, normalize=True)
    assert [t.get_text() for t in ax.texts] == [f"25{N}%", f"75{N}%", f"75{N}%", f"25{N}%"]


def test_bars_diverging_sides_and_ticks():
    data = pd.DataFrame({"pour": [10, 2], "contre": [2, 8], "abstention": [4, 0]}, index=["A", "B"])
    ax = plot.bars_diverging(data)
    ax.figure.canvas.draw()
    ticks = [t.get_text() for t in ax.get_xticklabels() if t.get_text()]
    assert all(M not in t for t in ticks)
    assert plot.draft_alt(ax) == ("Barres divergentes des positions de 2 groupes, pour à droite, contre à gauche. "
                                  "A : 10 pour, 2 contre, 4 abstentions ; B : 2 pour, 8 contre, 0 abstention.")
    # The neutral column is split around zero but labelled once, with its total.
    assert [t.get_text() for t in ax.texts] == ["4", "10", "2", "2", "8"]
    assert ax.texts[0].get_position()[0] == 0.0
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["Contre", "Abstention", "Pour"]


def test_waterfall_signed_labels():
    ax = plot.waterfall(pd.Series({"Défense": 3.3e9, "Culture": -0.2e9}), start=50e9, start_label="2023",
                        total_label="2024")
    assert [t.get_text() for t in ax.texts] == [f"50,0{N}Md€", f"+3,3{N}Md€", f"{M}200,0{N}M€", f"53,1{N}Md€"]
    assert [t.get_text() for t in ax.get_xticklabels()] == ["2023", "Défense", "Culture", "2024"]


def test_plot_series_annotation_at_peak():
    series = pd.Series([1.0, 5.0, 2.0], index=pd.to_datetime(["2020-03-01", "2020-04-14", "2020-05-01"]))
    ax = plot.plot_series(series, annotations=[("2020-04-14", "pic")])
    annotation = ax.texts[0]
    assert annotation.get_text() == "pic"
    assert annotation.xy[1] == 5.0
    assert plot.draft_alt(ax) == ("Série temporelle : de 1 (1er mars 2020) à 2 (1er mai 2020), "
                                  "maximum 5 (14 avril 2020).")


def test_plot_line_hue_labels_line_ends():
    frame = pd.DataFrame({"an": [2000, 2010, 2000, 2010], "v": [1.0, 2.0, 3.0, 4.0], "pays": ["A", "A", "B", "B"]})
    ax = plot.plot_line(frame, x="an", y="v", hue="pays", colors={"A": "#000000", "B": "#ff0000"})
    assert [t.get_text().strip() for t in ax.texts] == ["A", "B"]
    assert [to_hex(line.get_color()) for line in ax.lines] == ["#000000", "#ff0000"]


def test_small_multiples_panels():
    frame = pd.DataFrame({"an": [1, 2] * 4, "v": range(8), "dep": ["01", "01", "02", "02", "2A", "2A", "971", "971"]})
    axes = plot.small_multiples(frame, x="an", y="v", facet="dep", ncols=3)
    assert [a.get_title(loc="left") for a in axes] == ["01", "02", "2A", "971"]
    assert len(axes[0].figure.axes) == 4


def test_heatmap_percent_cells_and_colorbar():
    matrix = pd.DataFrame([[100.0, 82.0], [82.0, 100.0]], index=["PO845401", "PO847173"],
                          columns=["PO845401", "PO847173"])
    ax = plot.heatmap(matrix, legislature=17)
    assert [t.get_text() for t in ax.get_yticklabels()] == ["UDR", "RN"]
    assert [t.get_text() for t in ax.texts] == [f"100{N}%", f"82{N}%", f"82{N}%", f"100{N}%"]
    colorbar_axes = ax.figure.axes[1]
    ax.figure.canvas.draw()
    assert all(t.get_text().endswith("%") for t in colorbar_axes.get_yticklabels() if t.get_text())
    assert plot.draft_alt(ax).endswith(
        f"Valeur la plus haute : UDR et RN (82{N}%) ; la plus basse : UDR et RN (82{N}%).")


def test_treemap_boxes_and_labels():
    data = pd.Series({"Grande mission": 60e9, "Moyenne": 30e9, "Petite": 0.2e9})
    ax = plot.treemap(data, colors={"Grande mission": "#117733"})
    ax.figure.canvas.draw()
    rectangles = ax.patches
    areas = [r.get_width() * r.get_height() for r in rectangles]
    assert areas[0] / sum(areas) == pytest.approx(60 / 90.2)
    labels = [t for t in ax.texts if isinstance(t, BoxLabel)]
    assert [t.fits for t in labels] == [True, True, False]
    assert labels[0].get_text() == f"Grande mission\n60,0{N}Md€"
    assert to_hex(rectangles[0].get_facecolor()).upper() == "#117733"


def test_treemap_rejects_negative():
    with pytest.raises(ConfigurationError, match="négatives pour B"):
        plot.treemap({"A": 1.0, "B": -1.0})


def test_choropleth_departements_real():
    values = pd.Series({"75": 3281.0, "2A": 3.0, 1: 50.0, "971": 12.0})
    ax = plot.choropleth(values)
    filled, missing = ax.collections[0], ax.collections[1]
    assert len(filled.get_paths()) == 4
    assert len(missing.get_paths()) == 97
    alt = plot.draft_alt(ax)
    assert alt.startswith(f"Carte de 101 départements colorés selon la valeur, de 3 à 3{N}281.")
    assert "97 départements sans donnée." in alt


@pytest.mark.parametrize(("values", "extend"), [
    ({"75": 3281.0, "13": 3.0}, "neither"),
    ({"75": 4000.0, "13": 3.0}, "max"),
    ({"75": 3281.0, "13": -1.0}, "min"),
])
def test_choropleth_bins_arrows_only_outside(values, extend):
    ax = plot.choropleth(pd.Series(values), bins=[0, 50, 500, 3500])
    assert ax.collections[0].colorbar.extend == extend


def test_choropleth_overseas_insets():
    ax = plot.choropleth(pd.Series({"971": 1.0, "972": 2.0, "973": 3.0, "974": 4.0, "976": 5.0}))
    frames = [patch for patch in ax.patches if isinstance(patch, Rectangle)]
    assert len(frames) == 5
    names = {t.get_text() for t in ax.texts}
    assert {"Guadeloupe", "Martinique", "Guyane", "La Réunion", "Mayotte"} <= names
    # Every inset lies west of metropolitan France (west of Brittany, about 4.8° W).
    assert all(frame.get_x() + frame.get_width() < -5.0 for frame in frames)


def test_choropleth_unknown_code_warns():
    with pytest.warns(DataWarning, match="1 code\\(s\\) sans contour, non dessiné\\(s\\) : 977"):
        ax = plot.choropleth(pd.Series({"75": 1.0, "977": 2.0}))
    assert len(ax.collections[0].get_paths()) == 1


def test_choropleth_regions_percent():
    ax = plot.choropleth(pd.Series({"11": 80.5, "53": 82.8, "03": 30.7}), level="regions", kind="percent")
    assert plot.draft_alt(ax).startswith(f"Carte de 18 régions colorées selon la valeur, de 30,7{N}% à 82,8{N}%.")


def test_draft_alt_without_helpers():
    fig, ax = plt.subplots()
    ax.set_ylabel("patients")
    ax.set_xlabel("jour")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert plot.draft_alt(ax) == "Graphique de patients en fonction de jour."


def test_barh_ranked_legislature_colours():
    ax = plot.barh_ranked({"PO845401": 123, "PO845413": 71, "PO872880": 16}, legislature=17)
    assert [t.get_text() for t in ax.get_yticklabels()] == ["RN", "LFI-NFP", "UDR"]
    assert [to_hex(p.get_facecolor()).upper() for p in ax.patches] == ["#313567", "#C00D0D", "#3367A7"]


def test_plot_series_legislature_columns():
    index = pd.to_datetime(["2024-10-01", "2024-11-01", "2024-12-01"])
    frame = pd.DataFrame({"PO845401": [90.0, 91.0, 92.0], "PO845413": [80.0, 82.0, 81.0]}, index=index)
    ax = plot.plot_series(frame, kind="percent", legislature=17)
    assert [line.get_label() for line in ax.lines] == ["LFI-NFP", "RN"]
    assert [to_hex(line.get_color()).upper() for line in ax.lines] == ["#C00D0D", "#313567"]
    assert [t.get_text().strip() for t in ax.texts] == ["LFI-NFP", "RN"]


def test_plot_line_legislature_hue():
    frame = pd.DataFrame({"annee": [2023, 2024, 2023, 2024], "taux": [1.0, 2.0, 3.0, 4.0],
                          "groupe": ["RN", "RN", "SOC", "SOC"]})
    ax = plot.plot_line(frame, x="annee", y="taux", hue="groupe", legislature=17)
    assert [line.get_label() for line in ax.lines] == ["SOC", "RN"]
    assert [to_hex(line.get_color()).upper() for line in ax.lines] == ["#F5B4CE", "#313567"]


def test_barh_ranked_labels_inside_axes_after_finish():
    values = pd.Series({"Remboursements et dégrèvements": 45.2e9, "Défense": 21e9,
                        "Action du Gouvernement": -273.3e6, "Anciens combattants": -1.1e9})
    ax = plot.barh_ranked(values, kind="euros")
    fig = plot.finish(ax, title="Variations", alt="Texte.")
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    box = ax.get_window_extent(renderer)
    for text in ax.texts:
        extent = text.get_window_extent(renderer)
        assert extent.x0 >= box.x0 - 1, text.get_text()
        assert extent.x1 <= box.x1 + 1, text.get_text()


def test_line_end_labels_readable_on_white():
    frame = pd.DataFrame({"annee": [2014, 2025, 2014, 2025], "cp": [40.0, 60.0, 10.0, 20.0],
                          "mission": ["Engagements", "Engagements", "Défense", "Défense"]})
    with plot.theme():
        ax = plot.plot_line(frame, x="annee", y="cp", hue="mission", x_kind="year",
                            colors={"Engagements": "#DDCC77", "Défense": "#332288"})
        lines = {line.get_label(): to_hex(line.get_color()).upper() for line in ax.get_lines()}
        labels = {t.get_text().strip(): to_hex(t.get_color()).upper() for t in ax.texts}
    assert lines == {"Engagements": "#DDCC77", "Défense": "#332288"}
    assert labels["Défense"] == "#332288"
    pale = to_rgb(labels["Engagements"])
    assert pale != to_rgb("#DDCC77")
    luminance = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in pale]
    contrast = 1.05 / (0.2126 * luminance[0] + 0.7152 * luminance[1] + 0.0722 * luminance[2] + 0.05)
    assert contrast >= 4.5


@pytest.mark.parametrize("ncols", [2, 4])
def test_small_multiples_date_labels_apart(ncols):
    days = pd.date_range("2020-03-18", "2020-06-30")
    frame = pd.DataFrame({"jour": list(days) * 8, "hosp": np.arange(len(days) * 8, dtype=float),
                          "dep": np.repeat([f"9{i}" for i in range(8)], len(days))})
    with plot.theme():
        axes = plot.small_multiples(frame, x="jour", y="hosp", facet="dep", ncols=ncols)
        fig = plot.finish(axes[0], title="Titre", source="Source", alt="Texte")
        fig.canvas.draw()
        labels = [t for t in axes[-1].get_xticklabels() if t.get_text()]
        boxes = [t.get_window_extent() for t in labels]
    assert len(labels) >= 2
    assert all(left.x1 < right.x0 for left, right in zip(boxes, boxes[1:], strict=False))
