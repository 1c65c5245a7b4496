"""Article subcommands of ``bureau-data``: nouvel-article, construire, servir.

The heavy modules (nbclient, nbconvert) are imported inside the commands, so the
other subcommands start fast.
"""

from __future__ import annotations

import argparse
import copy
import functools
import json
import logging
import sys
from datetime import date
from http import HTTPStatus
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from bureau_data.cli import french_type
from bureau_data.config import PROJECT_ROOT, get_settings
from bureau_data.errors import BuildError
from bureau_data.publish.build import DEFAULT_CELL_TIMEOUT, DEFAULT_HTML_BUDGET, DEFAULT_SITE_URL
from bureau_data.publish.metadata import SLUG_PATTERN
from bureau_data.publish.site import TEMPLATE_NAME

logger = logging.getLogger(__name__)

TEMPLATE_NOTEBOOK = "_modele.ipynb"


def default_notebooks_dir() -> Path:
    """Return ``notebooks/`` of the checkout, or of the current folder for an installed package.

    Returns
    -------
    Path

    Examples
    --------
    >>> default_notebooks_dir().relative_to(PROJECT_ROOT).as_posix()
    'notebooks'
    """
    return (PROJECT_ROOT or Path.cwd()) / "notebooks"


@french_type("entier positif")
def _positive_int(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"un entier supérieur ou égal à 1 est attendu, pas {value}")
    return value


@french_type("taille en Mo")
def _megabytes(text: str) -> int:
    value = float(text.replace(",", "."))
    if value <= 0:
        raise argparse.ArgumentTypeError(f"une taille positive en Mo est attendue, pas {text}")
    return int(value * 1_000_000)


@french_type("URL")
def _site_url(text: str) -> str:
    if not text.startswith(("http://", "https://")):
        raise argparse.ArgumentTypeError(f"une URL absolue http(s) est attendue, pas {text!r}")
    return text if text.endswith("/") else text + "/"


