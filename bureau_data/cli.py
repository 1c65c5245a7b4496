"""The ``bureau-data`` command line, in French.

Subcommands are registered by the modules that implement them, each through a
``register(subparsers)`` function, so this file only builds the parser and translates
argparse's own English strings.
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence

from bureau_data import __version__
from bureau_data.errors import BureauDataError

# argparse's built-in strings, translated. argparse looks them up through gettext at
# call time, so replacing its module-level ``_`` covers usage lines and error messages.
_FRENCH = {
    "usage: ": "utilisation : ",
    "positional arguments": "arguments",
    "options": "options",
    "show this help message and exit": "afficher cette aide et quitter",
    "the following arguments are required: %s": "arguments obligatoires manquants : %s",
    "unrecognized arguments: %s": "arguments non reconnus : %s",
    "invalid choice: %(value)r (choose from %(choices)s)": "choix invalide : %(value)r (choix possibles : %(choices)s)",
    "argument %(argument_name)s: %(message)s": "argument %(argument_name)s : %(message)s",
    "%(prog)s: error: %(message)s\n": "%(prog)s : erreur : %(message)s\n",
    "expected one argument": "une valeur est attendue",
    "invalid %(type)s value: %(value)r": "valeur invalide (%(type)s) : %(value)r",
    "show program's version number and exit": "afficher la version et quitter",
    "ambiguous option: %(option)s could match %(matches)s": "option ambiguë : %(option)s peut désigner %(matches)s",
    "expected at least one argument": "au moins une valeur est attendue",
    "not allowed with argument %s": "incompatible avec l'argument %s",
}


def _translate(message: str) -> str:
    return _FRENCH.get(message, message)


argparse._ = _translate  # type: ignore[attr-defined]


def build_parser() -> argparse.ArgumentParser:
    """Return the parser of ``bureau-data`` with every subcommand registered."""
    parser = argparse.ArgumentParser(
        prog="bureau-data",
        description="Données ouvertes et articles du Bureau ouvert : catalogue, cache, construction du site.",
        add_help=False,
    )
    parser.add_argument("-h", "--help", action="help", help="afficher cette aide et quitter")
    parser.add_argument("--version", action="version", version=f"bureau-data {__version__}",
                        help="afficher la version et quitter")
    parser.add_argument("-v", "--verbeux", action="store_true", help="afficher les messages de débogage")
    subparsers = parser.add_subparsers(dest="commande", title="commandes", metavar="COMMANDE")

    from bureau_data import cli_data

    cli_data.register(subparsers)
    try:
        from bureau_data.publish import cli as publish_cli
    except ImportError:  # publishing is optional while it is being built
        publish_cli = None  # type: ignore[assignment]
    if publish_cli is not None:
        publish_cli.register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``bureau-data`` and return its exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.verbeux else logging.INFO,
        format="%(levelname)s %(name)s : %(message)s" if args.verbeux else "%(message)s",
    )
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    try:
        return int(args.func(args) or 0)
    except BureauDataError as exc:
        print(f"erreur : {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("interrompu.", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
