"""Data subcommands of ``bureau-data``: catalogue, telecharger, provenance, verifier, vider."""

from __future__ import annotations

import argparse
import json
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

from bureau_data.catalogue import get_dataset, load_catalogue
from bureau_data.config import get_settings
from bureau_data.errors import BureauDataError
from bureau_data.french import format_date

# fetch and cache import pandas, which takes about a second. They are imported inside
# the commands that need them, so that `bureau-data construire` with nothing to rebuild
# starts fast.

_UNITS = ["o", "ko", "Mo", "Go", "To"]


def format_size(size: float) -> str:
    """Format a byte count in French units with a decimal comma: ``1,5 Mo``."""
    unit = 0
    while size >= 1000 and unit < len(_UNITS) - 1:
        size /= 1000
        unit += 1
    text = f"{size:.0f}" if unit == 0 else f"{size:.1f}".replace(".", ",")
    return f"{text}\u00a0{_UNITS[unit]}"


def format_age(seconds: float) -> str:
    """Format a duration in French: ``3 min``, ``5 h``, ``2 j``."""
    if seconds < 60:
        return f"{seconds:.0f} s"
    if seconds < 3600:
        return f"{seconds / 60:.0f} min"
    if seconds < 86400:
        return f"{seconds / 3600:.0f} h"
    return f"{seconds / 86400:.0f} j"


def format_timestamp(value: str) -> str:
    """Format an ISO 8601 or HTTP date in French, in UTC: ``1er mars 2025 à 8 h 05 UTC``.

    A value that is neither is returned unchanged.

    Examples
    --------
    >>> format_timestamp("2025-03-01T08:05:00Z")
    '1er mars 2025 à 8 h 05 UTC'
    >>> format_timestamp("Wed, 01 Jan 2025 23:30:00 GMT")
    '1er janvier 2025 à 23 h 30 UTC'
    """
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        try:
            moment = parsedate_to_datetime(value)
        except (TypeError, ValueError):
            return value
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC)
    return f"{format_date(moment.date())} à {moment.hour} h {moment.minute:02d} UTC"


def _status(dataset_id: str) -> str:
    from bureau_data.fetch import cached_entry, local_path

    settings = get_settings()
    if settings.local_dir is not None:
        try:
            dataset = get_dataset(dataset_id)
            path = local_path(dataset, settings)
        except BureauDataError:
            return "absent du dossier local"
        return f"dossier local, {format_size(path.stat().st_size)}"
    entry = cached_entry(dataset_id)
    if entry is None:
        return "pas en cache"
    age = entry.age_seconds()
    stale = " (à revalider)" if age > settings.max_age_seconds else ""
    return (f"en cache, {format_size(entry.record.size)}, téléchargé le "
            f"{format_date(entry.record.retrieved_at[:10])}, vérifié il y a {format_age(age)}{stale}")


def _cmd_catalogue(args: argparse.Namespace) -> int:
    datasets = load_catalogue()
    if args.json:
        rows = [{"id": d.id, "titre": d.title, "editeur": d.publisher, "etat": _status(d.id)}
                for d in datasets.values()]
        print(json.dumps(rows, indent=2, ensure_ascii=False))
        return 0
    print("identifiant\ttitre\téditeur\tétat")
    for dataset in datasets.values():
        print(f"{dataset.id}\t{dataset.title}\t{dataset.publisher}\t{_status(dataset.id)}")
    return 0


def _cmd_fetch(args: argparse.Namespace) -> int:
    from bureau_data.fetch import fetch

    ids = args.jeux or list(load_catalogue())
    failures = 0
    for dataset_id in ids:
        try:
            fetched = fetch(dataset_id, refresh=args.forcer)
        except BureauDataError as exc:
            failures += 1
            print(f"{dataset_id}\téchec : {exc}")
            continue
        print(f"{dataset_id}\t{fetched.path}\t{format_size(fetched.record.size)}")
    if failures:
        print(f"{failures} jeu(x) sur {len(ids)} n'ont pas pu être obtenus.")
    return 1 if failures else 0


def _cmd_provenance(args: argparse.Namespace) -> int:
    from bureau_data.fetch import cached_entry, fetch

    dataset = get_dataset(args.jeu)
    settings = get_settings()
    if settings.local_dir is not None:
        record = fetch(args.jeu).record  # reads the local folder, never the network
    else:
        entry = cached_entry(args.jeu)
        if entry is None:
            print(f"{dataset.id} : pas encore téléchargé. URL officielle : {dataset.url}. "
                  f"Lancez « bureau-data telecharger {dataset.id} ».")
            return 1
        record = entry.record
    if args.json:
        print(json.dumps(record.to_dict(), indent=2, ensure_ascii=False))
        return 0
    labels = [
        ("Jeu de données", record.dataset), ("Titre", record.title),
        ("Éditeur", record.publisher), ("Licence", record.licence),
        ("URL", record.url), ("URL finale", record.final_url), ("Fichier", record.path),
        ("Obtenu le", format_timestamp(record.retrieved_at)),
        ("Date HTTP", format_timestamp(record.http_date) if record.http_date else ""),
        ("ETag", record.etag), ("Last-Modified", record.last_modified),
        ("Taille", f"{format_size(record.size)} ({record.size} octets)"),
        ("SHA-256", record.sha256), ("Origine", record.source),
    ]
    for label, value in labels:
        if value:
            print(f"{label:<15} {value}")
    return 0


