"""Read the French CSV files of the public administration robustly.

Official French CSV files (data.gouv.fr, data.economie.gouv.fr, Santé publique France)
differ from one release to the next in encoding (UTF-8 with or without BOM, cp1252,
Latin-1), separator (``;``, ``,``, tab), the lines placed before the header (title,
source, unit), the number format (``1 234,5`` with a space, a no-break space U+00A0 or a
narrow no-break space U+202F between thousands, ``1.234,56``, ``1234.0``, the minus sign
U+2212) and subtotal rows mixed with the detail. This module detects each of them,
keeps every cell as text unless asked, and parses numbers only when the reading is
unambiguous.

Public functions: ``read_csv_fr`` (one call from bytes to a DataFrame), and the steps it
is made of, for loaders that need their own control: ``decode_bytes``,
``detect_separator``, ``read_rows``, ``find_header``, ``clean_header``,
``parse_number`` and ``parse_numbers``, plus ``detect_unit``.
"""

from __future__ import annotations

import csv
import io
import math
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from bureau_data.errors import SchemaError

__all__ = [
    "AmbiguousNumberError",
    "CsvText",
    "decode_bytes",
    "detect_separator",
    "read_rows",
    "find_header",
    "clean_header",
    "parse_number",
    "parse_numbers",
    "detect_unit",
    "read_csv_fr",
]

SEPARATORS = (";", ",", "\t", "|")
# Spaces found between groups of thousands: space, no-break space, narrow no-break
# space, thin space, figure space.
THOUSANDS_SPACES = " \u00a0\u202f\u2009\u2007"
MINUS_SIGNS = "-\u2212\u2013"
# Bytes that cp1252 leaves undefined: a file containing them is read as Latin-1.
_CP1252_UNDEFINED = {0x81, 0x8D, 0x8F, 0x90, 0x9D}
HEADER_SCAN_ROWS = 40
DEFAULT_TOTAL_PATTERN = r"^\s*(sous[- ]?)?total\b"


class AmbiguousNumberError(SchemaError):
    """A cell contains a number whose reading is ambiguous or invalid (``1.234``, ``12 34``).

    ``line`` is the physical line of the file (1-based) and ``value`` the cell as read.

    Examples
    --------
    >>> try:
    ...     parse_number("1.234", line=7, column="CP")
    ... except AmbiguousNumberError as exc:
    ...     print(exc.line, exc.value)
    7 1.234
    """

    def __init__(self, message: str, *, path: str | None = None, field: str | None = None,
                 value: str | None = None, line: int | None = None) -> None:
        super().__init__(message, path=path, field=field, found=value)
        self.value = value
        self.line = line


@dataclass
class CsvText:
    """Rows of a CSV file with the line where each row starts and what was detected.

    Examples
    --------
    >>> parsed = read_rows("a;b\\n1;2\\n")
    >>> parsed.rows, parsed.lines, parsed.separator
    ([['a', 'b'], ['1', '2']], [1, 2], ';')
    """

    rows: list[list[str]]
    lines: list[int]
    encoding: str
    separator: str
    name: str = ""
    empty_rows: int = 0
    notes: list[str] = field(default_factory=list)


# ---------------------------------------------------------------------------
# Bytes to text


def decode_bytes(raw: bytes, *, encoding: str | None = None, name: str = "") -> tuple[str, str]:
    """Decode the bytes of a CSV file and return ``(text, encoding)``.

    With ``encoding=None`` the encoding is detected: a byte-order mark gives UTF-8 or
    UTF-16, then strict UTF-8 is tried, then cp1252 (the Windows code page of most
    French official files, where byte 0x80 is ``€`` and 0x92 is ``’``), and Latin-1
    only when the bytes contain one of the five bytes cp1252 leaves undefined. The BOM
    is never left in the text.

    Parameters
    ----------
    raw
        The file's bytes, as published.
    encoding
        Encoding to use, or None to detect it.
    name
        File name used in messages.

    Returns
    -------
    tuple of (str, str)
        The decoded text, without byte-order mark, and the encoding used.

    Raises
    ------
    SchemaError
        When an explicit ``encoding`` cannot decode the bytes.

    Examples
    --------
    >>> decode_bytes("Défense;10 €".encode("cp1252"))
    ('Défense;10 €', 'cp1252')
    >>> decode_bytes(b"\\xef\\xbb\\xbfMission;CP")
    ('Mission;CP', 'utf-8-sig')
    """
    if encoding is not None:
        try:
            text = raw.decode(encoding)
        except (UnicodeDecodeError, LookupError) as exc:
            raise SchemaError(
                f"Impossible de décoder {name or 'le fichier'} avec l'encodage {encoding!r} : {exc}. "
                "Laissez encoding=None pour le détecter.",
                path=name or None,
            ) from exc
        return text.lstrip("\ufeff"), encoding
    if raw.startswith(b"\xef\xbb\xbf"):
        return raw[3:].decode("utf-8", errors="strict"), "utf-8-sig"
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return raw.decode("utf-16").lstrip("\ufeff"), "utf-16"
    try:
        return raw.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    if any(byte in _CP1252_UNDEFINED for byte in raw):
        return raw.decode("latin-1"), "latin-1"
    return raw.decode("cp1252"), "cp1252"


