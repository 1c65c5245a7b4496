"""Article metadata stored in each notebook under ``metadata.bureau_data``.

The fields are ``title``, ``date`` (YYYY-MM-DD), ``authors`` (list), ``summary``,
``tags`` (list), ``slug`` and ``draft``. ``read_metadata`` checks every field and
raises a French ``MetadataError`` naming the notebook and the field.
"""

from __future__ import annotations

import json
import re
from dataclasses import asdict, dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from bureau_data.errors import BuildError

SLUG_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
REQUIRED_FIELDS = ("title", "date", "authors", "summary", "tags", "slug", "draft")

# Texts of notebooks/_modele.ipynb and of ``bureau-data nouvel-article`` that an
# article must replace before it is published.
PLACEHOLDER_TITLES = frozenset({"Titre de l'article"})
PLACEHOLDER_SUMMARIES = frozenset({
    "Une ou deux phrases qui disent la question et la réponse.",
    "Résumé à écrire.",
})



class MetadataError(BuildError):
    """The ``metadata.bureau_data`` block of a notebook is missing or invalid.

    Examples
    --------
    >>> from pathlib import Path
    >>> read_metadata({"metadata": {}}, Path("notebooks/part-des-femmes.ipynb"))
    Traceback (most recent call last):
        ...
    bureau_data.publish.metadata.MetadataError: Le notebook notebooks/part-des-femmes.ipynb ...
    """


@dataclass(frozen=True)
class ArticleMeta:
    """Validated metadata of one article.

    Examples
    --------
    >>> import datetime as dt
    >>> meta = ArticleMeta(title="La part des femmes", date=dt.date(2026, 3, 8),
    ...                    authors=("Bureau ouvert",), summary="Depuis 1958.",
    ...                    slug="part-des-femmes")
    >>> ArticleMeta.from_dict(meta.to_dict()) == meta, meta.to_dict()["date"]
    (True, '2026-03-08')
    """

    title: str
    date: date
    authors: tuple[str, ...]
    summary: str
    slug: str
    draft: bool = False
    tags: tuple[str, ...] = field(default_factory=tuple)

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["date"] = self.date.isoformat()
        data["authors"] = list(self.authors)
        data["tags"] = list(self.tags)
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ArticleMeta:
        return cls(
            title=data["title"],
            date=date.fromisoformat(data["date"]),
            authors=tuple(data["authors"]),
            summary=data["summary"],
            slug=data["slug"],
            draft=bool(data["draft"]),
            tags=tuple(data["tags"]),
        )


def placeholder_warnings(meta: ArticleMeta) -> list[str]:
    """Return a French warning for each template text still in the article's metadata.

    Parameters
    ----------
    meta : ArticleMeta

    Returns
    -------
    list of str
        Empty when neither the title nor the summary is the template's.

    Examples
    --------
    >>> import datetime as dt
    >>> meta = ArticleMeta(title=sorted(PLACEHOLDER_TITLES)[0], date=dt.date(2026, 3, 8),
    ...                    authors=("Bureau ouvert",), summary="Depuis 1958.",
    ...                    slug="part-des-femmes")
    >>> len(placeholder_warnings(meta))
    1
    """
    warnings = []
    if meta.title in PLACEHOLDER_TITLES:
        warnings.append(f"le titre est encore celui du modèle (« {meta.title} ») : "
                        "remplacez metadata.bureau_data.title")
    if meta.summary in PLACEHOLDER_SUMMARIES:
        warnings.append(f"le résumé est encore celui du modèle (« {meta.summary} ») : "
                        "remplacez metadata.bureau_data.summary")
    return warnings


def _cell_ids_required(data: Any) -> bool:
    """Return whether a notebook's JSON is nbformat 4.5 or later, which requires cell ids."""
    if not isinstance(data, dict) or not isinstance(data.get("cells"), list):
        return False
    minor = data.get("nbformat_minor")
    return data.get("nbformat") == 4 and isinstance(minor, int) and minor >= 5


def read_notebook(path: Path) -> Any:
    """Read a notebook file as nbformat 4, giving cells without an id one in memory.

    Notebooks saved by older tools have cells without the ``id`` field that nbformat
    4.5 requires, and nbformat then prints an English ``MissingIDFieldWarning`` on
    every validation. The ids added here (``cellule-N``, N from 1) exist only in the
    returned copy: the file is never written.

    Parameters
    ----------
    path : Path
        The notebook file.

    Returns
    -------
    NotebookNode

    Raises
    ------
    OSError
        When the file cannot be read.
    ValueError
        When it is not JSON or not a notebook nbformat can read.

    Examples
    --------
    >>> import json, tempfile
    >>> path = Path(tempfile.mkdtemp()) / "ancien.ipynb"
    >>> cell = {"cell_type": "markdown", "metadata": {}, "source": "Texte"}
    >>> _ = path.write_text(json.dumps({"nbformat": 4, "nbformat_minor": 5, "metadata": {},
    ...                                 "cells": [cell]}), encoding="utf-8")
    >>> read_notebook(path).cells[0].id
    'cellule-1'
    >>> "id" in json.loads(path.read_text(encoding="utf-8"))["cells"][0]
    False
    """
    import nbformat

    data = json.loads(path.read_text(encoding="utf-8"))
    if _cell_ids_required(data):
        used = {cell.get("id") for cell in data["cells"] if isinstance(cell, dict)}
        for number, cell in enumerate(data["cells"], start=1):
            if isinstance(cell, dict) and not cell.get("id"):
                candidate = f"cellule-{number}"
                while candidate in used:
                    candidate += "-bis"
                cell["id"] = candidate
                used.add(candidate)
    return nbformat.reads(json.dumps(data), as_version=4)


