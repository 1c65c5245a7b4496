"""The article build on tiny notebooks: success, failure, incremental, determinism, site."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from pathlib import Path

import nbformat
import pytest
from _publish_notebooks import (
    build,
    markdown,
    result,
    show_contract_cell,
    snapshot,
    write_notebook,
)

from bureau_data.cli import main
from bureau_data.errors import BuildError
from bureau_data.publish import build as build_module
from bureau_data.publish.metadata import MetadataError, read_metadata

REPO_ROOT = Path(__file__).resolve().parent.parent

GOOD_CELLS = [
    markdown("## Contexte\n\nLe texte de l'article, avec assez de mots pour une minute de lecture."),
    "print('total :', 6 * 7)",
    show_contract_cell("sieges-par-groupe", "Barres : a vaut 3, b 1, c 2.", "Sièges par groupe.", "groupe,sieges\na,3\nb,1\nc,2\n"),
]


@pytest.fixture(autouse=True)
def _stable_library(monkeypatch: pytest.MonkeyPatch) -> None:
    """Pin the library fingerprint: other work may edit bureau_data/ while the tests run."""
    monkeypatch.setattr(build_module, "library_fingerprint", lambda: "bibliotheque-figee")


@pytest.fixture()
def site(tmp_path: Path) -> tuple[Path, Path]:
    return tmp_path / "notebooks", tmp_path / "site"


def test_build_success_page_content(site: tuple[Path, Path]) -> None:
    notebooks, output = site
    write_notebook(notebooks, "essai", GOOD_CELLS, title="Les sièges en 2024", date="2024-03-01")
    report = build(notebooks, output)
    assert report.ok, report.results
    assert result(report, "essai").status == "built"
    page = (output / "essai" / "index.html").read_text(encoding="utf-8")
    assert '<html lang="fr">' in page
    assert "Content-Security-Policy" in page
    assert "script-src 'none'" in page
    assert "<h1>Les sièges en 2024</h1>" in page
    assert '<time datetime="2024-03-01">1er mars 2024</time>' in page
    assert "Lecture\u00a0: 1\u202fmin" in page
    assert "total : 42" in page
    assert '<img alt="Barres : a vaut 3, b 1, c 2." loading="lazy" src="figures/sieges-par-groupe.png"/>' in page
    assert "<figcaption>Sièges par groupe." in page
    assert ('<a class="agrandir" href="figures/sieges-par-groupe.png" title="Ouvrir l\'image en taille réelle">'
            '<img alt="Barres : a vaut 3, b 1, c 2." loading="lazy" src="figures/sieges-par-groupe.png"/></a>') in page
    assert "data:image" not in page
    assert ";base64," not in page
    assert '<details class="code">' in page
    assert "Télécharger les données" in page
    assert (output / "essai" / "figures" / "sieges-par-groupe.png").read_bytes().startswith(b"\x89PNG")
    assert (output / "essai" / "donnees" / "sieges-par-groupe.csv").read_text(encoding="utf-8") == "groupe,sieges\na,3\nb,1\nc,2\n"
    readme = (output / "essai" / "donnees" / "LISEZMOI.txt").read_text(encoding="utf-8")
    assert "sieges-par-groupe.csv : Titre du graphique" in readme
    wordpress = (output / "essai" / "wordpress.html").read_text(encoding="utf-8")
    assert wordpress.startswith('<div class="bureau-data-article" lang="fr">')
    assert "<html" not in wordpress
    assert "<head" not in wordpress
    assert 'src="http://127.0.0.1:8000/essai/figures/sieges-par-groupe.png"' in wordpress
    assert 'href="http://127.0.0.1:8000/essai/figures/sieges-par-groupe.png"' in wordpress


def test_build_skip_force_and_identical_bytes(site: tuple[Path, Path]) -> None:
    notebooks, output = site
    write_notebook(notebooks, "essai", GOOD_CELLS)
    assert build(notebooks, output).ok
    first = snapshot(output)

    started = time.perf_counter()
    report = build(notebooks, output)
    elapsed = time.perf_counter() - started
    assert (result(report, "essai").status, result(report, "essai").message) == ("skipped", "inchangé")
    assert elapsed < 1.0, f"reconstruction sans changement en {elapsed:.2f} s"
    assert snapshot(output) == first

    report = build(notebooks, output, force=True)
    assert result(report, "essai").status == "built"
    assert snapshot(output) == first  # same inputs, same bytes


@pytest.mark.parametrize("option", ["--force", "--forcer"])
def test_force_option_names(option: str) -> None:
    from bureau_data.cli import build_parser

    args = build_parser().parse_args(["construire", option])
    assert args.force is True


def test_build_output_change_ignored_source_change_rebuilds(site: tuple[Path, Path]) -> None:
    notebooks, output = site
    path = write_notebook(notebooks, "essai", ["print('un')"])
    build(notebooks, output)
    nb = nbformat.read(path, as_version=4)
    nb.cells[0].outputs = [nbformat.v4.new_output("stream", text="sortie enregistrée\n")]
    nb.metadata["kernelspec"] = {"name": "autre", "display_name": "autre", "language": "python"}
    nbformat.write(nb, path)
    assert result(build(notebooks, output), "essai").status == "skipped"

    nb.cells[0].source = "print('deux')"
    nbformat.write(nb, path)
    report = build(notebooks, output)
    assert result(report, "essai").status == "built"
    assert "deux" in (output / "essai" / "index.html").read_text(encoding="utf-8")


def test_library_change_rebuilds(site: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch) -> None:
    notebooks, output = site
    write_notebook(notebooks, "essai", ["print(1)"])
    assert result(build(notebooks, output), "essai").message == "nouveau"
    monkeypatch.setattr(build_module, "library_fingerprint", lambda: "bibliotheque-modifiee")
    report = build(notebooks, output)
    assert (result(report, "essai").status, result(report, "essai").message) == (
        "built", "bibliothèque bureau_data modifiée")


def test_library_fingerprint_follows_sources(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.undo()
    package = tmp_path / "bureau_data"
    (package / "sub").mkdir(parents=True)
    (package / "a.py").write_text("x = 1\n", encoding="utf-8")
    (package / "sub" / "b.py").write_text("y = 2\n", encoding="utf-8")
    monkeypatch.setattr(build_module, "LIBRARY_DIR", package)
    before = build_module.library_fingerprint()
    assert build_module.library_fingerprint() == before
    (package / "sub" / "b.py").write_text("y = 3\n", encoding="utf-8")
    assert build_module.library_fingerprint() != before


def test_failing_cell_keeps_last_good_article(site: tuple[Path, Path], capsys: pytest.CaptureFixture[str]) -> None:
    notebooks, output = site
    write_notebook(notebooks, "essai", ["print('version 1')"])
    write_notebook(notebooks, "voisin", ["print('voisin')"])
    assert build(notebooks, output).ok
    good = snapshot(output)

    path = write_notebook(notebooks, "essai", ["x = 1", "y = x / 0\nprint(y)"])
    code_exit = main(["construire", "--notebooks", str(notebooks), "--sortie", str(output), "essai"])
    assert code_exit == 1
    err = capsys.readouterr().err
    assert f"Échec de l'article {path}" in err
    assert "cellule 2 (numérotée à partir de 1, comme dans JupyterLab)" in err
    assert "exception ZeroDivisionError : division by zero" in err
    assert "--- Cellule 2 ---\ny = x / 0\nprint(y)\n--- Trace ---" in err
    assert "----> 1 y = x / 0" in err
    assert "An error occurred" not in err
    assert err.count("y = x / 0\nprint(y)") == 1  # the source once; the traceback quotes it line by line
    assert snapshot(output) == good  # the last good version stays online
    assert not (output / build_module.STAGING_DIR).exists()

    report = build(notebooks, output)
    assert result(report, "essai").status == "failed"  # still broken: tried again, not skipped
    assert result(report, "voisin").status == "skipped"


LIBRARY_ERROR_CELL = "from bureau_data.catalogue import get_dataset\nget_dataset('foret')"


def test_library_error_report_is_short(site: tuple[Path, Path], capsys: pytest.CaptureFixture[str]) -> None:
    notebooks, output = site
    path = write_notebook(notebooks, "erreur", [markdown("Intro"), "x = 1", LIBRARY_ERROR_CELL])
    assert main(["construire", "--notebooks", str(notebooks), "--sortie", str(output)]) == 1
    err = capsys.readouterr().err
    log_file = build_module.article_log_path(build_module.build_state_dir(output), "erreur")
    assert err == (
        "ÉCHEC      erreur\n"
        f"Échec de l'article {path}, cellule 3 (numérotée à partir de 1, comme dans JupyterLab) : "
        "CatalogueError : Jeu de données inconnu : 'foret'. La commande « bureau-data catalogue » "
        "liste les jeux disponibles.\n"
        "--- Cellule 3 ---\n"
        f"{LIBRARY_ERROR_CELL}\n"
        f"Trace complète dans {log_file} (ou relancez avec « bureau-data -v construire »).\n\n"
    )
    log_text = log_file.read_text(encoding="utf-8")
    assert "Traceback (most recent call last)" in log_text
    assert "----> 2 get_dataset('foret')" in log_text

    assert main(["-v", "construire", "--notebooks", str(notebooks), "--sortie", str(output)]) == 1
    err = capsys.readouterr().err
    assert "--- Trace ---" in err
    assert "----> 2 get_dataset('foret')" in err
    assert err.count("get_dataset('foret')") == 2  # the cell once, the traceback's arrow line once
    assert "An error occurred" not in err


def test_long_cell_source_trimmed(site: tuple[Path, Path]) -> None:
    notebooks, output = site
    source = "\n".join(f"x{i} = {i}" for i in range(30)) + "\nraise ValueError('fin')"
    write_notebook(notebooks, "longue", [source])
    failure = result(build(notebooks, output), "longue")
    assert "x19 = 19\n… (11 ligne(s) de plus)\n--- Trace ---" in failure.message
    assert "x20 = 20\n" not in failure.message.split("--- Trace ---")[0]


def test_other_articles_build_when_one_fails(site: tuple[Path, Path]) -> None:
    notebooks, output = site
    write_notebook(notebooks, "casse", ["raise RuntimeError('données absentes')"])
    write_notebook(notebooks, "sain", ["print('ok')"])
    report = build(notebooks, output)
    assert not report.ok
    assert result(report, "casse").status == "failed"
    assert "RuntimeError" in result(report, "casse").message
    assert result(report, "sain").status == "built"
    assert not (output / "casse").exists()
    index = (output / "index.html").read_text(encoding="utf-8")
    assert "sain/index.html" in index
    assert "casse/index.html" not in index


def _local_catalogue(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, content: bytes) -> Path:
    local = tmp_path / "local"
    local.mkdir()
    data_file = local / "mini.json.zip"
    data_file.write_bytes(content)
    manifest = tmp_path / "manifest.toml"
    manifest.write_text('[files]\n"assemblee.amo.l15" = "mini.json.zip"\n', encoding="utf-8")
    monkeypatch.setenv("BUREAU_DATA_LOCAL_DIR", str(local))
    monkeypatch.setenv("BUREAU_DATA_MANIFEST", str(manifest))
    return data_file


READ_DATA = (
    "from bureau_data.fetch import fetch\n"
    "fetched = fetch('assemblee.amo.l15')\n"
    "print('octets :', fetched.path.stat().st_size)"
)


def test_rebuild_when_data_file_changes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    data_file = _local_catalogue(tmp_path, monkeypatch, b"version une")
    notebooks, output = tmp_path / "notebooks", tmp_path / "site"
    write_notebook(notebooks, "donnees", [READ_DATA])
    report = build(notebooks, output)
    assert result(report, "donnees").status == "built"
    page = (output / "donnees" / "index.html").read_text(encoding="utf-8")
    assert "octets : 11" in page
    assert "<strong>Assemblée nationale</strong>" in page
    assert hashlib.sha256(b"version une").hexdigest() in page
    assert "Licence Ouverte / Open Licence (Etalab)" in page
    assert "<code>mini.json.zip</code>" in page
    state = json.loads((build_module.build_state_dir(output) / "state.json").read_text(encoding="utf-8"))
    assert [f["path"] for f in state["articles"]["donnees"]["data_files"]] == [str(data_file)]

    # Same bytes, new modification time: hashed again, found equal, skipped.
    os.utime(data_file, ns=(time.time_ns(), time.time_ns() + 5_000_000_000))
    assert result(build(notebooks, output), "donnees").status == "skipped"

    data_file.write_bytes(b"version deux, plus longue")
    report = build(notebooks, output)
    assert result(report, "donnees").status == "built"
    assert "octets : 25" in (output / "donnees" / "index.html").read_text(encoding="utf-8")


def test_rebuild_when_local_folder_or_manifest_changes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _local_catalogue(tmp_path, monkeypatch, b"version une")
    other = tmp_path / "autre"
    other.mkdir()
    (other / "mini.json.zip").write_bytes(b"autre version, plus longue")
    (other / "renomme.zip").write_bytes(b"fichier renomme")
    notebooks, output = tmp_path / "notebooks", tmp_path / "site"
    write_notebook(notebooks, "donnees", [READ_DATA])
    assert result(build(notebooks, output), "donnees").status == "built"
    assert result(build(notebooks, output), "donnees").status == "skipped"

    expected_reason = ("source des données modifiée (BUREAU_DATA_LOCAL_DIR, BUREAU_DATA_MANIFEST ou "
                       "BUREAU_DATA_CATALOGUE_DIR)")
    monkeypatch.setenv("BUREAU_DATA_LOCAL_DIR", str(other))
    rebuilt = result(build(notebooks, output), "donnees")
    assert (rebuilt.status, rebuilt.message) == ("built", expected_reason)
    assert "octets : 26" in (output / "donnees" / "index.html").read_text(encoding="utf-8")

    manifest = tmp_path / "manifest-2.toml"
    manifest.write_text('[files]\n"assemblee.amo.l15" = "renomme.zip"\n', encoding="utf-8")
    monkeypatch.setenv("BUREAU_DATA_MANIFEST", str(manifest))
    rebuilt = result(build(notebooks, output), "donnees")
    assert (rebuilt.status, rebuilt.message) == ("built", expected_reason)
    assert "octets : 15" in (output / "donnees" / "index.html").read_text(encoding="utf-8")
    assert result(build(notebooks, output), "donnees").status == "skipped"


def test_method_paragraphs_in_sources(site: tuple[Path, Path]) -> None:
    notebooks, output = site
    write_notebook(notebooks, "methode", [
        "from bureau_data.provenance import log_method\n"
        "log_method('cohesion', 'Indice de cohésion', 'Premier paragraphe.\\n\\nSecond paragraphe.')\n"
        "log_method('cohesion', 'Indice de cohésion', 'Premier paragraphe.\\n\\nSecond paragraphe.')",
    ])
    assert build(notebooks, output).ok
    page = (output / "methode" / "index.html").read_text(encoding="utf-8")
    assert page.count("<h3>Indice de cohésion</h3>") == 1
    assert "<p>Premier paragraphe.</p>\n<p>Second paragraphe.</p>" in page


def test_index_feed_sitemap_and_drafts(site: tuple[Path, Path]) -> None:
    notebooks, output = site
    write_notebook(notebooks, "ancien", ["print(1)"], title="Ancien article", date="2023-05-01")
    write_notebook(notebooks, "recent", GOOD_CELLS, title="Article récent", date="2024-11-12")
    write_notebook(notebooks, "projet", ["print(2)"], title="Brouillon", date="2025-01-01", draft=True)
    (notebooks / "_modele.ipynb").write_text("ceci n'est pas du JSON", encoding="utf-8")
    report = build(notebooks, output)
    assert report.ok, report.results
    assert sorted((r.slug, r.status) for r in report.results) == [
        ("ancien", "built"), ("projet", "draft"), ("recent", "built")]
    assert result(report, "projet").message == "brouillon ignoré : projet (ajoutez --brouillons)"
    index = (output / "index.html").read_text(encoding="utf-8")
    assert index.index("Article récent") < index.index("Ancien article")
    assert "Brouillon" not in index
    assert '<time datetime="2024-11-12">12 novembre 2024</time>' in index
    assert 'src="recent/figures/sieges-par-groupe.png"' in index

    atom = "{http://www.w3.org/2005/Atom}"
    feed = ET.fromstring((output / "feed.xml").read_bytes())
    assert [e.findtext(f"{atom}title") for e in feed.findall(f"{atom}entry")] == ["Article récent", "Ancien article"]
    assert feed.findtext(f"{atom}updated") == "2024-11-12T00:00:00Z"
    sitemap = ET.fromstring((output / "sitemap.xml").read_bytes())
    locs = [e.text for e in sitemap.iter("{http://www.sitemaps.org/schemas/sitemap/0.9}loc")]
    assert locs == ["http://127.0.0.1:8000/", "http://127.0.0.1:8000/recent/", "http://127.0.0.1:8000/ancien/"]

    report = build(notebooks, output, drafts=True)
    assert result(report, "projet").status == "built"
    assert "Brouillon" in (output / "index.html").read_text(encoding="utf-8")


def test_site_url_setting(site: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch,
                          capsys: pytest.CaptureFixture[str]) -> None:
    notebooks, output = site
    write_notebook(notebooks, "adresse", ["print(1)"])
    sitemap_ns = "{http://www.sitemaps.org/schemas/sitemap/0.9}loc"
    command = ["construire", "--notebooks", str(notebooks), "--sortie", str(output)]

    monkeypatch.setenv("BUREAU_DATA_SITE_URL", "https://exemple.fr/articles")
    assert main(command) == 0
    locs = [e.text for e in ET.fromstring((output / "sitemap.xml").read_bytes()).iter(sitemap_ns)]
    assert locs == ["https://exemple.fr/articles/", "https://exemple.fr/articles/adresse/"]
    assert '<id>https://exemple.fr/articles/adresse/</id>' in (output / "feed.xml").read_text(encoding="utf-8")

    assert main([*command, "--url-site", "https://autre.fr/"]) == 0
    locs = [e.text for e in ET.fromstring((output / "sitemap.xml").read_bytes()).iter(sitemap_ns)]
    assert locs == ["https://autre.fr/", "https://autre.fr/adresse/"]

    monkeypatch.setenv("BUREAU_DATA_SITE_URL", "exemple.fr")
    capsys.readouterr()
    assert main(command) == 1
    assert "Valeur invalide pour BUREAU_DATA_SITE_URL : 'exemple.fr'" in capsys.readouterr().err


def test_broken_internal_link_fails_article(site: tuple[Path, Path]) -> None:
    notebooks, output = site
    write_notebook(notebooks, "liens", [markdown("Voir [l'autre article](../absent/index.html) et [ici](#contexte).")])
    report = build(notebooks, output)
    failure = result(report, "liens")
    assert failure.status == "failed"
    assert "liens internes cassés : ../absent/index.html" in failure.message
    assert not (output / "liens").exists()


def test_unknown_slug_lists_available(site: tuple[Path, Path]) -> None:
    notebooks, output = site
    write_notebook(notebooks, "un", ["print(1)"])
    with pytest.raises(BuildError, match=r"Article\(s\) inconnu\(s\) : deux\. Articles disponibles .* : un\."):
        build(notebooks, output, slugs=("deux",))


def test_parallel_jobs_build_all(site: tuple[Path, Path]) -> None:
    notebooks, output = site
    for slug in ("p-un", "p-deux", "p-trois"):
        write_notebook(notebooks, slug, [f"print('{slug}')"])
    report = build(notebooks, output, jobs=3)
    assert report.ok, report.results
    assert [r.status for r in report.results] == ["built", "built", "built"]
    assert "p-deux" in (output / "p-deux" / "index.html").read_text(encoding="utf-8")


def test_concurrent_builds_end_with_correct_site(site: tuple[Path, Path]) -> None:
    notebooks, output = site
    write_notebook(notebooks, "partage", ["import time\ntime.sleep(3)\nprint('fini')"])
    command = [sys.executable, "-m", "bureau_data.cli", "construire", "--notebooks", str(notebooks),
               "--sortie", str(output)]
    first = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    time.sleep(0.3)
    second = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    out1, err1 = first.communicate(timeout=120)
    out2, err2 = second.communicate(timeout=120)
    assert first.returncode == 0, err1
    assert second.returncode == 0, err2
    assert "Une autre construction est en cours" in err1 + err2
    # The second build usually finds the article unchanged, but rebuilds it when the
    # library changed in between (other work on bureau_data/ during the test run).
    assert "construit  partage" in out1 + out2
    assert (out1 + out2).count("construit  partage") + (out1 + out2).count("inchangé   partage") == 2
    assert "fini" in (output / "partage" / "index.html").read_text(encoding="utf-8")


@pytest.mark.parametrize(("change", "message"), [
    (lambda b: b.pop("title"), r"champ metadata\.bureau_data\.title est absent"),
    (lambda b: b.update(date="01/03/2024"), r"metadata\.bureau_data\.date doit être une date AAAA-MM-JJ, trouvé '01/03/2024'"),
    (lambda b: b.update(date="2024-02-31"), r"metadata\.bureau_data\.date désigne une date qui n'existe pas : "
                                            r"'2024-02-31' \(le format AAAA-MM-JJ est bon"),
    (lambda b: b.update(date="2023-02-29"), r"date qui n'existe pas : '2023-02-29'"),
    (lambda b: b.update(date="2024-2-3"), r"metadata\.bureau_data\.date doit être une date AAAA-MM-JJ, trouvé '2024-2-3'"),
    (lambda b: b.update(slug="autre"), r"metadata\.bureau_data\.slug doit être égal au nom du fichier \('article'\)"),
    (lambda b: b.update(draft="non"), r"metadata\.bureau_data\.draft doit valoir true ou false, trouvé 'non'"),
    (lambda b: b.update(authors=[]), r"metadata\.bureau_data\.authors doit contenir au moins un élément"),
    (lambda b: b.update(tags="budget"), r"metadata\.bureau_data\.tags doit être une liste de textes"),
    (lambda b: b.update(summary="  "), r"metadata\.bureau_data\.summary doit être un texte non vide"),
])
def test_metadata_invalid_field(tmp_path: Path, change, message: str) -> None:
    path = write_notebook(tmp_path, "article", ["print(1)"])
    nb = nbformat.read(path, as_version=4)
    change(nb.metadata["bureau_data"])
    with pytest.raises(MetadataError, match=message) as excinfo:
        read_metadata(nb, path)
    assert str(path) in str(excinfo.value)


def test_metadata_missing_block(tmp_path: Path) -> None:
    path = tmp_path / "sans.ipynb"
    with pytest.raises(MetadataError, match=r"n'a pas de bloc metadata\.bureau_data.*nouvel-article"):
        read_metadata(nbformat.v4.new_notebook(), path)


def test_invalid_metadata_fails_that_article(site: tuple[Path, Path]) -> None:
    notebooks, output = site
    write_notebook(notebooks, "mauvais", ["print(1)"], title="Version publiée")
    assert build(notebooks, output).ok
    path = write_notebook(notebooks, "mauvais", ["print(1)"], date="hier")
    report = build(notebooks, output)
    failure = result(report, "mauvais")
    assert failure.status == "failed"
    assert "Version publiée" in (output / "index.html").read_text(encoding="utf-8")
    assert (output / "mauvais" / "index.html").is_file()
    assert str(path) in failure.message
    assert "metadata.bureau_data.date" in failure.message


def test_build_named_article_with_invalid_metadata(site: tuple[Path, Path],
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    notebooks, output = site
    path = write_notebook(notebooks, "date-fausse", ["print(1)"], date="2024-02-31")
    assert main(["construire", "--notebooks", str(notebooks), "--sortie", str(output), "date-fausse"]) == 1
    err = capsys.readouterr().err
    assert "inconnu" not in err
    assert f"Métadonnées invalides dans {path} : champ metadata.bureau_data.date désigne une date qui n'existe pas" in err
    assert main(["construire", "--notebooks", str(notebooks), "--sortie", str(output), "absent"]) == 1
    assert "Article(s) inconnu(s) : absent." in capsys.readouterr().err


def test_draft_skipped_line_printed(site: tuple[Path, Path], capsys: pytest.CaptureFixture[str]) -> None:
    notebooks, output = site
    notebooks.mkdir()
    (notebooks / "_modele.ipynb").write_bytes((REPO_ROOT / "notebooks" / "_modele.ipynb").read_bytes())
    assert main(["nouvel-article", "projet", "--titre", "Projet", "--notebooks", str(notebooks)]) == 0
    capsys.readouterr()
    assert main(["construire", "--notebooks", str(notebooks), "--sortie", str(output)]) == 0
    out = capsys.readouterr().out
    assert "brouillon ignoré : projet (ajoutez --brouillons)\n" in out
    assert not (output / "projet").exists()

    assert main(["construire", "--brouillons", "--notebooks", str(notebooks), "--sortie", str(output)]) == 0
    out = capsys.readouterr().out
    assert "construit  projet" in out
    assert ("  avertissement : le résumé est encore celui du modèle (« Une ou deux phrases qui disent la "
            "question et la réponse. ») : remplacez metadata.bureau_data.summary\n") in out
    assert "le titre est encore celui du modèle" not in out


def test_template_title_warned(site: tuple[Path, Path]) -> None:
    notebooks, output = site
    write_notebook(notebooks, "copie", ["print(1)"], title="Titre de l'article", summary="Résumé à écrire.")
    built = result(build(notebooks, output), "copie")
    assert built.warnings == [
        "le titre est encore celui du modèle (« Titre de l'article ») : remplacez metadata.bureau_data.title",
        "le résumé est encore celui du modèle (« Résumé à écrire. ») : remplacez metadata.bureau_data.summary",
    ]


def test_new_article_command(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    notebooks = tmp_path / "notebooks"
    notebooks.mkdir()
    (notebooks / "_modele.ipynb").write_bytes((REPO_ROOT / "notebooks" / "_modele.ipynb").read_bytes())
    assert main(["nouvel-article", "dette-publique", "--titre", "La dette publique", "--auteur", "Alex",
                 "--notebooks", str(notebooks)]) == 0
    nb = nbformat.read(notebooks / "dette-publique.ipynb", as_version=4)
    meta = read_metadata(nb, notebooks / "dette-publique.ipynb")
    assert (meta.title, meta.slug, meta.authors, meta.draft) == ("La dette publique", "dette-publique", ("Alex",), True)
    assert all(cell.get("outputs", []) == [] for cell in nb.cells)

    assert main(["nouvel-article", "dette-publique", "--titre", "x", "--notebooks", str(notebooks)]) == 1
    assert "existe déjà" in capsys.readouterr().err
    assert main(["nouvel-article", "Dette Publique", "--titre", "x", "--notebooks", str(notebooks)]) == 1
    assert "Identifiant d'article invalide : 'Dette Publique'" in capsys.readouterr().err
    for empty in ("", "   "):
        assert main(["nouvel-article", "sans-titre", "--titre", empty, "--notebooks", str(notebooks)]) == 1
        assert "Titre vide pour l'article 'sans-titre'" in capsys.readouterr().err
        assert not (notebooks / "sans-titre.ipynb").exists()


def test_model_notebook_builds(site: tuple[Path, Path], capsys: pytest.CaptureFixture[str]) -> None:
    """A notebook made by nouvel-article builds as it is, with its example chart and no warning."""
    notebooks, output = site
    notebooks.mkdir()
    (notebooks / "_modele.ipynb").write_bytes((REPO_ROOT / "notebooks" / "_modele.ipynb").read_bytes())
    assert main(["nouvel-article", "exemple", "--titre", "Exemple", "--resume", "Un exemple.",
                 "--notebooks", str(notebooks)]) == 0
    capsys.readouterr()
    assert main(["construire", "--brouillons", "--notebooks", str(notebooks), "--sortie", str(output)]) == 0
    out = capsys.readouterr().out
    assert "construit  exemple" in out
    assert "avertissement" not in out
    page = (output / "exemple" / "index.html").read_text(encoding="utf-8")
    assert "L'Assemblée compte 577 sièges." in page or "L’Assemblée compte 577 sièges." in page
    assert 'src="figures/sieges-par-groupe.png"' in page
    assert (output / "exemple" / "donnees" / "sieges-par-groupe.csv").read_text(encoding="utf-8").startswith("groupe,")


def test_model_commented_code_runs() -> None:
    """The loader example the template gives in comments imports and runs on the local data."""
    nb = nbformat.read(REPO_ROOT / "notebooks" / "_modele.ipynb", as_version=4)
    commented = [
        line.removeprefix("# ")
        for cell in nb.cells if cell.cell_type == "code"
        for line in cell.source.splitlines()
        if line.startswith(("# from ", "# import ", "# df = ", "# n = "))
    ]
    assert commented == ["from bureau_data.assemblee.amo import deputes", "df = deputes(17)", "n = len(df)"]
    namespace: dict[str, object] = {}
    exec("\n".join(commented), namespace)  # noqa: S102 - the repository's own template
    assert namespace["n"] == 575


def test_build_state_outside_site(site: tuple[Path, Path]) -> None:
    notebooks, output = site
    write_notebook(notebooks, "essai", GOOD_CELLS)
    assert build(notebooks, output).ok
    assert sorted(p.name for p in output.iterdir()) == [
        "essai", "favicon.svg", "feed.xml", "index.html", "sitemap.xml", "style.css"]
    hidden = [name for name in snapshot(output) if any(part.startswith(".") for part in Path(name).parts)]
    assert hidden == []
    leaked = [name for name, content in snapshot(output).items() if str(notebooks).encode("utf-8") in content]
    assert leaked == []
    state_dir = build_module.build_state_dir(output)
    assert not state_dir.is_relative_to(output)
    assert (state_dir / "state.json").is_file()
    assert (state_dir / "provenance" / "essai.jsonl").is_file()
    assert result(build(notebooks, output), "essai").status == "skipped"


def test_deleted_notebook_removes_its_article(site: tuple[Path, Path], caplog: pytest.LogCaptureFixture) -> None:
    notebooks, output = site
    write_notebook(notebooks, "garde", ["print('garde')"])
    gone = write_notebook(notebooks, "supprime", ["print('supprime')"])
    assert build(notebooks, output).ok
    personal = output / "perso"
    personal.mkdir()
    (personal / "note.txt").write_text("pas un article", encoding="utf-8")

    gone.unlink()
    with caplog.at_level("INFO", logger="bureau_data.publish.build"):
        report = build(notebooks, output)
    assert report.ok, report.results
    assert not (output / "supprime").exists()
    assert (output / "garde" / "index.html").is_file()
    assert (personal / "note.txt").read_text(encoding="utf-8") == "pas un article"
    assert "supprime/index.html" not in (output / "index.html").read_text(encoding="utf-8")
    assert f"supprime : article retiré du site, son notebook {gone} n'existe plus" in caplog.messages
    state = json.loads((build_module.build_state_dir(output) / "state.json").read_text(encoding="utf-8"))
    assert sorted(state["articles"]) == ["garde"]


def test_serve_command_local_only(site: tuple[Path, Path]) -> None:
    notebooks, output = site
    write_notebook(notebooks, "servi", ["print('servi')"])
    assert build(notebooks, output).ok
    (output / ".cache").mkdir()
    (output / ".cache" / "secret.json").write_text("{}", encoding="utf-8")
    server = subprocess.Popen(
        [sys.executable, "-m", "bureau_data.cli", "servir", "--port", "0", "--sortie", str(output)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    try:
        line = server.stdout.readline() if server.stdout else ""
        assert line.startswith("Site servi sur http://127.0.0.1:"), line
        url = line.split()[3]
        import urllib.error
        import urllib.request

        with urllib.request.urlopen(url + "servi/index.html", timeout=10) as response:
            assert response.status == 200
            assert "servi" in response.read().decode("utf-8")
        with pytest.raises(urllib.error.HTTPError) as excinfo:
            urllib.request.urlopen(url + "%2Ecache/secret.json", timeout=10)
        assert excinfo.value.code == 404
    finally:
        server.terminate()
        server.wait(timeout=10)


def test_serve_without_site_explains(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["servir", "--sortie", str(tmp_path / "vide")]) == 1
    assert "Aucun site construit dans" in capsys.readouterr().err
