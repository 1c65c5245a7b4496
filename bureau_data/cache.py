"""The parsed-data cache: a loader's tidy tables stored as Parquet.

Tables are keyed by a name, the parser's version and the sha256 of every raw file they
were built from, so a new raw file or a new parser version builds them again. A damaged
or unreadable cache entry is rebuilt, never trusted.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path

import pandas as pd

from bureau_data.config import get_settings
from bureau_data.provenance import ProvenanceRecord, attach

logger = logging.getLogger(__name__)


def cache_key(name: str, version: str, sources: Sequence[ProvenanceRecord], extra: str = "") -> str:
    """Return the key of a parsed table built from ``sources`` by parser ``version``."""
    digest = hashlib.sha256()
    for part in (name, version, extra, *sorted(record.sha256 for record in sources)):
        digest.update(part.encode("utf-8"))
        digest.update(b"\0")
    return digest.hexdigest()[:32]


def _folder(name: str, key: str) -> Path:
    return get_settings().cache_dir / "parsed" / f"{name}-{key}"


def _write_atomic(df: pd.DataFrame, path: Path) -> None:
    handle, tmp_name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".part")
    os.close(handle)
    try:
        df.to_parquet(tmp_name, index=True)
        os.replace(tmp_name, path)
    except BaseException:
        Path(tmp_name).unlink(missing_ok=True)
        raise


def cached_tables(
    name: str,
    version: str,
    sources: Sequence[ProvenanceRecord],
    build: Callable[[], dict[str, pd.DataFrame]],
    extra: str = "",
) -> dict[str, pd.DataFrame]:
    """Return the tables built by ``build()``, from the Parquet cache when it is fresh.

    ``attrs`` of each table (other than provenance) are stored as JSON beside it.
    The provenance of ``sources`` is attached to every returned table.
    """
    key = cache_key(name, version, sources, extra)
    folder = _folder(name, key)
    index_file = folder / "tables.json"
    if index_file.is_file():
        try:
            meta = json.loads(index_file.read_text(encoding="utf-8"))
            tables: dict[str, pd.DataFrame] = {}
            for table_name, attrs in meta.items():
                df = pd.read_parquet(folder / f"{table_name}.parquet")
                df.attrs.update(attrs)
                tables[table_name] = attach(df, list(sources))
            return tables
        except (OSError, ValueError, KeyError) as exc:
            logger.warning("Cache de tables illisible %s (%s) : reconstruction.", folder, exc)

    tables = build()
    try:
        folder.mkdir(parents=True, exist_ok=True)
        meta = {}
        for table_name, df in tables.items():
            _write_atomic(df, folder / f"{table_name}.parquet")
            meta[table_name] = {k: v for k, v in df.attrs.items() if k != "provenance"}
        tmp = index_file.with_suffix(".part")
        tmp.write_text(json.dumps(meta, ensure_ascii=False, default=str), encoding="utf-8")
        os.replace(tmp, index_file)
    except OSError as exc:
        logger.warning("Impossible d'écrire le cache de tables %s : %s", folder, exc)
    return {table_name: attach(df, list(sources)) for table_name, df in tables.items()}


def cached_table(
    name: str,
    version: str,
    sources: Sequence[ProvenanceRecord],
    build: Callable[[], pd.DataFrame],
    extra: str = "",
) -> pd.DataFrame:
    """Return the single table built by ``build()``, through ``cached_tables``."""
    return cached_tables(name, version, sources, lambda: {"table": build()}, extra)["table"]
