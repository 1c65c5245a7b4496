"""French no-break spaces in the text of the built pages, never in code, attributes or data."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from _publish_notebooks import build, markdown, result, show_contract_cell, write_notebook

from bureau_data.publish import build as build_module
from bureau_data.publish.typography import french_spacing, space_text

NNBSP = "\u202f"
NBSP = "\u00a0"


@pytest.fixture(autouse=True)
def _stable_library(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(build_module, "library_fingerprint", lambda: "bibliotheque-figee")


@pytest.mark.parametrize(("text", "expected"), [
    ("Pourquoi ?", f"Pourquoi{NNBSP}?"),
    ("Enfin !", f"Enfin{NNBSP}!"),
    ("un ; deux", f"un{NNBSP}; deux"),
    ("Note : voir", f"Note{NBSP}: voir"),
    ("« Sources »", f"«{NBSP}Sources{NBSP}»"),
    ("«\nà la ligne\n»", f"«{NBSP}à la ligne{NBSP}»"),
    ("10 %", f"10{NNBSP}%"),
    ("3 Md€ et 12 M€, 5 k€, 40 €", f"3{NNBSP}Md€ et 12{NNBSP}M€, 5{NNBSP}k€, 40{NNBSP}€"),
    ("1 234 567 habitants", f"1{NNBSP}234{NNBSP}567 habitants"),
    ("12 km et 3 h", f"12{NNBSP}km et 3{NNBSP}h"),
    ("2 millions, 3 heures", "2 millions, 3 heures"),
    ("https://exemple.fr/a?b=1", "https://exemple.fr/a?b=1"),
    ("12:30 et 1,5", "12:30 et 1,5"),
    (f"déjà{NNBSP}?", f"déjà{NNBSP}?"),
])
def test_space_text_cases(text: str, expected: str) -> None:
    assert space_text(text) == expected


def test_code_attributes_comments_untouched() -> None:
    document = (
        '<p title="Pourquoi ? « a »">Pourquoi ? <code>x : int ?</code> fin !</p>\n'
        '<pre class="sortie">total : 42 %\n<span>a ?</span></pre>\n'
        '<!-- commentaire : ici ? -->\n'
        '<a href="https://exemple.fr/?q=a ;b">« lien »</a>\n'
        '<p>« <a href="x.html">titre</a> », fichier</p>'
    )
    assert french_spacing(document) == (
        f'<p title="Pourquoi ? « a »">Pourquoi{NNBSP}? <code>x : int ?</code> fin{NNBSP}!</p>\n'
        '<pre class="sortie">total : 42 %\n<span>a ?</span></pre>\n'
        '<!-- commentaire : ici ? -->\n'
        f'<a href="https://exemple.fr/?q=a ;b">«{NBSP}lien{NBSP}»</a>\n'
        f'<p>«{NBSP}<a href="x.html">titre</a>{NBSP}», fichier</p>'
    )


def test_built_pages_use_french_spaces(tmp_path: Path) -> None:
    notebooks, output = tmp_path / "notebooks", tmp_path / "site"
    write_notebook(notebooks, "typo", [
        markdown("## Pourquoi ?\n\nLa part est de 10 % : « stable », soit 3 Md€ ; voilà !\n\n"
                 "Le code `a : b ?` reste tel quel."),
        "print('sortie : 10 %')",
        show_contract_cell("part", "Barres : a 3, b 1 ?", "Part : 10 %", "groupe,part\na : b,10 %\n"),
    ], title="Qui vote quoi ?", summary="« Les groupes » : 10 % des votes.")
    report = build(notebooks, output)
    assert result(report, "typo").status == "built", report.results

    page = (output / "typo" / "index.html").read_text(encoding="utf-8")
    assert f"<h1>Qui vote quoi{NNBSP}?</h1>" in page
    assert f"<title>Qui vote quoi{NNBSP}? · Bureau ouvert</title>" in page
    assert f"Pourquoi{NNBSP}?</h2>" in page
    assert f"10{NNBSP}%{NBSP}: «{NBSP}stable{NBSP}», soit 3{NNBSP}Md€{NNBSP}; voilà{NNBSP}!" in page
    assert f'<p class="chapo">«{NBSP}Les groupes{NBSP}»{NBSP}: 10{NNBSP}% des votes.</p>' in page
    assert '<meta content="« Les groupes » : 10 % des votes." name="description"/>' in page
    assert "<code>a : b ?</code>" in page
    assert "<pre class=\"sortie\">sortie : 10 %\n</pre>" in page
    assert 'alt="Barres : a 3, b 1 ?"' in page
    assert f"<figcaption>Part{NBSP}: 10{NNBSP}%" in page

    wordpress = (output / "typo" / "wordpress.html").read_text(encoding="utf-8")
    assert f'<p class="chapo">«{NBSP}Les groupes{NBSP}»{NBSP}: 10{NNBSP}% des votes.</p>' in wordpress
    assert (output / "typo" / "donnees" / "part.csv").read_text(encoding="utf-8") == "groupe,part\na : b,10 %\n"

    index = (output / "index.html").read_text(encoding="utf-8")
    assert f">Qui vote quoi{NNBSP}?</a>" in index
    assert f"<p>«{NBSP}Les groupes{NBSP}»{NBSP}: 10{NNBSP}% des votes.</p>" in index
    feed = ET.fromstring((output / "feed.xml").read_bytes())
    atom = "{http://www.w3.org/2005/Atom}"
    entry = feed.find(f"{atom}entry")
    assert entry is not None
    assert entry.findtext(f"{atom}title") == f"Qui vote quoi{NNBSP}?"
    assert entry.findtext(f"{atom}summary") == f"«{NBSP}Les groupes{NBSP}»{NBSP}: 10{NNBSP}% des votes."
    assert entry.findtext(f"{atom}id") == "http://127.0.0.1:8000/typo/"
