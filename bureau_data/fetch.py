"""Get the raw file of a catalogue dataset: from the local data folder, the cache or the network.

``fetch(dataset_id)`` is the one entry point the loaders use. It returns the path of a
complete, checked raw file and its provenance record. Raw files are kept byte for byte
as published. Nothing happens at import time.

The cache keeps each download at ``<cache>/raw/<dataset id>/<filename>``, with its record
beside it in ``<filename>.provenance.json`` and a lock file ``<filename>.lock``. A cached
copy younger than ``BUREAU_DATA_MAX_AGE`` is used as is. An older one is revalidated
with a conditional request (ETag and Last-Modified sent back exactly as received), so an
unchanged file is not downloaded again. A file whose server sends no validator is
downloaded again once its maximum age has passed.

A new download replaces a cached copy only when it is complete and passes the check of
its format (``bureau_data._download.check_body``), and when it is at least half the size
of the copy it replaces (``MIN_SIZE_RATIO``). Otherwise the cached copy is kept.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import time
import tomllib
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

import filelock

from bureau_data._content import InvalidContent, check_content, file_kind
from bureau_data._download import (
    Downloaded,
    NotModified,
    cache_write_error,
    download,
    iso_utc,
)
from bureau_data.archive import Limits, check_archive
from bureau_data.catalogue import Dataset, get_dataset
from bureau_data.config import (
    ENV_LOCAL_DIR,
    ENV_MANIFEST,
    ENV_OFFLINE,
    Settings,
    get_settings,
)
from bureau_data.errors import (
    ArchiveError,
    ArchiveTooLarge,
    CacheWriteError,
    CatalogueError,
    DownloadError,
    OfflineError,
    ShrunkDownloadError,
)
from bureau_data.french import format_date, format_number
from bureau_data.provenance import ProvenanceRecord, log_use

logger = logging.getLogger(__name__)

LOCK_TIMEOUT_SECONDS = 3600.0  # maximum wait for another process's download of the same file
_LOCK_NOTICE_SECONDS = 1.0  # after this wait, log that another process holds the lock
# A download smaller than this fraction of the cached copy it would replace is not
# installed. A server that sends a cut file with a matching Content-Length, or an export
# that stopped early, passes every other check. A real update rarely halves a file.
MIN_SIZE_RATIO = 0.5
# A dataset id or file name becomes one path component of the cache: no separator, no
# control character, no leading dot (temporary files start with one), no reserved suffix.
_UNSAFE_COMPONENT = re.compile(r"[/\\\x00-\x1f]|^\.|\.lock$|\.provenance\.json$")


@dataclass(frozen=True)
class FetchedFile:
    """A raw file ready to read, with its provenance record.

    Examples
    --------
    >>> from bureau_data.foret import DATASET
    >>> fetched = fetch(DATASET)
    >>> fetched.path.name, fetched.record.source
    ('forest-land-deforestation-and-change-fao-2020.csv', 'local')
    """

    path: Path
    record: ProvenanceRecord


@dataclass(frozen=True)
class CacheEntry:
    """A downloaded file found in the cache: its record and when it was last checked.

    Examples
    --------
    >>> import time
    >>> from bureau_data.foret import DATASET
    >>> record = fetch(DATASET).record
    >>> entry = CacheEntry(path=Path(record.path), record=record, checked_at=time.time() - 90)
    >>> round(entry.age_seconds())
    90
    """

    path: Path
    record: ProvenanceRecord
    checked_at: float  # POSIX time of the download or of the last 304 response

    def age_seconds(self, now: float | None = None) -> float:
        """Return the seconds since the file was last downloaded or revalidated."""
        return max(0.0, (time.time() if now is None else now) - self.checked_at)


# --- hashing -------------------------------------------------------------------------


def sha256_file(path: Path) -> str:
    """Return the hex sha256 of a file, read in chunks.

    Parameters
    ----------
    path
        The file to hash.

    Returns
    -------
    str
        64 lowercase hex digits.

    Examples
    --------
    >>> import tempfile
    >>> path = Path(tempfile.mkdtemp()) / "vide.csv"
    >>> _ = path.write_bytes(b"")
    >>> sha256_file(path)
    'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855'
    """
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


@lru_cache(maxsize=256)
def _sha256_cached(path: str, size: int, mtime_ns: int) -> str:
    # Keyed on size and mtime so a changed local file is hashed again.
    return sha256_file(Path(path))


def _local_hash_file(settings: Settings, path: Path) -> Path:
    key = hashlib.sha256(str(path).encode("utf-8")).hexdigest()[:32]
    return settings.cache_dir / "local-sha256" / f"{key}.json"


def local_sha256(path: Path, settings: Settings) -> str:
    """Return the sha256 of a local data file, remembered across processes.

    The hash is kept in the cache folder with the file's size and mtime and reused while
    both are unchanged, so a new process does not hash large raw files again. When the
    cache folder is not writable the hash is only kept in memory.

    Parameters
    ----------
    path
        A file of the local data folder.
    settings
        The settings in force, for the cache folder.

    Returns
    -------
    str
        64 lowercase hex digits, as ``sha256_file`` gives.

    Examples
    --------
    >>> from bureau_data.foret import DATASET
    >>> settings = get_settings()
    >>> path = local_path(get_dataset(DATASET), settings)
    >>> local_sha256(path, settings) == sha256_file(path)
    True
    """
    stat = path.stat()
    remembered = _remembered_sha256(path, stat, settings)
    if remembered is not None:
        return remembered
    digest = _sha256_cached(str(path), stat.st_size, stat.st_mtime_ns)
    _remember_sha256(path, stat, digest, settings)
    return digest


def _remembered_sha256(path: Path, stat: os.stat_result, settings: Settings) -> str | None:
    """Return the hash remembered for ``path`` at its current size and mtime, or None."""
    try:
        stored = json.loads(_local_hash_file(settings, path).read_text(encoding="utf-8"))
        if (stored.get("path"), stored.get("size"), stored.get("mtime_ns")) == (
                str(path), stat.st_size, stat.st_mtime_ns):
            return str(stored["sha256"])
    except (OSError, ValueError, KeyError, AttributeError):
        pass
    return None


def _remember_sha256(path: Path, stat: os.stat_result, digest: str, settings: Settings) -> None:
    memo = _local_hash_file(settings, path)
    entry = {"path": str(path), "size": stat.st_size, "mtime_ns": stat.st_mtime_ns, "sha256": digest}
    try:
        _write_json_atomic(memo, entry)
    except OSError as exc:
        logger.debug("Empreinte de %s non mémorisée dans %s : %s", path, memo, exc)


# --- the local data folder -----------------------------------------------------------


# Last text and parsed content of each manifest file. fetch() reads the manifest at
# every call, and parsing the TOML costs about 1 ms where comparing the text costs little.
_MANIFEST_CONTENT: dict[Path, tuple[str, dict[str, Any]]] = {}


def _load_manifest_file(file: Path) -> dict[str, Any]:
    """Return the parsed TOML of a manifest file, parsed again only when its text changed."""
    try:
        text = file.read_text(encoding="utf-8")
        cached = _MANIFEST_CONTENT.get(file)
        if cached is not None and cached[0] == text:
            return cached[1]
        content = tomllib.loads(text)
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise CatalogueError(f"Manifeste illisible {file} : {exc}") from exc
    _MANIFEST_CONTENT[file] = (text, content)
    return content


def _read_manifest(manifest: Path) -> dict[str, str]:
    files = sorted(manifest.glob("*.toml")) if manifest.is_dir() else [manifest]
    mapping: dict[str, str] = {}
    origin: dict[str, Path] = {}
    for file in files:
        table = _load_manifest_file(file).get("files", {})
        if not isinstance(table, dict):
            raise CatalogueError(
                f"Manifeste {file} : [files] doit être une table « id = \"chemin\" », "
                f"trouvé {type(table).__name__}."
            )
        for dataset_id, relative in table.items():
            if not isinstance(relative, str) or not relative.strip():
                raise CatalogueError(
                    f"Manifeste {file} : le chemin de {dataset_id!r} doit être un texte non vide, "
                    f"trouvé {relative!r}."
                )
            if dataset_id in mapping and mapping[dataset_id] != relative:
                raise CatalogueError(
                    f"Le jeu {dataset_id!r} a deux fichiers dans le manifeste : {mapping[dataset_id]!r} "
                    f"({origin[dataset_id].name}) et {relative!r} ({file.name}). Gardez-en un."
                )
            mapping[dataset_id] = relative
            origin[dataset_id] = file
    return mapping


def read_manifest(settings: Settings | None = None) -> dict[str, str]:
    """Return the manifest of the local data folder: dataset id -> path relative to it.

    Parameters
    ----------
    settings
        The settings in force; None reads them with ``get_settings``.

    Returns
    -------
    dict of str to str
        Paths relative to the local data folder, with ``/`` separators.

    Raises
    ------
    CatalogueError
        When the manifest is missing, unreadable or maps one id to two files.

    Examples
    --------
    >>> from bureau_data.foret import DATASET
    >>> read_manifest()[DATASET]
    'foret/owid/forest-land-deforestation-and-change-fao-2020.csv'
    """
    settings = settings or get_settings()
    if settings.manifest is None or not settings.manifest.exists():
        raise CatalogueError(
            f"Aucun manifeste pour le dossier local {settings.local_dir} : définissez "
            f"{ENV_MANIFEST} (fichier TOML ou dossier de fichiers TOML avec une table [files])."
        )
    return _read_manifest(settings.manifest)


def local_path(dataset: Dataset, settings: Settings) -> Path:
    """Return the file of ``dataset`` inside the local data folder.

    Parameters
    ----------
    dataset
        The catalogue entry.
    settings
        The settings in force, with ``local_dir`` set.

    Returns
    -------
    pathlib.Path
        Absolute path of an existing file inside ``settings.local_dir``.

    Raises
    ------
    CatalogueError
        When the manifest has no entry for the dataset, or its path leaves the folder.
    DownloadError
        When the file named by the manifest does not exist.

    Examples
    --------
    >>> from bureau_data.foret import DATASET
    >>> settings = get_settings()
    >>> local_path(get_dataset(DATASET), settings).relative_to(settings.local_dir).as_posix()
    'foret/owid/forest-land-deforestation-and-change-fao-2020.csv'
    """
    if settings.local_dir is None:
        raise CatalogueError(f"Aucun dossier de données locales : {ENV_LOCAL_DIR} n'est pas défini.")
    mapping = read_manifest(settings)
    relative = mapping.get(dataset.id)
    if relative is None:
        raise CatalogueError(
            f"Le jeu de données {dataset.id!r} n'a pas d'entrée dans le manifeste "
            f"{settings.manifest}. Ajoutez-la dans la table [files], ou retirez "
            f"{ENV_LOCAL_DIR} pour le télécharger depuis {dataset.url}."
        )
    root = settings.local_dir.resolve()
    path = (root / relative).resolve()
    if Path(relative).is_absolute() or not path.is_relative_to(root):
        raise CatalogueError(
            f"Le manifeste {settings.manifest} donne pour {dataset.id!r} un chemin hors du "
            f"dossier local {root} : {relative!r}. Indiquez un chemin relatif à ce dossier."
        )
    if not path.is_file():
        raise DownloadError(
            f"Fichier introuvable dans le dossier local pour {dataset.id!r} : {path}. "
            f"Vérifiez {ENV_LOCAL_DIR} et le manifeste {settings.manifest}, ou retirez "
            f"{ENV_LOCAL_DIR} pour le télécharger depuis {dataset.url}."
        )
    return path


def _local_record(dataset: Dataset, path: Path, settings: Settings) -> ProvenanceRecord:
    stat = path.stat()
    return ProvenanceRecord(
        dataset=dataset.id,
        title=dataset.title,
        publisher=dataset.publisher,
        licence=dataset.licence,
        licence_url=dataset.licence_url,
        url=dataset.url,
        final_url=dataset.url,
        path=str(path),
        retrieved_at=iso_utc(stat.st_mtime),
        size=stat.st_size,
        sha256=local_sha256(path, settings),
        source="local",
    )


# --- the download cache --------------------------------------------------------------


def _checked_component(value: str, label: str, dataset_id: str) -> str:
    if not value or _UNSAFE_COMPONENT.search(value):
        raise CatalogueError(
            f"{label} {value!r} du jeu {dataset_id!r} ne peut pas servir de nom de fichier dans "
            "le cache : il ne doit contenir ni « / », ni « \\ », ni caractère de contrôle, ni "
            "commencer par « . », ni finir par « .lock » ou « .provenance.json »."
        )
    return value


def cache_path(dataset: Dataset, settings: Settings) -> Path:
    """Return where the downloaded file of ``dataset`` is kept in the cache.

    Parameters
    ----------
    dataset
        The catalogue entry.
    settings
        The settings in force, for the cache folder.

    Returns
    -------
    pathlib.Path
        ``<cache>/raw/<dataset id>/<filename>``, which may not exist yet.

    Raises
    ------
    CatalogueError
        When the dataset id or file name cannot be used as a file name.

    Examples
    --------
    >>> from bureau_data.foret import DATASET
    >>> settings = get_settings()
    >>> path = cache_path(get_dataset(DATASET), settings)
    >>> path.relative_to(settings.cache_dir).parts[0], path.name == get_dataset(DATASET).filename
    ('raw', True)
    """
    folder = _checked_component(dataset.id, "L'identifiant", dataset.id)
    name = _checked_component(dataset.filename, "Le nom de fichier", dataset.id)
    return settings.cache_dir / "raw" / folder / name


def record_path(path: Path) -> Path:
    """Return the path of the provenance record stored beside a cached file.

    Parameters
    ----------
    path
        A cached file.

    Returns
    -------
    pathlib.Path
        ``<path>.provenance.json``, in the same folder.

    Examples
    --------
    >>> record_path(Path("cache/raw/geo/regions.geojson")).as_posix()
    'cache/raw/geo/regions.geojson.provenance.json'
    """
    return path.with_name(path.name + ".provenance.json")


def lock_path(path: Path) -> Path:
    """Return the path of the lock file that guards a cached file and its record.

    Parameters
    ----------
    path
        A cached file.

    Returns
    -------
    pathlib.Path
        ``<path>.lock``, in the same folder.

    Examples
    --------
    >>> lock_path(Path("cache/raw/geo/regions.geojson")).as_posix()
    'cache/raw/geo/regions.geojson.lock'
    """
    return path.with_name(path.name + ".lock")


def damaged_file_advice(path: Path) -> str:
    """Return what to do about a damaged raw file, as a French sentence, by where it is.

    A file of the local data folder must be replaced there, because ``bureau-data vider``
    only deletes downloads. A cached download is deleted with ``bureau-data vider ID``
    so that the next call downloads it again. A download still in its temporary file
    needs nothing, because the download step rejects it and tries again.

    Parameters
    ----------
    path
        The damaged file.

    Returns
    -------
    str
        One sentence ending with a period, or an empty string for a temporary download.

    Examples
    --------
    >>> from bureau_data.foret import DATASET
    >>> settings = get_settings()
    >>> print(damaged_file_advice(local_path(get_dataset(DATASET), settings)))
    Remplacez ce fichier dans le dossier local (BUREAU_DATA_LOCAL_DIR=...) par une copie
    complète, ou retirez BUREAU_DATA_LOCAL_DIR pour le télécharger.
    >>> print(damaged_file_advice(cache_path(get_dataset(DATASET), settings)))
    Supprimez la copie en cache avec « bureau-data vider foret.owid.fra2020 », puis relancez.
    """
    settings = get_settings()
    resolved = path.resolve()
    if settings.local_dir is not None and resolved.is_relative_to(settings.local_dir.resolve()):
        return (
            f"Remplacez ce fichier dans le dossier local ({ENV_LOCAL_DIR}={settings.local_dir}) "
            f"par une copie complète, ou retirez {ENV_LOCAL_DIR} pour le télécharger."
        )
    raw_dir = (settings.cache_dir / "raw").resolve()
    if resolved.is_relative_to(raw_dir) and len(resolved.relative_to(raw_dir).parts) == 2:
        dataset_id, name = resolved.relative_to(raw_dir).parts
        if name.startswith("."):
            return ""
        return f"Supprimez la copie en cache avec « bureau-data vider {dataset_id} », puis relancez."
    return "Remplacez ce fichier par une copie complète."


def _write_json_atomic(path: Path, content: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.part")
    try:
        tmp.write_text(json.dumps(content, indent=2, ensure_ascii=False), encoding="utf-8")
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def _write_record(path: Path, record: ProvenanceRecord, checked_at: float) -> None:
    """Store the record beside ``path`` with the file's mtime, to detect later changes."""
    content = record.to_dict()
    content["cache"] = {"mtime_ns": path.stat().st_mtime_ns, "checked_at": checked_at}
    _write_json_atomic(record_path(path), content)


