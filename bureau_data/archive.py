"""Read members of zip archives in memory, with limits against zip bombs.

Members are never extracted to disk, so a member name can never make a file appear
outside the archive. An archive holding an unsafe member (absolute path, ``..``,
backslash, drive letter, symbolic link) or twice the same name is rejected as a whole.

Three limits apply, each settable per call or through the settings (see
``bureau_data.config``):

- ``max_member_bytes``: largest uncompressed size of one member
  (``BUREAU_DATA_MAX_MEMBER_BYTES``, 512 MiB by default);
- ``max_archive_bytes``: largest uncompressed total of the members read from one archive
  (``BUREAU_DATA_MAX_ARCHIVE_BYTES``, 8 GiB by default);
- ``max_ratio``: largest uncompressed/compressed ratio of a member
  (``BUREAU_DATA_MAX_RATIO``, 200 by default), checked once a member has produced more
  than ``RATIO_FLOOR_BYTES``, because a small member cannot do harm whatever its ratio.

The sizes declared in the zip headers are checked before a member is read. The bytes
actually produced are counted while it is read, and a member that ends at another size
than declared is rejected. With a forged header that understates the size, CPython's
``zipfile`` (3.11) stops at the declared size and then fails the CRC check. The count is a
second barrier that does not depend on that behaviour.
"""

from __future__ import annotations

import fnmatch
import io
import zipfile
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from bureau_data.config import (
    DEFAULT_MAX_MEMBER_BYTES,
    DEFAULT_MAX_RATIO,
    ENV_MAX_ARCHIVE_BYTES,
    ENV_MAX_MEMBER_BYTES,
    ENV_MAX_RATIO,
    get_settings,
)
from bureau_data.errors import ArchiveError, ArchiveTooLarge

MAX_MEMBER_BYTES = DEFAULT_MAX_MEMBER_BYTES  # kept for callers of read_member
MAX_RATIO = DEFAULT_MAX_RATIO
RATIO_FLOOR_BYTES = 1 << 20  # the ratio limit applies once a member has produced 1 MiB
_READ_CHUNK = 1 << 20
_UNIX_FILE_TYPE = 0o170000
_UNIX_SYMLINK = 0o120000


@dataclass(frozen=True)
class Limits:
    """Size limits applied while reading an archive (see the module docstring).

    Examples
    --------
    >>> Limits.resolve(max_member_bytes=1000)
    Limits(max_member_bytes=1000, max_archive_bytes=8589934592, max_ratio=200.0)
    """

    max_member_bytes: int
    max_archive_bytes: int
    max_ratio: float

    @classmethod
    def resolve(cls, max_member_bytes: int | None = None, max_archive_bytes: int | None = None,
                max_ratio: float | None = None) -> Limits:
        """Return the limits given, taking each one left as None from the settings."""
        settings = get_settings()
        return cls(
            max_member_bytes=settings.max_member_bytes if max_member_bytes is None else max_member_bytes,
            max_archive_bytes=settings.max_archive_bytes if max_archive_bytes is None else max_archive_bytes,
            max_ratio=settings.max_ratio if max_ratio is None else max_ratio,
        )


class _Budget:
    """Running count of the bytes produced by all members read from one archive."""

    def __init__(self, archive: Path, limit: int) -> None:
        self.archive = archive
        self.limit = limit
        self.produced = 0

    def add(self, count: int) -> None:
        self.produced += count
        if self.produced > self.limit:
            raise ArchiveTooLarge(
                f"L'archive {self.archive} produit plus de {self.limit} octets une fois "
                f"décompressée (limite {ENV_MAX_ARCHIVE_BYTES}). Elle est refusée : bombe zip "
                "possible. Si l'archive est sûre, augmentez la limite."
            )


def _clause(exc: BaseException) -> str:
    """Return an error's text without its final period, to embed it in a sentence."""
    return str(exc).strip().rstrip(".")


def _damaged_file_advice(archive: Path) -> str:
    """Return the advice on a damaged archive, with a leading space, or an empty string."""
    # Imported here because bureau_data.fetch imports this module through its downloads.
    from bureau_data.fetch import damaged_file_advice

    advice = damaged_file_advice(archive)
    return f" {advice}" if advice else ""


def _unsafe_reason(name: str) -> str | None:
    """Return why a member name is unsafe to use as a path, or None when it is safe."""
    if not name:
        return "nom vide"
    if "\x00" in name:
        return "caractère nul"
    if "\\" in name:
        return "barre oblique inverse"
    if name.startswith("/"):
        return "chemin absolu"
    if len(name) > 1 and name[1] == ":":
        return "lettre de lecteur"
    if ".." in name.split("/"):
        return "composant « .. »"
    return None


