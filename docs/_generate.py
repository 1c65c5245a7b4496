"""Generate the pages of docs/ that are derived from the code and the catalogue.

Run ``python docs/_generate.py`` from the repository root after changing the
catalogue, a loader's docstring, a setting or a command. ``--check`` only lists the
stale pages and exits 1 when there are any.

Generated pages:

- ``docs/catalogue.md``: every dataset of ``data/catalogue/*.toml``, in French;
- ``docs/reference/*.md``: one page per loader module, every column of every loader
  with its dtype and meaning, read from the column table of the loader's docstring;
- ``docs/reglages-et-commandes.md``: every ``BUREAU_DATA_*`` setting of
  ``bureau_data/config.py`` and the French help of every ``bureau-data`` command;
- ``docs/api.md``: every public module and name, with its docstring summary.
"""

from __future__ import annotations

import argparse
import importlib
import inspect
import os
import pkgutil
import re
import sys
import tomllib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

DOCS_DIR = Path(__file__).resolve().parent
REPO_ROOT = DOCS_DIR.parent
CATALOGUE_DIR = REPO_ROOT / "data" / "catalogue"
GENERATED_NOTE = (
    "<!-- Page générée par docs/_generate.py : ne pas la modifier à la main, "
    "relancer « python docs/_generate.py ». -->\n"
)

# Loader modules documented in docs/reference/, with the French title of their page.
# A module listed here must exist; its public functions whose docstring has a column
# table are documented as loaders.
LOADER_MODULES: dict[str, str] = {
    "bureau_data.assemblee.amo": "Députés, mandats et organes (AMO)",
    "bureau_data.assemblee.portrait": "Portrait de l'Assemblée (tables dérivées de l'AMO)",
    "bureau_data.assemblee.scrutins": "Scrutins publics et positions de vote",
    "bureau_data.assemblee.metrics": "Indicateurs de vote",
    "bureau_data.assemblee.amendements": "Amendements",
    "bureau_data.assemblee.questions": "Questions au gouvernement et questions écrites",
    "bureau_data.assemblee.dossiers": "Dossiers législatifs",
    "bureau_data.budget": "Budget de l'État",
    "bureau_data.foret": "Forêts (FAO FRA 2020)",
    "bureau_data.covid": "Covid-19 (Santé publique France)",
    "bureau_data.consultation": "Consultation « Égalité femmes-hommes » (2016)",
    "bureau_data.geo": "Contours des départements et régions",
}

# French meaning and default of each setting, keyed by the name of its ENV_* constant in
# bureau_data/config.py. tests/test_docs.py fails when a constant is missing here.
SETTINGS_FR: dict[str, tuple[str, str]] = {
    "ENV_LOCAL_DIR": (
        "non définie (le Makefile prend `../shared/data` s'il existe)",
        "dossier de données locales : les chargeurs y lisent les fichiers, via le manifeste, "
        "au lieu de les télécharger",
    ),
    "ENV_MANIFEST": (
        "`data/manifest/` du dépôt",
        "fichier TOML ou dossier qui associe chaque jeu de données à son fichier dans le "
        "dossier de données locales",
    ),
    "ENV_CACHE_DIR": (
        "`data/cache/` du dépôt",
        "dossier des fichiers téléchargés, de leurs fiches de provenance et des tables analysées (fichiers Arrow IPC)",
    ),
    "ENV_OFFLINE": (
        "`0`",
        "`1` interdit tout accès au réseau : un fichier absent du cache et du dossier local "
        "lève une erreur qui dit comment l'obtenir",
    ),
    "ENV_OUTPUT_DIR": ("`articles/` du dépôt", "dossier du site construit"),
    "ENV_SITE_URL": ("`http://127.0.0.1:8000/`", "URL publique du site, pour le flux Atom, le plan du site et "
                     "la variante WordPress des articles ; `bureau-data construire --url-site` la remplace"),
    "ENV_MAX_AGE": (
        "`86400` (un jour)",
        "âge en secondes au-delà duquel un téléchargement en cache est revalidé auprès du serveur",
    ),
    "ENV_PROVENANCE_LOG": (
        "non définie",
        "fichier JSON Lines où `fetch()` note chaque fichier lu ; la construction le fixe "
        "pour chaque notebook, ne le réglez pas vous-même",
    ),
    "ENV_CATALOGUE_DIR": (
        "`data/catalogue/` du dépôt",
        "dossier des fichiers TOML du catalogue (les tests y mettent le leur)",
    ),
    "ENV_RETRIES": (
        "`3`",
        "nouvelles tentatives d'un téléchargement échoué (erreur de connexion, 5xx, corps tronqué)",
    ),
    "ENV_BACKOFF": (
        "`1.0`",
        "secondes d'attente avant la première nouvelle tentative, doublées à chaque tentative",
    ),
    "ENV_CONNECT_TIMEOUT": ("`10`", "secondes pour ouvrir une connexion"),
    "ENV_READ_TIMEOUT": (
        "`60`",
        "secondes sans recevoir un octet avant d'abandonner un téléchargement",
    ),
    "ENV_PROGRESS": ("`1`", "`0` masque la barre de progression des longs téléchargements"),
    "ENV_MAX_MEMBER_BYTES": (
        "`536870912` (512 Mio)",
        "taille décompressée maximale d'un membre d'archive zip, en octets",
    ),
    "ENV_MAX_ARCHIVE_BYTES": (
        "`8589934592` (8 Gio)",
        "taille décompressée maximale de toute une archive zip, en octets",
    ),
    "ENV_MAX_RATIO": (
        "`200`",
        "rapport maximal taille décompressée / taille compressée d'un membre d'archive zip",
    ),
}