def _parse_time(value: str) -> float:
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp()
    except ValueError:
        return 0.0


def read_cache_entry(path: Path, *, verify: bool = False) -> CacheEntry | None:
    """Return the cached file at ``path`` with its record, or None when absent or damaged.

    The size is always compared with the record. The sha256 is computed again only when
    the file's mtime changed since the record was written, or when ``verify`` is true.
    A damaged copy is logged and treated as absent, so it is downloaded again.

    Parameters
    ----------
    path
        Where the file is kept in the cache (``cache_path``).
    verify
        Compute the sha256 again even when the file's mtime is unchanged.

    Returns
    -------
    CacheEntry or None
        The entry, or None when the file or its record is absent, unreadable or does
        not match.

    Examples
    --------
    >>> import tempfile
    >>> read_cache_entry(Path(tempfile.mkdtemp()) / "absent.csv") is None
    True
    """
    record_file = record_path(path)
    if not path.is_file() or not record_file.is_file():
        return None
    try:
        content = json.loads(record_file.read_text(encoding="utf-8"))
        record = ProvenanceRecord.from_dict(content)
        state = content.get("cache") or {}
        stat = path.stat()
    except (OSError, ValueError, TypeError) as exc:
        logger.warning("Fiche de provenance illisible %s (%s) : le fichier sera retéléchargé.",
                       record_file, exc)
        return None
    checked_at = float(state.get("checked_at") or _parse_time(record.retrieved_at))

    if stat.st_size != record.size:
        logger.warning("Copie en cache endommagée %s : %d octets au lieu de %d. Elle sera "
                       "retéléchargée.", path, stat.st_size, record.size)
        return None
    if verify or stat.st_mtime_ns != state.get("mtime_ns"):
        if sha256_file(path) != record.sha256:
            logger.warning("Copie en cache modifiée %s : son sha256 ne correspond plus à sa fiche. "
                           "Elle sera retéléchargée.", path)
            return None
        try:
            _write_record(path, record, checked_at)
        except OSError as exc:
            logger.debug("Fiche %s non mise à jour : %s", record_file, exc)
    return CacheEntry(path=path, record=record, checked_at=checked_at)


