"""The built site in headless Chromium: no console error, images load, no script runs.

Screenshots of every page, phone and desktop widths, light and dark, go to
``test-output/screenshots/`` (git-ignored) for a person to look at.
"""

from __future__ import annotations

import base64
import functools
import shutil
import tempfile
import threading
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from _publish_notebooks import build, code, markdown, show_contract_cell, write_notebook
from test_publish_cases import HOSTILE_CELLS

pytestmark = pytest.mark.browser

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
SCREENSHOTS = Path(__file__).resolve().parent.parent / "test-output" / "screenshots"
VIEWPORTS = {"telephone": (390, 844, True), "bureau": (1280, 900, False)}


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass


@pytest.fixture(scope="module")
def built_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("navigateur")
    notebooks, output = root / "notebooks", root / "site"
    write_notebook(notebooks, "sieges", [
        markdown("Combien de sièges compte chaque groupe ? Cet article répond en un graphique.\n\n"
                 "## Répartition\n\nLes groupes sont classés du plus grand au plus petit."),
        code("import pandas as pd\ntableau = pd.DataFrame({'groupe': ['A', 'B', 'C'], 'sièges': [120, 87, 45]})\n"
             "tableau", "show_input"),
        show_contract_cell("sieges", "Barres horizontales : A 120 sièges, B 87, C 45.",
                           "Sièges par groupe, en nombre de députés.", "groupe,sieges\nA,120\nB,87\nC,45\n"),
        markdown("## Méthode et limites\n\nLes effectifs sont ceux du jour de l'export."),
    ], title="Les groupes et leurs sièges", date="2024-06-01",
        summary="Un graphique des sièges par groupe, à partir de l'export de l'Assemblée.")
    cells = list(HOSTILE_CELLS)
    cells[0] = markdown(cells[0].source.replace('src="x.png"', 'src="figures/graphique.png"'))
    cells[2] = cells[2].replace("src=x ", "src=figures/graphique.png ")
    write_notebook(notebooks, "hostile", cells, title='Titre <script>document.title="PIRATE-T"</script>',
                   date="2024-05-01", summary='Résumé " onload="alert(9)')
    write_notebook(notebooks, "texte-seul", [markdown("Un article sans graphique, pour l'index sans vignette.")],
                   date="2023-01-15")
    report = build(notebooks, output)
    assert report.ok, report.results
    return output


@pytest.fixture(scope="module")
def server(built_site: Path) -> Iterator[str]:
    handler = functools.partial(_QuietHandler, directory=str(built_site))
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_port}/"
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture(scope="module")
def driver() -> Iterator[object]:
    if not Path(CHROMIUM).is_file() or not Path(CHROMEDRIVER).is_file():
        pytest.fail(f"Chromium ou chromedriver absent ({CHROMIUM}, {CHROMEDRIVER}) : installez-les "
                    "(apt-get install chromium chromium-driver).")
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    profile = tempfile.mkdtemp(prefix="chromium-test-")
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for argument in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                     "--disable-component-update", "--disable-sync", "--no-first-run",
                     "--disable-dev-shm-usage", f"--user-data-dir={profile}"):
        options.add_argument(argument)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    chrome = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    try:
        yield chrome
    finally:
        chrome.quit()
        shutil.rmtree(profile, ignore_errors=True)


def _pages(site: Path) -> list[str]:
    return ["index.html"] + sorted(str(p.relative_to(site)) for p in site.glob("*/index.html"))


