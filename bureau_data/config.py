"""Settings of bureau_data, all read here from environment variables.

Every setting has a default, an environment variable and a line in the README.
``get_settings()`` reads the environment on each call, so a notebook or a test can
change a variable and the next loader call sees it. Nothing is read at import time.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from bureau_data.errors import ConfigurationError

# Root of the source checkout when the package runs from one (editable install),
# otherwise None. The checkout is recognised by its pyproject.toml and data/ folder.
_PACKAGE_DIR = Path(__file__).resolve().parent
_CHECKOUT = _PACKAGE_DIR.parent
PROJECT_ROOT: Path | None = (
    _CHECKOUT if (_CHECKOUT / "pyproject.toml").is_file() and (_CHECKOUT / "data").is_dir() else None
)

# Name of each environment variable, with the meaning of its value.
ENV_CACHE_DIR = "BUREAU_DATA_CACHE_DIR"  # folder of downloaded files and parsed tables
ENV_LOCAL_DIR = "BUREAU_DATA_LOCAL_DIR"  # folder read instead of the network (local data folder)
ENV_MANIFEST = "BUREAU_DATA_MANIFEST"  # manifest file or folder mapping datasets to local files
ENV_OFFLINE = "BUREAU_DATA_OFFLINE"  # "1" forbids any network access
ENV_OUTPUT_DIR = "BUREAU_DATA_OUTPUT_DIR"  # folder where the built articles go
ENV_SITE_URL = "BUREAU_DATA_SITE_URL"  # public http(s) URL of the built site, for the feed and sitemap
ENV_MAX_AGE = "BUREAU_DATA_MAX_AGE"  # seconds before a cached download is revalidated
ENV_PROVENANCE_LOG = "BUREAU_DATA_PROVENANCE_LOG"  # set by the build: JSON lines of files read
ENV_CATALOGUE_DIR = "BUREAU_DATA_CATALOGUE_DIR"  # folder of catalogue TOML files (tests use their own)
ENV_RETRIES = "BUREAU_DATA_RETRIES"  # retries of a failed download (connection error, 5xx, truncated)
ENV_BACKOFF = "BUREAU_DATA_BACKOFF"  # seconds before the first retry, doubled at each retry
ENV_CONNECT_TIMEOUT = "BUREAU_DATA_CONNECT_TIMEOUT"  # seconds to open a connection
ENV_READ_TIMEOUT = "BUREAU_DATA_READ_TIMEOUT"  # seconds without receiving a byte before giving up
ENV_PROGRESS = "BUREAU_DATA_PROGRESS"  # "0" hides the progress bar of long downloads
ENV_MAX_MEMBER_BYTES = "BUREAU_DATA_MAX_MEMBER_BYTES"  # largest uncompressed zip member, in bytes
ENV_MAX_ARCHIVE_BYTES = "BUREAU_DATA_MAX_ARCHIVE_BYTES"  # largest uncompressed total of an archive
ENV_MAX_RATIO = "BUREAU_DATA_MAX_RATIO"  # largest uncompressed/compressed size ratio of a zip member

DEFAULT_MAX_AGE_SECONDS = 24 * 3600
DEFAULT_RETRIES = 3
DEFAULT_BACKOFF_SECONDS = 1.0
DEFAULT_CONNECT_TIMEOUT = 10.0
DEFAULT_READ_TIMEOUT = 60.0
# The largest member of the Assemblée nationale archives in ../shared/data is about 115 kB and
# the largest archive about 86 MB uncompressed, with ratios under 30; the limits leave wide room.
DEFAULT_MAX_MEMBER_BYTES = 512 * 1024 * 1024
DEFAULT_MAX_ARCHIVE_BYTES = 8 * 1024 * 1024 * 1024
DEFAULT_MAX_RATIO = 200.0

_TRUE = {"1", "true", "yes", "oui", "on"}
_FALSE = {"0", "false", "no", "non", "off", ""}


@dataclass(frozen=True)
class Settings:
    """Resolved settings of one call, with every path absolute.

    Examples
    --------
    >>> settings = get_settings()
    >>> settings.retries, settings.max_ratio
    (3, 200.0)
    """

    cache_dir: Path
    local_dir: Path | None
    manifest: Path | None
    offline: bool
    output_dir: Path
    max_age_seconds: int
    provenance_log: Path | None
    catalogue_dir: Path | None = None
    retries: int = DEFAULT_RETRIES
    backoff_seconds: float = DEFAULT_BACKOFF_SECONDS
    connect_timeout: float = DEFAULT_CONNECT_TIMEOUT
    read_timeout: float = DEFAULT_READ_TIMEOUT
    progress: bool = True
    max_member_bytes: int = DEFAULT_MAX_MEMBER_BYTES
    max_archive_bytes: int = DEFAULT_MAX_ARCHIVE_BYTES
    max_ratio: float = DEFAULT_MAX_RATIO
    site_url: str | None = None


def _default_base() -> Path:
    """Return the checkout root, or the current directory for an installed package."""
    return PROJECT_ROOT if PROJECT_ROOT is not None else Path.cwd()


def _read_bool(name: str, default: bool = False) -> bool:
    raw = os.environ.get(name, "").strip().lower()
    if not raw:
        return default
    if raw in _TRUE:
        return True
    if raw in _FALSE:
        return False
    raise ConfigurationError(
        f"Valeur invalide pour {name} : {raw!r}. Valeurs acceptées : 1/0, true/false, oui/non."
    )


def _read_path(name: str) -> Path | None:
    raw = os.environ.get(name, "").strip()
    return Path(raw).expanduser().resolve() if raw else None


def _read_max_age() -> int:
    return int(_read_number(ENV_MAX_AGE, DEFAULT_MAX_AGE_SECONDS, integer=True,
                            example="86400 pour un jour"))


def _read_number(name: str, default: float, *, integer: bool = False, minimum: float = 0,
                 example: str = "") -> float:
    """Read a number from the environment, rejecting text and values below ``minimum``."""
    raw = os.environ.get(name, "").strip().replace("_", "")
    if not raw:
        return default
    kind = "un nombre entier" if integer else "un nombre"
    hint = f", par exemple {example}" if example else ""
    try:
        value: float = int(raw) if integer else float(raw.replace(",", "."))
    except ValueError:
        raise ConfigurationError(
            f"Valeur invalide pour {name} : {raw!r}. Indiquez {kind}{hint}."
        ) from None
    if not value >= minimum:  # also rejects NaN
        raise ConfigurationError(f"{name} doit être supérieur ou égal à {minimum:g}, pas {raw}.")
    return value


def _read_site_url() -> str | None:
    raw = os.environ.get(ENV_SITE_URL, "").strip()
    if not raw:
        return None
    if not raw.startswith(("http://", "https://")):
        raise ConfigurationError(
            f"Valeur invalide pour {ENV_SITE_URL} : {raw!r}. Indiquez une URL absolue http(s), "
            "par exemple https://exemple.fr/articles/."
        )
    return raw if raw.endswith("/") else raw + "/"


def default_manifest() -> Path | None:
    """Return the manifest shipped with the checkout for ``../shared/data``, if present.

    Returns
    -------
    pathlib.Path or None
        ``data/manifest/`` of the checkout. None for an installed package, which has no
        checkout, or when the folder is absent.

    Examples
    --------
    >>> default_manifest().relative_to(PROJECT_ROOT).as_posix()
    'data/manifest'
    """
    if PROJECT_ROOT is None:
        return None
    folder = PROJECT_ROOT / "data" / "manifest"
    return folder if folder.is_dir() else None


def get_settings() -> Settings:
    """Read the environment and return the settings in force now.

    Returns
    -------
    Settings
        Every setting, read from the environment at this call, with its default when the
        variable is unset or empty.

    Raises
    ------
    ConfigurationError
        When a variable holds a value that cannot be read, or the local data
        folder does not exist.

    Examples
    --------
    >>> import os
    >>> from unittest import mock
    >>> with mock.patch.dict(os.environ, {"BUREAU_DATA_RETRIES": "5"}):
    ...     get_settings().retries
    5
    >>> with mock.patch.dict(os.environ, {"BUREAU_DATA_OFFLINE": "peut-être"}):
    ...     get_settings()
    Traceback (most recent call last):
        ...
    bureau_data.errors.ConfigurationError: Valeur invalide pour BUREAU_DATA_OFFLINE : ...
    """
    base = _default_base()
    local_dir = _read_path(ENV_LOCAL_DIR)
    if local_dir is not None and not local_dir.is_dir():
        raise ConfigurationError(
            f"Le dossier de données locales {local_dir} (variable {ENV_LOCAL_DIR}) n'existe pas. "
            f"Corrigez le chemin ou retirez la variable pour télécharger depuis les sources officielles."
        )
    manifest = _read_path(ENV_MANIFEST) or default_manifest()
    return Settings(
        cache_dir=_read_path(ENV_CACHE_DIR) or (base / "data" / "cache"),
        local_dir=local_dir,
        manifest=manifest,
        offline=_read_bool(ENV_OFFLINE),
        output_dir=_read_path(ENV_OUTPUT_DIR) or (base / "articles"),
        max_age_seconds=_read_max_age(),
        provenance_log=_read_path(ENV_PROVENANCE_LOG),
        catalogue_dir=_read_path(ENV_CATALOGUE_DIR),
        retries=int(_read_number(ENV_RETRIES, DEFAULT_RETRIES, integer=True, example="3")),
        backoff_seconds=_read_number(ENV_BACKOFF, DEFAULT_BACKOFF_SECONDS, example="0.5"),
        connect_timeout=_read_number(ENV_CONNECT_TIMEOUT, DEFAULT_CONNECT_TIMEOUT, minimum=0.001,
                                     example="10"),
        read_timeout=_read_number(ENV_READ_TIMEOUT, DEFAULT_READ_TIMEOUT, minimum=0.001,
                                  example="60"),
        progress=_read_bool(ENV_PROGRESS, default=True),
        max_member_bytes=int(_read_number(ENV_MAX_MEMBER_BYTES, DEFAULT_MAX_MEMBER_BYTES,
                                          integer=True, minimum=1, example="536870912")),
        max_archive_bytes=int(_read_number(ENV_MAX_ARCHIVE_BYTES, DEFAULT_MAX_ARCHIVE_BYTES,
                                           integer=True, minimum=1, example="8589934592")),
        max_ratio=_read_number(ENV_MAX_RATIO, DEFAULT_MAX_RATIO, minimum=1, example="200"),
        site_url=_read_site_url(),
    )
