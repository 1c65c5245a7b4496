"""Helpers shared by the amendement, question and dossier loaders.

Field lookups that accept several spellings of a field, conversion of AN values to
plain strings (never a dict in a cell), date parsing for the formats the AN has used,
and reading the JSON documents of a zip, a folder or a single file.
"""

from __future__ import annotations

import logging
import unicodedata
import warnings
from collections.abc import Iterable, Iterator, Mapping, Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import orjson
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from bureau_data import _json
from bureau_data.archive import iter_members
from bureau_data.errors import BureauDataError, DataWarning, SchemaError
from bureau_data.fetch import damaged_file_advice

logger = logging.getLogger(__name__)

PARIS = "Europe/Paris"


def warn(message: str) -> None:
    """Emit ``message`` as a ``DataWarning`` and log it at WARNING level."""
    logger.warning(message)
    warnings.warn(message, DataWarning, stacklevel=3)


def lookup(record: Any, paths: Sequence[str]) -> tuple[bool, Any]:
    """Return ``(found, value)`` for the first of ``paths`` present in ``record``.

    A path is present when every key on it exists. A nil (``null`` or ``xsi:nil``)
    met on the way counts as present and gives ``None``: the source says the value
    is empty. A one-item list on the way is walked into, as the element it stands
    for. ``found`` is False only when no spelling of the field exists at all.
    """
    path, value = find(record, paths)
    return path is not None, value


_MISSING = object()
_PATH_KEYS: dict[str, tuple[str, ...]] = {}


def find(record: Any, paths: Sequence[str]) -> tuple[str | None, Any]:
    """Return ``(path, value)`` like ``lookup``, with the spelling found (None if none)."""
    # This runs for every field of every record. It splits each path only once, and
    # walks plain dicts (what orjson builds) with dict.get; any other container on the
    # way (a list, an xsi:nil object, another Mapping) makes it walk again with _walk.
    for path in paths:
        keys = _PATH_KEYS.get(path)
        if keys is None:
            keys = _PATH_KEYS[path] = tuple(path.split("."))
        current = record
        for key in keys:
            if type(current) is not dict or _json.NIL_KEY in current:
                current = _walk(record, keys)
                break
            current = current.get(key, _MISSING)
            if current is _MISSING:
                break
        if current is not _MISSING:
            return path, current if type(current) is str else _json.scalar(current)
    return None, None


def _walk(record: Any, keys: Sequence[str]) -> Any:
    """Return the value at ``keys`` inside ``record``, ``None`` for a nil on the way, or _MISSING."""
    current = record
    for key in keys:
        if isinstance(current, list) and len(current) == 1:
            current = current[0]
        if _json.is_nil(current):
            return None
        if not isinstance(current, Mapping) or key not in current:
            return _MISSING
        current = current[key]
    return current


def as_text(value: Any, problems: list[str] | None = None, label: str = "") -> str | None:
    """Return ``value`` as a stripped string, or ``None`` for nil, empty or a nested object.

    A nested object or list where a string is expected is recorded in ``problems``.
    """
    if type(value) is not str:
        value = _json.scalar(value)
    if value is None:
        return None
    if isinstance(value, str):
        value = value.strip()
        return value or None
    if isinstance(value, bool | int | float):
        return str(value)
    if problems is not None:
        problems.append(label)
    return None


@lru_cache(maxsize=4096)
def normalise_label(value: str) -> str:
    """Return ``value`` in NFC form, case-folded, with single spaces: a matching key."""
    # Cached: loaders normalise the same few labels (sorts, author types) on every row.
    return " ".join(unicodedata.normalize("NFC", value).casefold().split())


def ref_list(value: Any) -> list[str]:
    """Return the identifiers of a value that is nil, one string or a list of strings."""
    if type(value) is list:
        stripped = [item.strip() for item in value if type(item) is str]
        if len(stripped) == len(value):
            return [item for item in stripped if item]
    refs = []
    for item in _json.as_list(value):
        text = as_text(item)
        if text is not None:
            refs.append(text)
    return refs


# Arrow's regular expressions (RE2) read \d as ASCII digits only. \p{Nd} is every
# decimal digit, like \d in Python's re, and pandas parses dates in any of them.
_DATE_ONLY = r"\p{Nd}{4}-\p{Nd}{2}-\p{Nd}{2}"
_DATE_WITH_OFFSET = r"\p{Nd}{4}-\p{Nd}{2}-\p{Nd}{2}(?:Z|[+-]\p{Nd}{2}:\p{Nd}{2})"
_FRENCH_DATE = r"\p{Nd}{2}/\p{Nd}{2}/\p{Nd}{4}"


