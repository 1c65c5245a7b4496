"""Colours every chart shares: political groups, budget missions, vote positions, palettes.

The group registry is ``data/groupes_politiques.csv``, with one row per group organe of
the 15th, 16th and 17th legislatures. Its fields come from the AN's AMO organe files
(``codeType`` GP, ``libelleAbrev``, ``libelle``, ``couleurAssociee``,
``positionPolitique``). The left-to-right order was chosen by the editors from the
seating of the hemicycle. Acronyms
differ between sources and legislatures (``LREM`` / ``LAREM``, ``LFI`` / ``LFI-NFP``), so an
acronym lookup goes through the explicit alias table ``data/groupes_politiques_alias.csv``.
An acronym found in neither raises a ``UnknownGroupWarning`` that lists it, and gets the
neutral grey, never a silent default.
"""

from __future__ import annotations

import csv
import functools
import warnings
import zlib
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import matplotlib.colors as mcolors
from matplotlib.colors import LinearSegmentedColormap, ListedColormap

from bureau_data import config
from bureau_data.errors import ConfigurationError

GROUPS_FILE = "groupes_politiques.csv"
ALIASES_FILE = "groupes_politiques_alias.csv"
MISSIONS_FILE = "budget_missions.csv"

UNKNOWN_GROUP_COLOR = "#9A9A9A"

# Vote positions of a scrutin, in display order. "Pour" and "contre" use the blue and
# vermilion pairing of the Okabe-Ito palette, designed to stay distinct for the common
# colour-vision deficiencies.
# The keys are the values of the ``position`` column of ``scrutins.positions()``.
POSITIONS: tuple[str, ...] = ("pour", "contre", "abstention", "non-votant")
POSITION_LABELS: dict[str, str] = {
    "pour": "Pour",
    "contre": "Contre",
    "abstention": "Abstention",
    "non-votant": "Non-votant",
}
POSITION_COLORS: dict[str, str] = {
    "pour": "#2B6CB0",
    "contre": "#D55E00",
    "abstention": "#E9C46A",
    "non-votant": "#C8C8C8",
}
# Other spellings of the positions: AN JSON keys and the columns of decomptes_groupes().
_POSITION_SPELLINGS: dict[str, str] = {
    "pours": "pour",
    "contres": "contre",
    "abstentions": "abstention",
    "nonvotant": "non-votant",
    "nonvotants": "non-votant",
    "non_votant": "non-votant",
    "non_votants": "non-votant",
    "non-votants": "non-votant",
    "non votant": "non-votant",
    "non votants": "non-votant",
}

# Qualitative palette for missions without a colour in budget_missions.csv:
# 12 colours of ColorBrewer "Paired" reordered so neighbours differ, then Okabe-Ito.
FALLBACK_PALETTE: tuple[str, ...] = (
    "#1F78B4", "#E31A1C", "#33A02C", "#FF7F00", "#6A3D9A", "#B15928",
    "#A6CEE3", "#FB9A99", "#B2DF8A", "#FDBF6F", "#CAB2D6", "#FFFF99",
    "#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00",
)


class UnknownGroupWarning(UserWarning):
    """A group acronym or organe uid is in neither the registry nor the alias table.

    Examples
    --------
    >>> import warnings
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     colours = group_colors(["RN", "XYZ"], 17)
    >>> colours["XYZ"] == UNKNOWN_GROUP_COLOR, caught[0].category.__name__
    (True, 'UnknownGroupWarning')
    """


def _data_dir() -> Path:
    if config.PROJECT_ROOT is None:
        raise ConfigurationError(
            "Le registre des groupes (data/groupes_politiques.csv) est introuvable : "
            "bureau_data ne tourne pas depuis une copie du dépôt. Installez-le en mode éditable "
            "(pip install -e .) depuis le dépôt."
        )
    return config.PROJECT_ROOT / "data"


def _normalise_acronym(acronym: str) -> str:
    return str(acronym).strip().upper().replace("_", "-").replace(" ", "-")