# --------------------------------------------------------------------------- helpers


def _md_cell(text: str) -> str:
    """Escape a text for one cell of a Markdown table."""
    return " ".join(text.split()).replace("|", "\\|")


def _summary(obj: object) -> str:
    doc = inspect.getdoc(obj) or ""
    paragraph = doc.strip().split("\n\n", 1)[0]
    return " ".join(paragraph.split())


def public_modules() -> list[str]:
    """Return the public modules of bureau_data: no part of the dotted name starts with ``_``."""
    import bureau_data

    names = ["bureau_data"]
    for info in pkgutil.walk_packages(bureau_data.__path__, "bureau_data."):
        if any(part.startswith("_") for part in info.name.split(".")[1:]):
            continue
        names.append(info.name)
    return sorted(names)


def public_names(module_name: str) -> list[str]:
    """Return the exported names of a module: ``__all__``, else its own public functions and classes."""
    module = importlib.import_module(module_name)
    exported = getattr(module, "__all__", None)
    if exported is not None:
        return [name for name in exported if not name.startswith("_")]
    names = []
    for name, obj in vars(module).items():
        if name.startswith("_"):
            continue
        if (inspect.isfunction(obj) or inspect.isclass(obj)) and obj.__module__ == module_name:
            names.append(name)
    return names


# ------------------------------------------------------------- docstring column tables


@dataclass(frozen=True)
class Column:
    """One row of a loader's column table."""

    name: str
    dtype: str
    meaning: str


_RULE = re.compile(r"^\s*=+(\s+=+)+\s*$")


def _split_row(line: str, starts: list[int]) -> list[str]:
    cells = []
    for index, start in enumerate(starts):
        end = starts[index + 1] if index + 1 < len(starts) else None
        cells.append(line[start:end].strip() if len(line) > start else "")
    return cells


def _expand_names(text: str) -> list[str]:
    """Expand ``groupe_abrege, _libelle`` into ``groupe_abrege, groupe_libelle``."""
    names: list[str] = []
    for part in (piece.strip() for piece in text.split(",")):
        if not part:
            continue
        if part.startswith("_") and names:
            stem = names[0].rsplit("_", 1)[0]
            part = stem + part
        names.append(part.strip("`"))
    return names