def _sample_lines(text: str, limit: int = 60) -> list[str]:
    lines = []
    for line in text.splitlines():
        if line.strip():
            lines.append(line)
        if len(lines) >= limit:
            break
    return lines


def detect_separator(text: str) -> str:
    """Return the separator of a CSV text: ``;``, ``,``, tab or ``|``.

    Each candidate splits the first non-empty lines (quotes respected). The winner is
    the one that gives the same field count, greater than one, on the most lines. On a
    tie ``;`` wins, because French files use it so that the decimal comma stays free.

    Examples
    --------
    >>> detect_separator("Mission;CP\\nDéfense;1 234,5\\n")
    ';'
    >>> detect_separator("a,b,c\\n1,2,3\\n")
    ','
    """
    sample = _sample_lines(text)
    if not sample:
        return ";"
    best, best_score = ";", (0, 0)
    for separator in SEPARATORS:
        counts = [len(row) for row in csv.reader(sample, delimiter=separator)]
        modal, frequency = Counter(counts).most_common(1)[0]
        score = (frequency if modal > 1 else 0, modal)
        if score > best_score:
            best, best_score = separator, score
    return best


def read_rows(source: bytes | str | Path, *, sep: str | None = None,
              encoding: str | None = None, name: str = "") -> CsvText:
    """Split a CSV file into rows of stripped cells, keeping each row's line number.

    Quoted fields may contain the separator and line breaks. Rows whose cells are all
    empty (``;;;;``) are skipped and counted in ``empty_rows``.

    Parameters
    ----------
    source
        Path, bytes, or already decoded text.
    sep, encoding
        Separator and encoding, or None to detect them.
    name
        File name used in messages when ``source`` is bytes or text.

    Returns
    -------
    CsvText
        The rows, the line where each starts, the encoding and separator used.

    Raises
    ------
    SchemaError
        When the bytes cannot be decoded with ``encoding`` or the CSV is malformed.

    Examples
    --------
    >>> parsed = read_rows("Titre\\n;;\\nMission;CP\\n\\"Défense; armées\\";12\\n")
    >>> parsed.rows
    [['Titre'], ['Mission', 'CP'], ['Défense; armées', '12']]
    >>> parsed.lines, parsed.empty_rows
    ([1, 3, 4], 1)
    """
    if isinstance(source, Path):
        name = name or source.name
        raw: bytes | str = source.read_bytes()
    else:
        raw = source
    if isinstance(raw, bytes):
        text, used = decode_bytes(raw, encoding=encoding, name=name)
    else:
        text, used = raw.lstrip("\ufeff"), "str"
    separator = sep or detect_separator(text)

    reader = csv.reader(io.StringIO(text, newline=""), delimiter=separator)
    rows: list[list[str]] = []
    lines: list[int] = []
    empty = 0
    previous_end = 0
    try:
        for row in reader:
            start = previous_end + 1
            previous_end = reader.line_num
            cells = [_clean_cell(cell) for cell in row]
            if not any(cells):
                empty += 1
                continue
            rows.append(cells)
            lines.append(start)
    except csv.Error as exc:
        raise SchemaError(
            f"Fichier CSV illisible {name or ''} à la ligne {reader.line_num} : {exc}.",
            path=name or None,
        ) from exc
    return CsvText(rows=rows, lines=lines, encoding=used, separator=separator, name=name,
                   empty_rows=empty)


def _clean_cell(cell: str) -> str:
    return cell.replace("\ufeff", "").strip(" \t\r\n\u00a0\u202f")


# ---------------------------------------------------------------------------
# Header


