"""The ``bureau-data`` command line, in French.

Subcommands are registered by the modules that implement them, each through a
``register(subparsers)`` function, so this file only builds the parser and translates
argparse's own English strings.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TypeVar

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
    "invalid %(type)s value: %(value)r": "valeur invalide : %(value)r (attendu : %(type)s)",
    "show program's version number and exit": "afficher la version et quitter",
    "ambiguous option: %(option)s could match %(matches)s": "option ambiguë : %(option)s peut désigner %(matches)s",
    "expected at least one argument": "au moins une valeur est attendue",
    "not allowed with argument %s": "incompatible avec l'argument %s",
}


def _translate(message: str) -> str:
    return _FRENCH.get(message, message)


argparse._ = _translate  # type: ignore[attr-defined]

# argparse names a type converter by its __name__ in « valeur invalide : … (attendu : …) ».
# The built-in converters get a French name; the others are named with french_type.
_BUILTIN_TYPE_NAMES: dict[Any, str] = {int: "entier", float: "nombre", Path: "chemin"}
# Exit status of a process whose standard output was closed by its reader (128 + SIGPIPE).
EXIT_BROKEN_PIPE = 141

_Converter = TypeVar("_Converter", bound=Callable[[str], Any])


def french_type(name: str) -> Callable[[_Converter], _Converter]:
    """Give an argparse type converter the French name shown when a value is invalid.

    Parameters
    ----------
    name
        What the option expects, such as ``"entier positif"``.

    Returns
    -------
    callable
        A decorator that sets the converter's ``__name__`` and returns it unchanged.

    Examples
    --------
    >>> @french_type("entier positif")
    ... def positive_int(text):
    ...     return int(text)
    >>> parser = argparse.ArgumentParser(prog="essai", exit_on_error=False)
    >>> _ = parser.add_argument("-j", type=positive_int)
    >>> parser.parse_args(["-j", "deux"])
    Traceback (most recent call last):
        ...
    argparse.ArgumentError: argument -j : valeur invalide : 'deux' (attendu : entier positif)
    """

    def decorate(converter: _Converter) -> _Converter:
        converter.__name__ = name
        return converter

    return decorate


def _name_builtin_types(parser: argparse.ArgumentParser) -> None:
    """Replace the built-in type converters of ``parser`` and its subcommands by French-named ones."""
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for subparser in set(action.choices.values()):
                _name_builtin_types(subparser)
        elif callable(action.type) and action.type in _BUILTIN_TYPE_NAMES:
            action.type = french_type(_BUILTIN_TYPE_NAMES[action.type])(_converter(action.type))


def _converter(builtin: Callable[[str], Any]) -> Callable[[str], Any]:
    def convert(text: str) -> Any:
        return builtin(text)

    return convert


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
    _name_builtin_types(parser)
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
        # Like argparse for a missing argument: help and an error line on stderr, status 2.
        parser.print_help(sys.stderr)
        print(f"{parser.prog} : erreur : aucune commande indiquée. Choisissez une des commandes "
              f"ci-dessus, par exemple « {parser.prog} catalogue ».", file=sys.stderr)
        return 2
    try:
        status = int(args.func(args) or 0)
        # Flushed here so that a reader that closed the pipe is caught by the handler below.
        sys.stdout.flush()
        return status
    except BrokenPipeError:
        return _stdout_closed()
    except BureauDataError as exc:
        print(f"erreur : {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("interrompu.", file=sys.stderr)
        return 130


def _stdout_closed() -> int:
    """Stop quietly after the reader of stdout went away, as ``bureau-data catalogue | head`` does."""
    # Python flushes stdout again at exit, and that flush would fail with a traceback, so
    # the rest of the output goes to the null device.
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    os.close(devnull)
    return EXIT_BROKEN_PIPE


if __name__ == "__main__":
    sys.exit(main())