def column_tables(doc: str) -> list[list[Column]]:
    """Parse every reST simple table of three or more columns in the Returns section of ``doc``."""
    match = re.search(r"^Returns\n-+\n(.*?)(?=^\w[\w ]*\n-+\n|\Z)", doc, re.S | re.M)
    if not match:
        return []
    lines = match.group(1).splitlines()
    tables: list[list[Column]] = []
    index = 0
    while index < len(lines):
        if not _RULE.match(lines[index]):
            index += 1
            continue
        rule = lines[index]
        starts = [m.start() for m in re.finditer(r"=+", rule)]
        if len(starts) < 3:
            index += 1
            continue
        index += 1
        rows: list[list[str]] = []
        while index < len(lines):
            line = lines[index]
            if _RULE.match(line):
                # A rule closes the header or the table: the table ends at a rule
                # followed by a blank line or the end of the section.
                following = lines[index + 1] if index + 1 < len(lines) else ""
                index += 1
                if not following.strip():
                    break
                continue
            if line.strip():
                cells = _split_row(line, starts)
                cells = cells[:2] + [" ".join(cells[2:])]
                if cells[0] or not rows:
                    rows.append(cells)
                else:  # continuation of the meaning, or of the dtype
                    rows[-1][2] = f"{rows[-1][2]} {cells[2]}".strip()
                    if cells[1]:
                        rows[-1][1] = f"{rows[-1][1]} {cells[1]}".strip()
            index += 1
        if rows and rows[0][0].lower() in {"column", "colonne"}:
            rows = rows[1:]
        table: list[Column] = []
        for name_text, dtype_text, meaning in rows:
            names = _expand_names(name_text)
            dtypes = [piece.strip() for piece in dtype_text.split(",")]
            if len(dtypes) != len(names):
                dtypes = [dtype_text] * len(names)
            table.extend(Column(name, dtype, meaning) for name, dtype in zip(names, dtypes, strict=True))
        if table:
            tables.append(table)
    return tables


def loader_functions(module_name: str) -> list[tuple[str, Callable[..., object]]]:
    """Return the public functions of a module whose docstring has a column table."""
    module = importlib.import_module(module_name)
    found = []
    for name in public_names(module_name):
        obj = getattr(module, name)
        if inspect.isfunction(obj) and column_tables(inspect.getdoc(obj) or ""):
            found.append((name, obj))
    return found


def _rst_to_md(text: str) -> str:
    """Turn the reST inline literals of a docstring into Markdown ones."""
    return re.sub(r"``([^`]+)``", r"`\1`", text)


def _section(doc: str, title: str) -> str:
    match = re.search(rf"^{title}\n-+\n(.*?)(?=^\w[\w ]*\n-+\n|\Z)", doc, re.S | re.M)
    return match.group(1).strip("\n") if match else ""


# ------------------------------------------------------------------------ catalogue


def _loader_modules_using(dataset_id: str, sources: dict[str, str]) -> list[str]:
    """Return the modules whose source contains ``dataset_id`` as a quoted string literal."""
    users = []
    for module_name, text in sources.items():
        if f'"{dataset_id}"' in text or f"'{dataset_id}'" in text:
            users.append(module_name)
    return users


def _module_sources() -> dict[str, str]:
    sources = {}
    package = REPO_ROOT / "bureau_data"
    for path in sorted(package.rglob("*.py")):
        dotted = ".".join(path.relative_to(REPO_ROOT).with_suffix("").parts)
        sources[dotted.removesuffix(".__init__")] = path.read_text(encoding="utf-8")
    return sources