def clean_header(name: str) -> str:
    """Normalise a header cell: no BOM, no stray quotes, single spaces, no line break.

    ``" CPPLF"`` gives ``"CPPLF"``, ``"AE  PLF"`` gives ``"AE PLF"`` and a header written
    on two lines inside quotes (``"EXEC CP 2017⏎RAP 2017"``) gives ``"EXEC CP 2017 RAP 2017"``.

    Parameters
    ----------
    name
        The header cell as read.

    Returns
    -------
    str
        The cleaned name.

    Examples
    --------
    >>> clean_header('\\ufeff "AE  PLF" ')
    'AE PLF'
    >>> clean_header("EXEC CP 2017\\nRAP 2017")
    'EXEC CP 2017 RAP 2017'
    """
    name = name.replace("\ufeff", "").strip().strip('"').strip()
    return re.sub(r"\s+", " ", name)


def _looks_numeric(cell: str) -> bool:
    return bool(re.fullmatch(r"[-\u2212+]?[\d\s\u00a0\u202f.,]+", cell)) and any(c.isdigit() for c in cell)


def find_header(rows: Sequence[Sequence[str]], *, required: Iterable[str] | None = None,
                name: str = "") -> int:
    """Return the index in ``rows`` of the header row.

    With ``required`` column names, the header is the first row containing all of them
    (compared after ``clean_header`` and case folding). Otherwise it is the first row
    with at least half as many filled cells as the widest of the first rows, and at
    least two, most of them not numbers: title, source and unit lines above it have
    one or two filled cells.

    Parameters
    ----------
    rows
        Rows of cells, as in ``CsvText.rows``.
    required
        Column names the header must contain, or None to use the width rule.
    name
        File name used in messages.

    Returns
    -------
    int
        0-based index of the header row in ``rows``.

    Raises
    ------
    SchemaError
        When no row fits, naming the file and the first rows found.

    Examples
    --------
    >>> rows = [["Source : DB"], ["Mission", "AE", "CP"], ["Défense", "1", "2"]]
    >>> find_header(rows)
    1
    >>> find_header(rows, required=["cp"])
    1
    """
    scan = rows[:HEADER_SCAN_ROWS]
    if required is not None:
        wanted = {clean_header(item).casefold() for item in required}
        for index, row in enumerate(scan):
            if wanted <= {clean_header(cell).casefold() for cell in row}:
                return index
        raise SchemaError(
            f"En-tête introuvable dans {name or 'le fichier'} : aucune des {len(scan)} premières "
            f"lignes ne contient les colonnes {sorted(wanted)}. Premières lignes lues : "
            f"{[';'.join(r) for r in scan[:4]]}.",
            path=name or None,
        )
    widths = [sum(1 for cell in row if cell) for row in scan]
    if not widths:
        raise SchemaError(f"Fichier vide : {name or 'le fichier'} ne contient aucune ligne.",
                          path=name or None)
    threshold = max(2, math.ceil(max(widths) / 2))
    for index, row in enumerate(scan):
        filled = [cell for cell in row if cell]
        if len(filled) >= threshold and sum(_looks_numeric(c) for c in filled) * 2 <= len(filled):
            return index
    raise SchemaError(
        f"En-tête introuvable dans {name or 'le fichier'} : aucune ligne n'a au moins "
        f"{threshold} cellules de texte. Indiquez la ligne d'en-tête (header=…).",
        path=name or None,
    )


# ---------------------------------------------------------------------------
# Numbers

_SPACE_CLASS = re.escape(THOUSANDS_SPACES)
_NUMBER_SHAPE = re.compile(rf"^[0-9{_SPACE_CLASS}.,]*[0-9][0-9{_SPACE_CLASS}.,]*$")


def _grouped(integer: str, mark: str) -> bool:
    return bool(re.fullmatch(rf"\d{{1,3}}(?:{re.escape(mark)}\d{{3}})+", integer))


def _split_sign(text: str) -> tuple[int, str]:
    sign = 1
    if text and text[0] in MINUS_SIGNS:
        sign, text = -1, text[1:].lstrip()
    elif text.startswith("+"):
        text = text[1:].lstrip()
    elif text and text[-1] in MINUS_SIGNS:  # accounting exports put the sign after
        sign, text = -1, text[:-1].rstrip()
    return sign, text


def _strip_unit(text: str) -> str:
    return re.sub(r"\s*(€|EUR|euros?)$", "", text, flags=re.IGNORECASE)


def _describe(value: str, line: int | None, column: str | None, name: str | None) -> str:
    where = []
    if name:
        where.append(f"fichier {name}")
    if line is not None:
        where.append(f"ligne {line}")
    if column:
        where.append(f"colonne {column!r}")
    return (", ".join(where) + " : ") if where else ""