def _is_symlink(info: zipfile.ZipInfo) -> bool:
    return (info.external_attr >> 16) & _UNIX_FILE_TYPE == _UNIX_SYMLINK


def _check_member_entry(archive: Path, info: zipfile.ZipInfo) -> None:
    reason = _unsafe_reason(info.filename)
    if reason is not None:
        raise ArchiveError(
            f"Membre dangereux dans l'archive {archive} : {info.filename!r} ({reason}). "
            "L'archive est refusée ; aucun de ses membres n'est lu."
        )
    if _is_symlink(info):
        raise ArchiveError(
            f"Le membre {info.filename!r} de l'archive {archive} est un lien symbolique. "
            "L'archive est refusée ; aucun de ses membres n'est lu."
        )


def _check_declared(archive: Path, info: zipfile.ZipInfo, limits: Limits) -> None:
    """Reject a member whose declared size or ratio exceeds the limits, before reading it."""
    if info.file_size > limits.max_member_bytes:
        raise ArchiveTooLarge(
            f"Membre {info.filename!r} de {archive} trop volumineux : {info.file_size} octets "
            f"annoncés une fois décompressé, limite {limits.max_member_bytes} "
            f"({ENV_MAX_MEMBER_BYTES}). Si l'archive est sûre, augmentez la limite."
        )
    if info.file_size > RATIO_FLOOR_BYTES:
        ratio = info.file_size / max(info.compress_size, 1)
        if ratio > limits.max_ratio:
            raise ArchiveTooLarge(
                f"Membre {info.filename!r} de {archive} : taux de compression annoncé "
                f"{ratio:.0f}, supérieur à la limite {limits.max_ratio:g} ({ENV_MAX_RATIO}). "
                "Bombe zip possible : l'archive est refusée."
            )


class MemberReader(io.RawIOBase):
    """Binary stream of one zip member that counts and limits the bytes it produces.

    Examples
    --------
    >>> import pathlib, tempfile, zipfile
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "a.zip"
    >>> with zipfile.ZipFile(path, "w") as zf:
    ...     zf.writestr("a.json", b'{"n": 1}')
    >>> with zipfile.ZipFile(path) as zf:
    ...     with MemberReader(zf, zf.getinfo("a.json"), path, Limits.resolve()) as reader:
    ...         data = reader.read()
    >>> data, reader.produced
    (b'{"n": 1}', 8)
    """

    def __init__(self, zf: zipfile.ZipFile, info: zipfile.ZipInfo, archive: Path,
                 limits: Limits, budget: _Budget | None = None) -> None:
        super().__init__()
        _check_member_entry(archive, info)
        _check_declared(archive, info, limits)
        self.info = info
        self.archive = archive
        self.limits = limits
        self.produced = 0
        self._budget = budget if budget is not None else _Budget(archive, limits.max_archive_bytes)
        try:
            self._stream = zf.open(info)
        except (RuntimeError, NotImplementedError, zipfile.BadZipFile) as exc:
            # RuntimeError: encrypted member; NotImplementedError: unknown compression method.
            raise ArchiveError(f"Membre {info.filename!r} de {archive} illisible : {exc}") from exc

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        try:
            data = self._stream.read(len(buffer))
        except (zipfile.BadZipFile, EOFError, zlib.error) as exc:
            raise ArchiveError(
                f"Membre {self.info.filename!r} de {self.archive} endommagé : "
                f"{_clause(exc)}. Le fichier est peut-être tronqué."
                f"{_damaged_file_advice(self.archive)}"
            ) from exc
        count = len(data)
        buffer[:count] = data
        self._count(count)
        return count

    def _count(self, count: int) -> None:
        name = self.info.filename
        if count == 0:
            if self.produced != self.info.file_size:
                raise ArchiveError(
                    f"Membre {name!r} de {self.archive} : {self.produced} octets produits alors "
                    f"que l'en-tête en annonce {self.info.file_size}. Les tailles annoncées sont "
                    "fausses : l'archive est refusée."
                )
            return
        self.produced += count
        self._budget.add(count)
        if self.produced > self.limits.max_member_bytes:
            raise ArchiveTooLarge(
                f"Membre {name!r} de {self.archive} : plus de {self.limits.max_member_bytes} "
                f"octets produits alors que {self.info.file_size} étaient annoncés "
                f"({ENV_MAX_MEMBER_BYTES}). L'archive est refusée."
            )
        if self.produced > RATIO_FLOOR_BYTES:
            ratio = self.produced / max(self.info.compress_size, 1)
            if ratio > self.limits.max_ratio:
                raise ArchiveTooLarge(
                    f"Membre {name!r} de {self.archive} : taux de compression réel supérieur "
                    f"à {ratio:.0f} après {self.produced} octets, limite "
                    f"{self.limits.max_ratio:g} ({ENV_MAX_RATIO}). Bombe zip possible : "
                    "l'archive est refusée."
                )

    def close(self) -> None:
        if not self.closed:
            self._stream.close()
        super().close()


