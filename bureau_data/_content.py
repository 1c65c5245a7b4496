"""Check that a raw file's bytes match the format its name announces.

Downloads are checked with ``check_content`` before they enter the cache, and
``bureau-data verifier`` runs the same check on the files of the local data folder. The
format comes from the file name, or from the first bytes when the name has no known
extension:

- any file: not empty;
- ``.zip``: every member passes its CRC test, within the archive size limits;
- ``.gz``, ``.tgz``: the gzip stream decompresses to its end, within the archive limit;
- ``.json``, ``.geojson``: the whole file parses as JSON;
- ``.csv``, ``.tsv``, ``.txt``: the text decodes as UTF-8 (with or without BOM) or cp1252
  and contains no NUL byte. It does not start with ``<`` (an HTML or XML page), it has a
  header and at least one data line, and most of its first lines have the same number of
  fields.
"""

from __future__ import annotations

import codecs
import csv
import gzip
import io
import json
import zlib
from collections import Counter
from pathlib import Path

from bureau_data.archive import Limits, check_archive
from bureau_data.config import ENV_MAX_ARCHIVE_BYTES
from bureau_data.errors import ArchiveError, ArchiveTooLarge

ZIP_MAGIC = b"PK\x03\x04"
GZIP_MAGIC = b"\x1f\x8b"
TEXT_ENCODINGS = ("utf-8-sig", "cp1252")  # tried in this order, as the CSV readers do
CSV_DELIMITERS = (";", ",", "\t", "|")
SAMPLE_CHARS = 1 << 16  # the field-count check reads the first 64 Ki characters
SAMPLE_RECORDS = 50  # and at most this many non-blank lines of them
_READ_CHUNK = 1 << 20
_TEXT_SUFFIXES = (".csv", ".tsv", ".txt")
_JSON_SUFFIXES = (".json", ".geojson")


class InvalidContent(ValueError):
    """A file's bytes do not match its format. The French message describes what was found."""


def file_kind(filename: str, magic: bytes) -> str:
    """Return the format to check: ``zip``, ``gzip``, ``json``, ``text`` or ``other``.

    Parameters
    ----------
    filename
        The file name, whose extension decides first.
    magic
        The first bytes of the file, used when the extension is not a known one.

    Returns
    -------
    str
        One of ``zip``, ``gzip``, ``json``, ``text``, ``other``.

    Examples
    --------
    >>> file_kind("Scrutins.json.zip", b""), file_kind("a.CSV", b"PK\\x03\\x04")
    ('zip', 'text')
    >>> file_kind("export", b"PK\\x03\\x04"), file_kind("donnees.bin", b"\\x00\\x01")
    ('zip', 'other')
    """
    name = filename.lower()
    if name.endswith(".zip"):
        return "zip"
    if name.endswith((".gz", ".tgz")):
        return "gzip"
    if name.endswith(_JSON_SUFFIXES):
        return "json"
    if name.endswith(_TEXT_SUFFIXES):
        return "text"
    if magic.startswith(ZIP_MAGIC):
        return "zip"
    if magic.startswith(GZIP_MAGIC):
        return "gzip"
    return "other"


def check_content(path: Path, filename: str, limits: Limits) -> None:
    """Check that the file at ``path`` is not empty and matches the format of ``filename``.

    The checks of each format are listed in the module docstring.

    Parameters
    ----------
    path
        The file to check.
    filename
        The name that gives the format, such as the catalogue's file name of a download.
    limits
        The archive size limits for zip and gzip files.

    Raises
    ------
    InvalidContent
        When the file is empty, damaged or not in the announced format.
    ArchiveTooLarge
        When an archive exceeds a size limit.
    OSError
        When the file cannot be read.

    Examples
    --------
    >>> import tempfile
    >>> path = Path(tempfile.mkdtemp()) / "a.csv"
    >>> _ = path.write_bytes("code;libellé\\n01;Ain\\n".encode("cp1252"))
    >>> check_content(path, "a.csv", Limits.resolve())
    >>> _ = path.write_bytes(b"Service indisponible\\n")
    >>> check_content(path, "a.csv", Limits.resolve())
    Traceback (most recent call last):
        ...
    bureau_data._content.InvalidContent: texte CSV sans ligne de données : ...
    """
    with open(path, "rb") as handle:
        magic = handle.read(4)
    if not magic:
        raise InvalidContent("fichier vide (0 octet)")
    kind = file_kind(filename, magic)
    if kind == "zip":
        try:
            check_archive(path, limits)
        except ArchiveTooLarge:
            raise
        except ArchiveError as exc:
            raise InvalidContent(f"archive zip endommagée ou incomplète ({exc})") from exc
    elif kind == "gzip":
        _check_gzip(path, limits.max_archive_bytes)
    elif kind == "json":
        _check_json(path)
    elif kind == "text":
        _check_text(path)