def _cmd_new_article(args: argparse.Namespace) -> int:
    notebooks_dir: Path = args.notebooks
    slug: str = args.slug
    if not SLUG_PATTERN.fullmatch(slug):
        raise BuildError(
            f"Identifiant d'article invalide : {slug!r}. Utilisez des minuscules sans accent, "
            "des chiffres et des tirets, par exemple « budget-etat-2025 »."
        )
    title = args.titre.strip()
    if not title:
        raise BuildError(f"Titre vide pour l'article {slug!r} : donnez-en un avec --titre \"Le titre\".")
    target = notebooks_dir / f"{slug}.ipynb"
    if target.exists():
        raise BuildError(f"Le notebook {target} existe déjà : choisissez un autre identifiant ou modifiez-le.")
    model_path = notebooks_dir / TEMPLATE_NOTEBOOK
    if not model_path.is_file():
        raise BuildError(f"Modèle de notebook introuvable : {model_path}.")
    notebook = json.loads(model_path.read_text(encoding="utf-8"))
    notebook = copy.deepcopy(notebook)
    block = notebook.setdefault("metadata", {}).setdefault("bureau_data", {})
    block.update({
        "title": title,
        "date": date.today().isoformat(),
        "authors": args.auteur or block.get("authors") or ["Bureau ouvert"],
        "summary": args.resume or block.get("summary") or "Résumé à écrire.",
        "tags": block.get("tags", []),
        "slug": slug,
        "draft": True,
    })
    target.write_text(json.dumps(notebook, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"Notebook créé : {target} (brouillon). Ouvrez-le avec « make lab », puis passez "
          "« draft » à false dans ses métadonnées pour le publier.")
    return 0


def _cmd_build(args: argparse.Namespace) -> int:
    from bureau_data.publish.build import BuildOptions, build_site

    options = BuildOptions(
        notebooks_dir=args.notebooks.resolve(),
        output_dir=(args.sortie or get_settings().output_dir).resolve(),
        slugs=tuple(args.articles),
        jobs=args.jobs,
        force=args.force,
        drafts=args.brouillons,
        kernel=args.noyau,
        cell_timeout=args.delai_cellule,
        html_budget=args.budget_html,
        site_url=args.url_site or get_settings().site_url or DEFAULT_SITE_URL,
        template=args.modele,
        verbose=bool(getattr(args, "verbeux", False)),
    )
    report = build_site(options)
    for result in report.results:
        if result.status == "built":
            print(f"construit  {result.slug} : HTML {result.html_size / 1000:.1f} ko, "
                  f"{result.seconds:.1f} s".replace(".", ","))
            for warning in result.warnings:
                print(f"  avertissement : {warning}")
        elif result.status == "skipped":
            print(f"inchangé   {result.slug}")
        elif result.status == "draft":
            print(result.message)
    for result in report.by_status("failed"):
        print(f"ÉCHEC      {result.slug}\n{result.message}", file=sys.stderr)
    for error in report.site_errors:
        print(f"ÉCHEC du site : {error}", file=sys.stderr)
    built = len(report.by_status("built"))
    skipped = len(report.by_status("skipped"))
    failed = len(report.by_status("failed"))
    print(f"{built} construit(s), {skipped} inchangé(s), {failed} en échec, "
          f"en {report.seconds:.2f} s. Site : {options.output_dir}".replace(".", ",", 1))
    return 0 if report.ok else 1


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - argparse signature
        logger.debug(format, *args)

    def send_head(self) -> Any:
        # Hidden files and folders (the staging folder of a running build) are not part of the site.
        parts = unquote(urlsplit(self.path).path).split("/")
        if any(part.startswith(".") for part in parts if part):
            self.send_error(HTTPStatus.NOT_FOUND, "Fichier introuvable")
            return None
        return super().send_head()


def _cmd_serve(args: argparse.Namespace) -> int:
    folder = (args.sortie or get_settings().output_dir).resolve()
    if not (folder / "index.html").is_file():
        raise BuildError(f"Aucun site construit dans {folder} : lancez d'abord « bureau-data construire ».")
    handler = functools.partial(_QuietHandler, directory=str(folder))
    server = ThreadingHTTPServer(("127.0.0.1", args.port), handler)
    print(f"Site servi sur http://127.0.0.1:{server.server_port}/ depuis {folder} (Ctrl+C pour arrêter).")
    try:
        server.serve_forever()
    finally:
        server.server_close()
    return 0


def _parser(subparsers: argparse._SubParsersAction, name: str, help_text: str) -> argparse.ArgumentParser:  # type: ignore[type-arg]
    parser = subparsers.add_parser(name, help=help_text, description=help_text, add_help=False)
    parser.add_argument("-h", "--help", action="help", help="afficher cette aide et quitter")
    return parser


def register(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Add the article subcommands to the ``bureau-data`` parser.

    Parameters
    ----------
    subparsers
        The result of ``ArgumentParser.add_subparsers`` of the ``bureau-data`` command.

    Examples
    --------
    >>> import argparse
    >>> parser = argparse.ArgumentParser(prog="bureau-data")
    >>> register(parser.add_subparsers())
    >>> args = parser.parse_args(["nouvel-article", "part-des-femmes", "--titre", "Les femmes"])
    >>> args.slug
    'part-des-femmes'
    """
    parser = _parser(subparsers, "nouvel-article", "créer un notebook d'article à partir du modèle")
    parser.add_argument("slug", help="identifiant de l'article (minuscules, chiffres, tirets), nom du fichier")
    parser.add_argument("--titre", required=True, help="titre de l'article")
    parser.add_argument("--auteur", action="append", help="auteur ou autrice (option répétable)")
    parser.add_argument("--resume", help="résumé d'une ou deux phrases")
    parser.add_argument("--notebooks", type=Path, default=default_notebooks_dir(), metavar="DOSSIER",
                        help="dossier des notebooks (défaut : notebooks/ du dépôt)")
    parser.set_defaults(func=_cmd_new_article)

    parser = _parser(subparsers, "construire", "exécuter les notebooks et construire le site des articles")
    parser.add_argument("articles", nargs="*", metavar="SLUG",
                        help="articles à construire (tous par défaut)")
    parser.add_argument("-j", "--jobs", type=_positive_int, default=1, metavar="N",
                        help="nombre de notebooks exécutés en parallèle (processus, défaut : 1)")
    parser.add_argument("--force", "--forcer", dest="force", action="store_true",
                        help="reconstruire même les articles inchangés")
    parser.add_argument("--brouillons", action="store_true",
                        help="inclure les articles marqués draft: true")
    parser.add_argument("--noyau", metavar="NOM",
                        help="noyau Jupyter à utiliser (défaut : bureau-data, sinon python3)")
    parser.add_argument("--delai-cellule", type=_positive_int, default=DEFAULT_CELL_TIMEOUT, metavar="SECONDES",
                        help=f"durée maximale d'exécution d'une cellule, en secondes (défaut : {DEFAULT_CELL_TIMEOUT})")
    parser.add_argument("--budget-html", type=_megabytes, default=DEFAULT_HTML_BUDGET, metavar="MO",
                        help=f"taille maximale de la page HTML d'un article, en Mo (défaut : {DEFAULT_HTML_BUDGET // 1_000_000})")
    parser.add_argument("--url-site", type=_site_url, metavar="URL",
                        help="URL publique du site, pour le flux Atom, le plan du site et la variante WordPress "
                             f"(défaut : BUREAU_DATA_SITE_URL, sinon {DEFAULT_SITE_URL})")
    parser.add_argument("--modele", default=TEMPLATE_NAME,
                        help=f"modèle de page (défaut et seul disponible : {TEMPLATE_NAME})")
    parser.add_argument("--notebooks", type=Path, default=default_notebooks_dir(), metavar="DOSSIER",
                        help="dossier des notebooks (défaut : notebooks/ du dépôt)")
    parser.add_argument("--sortie", type=Path, metavar="DOSSIER",
                        help="dossier du site (défaut : BUREAU_DATA_OUTPUT_DIR, sinon articles/)")
    parser.set_defaults(func=_cmd_build)

    parser = _parser(subparsers, "servir", "servir le site construit sur 127.0.0.1 pour le relire")
    parser.add_argument("--port", type=int, default=8000, help="port d'écoute (défaut : 8000, 0 pour un port libre)")
    parser.add_argument("--sortie", type=Path, metavar="DOSSIER",
                        help="dossier du site (défaut : BUREAU_DATA_OUTPUT_DIR, sinon articles/)")
    parser.set_defaults(func=_cmd_serve)