def parse_number(value: str | None, *, decimal: str | None = None, line: int | None = None,
                 column: str | None = None, name: str | None = None) -> float:
    """Parse a number written the French or the machine way; return NaN for an empty cell.

    Accepted: ``1 234,5`` (space, U+00A0 or U+202F between thousands), ``1.234,56``,
    ``1234.0``, ``-12`` or ``−12`` (U+2212), a trailing ``€``. ``decimal`` is the decimal
    mark of the column (``","`` or ``"."``) when known. Without it, a lone ``.`` followed
    by exactly three digits (``1.234``) could be a thousands separator or a decimal point,
    and is rejected.

    Parameters
    ----------
    value
        The cell as text. None or a blank cell gives NaN.
    decimal
        Decimal mark of the column, ``","`` or ``"."``, or None when unknown.
    line, column, name
        Where the cell is, for messages.

    Returns
    -------
    float
        The number, NaN for an empty cell.

    Raises
    ------
    AmbiguousNumberError
        When the value is not a number or its reading is ambiguous. The message names
        the file, line, column and value given.

    Examples
    --------
    >>> parse_number("1 234,5")
    1234.5
    >>> parse_number("−1.234,56 €")
    -1234.56
    >>> parse_number("1.234", decimal=".")
    1.234
    >>> parse_number("1.234")
    Traceback (most recent call last):
        ...
    bureau_data.csvfr.AmbiguousNumberError: valeur numérique ambiguë (« . » ...
    """
    if value is None:
        return math.nan
    raw = str(value)
    text = _strip_unit(raw.strip().strip(THOUSANDS_SPACES))
    if not text:
        return math.nan
    sign, text = _split_sign(text)
    prefix = _describe(raw, line, column, name)

    def fail(reason: str) -> AmbiguousNumberError:
        return AmbiguousNumberError(
            f"{prefix}valeur numérique {reason} : {raw!r}. Corrigez la cellule ou indiquez "
            "le séparateur décimal de la colonne (decimal=',' ou '.').",
            path=name, field=column, value=raw, line=line,
        )

    if not _NUMBER_SHAPE.match(text):
        raise fail("invalide")
    if any(space in text for space in THOUSANDS_SPACES):
        integer = re.split(r"[.,]", text, maxsplit=1)[0]
        normalised = re.sub(f"[{_SPACE_CLASS}]+", " ", integer)
        if not _grouped(normalised, " "):
            raise fail("mal groupée (les espaces doivent séparer des groupes de trois chiffres)")
        text = re.sub(f"[{_SPACE_CLASS}]", "", text)

    has_comma, has_dot = "," in text, "." in text
    if has_comma and has_dot:
        mark = "," if text.rfind(",") > text.rfind(".") else "."
        if decimal is not None and mark != decimal:
            raise fail(f"incohérente avec le séparateur décimal {decimal!r} de la colonne")
        thousands = "." if mark == "," else ","
        integer, _, fraction = text.rpartition(mark)
        if not _grouped(integer, thousands) or not fraction.isdigit():
            raise fail("mal groupée")
        return sign * float(integer.replace(thousands, "") + "." + fraction)
    if has_comma or has_dot:
        mark = "," if has_comma else "."
        parts = text.split(mark)
        if len(parts) > 2:
            if decimal == mark or not _grouped(text, mark):
                raise fail("mal groupée")
            return sign * float(text.replace(mark, ""))
        integer, fraction = parts
        if not fraction.isdigit() or (integer and not integer.isdigit()):
            raise fail("invalide")
        if decimal is None and mark == "." and len(fraction) == 3:
            raise fail("ambiguë (« . » séparateur de milliers ou décimal ?)")
        if decimal is not None and mark != decimal:
            if not _grouped(text, mark):
                raise fail(f"incohérente avec le séparateur décimal {decimal!r} de la colonne")
            return sign * float(text.replace(mark, ""))
        return sign * float((integer or "0") + "." + fraction)
    return sign * float(text)


def _column_decimal(values: Sequence[str]) -> str | None:
    """Return the decimal mark a column of number strings uses, or None when undecided."""
    dotted_fraction = False
    for value in values:
        text = value.strip()
        if "," in text:
            if "." in text and text.rfind(".") > text.rfind(","):
                return "."
            return ","
        if "." in text:
            _, _, fraction = text.rpartition(".")
            if text.count(".") == 1 and len(fraction) != 3:
                dotted_fraction = True
    return "." if dotted_fraction else None


