"""Read one budget CSV file into a table of text cells and recognise its layout.

The Direction du budget published the PLF files in five layouts between 2014 and 2025
(plus the nomenclature, revenue and execution files). ``read_budget_file`` reads any of
them with the French CSV reader, and ``detect_layout`` names the layout from the
header, or raises a ``SchemaError`` naming the file and the columns found.
"""

from __future__ import annotations

import re
from collections.abc import Hashable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from bureau_data.csvfr import clean_header, parse_numbers, read_csv_fr
from bureau_data.errors import SchemaError

# Each layout lists the columns (case-folded, single-spaced) that identify it. The most
# specific layouts come first, because a later layout's columns may be a subset.
LAYOUTS: dict[str, tuple[str, ...]] = {
    "api_2025": ("exercice", "typebudget", "libelle_mission", "libelle_programme",
                 "autorisation_engagement", "credit_de_paiement"),
    "api_2024": ("type mission", "code mission", "libellé programme", "libellé action",
                 "libellé sousaction", "catégorie", "code titre", "ae plf", "cp plf"),
    "codes_2020": ("exercice", "loi", "typebudget", "ministere", "mission", "programme",
                   "action", "categorie", "titre"),
    "mpa_2019": ("phase", "type de mission", "mission", "code programme", "programme",
                 "code action", "action", "code sous-action", "sous-action"),
    "execution_2017": ("année rap", "code mission", "code programme", "code action",
                       "code catégorie", "code titre"),
    "execution_ministere_2017": ("année rap", "code programme", "code action",
                                 "t2 exec cp 2017"),
    "ministeres_2014": ("code ministère", "ministère", "mission", "code programme",
                        "nom programme", "code action", "nom action", "code titre"),
    "nature_2017": ("mission", "programme", "action", "catégorie", "libellé catégorie"),
    "destination_2014": ("mission", "programme", "action", "sous-action", "libellé ssa"),
}

LAYOUT_LABELS = {
    "api_2025": "export data.economie.gouv.fr 2025 (codes et libellés)",
    "api_2024": "export data.economie.gouv.fr 2024 (Type Mission, Code Mission…)",
    "codes_2020": "fichiers 2020-2023 en codes seuls (exercice, loi, typeBudget…)",
    "mpa_2019": "PLF 2019 (Phase, Type de mission, Code Programme…)",
    "execution_2017": "exécution 2017 par mission (Année RAP, Code Mission…)",
    "execution_ministere_2017": "exécution 2017 par ministère et titre (T1…T7 EXEC CP 2017)",
    "ministeres_2014": "PLF 2014 par ministère et titre",
    "nature_2017": "PLF 2014-2018 selon la nature (Catégorie, Libellé catégorie)",
    "destination_2014": "PLF 2014-2018 selon la destination (Sous-action, Libellé SSA)",
}


@dataclass
class RawTable:
    """Text cells of a budget file, its layout and what the reader detected.

    Examples
    --------
    >>> from bureau_data.budget import sources
    >>> from bureau_data.fetch import fetch
    >>> raw = read_budget_file(fetch(sources.PLF_FILES[2019]).path)
    >>> raw.layout, raw.name, len(raw.frame)
    ('mpa_2019', 'plf2019-bg-msn-dest.csv', 777)
    >>> raw.column("code programme", "programme").iloc[0]
    '348'
    """

    frame: pd.DataFrame
    layout: str
    name: str
    metadata: list[str]
    lines: list[int]

    def column(self, *candidates: str) -> pd.Series:
        """Return the first column whose folded name is one of ``candidates``."""
        folded = {fold(c): c for c in self.frame.columns}
        for candidate in candidates:
            if candidate in folded:
                return self.frame[folded[candidate]]
        raise SchemaError(
            f"Colonne absente de {self.name} : une de {list(candidates)} était attendue "
            f"(format {LAYOUT_LABELS[self.layout]}). Colonnes trouvées : {list(self.frame.columns)}.",
            path=self.name, field=candidates[0], found=", ".join(self.frame.columns),
        )

    def has(self, candidate: str) -> bool:
        return candidate in {fold(c) for c in self.frame.columns}

    def amounts(self, column: Hashable) -> np.ndarray:
        """Parse an amount column in euros, naming the line of any invalid value."""
        return parse_numbers(list(self.frame[column].fillna("")), lines=self.lines,
                             column=str(column), name=self.name)


def fold(name: str) -> str:
    """Return a header cell as ``LAYOUTS`` lists it: cleaned by ``clean_header``, case-folded.

    Examples
    --------
    >>> fold(' "Code  Programme" ')
    'code programme'
    """
    return clean_header(name).casefold()


