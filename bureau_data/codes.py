"""Département and région codes in their official INSEE form, shared by every loader.

Official codes are strings: départements ``"01"`` … ``"95"`` (``"2A"`` and ``"2B"`` for
Corsica, no ``"20"``), ``"971"`` … ``"976"`` overseas, and régions ``"01"`` … ``"94"``
(2016 codes, two characters with the leading zero). Source files break them in several
ways: a CSV parsed with type inference turns ``"01"`` into ``1``, Excel writes ``1.0``,
opencovid19-fr prefixes ``"DEP-"`` and ``"REG-"``, some files pad to three characters
(``"075"``). The functions here turn all of these back into the official string, so that
tables from different loaders join on their codes.

Every code column returned by bureau_data loaders has the dtype ``CODE_DTYPE``
(pandas ``"string"``), so concatenating two tables keeps one string dtype.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from numbers import Integral, Real

import pandas as pd

from bureau_data.errors import DataCheckError

CODE_DTYPE = pd.StringDtype()

# Overseas départements (DROM), in code order.
DEPARTEMENTS_OUTRE_MER: tuple[str, ...] = ("971", "972", "973", "974", "976")
# Overseas collectivités with an INSEE code of the same shape (Saint-Pierre-et-Miquelon,
# Saint-Barthélemy, Saint-Martin, Wallis-et-Futuna, Polynésie, Nouvelle-Calédonie,
# Clipperton). They are not départements but appear in the same code columns.
COLLECTIVITES_OUTRE_MER: tuple[str, ...] = ("975", "977", "978", "984", "986", "987", "988", "989")
# Overseas régions (2016 codes); 07 and 08 are Saint-Barthélemy and Saint-Martin as
# Santé publique France codes them in its vaccination files.
REGIONS_OUTRE_MER: tuple[str, ...] = ("01", "02", "03", "04", "06", "07", "08")
REGIONS_METROPOLE: tuple[str, ...] = (
    "11", "24", "27", "28", "32", "44", "52", "53", "75", "76", "84", "93", "94",
)

_METRO_NUMBERS = {f"{n:02d}" for n in range(1, 96)} - {"20"}
_DEPARTEMENTS = _METRO_NUMBERS | {"2A", "2B"} | set(DEPARTEMENTS_OUTRE_MER)
# Métropole de Lyon ("69M") and the rest of the Rhône ("69D") in some INSEE files.
_DEPARTEMENT_EXTRAS = {"69D", "69M"}
_REGIONS = set(REGIONS_OUTRE_MER) | set(REGIONS_METROPOLE)
_INTEGRAL_TEXT = re.compile(r"^[0-9]+(\.0+)?$")


def _is_missing(value: object) -> bool:
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    return isinstance(value, str) and not value.strip()


def _integral_text(value: object) -> str | None:
    """Return the digits of an integer written as int, integral float or text, else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, Integral):
        return str(int(value))
    if isinstance(value, Real):
        number = float(value)
        return str(int(number)) if number.is_integer() and number >= 0 else None
    text = str(value).strip()
    if _INTEGRAL_TEXT.match(text):
        return text.split(".")[0]
    return None


def normalize_departement(value: object, *, field: str = "département") -> str | None:
    """Return the official code of a département, or None for a missing value.

    Parameters
    ----------
    value
        A code as found in a source: ``"01"``, ``1``, ``1.0``, ``"1"``, ``"2a"``,
        ``"DEP-2A"``, ``"075"``, ``971``… Empty text, None and NaN are missing.
    field
        Name of the column, used in the error message.

    Returns
    -------
    str or None
        ``"01"`` … ``"95"``, ``"2A"``, ``"2B"``, ``"971"`` … ``"976"``, an overseas
        collectivité code (``"975"``, ``"977"``…), ``"69D"``/``"69M"``, or None.

    Raises
    ------
    DataCheckError
        When the value is not a département code. ``20`` is rejected because it
        stands for both Corsican départements (before 1976) and cannot be split.

    Examples
    --------
    >>> normalize_departement(1), normalize_departement("2a"), normalize_departement("DEP-971")
    ('01', '2A', '971')
    """
    if _is_missing(value):
        return None
    digits = _integral_text(value)
    if digits is not None:
        code = digits.lstrip("0").zfill(2) if len(digits) <= 3 else digits
    else:
        code = str(value).strip().upper()
        if code.startswith("DEP-"):
            code = code[4:]
        if len(code) == 3 and code.startswith("0"):
            code = code[1:]
        if code.isdigit():
            code = code.zfill(2)
    if code in _DEPARTEMENTS or code in COLLECTIVITES_OUTRE_MER or code in _DEPARTEMENT_EXTRAS:
        return code
    hint = " (« 20 » désigne la Corse entière : utilisez 2A ou 2B)" if code == "20" else ""
    raise DataCheckError(
        f"Code de département invalide dans le champ « {field} » : {value!r}{hint}. "
        "Codes attendus : 01 à 95, 2A, 2B, 971 à 976."
    )