def parse_numbers(values: Sequence[str | None], *, lines: Sequence[int] | None = None,
                  column: str | None = None, name: str | None = None,
                  decimal: str | None = None) -> np.ndarray:
    """Parse a column of number strings into float64, NaN for empty cells.

    The decimal mark is decided for the whole column: a comma anywhere makes ``,`` the
    decimal mark and ``.`` the thousands separator (``1.234,56``), a ``.`` followed by one,
    two or four and more digits makes ``.`` the decimal mark (``1234.0``). A column
    where every dotted value has exactly three digits after a single dot stays
    ambiguous, and the first such value raises.

    Parameters
    ----------
    values
        The cells of one column. None and NaN give NaN.
    lines
        Line of each cell in the file, for messages.
    column, name
        Column and file names, for messages.
    decimal
        Decimal mark of the column, or None to decide it from the values.

    Returns
    -------
    numpy.ndarray
        float64 array of the same length as ``values``.

    Raises
    ------
    AmbiguousNumberError
        At the first invalid or ambiguous value, naming its line and the value.

    Examples
    --------
    >>> parse_numbers(["1.234,5", "", "12"])
    array([1234.5,    nan,   12. ])
    >>> parse_numbers(["1.234", "2.5"])
    array([1.234, 2.5  ])
    """
    texts = ["" if v is None or (isinstance(v, float) and math.isnan(v)) else str(v) for v in values]
    mark = decimal or _column_decimal([t for t in texts if t])
    out = np.empty(len(texts), dtype="float64")
    for index, text in enumerate(texts):
        line = lines[index] if lines is not None else None
        out[index] = parse_number(text, decimal=mark, line=line, column=column, name=name)
    return out


_UNITS = (
    (re.compile(r"\b(md|mds|milliards?)\s*(€|d['’]\s*euros?|eur)", re.I), 1e9),
    (re.compile(r"\b(m|millions?)\s*(€|d['’]\s*euros?|eur)", re.I), 1e6),
    (re.compile(r"\b(k|milliers?)\s*(€|d['’]\s*euros?|eur)", re.I), 1e3),
    (re.compile(r"(\(|\ben\s+)(€|euros?)\b|\(€\)", re.I), 1.0),
)


def detect_unit(text: str) -> float | None:
    """Return the factor to euros announced by a label: ``"Montant (Md€)"`` gives 1e9.

    Recognises Md€, M€, k€, € and their spelled forms (« en millions d’euros »,
    « (en euros) »). Returns None when the label names no unit.

    Parameters
    ----------
    text
        A column header, title or unit line.

    Returns
    -------
    float or None
        Multiplier from the announced unit to euros.

    Examples
    --------
    >>> detect_unit("Montant (Md€)")
    1000000000.0
    >>> detect_unit("Crédits en millions d’euros")
    1000000.0
    >>> detect_unit("Nombre de postes") is None
    True
    """
    for pattern, factor in _UNITS:
        if pattern.search(text):
            return factor
    return None


# ---------------------------------------------------------------------------
# One call


def _deduplicate(names: list[str]) -> list[str]:
    seen: Counter[str] = Counter()
    out = []
    for index, name in enumerate(names):
        base = name or f"colonne_{index + 1}"
        seen[base] += 1
        out.append(base if seen[base] == 1 else f"{base}.{seen[base] - 1}")
    return out


def _is_code(values: Sequence[str]) -> bool:
    # A leading zero (01, 007) marks an identifier: turning it into a number loses it.
    return any(len(v) > 1 and v[0] == "0" and v[1].isdigit() for v in values)


