"""Read delimited text files whose separator and column names change between releases.

Open-data CSV files are republished under the same name with a new separator (``,``
became ``;`` in the French vaccination files) or a renamed column (``epci2019`` then
``epci2020``). ``read_delimited`` detects the separator from the header line, maps the
documented aliases of each column to its current name and raises a ``SchemaError`` that
names the missing column and the columns found, before any loader code touches the
frame. Every value is read as text; the loader converts types explicitly with
``to_integers`` and ``to_floats``, so a code like ``"01"`` is never turned into ``1``.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping, Sequence
from pathlib import Path

import pandas as pd

from bureau_data.errors import SchemaError

SEPARATORS: tuple[str, ...] = (";", ",", "\t", "|")
_SEPARATOR_NAMES = {";": "point-virgule", ",": "virgule", "\t": "tabulation", "|": "barre verticale"}


def _first_lines(text: str, count: int) -> list[str]:
    lines: list[str] = []
    for line in io.StringIO(text):
        if line.strip():
            lines.append(line.rstrip("\r\n"))
        if len(lines) == count:
            break
    return lines


def _count_outside_quotes(line: str, separator: str) -> int:
    count = 0
    quoted = False
    for char in line:
        if char == '"':
            quoted = not quoted
        elif char == separator and not quoted:
            count += 1
    return count


def detect_separator(text: str, candidates: Sequence[str] = SEPARATORS) -> str:
    """Return the field separator of a delimited text, read from its first lines.

    The separator is the candidate found most often outside quotes in the header line
    and the same number of times in the next line. A text with a single column has no
    separator in its header; the first candidate is returned for it.

    Examples
    --------
    >>> detect_separator("dep;jour;n_dose1\\n01;2021-03-01;120\\n")
    ';'
    >>> detect_separator('"a","b;c"\\n1,2\\n')
    ','
    """
    lines = _first_lines(text, 2)
    if not lines:
        return candidates[0]
    header = lines[0]
    best, best_count = candidates[0], 0
    for separator in candidates:
        count = _count_outside_quotes(header, separator)
        if count == 0:
            continue
        consistent = len(lines) < 2 or _count_outside_quotes(lines[1], separator) == count
        # A separator that splits the header and the first row alike wins over a
        # character that merely appears more often in the header.
        score = count + (10_000 if consistent else 0)
        if score > best_count:
            best, best_count = separator, score
    return best


def _decode(source: Path | str | bytes, encoding: str) -> tuple[str, str]:
    """Return (text, name) of a source given as a path, raw bytes or text."""
    if isinstance(source, Path):
        raw = source.read_bytes()
        name = str(source)
    elif isinstance(source, bytes):
        raw, name = source, "<octets>"
    else:
        return source, "<texte>"
    try:
        return raw.decode(encoding), name
    except UnicodeDecodeError as exc:
        raise SchemaError(
            f"Le fichier {name} n'est pas encodé en {encoding} (octet {raw[exc.start:exc.start + 1]!r} "
            f"à la position {exc.start}). Vérifiez l'encodage déclaré pour ce jeu de données.",
            path=name, found=f"octet invalide à la position {exc.start}",
        ) from exc


def resolve_columns(
    df: pd.DataFrame,
    required: Sequence[str],
    *,
    aliases: Mapping[str, Sequence[str]] | None = None,
    name: str = "",
    separator: str | None = None,
) -> pd.DataFrame:
    """Rename documented aliases to their current name and check required columns.

    Parameters
    ----------
    df
        The frame as read, with the source's own column names.
    required
        Current names of the columns the loader needs.
    aliases
        For a current name, the names the same column had in other releases.
    name
        File name, used in the error message.
    separator
        Separator used to read the file, quoted in the error message.

    Returns
    -------
    DataFrame
        ``df`` with aliases renamed (the frame is modified in place and returned).

    Raises
    ------
    SchemaError
        When a required column is absent under its name and all its aliases. The
        message names the missing columns and lists the columns found.

    Examples
    --------
    >>> df = pd.DataFrame({"epci2019": ["200000172"], "pop": ["15"]})
    >>> resolve_columns(df, ["epci2020"], aliases={"epci2020": ["epci2019"]}).columns.tolist()
    ['epci2020', 'pop']
    >>> resolve_columns(df, ["jour"], name="vacsi.csv")
    Traceback (most recent call last):
        ...
    bureau_data.errors.SchemaError: Colonne(s) absente(s) de vacsi.csv : « jour ». Colonnes ...
    """
    aliases = aliases or {}
    renames: dict[str, str] = {}
    for column in required:
        if column in df.columns:
            continue
        for alias in aliases.get(column, ()):
            if alias in df.columns:
                renames[alias] = column
                break
    if renames:
        df = df.rename(columns=renames)
    missing = [column for column in required if column not in df.columns]
    if missing:
        found = ", ".join(map(str, df.columns)) or "aucune"
        described = []
        for column in missing:
            known = aliases.get(column, ())
            described.append(f"« {column} »" + (f" (ou {', '.join(known)})" if known else ""))
        hint = ""
        if len(df.columns) == 1 and separator is not None:
            hint = (f" Le fichier n'a qu'une colonne avec le séparateur "
                    f"{_SEPARATOR_NAMES.get(separator, repr(separator))} : son séparateur a peut-être changé.")
        raise SchemaError(
            f"Colonne(s) absente(s) de {name or 'la table'} : {', '.join(described)}. "
            f"Colonnes trouvées : {found}.{hint} Si la source a renommé une colonne, "
            "ajoutez l'ancien nom aux alias du chargeur.",
            path=name or None, field=missing[0], found=found,
        )
    return df


def read_delimited(
    source: Path | str | bytes,
    *,
    required: Sequence[str],
    aliases: Mapping[str, Sequence[str]] | None = None,
    encoding: str = "utf-8-sig",
    separator: str | None = None,
    name: str | None = None,
    na_values: Sequence[str] = (),
) -> pd.DataFrame:
    """Read a delimited text file with every value as text, and check its columns.

    Parameters
    ----------
    source
        Path of the file, its bytes, or its text.
    required
        Columns the caller needs, under their current names.
    aliases
        Former names of required columns (see ``resolve_columns``).
    encoding
        Encoding of a path or bytes source. ``utf-8-sig`` also reads UTF-8 without BOM.
    separator
        Field separator; None detects it with ``detect_separator``.
    name
        Name of the file in error messages (default: the path).
    na_values
        Texts that mean a missing value in this file besides the empty cell
        (``"NaN"`` in some exports).

    Returns
    -------
    DataFrame
        One ``str`` column per field, empty cells as missing values. Text such as
        ``"NA"`` is kept as text.

    Raises
    ------
    SchemaError
        When a required column is missing, or the file cannot be decoded or parsed.

    Examples
    --------
    >>> read_delimited("dep,jour\\n01,2021-03-01\\n", required=["dep"])["dep"].tolist()
    ['01']
    """
    text, default_name = _decode(source, encoding)
    name = name or default_name
    sep = separator or detect_separator(text)
    try:
        df = pd.read_csv(
            io.StringIO(text), sep=sep, dtype=str, keep_default_na=False, na_values=["", *na_values],
            quotechar='"', quoting=csv.QUOTE_MINIMAL, engine="c",
        )
    except (pd.errors.ParserError, ValueError) as exc:
        raise SchemaError(
            f"Lecture impossible de {name} avec le séparateur {sep!r} : {exc}.", path=name,
        ) from exc
    df.columns = [str(column).strip() for column in df.columns]
    df = resolve_columns(df, required, aliases=aliases, name=name, separator=sep)
    df.attrs["separator"] = sep
    return df


def _bad_values(raw: pd.Series, converted: pd.Series) -> str:
    bad = raw[converted.isna() & raw.notna()]
    shown = ", ".join(repr(value) for value in pd.unique(bad)[:5])
    return f"{len(bad)} valeur(s) non numérique(s), par exemple {shown}"


def to_integers(df: pd.DataFrame, columns: Sequence[str], *, name: str = "") -> pd.DataFrame:
    """Convert text columns to nullable ``Int64`` in place; missing cells stay NA.

    Parameters
    ----------
    df
        Frame of text columns, as returned by ``read_delimited``.
    columns
        Names of the columns to convert.
    name
        File name, used in the error message.

    Returns
    -------
    DataFrame
        ``df``, modified in place.

    Raises
    ------
    SchemaError
        Naming the column and a few of its values when some are not integers.

    Examples
    --------
    >>> df = read_delimited("dep;n_dose1\\n01;120\\n02;\\n", required=["n_dose1"])
    >>> to_integers(df, ["n_dose1"])["n_dose1"].tolist()
    [120, <NA>]
    >>> to_integers(pd.DataFrame({"n": ["1.5"]}), ["n"], name="vacsi.csv")
    Traceback (most recent call last):
        ...
    bureau_data.errors.SchemaError: Colonne « n » de vacsi.csv : nombres entiers attendus, ...
    """
    for column in columns:
        raw = df[column]
        converted = pd.to_numeric(raw, errors="coerce")
        fractional = converted.notna() & (converted % 1 != 0)
        if (converted.isna() & raw.notna()).any() or fractional.any():
            detail = _bad_values(raw, converted) if (converted.isna() & raw.notna()).any() else (
                f"{int(fractional.sum())} valeur(s) décimale(s)")
            raise SchemaError(
                f"Colonne « {column} » de {name or 'la table'} : nombres entiers attendus, {detail}.",
                path=name or None, field=column, found=detail,
            )
        df[column] = converted.astype("Int64")
    return df


def to_floats(df: pd.DataFrame, columns: Sequence[str], *, name: str = "", decimal: str = ".") -> pd.DataFrame:
    """Convert text columns to ``float64`` in place; missing cells become NaN.

    ``decimal=","`` reads French decimal commas (``"3,97"``).

    Parameters
    ----------
    df
        Frame of text columns, as returned by ``read_delimited``.
    columns
        Names of the columns to convert.
    name
        File name, used in the error message.
    decimal
        Decimal mark of the columns, ``"."`` or ``","``.

    Returns
    -------
    DataFrame
        ``df``, modified in place.

    Raises
    ------
    SchemaError
        Naming the column and a few of its values when some are not numbers.

    Examples
    --------
    >>> df = pd.DataFrame({"taux": ["3,97", None]})
    >>> to_floats(df, ["taux"], decimal=",")["taux"].tolist()
    [3.97, nan]
    """
    for column in columns:
        raw = df[column]
        text = raw.str.replace(decimal, ".", regex=False) if decimal != "." else raw
        converted = pd.to_numeric(text, errors="coerce")
        if (converted.isna() & raw.notna()).any():
            detail = _bad_values(raw, converted)
            raise SchemaError(
                f"Colonne « {column} » de {name or 'la table'} : nombres attendus, {detail}.",
                path=name or None, field=column, found=detail,
            )
        df[column] = converted.astype("float64")
    return df