def _is_fresh(entry: CacheEntry, settings: Settings) -> bool:
    return entry.age_seconds() <= settings.max_age_seconds


def _conditional_headers(entry: CacheEntry | None) -> dict[str, str]:
    """Return the validators of the cached copy, exactly as the server sent them.

    A weak tag (``W/"v1"``) or a tag rewritten by a compressing proxy (``"v1-gzip"``)
    only matches when sent back byte for byte, so the stored text is never parsed.
    """
    if entry is None:
        return {}
    headers = {}
    if entry.record.etag:
        headers["If-None-Match"] = entry.record.etag
    if entry.record.last_modified:
        headers["If-Modified-Since"] = entry.record.last_modified
    return headers


class _CacheLock:
    """The file lock of one cached file, with French errors and a notice while waiting."""

    def __init__(self, path: Path, dataset: Dataset) -> None:
        self.path = lock_path(path)
        self.dataset = dataset
        self._lock = filelock.FileLock(str(self.path))

    def __enter__(self) -> _CacheLock:
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            try:
                self._lock.acquire(timeout=_LOCK_NOTICE_SECONDS)
            except filelock.Timeout:
                logger.info("Attente de la fin d'un autre téléchargement de %s (%s).",
                            self.dataset.id, self.path)
                self._lock.acquire(timeout=LOCK_TIMEOUT_SECONDS)
        except filelock.Timeout:
            raise DownloadError(
                f"Le fichier de {self.dataset.id!r} est verrouillé depuis plus de "
                f"{LOCK_TIMEOUT_SECONDS:.0f} s par un autre processus ({self.path}). "
                "Arrêtez ce processus, ou supprimez le verrou s'il n'existe plus."
            ) from None
        except OSError as exc:
            raise cache_write_error(exc, self.path.parent) from exc
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._lock.release()


