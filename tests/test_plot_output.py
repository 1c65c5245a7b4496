"""Theme, finish(), show(), save(): texts, metadata and byte-identical output."""

from __future__ import annotations

import base64
import struct
import subprocess
import sys

import matplotlib

matplotlib.use("Agg")

import matplotlib as mpl
import matplotlib.pyplot as plt
import pandas as pd
import pytest

from bureau_data import plot
from bureau_data.errors import ConfigurationError
from bureau_data.plot import output as output_module

N = "\u202f"


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")
    plot.reset_theme()


def make_chart(dark: bool = False):
    with plot.theme(dark=dark):
        ax = plot.barh_ranked(pd.Series({"RN": 123, "EPR": 91, "LFI-NFP": 71}), xlabel="sièges")
        fig = plot.finish(ax, title="Le RN, premier groupe", subtitle="Députés par groupe",
                          source="Assemblée nationale", note="Novembre 2025", alt=plot.draft_alt(ax))
    return fig


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", data[16:24])


def test_import_changes_no_rcparams():
    code = (
        "import matplotlib as mpl; before = dict(mpl.rcParams); "
        "import bureau_data.plot, bureau_data.french; "
        "changed = [k for k in before if mpl.rcParams[k] != before[k]]; print(changed)"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"


def test_theme_context_restores_rcparams():
    before = dict(mpl.rcParams)
    with plot.theme(dark=True):
        assert mpl.rcParams["figure.facecolor"] == "#16181D"
        assert plot.is_dark()
        assert mpl.rcParams["axes.formatter.use_locale"] is False
    assert dict(mpl.rcParams) == before
    assert not plot.is_dark()


def test_set_and_reset_theme():
    before = dict(mpl.rcParams)
    plot.set_theme()
    assert mpl.rcParams["font.size"] == 10.5
    assert mpl.rcParams["savefig.dpi"] == 200
    plot.set_theme(dark=True)
    assert mpl.rcParams["text.color"] == "#ECECEC"
    plot.reset_theme()
    assert dict(mpl.rcParams) == before


def test_theme_font_available():
    from matplotlib import font_manager

    with plot.theme():
        path = font_manager.findfont(font_manager.FontProperties(family=mpl.rcParams["font.family"]),
                                     fallback_to_default=False)
    assert "DejaVuSans" in path


def test_finish_texts_and_info():
    fig = make_chart()
    texts = [t.get_text() for t in fig.texts]
    assert texts == ["Le RN, premier groupe", "Députés par groupe",
                     "Source : Assemblée nationale\nNote : Novembre 2025"]
    info = plot.chart_info(fig)
    assert info["alt"] == ("Diagramme en barres horizontales classant 3 éléments (sièges). "
                           "En tête : RN (123), EPR (91) et LFI-NFP (71).")
    assert info["caption"] == "Députés par groupe. Note : Novembre 2025."
    assert all(not t._parse_math for t in fig.texts)


def test_finish_twice_replaces_texts():
    fig = make_chart()
    height = fig.get_figheight()
    plot.finish(fig, title="Autre titre", alt="Texte.")
    assert [t.get_text() for t in fig.texts] == ["Autre titre"]
    assert fig.get_figheight() < height


def test_finish_wraps_long_title():
    ax = plot.barh_ranked({"a": 1})
    title = "Un titre très long qui ne tient pas sur une seule ligne de la colonne de l'article, loin de là"
    fig = plot.finish(ax, title=title, alt="Texte.")
    assert "\n" in fig.texts[0].get_text()
    assert fig.texts[0].get_text().replace("\n", " ") == title


@pytest.mark.parametrize("alt", ["", "   ", None])
def test_finish_requires_alt(alt):
    ax = plot.barh_ranked({"a": 1})
    with pytest.raises(ConfigurationError, match="texte alternatif"):
        plot.finish(ax, title="Titre", alt=alt)


def test_show_requires_finish():
    fig, ax = plt.subplots()
    with pytest.raises(ConfigurationError, match=r"plot\.finish"):
        plot.show(fig)


def test_chart_output_bundle_and_metadata():
    fig = make_chart()
    data = pd.DataFrame({"groupe": ["RN", "EPR"], "sieges": [123, 91]})
    bundle, metadata = plot.chart_output(fig, data=data)
    assert set(bundle) == {"image/png", "text/plain"}
    assert png_size(base64.b64decode(bundle["image/png"])) == png_size(plot.render(fig))
    assert bundle["text/plain"] == plot.chart_info(fig)["alt"]
    assert list(metadata) == ["bureau_data"]
    meta = metadata["bureau_data"]
    assert set(meta) == {"alt", "caption", "title", "source", "name", "csv"}
    assert meta["title"] == "Le RN, premier groupe"
    assert meta["source"] == "Assemblée nationale"
    assert meta["name"] == "le-rn-premier-groupe"
    assert meta["csv"] == "groupe,sieges\nRN,123\nEPR,91\n"


def test_chart_output_name_and_series_csv():
    fig = make_chart()
    series = pd.Series([1.5, 2.0], index=pd.Index(["a", "b"], name="cle"), name="valeur")
    _, metadata = plot.chart_output(fig, data=series, name="Sièges par groupe")
    assert metadata["bureau_data"]["name"] == "sieges-par-groupe"
    assert metadata["bureau_data"]["csv"] == "cle,valeur\na,1.5\nb,2.0\n"
    _, without = plot.chart_output(fig)
    assert without["bureau_data"]["csv"] is None


def test_show_publishes_once_and_closes(monkeypatch):
    import IPython
    import IPython.display

    published = []
    monkeypatch.setattr(IPython, "get_ipython", lambda: object())
    monkeypatch.setattr(IPython.display, "publish_display_data",
                        lambda data, metadata: published.append((data, metadata)))
    fig = make_chart()
    number = fig.number
    assert plot.show(fig, data=pd.Series({"RN": 123})) is None
    assert len(published) == 1
    data, metadata = published[0]
    assert data["text/plain"].startswith("Diagramme en barres")
    assert metadata["bureau_data"]["csv"] == ",0\nRN,123\n"
    assert not plt.fignum_exists(number)


def test_show_outside_ipython_closes_figure():
    fig = make_chart()
    number = fig.number
    plot.show(fig)
    assert not plt.fignum_exists(number)


@pytest.mark.parametrize("fmt", ["png", "svg", "pdf"])
def test_render_same_bytes_twice(fmt):
    first = plot.render(make_chart(), fmt)
    second = plot.render(make_chart(), fmt)
    assert first == second


def test_render_dark_differs_from_light():
    assert plot.render(make_chart(dark=True)) != plot.render(make_chart())


def test_svg_has_no_date_and_carries_alt():
    svg = plot.render(make_chart(), "svg").decode("utf-8")
    assert "<dc:date>" not in svg
    assert "<dc:title>Le RN, premier groupe</dc:title>" in svg
    assert "Diagramme en barres horizontales" in svg


def test_png_has_no_software_chunk():
    data = plot.render(make_chart())
    assert b"Software" not in data
    assert b"matplotlib" not in data.lower()


def test_png_dpi_is_capped():
    fig = make_chart()
    width_in = fig.get_figwidth()
    width, _ = png_size(plot.render(fig, dpi=600))
    assert width == round(width_in * 200)
    big = plt.figure(figsize=(20, 20))
    plot.finish(big, title="Grand", alt="Grand.")
    width, _ = png_size(plot.render(big))
    assert width <= output_module.MAX_WIDTH_PX


def test_save_writes_each_format(tmp_path):
    fig = make_chart()
    for suffix in ("png", "svg", "pdf"):
        path = plot.save(fig, tmp_path / f"graphique.{suffix}")
        assert path.read_bytes() == plot.render(fig, suffix)
    with pytest.raises(ConfigurationError, match="Formats possibles"):
        plot.save(fig, tmp_path / "graphique.jpg")


def test_slugify():
    assert output_module.slugify("Dépenses de l'État : 2024 !") == "depenses-de-l-etat-2024"
    assert output_module.slugify("€€€") == "graphique"
