"""Exceptions raised by bureau_data, with messages in French for the analysts.

Every exception derives from ``BureauDataError``, so a notebook can catch them all.
Each message names the file, dataset, field or value concerned and says what to do.
"""

from __future__ import annotations


class BureauDataError(Exception):
    """Base class of every error raised by bureau_data."""


class ConfigurationError(BureauDataError, ValueError):
    """A setting (environment variable or argument) holds an invalid value."""


class CatalogueError(BureauDataError, KeyError):
    """A dataset is missing from the catalogue, or a catalogue file is invalid."""

    def __str__(self) -> str:  # KeyError would print the message with quotes
        return str(self.args[0]) if self.args else ""


class DownloadError(BureauDataError, OSError):
    """A download failed, was incomplete or could not be checked."""


class OfflineError(DownloadError):
    """A file is needed but offline mode forbids downloading it."""


class IncompleteDownloadError(DownloadError):
    """A downloaded body was shorter than announced or failed its integrity check."""


class CacheWriteError(DownloadError):
    """The cache folder cannot be written (full disk, read-only folder, no permission)."""


class ArchiveError(BureauDataError, ValueError):
    """A zip archive is damaged or contains an unsafe member."""


class ArchiveTooLarge(ArchiveError):
    """A zip member exceeds the size or compression-ratio limit (zip bomb)."""


class SchemaError(BureauDataError, ValueError):
    """A source file lacks a field the loader needs, or the field has an unexpected shape.

    ``path`` is the file, ``field`` the field path inside a record, ``found`` a short
    description of what was found instead.
    """

    def __init__(self, message: str, *, path: str | None = None, field: str | None = None,
                 found: str | None = None) -> None:
        super().__init__(message)
        self.path = path
        self.field = field
        self.found = found


class DataCheckError(BureauDataError, ValueError):
    """A check on loaded data failed (totals that do not add up, duplicate keys...)."""


class BuildError(BureauDataError, RuntimeError):
    """An article could not be built."""


class DataWarning(UserWarning):
    """A loader repaired, dropped or could not resolve some records; the message gives counts."""
