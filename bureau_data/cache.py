"""The parsed-data cache: a loader's tidy tables stored as Arrow IPC files.

Tables are keyed by a name, the parser's version and the sha256 of every raw file they
were built from, so a new raw file or a new parser version builds them again. An entry
is the folder ``<cache>/parsed/<name>-<key>/`` holding one uncompressed Arrow IPC file
(Feather v2) per table and ``tables.json``, which stores each table's dtypes, ``attrs``,
size and CRC-32, behind the SHA-256 of that content.

Arrow IPC rather than Parquet: the tables are written and read whole, by the same
library, so Parquet's encoding and compression only cost CPU time. For the four tables
of the 17th legislature's scrutins (649,410 vote positions), measured with pyarrow 26
on a 2-core machine, the write takes 0.03 s of CPU time instead of 0.08 s and the file
reads 0.006 s instead of 0.046 s, for 14 MB of files instead of 5.7 MB.

Guarantees:

- an entry is written in a temporary folder and renamed into place, so a reader sees a
  complete entry or none;
- a lock file per entry makes concurrent processes build it once;
- a damaged entry (missing or unreadable file, wrong size or CRC-32, wrong row count,
  a ``tables.json`` whose SHA-256 or field types do not match, a file or symbolic link
  in place of the folder) is logged, deleted and built again, never trusted;
- the temporary folders of an interrupted write are deleted by the next load of that
  entry, which holds its lock, or by ``clear_tables``;
- dtypes come back exactly: ordered categoricals (with unused and non-string
  categories, even in an empty table), ``datetime64[s]``, nullable integers, ``str``;
- ``attrs`` come back from JSON. Tuples come back as lists, and timestamps, dates and
  numpy scalars are restored. Tables whose ``attrs`` cannot be stored are returned
  without being cached, with a warning.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import errno
import hashlib
import json
import logging
import os
import re
import shutil
import tempfile
import zlib
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import filelock
import numpy as np
import pandas as pd
import pyarrow as pa

from bureau_data.config import ENV_CACHE_DIR, get_settings
from bureau_data.errors import CacheWriteError
from bureau_data.provenance import ProvenanceRecord, attach

logger = logging.getLogger(__name__)

# Layout of an entry. A change makes every older entry a cache miss. Format 1 stored
# Parquet files, format 2 Arrow IPC files, and format 3 adds the SHA-256 of tables.json.
FORMAT_VERSION = 3
_UNSAFE_NAME_CHARS = re.compile(r"[^A-Za-z0-9._-]")


class _DamagedEntry(Exception):
    """A cache entry that cannot be read back exactly."""


def cache_key(name: str, version: str, sources: Sequence[ProvenanceRecord], extra: str = "") -> str:
    """Return the key of a parsed table built from ``sources`` by parser ``version``.

    Parameters
    ----------
    name, version, sources, extra
        As for ``cached_tables``.

    Returns
    -------
    str
        32 hex digits. The order of ``sources`` does not change it.

    Examples
    --------
    >>> from bureau_data.fetch import fetch
    >>> from bureau_data.foret import DATASET
    >>> record = fetch(DATASET).record
    >>> key = cache_key("foret", "1", [record])
    >>> len(key), key == cache_key("foret", "2", [record])
    (32, False)
    """
    digest = hashlib.sha256()
    parts = [str(FORMAT_VERSION), name, version, extra]
    parts += sorted(f"{record.dataset}:{record.sha256}" for record in sources)
    for part in parts:
        digest.update(part.encode("utf-8"))
        digest.update(b"\0")
    return digest.hexdigest()[:32]


def parsed_dir() -> Path:
    """Return the folder of the parsed-table cache.

    Returns
    -------
    pathlib.Path
        ``<cache>/parsed``, which may not exist yet.

    Examples
    --------
    >>> parsed_dir().relative_to(get_settings().cache_dir).as_posix()
    'parsed'
    """
    return get_settings().cache_dir / "parsed"


# --- JSON encoding of attrs and categories ---------------------------------------------


def _to_json(value: Any) -> Any:
    """Convert ``value`` to plain JSON, tagging timestamps; raise TypeError otherwise."""
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if isinstance(value, float) and not np.isfinite(value):
            return {"__float__": repr(value)}
        return value
    if isinstance(value, np.generic):
        return _to_json(value.item())
    if isinstance(value, pd.Timestamp):
        return {"__timestamp__": value.isoformat()}
    if isinstance(value, dt.datetime):
        return {"__datetime__": value.isoformat()}
    if isinstance(value, dt.date):
        return {"__date__": value.isoformat()}
    if isinstance(value, (list, tuple)):
        return [_to_json(item) for item in value]
    if isinstance(value, dict):
        if not all(isinstance(key, str) for key in value):
            raise TypeError(f"clés non textuelles dans {value!r:.80}")
        return {key: _to_json(item) for key, item in value.items()}
    raise TypeError(f"valeur de type {type(value).__name__} non enregistrable en JSON")


def _from_json(value: Any) -> Any:
    if isinstance(value, list):
        return [_from_json(item) for item in value]
    if isinstance(value, dict):
        if len(value) == 1:
            (tag, text), = value.items()
            if tag == "__timestamp__":
                return pd.Timestamp(text)
            if tag == "__datetime__":
                return dt.datetime.fromisoformat(text)
            if tag == "__date__":
                return dt.date.fromisoformat(text)
            if tag == "__float__":
                return float(text)
        return {key: _from_json(item) for key, item in value.items()}
    return value


# --- dtypes --------------------------------------------------------------------------


def _dtype_spec(dtype: Any) -> dict[str, Any]:
    if isinstance(dtype, pd.CategoricalDtype):
        return {
            "dtype": "category",
            "ordered": bool(dtype.ordered),
            "categories": _to_json(dtype.categories.tolist()),
            "categories_dtype": str(dtype.categories.dtype),
        }
    return {"dtype": str(dtype)}


def _restore(values: pd.Series | pd.Index, spec: dict[str, Any]) -> pd.Series | pd.Index:
    """Return ``values`` converted back to the dtype described by ``spec``."""
    if spec["dtype"] == "category":
        categories = pd.Index(_from_json(spec["categories"]))
        if str(categories.dtype) != spec["categories_dtype"]:
            categories = categories.astype(spec["categories_dtype"])
        wanted = pd.CategoricalDtype(categories, ordered=spec["ordered"])
        if values.dtype == wanted:
            return values
        if isinstance(values.dtype, pd.CategoricalDtype):
            values = values.astype(object)
        restored = pd.Categorical(values, dtype=wanted)
        if isinstance(values, pd.Index):
            return pd.CategoricalIndex(restored, name=values.name)
        return pd.Series(restored, index=values.index, name=values.name)
    if str(values.dtype) != spec["dtype"]:
        return values.astype(spec["dtype"])
    return values


def _dtype_matches(dtype: Any, spec: dict[str, Any]) -> bool:
    """Tell whether ``dtype`` already is the dtype described by ``spec``, without converting.

    Categories are compared as Python lists with the JSON list, which only matches when
    they contain no tagged value (timestamp, date, infinite float). Those fall back to
    ``_restore``. The categories' dtype is compared too, because ``[1, 2] == [1.0, 2.0]``.
    """
    if spec["dtype"] != "category":
        return str(dtype) == spec["dtype"]
    return (isinstance(dtype, pd.CategoricalDtype)
            and bool(dtype.ordered) == spec["ordered"]
            and str(dtype.categories.dtype) == spec["categories_dtype"]
            and dtype.categories.tolist() == spec["categories"])


def _restore_frame(df: pd.DataFrame, meta: dict[str, Any]) -> pd.DataFrame:
    specs = meta["columns"]
    if len(specs) != df.shape[1]:
        raise _DamagedEntry(f"{meta['file']} contient {df.shape[1]} colonnes au lieu de "
                            f"{len(specs)} selon tables.json")
    if len(meta["index"]) != df.index.nlevels:
        raise _DamagedEntry(f"{meta['file']} a un index à {df.index.nlevels} niveau(x) au lieu "
                            f"de {len(meta['index'])} selon tables.json")
    # Most columns come back from Arrow with their dtype, so only the others are touched:
    # building a Series for every column costs more than the check.
    for position, (dtype, spec) in enumerate(zip(df.dtypes.tolist(), specs, strict=True)):
        if not _dtype_matches(dtype, spec):
            df.isetitem(position, _restore(df.iloc[:, position], spec).array)
    index_specs = meta["index"]
    if isinstance(df.index, pd.MultiIndex):
        levels = [_restore(df.index.get_level_values(i), spec) for i, spec in enumerate(index_specs)]
        df.index = pd.MultiIndex.from_arrays(levels, names=df.index.names)
    elif index_specs and not _dtype_matches(df.index.dtype, index_specs[0]):
        df.index = _restore(df.index, index_specs[0])
    return df


# --- reading and writing entries ---------------------------------------------------------

# tables.json starts with this header, then the SHA-256 of the entry document, then the
# document itself. The digest covers the document's exact bytes, so any edit to a category,
# dtype, attrs value, table name or size is detected before anything is trusted.
_HEADER = f'{{"format": {FORMAT_VERSION}, "sha256": "'.encode()
_SEPARATOR = b'", "entry": '
_DIGEST_LENGTH = 64
# Every error that malformed content can raise while it is parsed or restored. The content
# is checked by SHA-256 first, so these only come from a damaged file with a matching digest
# or from a bug, and are reported as damage either way.
_CONTENT_ERRORS = (ValueError, KeyError, TypeError, AttributeError, IndexError,
                   RecursionError, OverflowError, pa.ArrowException)


def _encode_meta(meta: dict[str, Any]) -> bytes:
    body = json.dumps(meta, ensure_ascii=False, sort_keys=True).encode("utf-8")
    digest = hashlib.sha256(body).hexdigest().encode("ascii")
    return _HEADER + digest + _SEPARATOR + body + b"}"


def _stored_format(raw: bytes) -> object:
    """Return the ``format`` value of a tables.json that lacks the current header, or None."""
    try:
        document = json.loads(raw)
    except (ValueError, RecursionError):
        return None
    return document.get("format") if isinstance(document, dict) else None


def _decode_meta(raw: bytes) -> dict[str, Any]:
    """Check the header and SHA-256 of tables.json, then return its checked entry document."""
    if not raw.startswith(_HEADER):
        stored = _stored_format(raw)
        if isinstance(stored, int) and not isinstance(stored, bool) and stored != FORMAT_VERSION:
            raise _DamagedEntry(f"tables.json est au format {stored} au lieu de {FORMAT_VERSION}, "
                                "car une autre version de bureau-data l'a écrit")
        raise _DamagedEntry(f"tables.json n'a pas l'en-tête attendu du format {FORMAT_VERSION} "
                            "(fichier abîmé ou modifié)")
    start = len(_HEADER) + _DIGEST_LENGTH
    digest = raw[len(_HEADER):start]
    body = raw[start + len(_SEPARATOR):-1]
    if raw[start:start + len(_SEPARATOR)] != _SEPARATOR or not raw.endswith(b"}"):
        raise _DamagedEntry("tables.json n'a pas l'en-tête attendu (fichier abîmé ou modifié)")
    if hashlib.sha256(body).hexdigest().encode("ascii") != digest:
        raise _DamagedEntry("tables.json a été modifié ou abîmé, car sa somme de contrôle SHA-256 "
                            "ne correspond plus à son contenu")
    try:
        meta = json.loads(body)
    except UnicodeDecodeError as exc:
        raise _DamagedEntry(f"tables.json n'est pas du texte UTF-8 (octet {exc.start})") from exc
    except json.JSONDecodeError as exc:
        raise _DamagedEntry(f"tables.json n'est pas un JSON valide (ligne {exc.lineno}, "
                            f"colonne {exc.colno})") from exc
    except RecursionError as exc:
        raise _DamagedEntry("tables.json contient des listes ou objets imbriqués trop "
                            "profondément") from exc
    _check_meta(meta)
    return meta


_JSON_TYPE_NAMES = {dict: "un objet", list: "une liste", str: "un texte", int: "un entier",
                    bool: "un booléen", float: "un nombre", type(None): "null"}


def _expect(value: Any, expected: type, where: str) -> None:
    """Raise _DamagedEntry unless ``value`` has the JSON type ``expected`` (bool is not int)."""
    if isinstance(value, expected) and not (expected is int and isinstance(value, bool)):
        return
    found = _JSON_TYPE_NAMES.get(type(value), type(value).__name__)
    value_text = f" {value!r:.40}" if isinstance(value, (str, int, float)) else ""
    raise _DamagedEntry(f"tables.json : « {where} » devrait être {_JSON_TYPE_NAMES[expected]}, "
                        f"trouvé {found}{value_text}")


def _field(mapping: dict[str, Any], key: str, expected: type, where: str) -> Any:
    if key not in mapping:
        raise _DamagedEntry(f"tables.json : le champ « {where}.{key} » est absent")
    _expect(mapping[key], expected, f"{where}.{key}")
    return mapping[key]


def _check_spec(spec: Any, where: str) -> None:
    _expect(spec, dict, where)
    if _field(spec, "dtype", str, where) == "category":
        _field(spec, "ordered", bool, where)
        _field(spec, "categories", list, where)
        _field(spec, "categories_dtype", str, where)


def _check_meta(meta: Any) -> None:
    """Check the types of every field of the entry document, raising _DamagedEntry."""
    _expect(meta, dict, "entry")
    _field(meta, "name", str, "entry")
    _field(meta, "version", str, "entry")
    for position, source in enumerate(_field(meta, "sources", list, "entry")):
        _expect(source, dict, f"entry.sources[{position}]")
    names: set[str] = set()
    for position, item in enumerate(_field(meta, "tables", list, "entry")):
        where = f"tables[{position}]"
        _expect(item, dict, where)
        name = _field(item, "name", str, where)
        if name in names:
            raise _DamagedEntry(f"tables.json : la table « {name} » figure deux fois")
        names.add(name)
        file = _field(item, "file", str, where)
        if file != f"t{position}.arrow":
            raise _DamagedEntry(f"tables.json : « {where}.file » vaut {file!r:.40} au lieu de "
                                f"'t{position}.arrow'")
        for key in ("rows", "size", "crc32"):
            if _field(item, key, int, where) < 0:
                raise _DamagedEntry(f"tables.json : « {where}.{key} » est négatif")
        for key in ("columns", "index"):
            for number, spec in enumerate(_field(item, key, list, where)):
                _check_spec(spec, f"{where}.{key}[{number}]")
        _field(item, "attrs", dict, where)


def _read_table(path: Path, item: dict[str, Any]) -> pa.Table:
    """Read one Arrow IPC file after checking its size and CRC-32 against ``tables.json``.

    Arrow IPC files carry no checksum of their own, so the CRC-32 of the whole file,
    computed when it was written, is what detects a flipped bit or a truncation.
    """
    file = item["file"]
    try:
        data = path.read_bytes()
    except FileNotFoundError as exc:
        raise _DamagedEntry(f"{file} est absent") from exc
    except IsADirectoryError as exc:
        raise _DamagedEntry(f"{file} est un dossier au lieu d'un fichier") from exc
    except OSError as exc:
        raise _DamagedEntry(f"{file} ne peut pas être lu ({exc.strerror or exc})") from exc
    if len(data) != item["size"]:
        raise _DamagedEntry(f"{file} fait {len(data)} octets au lieu de {item['size']}")
    if zlib.crc32(data) != item["crc32"]:
        raise _DamagedEntry(f"{file} est abîmé : sa somme de contrôle CRC-32 est différente")
    try:
        return pa.ipc.open_file(pa.py_buffer(data)).read_all()
    except pa.ArrowException as exc:
        raise _DamagedEntry(f"{file} n'est pas un fichier Arrow IPC lisible ({exc})") from exc


def _load_meta(folder: Path) -> dict[str, Any]:
    """Read, authenticate and check ``folder/tables.json``, raising _DamagedEntry."""
    try:
        raw = (folder / "tables.json").read_bytes()
    except FileNotFoundError as exc:
        raise _DamagedEntry("tables.json est absent") from exc
    except NotADirectoryError as exc:
        raise _DamagedEntry("l'entrée est un fichier au lieu d'un dossier") from exc
    except IsADirectoryError as exc:
        raise _DamagedEntry("tables.json est un dossier au lieu d'un fichier") from exc
    except OSError as exc:
        raise _DamagedEntry(f"tables.json ne peut pas être lu ({exc.strerror or exc})") from exc
    return _decode_meta(raw)


def _read_entry(folder: Path, sources: Sequence[ProvenanceRecord]) -> dict[str, pd.DataFrame]:
    """Read every table of an entry, raising _DamagedEntry when anything is off."""
    meta = _load_meta(folder)
    listed = {item["file"] for item in meta["tables"]}
    try:
        unlisted = sorted(name for name in os.listdir(folder)
                          if name.endswith(".arrow") and name not in listed)
    except OSError as exc:
        raise _DamagedEntry(f"le dossier de l'entrée ne peut pas être lu ({exc.strerror})") from exc
    if unlisted:
        raise _DamagedEntry(f"{unlisted[0]} n'est pas listé dans tables.json")
    tables: dict[str, pd.DataFrame] = {}
    for item in meta["tables"]:
        table = _read_table(folder / item["file"], item)
        try:
            # One thread: a pool for each small table costs more CPU than it saves.
            df = _restore_frame(table.to_pandas(use_threads=False), item)
            df.attrs = _from_json(item["attrs"])
            df = _attach_current(df, sources)
        except _DamagedEntry:
            raise
        except _CONTENT_ERRORS as exc:
            raise _DamagedEntry(f"{item['file']} : les types ou attrs décrits dans tables.json "
                                f"ne s'appliquent pas à la table ({type(exc).__name__} : "
                                f"{exc!s:.120})") from exc
        if len(df) != item["rows"]:
            raise _DamagedEntry(f"{item['file']} contient {len(df)} lignes au lieu de "
                                f"{item['rows']} selon tables.json")
        tables[item["name"]] = df
    return tables


def _attach_current(df: pd.DataFrame, sources: Sequence[ProvenanceRecord]) -> pd.DataFrame:
    """Replace the stored records of the current sources with the current records."""
    current = {(record.dataset, record.sha256) for record in sources}
    stored = df.attrs.get("provenance", [])
    df.attrs["provenance"] = [item for item in stored if isinstance(item, dict)
                              and (item.get("dataset"), item.get("sha256")) not in current]
    return attach(df, list(sources))


def _table_meta(table_name: str, file: str, df: pd.DataFrame) -> dict[str, Any]:
    index_levels = [df.index.get_level_values(i) for i in range(df.index.nlevels)]
    return {
        "name": table_name,
        "file": file,
        "rows": len(df),
        "columns": [_dtype_spec(dtype) for dtype in df.dtypes],
        "index": [_dtype_spec(level.dtype) for level in index_levels],
        "attrs": _to_json(dict(df.attrs)),
    }


def _remove(path: Path, missing_ok: bool = False) -> None:
    """Delete a folder tree, a file or a symbolic link (never following it), raising OSError."""
    if path.is_symlink() or (os.path.lexists(path) and not path.is_dir()):
        path.unlink()
    elif path.is_dir():
        shutil.rmtree(path)
    elif not missing_ok:
        raise FileNotFoundError(errno.ENOENT, os.strerror(errno.ENOENT), str(path))


def _is_partial_write(path: Path) -> bool:
    return path.name.startswith(".") and path.name.endswith(".part")


def _remove_partial_writes(folder: Path) -> None:
    """Delete the temporary folders left by an interrupted write of ``folder``.

    Called with the entry's lock held. Only ``_write_entry`` creates these folders, and
    only under that lock, so every one found is left over from a crashed process.
    """
    pattern = re.compile(rf"\.{re.escape(folder.name)}\.[A-Za-z0-9_]+\.part")
    with contextlib.suppress(OSError):
        for path in folder.parent.iterdir():
            if pattern.fullmatch(path.name):
                logger.info("Écriture interrompue du cache de tables supprimée : %s", path)
                with contextlib.suppress(OSError):
                    _remove(path)


def _write_entry(folder: Path, tables: dict[str, pd.DataFrame], name: str, version: str,
                 sources: Sequence[ProvenanceRecord]) -> None:
    """Write an entry in a temporary folder, then rename it into place."""
    folder.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(dir=folder.parent, prefix=f".{folder.name}.", suffix=".part"))
    try:
        items = []
        for position, (table_name, df) in enumerate(tables.items()):
            file = f"t{position}.arrow"
            item = _table_meta(table_name, file, df)  # before writing: attrs may be rejected
            bare = df.copy(deep=False)
            bare.attrs = {}  # attrs live in tables.json, where their types are restored
            # One thread: starting a pool for each table costs more CPU than it saves.
            # preserve_index=None stores a RangeIndex as metadata rather than as a column.
            arrow = pa.Table.from_pandas(bare, preserve_index=None, nthreads=1)
            sink = pa.BufferOutputStream()
            with pa.ipc.new_file(sink, arrow.schema) as writer:
                writer.write_table(arrow)
            data = sink.getvalue()
            (tmp / file).write_bytes(data)
            item["size"], item["crc32"] = data.size, zlib.crc32(data)
            items.append(item)
        meta = {
            "name": name,
            "version": version,
            "sources": [record.to_dict() for record in sources],
            "tables": items,
        }
        (tmp / "tables.json").write_bytes(_encode_meta(meta))
        _remove(folder, missing_ok=True)
        os.rename(tmp, folder)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def _check_tables(name: str, tables: object) -> dict[str, pd.DataFrame]:
    if not isinstance(tables, dict) or not all(isinstance(df, pd.DataFrame) for df in tables.values()):
        raise TypeError(
            f"La fonction de construction de {name!r} doit renvoyer un dict nom -> DataFrame, "
            f"pas {type(tables).__name__}."
        )
    return tables


def cached_tables(
    name: str,
    version: str,
    sources: Sequence[ProvenanceRecord],
    build: Callable[[], dict[str, pd.DataFrame]],
    extra: str = "",
) -> dict[str, pd.DataFrame]:
    """Return the tables built by ``build()``, from the cache when it contains them.

    On a hit the tables are read back from Arrow IPC files, without calling ``build`` and
    without reading the raw files. On a miss ``build()`` runs once, even when several
    processes ask at the same time, and its tables are stored. The provenance of
    ``sources`` is attached to every returned table (``df.attrs["provenance"]``).

    Parameters
    ----------
    name
        Name of the loader's result, part of the key and of the entry's folder name
        (where characters other than letters, digits, ``.``, ``_`` and ``-`` become ``_``).
    version
        Version of the parser; change it whenever the parsing code changes its output.
    sources
        Records of the raw files the tables are built from (``fetch(...).record``).
    build
        Function that parses the raw files and returns ``{table name: DataFrame}``.
    extra
        Any other text the result depends on, such as a loader argument.

    Returns
    -------
    dict of str to DataFrame
        The tables, in the order ``build`` returned them.

    Raises
    ------
    TypeError
        When ``build`` does not return a dict of DataFrames.

    Notes
    -----
    When the cache folder cannot be written, or a table cannot be stored in Arrow
    (for example columns of mixed types), the tables are returned without being cached
    and a warning is logged.

    Examples
    --------
    >>> import os, tempfile
    >>> from unittest import mock
    >>> from bureau_data.fetch import fetch
    >>> from bureau_data.foret import DATASET
    >>> record = fetch(DATASET).record
    >>> calls = []
    >>> def build():
    ...     calls.append("build")
    ...     return {"t": pd.DataFrame({"x": pd.Categorical(["b", "a"], ordered=True)})}
    >>> with mock.patch.dict(os.environ, {"BUREAU_DATA_CACHE_DIR": tempfile.mkdtemp()}):
    ...     _ = cached_tables("exemple", "1", [record], build)["t"]
    ...     again = cached_tables("exemple", "1", [record], build)["t"]
    >>> calls, again["x"].cat.ordered, again["x"].tolist()
    (['build'], True, ['b', 'a'])
    >>> again.attrs["provenance"][0]["dataset"] == DATASET
    True
    """
    key = cache_key(name, version, sources, extra)
    folder = parsed_dir() / f"{_UNSAFE_NAME_CHARS.sub('_', name).lstrip('.')}-{key}"

    if not folder.is_symlink() and (folder / "tables.json").is_file():
        try:
            return _read_entry(folder, sources)
        except _DamagedEntry:
            pass  # checked again under the lock, where it is rebuilt

    lock = filelock.FileLock(str(folder.with_name(folder.name + ".lock")))
    try:
        folder.parent.mkdir(parents=True, exist_ok=True)
        lock.acquire()
    except OSError as exc:
        logger.warning("Cache de tables %s non modifiable (%s) : %s est reconstruit sans être "
                       "enregistré.", folder.parent, exc, name)
        tables = _check_tables(name, build())
        return {key: attach(df, list(sources)) for key, df in tables.items()}
    try:
        return _build_locked(folder, name, version, sources, build)
    finally:
        lock.release()


def _build_locked(folder: Path, name: str, version: str, sources: Sequence[ProvenanceRecord],
                  build: Callable[[], dict[str, pd.DataFrame]]) -> dict[str, pd.DataFrame]:
    _remove_partial_writes(folder)
    if folder.is_symlink() or (os.path.lexists(folder) and not folder.is_dir()):
        logger.warning("Entrée du cache de tables endommagée %s (ce n'est pas un dossier mais un "
                       "fichier ou un lien symbolique) : elle est remplacée.", folder)
        with contextlib.suppress(OSError):
            _remove(folder, missing_ok=True)
    elif folder.exists():
        try:
            return _read_entry(folder, sources)
        except _DamagedEntry as exc:
            logger.warning("Entrée du cache de tables endommagée %s : %s. Elle est reconstruite.",
                           folder, exc)
            with contextlib.suppress(OSError):  # _write_entry reports a folder it cannot write
                _remove(folder, missing_ok=True)

    tables = _check_tables(name, build())
    try:
        _write_entry(folder, tables, name, version, sources)
    except OSError as exc:
        logger.warning("Impossible d'écrire le cache de tables %s (%s) : les tables de %s sont "
                       "renvoyées sans être enregistrées.", folder, exc, name)
    except (TypeError, ValueError, pa.ArrowException) as exc:
        logger.warning("Les tables de %s ne peuvent pas être enregistrées au format Arrow (%s) : elles "
                       "seront reconstruites à chaque appel.", name, exc)
    return {key: attach(df, list(sources)) for key, df in tables.items()}


def cached_table(
    name: str,
    version: str,
    sources: Sequence[ProvenanceRecord],
    build: Callable[[], pd.DataFrame],
    extra: str = "",
) -> pd.DataFrame:
    """Return the single table built by ``build()``, through ``cached_tables``.

    Parameters
    ----------
    name, version, sources, extra
        As for ``cached_tables``.
    build
        Function that parses the raw files and returns one DataFrame.

    Returns
    -------
    pandas.DataFrame
        The table, with ``attrs["provenance"]`` set.

    Examples
    --------
    >>> import os, tempfile
    >>> from unittest import mock
    >>> from bureau_data.fetch import fetch
    >>> from bureau_data.foret import DATASET
    >>> record = fetch(DATASET).record
    >>> with mock.patch.dict(os.environ, {"BUREAU_DATA_CACHE_DIR": tempfile.mkdtemp()}):
    ...     df = cached_table("exemple", "1", [record], lambda: pd.DataFrame({"n": [1, 2]}))
    >>> df["n"].sum()
    np.int64(3)
    """
    return cached_tables(name, version, sources, lambda: {"table": build()}, extra)["table"]


# --- inspection and maintenance (used by the command line) -----------------------------


def list_entries() -> list[Path]:
    """Return the entries of the parsed-table cache, sorted by name.

    Returns
    -------
    list of pathlib.Path
        One path ``<name>-<key>`` per entry, including a damaged entry that is a file or
        a symbolic link instead of a folder. Lock files and the hidden folders of
        interrupted writes (``list_partial_writes``) are left out. An absent cache gives
        an empty list.

    Examples
    --------
    >>> import os, tempfile
    >>> from unittest import mock
    >>> from bureau_data.fetch import fetch
    >>> from bureau_data.foret import DATASET
    >>> record = fetch(DATASET).record
    >>> with mock.patch.dict(os.environ, {"BUREAU_DATA_CACHE_DIR": tempfile.mkdtemp()}):
    ...     _ = cached_table("exemple", "1", [record], lambda: pd.DataFrame({"n": [1]}))
    ...     print([folder.name.split("-")[0] for folder in list_entries()])
    ['exemple']
    """
    folder = parsed_dir()
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.iterdir()
                  if not p.name.startswith(".") and not p.name.endswith(".lock"))


def list_partial_writes() -> list[Path]:
    """Return the temporary folders left in the parsed-table cache by interrupted writes.

    Returns
    -------
    list of pathlib.Path
        The hidden ``.<entry>.<random>.part`` folders, sorted by name. A load of the entry
        deletes its own leftovers, and ``clear_tables`` deletes them all.

    Examples
    --------
    >>> import os, tempfile
    >>> from unittest import mock
    >>> with mock.patch.dict(os.environ, {"BUREAU_DATA_CACHE_DIR": tempfile.mkdtemp()}):
    ...     (parsed_dir() / ".exemple-0.abc123.part").mkdir(parents=True)
    ...     print([path.name for path in list_partial_writes()])
    ['.exemple-0.abc123.part']
    """
    folder = parsed_dir()
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.iterdir() if _is_partial_write(p))


def obsolete_format(entry: Path) -> int | None:
    """Return the cache format of an entry written by another version of bureau-data.

    No load ever reads such an entry, because the format is part of every key, so it only
    takes space until ``clear_tables`` deletes it.

    Parameters
    ----------
    entry
        An entry, as ``list_entries`` returns it.

    Returns
    -------
    int or None
        The format stored in the entry's ``tables.json`` (1 for the Parquet entries),
        or None when the entry has the current format or is damaged.

    Examples
    --------
    >>> import os, tempfile
    >>> from unittest import mock
    >>> with mock.patch.dict(os.environ, {"BUREAU_DATA_CACHE_DIR": tempfile.mkdtemp()}):
    ...     entry = parsed_dir() / "exemple-0"
    ...     entry.mkdir(parents=True)
    ...     _ = (entry / "tables.json").write_text('{"format": 1, "tables": []}')
    ...     print(obsolete_format(entry))
    1
    """
    if entry.is_symlink() or not entry.is_dir():
        return None
    try:
        raw = (entry / "tables.json").read_bytes()
    except OSError:
        raw = b""
    if raw.startswith(_HEADER):
        return None
    stored = _stored_format(raw)
    if isinstance(stored, int) and not isinstance(stored, bool) and stored != FORMAT_VERSION:
        return stored
    with contextlib.suppress(OSError):
        if any(entry.glob("*.parquet")):
            return 1  # format 1 stored Parquet files
    return None


def verify_entry(folder: Path) -> str | None:
    """Read an entry back in full and return why it is damaged, or None when it is sound.

    Parameters
    ----------
    folder
        An entry, as ``list_entries`` returns it.

    Returns
    -------
    str or None
        The reason the entry is damaged, a French sentence naming ``tables.json`` or the
        Arrow file at fault, or None.

    Examples
    --------
    >>> import os, tempfile
    >>> from unittest import mock
    >>> from bureau_data.fetch import fetch
    >>> from bureau_data.foret import DATASET
    >>> record = fetch(DATASET).record
    >>> patch = mock.patch.dict(os.environ, {"BUREAU_DATA_CACHE_DIR": tempfile.mkdtemp()})
    >>> _ = patch.start()
    >>> _ = cached_table("exemple", "1", [record], lambda: pd.DataFrame({"n": [1]}))
    >>> folder = list_entries()[0]
    >>> verify_entry(folder) is None
    True
    >>> for table_file in folder.glob("*.arrow"):
    ...     _ = table_file.write_bytes(b"abime")
    >>> verify_entry(folder).split(" au lieu")[0]
    't0.arrow fait 5 octets'
    >>> _ = patch.stop()
    """
    if folder.is_symlink():
        return "l'entrée est un lien symbolique au lieu d'un dossier"
    if not folder.is_dir():
        return "l'entrée est un fichier au lieu d'un dossier"
    try:
        _read_entry(folder, [])
    except _DamagedEntry as exc:
        return str(exc)
    return None


def clear_tables() -> int:
    """Delete every entry of the parsed-table cache and every leftover of an interrupted write.

    Entries of an older cache format and damaged entries (a file or a symbolic link in
    place of a folder) are deleted too.

    Returns
    -------
    int
        Number of entries and leftover folders deleted.

    Raises
    ------
    CacheWriteError
        When an entry cannot be deleted, for example in a read-only cache folder.

    Examples
    --------
    >>> import os, tempfile
    >>> from unittest import mock
    >>> from bureau_data.fetch import fetch
    >>> from bureau_data.foret import DATASET
    >>> record = fetch(DATASET).record
    >>> with mock.patch.dict(os.environ, {"BUREAU_DATA_CACHE_DIR": tempfile.mkdtemp()}):
    ...     _ = cached_table("exemple", "1", [record], lambda: pd.DataFrame({"n": [1]}))
    ...     print(clear_tables(), list_entries())
    1 []
    """
    deleted = 0
    for path in list_entries() + list_partial_writes():
        # A partial write belongs to the entry named between its leading dot and its random
        # suffix, and the entry's lock keeps a write in progress from losing its folder.
        entry_name = path.name[1:].rsplit(".", 2)[0] if _is_partial_write(path) else path.name
        lock_path = path.with_name(entry_name + ".lock")
        try:
            with filelock.FileLock(str(lock_path)):
                _remove(path, missing_ok=True)
        except OSError as exc:
            raise CacheWriteError(
                f"Impossible de supprimer {path} du cache de tables : "
                f"{exc.strerror or exc} ({exc.filename or lock_path}). Donnez les droits "
                f"d'écriture sur {path.parent}, ou choisissez un autre dossier de cache avec "
                f"{ENV_CACHE_DIR}. {deleted} élément(s) avaient déjà été supprimés."
            ) from exc
        deleted += 1
    return deleted