def _fail(path: Path, field_name: str, problem: str) -> MetadataError:
    return MetadataError(
        f"Métadonnées invalides dans {path} : champ metadata.bureau_data.{field_name} {problem}. "
        "Corrigez-le dans le notebook (menu Édition > Métadonnées du notebook dans JupyterLab)."
    )


def _text(block: dict[str, Any], name: str, path: Path) -> str:
    value = block.get(name)
    if not isinstance(value, str) or not value.strip():
        raise _fail(path, name, f"doit être un texte non vide, trouvé {value!r}")
    return value.strip()


def _text_list(block: dict[str, Any], name: str, path: Path, *, allow_empty: bool) -> tuple[str, ...]:
    value = block.get(name)
    if not isinstance(value, list) or not all(isinstance(item, str) and item.strip() for item in value):
        raise _fail(path, name, f"doit être une liste de textes non vides, trouvé {value!r}")
    if not value and not allow_empty:
        raise _fail(path, name, "doit contenir au moins un élément, trouvé une liste vide")
    return tuple(item.strip() for item in value)


def read_metadata(notebook: dict[str, Any], path: Path) -> ArticleMeta:
    """Check and return the article metadata of a notebook.

    Parameters
    ----------
    notebook
        The notebook as read by ``nbformat`` (a dict-like node).
    path
        The notebook file, named in error messages.

    Returns
    -------
    ArticleMeta

    Raises
    ------
    MetadataError
        When the block is missing, a field is missing or has the wrong type, the date
        is not YYYY-MM-DD or does not exist, or the slug differs from the file name.

    Examples
    --------
    >>> from pathlib import Path
    >>> block = {"title": "La part des femmes", "date": "2026-03-08", "authors": ["Bureau ouvert"],
    ...          "summary": "Depuis 1958.", "slug": "part-des-femmes", "draft": False, "tags": []}
    >>> meta = read_metadata({"metadata": {"bureau_data": block}},
    ...                      Path("notebooks/part-des-femmes.ipynb"))
    >>> meta.date, meta.authors
    (datetime.date(2026, 3, 8), ('Bureau ouvert',))
    >>> read_metadata({"metadata": {"bureau_data": {**block, "date": "08/03/2026"}}},
    ...               Path("notebooks/part-des-femmes.ipynb"))
    Traceback (most recent call last):
        ...
    bureau_data.publish.metadata.MetadataError: Métadonnées invalides dans ...
    """
    block = notebook.get("metadata", {}).get("bureau_data")
    if not isinstance(block, dict):
        raise MetadataError(
            f"Le notebook {path} n'a pas de bloc metadata.bureau_data. Ajoutez-le avec les champs "
            f"{', '.join(REQUIRED_FIELDS)}, ou partez du modèle : bureau-data nouvel-article SLUG."
        )
    missing = [name for name in REQUIRED_FIELDS if name not in block]
    if missing:
        raise _fail(path, missing[0], f"est absent (champs manquants : {', '.join(missing)})")

    raw_date = block["date"]
    if not isinstance(raw_date, str) or not re.fullmatch(r"\d{4}-\d{2}-\d{2}", raw_date):
        raise _fail(path, "date", f"doit être une date AAAA-MM-JJ, trouvé {raw_date!r}")
    try:
        parsed_date = date.fromisoformat(raw_date)
    except ValueError:
        raise _fail(path, "date", f"désigne une date qui n'existe pas : {raw_date!r} (le format AAAA-MM-JJ "
                    "est bon, vérifiez le mois et le jour)") from None

    slug = _text(block, "slug", path)
    if not SLUG_PATTERN.fullmatch(slug):
        raise _fail(path, "slug", f"doit contenir des minuscules, chiffres et tirets, trouvé {slug!r}")
    if slug != path.stem:
        raise _fail(path, "slug", f"doit être égal au nom du fichier ({path.stem!r}), trouvé {slug!r}")

    draft = block["draft"]
    if not isinstance(draft, bool):
        raise _fail(path, "draft", f"doit valoir true ou false, trouvé {draft!r}")

    return ArticleMeta(
        title=_text(block, "title", path),
        date=parsed_date,
        authors=_text_list(block, "authors", path, allow_empty=False),
        summary=_text(block, "summary", path),
        slug=slug,
        draft=draft,
        tags=_text_list(block, "tags", path, allow_empty=True),
    )