def _install(downloaded: Downloaded, path: Path) -> ProvenanceRecord:
    """Move a checked download into place, then write its record."""
    try:
        os.replace(downloaded.tmp, path)
        _write_record(path, downloaded.record, time.time())
    except OSError as exc:
        downloaded.tmp.unlink(missing_ok=True)
        raise cache_write_error(exc, path.parent) from exc
    logger.info("%s enregistré dans le cache (%d octets, sha256 %s).", downloaded.record.dataset,
                downloaded.record.size, downloaded.record.sha256[:12])
    return downloaded.record


def shrunk_download_error(dataset: Dataset, new_size: int, entry: CacheEntry) -> ShrunkDownloadError:
    """Return the error for a download much smaller than the cached copy, with the fix.

    Parameters
    ----------
    dataset
        The catalogue entry of the download.
    new_size
        Size in bytes of the new download.
    entry
        The cached copy that is kept.

    Returns
    -------
    ShrunkDownloadError
        The error to raise or log. Its message names the dataset, both sizes and the
        commands that accept the smaller file.

    Examples
    --------
    >>> import dataclasses, time
    >>> from bureau_data.foret import DATASET
    >>> record = dataclasses.replace(fetch(DATASET).record, size=650_412,
    ...                              retrieved_at="2025-03-01T08:00:00Z")
    >>> entry = CacheEntry(path=Path(record.path), record=record, checked_at=time.time())
    >>> print(shrunk_download_error(get_dataset(DATASET), 216_804, entry))
    Le fichier téléchargé pour 'foret.owid.fra2020' (https://...) fait 216 804 octets,
    moins de la moitié des 650 412 octets de la copie en cache du 1er mars 2025 : il n'est
    pas installé et la copie en cache est conservée. Si ce fichier a vraiment rétréci,
    supprimez la copie avec « bureau-data vider foret.owid.fra2020 », puis relancez
    « bureau-data telecharger foret.owid.fra2020 ».
    """
    retrieved = format_date(entry.record.retrieved_at[:10]) if entry.record.retrieved_at else "?"
    return ShrunkDownloadError(
        f"Le fichier téléchargé pour {dataset.id!r} ({dataset.url}) fait "
        f"{format_number(new_size)} octets, moins de la moitié des "
        f"{format_number(entry.record.size)} octets de la copie en cache du {retrieved} : il "
        "n'est pas installé et la copie en cache est conservée. Si ce fichier a vraiment "
        f"rétréci, supprimez la copie avec « bureau-data vider {dataset.id} », puis relancez "
        f"« bureau-data telecharger {dataset.id} »."
    )


