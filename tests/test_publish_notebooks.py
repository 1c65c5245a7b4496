"""The article notebooks of the repository: committed without outputs, with valid metadata."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest

from bureau_data.publish.metadata import read_metadata

NOTEBOOKS_DIR = Path(__file__).resolve().parent.parent / "notebooks"
NOTEBOOKS = sorted(NOTEBOOKS_DIR.glob("*.ipynb"))


def test_template_notebook_present() -> None:
    assert (NOTEBOOKS_DIR / "_modele.ipynb").is_file()


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_notebook_committed_without_outputs(path: Path) -> None:
    nb = nbformat.read(path, as_version=4)
    with_outputs = [i for i, cell in enumerate(nb.cells) if cell.cell_type == "code" and cell.outputs]
    with_counts = [i for i, cell in enumerate(nb.cells) if cell.cell_type == "code" and cell.execution_count]
    assert with_outputs == [], (
        f"{path.name} : cellules avec sorties {with_outputs}. Videz-les avant de committer "
        "(JupyterLab : Édition > Effacer les sorties de toutes les cellules)."
    )
    assert with_counts == [], f"{path.name} : compteurs d'exécution dans les cellules {with_counts}."


ARTICLES = [p for p in NOTEBOOKS if not p.name.startswith("_")]


@pytest.mark.parametrize("path", ARTICLES, ids=[p.name for p in ARTICLES])
def test_article_metadata_valid(path: Path) -> None:
    meta = read_metadata(nbformat.read(path, as_version=4), path)
    assert meta.slug == path.stem
