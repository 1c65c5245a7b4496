"""Render the pictures of docs/graphiques.md from the real data, one PNG per chart helper.

Run ``python docs/_images.py`` from the repository root, with ``BUREAU_DATA_LOCAL_DIR``
pointing at the local data folder (``make`` sets it to ../shared/data), then look at
each image before committing it. Images are written at 80 dpi so that each stays
under 100 kB (tests/test_docs.py checks the size).
"""

from __future__ import annotations

import sys
import warnings
from collections.abc import Callable
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import pandas as pd  # noqa: E402

from bureau_data import plot  # noqa: E402
from bureau_data.errors import DataWarning  # noqa: E402

IMAGES = Path(__file__).resolve().parent / "images"
DPI = 80


def _budget_by_mission(year: int) -> pd.Series:
    from bureau_data import budget

    lines = budget.budget_general(year)
    labels = budget.mission_crosswalk().set_index("mission_id")["libelle_court"]
    cp = lines.groupby("mission_id", observed=True)["cp"].sum()
    return cp.rename(index=labels).sort_values(ascending=False)


def barh_ranked() -> plot.Figure:
    top = _budget_by_mission(2025).head(8)
    ax = plot.barh_ranked(top, kind="euros")
    return plot.finish(ax, title="Les huit premières missions du budget général, PLF 2025",
                       subtitle="Crédits de paiement demandés", source="Direction du budget",
                       alt="Barres classées des crédits de paiement des huit premières missions.")


def bars_stacked() -> plot.Figure:
    from bureau_data import consultation

    participants = consultation.participants()
    table = participants.groupby(["theme_number", "sexe"], observed=True).size().unstack()
    table.index = [f"Écran {number}" for number in table.index]
    table.columns = ["Femmes", "Hommes", "Sexe non indiqué"]
    ax = plot.bars_stacked(table, colors=["#7b3294", "#008837", "#bababa"])
    return plot.finish(ax, title="Participants à la consultation « Égalité femmes-hommes »",
                       subtitle="Par écran du questionnaire et sexe déclaré",
                       source="Assemblée nationale, consultation citoyenne (2016)",
                       alt="Barres empilées du nombre de participants par écran, selon le sexe.")


def bars_diverging() -> plot.Figure:
    from bureau_data.assemblee import scrutins

    votes = scrutins.scrutins(17)
    groups = scrutins.decomptes_groupes(17)
    # A divided vote: the largest turnout among the votes with over 150 pour and 150 contre.
    divided = votes[(votes["pour"] > 150) & (votes["contre"] > 150)]
    chosen = divided.sort_values("votants", ascending=False).iloc[0]
    table = groups[groups["scrutin_uid"] == chosen["uid"]].set_index("groupe_uid")
    ax = plot.bars_diverging(table[["pour", "contre", "abstentions"]], legislature=17)
    return plot.finish(ax, title=f"Scrutin n° {chosen['numero']} de la XVIIe législature",
                       subtitle="Positions de chaque groupe : pour à droite, contre à gauche",
                       source="Assemblée nationale, scrutins publics",
                       alt="Barres divergentes des votes pour et contre de chaque groupe.")


def plot_line() -> plot.Figure:
    from bureau_data import budget

    totals = budget.plf().groupby("year")[["ae", "cp"]].sum().div(1e9)
    long = totals.reset_index().melt(id_vars="year", var_name="mesure", value_name="md")
    long["mesure"] = long["mesure"].map({"ae": "Autorisations d'engagement",
                                         "cp": "Crédits de paiement"})
    ax = plot.plot_line(long, x="year", y="md", hue="mesure", decimals=0, x_kind="year")
    return plot.finish(ax, title="AE et CP du budget général, PLF 2014 à 2025",
                       subtitle="En milliards d'euros courants", source="Direction du budget",
                       alt="Deux courbes, AE et CP, de 2014 à 2025.")


def plot_series() -> plot.Figure:
    from bureau_data import covid

    france = covid.hospitalisations_france().set_index("jour")
    curves = france[["hosp", "rea"]].rename(columns={"hosp": "Hospitalisés",
                                                     "rea": "dont en réanimation"})
    ax = plot.plot_series(curves, date_style="month", ylabel="personnes")
    return plot.finish(ax, title="Personnes hospitalisées pour Covid-19 en France, printemps 2020",
                       source="Santé publique France",
                       alt="Deux courbes quotidiennes de mars à juin 2020.")


