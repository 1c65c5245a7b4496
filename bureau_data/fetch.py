"""Get the raw file of a catalogue dataset: from the local data folder, the cache or the network.

``fetch(dataset_id)`` is the one entry point the loaders use. It returns the path of a
complete, checked raw file and its provenance record. Raw files are kept byte for byte
as published. Nothing happens at import time.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import tempfile
import tomllib
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path

import requests

from bureau_data.catalogue import Dataset, get_dataset
from bureau_data.config import ENV_LOCAL_DIR, ENV_OFFLINE, Settings, get_settings
from bureau_data.errors import CatalogueError, DownloadError, OfflineError
from bureau_data.provenance import ProvenanceRecord, log_use

logger = logging.getLogger(__name__)

CHUNK_SIZE = 1 << 16
CONNECT_TIMEOUT = 10  # seconds to open the connection
READ_TIMEOUT = 60  # seconds without a byte before giving up


@dataclass(frozen=True)
class FetchedFile:
    """A raw file ready to read, with its provenance record."""

    path: Path
    record: ProvenanceRecord


def sha256_file(path: Path) -> str:
    """Return the hex sha256 of a file, read in chunks."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


@lru_cache(maxsize=256)
def _sha256_cached(path: str, size: int, mtime_ns: int) -> str:
    # Keyed on size and mtime so a changed local file is hashed again.
    return sha256_file(Path(path))


def _iso_utc(timestamp: float) -> str:
    return datetime.fromtimestamp(timestamp, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _read_manifest(manifest: Path) -> dict[str, str]:
    files = sorted(manifest.glob("*.toml")) if manifest.is_dir() else [manifest]
    mapping: dict[str, str] = {}
    for file in files:
        try:
            content = tomllib.loads(file.read_text(encoding="utf-8"))
        except (OSError, tomllib.TOMLDecodeError) as exc:
            raise CatalogueError(f"Manifeste illisible {file} : {exc}") from exc
        for dataset_id, relative in content.get("files", {}).items():
            mapping[dataset_id] = str(relative)
    return mapping


def local_path(dataset: Dataset, settings: Settings) -> Path:
    """Return the file of ``dataset`` inside the local data folder."""
    assert settings.local_dir is not None
    if settings.manifest is None or not settings.manifest.exists():
        raise CatalogueError(
            f"Aucun manifeste pour le dossier local {settings.local_dir} : "
            "définissez BUREAU_DATA_MANIFEST (fichier ou dossier TOML [files])."
        )
    mapping = _read_manifest(settings.manifest)
    relative = mapping.get(dataset.id)
    if relative is None:
        raise CatalogueError(
            f"Le jeu de données {dataset.id!r} n'a pas d'entrée dans le manifeste "
            f"{settings.manifest}. Ajoutez-la dans la table [files], ou retirez "
            f"{ENV_LOCAL_DIR} pour le télécharger."
        )
    path = (settings.local_dir / relative).resolve()
    if not path.is_relative_to(settings.local_dir):
        raise CatalogueError(
            f"Le manifeste donne pour {dataset.id!r} un chemin hors du dossier local : {relative!r}."
        )
    if not path.is_file():
        raise DownloadError(
            f"Fichier introuvable dans le dossier local pour {dataset.id!r} : {path}. "
            f"Vérifiez {ENV_LOCAL_DIR} et le manifeste {settings.manifest}."
        )
    return path


def _local_record(dataset: Dataset, path: Path) -> ProvenanceRecord:
    stat = path.stat()
    return ProvenanceRecord(
        dataset=dataset.id,
        title=dataset.title,
        publisher=dataset.publisher,
        licence=dataset.licence,
        url=dataset.url,
        final_url=dataset.url,
        path=str(path),
        retrieved_at=_iso_utc(stat.st_mtime),
        size=stat.st_size,
        sha256=_sha256_cached(str(path), stat.st_size, stat.st_mtime_ns),
        source="local",
    )


def cache_path(dataset: Dataset, settings: Settings) -> Path:
    """Return where the downloaded file of ``dataset`` is kept in the cache."""
    return settings.cache_dir / "raw" / dataset.id / dataset.filename


def record_path(path: Path) -> Path:
    """Return the path of the provenance record stored beside a cached file."""
    return path.with_name(path.name + ".provenance.json")


def _download(dataset: Dataset, target: Path) -> ProvenanceRecord:
    target.parent.mkdir(parents=True, exist_ok=True)
    logger.info("Téléchargement de %s depuis %s", dataset.id, dataset.url)
    digest = hashlib.sha256()
    size = 0
    handle, tmp_name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".part")
    tmp = Path(tmp_name)
    try:
        with requests.get(dataset.url, stream=True, timeout=(CONNECT_TIMEOUT, READ_TIMEOUT)) as response:
            response.raise_for_status()
            with os.fdopen(handle, "wb") as out:
                for chunk in response.raw.stream(CHUNK_SIZE, decode_content=True):
                    out.write(chunk)
                    digest.update(chunk)
                    size += len(chunk)
            record = ProvenanceRecord(
                dataset=dataset.id,
                title=dataset.title,
                publisher=dataset.publisher,
                licence=dataset.licence,
                url=dataset.url,
                final_url=response.url,
                path=str(target),
                retrieved_at=_iso_utc(datetime.now(UTC).timestamp()),
                size=size,
                sha256=digest.hexdigest(),
                http_date=response.headers.get("Date", ""),
                etag=response.headers.get("ETag", ""),
                last_modified=response.headers.get("Last-Modified", ""),
            )
        os.replace(tmp, target)
    except requests.RequestException as exc:
        tmp.unlink(missing_ok=True)
        raise DownloadError(
            f"Échec du téléchargement de {dataset.id!r} depuis {dataset.url} : {exc}. "
            "Vérifiez la connexion, ou utilisez un dossier local (BUREAU_DATA_LOCAL_DIR)."
        ) from exc
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    record_path(target).write_text(json.dumps(record.to_dict(), indent=2, ensure_ascii=False), encoding="utf-8")
    return record


def fetch(dataset_id: str) -> FetchedFile:
    """Return the raw file of a catalogue dataset, downloading it if needed.

    With ``BUREAU_DATA_LOCAL_DIR`` set, the file is read from that folder through the
    manifest and the network is never used. Otherwise a cached copy is used when present,
    and the file is downloaded to a temporary file then moved into the cache.

    Raises
    ------
    CatalogueError
        When the dataset is unknown or missing from the manifest.
    OfflineError
        When offline mode is on and the file is not cached.
    DownloadError
        When the download fails.
    """
    dataset = get_dataset(dataset_id)
    settings = get_settings()
    if settings.local_dir is not None:
        path = local_path(dataset, settings)
        record = _local_record(dataset, path)
    else:
        path = cache_path(dataset, settings)
        if path.is_file() and record_path(path).is_file():
            record = ProvenanceRecord.from_dict(json.loads(record_path(path).read_text(encoding="utf-8")))
        elif settings.offline:
            raise OfflineError(
                f"Le jeu de données {dataset_id!r} n'est pas en cache et le mode hors ligne est actif "
                f"({ENV_OFFLINE}=1). URL : {dataset.url}. Désactivez le mode hors ligne, lancez "
                f"« bureau-data telecharger {dataset_id} » avec une connexion, ou définissez "
                f"{ENV_LOCAL_DIR}."
            )
        else:
            record = _download(dataset, path)
    log_use(record)
    return FetchedFile(path=path, record=record)
