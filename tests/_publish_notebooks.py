"""Tiny article notebooks written by the build tests, and a helper to build them."""

from __future__ import annotations

import base64
import io
from pathlib import Path
from typing import Any

import nbformat

from bureau_data.publish.build import BuildOptions, BuildReport, build_site


def write_notebook(folder: Path, slug: str, cells: list[Any], *, title: str | None = None,
                   date: str = "2024-03-01", draft: bool = False, summary: str = "Un résumé court.",
                   kernelspec: dict[str, str] | None = None, **meta: Any) -> Path:
    """Write ``folder/slug.ipynb`` with article metadata; strings become code cells."""
    nb = nbformat.v4.new_notebook()
    nb.metadata["bureau_data"] = {
        "title": title or f"Article {slug}", "date": date, "authors": ["Camille Test"],
        "summary": summary, "tags": ["essai"], "slug": slug, "draft": draft, **meta,
    }
    if kernelspec is not None:
        nb.metadata["kernelspec"] = kernelspec
    nb.cells = [nbformat.v4.new_code_cell(cell) if isinstance(cell, str) else cell for cell in cells]
    for index, cell in enumerate(nb.cells):
        cell.id = f"cellule-{index}"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{slug}.ipynb"
    nbformat.write(nb, path)
    return path


def markdown(source: str, *tags: str) -> Any:
    cell = nbformat.v4.new_markdown_cell(source)
    if tags:
        cell.metadata["tags"] = list(tags)
    return cell


def code(source: str, *tags: str) -> Any:
    cell = nbformat.v4.new_code_cell(source)
    if tags:
        cell.metadata["tags"] = list(tags)
    return cell


def show_contract_cell(name: str, alt: str, caption: str, csv: str | None) -> str:
    """Return code emitting one output shaped like ``bureau_data.plot.show``."""
    return (
        "import io, base64\n"
        "import matplotlib\n"
        "import matplotlib.pyplot as plt\n"
        "from IPython.display import display\n"
        "fig, ax = plt.subplots(figsize=(4, 3), dpi=100)\n"
        "ax.bar(['a', 'b', 'c'], [3, 1, 2])\n"
        "buffer = io.BytesIO()\n"
        "fig.savefig(buffer, format='png', metadata={'Software': None})\n"
        "plt.close(fig)\n"
        f"meta = {{'bureau_data': {{'alt': {alt!r}, 'caption': {caption!r}, 'title': 'Titre du graphique', "
        f"'source': 'Source : essai', 'name': {name!r}, 'csv': {csv!r}}}}}\n"
        f"display({{'image/png': base64.b64encode(buffer.getvalue()).decode('ascii'), 'text/plain': {alt!r}}}, "
        "raw=True, metadata=meta)\n"
    )


def tiny_png() -> str:
    """Return a valid 1×1 PNG, base64-encoded."""
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (1, 1), (200, 30, 30)).save(buffer, format="PNG")
    return base64.b64encode(buffer.getvalue()).decode("ascii")


def build(notebooks: Path, output: Path, **options: Any) -> BuildReport:
    options.setdefault("cell_timeout", 60)
    return build_site(BuildOptions(notebooks_dir=notebooks, output_dir=output, **options))


def result(report: BuildReport, slug: str) -> Any:
    matches = [r for r in report.results if r.slug == slug]
    if len(matches) != 1:
        raise LookupError(f"{slug!r} absent du rapport : {[r.slug for r in report.results]}")
    return matches[0]


def snapshot(folder: Path) -> dict[str, bytes]:
    """Return every file of the site, hidden ones included, with its bytes."""
    return {str(path.relative_to(folder)): path.read_bytes() for path in sorted(folder.rglob("*")) if path.is_file()}
