"""Normalise the JSON of the Assemblée nationale open data (XML turned into JSON).

The AN files come from XML, so: an element that occurs once is an object where a list is
expected; a missing value may be JSON ``null`` or an ``xsi:nil`` object; an identifier may
be wrapped as ``{"@xsi:type": ..., "#text": "PA1008"}``; every number is a string. The
helpers here turn those shapes into plain Python values in one place, so loaders never
meet a ``dict`` where they expect a string.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bureau_data.errors import SchemaError

NIL_KEY = "@xsi:nil"
_MISSING = object()


def is_nil(value: Any) -> bool:
    """Return True for ``None`` and for an ``xsi:nil`` object."""
    if value is None:
        return True
    return isinstance(value, Mapping) and str(value.get(NIL_KEY, "")).lower() == "true"


def scalar(value: Any) -> Any:
    """Return ``value`` as a plain scalar: ``None`` for nil, the text of a ``#text`` wrapper.

    Objects made only of XML attributes (keys starting with ``@``) count as empty.
    Other objects and lists are returned unchanged.
    """
    if is_nil(value):
        return None
    if isinstance(value, Mapping):
        if "#text" in value:
            return value["#text"]
        if all(str(key).startswith("@") for key in value):
            return None
    return value


def as_list(value: Any) -> list[Any]:
    """Return ``value`` as a list: ``[]`` for nil, ``[value]`` for a lone object, nils removed."""
    if is_nil(value):
        return []
    items = value if isinstance(value, list) else [value]
    return [item for item in items if not is_nil(item)]


def get(record: Any, path: str, default: Any = None) -> Any:
    """Return the value at a dotted ``path`` inside ``record``, or ``default``.

    A nil anywhere on the path gives ``default``. The value is passed through ``scalar``.
    """
    current = record
    for key in path.split("."):
        if is_nil(current) or not isinstance(current, Mapping):
            return default
        current = current.get(key, _MISSING)
        if current is _MISSING:
            return default
    value = scalar(current)
    return default if value is None else value


def require(record: Any, path: str, *, file: str) -> Any:
    """Return the value at ``path``, raising ``SchemaError`` when it is missing or nil.

    The error names the file, the field path and what was found instead.
    """
    current = record
    walked: list[str] = []
    for key in path.split("."):
        walked.append(key)
        if not isinstance(current, Mapping):
            found = type(current).__name__ if current is not None else "null"
            raise SchemaError(
                f"{file} : le champ {'.'.join(walked)} est introuvable, car "
                f"{'.'.join(walked[:-1]) or 'la racine'} est de type {found} au lieu d'un objet.",
                path=file, field=path, found=found,
            )
        if key not in current:
            raise SchemaError(
                f"{file} : champ obligatoire manquant {'.'.join(walked)}. "
                f"Champs présents : {', '.join(sorted(map(str, current))) or 'aucun'}.",
                path=file, field=path, found="absent",
            )
        current = current[key]
    value = scalar(current)
    if value is None:
        raise SchemaError(
            f"{file} : le champ obligatoire {path} est vide (null ou xsi:nil).",
            path=file, field=path, found="null",
        )
    return value


def to_bool(value: Any) -> bool | None:
    """Return the boolean of an AN string flag ("true"/"false"), ``None`` when empty."""
    value = scalar(value)
    if value is None:
        return None
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in {"true", "1", "oui"}:
        return True
    if text in {"false", "0", "non"}:
        return False
    raise ValueError(f"valeur booléenne inattendue : {value!r}")


def to_int(value: Any) -> int | None:
    """Return the integer of an AN numeric string, ``None`` when empty."""
    value = scalar(value)
    if value is None or value == "":
        return None
    return int(str(value).strip())