def _refresh(dataset: Dataset, path: Path, entry: CacheEntry | None, settings: Settings,
             strict: bool) -> ProvenanceRecord:
    """Download or revalidate ``dataset`` under its lock, and return the record in force.

    When a revalidation fails, or brings a file smaller than ``MIN_SIZE_RATIO`` times the
    cached copy, that copy is kept and returned with a warning, unless ``strict`` is true,
    in which case the error is raised.
    """
    try:
        outcome = download(dataset, path, _conditional_headers(entry), settings)
    except CacheWriteError:
        raise
    except DownloadError as exc:
        if entry is None or strict:
            raise
        logger.warning("Mise à jour de %s impossible ; la copie en cache du %s est conservée. %s",
                       dataset.id, entry.record.retrieved_at, exc)
        return entry.record

    if isinstance(outcome, NotModified):
        if entry is None:
            raise DownloadError(
                f"Le serveur a répondu 304 (non modifié) pour {dataset.id!r} ({dataset.url}) "
                "sans requête conditionnelle. Réessayez avec « bureau-data telecharger --forcer »."
            )
        logger.info("%s inchangé sur le serveur (304) : la copie en cache est gardée.", dataset.id)
        try:
            _write_record(path, entry.record, time.time())
        except OSError as exc:
            logger.warning("Fiche de %s non mise à jour (%s) : la copie sera revalidée au "
                           "prochain appel.", dataset.id, exc)
        return entry.record

    if entry is not None and outcome.record.size < MIN_SIZE_RATIO * entry.record.size:
        outcome.tmp.unlink(missing_ok=True)
        error = shrunk_download_error(dataset, outcome.record.size, entry)
        if strict:
            raise error
        logger.warning("%s", error)
        return entry.record
    return _install(outcome, path)


def offline_error(dataset: Dataset, reason: str) -> OfflineError:
    """Return the error for a file that offline mode cannot provide, with every fix.

    Parameters
    ----------
    dataset
        The catalogue entry of the missing file.
    reason
        Why the file cannot be used, as a French clause, such as ``"n'est pas en cache"``.

    Returns
    -------
    OfflineError
        The error to raise. Its message names the dataset, its URL and the two fixes.

    Examples
    --------
    >>> from bureau_data.foret import DATASET
    >>> error = offline_error(get_dataset(DATASET), "n'est pas en cache")
    >>> type(error).__name__, "bureau-data telecharger" in str(error)
    ('OfflineError', True)
    """
    return OfflineError(
        f"Le jeu de données {dataset.id!r} {reason} et le mode hors ligne est actif "
        f"({ENV_OFFLINE}=1). URL : {dataset.url}. Pour l'obtenir : lancez "
        f"« bureau-data telecharger {dataset.id} » avec une connexion et sans {ENV_OFFLINE}, "
        f"ou définissez {ENV_LOCAL_DIR} vers un dossier de données locales qui le contient."
    )


