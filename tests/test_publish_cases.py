"""Known failure kinds of notebook builds: swallowed errors, hangs, kernels, tags, size, XSS."""

from __future__ import annotations

import json
import time
import warnings
from html.parser import HTMLParser
from pathlib import Path

import nbformat
import pytest
from _publish_notebooks import (
    build,
    code,
    markdown,
    result,
    show_contract_cell,
    tiny_png,
    write_notebook,
)

from bureau_data.cli import main
from bureau_data.publish import build as build_module
from bureau_data.publish.execute import KernelNotFoundError, resolve_kernel
from bureau_data.publish.metadata import read_notebook
from bureau_data.publish.render import make_exporter
from bureau_data.publish.site import TemplateError, check_template


@pytest.fixture(autouse=True)
def _stable_library(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(build_module, "library_fingerprint", lambda: "bibliotheque-figee")


@pytest.fixture()
def site(tmp_path: Path) -> tuple[Path, Path]:
    return tmp_path / "notebooks", tmp_path / "site"


# Errors printed but not raised, and cells that hang -------------------------------


ERROR_OUTPUT_CASES = {
    "a": ('%%time\nraise ValueError("boom")', "ValueError"),
    "capture": ("%%capture --no-stdout\nraise KeyError('colonne')", "KeyError"),
    "trace-affichee": ("try:\n    1 / 0\nexcept ZeroDivisionError:\n    get_ipython().showtraceback()",
                       "ZeroDivisionError"),
}


def test_error_output_fails_article(site: tuple[Path, Path]) -> None:
    notebooks, output = site
    paths = {slug: write_notebook(notebooks, slug, [source]) for slug, (source, _) in ERROR_OUTPUT_CASES.items()}
    write_notebook(notebooks, "autre", ["print('autre')"])
    report = build(notebooks, output, jobs=4)
    for slug, (_, ename) in ERROR_OUTPUT_CASES.items():
        failure = result(report, slug)
        assert failure.status == "failed", slug
        assert str(paths[slug]) in failure.message
        assert "cellule 1 (numérotée à partir de 1, comme dans JupyterLab)" in failure.message, slug
        assert ename in failure.message, slug
        assert not (output / slug).exists()
    assert result(report, "autre").status == "built"


def test_error_output_exit_code(site: tuple[Path, Path], capsys: pytest.CaptureFixture[str]) -> None:
    notebooks, output = site
    write_notebook(notebooks, "a", ['%%time\nraise ValueError("boom")'])
    assert main(["construire", "--notebooks", str(notebooks), "--sortie", str(output)]) == 1
    err = capsys.readouterr().err
    assert "ÉCHEC      a" in err
    assert "ValueError" in err
    assert "cellule 1 (numérotée à partir de 1" in err


def test_raises_exception_tag_allows_error(site: tuple[Path, Path]) -> None:
    notebooks, output = site
    write_notebook(notebooks, "montre-erreur", [code("int('douze')", "raises-exception"), "print('suite exécutée')"])
    report = build(notebooks, output)
    assert result(report, "montre-erreur").status == "built"
    page = (output / "montre-erreur" / "index.html").read_text(encoding="utf-8")
    assert '<pre class="sortie erreur">' in page
    assert "ValueError" in page
    assert "suite exécutée" in page
    assert "\x1b[" not in page


def test_hanging_cell_times_out(site: tuple[Path, Path], caplog: pytest.LogCaptureFixture) -> None:
    notebooks, output = site
    # Both cells would run for ten minutes or forever: finishing at all proves the limit.
    sleeping = write_notebook(notebooks, "b", ["x = 1", "import time; time.sleep(600)"])
    looping = write_notebook(notebooks, "boucle", ["x = 1", "while True:\n    pass"])
    started = time.perf_counter()
    report = build(notebooks, output, cell_timeout=1, jobs=2)
    elapsed = time.perf_counter() - started
    assert elapsed < 90, f"échec après {elapsed:.1f} s"
    assert [r.getMessage() for r in caplog.records if "Timeout" in r.getMessage()] == []
    for path in (sleeping, looping):
        failure = result(report, path.stem)
        assert failure.status == "failed"
        assert str(path) in failure.message
        assert "cellule 2 (numérotée à partir de 1, comme dans JupyterLab)" in failure.message
        assert "délai dépassé : la cellule tourne depuis plus de 1 s" in failure.message


# Kernel named in the notebook --------------------------------------------------------


FOREIGN_KERNELSPECS = {
    "local": {"name": "python3-a1b2c3-local", "language": "python", "display_name": "Python 3 (local)"},
    "langage-r": {"name": "ir", "language": "R", "display_name": "R"},
    "sans-noyau": {},
}


def test_notebook_kernelspec_ignored(site: tuple[Path, Path], caplog: pytest.LogCaptureFixture) -> None:
    notebooks, output = site
    paths = {slug: write_notebook(notebooks, slug, ["print(1 + 1)"], kernelspec=spec)
             for slug, spec in FOREIGN_KERNELSPECS.items()}
    before = {slug: path.read_bytes() for slug, path in paths.items()}
    with caplog.at_level("INFO", logger="bureau_data.publish.build"):
        report = build(notebooks, output, jobs=3)
    kernel = resolve_kernel(None)
    assert [m for m in caplog.messages if "noyau" in m] == [
        f"langage-r : le notebook demande le noyau 'ir', absent de cette machine ; la construction "
        f"utilise son propre noyau {kernel!r}",
        f"local : le notebook demande le noyau 'python3-a1b2c3-local', absent de cette machine ; la "
        f"construction utilise son propre noyau {kernel!r}",
    ]
    for slug, path in paths.items():
        assert result(report, slug).status == "built", report.results
        assert '<pre class="sortie">2\n</pre>' in (output / slug / "index.html").read_text(encoding="utf-8")
        assert path.read_bytes() == before[slug]


def test_cells_without_id_read_silently(site: tuple[Path, Path]) -> None:
    notebooks, output = site
    notebooks.mkdir()
    path = notebooks / "sans-id.ipynb"
    path.write_text(json.dumps({
        "nbformat": 4, "nbformat_minor": 5,
        "metadata": {"bureau_data": {"title": "Sans identifiants", "date": "2024-03-01", "authors": ["A"],
                                     "summary": "Cellules sans id.", "tags": [], "slug": "sans-id", "draft": False}},
        "cells": [{"cell_type": "markdown", "metadata": {}, "source": "Texte"},
                  {"cell_type": "code", "metadata": {}, "source": "print('ok')", "outputs": [],
                   "execution_count": None, "id": "cellule-1"}],
    }), encoding="utf-8")
    before = path.read_bytes()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        report = build(notebooks, output)
    assert result(report, "sans-id").status == "built", report.results
    assert [str(w.message) for w in caught if "id" in str(w.message)] == []
    assert path.read_bytes() == before
    nb = read_notebook(path)
    assert [cell.id for cell in nb.cells] == ["cellule-1-bis", "cellule-1"]


def test_configured_kernel_missing_lists_available(site: tuple[Path, Path]) -> None:
    notebooks, output = site
    write_notebook(notebooks, "noyau", ["print(1 + 1)"],
                   kernelspec={"name": "python3-a1b2c3-local", "language": "python", "display_name": "x"})
    with pytest.raises(KernelNotFoundError, match=r"'noyau-absent'.*Noyaux installés : .*python3") as excinfo:
        build(notebooks, output, kernel="noyau-absent")
    assert "python3-a1b2c3-local" not in str(excinfo.value)
    with pytest.raises(KernelNotFoundError, match="'autre-absent'"):
        resolve_kernel("autre-absent")


# Tags and template names ---------------------------------------------------------------


def test_tags_hide_and_remove(site: tuple[Path, Path]) -> None:
    notebooks, output = site
    write_notebook(notebooks, "etiquettes", [
        code('x = "SENTINELLE_CODE_42"; print("SORTIE_VISIBLE")', "remove_input"),
        code('print("SENTINELLE_CELLULE_43")', "remove_cell"),
        markdown("Texte visible"),
        code('print("SENTINELLE_SORTIE_44")  # CODE_VISIBLE_45', "remove_output"),
        code('y = "CODE_DEPLIE_46"', "show_input"),
        code('z = "CODE_REPLIE_47"', "hide_input"),
    ])
    report = build(notebooks, output)
    assert report.ok, report.results
    for page_name in ("index.html", "wordpress.html"):
        page = (output / "etiquettes" / page_name).read_text(encoding="utf-8")
        assert "SORTIE_VISIBLE" in page
        assert "Texte visible" in page
        assert "SENTINELLE_CODE_42" not in page
        assert "SENTINELLE_CELLULE_43" not in page
        assert "CODE_VISIBLE_45" in page
        assert '<pre class="sortie">SENTINELLE_SORTIE_44' not in page
        opened = page.index('<details class="code" open="">')
        assert opened < page.index("CODE_DEPLIE_46") < page.index("CODE_REPLIE_47")
        assert page.count("<details") == 3


@pytest.mark.parametrize("name", ["basic", "full", "lab", "classic", "inexistant"])
def test_foreign_template_rejected_up_front(site: tuple[Path, Path], name: str) -> None:
    notebooks, output = site
    write_notebook(notebooks, "modele", ["print(1)"])
    with pytest.raises(TemplateError, match=rf"Modèle d'article inconnu : '{name}'\. Modèles disponibles : bureau\."):
        build(notebooks, output, template=name)
    assert not (output / "modele").exists()
    with pytest.raises(TemplateError):
        make_exporter(name)
    assert check_template("bureau") == "bureau"


# Page size ------------------------------------------------------------------------------


def test_big_figure_stays_out_of_html(site: tuple[Path, Path], capsys: pytest.CaptureFixture[str]) -> None:
    notebooks, output = site
    write_notebook(notebooks, "image", [
        "import numpy as np, matplotlib.pyplot as plt; plt.figure(figsize=(20,20), dpi=200); "
        "plt.imshow(np.random.default_rng(0).random((2000, 2000))); plt.show()",
    ])
    assert main(["construire", "--notebooks", str(notebooks), "--sortie", str(output)]) == 0
    out = capsys.readouterr().out
    assert "construit  image : HTML " in out
    assert " ko, " in out
    page = output / "image" / "index.html"
    assert page.stat().st_size < 20_000
    html = page.read_text(encoding="utf-8")
    assert 'src="figures/figure-1.png"' in html
    figure = (output / "image" / "figures" / "figure-1.png").read_bytes()
    assert figure.startswith(b"\x89PNG")
    width = int.from_bytes(figure[16:20], "big")
    assert width <= 2000  # 20 inches at the build's 100 dpi, not 200
    assert "cellule 1 : image sans texte alternatif (figures/figure-1.png)" in out


def test_html_budget_exceeded_fails(site: tuple[Path, Path]) -> None:
    notebooks, output = site
    write_notebook(notebooks, "gros", [
        "import pandas as pd\npd.set_option('display.max_rows', None)\n"
        "pd.DataFrame({'a': range(2000), 'b': range(2000)})",
    ])
    report = build(notebooks, output, html_budget=20_000)
    failure = result(report, "gros")
    assert failure.status == "failed"
    assert "au-delà du budget de 20\u202f000 octets" in failure.message
    report = build(notebooks, output, html_budget=5_000_000)
    assert result(report, "gros").status == "built"
    assert 20_000 < result(report, "gros").html_size < 5_000_000


# Raw outputs, French tables, stderr ---------------------------------------------------------


RAW_OUTPUT_CELLS = [
    markdown("Introduction"),
    "import matplotlib.pyplot as plt\nfig, ax = plt.subplots()\nplt.close(fig)\nax.set_title('Titre')",
    "from IPython.display import Javascript, display\ndisplay(Javascript('document.title = \"x\"'))",
    "ax.plot([1, 2])",
    "import pandas as pd\npd.DataFrame({'annee': [2023, 2024], 'montant': [1234567.891, -12.5], 'n': [12345, 3]})",
    "print(42)",
    "import sys\nprint('attention : colonne vide', file=sys.stderr)",
]


def test_raw_outputs_dropped_with_warning(site: tuple[Path, Path]) -> None:
    notebooks, output = site
    write_notebook(notebooks, "brut", RAW_OUTPUT_CELLS)
    report = build(notebooks, output)
    built = result(report, "brut")
    assert built.status == "built", report.results
    assert built.warnings[0] == (
        "cellule 2 : sortie brute de Python retirée (« Text(0.5, 1.0, 'Titre') ») : terminez la "
        "dernière ligne de la cellule par « ; », ou affichez le graphique avec plot.show(fig)")
    assert built.warnings[1] == "cellule 3 : sortie JavaScript retirée (les pages du site n'exécutent aucun script)"
    assert built.warnings[2].startswith("cellule 4 : sortie brute de Python retirée (« [<matplotlib.lines.Line2D")
    for name in ("index.html", "wordpress.html"):
        page = (output / "brut" / name).read_text(encoding="utf-8")
        assert "Text(0.5" not in page
        assert "Javascript object" not in page
        assert "Line2D" not in page
        assert "<td>1\u202f234\u202f567,891</td>" in page
        assert "<td>\u221212,500</td>" in page
        assert "<td>12\u202f345</td>" in page
        assert "<td>2023</td>" in page
        assert "<th>0</th>" in page
        assert '<pre class="sortie">42\n</pre>' in page
        assert "colonne vide\n</pre>" not in page


def test_stderr_text_in_log_or_verbose(site: tuple[Path, Path]) -> None:
    notebooks, output = site
    write_notebook(notebooks, "bavard", ["print('ok')", "import sys\nprint('attention : colonne vide', file=sys.stderr)"])
    built = result(build(notebooks, output), "bavard")
    log_file = build_module.article_log_path(build_module.build_state_dir(output), "bavard")
    assert built.warnings == [
        f"1 sortie(s) d'erreur standard (stderr) non publiée(s), cellule(s) 2 : texte dans {log_file} "
        "(ou relancez avec « bureau-data -v construire »)"]
    assert "--- stderr de la cellule 2 ---\nattention : colonne vide" in log_file.read_text(encoding="utf-8")
    built = result(build(notebooks, output, force=True, verbose=True), "bavard")
    assert built.warnings == [
        "1 sortie(s) d'erreur standard (stderr) non publiée(s), cellule(s) 2 :\n"
        "--- stderr de la cellule 2 ---\nattention : colonne vide"]


# Untrusted content ------------------------------------------------------------------------


class _TagCollector(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, list[tuple[str, str | None]]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, attrs))


