"""The eight real articles: built from the shared data, figures checked against the loaders.

The site is built once for the module from the repository's notebooks. Each key figure
that an article prints is recomputed here straight from the loaders and looked for in the
article's prose, so an article whose text drifts from its data fails. The same site is
then opened in headless Chromium: no console message, every image loads.
"""

from __future__ import annotations

import functools
import html
import re
import threading
import warnings
from collections.abc import Iterator
from http.server import ThreadingHTTPServer
from pathlib import Path

import pytest
from _publish_notebooks import build
from conftest import SHARED_DATA
from test_browser import SCREENSHOTS, _full_page_png, _open, _QuietHandler, driver  # noqa: F401

from bureau_data import budget, consultation, covid, foret
from bureau_data.assemblee import amo, scrutins
from bureau_data.assemblee.amendements import amendements
from bureau_data.assemblee.questions import questions_gouvernement
from bureau_data.errors import DataWarning
from bureau_data.french import format_date, format_euros, format_number, format_percent

REPO_ROOT = Path(__file__).resolve().parent.parent
ARTICLES = [
    "budget-etat-2014-2025",
    "comment-votent-les-groupes",
    "consultation-egalite",
    "covid-donnees-ouvertes",
    "parcours-amendement",
    "portrait-assemblee",
    "questions-au-gouvernement",
    "surface-forestiere",
]


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory, session_cache: Path) -> Iterator[Path]:
    # A module fixture runs before the function-level settings of conftest, so the data
    # settings are set here too; offline mode makes any missing local file an error.
    output = tmp_path_factory.mktemp("articles-reels") / "site"
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("BUREAU_DATA_LOCAL_DIR", str(SHARED_DATA))
        patch.setenv("BUREAU_DATA_CACHE_DIR", str(session_cache))
        patch.setenv("BUREAU_DATA_OFFLINE", "1")
        patch.delenv("BUREAU_DATA_MANIFEST", raising=False)
        report = build(REPO_ROOT / "notebooks", output, jobs=2, cell_timeout=600)
        yield _checked(report, output)


def _checked(report, output: Path) -> Path:
    failures = [f"{r.slug} : {r.message}" for r in report.results if r.status == "failed"]
    assert report.ok, "\n".join(failures)
    return output


def _prose(site: Path, slug: str) -> str:
    """Return the visible text of an article: no folded code, no tags, spaces made plain."""
    page = (site / slug / "index.html").read_text(encoding="utf-8")
    page = re.sub(r"<details.*?</details>", " ", page, flags=re.S)
    page = re.sub(r"<(script|style|pre|code)\b.*?</\1>", " ", page, flags=re.S)
    text = html.unescape(re.sub(r"<[^>]+>", " ", page))
    return _plain_spaces(text)


def _plain_spaces(text: str) -> str:
    return re.sub(r"[\s\u00a0\u202f]+", " ", text)


def _expected_figures() -> dict[str, list[str]]:
    """Compute each article's key figures from the loaders, formatted the French way."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataWarning)
        deputes = amo.deputes(17)
        votes = scrutins.scrutins(17)
        hospital = covid.hospitalisations_france().set_index("jour")
        forest = foret.forest()
        participants = consultation.participants()
        cp_2025 = budget.budget_general([2025])["cp"].sum()

    france_2020 = forest[(forest["entity"] == "France") & (forest["year"] == 2020)]
    first_screen = participants[participants["theme_number"] == participants["theme_number"].min()]
    peak_day = hospital["hosp"].idxmax()
    return {
        "portrait-assemblee": [
            f"{format_number(len(deputes))} députés siègent",
            f"{format_number(int((deputes['civilite'] == 'Mme').sum()))} députées",
        ],
        "comment-votent-les-groupes": [
            f"{format_number(len(votes))} scrutins publics",
            f"{format_number(int(votes['adopte'].sum()))} ont abouti à une adoption",
        ],
        "parcours-amendement": [f"{format_number(len(amendements(17)))} amendements déposés"],
        "questions-au-gouvernement": [f"{format_number(len(questions_gouvernement(15)))} questions"],
        "budget-etat-2014-2025": [format_euros(cp_2025, decimals=1)],
        "covid-donnees-ouvertes": [
            f"{format_date(peak_day)}, {format_number(int(hospital['hosp'].max()))} personnes",
        ],
        "surface-forestiere": [format_percent(float(france_2020["forest_cover_pct"].iloc[0]))],
        "consultation-egalite": [f"{format_number(first_screen['respondent'].nunique())} participants"],
    }


def test_site_lists_the_eight_articles(site: Path):
    built = sorted(path.parent.name for path in site.glob("*/index.html"))

    assert built == ARTICLES
    index = (site / "index.html").read_text(encoding="utf-8")
    for slug in ARTICLES:
        assert f'href="{slug}/' in index, slug


def test_key_figures_match_loaders(site: Path):
    for slug, figures in _expected_figures().items():
        prose = _prose(site, slug)
        for figure in figures:
            assert _plain_spaces(figure) in prose, f"{slug} : « {figure} » absent du texte"


def test_articles_have_sources_and_method(site: Path):
    for slug in ARTICLES:
        prose = _prose(site, slug)
        assert "Méthode et limites" in prose, slug
        assert "Sources et méthode" in prose, slug
        assert "Licence Ouverte" in prose or "CC BY" in prose, slug
        figures = list((site / slug / "figures").glob("*.png"))
        assert len(figures) >= 3, f"{slug} : {len(figures)} figure(s)"


def test_articles_open_cleanly_in_chromium(site: Path, driver):  # noqa: F811
    handler = functools.partial(_QuietHandler, directory=str(site))
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        base = f"http://127.0.0.1:{httpd.server_port}/"
        for page in ["index.html"] + [f"{slug}/index.html" for slug in ARTICLES]:
            driver.get_log("browser")
            _open(driver, base + page, 1280, 900, False, "light")
            # Images load lazily, so the capture first makes the viewport as tall as the page.
            png = _full_page_png(driver, 1280, False)
            SCREENSHOTS.mkdir(parents=True, exist_ok=True)
            (SCREENSHOTS / f"reel-{page.replace('/index.html', '').replace('.html', '')}.png").write_bytes(png)
            broken = driver.execute_script(
                "return [...document.images].filter(i => i.naturalWidth === 0).map(i => i.src)")
            assert broken == [], f"{page} : images non chargées {broken}"
            messages = [entry["message"] for entry in driver.get_log("browser")]
            assert messages == [], f"{page} : console {messages}"
    finally:
        httpd.shutdown()
        httpd.server_close()