def fetch(dataset_id: str, *, refresh: bool = False) -> FetchedFile:
    """Return the raw file of a catalogue dataset, downloading it if needed.

    With ``BUREAU_DATA_LOCAL_DIR`` set, the file is read from that folder through the
    manifest and the network is never used. Otherwise a cached copy younger than
    ``BUREAU_DATA_MAX_AGE`` is returned as is (cache hits are silent). An older copy is
    revalidated with a conditional request; if that fails, the old copy is returned with
    a warning. A missing file is downloaded to a temporary file, checked, then moved into
    the cache. Concurrent calls, even from other processes, download a file once.

    A download never replaces a cached copy unless it passes these checks:

    - the body is not empty and is as long as its Content-Length;
    - it matches the format of the catalogue's file name. Zip members pass their CRC
      test, a gzip stream decompresses to its end, and JSON and GeoJSON parse. A CSV or
      text file decodes as UTF-8 or cp1252 and has no NUL byte. It is not an HTML page,
      it has a header and at least one data line, and most of its first 50 lines have
      the same number of fields;
    - when a copy is cached, the new file is at least half its size (``MIN_SIZE_RATIO``).

    A body that fails the first two checks is downloaded again, up to
    ``BUREAU_DATA_RETRIES`` times. A smaller file is not retried. In both cases the
    cached copy is kept: with a warning on an automatic revalidation, with an error when
    ``refresh`` is true. To accept a file that really shrank, delete the cached copy
    (``bureau-data vider ID``) and download again.

    Parameters
    ----------
    dataset_id
        Identifier of the dataset in the catalogue (``bureau-data catalogue``).
    refresh
        Revalidate the cached copy whatever its age, and raise when that fails.

    Returns
    -------
    FetchedFile
        ``path`` of the raw file and its provenance ``record``, also appended to the
        build's provenance log when ``BUREAU_DATA_PROVENANCE_LOG`` is set.

    Raises
    ------
    CatalogueError
        When the dataset is unknown or missing from the manifest.
    OfflineError
        When offline mode is on and the file is not cached. No socket is opened.
    IncompleteDownloadError
        When every attempt returned an empty, truncated or damaged body.
    ShrunkDownloadError
        When ``refresh`` is true and the new file is less than half the size of the
        cached copy, which is kept.
    CacheWriteError
        When the cache folder is full or not writable.
    DownloadError
        When the download fails for another reason.

    Examples
    --------
    >>> from bureau_data.foret import DATASET
    >>> fetched = fetch(DATASET)
    >>> fetched.record.publisher
    "Our World in Data, d'après la FAO (Global Forest Resources Assessment 2020)"
    """
    dataset = get_dataset(dataset_id)
    settings = get_settings()
    if settings.local_dir is not None:
        path = local_path(dataset, settings)
        record = _local_record(dataset, path, settings)
        log_use(record)
        return FetchedFile(path=path, record=record)

    path = cache_path(dataset, settings)
    entry = read_cache_entry(path)
    if entry is not None and (settings.offline or (not refresh and _is_fresh(entry, settings))):
        log_use(entry.record)
        return FetchedFile(path=path, record=entry.record)
    if settings.offline:
        reason = "n'est pas en cache" if not path.exists() else "a une copie en cache endommagée"
        raise offline_error(dataset, reason)

    try:
        with _CacheLock(path, dataset):
            # Another process may have downloaded the file while this one waited.
            entry = read_cache_entry(path)
            if entry is not None and not refresh and _is_fresh(entry, settings):
                record = entry.record
            else:
                record = _refresh(dataset, path, entry, settings, strict=refresh)
    except CacheWriteError:
        if entry is None or refresh:
            raise
        logger.warning("Cache %s non modifiable : la copie du %s de %s est utilisée sans "
                       "revalidation.", path.parent, entry.record.retrieved_at, dataset.id)
        record = entry.record
    log_use(record)
    return FetchedFile(path=path, record=record)


# --- inspection and maintenance (used by the command line) -----------------------------


def cached_entry(dataset_id: str, *, verify: bool = False) -> CacheEntry | None:
    """Return the cache entry of a dataset without any network access, or None.

    Parameters
    ----------
    dataset_id
        Identifier of the dataset in the catalogue.
    verify
        Compute the sha256 again even when the file's mtime is unchanged.

    Returns
    -------
    CacheEntry or None
        The downloaded copy, or None when it is absent or damaged. A file read from the
        local data folder is not a cache entry.

    Raises
    ------
    CatalogueError
        When the dataset is unknown.

    Examples
    --------
    >>> import os, tempfile
    >>> from unittest import mock
    >>> from bureau_data.foret import DATASET
    >>> with mock.patch.dict(os.environ, {"BUREAU_DATA_CACHE_DIR": tempfile.mkdtemp()}):
    ...     cached_entry(DATASET) is None
    True
    """
    dataset = get_dataset(dataset_id)
    return read_cache_entry(cache_path(dataset, get_settings()), verify=verify)


@dataclass(frozen=True)
class VerifyResult:
    """Outcome of re-hashing one cached download against its record.

    Examples
    --------
    >>> import os, tempfile
    >>> from unittest import mock
    >>> from bureau_data.foret import DATASET
    >>> with mock.patch.dict(os.environ, {"BUREAU_DATA_CACHE_DIR": tempfile.mkdtemp()}):
    ...     result = verify_downloads([DATASET])[0]
    >>> result.ok, result.message
    (False, 'absent du cache')
    """

    dataset: str
    path: Path
    ok: bool
    message: str
    local: bool = False  # True for a file of the local data folder, False for a download