def _parsed_tags(page: str) -> list[tuple[str, list[tuple[str, str | None]]]]:
    collector = _TagCollector()
    collector.feed(page)
    return collector.tags


HOSTILE_CELLS = [
    markdown("## Données\n\nTexte <script>document.title='PIRATE-1'</script> "
             "<img src=\"x.png\" onerror=\"document.title='PIRATE-2'\"> "
             "[lien](javascript:alert(1)) <a href=\"#\" onclick=\"alert(3)\">clic</a>"),
    "import pandas as pd\n"
    "pd.DataFrame({'nom': ['<script>document.title=\"PIRATE-3\"</script>', '<b onmouseover=alert(4)>x</b>']})",
    "from IPython.display import HTML, Markdown, display\n"
    "display(HTML('<p onclick=\"alert(5)\">paragraphe</p><script>document.title=\"PIRATE-6\"</script>"
    "<style>body{display:none}</style><iframe src=\"https://exemple.invalid\"></iframe>'))\n"
    "display(Markdown('Valeur : <img src=x onerror=alert(7)> **gras**'))",
    show_contract_cell("graphique", 'Barres" onerror="alert(10)', "<script>alert(11)</script>Légende",
                       "nom\n<script>alert(12)</script>\n"),
]


def test_hostile_content_is_sanitised(site: tuple[Path, Path]) -> None:
    notebooks, output = site
    write_notebook(notebooks, "hostile", HOSTILE_CELLS, title='Titre <script>alert("8")</script>',
                   summary='Résumé " onload="alert(9)')
    report = build(notebooks, output, slugs=("hostile",))
    failure_or_built = result(report, "hostile")
    # The Markdown image points to a missing file: the link check fails the article.
    assert failure_or_built.status == "failed"
    assert "liens internes cassés : x.png, x." in failure_or_built.message

    (notebooks / "hostile.ipynb").unlink()
    cells = list(HOSTILE_CELLS)
    cells[0] = markdown(cells[0].source.replace('src="x.png"', f'src="data:image/png;base64,{tiny_png()}"'))
    cells[2] = cells[2].replace("src=x ", "src=figures/graphique.png ")
    write_notebook(notebooks, "hostile", cells, title='Titre <script>alert("8")</script>',
                   summary='Résumé " onload="alert(9)')
    report = build(notebooks, output)
    assert result(report, "hostile").status == "built", report.results
    for page_name in ("hostile/index.html", "hostile/wordpress.html", "index.html"):
        tags = _parsed_tags((output / page_name).read_text(encoding="utf-8"))
        assert [t for t, _ in tags if t in ("script", "iframe", "style", "object", "embed")] == [], page_name
        assert [(t, a) for t, attrs in tags for a, _ in attrs if a.startswith("on")] == [], page_name
        assert [v for _, attrs in tags for a, v in attrs if a in ("href", "src") and "javascript" in (v or "")] == []
    page = (output / "hostile" / "index.html").read_text(encoding="utf-8")
    assert '<td>&lt;script&gt;document.title="PIRATE-3"&lt;/script&gt;</td>' in page
    assert '<title>Titre &lt;script&gt;alert("8")&lt;/script&gt; · Bureau ouvert</title>' in page
    assert "<p>paragraphe</p>" in page
    assert "<strong>gras</strong>" in page
    assert """<img alt='Barres" onerror="alert(10)' loading="lazy" src="figures/graphique.png"/>""" in page
    assert "<figcaption>&lt;script&gt;alert(11)&lt;/script&gt;Légende" in page


def test_outputs_never_modify_source(site: tuple[Path, Path]) -> None:
    notebooks, output = site
    path = write_notebook(notebooks, "source", ["print('sortie')"])
    before = path.read_bytes()
    build(notebooks, output)
    assert path.read_bytes() == before
    assert nbformat.read(path, as_version=4).cells[0].outputs == []
