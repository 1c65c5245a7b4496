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
ENV_MAX_AGE = "BUREAU_DATA_MAX_AGE"  # seconds before a cached download is revalidated
ENV_PROVENANCE_LOG = "BUREAU_DATA_PROVENANCE_LOG"  # set by the build: JSON lines of files read

DEFAULT_MAX_AGE_SECONDS = 24 * 3600

_TRUE = {"1", "true", "yes", "oui", "on"}
_FALSE = {"0", "false", "no", "non", "off", ""}


@dataclass(frozen=True)
class Settings:
    """Resolved settings of one call, with every path absolute."""

    cache_dir: Path
    local_dir: Path | None
    manifest: Path | None
    offline: bool
    output_dir: Path
    max_age_seconds: int
    provenance_log: Path | None


def _default_base() -> Path:
    """Return the checkout root, or the current directory for an installed package."""
    return PROJECT_ROOT if PROJECT_ROOT is not None else Path.cwd()


def _read_bool(name: str) -> bool:
    raw = os.environ.get(name, "").strip().lower()
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
    raw = os.environ.get(ENV_MAX_AGE, "").strip()
    if not raw:
        return DEFAULT_MAX_AGE_SECONDS
    try:
        value = int(raw)
    except ValueError:
        raise ConfigurationError(
            f"Valeur invalide pour {ENV_MAX_AGE} : {raw!r}. "
            "Indiquez un nombre entier de secondes, par exemple 86400 pour un jour."
        ) from None
    if value < 0:
        raise ConfigurationError(f"{ENV_MAX_AGE} doit être positif ou nul, pas {value}.")
    return value


def default_manifest() -> Path | None:
    """Return the manifest shipped with the checkout for ``../shared/data``, if present."""
    if PROJECT_ROOT is None:
        return None
    folder = PROJECT_ROOT / "data" / "manifest"
    return folder if folder.is_dir() else None


def get_settings() -> Settings:
    """Read the environment and return the settings in force now.

    Raises
    ------
    ConfigurationError
        When a variable holds a value that cannot be read, or the local data
        folder does not exist.
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
    )