def _check_gzip(path: Path, limit: int) -> None:
    produced = 0
    try:
        with gzip.open(path, "rb") as stream:
            while chunk := stream.read(_READ_CHUNK):
                produced += len(chunk)
                if produced > limit:
                    raise ArchiveTooLarge(
                        f"Le fichier gzip {path.name} produit plus de {limit} octets une fois "
                        f"décompressé (limite {ENV_MAX_ARCHIVE_BYTES}). Il est refusé."
                    )
    except (OSError, EOFError, zlib.error) as exc:
        raise InvalidContent(f"flux gzip endommagé ou incomplet ({exc})") from exc


def _check_json(path: Path) -> None:
    # json.load on bytes detects UTF-8 (with or without BOM), UTF-16 and UTF-32 itself.
    try:
        with open(path, "rb") as handle:
            json.load(handle)
    except UnicodeDecodeError as exc:
        raise InvalidContent(f"JSON illisible : octet {exc.start} non décodable ({exc.reason})") from exc
    except json.JSONDecodeError as exc:
        raise InvalidContent(
            f"JSON invalide ou tronqué : {exc.msg} à la ligne {exc.lineno}, colonne {exc.colno}"
        ) from exc


def _check_text(path: Path) -> None:
    sample, complete = _decode_text(path)
    stripped = sample.lstrip()
    if stripped.startswith("<"):
        raise InvalidContent(
            f"page HTML ou XML au lieu d'un texte CSV (début : {stripped[:40]!r})"
        )
    if not complete:
        # Drop the last line of the sample, which may be cut in the middle.
        sample = sample[: sample.rfind("\n") + 1]
    records = _sample_records(sample)
    if len(records) < 2:
        first = records[0] if records else []
        raise InvalidContent(
            f"texte CSV sans ligne de données : {len(records)} ligne(s) non vide(s), alors qu'un "
            f"en-tête et au moins une ligne de données sont attendus (début : "
            f"{(CSV_DELIMITERS[0].join(first))[:60]!r})"
        )
    _check_field_counts(sample, len(records))


def _decode_text(path: Path) -> tuple[str, bool]:
    """Decode the whole file, and return its first characters and whether they are all of it.

    Raises InvalidContent for a NUL byte or bytes that no encoding of TEXT_ENCODINGS decodes.
    """
    failures = []
    for encoding in TEXT_ENCODINGS:
        decoder = codecs.getincrementaldecoder(encoding)()
        parts: list[str] = []
        sampled_chars = 0
        offset = 0
        try:
            with open(path, "rb") as handle:
                while chunk := handle.read(_READ_CHUNK):
                    nul = chunk.find(b"\x00")
                    if nul >= 0:
                        raise InvalidContent(
                            f"octet nul à la position {offset + nul} : ce n'est pas un texte "
                            "CSV (fichier binaire ou encodé en UTF-16 ?)"
                        )
                    text = decoder.decode(chunk)
                    if sampled_chars <= SAMPLE_CHARS:
                        parts.append(text)
                        sampled_chars += len(text)
                    offset += len(chunk)
                decoder.decode(b"", final=True)
        except UnicodeDecodeError as exc:
            failures.append(f"{encoding} à l'octet {offset + exc.start}")
            continue
        sample = "".join(parts)
        return sample[:SAMPLE_CHARS], len(sample) <= SAMPLE_CHARS
    raise InvalidContent(f"texte illisible dans les encodages acceptés ({', '.join(failures)})")


def _sample_records(sample: str, delimiter: str = CSV_DELIMITERS[0]) -> list[list[str]]:
    """Return up to SAMPLE_RECORDS non-blank records of ``sample``, split on ``delimiter``."""
    records = []
    try:
        for record in csv.reader(io.StringIO(sample, newline=""), delimiter=delimiter):
            if any(field.strip() for field in record):
                records.append(record)
                if len(records) == SAMPLE_RECORDS:
                    break
    except csv.Error as exc:
        raise InvalidContent(f"texte CSV illisible ({exc})") from exc
    return records


def _check_field_counts(sample: str, line_count: int) -> None:
    """Reject a text where no delimiter gives the same field count to most of its first lines.

    Title lines above the header and subtotal lines make a minority of lines differ. So a
    delimiter passes when its most common count is two fields or more and at least half
    of the sampled lines have it, with a minimum of two lines (the header and one data
    line). A file that no delimiter splits on most lines has one column, and passes.
    """
    needed = max(2, (line_count + 1) // 2)
    modes = {}
    for delimiter in CSV_DELIMITERS:
        counts = Counter(len(record) for record in _sample_records(sample, delimiter))
        fields, lines = counts.most_common(1)[0]
        if fields >= 2 and lines >= needed:
            return
        modes[delimiter] = (fields, lines)
    if all(fields == 1 for fields, _ in modes.values()):
        return
    seen = "; ".join(
        f"{'tabulation' if delimiter == chr(9) else repr(delimiter)} : {fields} champs sur "
        f"{lines} ligne(s)"
        for delimiter, (fields, lines) in modes.items()
    )
    raise InvalidContent(
        f"nombre de champs incohérent sur les {line_count} premières lignes non vides : pour "
        f"aucun séparateur, la moitié des lignes n'a le même nombre de champs ({seen})"
    )
