"""Provenance records: where each file a loader read came from.

A record is stored as JSON beside each cached file, attached to every DataFrame a
loader returns (``df.attrs["provenance"]``) and, during an article build, appended to
the log file named by ``BUREAU_DATA_PROVENANCE_LOG`` so the build knows which data
files the notebook read.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from bureau_data.config import get_settings


@dataclass(frozen=True)
class ProvenanceRecord:
    """Origin and fingerprint of one raw file as read by a loader.

    Examples
    --------
    >>> from bureau_data.fetch import fetch
    >>> from bureau_data.foret import DATASET
    >>> record = fetch(DATASET).record
    >>> record.source, record.size, record.sha256[:12]
    ('local', 650412, '1c77ee9aa3e8')
    >>> ProvenanceRecord.from_dict(record.to_dict()) == record
    True
    """

    dataset: str
    title: str
    publisher: str
    licence: str
    url: str
    final_url: str
    path: str
    retrieved_at: str  # ISO 8601 UTC time of the download, or of the local file's mtime
    size: int
    sha256: str
    http_date: str = ""
    etag: str = ""
    last_modified: str = ""
    source: str = "download"  # "download" or "local" (the local data folder)
    licence_url: str = ""

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ProvenanceRecord:
        known = set(cls.__dataclass_fields__)
        return cls(**{key: value for key, value in data.items() if key in known})


def attach(df: pd.DataFrame, records: list[ProvenanceRecord]) -> pd.DataFrame:
    """Store ``records`` in ``df.attrs["provenance"]`` and return ``df``.

    Records already attached are kept; duplicates (same sha256 and dataset) are dropped.

    Parameters
    ----------
    df
        The table to annotate, modified in place.
    records
        Records of the raw files the table was built from.

    Returns
    -------
    pandas.DataFrame
        ``df``, whose ``attrs["provenance"]`` is a list of record dicts.

    Examples
    --------
    >>> from bureau_data.fetch import fetch
    >>> from bureau_data.foret import DATASET
    >>> record = fetch(DATASET).record
    >>> df = attach(pd.DataFrame({"x": [1]}), [record, record])
    >>> [item["dataset"] == DATASET for item in df.attrs["provenance"]]
    [True]
    """
    existing = list(df.attrs.get("provenance", []))
    seen = {(item["dataset"], item["sha256"]) for item in existing}
    for record in records:
        key = (record.dataset, record.sha256)
        if key not in seen:
            existing.append(record.to_dict())
            seen.add(key)
    df.attrs["provenance"] = existing
    return df


def log_use(record: ProvenanceRecord) -> None:
    """Append ``record`` to the build's provenance log, when a build set one.

    Parameters
    ----------
    record
        Record of a raw file the notebook read.

    Raises
    ------
    OSError
        When the log file cannot be written.

    Examples
    --------
    >>> import os, pathlib, tempfile
    >>> from unittest import mock
    >>> from bureau_data.fetch import fetch
    >>> from bureau_data.foret import DATASET
    >>> log = pathlib.Path(tempfile.mkdtemp()) / "provenance.jsonl"
    >>> with mock.patch.dict(os.environ, {"BUREAU_DATA_PROVENANCE_LOG": str(log)}):
    ...     log_use(fetch(DATASET).record)
    >>> [record.dataset == DATASET for record in read_log(log)]
    [True]
    """
    log_path = get_settings().provenance_log
    if log_path is None:
        return
    line = json.dumps(record.to_dict(), ensure_ascii=False, sort_keys=True)
    # O_APPEND writes of one short line are atomic enough for one kernel per notebook.
    with open(log_path, "a", encoding="utf-8") as handle:
        handle.write(line + "\n")
        handle.flush()
        os.fsync(handle.fileno())


def log_method(key: str, title: str, text: str) -> None:
    """Append a method paragraph (in French) to the build's provenance log, when a build set one.

    Metric functions call this so that the article's « Sources et méthode » block can
    print the definition of every metric the notebook used. ``key`` identifies the
    metric, so a paragraph logged twice is printed once.

    Parameters
    ----------
    key
        Identifier of the metric.
    title
        French title of the paragraph.
    text
        French definition of the metric.

    Raises
    ------
    OSError
        When the log file cannot be written.

    Examples
    --------
    >>> import os, pathlib, tempfile
    >>> from unittest import mock
    >>> log = pathlib.Path(tempfile.mkdtemp()) / "provenance.jsonl"
    >>> with mock.patch.dict(os.environ, {"BUREAU_DATA_PROVENANCE_LOG": str(log)}):
    ...     log_method("taux", "Taux de participation", "Votants sur inscrits.")
    ...     log_method("taux", "Taux de participation", "Votants sur inscrits.")
    >>> read_methods(log)
    [{'key': 'taux', 'title': 'Taux de participation', 'text': 'Votants sur inscrits.'}]
    """
    log_path = get_settings().provenance_log
    if log_path is None:
        return
    line = json.dumps({"kind": "method", "key": key, "title": title, "text": text},
                      ensure_ascii=False, sort_keys=True)
    with open(log_path, "a", encoding="utf-8") as handle:
        handle.write(line + "\n")


def _log_lines(path: Path) -> list[dict[str, Any]]:
    if not path.is_file():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def read_log(path: Path) -> list[ProvenanceRecord]:
    """Return the distinct file records of a provenance log, in first-use order.

    Parameters
    ----------
    path
        The log file. A missing file gives an empty list.

    Returns
    -------
    list of ProvenanceRecord
        One record per dataset and sha256. Method paragraphs are left out.

    Examples
    --------
    >>> import json, pathlib, tempfile
    >>> log = pathlib.Path(tempfile.mkdtemp()) / "provenance.jsonl"
    >>> read_log(log)
    []
    >>> line = {"dataset": "exemple.regions", "title": "Régions", "publisher": "IGN",
    ...         "licence": "Licence ouverte", "url": "https://example.org/r.geojson",
    ...         "final_url": "https://example.org/r.geojson", "path": "r.geojson",
    ...         "retrieved_at": "2024-01-01T00:00:00Z", "size": 10, "sha256": "ab"}
    >>> _ = log.write_text(json.dumps(line) + "\\n" + json.dumps(line) + "\\n", encoding="utf-8")
    >>> [(record.dataset, record.size) for record in read_log(log)]
    [('exemple.regions', 10)]
    """
    records: dict[tuple[str, str], ProvenanceRecord] = {}
    for item in _log_lines(path):
        if item.get("kind", "file") == "file":
            record = ProvenanceRecord.from_dict(item)
            records.setdefault((record.dataset, record.sha256), record)
    return list(records.values())


def read_methods(path: Path) -> list[dict[str, str]]:
    """Return the distinct method paragraphs of a provenance log, in first-use order.

    Parameters
    ----------
    path
        The log file. A missing file gives an empty list.

    Returns
    -------
    list of dict
        One dict with the keys ``key``, ``title`` and ``text`` per metric.

    Examples
    --------
    >>> import json, pathlib, tempfile
    >>> log = pathlib.Path(tempfile.mkdtemp()) / "provenance.jsonl"
    >>> method = {"kind": "method", "key": "taux", "title": "Taux", "text": "Votants sur inscrits."}
    >>> _ = log.write_text(json.dumps(method) + "\\n", encoding="utf-8")
    >>> read_methods(log)
    [{'key': 'taux', 'title': 'Taux', 'text': 'Votants sur inscrits.'}]
    """
    methods: dict[str, dict[str, str]] = {}
    for item in _log_lines(path):
        if item.get("kind") == "method":
            methods.setdefault(item["key"], {"key": item["key"], "title": item["title"], "text": item["text"]})
    return list(methods.values())
