"""Data subcommands of ``bureau-data``: catalogue, download, provenance, cache."""

from __future__ import annotations

import argparse
import json

from bureau_data.catalogue import load_catalogue
from bureau_data.fetch import fetch


def _cmd_catalogue(args: argparse.Namespace) -> int:
    for dataset in load_catalogue().values():
        print(f"{dataset.id}\t{dataset.title}\t{dataset.publisher}")
    return 0


def _cmd_fetch(args: argparse.Namespace) -> int:
    ids = args.jeux or list(load_catalogue())
    for dataset_id in ids:
        fetched = fetch(dataset_id)
        print(f"{dataset_id}\t{fetched.path}\t{fetched.record.size} octets")
    return 0


def _cmd_provenance(args: argparse.Namespace) -> int:
    fetched = fetch(args.jeu)
    print(json.dumps(fetched.record.to_dict(), indent=2, ensure_ascii=False))
    return 0


def register(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Add the data subcommands to the ``bureau-data`` parser."""
    parser = subparsers.add_parser("catalogue", help="lister les jeux de données du catalogue", add_help=False)
    parser.add_argument("-h", "--help", action="help", help="afficher cette aide et quitter")
    parser.set_defaults(func=_cmd_catalogue)

    parser = subparsers.add_parser("telecharger", help="télécharger des jeux de données dans le cache", add_help=False)
    parser.add_argument("-h", "--help", action="help", help="afficher cette aide et quitter")
    parser.add_argument("jeux", nargs="*", help="identifiants des jeux (tous par défaut)")
    parser.set_defaults(func=_cmd_fetch)

    parser = subparsers.add_parser("provenance", help="afficher la provenance d'un jeu de données", add_help=False)
    parser.add_argument("-h", "--help", action="help", help="afficher cette aide et quitter")
    parser.add_argument("jeu", help="identifiant du jeu de données")
    parser.set_defaults(func=_cmd_provenance)