@functools.lru_cache(maxsize=1)
def _registry() -> tuple[dict[str, Any], ...]:
    path = _data_dir() / GROUPS_FILE
    try:
        with path.open(encoding="utf-8", newline="") as handle:
            rows = list(csv.DictReader(handle))
    except FileNotFoundError:
        raise ConfigurationError(
            f"Registre des groupes introuvable : {path}. Restaurez ce fichier du dépôt "
            "(git checkout -- data/groupes_politiques.csv)."
        ) from None
    required = {"organe_uid", "legislature", "ordre", "acronyme", "libelle", "couleur"}
    missing = required - set(rows[0] if rows else ())
    if missing:
        raise ConfigurationError(
            f"{path} : colonnes manquantes {sorted(missing)}. Colonnes attendues : {sorted(required)}."
        )
    records = []
    for row in rows:
        record: dict[str, Any] = dict(row)
        record["legislature"] = int(row["legislature"])
        record["ordre"] = int(row["ordre"])
        if not mcolors.is_color_like(row["couleur"]):
            raise ConfigurationError(f"{path} : couleur invalide {row['couleur']!r} pour {row['organe_uid']}.")
        records.append(record)
    return tuple(records)


@functools.lru_cache(maxsize=1)
def _aliases() -> dict[tuple[str, int], str]:
    path = _data_dir() / ALIASES_FILE
    with path.open(encoding="utf-8", newline="") as handle:
        return {
            (_normalise_acronym(row["alias"]), int(row["legislature"])): _normalise_acronym(row["acronyme"])
            for row in csv.DictReader(handle)
        }


def group_registry(legislature: int | None = None) -> Any:
    """Return the registry of political groups as a DataFrame, left to right.

    Parameters
    ----------
    legislature : int, optional
        Keep one legislature (15, 16 or 17). ``None`` returns all of them.

    Returns
    -------
    pandas.DataFrame
        ============== ========= =================================================
        organe_uid     string    uid of the GP organe (``PO845401``)
        legislature    int64     legislature number
        ordre          int64     position from left (1) to right; non-inscrits last
        acronyme       string    ``libelleAbrev`` as published by the AN
        sigle          string    acronym shown on charts (``UDR`` for ``UDDPLR``)
        libelle        string    full name
        couleur        string    ``#RRGGBB``, the AN's ``couleurAssociee`` when published
        source_couleur string    ``AN`` or ``bureau_data`` (colour chosen here)
        remarque       string    why a row or a colour does not come from the AN
        ============== ========= =================================================

    Notes
    -----
    The organe PO847173 (UDR, 17th legislature) is missing from the AMO exports; it is
    added because the scrutins of 2024-10-08 to 2025-07-10 cite it.

    Examples
    --------
    >>> registry = group_registry(17)
    >>> registry[["organe_uid", "sigle"]].head(3).values.tolist()
    [['PO845413', 'LFI-NFP'], ['PO845514', 'GDR'], ['PO845439', 'ECOS']]
    """
    import pandas as pd

    frame = pd.DataFrame(list(_registry()))
    if legislature is not None:
        frame = frame[frame["legislature"] == int(legislature)]
    return frame.sort_values(["legislature", "ordre"]).reset_index(drop=True)