def _open_zip(archive: Path, limits: Limits) -> zipfile.ZipFile:
    """Open ``archive`` and check every entry of its central directory."""
    try:
        zf = zipfile.ZipFile(archive)
    except (zipfile.BadZipFile, OSError) as exc:
        raise ArchiveError(
            f"{archive} n'est pas une archive zip lisible ({_clause(exc)}). Le fichier est "
            f"peut-être tronqué.{_damaged_file_advice(archive)}"
        ) from exc
    try:
        seen: set[str] = set()
        for info in zf.infolist():
            _check_member_entry(archive, info)
            if info.filename in seen:
                raise ArchiveError(
                    f"L'archive {archive} contient deux membres nommés {info.filename!r}. "
                    "Elle est refusée, car on ne peut savoir lequel lire."
                )
            seen.add(info.filename)
    except BaseException:
        zf.close()
        raise
    return zf


def _file_members(zf: zipfile.ZipFile, pattern: str) -> list[zipfile.ZipInfo]:
    infos = (info for info in zf.infolist() if not info.is_dir())
    return sorted((info for info in infos if fnmatch.fnmatchcase(info.filename, pattern)),
                  key=lambda info: info.filename)


def read_member(zf: zipfile.ZipFile, info: zipfile.ZipInfo, archive: Path,
                max_bytes: int | None = None, max_ratio: float | None = None,
                *, limits: Limits | None = None, budget: _Budget | None = None) -> bytes:
    """Read one member into memory, rejecting it when it exceeds the limits.

    Parameters
    ----------
    zf, info, archive
        The open archive, the member's entry and the archive's path (for messages).
    max_bytes, max_ratio
        Limits of this call; None takes them from ``limits`` or the settings.
    limits
        All the limits at once, as given to ``iter_members``.

    Returns
    -------
    bytes
        The member's uncompressed content.

    Raises
    ------
    ArchiveTooLarge
        When the declared or actual size exceeds a limit, or the compression ratio does.
    ArchiveError
        When the member is a link, has an unsafe name, fails its CRC check or ends at
        another size than declared.

    Examples
    --------
    >>> import pathlib, tempfile, zipfile
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "a.zip"
    >>> with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
    ...     zf.writestr("a.json", b"0" * 5000)
    >>> with zipfile.ZipFile(path) as zf:
    ...     len(read_member(zf, zf.getinfo("a.json"), path))
    5000
    >>> with zipfile.ZipFile(path) as zf:
    ...     read_member(zf, zf.getinfo("a.json"), path, max_bytes=4096)
    Traceback (most recent call last):
        ...
    bureau_data.errors.ArchiveTooLarge: Membre 'a.json' de .../a.zip trop volumineux ...
    """
    base = limits if limits is not None else Limits.resolve()
    limits = Limits(
        max_member_bytes=base.max_member_bytes if max_bytes is None else max_bytes,
        max_archive_bytes=base.max_archive_bytes,
        max_ratio=base.max_ratio if max_ratio is None else max_ratio,
    )
    chunks: list[bytes] = []
    with MemberReader(zf, info, archive, limits, budget) as reader:
        while chunk := reader.read(_READ_CHUNK):
            chunks.append(chunk)
    return b"".join(chunks)


def iter_members(archive: Path, pattern: str = "*", *, max_member_bytes: int | None = None,
                 max_archive_bytes: int | None = None,
                 max_ratio: float | None = None) -> Iterator[tuple[str, bytes]]:
    """Yield ``(name, bytes)`` for each file member whose name matches ``pattern``.

    Members are read in memory one at a time, never written to disk, and yielded in
    name order so that results do not depend on the order in which the archive was
    written.

    Parameters
    ----------
    archive
        Path of the zip file.
    pattern
        ``fnmatch`` pattern on the full member name; ``*`` also matches ``/``.
    max_member_bytes, max_archive_bytes, max_ratio
        Limits of this call (see the module docstring). None takes the setting.

    Raises
    ------
    ArchiveError
        When the file is not a readable zip, contains an unsafe or duplicate member name,
        or a member is damaged.
    ArchiveTooLarge
        When a member or the archive exceeds a limit.

    Examples
    --------
    >>> import io, zipfile, tempfile, pathlib
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "a.zip"
    >>> with zipfile.ZipFile(path, "w") as zf:
    ...     zf.writestr("d/x.json", b"{}")
    >>> list(iter_members(path, "*.json"))
    [('d/x.json', b'{}')]
    """
    limits = Limits.resolve(max_member_bytes, max_archive_bytes, max_ratio)
    with _open_zip(archive, limits) as zf:
        budget = _Budget(archive, limits.max_archive_bytes)
        for info in _file_members(zf, pattern):
            yield info.filename, read_member(zf, info, archive, limits=limits, budget=budget)