def normalize_region(value: object, *, field: str = "région") -> str | None:
    """Return the official (2016) code of a région, or None for a missing value.

    Accepts ``"11"``, ``11``, ``1`` (→ ``"01"``), ``"REG-84"`` and ``"1.0"``.

    Raises
    ------
    DataCheckError
        When the value is not a région code.

    Examples
    --------
    >>> normalize_region(1), normalize_region("REG-84")
    ('01', '84')
    """
    if _is_missing(value):
        return None
    digits = _integral_text(value)
    if digits is not None:
        code = digits.lstrip("0").zfill(2)
    else:
        code = str(value).strip().upper()
        if code.startswith("REG-"):
            code = code[4:]
        if code.isdigit():
            code = code.lstrip("0").zfill(2)
    if code in _REGIONS:
        return code
    raise DataCheckError(
        f"Code de région invalide dans le champ « {field} » : {value!r}. "
        f"Codes attendus (régions de 2016) : {', '.join(sorted(_REGIONS))}."
    )


def _normalize_series(values: Iterable[object] | pd.Series, normalize, field: str) -> pd.Series:
    series = values if isinstance(values, pd.Series) else pd.Series(list(values), dtype=object)
    # Normalise each distinct value once: code columns repeat a hundred values over
    # tens of thousands of rows.
    uniques = pd.unique(series.astype(object))
    mapping: dict[object, str | None] = {}
    invalid: list[str] = []
    for value in uniques:
        try:
            mapping[value] = normalize(value, field=field)
        except DataCheckError:
            invalid.append(repr(value))
    if invalid:
        shown = ", ".join(invalid[:10]) + (" …" if len(invalid) > 10 else "")
        kind = "département" if normalize is normalize_departement else "région"
        raise DataCheckError(
            f"{len(invalid)} code(s) de {kind} invalide(s) dans le champ « {field} » : {shown}."
        )
    result = series.astype(object).map(lambda value: mapping.get(value) if not _is_missing(value) else None)
    return result.astype(CODE_DTYPE)


def departement_codes(values: Iterable[object] | pd.Series, *, field: str = "département") -> pd.Series:
    """Return a ``string`` Series of official département codes (missing values stay NA).

    Raises
    ------
    DataCheckError
        Naming every invalid value (up to ten) when some are not département codes.

    Examples
    --------
    >>> departement_codes([1, "2A", 971.0]).tolist()
    ['01', '2A', '971']
    """
    return _normalize_series(values, normalize_departement, field)


def region_codes(values: Iterable[object] | pd.Series, *, field: str = "région") -> pd.Series:
    """Return a ``string`` Series of official région codes (missing values stay NA).

    Parameters
    ----------
    values
        Codes as text, integers or integral floats. None and NaN give NA.
    field
        Name of the source column, used in the error message.

    Returns
    -------
    pandas.Series
        Codes of the ``string`` dtype, in the order of ``values``.

    Raises
    ------
    DataCheckError
        Naming every invalid value (up to ten) when some are not région codes.

    Examples
    --------
    >>> region_codes(["REG-84", 1, None]).tolist()
    ['84', '01', <NA>]
    """
    return _normalize_series(values, normalize_region, field)


def is_overseas_departement(code: str) -> bool:
    """Return True for an overseas département or collectivité code (``97x``, ``98x``).

    Parameters
    ----------
    code
        Département code in its official form, as ``normalize_departement`` returns it.

    Returns
    -------
    bool
        Whether the code is one of the overseas départements or collectivités.

    Examples
    --------
    >>> is_overseas_departement("974"), is_overseas_departement("987"), is_overseas_departement("2A")
    (True, True, False)
    """
    return code in DEPARTEMENTS_OUTRE_MER or code in COLLECTIVITES_OUTRE_MER


def is_overseas_region(code: str) -> bool:
    """Return True for an overseas région code (``01`` … ``08``).

    Parameters
    ----------
    code
        Région code in its official form, as ``normalize_region`` returns it.

    Returns
    -------
    bool
        Whether the code is one of the overseas régions.

    Examples
    --------
    >>> is_overseas_region("04"), is_overseas_region("84")
    (True, False)
    """
    return code in REGIONS_OUTRE_MER
