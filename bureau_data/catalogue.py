"""The dataset catalogue: one entry per official file that a loader reads.

Entries live in TOML files under ``data/catalogue/`` (one file per domain). Each entry
gives the title, publisher, licence and official URL of a file, so that downloads,
provenance records and article source blocks all come from one place.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from bureau_data.config import ENV_CATALOGUE_DIR, PROJECT_ROOT, get_settings
from bureau_data.errors import CatalogueError

REQUIRED_FIELDS = ("title", "publisher", "licence", "url", "filename")


@dataclass(frozen=True)
class Dataset:
    """Catalogue entry of one official file.

    Examples
    --------
    >>> from bureau_data.foret import DATASET
    >>> dataset = get_dataset(DATASET)
    >>> dataset.filename, dataset.domain
    ('forest-land-deforestation-and-change-fao-2020.csv', 'foret')
    """

    id: str
    title: str
    publisher: str
    licence: str
    url: str
    filename: str
    licence_url: str = ""
    description: str = ""
    coverage: str = ""
    update_frequency: str = ""
    known_defects: tuple[str, ...] = field(default_factory=tuple)
    domain: str = ""


def catalogue_dir() -> Path:
    """Return the folder of the catalogue files (``BUREAU_DATA_CATALOGUE_DIR`` when set).

    Returns
    -------
    pathlib.Path
        The folder whose ``*.toml`` files make up the catalogue.

    Raises
    ------
    CatalogueError
        When ``BUREAU_DATA_CATALOGUE_DIR`` names a missing folder, or when no variable is
        set and the package runs outside its checkout.

    Examples
    --------
    >>> catalogue_dir().relative_to(PROJECT_ROOT).as_posix()
    'data/catalogue'
    """
    override = get_settings().catalogue_dir
    if override is not None:
        if not override.is_dir():
            raise CatalogueError(
                f"Le dossier de catalogue {override} ({ENV_CATALOGUE_DIR}) n'existe pas. "
                "Corrigez le chemin ou retirez la variable pour utiliser data/catalogue/."
            )
        return override
    if PROJECT_ROOT is None:
        raise CatalogueError(
            "Catalogue introuvable : bureau_data doit être installé depuis son dépôt "
            "(make install), qui contient data/catalogue/."
        )
    return PROJECT_ROOT / "data" / "catalogue"


def _parse_file(path: Path) -> dict[str, Dataset]:
    try:
        content = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise CatalogueError(f"Fichier de catalogue invalide {path} : {exc}") from exc
    entries: dict[str, Dataset] = {}
    for dataset_id, raw in content.items():
        if not isinstance(raw, dict):
            raise CatalogueError(
                f"Entrée {dataset_id!r} de {path} : une table TOML est attendue, "
                f"trouvé {type(raw).__name__}."
            )
        missing = [name for name in REQUIRED_FIELDS if not raw.get(name)]
        if missing:
            raise CatalogueError(
                f"Entrée {dataset_id!r} de {path} : champs manquants {', '.join(missing)}."
            )
        known = set(Dataset.__dataclass_fields__) - {"id", "domain", "known_defects"}
        unknown = set(raw) - known - {"known_defects"}
        if unknown:
            raise CatalogueError(
                f"Entrée {dataset_id!r} de {path} : champs inconnus {', '.join(sorted(unknown))}. "
                f"Champs possibles : {', '.join(sorted(known | {'known_defects'}))}."
            )
        values = {name: raw[name] for name in known if name in raw}
        entries[dataset_id] = Dataset(
            id=dataset_id,
            domain=path.stem,
            known_defects=tuple(raw.get("known_defects", ())),
            **values,
        )
    return entries


@lru_cache(maxsize=4)
def _load(folder: Path) -> dict[str, Dataset]:
    datasets: dict[str, Dataset] = {}
    for path in sorted(folder.glob("*.toml")):
        for dataset_id, dataset in _parse_file(path).items():
            if dataset_id in datasets:
                raise CatalogueError(
                    f"Le jeu de données {dataset_id!r} est déclaré deux fois "
                    f"(dans {path.name} et {datasets[dataset_id].domain}.toml)."
                )
            datasets[dataset_id] = dataset
    return datasets


def load_catalogue() -> dict[str, Dataset]:
    """Return every catalogue entry, keyed by dataset id, in file then entry order.

    Returns
    -------
    dict of str to Dataset
        A new dict on each call. The parsed files are kept in memory, per folder.

    Raises
    ------
    CatalogueError
        When a catalogue file is invalid TOML, an entry lacks a required field or has an
        unknown one, or an id is declared twice.

    Examples
    --------
    >>> catalogue = load_catalogue()
    >>> from bureau_data.foret import DATASET
    >>> catalogue[DATASET].domain
    'foret'
    """
    return dict(_load(catalogue_dir()))


def get_dataset(dataset_id: str) -> Dataset:
    """Return the catalogue entry of ``dataset_id``.

    Parameters
    ----------
    dataset_id
        Identifier of the dataset, as listed by ``bureau-data catalogue``.

    Returns
    -------
    Dataset
        The catalogue entry.

    Raises
    ------
    CatalogueError
        When the id is not in the catalogue. The message lists close ids.

    Examples
    --------
    >>> from bureau_data.foret import DATASET
    >>> get_dataset(DATASET).licence_url
    'https://creativecommons.org/licenses/by/4.0/deed.fr'
    >>> get_dataset("foret.owid")
    Traceback (most recent call last):
        ...
    bureau_data.errors.CatalogueError: Jeu de données inconnu : 'foret.owid'. Vouliez-vous ...
    """
    datasets = load_catalogue()
    try:
        return datasets[dataset_id]
    except KeyError:
        import difflib

        close = difflib.get_close_matches(dataset_id, list(datasets), n=5, cutoff=0.5)
        hint = f" Vouliez-vous dire : {', '.join(close)} ?" if close else ""
        raise CatalogueError(
            f"Jeu de données inconnu : {dataset_id!r}.{hint} "
            "La commande « bureau-data catalogue » liste les jeux disponibles."
        ) from None