def small_multiples() -> plot.Figure:
    from bureau_data import foret

    countries = ["France", "Germany", "Spain", "Italy", "Poland", "Sweden"]
    area = foret.forest_area(countries)
    area["forest_area_mha"] = area["forest_area_kha"] / 1000
    axes = plot.small_multiples(area, x="year", y="forest_area_mha", facet="entity", decimals=0)
    return plot.finish(axes.flat[0].figure, title="Surface forestière de six pays européens, 1990-2020",
                       subtitle="En millions d'hectares", source="FAO FRA 2020 via Our World in Data",
                       alt="Six petits graphiques de la surface forestière par pays.")


def heatmap() -> plot.Figure:
    from bureau_data import foret

    countries = ["France", "Germany", "Spain", "Italy", "Poland", "Sweden"]
    area = foret.forest_area(countries)
    table = area[area["year"].isin([1990, 2000, 2010, 2020])].pivot(
        index="entity", columns="year", values="forest_cover_pct")
    ax = plot.heatmap(table, kind="percent", colorbar_label="part du territoire")
    return plot.finish(ax, title="Part du territoire couverte de forêts",
                       source="FAO FRA 2020 via Our World in Data",
                       alt="Tableau coloré du taux de boisement de six pays en 1990, 2000, 2010 et 2020.")


def treemap() -> plot.Figure:
    from bureau_data import budget

    by_mission = _budget_by_mission(2025)
    crosswalk = budget.mission_crosswalk()
    colors = dict(zip(crosswalk["libelle_court"], crosswalk["couleur"], strict=True))
    ax = plot.treemap(by_mission, colors=colors)
    return plot.finish(ax, title="Crédits de paiement du budget général par mission, PLF 2025",
                       source="Direction du budget",
                       alt="Carte proportionnelle des missions du budget général en 2025.")


def choropleth() -> plot.Figure:
    from bureau_data import covid

    hospital = covid.hospitalisations()
    peak = hospital[hospital["jour"] == "2020-04-14"].set_index("dep")["hosp"]
    ax = plot.choropleth(peak, level="departements", bins=[0, 50, 100, 250, 500, 1000, 2000, 3500],
                         colorbar_label="personnes hospitalisées")
    return plot.finish(ax, title="Personnes hospitalisées pour Covid-19 le 14 avril 2020",
                       source="Santé publique France ; contours IGN ADMIN EXPRESS",
                       alt="Carte des départements colorés selon le nombre d'hospitalisés.")


def hemicycle() -> plot.Figure:
    from bureau_data.assemblee import amo

    deputes = amo.deputes(17)
    ax = plot.hemicycle(deputes, group="groupe_uid", legislature=17)
    return plot.finish(ax, title="L'Assemblée nationale au 18 novembre 2025",
                       source="Assemblée nationale, AMO10",
                       alt="Hémicycle d'un point par député, coloré par groupe.")


def waterfall() -> plot.Figure:
    from bureau_data import budget

    lines = budget.plf([2024, 2025])
    labels = budget.mission_crosswalk().set_index("mission_id")["libelle_court"]
    cp = lines.groupby(["year", "mission_id"], observed=True)["cp"].sum().unstack(0).fillna(0.0)
    change = (cp[2025] - cp[2024]).rename(index=labels).sort_values()
    biggest = pd.concat([change.head(3), change.tail(3)])
    rest = change.drop(biggest.index).sum()
    steps = pd.concat([biggest, pd.Series({"Autres missions": rest})])
    ax = plot.waterfall(steps, total_label="Variation totale")
    return plot.finish(ax, title="Du PLF 2024 au PLF 2025 : les crédits de paiement par mission",
                       subtitle="Variation des crédits de paiement : les trois plus fortes baisses et hausses",
                       source="Direction du budget",
                       alt="Cascade des variations de crédits de paiement entre 2024 et 2025.")


CHARTS: dict[str, Callable[[], plot.Figure]] = {
    function.__name__: function
    for function in (barh_ranked, bars_stacked, bars_diverging, plot_line, plot_series,
                     small_multiples, heatmap, treemap, choropleth, hemicycle, waterfall)
}


def _shrink(path: Path) -> None:
    """Rewrite a PNG with a 128-colour palette: charts use few colours, and the file shrinks by half."""
    from PIL import Image

    with Image.open(path) as image:
        palette = image.convert("RGB").quantize(colors=128, method=Image.Quantize.MEDIANCUT)
    palette.save(path, optimize=True)


def main(names: list[str]) -> int:
    IMAGES.mkdir(exist_ok=True)
    warnings.simplefilter("ignore", DataWarning)
    for name in names or list(CHARTS):
        with plot.theme():
            figure = CHARTS[name]()
            path = plot.save(figure, IMAGES / f"{name}.png", dpi=DPI)
        matplotlib.pyplot.close(figure)
        _shrink(path)
        print(f"{path.relative_to(IMAGES.parent.parent)} : {path.stat().st_size // 1024} ko")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