def verify_downloads(dataset_ids: list[str] | None = None) -> list[VerifyResult]:
    """Hash every cached download again and compare it with its record.

    Parameters
    ----------
    dataset_ids
        Datasets to check; None checks every folder found under ``<cache>/raw``.

    Returns
    -------
    list of VerifyResult
        One result per file, ``ok`` False with the reason in ``message`` when the file is
        absent, its record unreadable, or its size or sha256 differs from the record.

    Raises
    ------
    CatalogueError
        When one of ``dataset_ids`` is unknown.

    Examples
    --------
    >>> import dataclasses, json, os, tempfile
    >>> from unittest import mock
    >>> from bureau_data.foret import DATASET
    >>> patch = mock.patch.dict(os.environ, {"BUREAU_DATA_CACHE_DIR": tempfile.mkdtemp()})
    >>> _ = patch.start()
    >>> path = cache_path(get_dataset(DATASET), get_settings())
    >>> path.parent.mkdir(parents=True)
    >>> _ = path.write_bytes(b"a;b\\n")
    >>> record = dataclasses.replace(fetch(DATASET).record, size=4, sha256=sha256_file(path))
    >>> _ = record_path(path).write_text(json.dumps(record.to_dict()), encoding="utf-8")
    >>> [(result.ok, result.message) for result in verify_downloads()]
    [(True, '4 octets, sha256 conforme')]
    >>> _ = path.write_bytes(b"a;c\\n")
    >>> [(result.ok, result.message) for result in verify_downloads([DATASET])]
    [(False, 'sha256 8b76c3494f60… au lieu de 9a8be2eb1604… selon la fiche')]
    >>> _ = patch.stop()
    """
    settings = get_settings()
    raw_dir = settings.cache_dir / "raw"
    results: list[VerifyResult] = []
    if dataset_ids is None:
        folders = sorted(p for p in raw_dir.iterdir() if p.is_dir()) if raw_dir.is_dir() else []
        targets = [(folder.name, file) for folder in folders for file in sorted(folder.iterdir())
                   if file.is_file() and not file.name.startswith(".")
                   and not file.name.endswith((".provenance.json", ".lock"))]
    else:
        targets = [(i, cache_path(get_dataset(i), settings)) for i in dataset_ids]
    for dataset_id, path in targets:
        results.append(_verify_one(dataset_id, path))
    return results


def _verify_one(dataset_id: str, path: Path) -> VerifyResult:
    if not path.is_file():
        return VerifyResult(dataset_id, path, False, "absent du cache")
    record_file = record_path(path)
    try:
        record = ProvenanceRecord.from_dict(json.loads(record_file.read_text(encoding="utf-8")))
    except (OSError, ValueError, TypeError) as exc:
        return VerifyResult(dataset_id, path, False, f"fiche de provenance illisible ({exc})")
    size = path.stat().st_size
    if size != record.size:
        return VerifyResult(dataset_id, path, False,
                            f"taille {size} octets au lieu de {record.size} selon la fiche")
    digest = sha256_file(path)
    if digest != record.sha256:
        return VerifyResult(dataset_id, path, False,
                            f"sha256 {digest[:12]}… au lieu de {record.sha256[:12]}… selon la fiche")
    return VerifyResult(dataset_id, path, True, f"{size} octets, sha256 conforme")


SHA256SUMS = "SHA256SUMS"  # checksum file of a data folder, in the format of sha256sum


def verify_local_files(dataset_ids: list[str] | None = None) -> list[VerifyResult]:
    """Hash the files of the local data folder again and check that their content is sound.

    Each file named by the manifest is hashed. Its sha256 is compared with the line for
    it in a ``SHA256SUMS`` file of its folder or of a parent folder inside the local data
    folder, when there is one. It is also compared with the hash remembered in the cache
    for the same size and mtime, which ``fetch`` would otherwise put in the provenance
    record. The content then gets the check that downloads get (zip CRC test within the
    archive limits, gzip stream, JSON, CSV text).

    Parameters
    ----------
    dataset_ids
        Datasets to check; None checks every entry of the manifest.

    Returns
    -------
    list of VerifyResult
        One result per dataset, with ``local`` true. An empty list when
        ``BUREAU_DATA_LOCAL_DIR`` is not set. ``ok`` is False, with the reason and the
        fix in ``message``, when the file is missing, its sha256 differs from a
        reference, or its content fails the check.

    Raises
    ------
    CatalogueError
        When the manifest is missing or unreadable.

    Examples
    --------
    >>> from bureau_data.foret import DATASET
    >>> [(result.ok, result.message) for result in verify_local_files([DATASET])]
    [(True, 'dossier local : foret/owid/forest-land-deforestation-and-change-fao-2020.csv, 650 412 octets, sha256 conforme à foret/SHA256SUMS, contenu vérifié')]
    """
    settings = get_settings()
    if settings.local_dir is None:
        return []
    ids = sorted(read_manifest(settings)) if dataset_ids is None else dataset_ids
    root = settings.local_dir.resolve()
    limits = Limits(settings.max_member_bytes, settings.max_archive_bytes, settings.max_ratio)
    return [_verify_local_one(dataset_id, root, settings, limits) for dataset_id in ids]


