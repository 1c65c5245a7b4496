"""HTTP downloads into the cache: one session, retries, streaming, checks, atomic rename.

``download()`` writes the body to a temporary file beside the target, checks it, and
returns it with its provenance record. The caller moves it into place. The checks reject
an empty body, a body shorter than its Content-Length, and an HTML page served in place
of a data file. They also reject a file that fails the check of its format (see
``bureau_data._content``), so a bad copy never enters the cache. Connection errors, timeouts, 429 and 5xx answers and rejected bodies are retried
with exponential backoff.
"""

from __future__ import annotations

import errno
import hashlib
import http.client
import logging
import os
import tempfile
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import requests
import urllib3

from bureau_data import __version__
from bureau_data._content import InvalidContent, check_content
from bureau_data.archive import Limits
from bureau_data.catalogue import Dataset
from bureau_data.config import (
    ENV_CACHE_DIR,
    ENV_LOCAL_DIR,
    ENV_RETRIES,
    Settings,
)
from bureau_data.errors import (
    CacheWriteError,
    DownloadError,
    IncompleteDownloadError,
)
from bureau_data.provenance import ProvenanceRecord

logger = logging.getLogger("bureau_data.fetch")

CHUNK_SIZE = 1 << 16
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
MAX_RETRY_AFTER_SECONDS = 60.0  # a longer Retry-After is shortened to this
PROGRESS_DELAY_SECONDS = 2.0  # the progress bar appears only for downloads longer than this
_DISK_FULL = {errno.ENOSPC, errno.EDQUOT, errno.EFBIG}
_READ_ONLY = {errno.EROFS, errno.EACCES, errno.EPERM}

_session_lock = threading.Lock()
_session: tuple[int, requests.Session] | None = None


def get_session() -> requests.Session:
    """Return this process's HTTP session, created on first use.

    The session is rebuilt after a fork, because a connection pool must not be shared
    between processes. Retries are done by ``download``, not by the adapter, so that a
    truncated body is retried like a failed connection.

    Returns
    -------
    requests.Session
        The session, with the ``bureau-data/<version>`` User-Agent.

    Examples
    --------
    >>> session = get_session()
    >>> session is get_session(), session.headers["User-Agent"].startswith("bureau-data/")
    (True, True)
    """
    global _session
    with _session_lock:
        if _session is None or _session[0] != os.getpid():
            session = requests.Session()
            session.headers["User-Agent"] = f"bureau-data/{__version__}"
            adapter = requests.adapters.HTTPAdapter(max_retries=0)
            session.mount("http://", adapter)
            session.mount("https://", adapter)
            _session = (os.getpid(), session)
        return _session[1]


class NotModified:
    """The server returned 304 Not Modified, so the cached copy is still current.

    See Also
    --------
    download : Returns this marker when a conditional request gets a 304 response.
    """


@dataclass
class Downloaded:
    """A complete, checked body in a temporary file beside the cache target.

    See Also
    --------
    download : Returns it, and its example reads ``tmp`` and ``record``.
    """

    tmp: Path
    record: ProvenanceRecord


class _Retryable(Exception):
    """A failure that a new attempt may not repeat. ``incomplete`` marks a rejected body."""

    def __init__(self, message: str, *, incomplete: bool = False, retry_after: float | None = None):
        super().__init__(message)
        self.incomplete = incomplete
        self.retry_after = retry_after