def render_catalogue() -> str:
    """Return docs/catalogue.md, generated from data/catalogue/*.toml."""
    sources = _module_sources()
    out = [
        "# Catalogue des données\n",
        GENERATED_NOTE,
        "Chaque jeu de données que lisent les chargeurs est déclaré dans un fichier "
        "`data/catalogue/<domaine>.toml` : éditeur, licence, adresse officielle, couverture, "
        "rythme de mise à jour et défauts connus. `fetch()` lit ces fiches pour télécharger "
        "le fichier et pour écrire la provenance de chaque table (`df.attrs[\"provenance\"]`), "
        "que la construction reprend dans le bloc « Sources et méthode » de chaque article. "
        "`bureau-data catalogue` affiche la même liste avec l'état du cache.\n",
        "La ligne « Chargeurs » donne les modules de `bureau_data` qui citent l'identifiant ; "
        "quand elle manque, l'identifiant est composé dans le code (par exemple "
        "`assemblee.amo.l{législature}`) : cherchez le début de l'identifiant dans le "
        "module du domaine. Le comportement des chargeurs face aux défauts est décrit dans "
        "la section *Notes* de leur page de [référence](reference/README.md).\n",
    ]
    files = sorted(CATALOGUE_DIR.glob("*.toml"))
    out.append("## Domaines\n")
    for path in files:
        count = len(tomllib.loads(path.read_text(encoding="utf-8")))
        out.append(f"- [{path.stem}](#{path.stem}) : {count} jeux")
    out.append("")
    for path in files:
        content = tomllib.loads(path.read_text(encoding="utf-8"))
        out.append(f"## {path.stem}\n")
        out.append(f"Fichier `data/catalogue/{path.name}`.\n")
        for dataset_id, entry in content.items():
            out.append(f"### `{dataset_id}`\n")
            out.append(f"**{_md_cell(entry['title'])}**\n")
            if entry.get("description"):
                out.append(_md_cell(entry["description"]) + "\n")
            licence = entry["licence"]
            if entry.get("licence_url"):
                licence = f"[{licence}]({entry['licence_url']})"
            rows = [
                ("Éditeur", entry["publisher"]),
                ("Licence", licence),
                ("Adresse officielle", f"<{entry['url']}>"),
                ("Fichier", f"`{entry['filename']}`"),
                ("Couverture", entry.get("coverage", "") or "non précisée"),
                ("Mise à jour", entry.get("update_frequency", "") or "non précisée"),
            ]
            users = _loader_modules_using(dataset_id, sources)
            if users:
                rows.append(("Chargeurs", ", ".join(f"`{name}`" for name in users)))
            out.append("| | |\n|---|---|")
            out.extend(f"| {label} | {_md_cell(value)} |" for label, value in rows)
            out.append("")
            defects = entry.get("known_defects", [])
            if defects:
                out.append("Défauts connus :\n")
                out.extend(f"- {' '.join(defect.split())}" for defect in defects)
                out.append("")
    return "\n".join(out).rstrip() + "\n"


# ------------------------------------------------------------------ loader reference


def _reference_slug(module_name: str) -> str:
    return module_name.removeprefix("bureau_data.").replace(".", "-")


def render_reference_page(module_name: str, title: str) -> str:
    """Return the reference page of one loader module."""
    module = importlib.import_module(module_name)
    out = [f"# {title}\n", GENERATED_NOTE]
    out.append(f"Module `{module_name}`. {_rst_to_md(_summary(module))}\n")
    out.append(
        "Les descriptions viennent des docstrings du code, en anglais comme elles. "
        "Les types sont ceux de pandas (`string`, `Int64` entier avec valeurs manquantes, "
        "`category`, `datetime64[ns]`…).\n"
    )
    functions = [
        (name, getattr(module, name))
        for name in public_names(module_name)
        if inspect.isfunction(getattr(module, name))
    ]
    loaders = [(n, f) for n, f in functions if column_tables(inspect.getdoc(f) or "")]
    others = [(n, f) for n, f in functions if (n, f) not in loaders]
    out.append("## Fonctions\n")
    for name, function in functions:
        out.append(f"- [`{name}`](#{name.lower()}) : {_md_cell(_rst_to_md(_summary(function)))}")
    out.append("")
    for name, function in loaders + others:
        doc = inspect.getdoc(function) or ""
        out.append(f"## {name}\n")
        out.append(f"```python\n{_format_signature(f'{module_name}.{name}', function)}\n```\n")
        out.append(_rst_to_md(_summary(function)) + "\n")
        tables = column_tables(doc)
        if tables:
            for table in tables:
                out.append("| colonne | type | signification |\n|---|---|---|")
                out.extend(
                    f"| `{column.name}` | {_md_cell(column.dtype)} | "
                    f"{_md_cell(_rst_to_md(column.meaning))} |"
                    for column in table
                )
                out.append("")
        else:
            returns = _section(doc, "Returns")
            if returns:
                out.append("Résultat :\n")
                out.append(_entries_to_md(_rst_to_md(returns)))
        for section, label in (("Parameters", "Paramètres"), ("Raises", "Erreurs"),
                               ("Warns", "Avertissements")):
            text = _section(doc, section)
            if text:
                out.append(f"{label} :\n")
                out.append(_entries_to_md(_rst_to_md(text)))
        notes = _section(doc, "Notes")
        if notes:
            out.append("Notes :\n")
            out.append(_rst_to_md(notes).strip() + "\n")
    return "\n".join(out).rstrip() + "\n"