def detect_layout(columns: list[str], name: str) -> str:
    """Return the layout key of a budget file from its header.

    Parameters
    ----------
    columns
        The header cells of the file, as read.
    name
        File name, used in the error message.

    Returns
    -------
    str
        A key of ``LAYOUTS``, such as ``"mpa_2019"``.

    Raises
    ------
    SchemaError
        When no known layout matches, naming the file and the columns found.

    Examples
    --------
    >>> detect_layout(["Mission", "Programme", "Action", "Sous-action", "Libellé SSA", "CPPLF"],
    ...               "PLF2015-BG-Msn-Dest.csv")
    'destination_2014'
    >>> detect_layout(["Mission", "Montant"], "inconnu.csv")
    Traceback (most recent call last):
        ...
    bureau_data.errors.SchemaError: Format de fichier budgétaire inconnu : inconnu.csv. ...
    """
    found = {fold(c) for c in columns}
    if "sous_action" in found or "sous-action" in found:
        found |= {"sous_action", "sous-action"}
    for layout, required in LAYOUTS.items():
        if set(required) <= found:
            return layout
    known = "; ".join(LAYOUT_LABELS.values())
    raise SchemaError(
        f"Format de fichier budgétaire inconnu : {name}. Colonnes trouvées : {columns}. "
        f"Formats reconnus : {known}. Vérifiez que le fichier est bien un export de la "
        "Direction du budget, ou ajoutez ce format au chargeur.",
        path=name, found=", ".join(columns),
    )


def read_budget_file(path: Path, *, name: str | None = None) -> RawTable:
    """Read a budget CSV file as text and detect its layout.

    Parameters
    ----------
    path
        The CSV file.
    name
        File name used in messages, or None for ``path.name``.

    Returns
    -------
    RawTable
        Every cell as text (``string`` dtype), with the lines above the header in
        ``metadata``.

    Raises
    ------
    SchemaError
        When the file cannot be read as CSV or its layout is unknown.

    Examples
    --------
    >>> from bureau_data.budget import sources
    >>> from bureau_data.fetch import fetch
    >>> raw = read_budget_file(fetch(sources.PLF_FILES[2015]).path)
    >>> raw.layout, raw.metadata[:2]
    ('destination_2014', ['Gestion;2015', 'Type Budget;Budget général'])
    """
    label = name or path.name
    df = read_csv_fr(path, numbers=None, total_pattern=None, name=label)
    layout = detect_layout(list(df.columns), label)
    return RawTable(frame=df, layout=layout, name=label,
                    metadata=list(df.attrs.get("metadata", [])),
                    lines=list(df.attrs.get("lines", [])))


def metadata_value(metadata: list[str], key: str) -> str | None:
    """Return the value of a ``Key;value`` line above the header (``Gestion;2015``).

    Parameters
    ----------
    metadata
        The lines above the header, as in ``RawTable.metadata``.
    key
        The key, compared case-insensitively.

    Returns
    -------
    str or None
        The first cell after the key, or None when no line has the key or its value is
        empty.

    Examples
    --------
    >>> metadata_value(["Source;Direction du budget", "Gestion;2015;"], "gestion")
    '2015'
    >>> metadata_value(["Gestion;"], "Gestion") is None
    True
    """
    for line in metadata:
        head, _, rest = line.partition(";")
        if head.strip().casefold() == key.casefold():
            return rest.split(";")[0].strip() or None
    return None


_FLOAT_CODE = re.compile(r"^(\d+)\.0+$")


def normalise_code(values: pd.Series, width: int = 0) -> pd.Series:
    """Normalise codes written as floats or without leading zeros: ``7.0`` → ``"07"``.

    ``width`` pads numeric codes with zeros; 0 leaves their length as is. Text codes
    (``DA``, ``MIN01``) are kept. Empty cells become ``<NA>``.

    Parameters
    ----------
    values
        The codes as read.
    width
        Length numeric codes are padded to with leading zeros. A longer numeric code
        loses its leading zeros down to this length.

    Returns
    -------
    pandas.Series
        Codes of the ``string`` dtype, with the index of ``values``.

    Examples
    --------
    >>> normalise_code(pd.Series(["7.0", "178", "", "DA", "004"]), 2).tolist()
    ['07', '178', <NA>, 'DA', '04']
    """
    def one(value: object) -> object:
        if value is None or value is pd.NA or (isinstance(value, float) and np.isnan(value)):
            return pd.NA
        text = str(value).strip()
        if not text:
            return pd.NA
        match = _FLOAT_CODE.match(text)
        if match:
            text = match.group(1)
        if width and text.isdigit():
            text = text.lstrip("0").zfill(width) if len(text) > width else text.zfill(width)
        return text

    return pd.Series([one(v) for v in values], index=values.index, dtype="string")