def iso_utc(timestamp: float) -> str:
    """Format a POSIX timestamp as ISO 8601 UTC with a ``Z`` suffix.

    Parameters
    ----------
    timestamp
        Seconds since 1970-01-01 UTC.

    Returns
    -------
    str
        The time to the second, such as ``2024-01-15T09:30:00Z``.

    Examples
    --------
    >>> iso_utc(0), iso_utc(1_705_311_000.9)
    ('1970-01-01T00:00:00Z', '2024-01-15T09:30:00Z')
    """
    return datetime.fromtimestamp(timestamp, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def cache_write_error(exc: OSError, path: Path) -> CacheWriteError:
    """Return a French error for a failed write in the cache, naming the cause and the fix.

    Parameters
    ----------
    exc
        The error of the failed write. Its ``errno`` selects the cause and fix given.
    path
        The file or folder that could not be written.

    Returns
    -------
    CacheWriteError
        The error to raise, from ``exc``.

    Examples
    --------
    >>> import errno
    >>> error = cache_write_error(PermissionError(errno.EACCES, "Permission denied"), Path("/cache"))
    >>> print(error)
    Impossible d'écrire dans le cache /cache : le dossier est en lecture seule ou n'est pas
    accessible en écriture. Donnez les droits d'écriture ou choisissez un autre dossier avec
    BUREAU_DATA_CACHE_DIR. Aucun fichier partiel n'a été laissé et la copie déjà en cache,
    s'il y en a une, est conservée.
    """
    if exc.errno in _DISK_FULL:
        cause = "le disque est plein (ou le quota est atteint)"
        fix = "Libérez de la place (bureau-data vider) ou choisissez un autre dossier"
    elif exc.errno in _READ_ONLY:
        cause = "le dossier est en lecture seule ou n'est pas accessible en écriture"
        fix = "Donnez les droits d'écriture ou choisissez un autre dossier"
    else:
        cause = f"erreur système {exc.errno} ({exc.strerror})"
        fix = "Vérifiez le dossier ou choisissez-en un autre"
    return CacheWriteError(
        f"Impossible d'écrire dans le cache {path} : {cause}. {fix} avec {ENV_CACHE_DIR}. "
        "Aucun fichier partiel n'a été laissé et la copie déjà en cache, s'il y en a une, "
        "est conservée."
    )


def _content_length(response: requests.Response) -> int | None:
    if "chunked" in response.headers.get("Transfer-Encoding", "").lower():
        return None
    raw = response.headers.get("Content-Length")
    if raw is None:
        return None
    try:
        value = int(raw.strip())
    except ValueError:
        return None
    return value if value >= 0 else None


def _retry_after(response: requests.Response) -> float | None:
    raw = response.headers.get("Retry-After", "").strip()
    if raw.isdigit():
        return min(float(raw), MAX_RETRY_AFTER_SECONDS)
    return None


def _keeps_encoding(dataset: Dataset, response: requests.Response) -> bool:
    """Tell whether to store the body as sent, without undoing its Content-Encoding.

    Some servers label a ``.gz`` file with ``Content-Encoding: gzip``. Decoding it would
    store the uncompressed bytes under a ``.gz`` name, so the raw bytes are kept.
    """
    encoding = response.headers.get("Content-Encoding", "").strip().lower()
    return encoding in {"gzip", "x-gzip"} and dataset.filename.lower().endswith((".gz", ".tgz"))


def check_body(dataset: Dataset, path: Path, content_type: str, settings: Settings) -> None:
    """Check a downloaded file: not empty, matching its format, not an HTML page.

    The format checks are those of ``bureau_data._content.check_content``: zip CRC test,
    complete gzip stream, JSON that parses, CSV text that decodes and has a header, data
    lines and a consistent field count.

    Parameters
    ----------
    dataset
        The catalogue entry. Its ``filename`` gives the expected kind of file.
    path
        The downloaded file.
    content_type
        The Content-Type header of the response.
    settings
        The settings in force, for the archive size limits.

    Raises
    ------
    ArchiveTooLarge
        When the archive exceeds a size limit (not retried).
    _Retryable
        When the body is empty, damaged or not in the expected format, which is retried.

    Examples
    --------
    >>> import tempfile
    >>> from bureau_data.catalogue import get_dataset
    >>> from bureau_data.config import get_settings
    >>> from bureau_data.foret import DATASET
    >>> path = Path(tempfile.mkdtemp()) / "page.csv"
    >>> _ = path.write_text("Entity,Year\\nFrance,2020\\n", encoding="utf-8")
    >>> check_body(get_dataset(DATASET), path, "text/csv", get_settings())
    >>> check_body(get_dataset(DATASET), path, "text/html; charset=utf-8", get_settings())
    Traceback (most recent call last):
        ...
    bureau_data._download._Retryable: le serveur a renvoyé une page HTML au lieu du fichier ...
    >>> _ = path.write_bytes(b"")
    >>> check_body(get_dataset(DATASET), path, "text/csv", get_settings())
    Traceback (most recent call last):
        ...
    bureau_data._download._Retryable: fichier vide (0 octet)
    """
    name = dataset.filename.lower()
    if content_type.split(";")[0].strip().lower() == "text/html" and not name.endswith((".html", ".htm")):
        raise _Retryable(
            "le serveur a renvoyé une page HTML au lieu du fichier attendu "
            "(page d'erreur ou de maintenance ?)",
            incomplete=True,
        )
    limits = Limits(settings.max_member_bytes, settings.max_archive_bytes, settings.max_ratio)
    try:
        check_content(path, dataset.filename, limits)
    except InvalidContent as exc:
        raise _Retryable(str(exc), incomplete=True) from exc


def _new_record(dataset: Dataset, target: Path, response: requests.Response, size: int,
                sha256: str) -> ProvenanceRecord:
    return ProvenanceRecord(
        dataset=dataset.id,
        title=dataset.title,
        publisher=dataset.publisher,
        licence=dataset.licence,
        licence_url=dataset.licence_url,
        url=dataset.url,
        final_url=response.url,
        path=str(target),
        retrieved_at=iso_utc(time.time()),
        size=size,
        sha256=sha256,
        http_date=response.headers.get("Date", ""),
        etag=response.headers.get("ETag", ""),
        last_modified=response.headers.get("Last-Modified", ""),
    )


def _progress_bar() -> type:
    """Return the tqdm class for this process: the notebook widget only when it can be drawn.

    ``tqdm.auto`` warns on import inside a kernel without ipywidgets, and that warning
    would land in a built article, so the widget class is only used when ipywidgets
    imports. The import is deferred so that loading the package never imports tqdm.
    """
    try:
        import ipywidgets  # noqa: F401
    except ImportError:
        from tqdm.std import tqdm as text_tqdm

        return text_tqdm
    from tqdm.auto import tqdm as auto_tqdm

    return auto_tqdm


def _stream_body(dataset: Dataset, response: requests.Response, tmp: Path,
                 settings: Settings) -> tuple[int, str]:
    """Write the body to ``tmp`` and return its stored size and sha256.

    The raw bytes received (before any Content-Encoding is undone) are compared with
    Content-Length, because that header counts the encoded bytes.
    """
    expected = _content_length(response)
    decode = not _keeps_encoding(dataset, response)
    digest = hashlib.sha256()
    size = 0
    raw = response.raw
    progress = _progress_bar()(total=expected, unit="B", unit_scale=True, unit_divisor=1024,
                    desc=dataset.id, disable=not settings.progress, delay=PROGRESS_DELAY_SECONDS,
                    leave=False)
    try:
        with progress, open(tmp, "wb") as out:
            received = 0
            for chunk in raw.stream(CHUNK_SIZE, decode_content=decode):
                out.write(chunk)
                digest.update(chunk)
                size += len(chunk)
                progress.update(raw.tell() - received)
                received = raw.tell()
            out.flush()
            os.fsync(out.fileno())
    except (urllib3.exceptions.HTTPError, http.client.HTTPException, requests.RequestException) as exc:
        # urllib3 raises here when the connection closes before Content-Length bytes came.
        _check_length(raw.tell(), expected)
        raise _Retryable(
            f"connexion interrompue après {raw.tell()} octets reçus ({type(exc).__name__})",
            incomplete=True,
        ) from exc
    _check_length(raw.tell(), expected)
    return size, digest.hexdigest()


def _check_length(received: int, expected: int | None) -> None:
    if expected is not None and received != expected:
        raise _Retryable(
            f"corps de réponse incomplet : {received} octets reçus sur {expected} annoncés "
            "(Content-Length)",
            incomplete=True,
        )


def _attempt(dataset: Dataset, target: Path, headers: dict[str, str],
             settings: Settings) -> Downloaded | NotModified:
    """Make one request and return a checked temporary file, or NotModified."""
    session = get_session()
    try:
        response = session.get(dataset.url, headers=headers, stream=True,
                               timeout=(settings.connect_timeout, settings.read_timeout))
    except (requests.ConnectionError, requests.Timeout) as exc:
        raise _Retryable(f"connexion impossible ou délai dépassé ({exc})") from exc
    except requests.RequestException as exc:
        raise DownloadError(
            f"Requête invalide pour {dataset.id!r} vers {dataset.url} : {exc}. Vérifiez l'URL "
            "du catalogue."
        ) from exc

    with response:
        status = response.status_code
        if status == 304:
            return NotModified()
        if status in RETRY_STATUSES:
            raise _Retryable(f"réponse HTTP {status} {response.reason}",
                             retry_after=_retry_after(response))
        if status != 200:
            raise DownloadError(
                f"Le serveur a répondu HTTP {status} {response.reason} pour {dataset.id!r} "
                f"({dataset.url}). Vérifiez l'URL du catalogue, ou utilisez un dossier local "
                f"({ENV_LOCAL_DIR})."
            )
        try:
            handle, tmp_name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.",
                                                suffix=".part")
            os.close(handle)
        except OSError as exc:
            raise cache_write_error(exc, target.parent) from exc
        tmp = Path(tmp_name)
        try:
            size, sha256 = _stream_body(dataset, response, tmp, settings)
            check_body(dataset, tmp, response.headers.get("Content-Type", ""), settings)
        except OSError as exc:
            tmp.unlink(missing_ok=True)
            if isinstance(exc, DownloadError):
                raise
            raise cache_write_error(exc, target.parent) from exc
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise
        return Downloaded(tmp=tmp, record=_new_record(dataset, target, response, size, sha256))


