"""The mission crosswalk: one stable identifier and colour per budget général mission.

Missions are renamed (« Investissements d'avenir » became « Investir pour la France de
2030 »), merged (« Politique des territoires » into « Cohésion des territoires » in
2018) and split across the years. ``data/budget_missions.csv`` gives each mission a
``mission_id`` that stays the same across 2014-2025, the LOLF codes it covers, a short
label for charts and a colour. The chart helper ``plot.mission_color`` reads the same
file.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

import pandas as pd

from bureau_data.config import PROJECT_ROOT
from bureau_data.errors import CatalogueError, DataCheckError

CROSSWALK_COLUMNS = ("mission_id", "libelle_court", "couleur", "principale", "codes", "libelle",
                     "premiere_annee", "derniere_annee", "note")


def crosswalk_path() -> Path:
    """Return the path of ``data/budget_missions.csv``.

    Returns
    -------
    pathlib.Path
        ``data/budget_missions.csv`` of the checkout.

    Raises
    ------
    CatalogueError
        When the package runs outside its checkout, which contains the file.

    Examples
    --------
    >>> crosswalk_path().relative_to(PROJECT_ROOT).as_posix()
    'data/budget_missions.csv'
    """
    if PROJECT_ROOT is None:
        raise CatalogueError("Table des missions introuvable : bureau_data doit être installé "
                             "depuis son dépôt (make install), qui contient data/budget_missions.csv.")
    return PROJECT_ROOT / "data" / "budget_missions.csv"


@lru_cache(maxsize=2)
def _read(path: Path, mtime_ns: int) -> pd.DataFrame:
    df = pd.read_csv(path, dtype="string", keep_default_na=False)
    missing = [c for c in CROSSWALK_COLUMNS if c not in df.columns]
    if missing:
        raise CatalogueError(f"Colonnes manquantes dans {path} : {missing}. "
                             f"Colonnes trouvées : {list(df.columns)}.")
    if not df["mission_id"].is_unique:
        dup = df.loc[df["mission_id"].duplicated(), "mission_id"].iloc[0]
        raise CatalogueError(f"Identifiant de mission en double dans {path} : {dup!r}.")
    bad = df.loc[~df["couleur"].str.fullmatch(r"#[0-9A-Fa-f]{6}"), "mission_id"]
    if len(bad):
        raise CatalogueError(f"Couleur invalide dans {path} pour {list(bad)} : #RRGGBB attendu.")
    df["principale"] = df["principale"].str.lower().eq("true")
    df["premiere_annee"] = df["premiere_annee"].astype("int16")
    df["derniere_annee"] = df["derniere_annee"].astype("int16")
    return df


def mission_crosswalk() -> pd.DataFrame:
    """Return the mission crosswalk, one row per mission.

    Returns
    -------
    pandas.DataFrame
        ============== ======= =====================================================
        mission_id     string  stable identifier (``defense``, ``ecologie``…)
        libelle_court  string  short label for charts
        couleur        string  ``#RRGGBB``; the main missions have distinct colours
                               of Paul Tol's colour-blind-safe « muted » palette,
                               the others shades of grey
        principale     bool    one of the nine largest missions of 2025
        codes          string  LOLF mission codes covered, separated by ``|``
        libelle        string  official label of the latest year
        premiere_annee int16   first PLF year with the mission
        derniere_annee int16   last PLF year with the mission
        note           string  renamings, mergers and splits
        ============== ======= =====================================================

    Examples
    --------
    >>> mission_crosswalk().set_index("mission_id").loc["defense", "codes"]
    'DA'
    """
    path = crosswalk_path()
    return _read(path, path.stat().st_mtime_ns).copy()


def code_to_mission_id() -> dict[str, str]:
    """Return the mapping from LOLF mission code to ``mission_id``.

    Returns
    -------
    dict of str to str
        ``{"DA": "defense", ...}``, one key per code of the ``codes`` column.

    Raises
    ------
    CatalogueError
        When the crosswalk is invalid or gives one code to two missions.

    Examples
    --------
    >>> mapping = code_to_mission_id()
    >>> mapping["DA"], mapping["AA"]
    ('defense', 'action-exterieure')
    """
    mapping: dict[str, str] = {}
    row: Any  # pandas-stubs 3.1 type an itertuples field as any scalar, not str
    for row in mission_crosswalk().itertuples():
        for code in str(row.codes).split("|"):
            if code in mapping:
                raise CatalogueError(f"Le code de mission {code!r} est attribué à {mapping[code]!r} "
                                     f"et à {row.mission_id!r} dans {crosswalk_path()}.")
            mapping[code] = row.mission_id
    return mapping


def attach_mission_ids(lines: pd.DataFrame) -> pd.DataFrame:
    """Set ``mission_id`` on budget lines, and the mission label where no file gives it.

    Budget général missions take the crosswalk's identifier; the other budgets, outside
    the crosswalk, get ``<type>-<code>`` (``cas-ye``).

    Parameters
    ----------
    lines
        Budget lines with ``budget_type``, ``mission_code`` and ``mission``.

    Returns
    -------
    pandas.DataFrame
        A copy of ``lines`` with ``mission_id`` set.

    Raises
    ------
    DataCheckError
        When a budget général mission code is missing from the crosswalk.

    Examples
    --------
    >>> lines = pd.DataFrame({"budget_type": ["BG", "CAS"], "mission_code": ["DA", "YE"],
    ...                       "mission": [pd.NA, "Gestion du patrimoine immobilier de l'État"]})
    >>> attach_mission_ids(lines)[["mission_id", "mission"]].values.tolist()
    [['defense', 'Défense'], ['cas-ye', "Gestion du patrimoine immobilier de l'État"]]
    >>> attach_mission_ids(pd.DataFrame({"budget_type": ["BG"], "mission_code": ["ZZ"],
    ...                                  "mission": [pd.NA]}))
    Traceback (most recent call last):
        ...
    bureau_data.errors.DataCheckError: Codes de mission du budget général absents de ...
    """
    out = lines.copy()
    mapping = code_to_mission_id()
    general = out["budget_type"] == "BG"
    ids = out["mission_code"].map(mapping)
    unknown = general & ids.isna()
    if unknown.any():
        codes = sorted(out.loc[unknown, "mission_code"].dropna().unique())
        raise DataCheckError(
            f"Codes de mission du budget général absents de {crosswalk_path()} : {codes}. "
            "Ajoutez-les à la table (colonne codes), à une mission existante ou nouvelle."
        )
    other = (out["budget_type"].astype("string").str.lower() + "-"
             + out["mission_code"].astype("string").str.lower())
    out["mission_id"] = ids.where(general, other).astype("string")
    labels = mission_crosswalk().set_index("mission_id")["libelle"]
    missing = out["mission"].isna() & general
    out.loc[missing, "mission"] = out.loc[missing, "mission_id"].map(labels)
    return out
