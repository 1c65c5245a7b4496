"""Exceptions raised by bureau_data, with messages in French for the analysts.

Every exception derives from ``BureauDataError``, so a notebook can catch them all.
Each message names the file, dataset, field or value concerned and says what to do.
"""

from __future__ import annotations


class BureauDataError(Exception):
    """Base class of every error raised by bureau_data.

    Examples
    --------
    >>> from bureau_data.catalogue import get_dataset
    >>> try:
    ...     get_dataset("foret")
    ... except BureauDataError as exc:
    ...     print(type(exc).__name__)
    CatalogueError
    """


class ConfigurationError(BureauDataError, ValueError):
    """A setting (environment variable or argument) holds an invalid value.

    Examples
    --------
    >>> from bureau_data.french import format_euros
    >>> format_euros(1_500, unit="M")
    Traceback (most recent call last):
        ...
    bureau_data.errors.ConfigurationError: Unité inconnue : 'M'. Unités possibles : Md€, ...
    """


class CatalogueError(BureauDataError, KeyError):
    """A dataset is missing from the catalogue, or a catalogue file is invalid.

    Examples
    --------
    >>> from bureau_data.catalogue import get_dataset
    >>> try:
    ...     get_dataset("foret")
    ... except KeyError as exc:
    ...     print(exc)
    Jeu de données inconnu : 'foret'. La commande « bureau-data catalogue » liste les
    jeux disponibles.
    """

    def __str__(self) -> str:  # KeyError would print the message with quotes
        return str(self.args[0]) if self.args else ""


class DownloadError(BureauDataError, OSError):
    """A download failed, was incomplete or could not be checked.

    Examples
    --------
    >>> issubclass(DownloadError, OSError)
    True
    """


class OfflineError(DownloadError):
    """A file is needed but offline mode forbids downloading it.

    Examples
    --------
    >>> import os, tempfile
    >>> from unittest import mock
    >>> from bureau_data.fetch import fetch
    >>> from bureau_data.foret import DATASET
    >>> offline = {"BUREAU_DATA_OFFLINE": "1", "BUREAU_DATA_LOCAL_DIR": "",
    ...            "BUREAU_DATA_CACHE_DIR": tempfile.mkdtemp()}
    >>> with mock.patch.dict(os.environ, offline):
    ...     fetch(DATASET)
    Traceback (most recent call last):
        ...
    bureau_data.errors.OfflineError: Le jeu de données ... n'est pas en cache et le mode hors ligne ...
    """


class IncompleteDownloadError(DownloadError):
    """A downloaded body was shorter than announced or failed its integrity check.

    Examples
    --------
    >>> issubclass(IncompleteDownloadError, DownloadError)
    True
    """


class ShrunkDownloadError(DownloadError):
    """A complete download was not installed because it is much smaller than the cached copy.

    Examples
    --------
    >>> issubclass(ShrunkDownloadError, DownloadError)
    True
    """


class CacheWriteError(DownloadError):
    """The cache folder cannot be written (full disk, read-only folder, no permission).

    Examples
    --------
    >>> import errno, pathlib
    >>> from bureau_data._download import cache_write_error
    >>> disk_full = OSError(errno.ENOSPC, "No space left on device")
    >>> error = cache_write_error(disk_full, pathlib.Path("/cache/raw/x.csv"))
    >>> isinstance(error, OSError)
    True
    >>> print(error)
    Impossible d'écrire dans le cache /cache/raw/x.csv : le disque est plein (ou le quota
    est atteint). Libérez de la place (bureau-data vider) ou choisissez un autre dossier
    avec BUREAU_DATA_CACHE_DIR. Aucun fichier partiel n'a été laissé et la copie déjà en
    cache, s'il y en a une, est conservée.
    """


class ArchiveError(BureauDataError, ValueError):
    """A zip archive is damaged or contains an unsafe member.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> from bureau_data.archive import list_members
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "tronque.zip"
    >>> _ = path.write_bytes(b"PK\\x03\\x04 tronque")
    >>> list_members(path)
    Traceback (most recent call last):
        ...
    bureau_data.errors.ArchiveError: .../tronque.zip n'est pas une archive zip lisible ...
    """


class ArchiveTooLarge(ArchiveError):
    """A zip member exceeds the size or compression-ratio limit (zip bomb).

    Examples
    --------
    >>> import pathlib, tempfile, zipfile
    >>> from bureau_data.archive import iter_members
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "gros.zip"
    >>> with zipfile.ZipFile(path, "w") as zf:
    ...     zf.writestr("gros.json", b"0" * 2000)
    >>> list(iter_members(path, max_member_bytes=1000))
    Traceback (most recent call last):
        ...
    bureau_data.errors.ArchiveTooLarge: Membre 'gros.json' de .../gros.zip trop volumineux ...
    """


class SchemaError(BureauDataError, ValueError):
    """A source file lacks a field the loader needs, or the field has an unexpected shape.

    ``path`` is the file, ``field`` the field path inside a record, ``found`` a short
    description of what was found instead.

    Examples
    --------
    >>> from bureau_data.delimited import read_delimited
    >>> try:
    ...     read_delimited("dep;jour\\n01;2021-03-01\\n", required=["reg"], name="vacsi.csv")
    ... except SchemaError as exc:
    ...     print(exc.path, exc.field, exc.found)
    vacsi.csv reg dep, jour
    """

    def __init__(self, message: str, *, path: str | None = None, field: str | None = None,
                 found: str | None = None) -> None:
        super().__init__(message)
        self.path = path
        self.field = field
        self.found = found


class DataCheckError(BureauDataError, ValueError):
    """A check on loaded data failed (totals that do not add up, duplicate keys...).

    Examples
    --------
    >>> from bureau_data.codes import normalize_departement
    >>> normalize_departement("20")
    Traceback (most recent call last):
        ...
    bureau_data.errors.DataCheckError: Code de département invalide dans le champ « ...
    """


class BuildError(BureauDataError, RuntimeError):
    """An article could not be built.

    Examples
    --------
    >>> issubclass(BuildError, RuntimeError)
    True
    """


class DataWarning(UserWarning):
    """A loader repaired, dropped or could not resolve some records; the message gives counts.

    Examples
    --------
    >>> import warnings
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     warnings.warn("3 ligne(s) sans code de département ignorée(s).", DataWarning)
    >>> caught[0].category.__name__, str(caught[0].message)
    ('DataWarning', '3 ligne(s) sans code de département ignorée(s).')
    """