def _entries_to_md(text: str) -> str:
    """Turn a numpydoc list section (``name : type`` then an indented text) into a Markdown list."""
    items: list[list[str]] = []
    for line in text.splitlines():
        if line and not line[0].isspace():
            items.append([line.strip(), ""])
        elif items and line.strip():
            items[-1][1] = f"{items[-1][1]} {line.strip()}".strip()
    lines = []
    for head, body in items:
        name, _, kind = head.partition(" : ")
        label = f"`{name.strip()}`" + (f" ({kind.strip()})" if kind.strip() else "")
        lines.append(f"- {label} : {body}" if body else f"- {label}")
    return "\n".join(lines) + "\n"


def _format_signature(qualified_name: str, function: Callable[..., object]) -> str:
    """Return ``name(a: int, *, b: str = 'x') -> T`` with annotations as written in the source."""
    signature = inspect.signature(function)
    parts = []
    keyword_only_marked = False
    for parameter in signature.parameters.values():
        if parameter.kind is parameter.KEYWORD_ONLY and not keyword_only_marked:
            parts.append("*")
            keyword_only_marked = True
        if parameter.kind is parameter.VAR_POSITIONAL:
            keyword_only_marked = True
        text = parameter.name
        if parameter.kind is parameter.VAR_POSITIONAL:
            text = "*" + text
        elif parameter.kind is parameter.VAR_KEYWORD:
            text = "**" + text
        if parameter.annotation is not parameter.empty:
            annotation = parameter.annotation
            text += f": {annotation if isinstance(annotation, str) else inspect.formatannotation(annotation)}"
        if parameter.default is not parameter.empty:
            text += f" = {parameter.default!r}"
        parts.append(text)
    result = f"{qualified_name}({', '.join(parts)})"
    if signature.return_annotation is not signature.empty:
        annotation = signature.return_annotation
        result += f" -> {annotation if isinstance(annotation, str) else inspect.formatannotation(annotation)}"
    return result


def render_reference_index() -> str:
    out = ["# Référence des chargeurs\n", GENERATED_NOTE]
    out.append(
        "Une page par module de chargeurs : chaque fonction, ses paramètres, chaque colonne "
        "de la table rendue avec son type et sa signification, et les défauts de la source "
        "qu'elle corrige (section *Notes*).\n"
    )
    for module_name, title in LOADER_MODULES.items():
        out.append(f"- [{title}]({_reference_slug(module_name)}.md) : `{module_name}`")
    return "\n".join(out).rstrip() + "\n"


# ------------------------------------------------------------- settings and commands


def setting_constants() -> dict[str, str]:
    """Return the ``ENV_*`` constants of bureau_data.config: constant name -> variable name."""
    from bureau_data import config

    return {name: value for name, value in vars(config).items() if name.startswith("ENV_")}


def subcommands() -> dict[str, argparse.ArgumentParser]:
    """Return every ``bureau-data`` subcommand with its parser, in registration order."""
    from bureau_data.cli import build_parser

    parser = build_parser()
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return dict(action.choices)
    return {}


def _help_text(parser: argparse.ArgumentParser) -> str:
    # A fixed width keeps the generated page the same on every terminal.
    previous = os.environ.get("COLUMNS")
    os.environ["COLUMNS"] = "90"
    try:
        return parser.format_help().rstrip()
    finally:
        if previous is None:
            del os.environ["COLUMNS"]
        else:
            os.environ["COLUMNS"] = previous