def _open(chrome, url: str, width: int, height: int, mobile: bool, scheme: str) -> None:
    chrome.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                           {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": mobile})
    chrome.execute_cdp_cmd("Emulation.setEmulatedMedia",
                           {"features": [{"name": "prefers-color-scheme", "value": scheme}]})
    chrome.get(url)


def _full_page_png(chrome, width: int, mobile: bool) -> bytes:
    height = int(chrome.execute_script("return document.documentElement.scrollHeight"))
    # A viewport as tall as the page makes every lazy image load before the capture.
    chrome.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                           {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": mobile})
    _wait_images(chrome)
    shot = chrome.execute_cdp_cmd("Page.captureScreenshot", {"format": "png", "captureBeyondViewport": True})
    return base64.b64decode(shot["data"])


def _wait_images(chrome) -> None:
    from selenium.webdriver.support.ui import WebDriverWait

    WebDriverWait(chrome, 10).until(
        lambda d: d.execute_script("return [...document.images].every(i => i.complete)")
    )


def test_pages_load_cleanly(built_site: Path, server: str, driver) -> None:
    chrome = driver
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    pages = _pages(built_site)
    assert pages == ["index.html", "hostile/index.html", "sieges/index.html", "texte-seul/index.html"]
    for page in pages:
        for viewport, (width, height, mobile) in VIEWPORTS.items():
            for scheme in ("light", "dark"):
                chrome.get_log("browser")  # drop messages of the previous page
                _open(chrome, server + page, width, height, mobile, scheme)
                png = _full_page_png(chrome, width, mobile)
                name = page.replace("/index.html", "").replace(".html", "")
                (SCREENSHOTS / f"{name}-{viewport}-{scheme}.png").write_bytes(png)

                images = chrome.execute_script(
                    "return [...document.images].map(i => [i.getAttribute('src'), i.naturalWidth, i.alt])")
                broken = [src for src, natural_width, _ in images if natural_width == 0]
                assert broken == [], f"{page} : images non chargées {broken}"
                messages = [entry["message"] for entry in chrome.get_log("browser")]
                assert messages == [], f"{page} ({viewport}, {scheme}) : console {messages}"
                overflow = chrome.execute_script(
                    "return document.documentElement.scrollWidth - document.documentElement.clientWidth")
                assert overflow <= 0, f"{page} ({viewport}) déborde de {overflow} px en largeur"


def test_article_structure_in_browser(server: str, driver) -> None:
    chrome = driver
    _open(chrome, server + "sieges/index.html", 1280, 900, False, "light")
    assert chrome.execute_script("return document.documentElement.lang") == "fr"
    headings = chrome.execute_script("return [...document.querySelectorAll('h1,h2,h3')].map(h => h.tagName)")
    assert headings[0] == "H1"
    assert headings.count("H1") == 1
    levels = [int(tag[1]) for tag in headings]
    assert all(b - a <= 1 for a, b in zip(levels, levels[1:], strict=False)), headings
    figure = chrome.execute_script(
        "const f = document.querySelector('figure'); "
        "return [f.querySelector('img').alt, f.querySelector('figcaption').textContent]")
    assert figure == ["Barres horizontales : A 120 sièges, B 87, C 45.",
                      "Sièges par groupe, en nombre de députés. Données (CSV)"]
    link = chrome.execute_script(
        "const a = document.querySelector('figure img').parentElement; return [a.tagName, a.href]")
    assert link == ["A", server + "sieges/figures/sieges.png"]
    details = chrome.execute_script("return [...document.querySelectorAll('details.code')].map(d => d.open)")
    assert details == [True, False]
    stylesheets = chrome.execute_script("return document.styleSheets.length")
    assert stylesheets == 1


def test_chart_opens_full_size_on_phone(server: str, driver) -> None:
    chrome = driver
    _open(chrome, server + "sieges/index.html", 390, 844, True, "light")
    _wait_images(chrome)
    shown, natural = chrome.execute_script(
        "const i = document.querySelector('figure img'); return [i.getBoundingClientRect().width, i.naturalWidth]")
    assert shown <= 390
    chrome.execute_script("document.querySelector('figure a.agrandir').click()")
    from selenium.webdriver.support.ui import WebDriverWait

    WebDriverWait(chrome, 10).until(lambda d: d.current_url.endswith(".png"))
    assert chrome.current_url == server + "sieges/figures/sieges.png"
    opened = chrome.execute_script("return document.images[0].naturalWidth")
    assert opened == natural
    png = chrome.execute_cdp_cmd("Page.captureScreenshot", {"format": "png"})
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    (SCREENSHOTS / "sieges-graphique-agrandi-telephone.png").write_bytes(base64.b64decode(png["data"]))


def test_hostile_page_runs_no_script(server: str, driver) -> None:
    chrome = driver
    chrome.get_log("browser")
    _open(chrome, server + "hostile/index.html", 1280, 900, False, "light")
    assert chrome.title == 'Titre <script>document.title="PIRATE-T"</script> · Bureau ouvert'
    handlers = chrome.execute_script(
        "return [...document.querySelectorAll('*')].flatMap(e => [...e.attributes]"
        ".filter(a => a.name.startsWith('on')).map(a => e.tagName + ' ' + a.name))")
    assert handlers == []
    assert chrome.execute_script("return document.scripts.length") == 0
    assert chrome.execute_script("return document.querySelectorAll('iframe, object, embed').length") == 0
    assert chrome.get_log("browser") == []