def resolve_group(key: str, legislature: int | None = None, *,
                  aliases: Mapping[str, str] | None = None) -> dict[str, Any] | None:
    """Find a group's registry row from its organe uid or its acronym.

    Parameters
    ----------
    key : str
        An organe uid (``PO845401``) or an acronym (``RN``, ``LREM``...).
    legislature : int, optional
        Needed for acronyms reused by several legislatures (``LR``, ``SOC``, ``NI``...).
        Without it, the latest legislature that has the acronym is used.
    aliases : mapping, optional
        Extra ``{alias: acronym}`` pairs, tried before the shipped alias table.

    Returns
    -------
    dict or None
        The registry row, or None when the key is unknown.

    Examples
    --------
    >>> resolve_group("PO845401")["sigle"], resolve_group("LREM", 15)["acronyme"]
    ('RN', 'LAREM')
    >>> resolve_group("XYZ") is None
    True
    """
    text = str(key).strip()
    rows = _registry()
    for row in rows:
        if row["organe_uid"] == text:
            return row
    requested = _normalise_acronym(text)
    if aliases:
        extra = {_normalise_acronym(k): _normalise_acronym(v) for k, v in aliases.items()}
        requested = extra.get(requested, requested)
    legislatures = [legislature] if legislature is not None else sorted(
        {row["legislature"] for row in rows}, reverse=True
    )
    for leg in legislatures:
        acronym = _aliases().get((requested, int(leg)), requested)
        matches = [row for row in rows if row["legislature"] == int(leg)
                   and _normalise_acronym(row["acronyme"]) == acronym]
        if not matches:  # the display acronym, such as UDR for the AN's UDDPLR
            matches = [row for row in rows if row["legislature"] == int(leg)
                       and _normalise_acronym(row.get("sigle") or "") == acronym]
        if matches:
            # Two organes may share an acronym within a legislature (UDI-I, UDI_I): take the latest.
            return max(matches, key=lambda row: row.get("date_debut") or "")
    return None


def _warn_unknown(keys: Iterable[str], legislature: int | None) -> None:
    unknown = sorted({str(k) for k in keys})
    if unknown:
        where = f" de la {legislature}e législature" if legislature is not None else ""
        warnings.warn(
            f"Groupes inconnus du registre{where} : {', '.join(unknown)}. Ils sont dessinés en gris. "
            f"Ajoutez un alias dans data/{ALIASES_FILE} ou passez aliases={{'ACRONYME': 'OFFICIEL'}}.",
            UnknownGroupWarning,
            stacklevel=3,
        )


def group_color(organe_uid_or_acronym: str, legislature: int | None = None, *,
                aliases: Mapping[str, str] | None = None) -> str:
    """Return the official colour of a political group.

    Parameters
    ----------
    organe_uid_or_acronym : str
        ``PO845401`` or ``RN``; acronyms go through the alias table.
    legislature : int, optional
        The legislature, for acronyms (see ``resolve_group``).
    aliases : mapping, optional
        Extra ``{alias: acronym}`` pairs.

    Returns
    -------
    str
        ``#RRGGBB``; the neutral grey ``#9A9A9A`` with a ``UnknownGroupWarning`` when the
        group is unknown.

    Examples
    --------
    >>> group_color("PO845401")
    '#313567'
    >>> group_color("LREM", legislature=15)
    '#702A82'
    """
    row = resolve_group(organe_uid_or_acronym, legislature, aliases=aliases)
    if row is None:
        _warn_unknown([organe_uid_or_acronym], legislature)
        return UNKNOWN_GROUP_COLOR
    return str(row["couleur"]).upper()


def group_colors(keys: Iterable[str], legislature: int | None = None, *,
                 aliases: Mapping[str, str] | None = None,
                 overrides: Mapping[str, str] | None = None) -> dict[str, str]:
    """Return ``{key: colour}`` for several groups, with one warning listing the unknown ones.

    ``overrides`` maps acronyms or uids to colours chosen by the caller. Its keys are
    resolved like the others, so ``{"LREM": ...}`` applies to a group published as ``LAREM``.

    Examples
    --------
    >>> group_colors(["RN", "PO845413"], 17)
    {'RN': '#313567', 'PO845413': '#C00D0D'}
    """
    resolved_overrides: dict[str, str] = {}
    for key, colour in (overrides or {}).items():
        row = resolve_group(key, legislature, aliases=aliases)
        resolved_overrides[row["organe_uid"] if row else str(key)] = colour
    result: dict[str, str] = {}
    unknown = []
    for key in keys:
        row = resolve_group(key, legislature, aliases=aliases)
        if row is None:
            unknown.append(key)
            result[key] = resolved_overrides.get(str(key), UNKNOWN_GROUP_COLOR)
        else:
            result[key] = resolved_overrides.get(row["organe_uid"], str(row["couleur"]).upper())
    _warn_unknown([k for k in unknown if str(k) not in resolved_overrides], legislature)
    return result