def list_members(archive: Path, pattern: str = "*") -> list[str]:
    """Return the names of the file members matching ``pattern``, in name order.

    Parameters
    ----------
    archive
        Path of the zip file.
    pattern
        ``fnmatch`` pattern on the full member name. Folders are never listed.

    Returns
    -------
    list of str
        Full member names, such as ``"json/acteur/PA1.json"``.

    Raises
    ------
    ArchiveError
        As ``iter_members``, for an unreadable archive or an unsafe member name.

    Examples
    --------
    >>> import pathlib, tempfile, zipfile
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "a.zip"
    >>> with zipfile.ZipFile(path, "w") as zf:
    ...     zf.writestr("json/b.json", b"{}")
    ...     zf.writestr("json/a.json", b"{}")
    ...     zf.writestr("lisez-moi.txt", b"")
    >>> list_members(path, "json/*.json")
    ['json/a.json', 'json/b.json']
    """
    with _open_zip(archive, Limits.resolve()) as zf:
        return [info.filename for info in _file_members(zf, pattern)]


@contextmanager
def open_member(archive: Path, name: str, *, max_member_bytes: int | None = None,
                max_ratio: float | None = None) -> Iterator[BinaryIO]:
    """Open one member as a binary stream that enforces the limits while it is read.

    Use it for members too large to hold in memory, for instance with a streaming
    JSON parser.

    Parameters
    ----------
    archive
        Path of the zip file.
    name
        Full name of the member.
    max_member_bytes, max_ratio
        Limits of this call (see the module docstring). None takes the setting.

    Yields
    ------
    BinaryIO
        A buffered binary stream of the member, closed on leaving the ``with`` block.

    Raises
    ------
    ArchiveError
        When the archive or member is unreadable or unsafe, or ``name`` is absent.
    ArchiveTooLarge
        While reading, when the member exceeds a limit.

    Examples
    --------
    >>> import json, pathlib, tempfile, zipfile
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "a.zip"
    >>> with zipfile.ZipFile(path, "w") as zf:
    ...     zf.writestr("a.json", b'{"n": 1}')
    >>> with open_member(path, "a.json") as stream:
    ...     json.load(stream)
    {'n': 1}
    >>> with open_member(path, "b.json") as stream:
    ...     pass
    Traceback (most recent call last):
        ...
    bureau_data.errors.ArchiveError: Membre 'b.json' absent de l'archive .../a.zip.
    """
    limits = Limits.resolve(max_member_bytes, None, max_ratio)
    with _open_zip(archive, limits) as zf:
        try:
            info = zf.getinfo(name)
        except KeyError:
            raise ArchiveError(f"Membre {name!r} absent de l'archive {archive}.") from None
        with io.BufferedReader(MemberReader(zf, info, archive, limits), _READ_CHUNK) as stream:
            yield stream


def check_archive(archive: Path, limits: Limits | None = None) -> int:
    """Read every member of ``archive`` to check its CRC, and return the member count.

    Nothing is kept in memory beyond one chunk. The download step uses it to reject a
    damaged or oversized archive before it enters the cache.

    Parameters
    ----------
    archive
        Path of the zip file.
    limits
        Limits to apply, or None to take them from the settings.

    Returns
    -------
    int
        Number of file members.

    Raises
    ------
    ArchiveError, ArchiveTooLarge
        As ``iter_members``.

    Examples
    --------
    >>> import pathlib, tempfile, zipfile
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "a.zip"
    >>> with zipfile.ZipFile(path, "w") as zf:
    ...     zf.writestr("a.json", b"{}")
    ...     zf.writestr("../b.json", b"{}")
    >>> check_archive(path)
    Traceback (most recent call last):
        ...
    bureau_data.errors.ArchiveError: Membre dangereux dans l'archive .../a.zip ...
    """
    limits = limits if limits is not None else Limits.resolve()
    with _open_zip(archive, limits) as zf:
        budget = _Budget(archive, limits.max_archive_bytes)
        members = _file_members(zf, "*")
        for info in members:
            with MemberReader(zf, info, archive, limits, budget) as reader:
                while reader.read(_READ_CHUNK):
                    pass
    return len(members)