def read_csv_fr(
    source: bytes | str | Path,
    *,
    sep: str | None = None,
    encoding: str | None = None,
    header: int | str = "auto",
    required: Iterable[str] | None = None,
    numbers: Iterable[str] | str | None = "auto",
    decimal: str | None = None,
    total_pattern: str | None = DEFAULT_TOTAL_PATTERN,
    name: str = "",
) -> pd.DataFrame:
    """Read a French CSV file into a DataFrame of strings and floats.

    Parameters
    ----------
    source
        Path, bytes, or already decoded text.
    sep, encoding
        Separator and encoding; None detects them (see ``detect_separator`` and
        ``decode_bytes``).
    header
        ``"auto"`` finds the header row (``find_header``); an int gives its 0-based index
        among the non-empty rows. The rows above it are kept in ``df.attrs["metadata"]``.
    required
        Column names that must appear in the header. The header is the first row that
        has them all, and a missing one raises ``SchemaError`` listing the columns found.
    numbers
        Columns parsed as numbers: ``"auto"`` (every column whose filled cells are all
        numbers, except identifiers with a leading zero such as ``01``), a list of
        names, or None (everything stays text).
    decimal
        Decimal mark of the number columns, when known; None decides it per column.
    total_pattern
        Regular expression (case-insensitive) matched against the first filled cell of
        each row. Matching rows (``Total Défense``, ``Sous-total``) are kept and flagged
        in a boolean ``is_total`` column, so ``df[~df.is_total]`` is the detail. None
        adds no column.
    name
        File name used in messages when ``source`` is bytes or text.

    Returns
    -------
    pandas.DataFrame
        One column per header cell (cleaned by ``clean_header``; an empty header becomes
        ``colonne_N``; fully empty trailing columns are dropped). Text columns have the
        ``string`` dtype with ``<NA>`` for empty cells, number columns ``float64``.
        ``df.attrs`` contains ``encoding``, ``separator``, ``header_line`` (1-based line of
        the file), ``metadata`` (the lines above the header) and ``lines`` (the line of
        each row).

    Raises
    ------
    SchemaError
        When the header cannot be found, a required column is missing, or a row has
        more filled cells than the header.
    AmbiguousNumberError
        When a number column holds an invalid or ambiguous value.

    Examples
    --------
    >>> df = read_csv_fr("Mission;CP\\nDéfense;1 234,5\\nTotal;1 234,5\\n".encode("cp1252"))
    >>> df.loc[~df.is_total, "CP"].sum()
    np.float64(1234.5)
    """
    parsed = read_rows(source, sep=sep, encoding=encoding, name=name)
    label = parsed.name or name or "le fichier"
    file_name = parsed.name or name or None
    if header == "auto":
        header_index = find_header(parsed.rows, required=required, name=label)
    else:
        header_index = int(header)
    if header_index >= len(parsed.rows):
        raise SchemaError(f"En-tête introuvable dans {label} : le fichier n'a que "
                          f"{len(parsed.rows)} lignes non vides.", path=label)
    names = [clean_header(cell) for cell in parsed.rows[header_index]]
    body = parsed.rows[header_index + 1:]
    body_lines = parsed.lines[header_index + 1:]

    width = max([len(names), *(len(row) for row in body)]) if body else len(names)
    names += [""] * (width - len(names))
    columns: list[list[str]] = [[] for _ in range(width)]
    for row in body:
        padded = row + [""] * (width - len(row))
        for index, cell in enumerate(padded):
            columns[index].append(cell)
    keep = [i for i in range(width) if names[i] or any(columns[i])]
    names = _deduplicate([names[i] for i in keep])
    columns = [columns[i] for i in keep]

    if required is not None:
        found = {n.casefold() for n in names}
        missing = [r for r in required if clean_header(r).casefold() not in found]
        if missing:
            raise SchemaError(
                f"Colonnes manquantes dans {label} : {missing}. Colonnes trouvées : {names}.",
                path=label, field=missing[0], found=", ".join(names),
            )

    if numbers == "auto":
        numeric = {n for n, values in zip(names, columns, strict=True)
                   if any(values) and all(_looks_numeric(v) for v in values if v)
                   and not _is_code([v for v in values if v])}
    elif numbers is None:
        numeric = set()
    else:
        numeric = set(numbers)
        unknown = numeric - set(names)
        if unknown:
            raise SchemaError(f"Colonnes numériques absentes de {label} : {sorted(unknown)}. "
                              f"Colonnes trouvées : {names}.", path=label)

    data: dict[str, object] = {}
    for column_name, values in zip(names, columns, strict=True):
        if column_name in numeric:
            data[column_name] = parse_numbers(values, lines=body_lines, column=column_name,
                                              name=file_name, decimal=decimal)
        else:
            data[column_name] = pd.array([v or None for v in values], dtype="string")
    df = pd.DataFrame(data, columns=names)

    if total_pattern is not None:
        pattern = re.compile(total_pattern, re.IGNORECASE)
        df["is_total"] = [bool(pattern.search(next((c for c in row if c), ""))) for row in body]

    df.attrs["encoding"] = parsed.encoding
    df.attrs["separator"] = parsed.separator
    df.attrs["header_line"] = parsed.lines[header_index]
    df.attrs["metadata"] = [";".join(c for c in row if c) for row in parsed.rows[:header_index]]
    df.attrs["lines"] = list(body_lines)
    return df