def download(dataset: Dataset, target: Path, headers: dict[str, str],
             settings: Settings) -> Downloaded | NotModified:
    """Download ``dataset`` to a checked temporary file beside ``target``, with retries.

    ``headers`` carries the conditional request headers, sent exactly as stored.

    Parameters
    ----------
    dataset
        The catalogue entry: ``url`` is requested, ``filename`` gives the kind of file.
    target
        Where the caller will move the file. The temporary file is created beside it.
    headers
        ``If-None-Match`` and ``If-Modified-Since`` of the cached copy, or an empty dict.
    settings
        The settings in force: retries, backoff, timeouts, progress bar, size limits.

    Returns
    -------
    Downloaded or NotModified
        The checked temporary file and its record, or ``NotModified`` when the server
        returned 304 to the conditional request.

    Raises
    ------
    IncompleteDownloadError
        When the last attempt's body was truncated or failed its check.
    DownloadError
        When the server refuses the request or cannot be reached after the retries.
    CacheWriteError
        When the temporary file cannot be written (not retried).
    ArchiveTooLarge
        When the downloaded archive exceeds a size limit (not retried).

    Examples
    --------
    >>> import dataclasses, http.server, tempfile, threading
    >>> from bureau_data.catalogue import get_dataset
    >>> from bureau_data.config import get_settings
    >>> from bureau_data.foret import DATASET
    >>> folder = Path(tempfile.mkdtemp())
    >>> _ = (folder / "a.csv").write_bytes(b"a;b\\n1;2\\n")
    >>> class Handler(http.server.SimpleHTTPRequestHandler):
    ...     def __init__(self, *args, **kwargs):
    ...         super().__init__(*args, directory=str(folder), **kwargs)
    ...     def log_message(self, *args):
    ...         pass
    >>> server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    >>> threading.Thread(target=server.serve_forever, daemon=True).start()
    >>> url = f"http://127.0.0.1:{server.server_port}/a.csv"
    >>> dataset = dataclasses.replace(get_dataset(DATASET), url=url, filename="a.csv")
    >>> result = download(dataset, folder / "copie.csv", {}, get_settings())
    >>> result.tmp.read_bytes(), result.record.size
    (b'a;b\\n1;2\\n', 8)
    >>> headers = {"If-Modified-Since": result.record.last_modified}
    >>> isinstance(download(dataset, folder / "copie.csv", headers, get_settings()), NotModified)
    True
    >>> server.shutdown()
    >>> server.server_close()
    """
    attempts = settings.retries + 1
    attempt = 1
    logger.info("Téléchargement de %s depuis %s", dataset.id, dataset.url)
    while True:
        try:
            return _attempt(dataset, target, headers, settings)
        except _Retryable as exc:
            if attempt >= attempts:
                error_class = IncompleteDownloadError if exc.incomplete else DownloadError
                raise error_class(
                    f"Échec du téléchargement de {dataset.id!r} depuis {dataset.url} après "
                    f"{attempts} essai(s) : {exc}. Aucun fichier partiel n'a été gardé. "
                    f"Réessayez plus tard, augmentez {ENV_RETRIES}, ou utilisez un dossier "
                    f"local ({ENV_LOCAL_DIR})."
                ) from exc
            wait = settings.backoff_seconds * 2 ** (attempt - 1)
            if exc.retry_after is not None:
                wait = max(wait, exc.retry_after)
            logger.warning("Téléchargement de %s : %s. Nouvel essai (%d/%d) dans %.1f s.",
                           dataset.id, exc, attempt, attempts - 1, wait)
        time.sleep(wait)
        attempt += 1
