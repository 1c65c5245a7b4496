"""Normalise the JSON of the Assemblée nationale open data (XML turned into JSON).

The AN files come from XML, so: an element that occurs once is an object where a list is
expected; a missing value may be JSON ``null`` or an ``xsi:nil`` object; an identifier may
be wrapped as ``{"@xsi:type": ..., "#text": "PA1008"}``; every number is a string. The
reverse also happens: an element that may occur once comes as a one-item list. The
helpers here turn those shapes into plain Python values in one place, so loaders never
meet a ``dict`` where they expect a string.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bureau_data.errors import SchemaError

NIL_KEY = "@xsi:nil"
_MISSING = object()


# The helpers below run millions of times per archive. orjson only builds ``dict``, so each
# check tests ``type(value) is dict`` (or ``str``) first and falls back on the slower
# ``Mapping`` ABC check only for other types: the results are the same for any input.


def is_utf8(data: bytes) -> bool:
    """Return whether ``data`` is valid UTF-8, as a JSON document must be.

    The typed msgspec decoders skip the fields they do not read without checking their
    bytes. A member that fails this check therefore takes the general path, which rejects
    it with a French error. ASCII data, the usual case, is checked in C
    without decoding.

    Examples
    --------
    >>> is_utf8(b'{"a": "caf\\xc3\\xa9"}')
    True
    >>> is_utf8(b'{"a": "\\xff"}')
    False
    """
    if data.isascii():
        return True
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _is_mapping(value: Any) -> bool:
    return type(value) is dict or isinstance(value, Mapping)


def is_nil(value: Any) -> bool:
    """Return True for ``None`` and for an ``xsi:nil`` object."""
    if value is None:
        return True
    if type(value) is dict:
        return NIL_KEY in value and str(value[NIL_KEY]).lower() == "true"
    if type(value) is str:
        return False
    return isinstance(value, Mapping) and str(value.get(NIL_KEY, "")).lower() == "true"


def _single(value: Any) -> Any:
    """Return the item of a one-item list (an element that occurs once), else ``value``."""
    if isinstance(value, list) and len(value) == 1:
        return value[0]
    return value


def scalar(value: Any) -> Any:
    """Return ``value`` as a plain scalar: ``None`` for nil, the text of a ``#text`` wrapper.

    A one-item list is read as its item. Objects made only of XML attributes (keys
    starting with ``@``) count as empty. Other objects and lists are returned unchanged.
    """
    if type(value) is str:
        return value
    value = _single(value)
    if is_nil(value):
        return None
    if _is_mapping(value):
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

    A nil anywhere on the path gives ``default``, and a one-item list on the path is
    walked into. The value is passed through ``scalar``.
    """
    current = record
    for key in path.split("."):
        current = _single(current)
        if is_nil(current) or not _is_mapping(current):
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
        current = _single(current)
        if not _is_mapping(current):
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


def _invalid(value: Any, expected: str, file: str | None, field: str | None) -> SchemaError:
    where = f"{file} : le champ {field or '(sans nom)'}" if file else f"Le champ {field or '(sans nom)'}"
    found = f"{value!r:.120}"
    return SchemaError(
        f"{where} contient {found} au lieu {expected}. Vérifiez que le fichier est un export "
        "de l'Assemblée nationale au format attendu.",
        path=file, field=field, found=found,
    )


def to_bool(value: Any, *, file: str | None = None, field: str | None = None) -> bool | None:
    """Return the boolean of an AN string flag ("true"/"false"), ``None`` when empty.

    Any other value raises ``SchemaError`` naming ``file`` and ``field``.
    """
    value = scalar(value)
    if value is None:
        return None
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower() if isinstance(value, str | int) else None
    if text in {"true", "1", "oui"}:
        return True
    if text in {"false", "0", "non"}:
        return False
    raise _invalid(value, "d'un booléen (true ou false)", file, field)


def to_int(value: Any, *, file: str | None = None, field: str | None = None) -> int | None:
    """Return the integer of an AN numeric string, ``None`` when empty.

    Any other value (text, decimal number, object) raises ``SchemaError`` naming ``file``
    and ``field``.
    """
    value = scalar(value)
    if value is None or value == "":
        return None
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise _invalid(value, "d'un nombre entier", file, field)
    try:
        return int(str(value).strip())
    except ValueError:
        raise _invalid(value, "d'un nombre entier", file, field) from None
