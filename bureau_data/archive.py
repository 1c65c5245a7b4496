"""Read members of zip archives in memory, with limits against zip bombs.

Members are never extracted to disk. Before a member is read its declared size and
compression ratio are checked, and while it is read the bytes actually produced are
counted, because a forged header can understate the size.
"""

from __future__ import annotations

import fnmatch
import zipfile
from collections.abc import Iterator
from pathlib import Path

from bureau_data.errors import ArchiveError, ArchiveTooLarge

MAX_MEMBER_BYTES = 512 * 1024 * 1024  # largest uncompressed member accepted (512 MiB)
MAX_RATIO = 200  # largest accepted uncompressed/compressed size ratio of one member
_READ_CHUNK = 1 << 20


def _check_name(archive: Path, name: str) -> None:
    parts = name.replace("\\", "/").split("/")
    if name.startswith(("/", "\\")) or ".." in parts or "\\" in name or (len(name) > 1 and name[1] == ":"):
        raise ArchiveError(
            f"Membre dangereux dans l'archive {archive} : {name!r} "
            "(chemin absolu, « .. » ou barre oblique inverse). L'archive est refusée."
        )


def _is_symlink(info: zipfile.ZipInfo) -> bool:
    return (info.external_attr >> 16) & 0o170000 == 0o120000


def read_member(zf: zipfile.ZipFile, info: zipfile.ZipInfo, archive: Path,
                max_bytes: int = MAX_MEMBER_BYTES, max_ratio: float = MAX_RATIO) -> bytes:
    """Return the bytes of one member, refusing it when it exceeds the limits.

    Raises
    ------
    ArchiveTooLarge
        When the declared or actual size exceeds ``max_bytes``, or the declared
        compression ratio exceeds ``max_ratio``.
    ArchiveError
        When the member is a link, has an unsafe name or fails its CRC check.
    """
    _check_name(archive, info.filename)
    if _is_symlink(info):
        raise ArchiveError(f"Le membre {info.filename!r} de {archive} est un lien symbolique : refusé.")
    if info.file_size > max_bytes:
        raise ArchiveTooLarge(
            f"Membre {info.filename!r} de {archive} trop volumineux : {info.file_size} octets annoncés, "
            f"limite {max_bytes}."
        )
    if info.compress_size and info.file_size / info.compress_size > max_ratio:
        raise ArchiveTooLarge(
            f"Membre {info.filename!r} de {archive} : taux de compression "
            f"{info.file_size / info.compress_size:.0f} supérieur à la limite {max_ratio} (bombe zip ?)."
        )
    chunks: list[bytes] = []
    total = 0
    try:
        with zf.open(info) as member:
            while chunk := member.read(_READ_CHUNK):
                total += len(chunk)
                if total > max_bytes:
                    raise ArchiveTooLarge(
                        f"Membre {info.filename!r} de {archive} : plus de {max_bytes} octets produits "
                        f"alors que {info.file_size} étaient annoncés. L'archive est refusée."
                    )
                chunks.append(chunk)
    except (zipfile.BadZipFile, EOFError) as exc:
        raise ArchiveError(f"Membre {info.filename!r} de {archive} endommagé : {exc}") from exc
    return b"".join(chunks)


def iter_members(archive: Path, pattern: str = "*") -> Iterator[tuple[str, bytes]]:
    """Yield ``(name, bytes)`` for each file member whose name matches ``pattern``.

    Members are yielded in name order so that results do not depend on the order in
    which the archive was written.
    """
    try:
        zf = zipfile.ZipFile(archive)
    except zipfile.BadZipFile as exc:
        raise ArchiveError(
            f"{archive} n'est pas une archive zip valide ({exc}). Le fichier est peut-être "
            "tronqué : supprimez-le du cache (bureau-data vider) et relancez."
        ) from exc
    with zf:
        infos = sorted((info for info in zf.infolist() if not info.is_dir()), key=lambda i: i.filename)
        for info in infos:
            if fnmatch.fnmatchcase(info.filename, pattern):
                yield info.filename, read_member(zf, info, archive)