def render_settings_and_commands() -> str:
    from bureau_data.cli import build_parser

    constants = setting_constants()
    missing = sorted(set(constants) - set(SETTINGS_FR))
    if missing:
        raise SystemExit(
            f"Réglages sans description française dans docs/_generate.py : {', '.join(missing)}."
        )
    out = ["# Réglages et commandes\n", GENERATED_NOTE]
    out.append("## Réglages\n")
    out.append(
        "Tous les réglages sont des variables d'environnement lues par "
        "`bureau_data/config.py` à chaque appel d'un chargeur : un notebook peut en changer "
        "une avec `os.environ[...] = ...` et l'appel suivant en tient compte. Une valeur "
        "illisible lève `ConfigurationError` avec le nom de la variable et un exemple de "
        "valeur correcte. Les booléens acceptent `1/0`, `true/false`, `yes/no`, `oui/non`, "
        "`on/off`.\n"
    )
    out.append("| variable | défaut | rôle |\n|---|---|---|")
    for constant, variable in constants.items():
        default, meaning = SETTINGS_FR[constant]
        out.append(f"| `{variable}` | {default} | {meaning} |")
    out.append("")
    out.append(
        "Exemple : construire les articles sans réseau, avec un autre cache.\n\n"
        "```sh\nBUREAU_DATA_OFFLINE=1 BUREAU_DATA_CACHE_DIR=/tmp/cache make articles\n```\n"
    )
    out.append("## Commandes\n")
    out.append(
        "`bureau-data` est installé dans `.venv/bin/` par `make install`. Chaque commande "
        "affiche son aide avec `--help`. En cas d'erreur de bureau_data, la commande écrit "
        "« erreur : » suivi du message sur la sortie d'erreur et rend le code 1 ; une "
        "interruption (Ctrl-C) rend 130.\n"
    )
    out.append("```text\n" + _help_text(build_parser()) + "\n```\n")
    for name, parser in subcommands().items():
        out.append(f"### `bureau-data {name}`\n")
        out.append("```text\n" + _help_text(parser) + "\n```\n")
    return "\n".join(out).rstrip() + "\n"


# ------------------------------------------------------------------------ API index


def render_api_index() -> str:
    out = ["# API index\n", GENERATED_NOTE.replace(
        "Page générée par docs/_generate.py : ne pas la modifier à la main, relancer "
        "« python docs/_generate.py ».",
        "Generated by docs/_generate.py: do not edit by hand, run `python docs/_generate.py`.",
    )]
    out.append(
        "Every public module of `bureau_data` (no part of its name starts with `_`) and "
        "every name it exports (`__all__`, or else its own public functions and classes), "
        "with the first paragraph of the docstring. The full docstring is one "
        "`help(name)` away in a notebook.\n"
    )
    for module_name in public_modules():
        names = public_names(module_name)
        module = importlib.import_module(module_name)
        out.append(f"## `{module_name}`\n")
        out.append(_rst_to_md(_summary(module)) + "\n")
        if not names:
            continue
        out.append("| name | kind | summary |\n|---|---|---|")
        for name in names:
            obj = getattr(module, name)
            kind = "class" if inspect.isclass(obj) else "function" if callable(obj) else "value"
            out.append(f"| `{name}` | {kind} | {_md_cell(_rst_to_md(_summary(obj)))} |")
        out.append("")
    return "\n".join(out).rstrip() + "\n"


# ----------------------------------------------------------------------------- main


def pages() -> dict[Path, str]:
    """Return every generated page, keyed by its path."""
    generated = {
        DOCS_DIR / "catalogue.md": render_catalogue(),
        DOCS_DIR / "reglages-et-commandes.md": render_settings_and_commands(),
        DOCS_DIR / "api.md": render_api_index(),
        DOCS_DIR / "reference" / "README.md": render_reference_index(),
    }
    for module_name, title in LOADER_MODULES.items():
        path = DOCS_DIR / "reference" / f"{_reference_slug(module_name)}.md"
        generated[path] = render_reference_page(module_name, title)
    return generated


def stale_pages() -> list[Path]:
    """Return the generated pages whose committed text differs from what the code gives now."""
    stale = []
    for path, text in pages().items():
        if not path.is_file() or path.read_text(encoding="utf-8") != text:
            stale.append(path)
    return stale


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Générer les pages dérivées du code dans docs/.")
    parser.add_argument("--check", action="store_true",
                        help="signaler les pages périmées sans les écrire (code de sortie 1)")
    args = parser.parse_args(argv)
    if args.check:
        stale = stale_pages()
        for path in stale:
            print(f"périmée : {path.relative_to(REPO_ROOT)}", file=sys.stderr)
        if stale:
            print("Relancez « python docs/_generate.py » et committez les pages.", file=sys.stderr)
        return 1 if stale else 0
    for path, text in pages().items():
        path.parent.mkdir(parents=True, exist_ok=True)
        if not path.is_file() or path.read_text(encoding="utf-8") != text:
            path.write_text(text, encoding="utf-8")
            print(f"écrite : {path.relative_to(REPO_ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
