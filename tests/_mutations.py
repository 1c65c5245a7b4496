"""Real Assemblée nationale records and hypothesis strategies that mutate them.

The records are read at test time from ``../shared/data/assemblee`` (the official zips
and the loose samples); nothing is copied into the repository. A mutation changes one
value of one document at a path drawn at random, the way the AN's XML-to-JSON export
drifts between files and legislatures:

- ``objet_en_liste``: an object becomes a one-item list (an element that repeats);
- ``liste_en_objet``: a list becomes its first item (an element that occurs once);
- ``xsi_nil``: a value becomes an ``xsi:nil`` object;
- ``null``: a value becomes JSON ``null``;
- ``supprime``: a field is removed;
- ``nombre_en_texte``: a numeric string becomes a non-numeric string;
- ``texte_en_nombre``: a string becomes a JSON number;
- ``champ_inconnu``: an object gains a field no loader knows.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import orjson
from hypothesis import strategies as st

ASSEMBLEE = Path(__file__).resolve().parent.parent.parent / "shared" / "data" / "assemblee"

NIL = {"@xmlns:xsi": "http://www.w3.org/2001/XMLSchema-instance", "@xsi:nil": "true"}
UNKNOWN_FIELD = "champInconnuAjoute"
UNKNOWN_VALUES: tuple[Any, ...] = ("valeur inattendue", {"cle": "valeur"}, ["a", "b"], None)
NUMBERS: tuple[Any, ...] = (17, 2.5)
NON_NUMERIC = "inconnu"

# Operations that keep the content of the document: a loader must return the table of
# the unmutated document, or raise its documented error.
NEUTRAL_OPERATIONS = frozenset({"objet_en_liste", "champ_inconnu"})
# Operations that remove a value: a cell empty before must stay empty.
REMOVING_OPERATIONS = frozenset({"xsi_nil", "null", "supprime"})

_NUMERIC = re.compile(r"^-?\d+(\.\d+)?$")

Path_ = tuple[str | int, ...]
Document = tuple[str, Any]


# -- reading real records ------------------------------------------------------------


def zip_documents(relative: str, members: list[str] | None = None, *, start: int = 0,
                  step: int = 1, limit: int = 0) -> list[Document]:
    """Return ``(member name, parsed JSON)`` of chosen members of a zip under ``assemblee/``.

    ``members`` names them; otherwise every ``step``-th ``.json`` member in name order
    from ``start`` is taken, at most ``limit`` of them.
    """
    with zipfile.ZipFile(ASSEMBLEE / relative) as archive:
        if members is None:
            names = sorted(name for name in archive.namelist() if name.endswith(".json"))
            members = names[start::step][:limit]
        return [(name, orjson.loads(archive.read(name))) for name in members]


def file_documents(relative: str, pattern: str = "*.json") -> list[Document]:
    """Return ``(path relative to the folder, parsed JSON)`` of the files of a folder."""
    folder = ASSEMBLEE / relative
    return [
        (str(path.relative_to(folder)), orjson.loads(path.read_bytes()))
        for path in sorted(folder.rglob(pattern))
    ]


def copy(document: Any) -> Any:
    """Return a deep copy of a JSON value."""
    return orjson.loads(orjson.dumps(document))


# -- paths and mutations -------------------------------------------------------------


def format_path(path: Path_) -> str:
    """Return ``path`` as ``a.b[0].c``."""
    text = ""
    for key in path:
        text += f"[{key}]" if isinstance(key, int) else (f".{key}" if text else key)
    return text or "(racine)"


def iter_paths(value: Any, prefix: Path_ = ()) -> Iterator[Path_]:
    """Yield the path of every value inside ``value``, the root included.

    Only the first and last items of a list are walked: the voters of a scrutin or the
    mandates of a senator would otherwise make nearly every drawn path a list item.
    """
    yield prefix
    if isinstance(value, dict):
        for key, child in value.items():
            yield from iter_paths(child, (*prefix, key))
    elif isinstance(value, list) and value:
        for index in sorted({0, len(value) - 1}):
            yield from iter_paths(value[index], (*prefix, index))


def value_at(document: Any, path: Path_) -> Any:
    for key in path:
        document = document[key]
    return document


def operations(document: Any, path: Path_) -> list[str]:
    """Return the names of the operations that apply to the value at ``path``."""
    value = value_at(document, path)
    parent = value_at(document, path[:-1]) if path else None
    in_object = path == () or isinstance(parent, dict)
    names = []
    if isinstance(value, dict) and in_object:
        names.append("objet_en_liste")
    if isinstance(value, list) and value and in_object:
        names.append("liste_en_objet")
    if value is not None and value != NIL:
        names += ["xsi_nil", "null"]
    if isinstance(parent, dict):
        names.append("supprime")
    if isinstance(value, str) and _NUMERIC.match(value.strip()):
        names.append("nombre_en_texte")
    if isinstance(value, str):
        names.append("texte_en_nombre")
    if isinstance(value, dict):
        names.append("champ_inconnu")
    return names


@dataclass(frozen=True)
class Mutation:
    """One change applied to one document of a list of real documents."""

    index: int
    name: str
    path: Path_
    operation: str
    argument: Any = None

    def __repr__(self) -> str:
        argument = "" if self.argument is None else f" ({self.argument!r})"
        return f"{self.name} : {format_path(self.path)} → {self.operation}{argument}"

    @property
    def keys(self) -> set[str]:
        """Return the object keys on the mutated path."""
        return {key for key in self.path if isinstance(key, str)}

    def apply(self, document: Any) -> Any:
        """Return a mutated copy of ``document``."""
        document = copy(document)
        if not self.path:
            return self._changed(document)
        parent = value_at(document, self.path[:-1])
        key = self.path[-1]
        if self.operation == "supprime":
            del parent[key]
        else:
            parent[key] = self._changed(parent[key])
        return document

    def _changed(self, value: Any) -> Any:
        operation = self.operation
        if operation == "objet_en_liste":
            return [value]
        if operation == "liste_en_objet":
            return value[0]
        if operation == "xsi_nil":
            return dict(NIL)
        if operation == "null":
            return None
        if operation == "nombre_en_texte":
            return NON_NUMERIC
        if operation == "texte_en_nombre":
            return self.argument
        if operation == "champ_inconnu":
            return {**value, UNKNOWN_FIELD: self.argument}
        raise ValueError(f"unknown operation {operation!r}")


@lru_cache(maxsize=256)
def _paths_of(documents_id: int, index: int) -> tuple[Path_, ...]:
    document = _REGISTRY[documents_id][index][1]
    return tuple(path for path in iter_paths(document) if operations(document, path))


# Documents by ``id()``, so that their paths are computed once per list.
_REGISTRY: dict[int, list[Document]] = {}


@st.composite
def mutations(draw: st.DrawFn, documents: list[Document]) -> Mutation:
    """Draw one mutation of one of ``documents``."""
    _REGISTRY[id(documents)] = documents
    index = draw(st.integers(min_value=0, max_value=len(documents) - 1))
    name, document = documents[index]
    path = draw(st.sampled_from(_paths_of(id(documents), index)))
    operation = draw(st.sampled_from(operations(document, path)))
    argument = None
    if operation == "texte_en_nombre":
        argument = draw(st.sampled_from(NUMBERS))
    elif operation == "champ_inconnu":
        argument = draw(st.sampled_from(UNKNOWN_VALUES))
    return Mutation(index, name, path, operation, argument)