def group_order(keys: Iterable[str] | None = None, legislature: int | None = None, *,
                aliases: Mapping[str, str] | None = None) -> list[str]:
    """Sort groups from left to right.

    Parameters
    ----------
    keys : iterable of str, optional
        Organe uids or acronyms to sort. ``None`` returns the organe uids of the whole
        legislature (which is then required).
    legislature : int, optional
        The legislature, for acronyms.
    aliases : mapping, optional
        Extra ``{alias: acronym}`` pairs.

    Returns
    -------
    list of str
        The keys as given, left to right; unknown keys come last in their given order,
        with a ``UnknownGroupWarning``.

    Examples
    --------
    >>> group_order(["RN", "LFI-NFP", "EPR"], legislature=17)
    ['LFI-NFP', 'EPR', 'RN']
    """
    if keys is None:
        if legislature is None:
            raise ConfigurationError("group_order() sans groupes demande une législature, par exemple 17.")
        return list(group_registry(legislature)["organe_uid"])
    known: list[tuple[int, int, str]] = []
    unknown: list[str] = []
    for index, key in enumerate(keys):
        row = resolve_group(key, legislature, aliases=aliases)
        if row is None:
            unknown.append(key)
        else:
            known.append((row["ordre"], index, key))
    _warn_unknown(unknown, legislature)
    return [key for _, _, key in sorted(known)] + unknown


def group_label(organe_uid_or_acronym: str, legislature: int | None = None) -> str:
    """Return the acronym shown on charts (``sigle``), or the key itself when unknown.

    Examples
    --------
    >>> group_label("PO872880")
    'UDR'
    """
    row = resolve_group(organe_uid_or_acronym, legislature)
    if row is None:
        return str(organe_uid_or_acronym)
    return str(row.get("sigle") or row["acronyme"])


def group_labels(keys: Iterable[str], legislature: int | None = None) -> list[str]:
    """Return the chart labels of several groups, telling apart organes that share a sigle.

    Two organes may carry the same acronym in one legislature (the UDR group was
    re-created as a new organe in September 2025). Their labels then get the year the
    organe started, ``UDR (2025)``, or its uid when the registry has no start date.

    Examples
    --------
    >>> group_labels(["PO847173", "PO872880", "PO845401"])
    ['UDR (PO847173)', 'UDR (2025)', 'RN']
    """
    keys = list(keys)
    rows = [resolve_group(key, legislature) for key in keys]
    labels = [group_label(key, legislature) for key in keys]
    counts: dict[str, int] = {}
    for label in labels:
        counts[label] = counts.get(label, 0) + 1
    result = []
    for row, label in zip(rows, labels, strict=True):
        if counts[label] > 1 and row is not None:
            start = str(row.get("date_debut") or "")
            label = f"{label} ({start[:4]})" if start else f"{label} ({row['organe_uid']})"
        result.append(label)
    return result


@functools.lru_cache(maxsize=1)
def _mission_table() -> dict[str, str]:
    """Map each mission id, short label and label (lower case) to its colour."""
    try:
        path = _data_dir() / MISSIONS_FILE
    except ConfigurationError:
        return {}
    if not path.is_file():
        return {}
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        if not reader.fieldnames or not {"mission_id", "couleur"} <= set(reader.fieldnames):
            raise ConfigurationError(
                f"{path} : colonnes attendues mission_id, libelle_court, couleur ; "
                f"trouvées {reader.fieldnames}."
            )
        table: dict[str, str] = {}
        for row in reader:
            colour = str(row.get("couleur") or "").strip()
            if not mcolors.is_color_like(colour):
                continue
            for column in ("libelle", "libelle_court", "mission_id"):  # the id wins on a clash
                name = str(row.get(column) or "").strip()
                if name:
                    table[name.casefold()] = colour
        return table