def _cmd_verify(args: argparse.Namespace) -> int:
    from bureau_data import cache
    from bureau_data.fetch import verify_downloads, verify_local_files

    settings = get_settings()
    ids = args.jeux or None
    results = verify_local_files(ids)
    downloads = verify_downloads(ids)
    if settings.local_dir is not None and ids is not None:
        # The loaders read these datasets from the local folder, so a missing download
        # is no problem. A download left from before is still checked.
        downloads = [result for result in downloads if result.path.is_file()]
    results += downloads

    local_failures = cache_failures = obsolete = 0
    for result in results:
        print(f"{result.dataset}\t{'ok' if result.ok else 'ERREUR'}\t{result.message}")
        if not result.ok and result.local:
            local_failures += 1
        elif not result.ok:
            cache_failures += 1
    if not args.jeux:
        for folder in cache.list_entries():
            old_format = cache.obsolete_format(folder)
            if old_format is not None:
                obsolete += 1
                print(f"tables/{folder.name}\tobsolète\tformat {old_format}, écrit par une autre "
                      "version de bureau-data et jamais relu")
                continue
            problem = cache.verify_entry(folder)
            cache_failures += problem is not None
            print(f"tables/{folder.name}\t{'ok' if problem is None else 'ERREUR'}\t"
                  f"{problem or 'lisible'}")
        partial_writes = cache.list_partial_writes()
        for path in partial_writes:
            print(f"tables/{path.name}\tinachevé\técriture interrompue, jamais relue")
        obsolete += len(partial_writes)

    if local_failures or cache_failures:
        print(f"{local_failures + cache_failures} problème(s).")
        if local_failures:
            print(f"Dossier local : remplacez les fichiers en cause dans {settings.local_dir} "
                  "par des copies complètes.")
        if cache_failures:
            print("Cache : supprimez les fichiers en cause avec « bureau-data vider JEU » (ou "
                  "« --tables » pour les tables) : ils seront reconstruits.")
        _print_obsolete_advice(obsolete)
        return 1
    _print_obsolete_advice(obsolete)
    if settings.local_dir is not None:
        print("Dossier local et cache vérifiés : aucun problème.")
    else:
        print("Cache vérifié : aucun problème.")
    return 0


def _print_obsolete_advice(count: int) -> None:
    if count:
        print(f"{count} élément(s) du cache de tables sont obsolètes ou inachevés, sans gêner "
              "les chargements : « bureau-data vider --tables » les supprime.")


def _cmd_clear(args: argparse.Namespace) -> int:
    from bureau_data import cache
    from bureau_data.fetch import clear_downloads

    if not args.jeux and not args.tout and not args.tables:
        print("Indiquez des jeux de données, --tables ou --tout.")
        return 2
    if args.jeux or args.tout:
        count = clear_downloads(args.jeux or None)
        print(f"{count} fichier(s) téléchargé(s) supprimé(s).")
    if args.tables or args.tout:
        count = cache.clear_tables()
        print(f"{count} entrée(s) du cache de tables supprimée(s), écritures interrompues "
              "comprises.")
    return 0


def _add(subparsers: argparse._SubParsersAction, name: str, help_text: str,  # type: ignore[type-arg]
         func) -> argparse.ArgumentParser:
    parser = subparsers.add_parser(name, help=help_text, description=help_text, add_help=False)
    parser.add_argument("-h", "--help", action="help", help="afficher cette aide et quitter")
    parser.set_defaults(func=func)
    return parser


def register(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Add the data subcommands to the ``bureau-data`` parser."""
    parser = _add(subparsers, "catalogue",
                  "lister les jeux de données du catalogue et leur état dans le cache", _cmd_catalogue)
    parser.add_argument("--json", action="store_true", help="sortie au format JSON")

    parser = _add(subparsers, "telecharger", "télécharger des jeux de données dans le cache",
                  _cmd_fetch)
    parser.add_argument("jeux", nargs="*", help="identifiants des jeux (tous par défaut)")
    parser.add_argument("--forcer", "--force", dest="forcer", action="store_true",
                        help="revalider auprès du serveur même une copie récente")

    parser = _add(subparsers, "provenance",
                  "afficher la provenance d'un jeu de données en cache, sans télécharger",
                  _cmd_provenance)
    parser.add_argument("jeu", help="identifiant du jeu de données")
    parser.add_argument("--json", action="store_true", help="sortie au format JSON")

    parser = _add(subparsers, "verifier",
                  "recalculer le sha256 des fichiers téléchargés et de ceux du dossier local, "
                  "tester leur contenu (CRC des zip, JSON, CSV) et relire les tables", _cmd_verify)
    parser.add_argument("jeux", nargs="*",
                        help="identifiants des jeux (par défaut : tout le cache et tout le "
                             "dossier local)")

    parser = _add(subparsers, "vider", "supprimer des fichiers du cache", _cmd_clear)
    parser.add_argument("jeux", nargs="*", help="identifiants des jeux dont supprimer le fichier")
    parser.add_argument("--tables", action="store_true", help="supprimer le cache de tables analysées")
    parser.add_argument("--tout", action="store_true",
                        help="supprimer tous les fichiers téléchargés et toutes les tables")