def parse_dates(values: Sequence[str | None], field: str, *, tz: str | None = PARIS) -> pd.Series:
    """Parse AN dates into a datetime Series, in ``tz`` (or naive calendar dates if None).

    Accepted forms: ``2025-03-20``, ``2025-03-20+01:00`` (a date with its offset),
    ``2025-09-09T18:23:59+02:00`` (a time with its offset, converted to ``tz``) and
    ``29/05/2019`` (day first, as in the XVth legislature questions). A date alone is
    midnight in ``tz``. Other values become NaT, with one warning giving their count.
    """
    # Each form is matched over the whole column at once, by Arrow's regular
    # expressions, rather than value by value in Python.
    texts = [(v.strip() or None) if isinstance(v, str) else None for v in values]
    array = pa.array(texts, type=pa.string())
    text = pd.Series(texts, dtype="object")
    dtype = f"datetime64[ns, {tz}]" if tz else "datetime64[ns]"
    result = pd.Series(pd.NaT, index=text.index, dtype=dtype)

    def _mask(pattern: str) -> np.ndarray:
        matched = pc.match_substring_regex(array, f"^{pattern}$").fill_null(False)
        return matched.to_numpy(zero_copy_only=False)

    day, day_offset, french = _mask(_DATE_ONLY), _mask(_DATE_WITH_OFFSET), _mask(_FRENCH_DATE)
    stamp = text.notna().to_numpy() & ~day & ~day_offset & ~french

    def _local(parsed: pd.Series) -> pd.Series:
        parsed = parsed.astype("datetime64[ns]")
        return parsed.dt.tz_localize(tz) if tz else parsed

    if day.any():
        result[day] = _local(pd.to_datetime(text[day], format="%Y-%m-%d", errors="coerce"))
    if day_offset.any():
        dates = text[day_offset].str[:10]
        result[day_offset] = _local(pd.to_datetime(dates, format="%Y-%m-%d", errors="coerce"))
    if french.any():
        result[french] = _local(pd.to_datetime(text[french], format="%d/%m/%Y", errors="coerce"))
    if stamp.any():
        parsed = pd.to_datetime(text[stamp], format="ISO8601", utc=True, errors="coerce")
        parsed = parsed.dt.tz_convert(tz) if tz else parsed.dt.tz_convert(PARIS).dt.tz_localize(None)
        result[stamp] = parsed.astype(dtype)

    bad = text.notna() & result.isna()
    if bad.any():
        examples = ", ".join(repr(v) for v in text[bad].unique()[:3])
        warn(f"{int(bad.sum())} date(s) illisible(s) dans le champ {field} (par exemple {examples}) : "
             "laissées vides (NaT). Formats reconnus : AAAA-MM-JJ, JJ/MM/AAAA, ISO 8601 avec heure.")
    return result


def invalid_json_advice(container: Path | None) -> str:
    """Return what to do about a JSON document that does not parse, as French sentences.

    ``container`` is the zip archive or the file the document was read from (None when
    unknown). A zip member has already passed the archive's CRC check when it is parsed,
    so its bytes are the published ones and downloading the archive again would not help.

    Examples
    --------
    >>> print(invalid_json_advice(Path("Scrutins.json.zip")))
    L'archive Scrutins.json.zip a passé son contrôle d'intégrité (CRC) : ce fichier est mal formé tel qu'il a été publié, et le télécharger de nouveau n'y changera rien. Signalez-le à l'éditeur des données ou utilisez une autre édition de l'archive.
    """
    if container is None:
        return "Vérifiez que le fichier est complet et bien formé."
    if container.suffix.lower() == ".zip":
        return (
            f"L'archive {container.name} a passé son contrôle d'intégrité (CRC) : ce fichier est mal "
            "formé tel qu'il a été publié, et le télécharger de nouveau n'y changera rien. Signalez-le "
            "à l'éditeur des données ou utilisez une autre édition de l'archive."
        )
    return f"Le fichier est peut-être tronqué. {damaged_file_advice(container)}".strip()


def _parse_json(data: bytes, source: str, container: Path | None = None) -> Any:
    try:
        return orjson.loads(data)
    except orjson.JSONDecodeError as exc:
        raise SchemaError(
            f"{source} : JSON invalide ({exc}). {invalid_json_advice(container)}",
            path=source, found="JSON invalide",
        ) from exc


def iter_documents(path: Path, pattern: str = "*.json") -> Iterator[tuple[str, Any]]:
    """Yield ``(source name, parsed JSON)`` for each JSON document of a zip, folder or file.

    Zip members and folder files are read in name order. ``pattern`` selects the
    zip members or folder files (``fnmatch`` syntax, ``*`` crossing folders in zips).
    """
    path = Path(path)
    if path.is_dir():
        for file in sorted(path.rglob(pattern)):
            if file.is_file():
                yield str(file.relative_to(path)), _parse_json(file.read_bytes(), str(file), file)
    elif path.suffix.lower() == ".zip":
        for name, data in iter_members(path, pattern):
            yield name, _parse_json(data, f"{path}:{name}", path)
    elif path.is_file():
        yield path.name, _parse_json(path.read_bytes(), str(path), path)
    else:
        raise BureauDataError(
            f"Chemin introuvable : {path}. Indiquez une archive .zip, un dossier ou un fichier .json."
        )


def empty_frame(dtypes: Mapping[str, Any], index: str | None = None) -> pd.DataFrame:
    """Return an empty DataFrame with the declared columns and dtypes."""
    df = pd.DataFrame({name: pd.Series(dtype=dtype) for name, dtype in dtypes.items()})
    return df.set_index(index) if index else df


def frame_from_columns(columns: Mapping[str, Any], dtypes: Mapping[str, Any],
                       converters: Iterable[str] = ()) -> pd.DataFrame:
    """Build one DataFrame from column lists, casting each column to its declared dtype.

    Columns listed in ``converters`` are already Series of the right dtype.
    """
    skip = set(converters)
    data = {}
    for name, dtype in dtypes.items():
        values = columns[name]
        if name in skip:
            data[name] = values
        elif isinstance(dtype, str) and dtype == "object":
            data[name] = pd.Series(values, dtype="object")
        else:
            data[name] = pd.Series(pd.array(values, dtype=dtype))
    return pd.DataFrame(data)