def mission_color(mission_id: str) -> str:
    """Return the stable colour of a budget mission.

    The colour comes from ``data/budget_missions.csv`` (columns ``mission_id``,
    ``libelle_court``, ``couleur``); the mission may also be named by its short or full
    label, in any case. A mission missing from it gets a colour of a fixed palette picked
    by a CRC32 of its id, so it is the same in every chart and every run.

    Examples
    --------
    >>> mission_color("XYZ-inconnue") == mission_color("XYZ-inconnue")
    True
    """
    key = str(mission_id).strip()
    table = _mission_table()
    if key.casefold() in table:
        return table[key.casefold()].upper()
    if key in table:
        return table[key].upper()
    return FALLBACK_PALETTE[zlib.crc32(key.encode("utf-8")) % len(FALLBACK_PALETTE)]


def position_key(position: Any) -> str | None:
    """Return the canonical name of a vote position (``"nonVotants"`` -> ``"non-votant"``), or None.

    Parameters
    ----------
    position
        A position as spelled in a file or a table: ``pour``, ``nonVotants``,
        ``abstentions``...

    Returns
    -------
    str or None
        ``pour``, ``contre``, ``abstention`` or ``non-votant``, or None when the spelling
        is unknown.

    Examples
    --------
    >>> position_key("nonVotants"), position_key(" Pour "), position_key("absent")
    ('non-votant', 'pour', None)
    """
    text = str(position).strip().lower()
    if text in POSITION_COLORS:
        return text
    return _POSITION_SPELLINGS.get(text)


def position_color(position: str) -> str:
    """Return the colour of a vote position (``pour``, ``contre``, ``abstention``, ``non-votant``).

    Raises
    ------
    ConfigurationError
        When the position is not one of them. Other spellings such as ``nonVotants`` or
        ``abstentions`` are accepted.

    Examples
    --------
    >>> position_color("pour") == position_color("Pour")
    True
    >>> position_color("absent")
    Traceback (most recent call last):
        ...
    bureau_data.errors.ConfigurationError: Position de vote inconnue : 'absent'. Positions ...
    """
    key = position_key(position)
    if key is None:
        raise ConfigurationError(
            f"Position de vote inconnue : {position!r}. Positions possibles : {', '.join(POSITIONS)}."
        )
    return POSITION_COLORS[key]


def sequential_cmap(name: str = "cividis") -> Any:
    """Return a sequential colormap readable by colour-blind readers (cividis by default).

    Parameters
    ----------
    name : str, default "cividis"
        Name of a matplotlib colormap.

    Returns
    -------
    matplotlib.colors.Colormap

    Raises
    ------
    KeyError
        When matplotlib has no colormap of that name.

    Examples
    --------
    >>> sequential_cmap().name
    'cividis'
    """
    import matplotlib

    return matplotlib.colormaps[name]


# ColorBrewer PuOr (purple-orange), safe for the common colour-vision deficiencies;
# the middle class is a light grey so zero reads as neutral.
_PUOR = ["#B35806", "#E08214", "#FDB863", "#FEE0B6", "#EDEDED", "#D8DAEB", "#B2ABD2", "#8073AC", "#542788"]
DIVERGING = LinearSegmentedColormap.from_list("bureau_diverging", _PUOR[::-1], N=256)
SEQUENTIAL = "cividis"
QUALITATIVE = ListedColormap(FALLBACK_PALETTE, name="bureau_qualitative")


def clear_caches() -> None:
    """Forget the registry, alias and mission tables read so far (after editing the CSVs).

    Examples
    --------
    >>> clear_caches()
    >>> len(group_registry(17)) > 0
    True
    """
    _registry.cache_clear()
    _aliases.cache_clear()
    _mission_table.cache_clear()