def _verify_local_one(dataset_id: str, root: Path, settings: Settings,
                      limits: Limits) -> VerifyResult:
    try:
        dataset = get_dataset(dataset_id)
        path = local_path(dataset, settings)
    except (CatalogueError, DownloadError) as exc:
        return VerifyResult(dataset_id, root, False, f"dossier local : {exc}", local=True)

    where = f"dossier local : {path.relative_to(root).as_posix()}"
    advice = damaged_file_advice(path)
    stat = path.stat()
    digest = sha256_file(path)
    reference = _reference_sha256(path, root)
    if reference is not None and reference[0] != digest:
        return VerifyResult(dataset_id, path, False,
                            f"{where} : sha256 {digest[:12]}… au lieu de {reference[0][:12]}… "
                            f"selon {reference[1].relative_to(root).as_posix()}. {advice}",
                            local=True)
    remembered = _remembered_sha256(path, stat, settings)
    _remember_sha256(path, stat, digest, settings)
    if remembered is not None and remembered != digest:
        return VerifyResult(dataset_id, path, False,
                            f"{where} : sha256 {digest[:12]}… au lieu de {remembered[:12]}… "
                            "mémorisé pour la même taille et la même date de modification : le "
                            "fichier a été réécrit. L'empreinte mémorisée est corrigée ; "
                            "vérifiez le fichier.", local=True)

    problem = _content_problem(path, dataset.filename, limits)
    if problem is not None:
        return VerifyResult(dataset_id, path, False, f"{where} : {problem}", local=True)
    checked = (f"conforme à {reference[1].relative_to(root).as_posix()}" if reference
               else f"{digest[:12]}…")
    return VerifyResult(dataset_id, path, True,
                        f"{where}, {format_number(stat.st_size)} octets, sha256 {checked}, "
                        "contenu vérifié", local=True)


def _content_problem(path: Path, filename: str, limits: Limits) -> str | None:
    """Return why the content of a local file is unsound, with the fix, or None."""
    with open(path, "rb") as handle:
        magic = handle.read(4)
    if magic and file_kind(filename, magic) == "zip":
        # The archive's own message already names the file and what to do.
        try:
            check_archive(path, limits)
        except ArchiveError as exc:
            return str(exc)
        return None
    try:
        check_content(path, filename, limits)
    except (InvalidContent, ArchiveTooLarge) as exc:
        return f"{str(exc).rstrip('.')}. {damaged_file_advice(path)}"
    return None


def _reference_sha256(path: Path, root: Path) -> tuple[str, Path] | None:
    """Return the sha256 listed for ``path`` in the nearest SHA256SUMS inside ``root``.

    The search goes from the file's folder up to ``root``. Each line of a SHA256SUMS
    file reads ``<hex>  <path relative to its folder>``, or ``<hex> *<path>`` in binary
    mode. Returns the digest and the SHA256SUMS file, or None when no file lists ``path``.
    """
    folder = path.parent
    while folder.is_relative_to(root):
        sums = folder / SHA256SUMS
        if sums.is_file():
            relative = path.relative_to(folder).as_posix()
            for line in sums.read_text(encoding="utf-8", errors="replace").splitlines():
                digest, _, name = line.strip().partition(" ")
                if name.strip().lstrip("*").removeprefix("./") == relative:
                    return digest.lower(), sums
        if folder == root:
            break
        folder = folder.parent
    return None


def clear_downloads(dataset_ids: list[str] | None = None) -> int:
    """Delete cached downloads and their records, and return how many files were deleted.

    Each file is deleted under its lock, so a download running in another process
    finishes before its file is removed. The empty lock files stay, because deleting a
    lock file that another process is waiting on would let two processes hold it.
    None deletes every download.

    Parameters
    ----------
    dataset_ids
        Datasets whose download to delete; None deletes every download.

    Returns
    -------
    int
        Number of cached files deleted, not counting their records.

    Raises
    ------
    CatalogueError
        When one of ``dataset_ids`` is unknown.

    Examples
    --------
    >>> import os, tempfile
    >>> from unittest import mock
    >>> from bureau_data.foret import DATASET
    >>> with mock.patch.dict(os.environ, {"BUREAU_DATA_CACHE_DIR": tempfile.mkdtemp()}):
    ...     path = cache_path(get_dataset(DATASET), get_settings())
    ...     path.parent.mkdir(parents=True)
    ...     _ = path.write_bytes(b"a;b\\n")
    ...     print(clear_downloads(), path.exists())
    1 False
    """
    settings = get_settings()
    raw_dir = settings.cache_dir / "raw"
    if dataset_ids is None:
        folders = sorted(p for p in raw_dir.iterdir() if p.is_dir()) if raw_dir.is_dir() else []
    else:
        folders = [cache_path(get_dataset(i), settings).parent for i in dataset_ids]
    deleted = 0
    for folder in folders:
        if not folder.is_dir():
            continue
        for file in sorted(folder.iterdir()):
            if file.name.endswith((".provenance.json", ".lock")) or file.name.startswith("."):
                continue
            with filelock.FileLock(str(lock_path(file))):
                record_path(file).unlink(missing_ok=True)
                file.unlink(missing_ok=True)
            deleted += 1
    return deleted

