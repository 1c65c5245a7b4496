"""The article build: which notebooks to run, running them, publishing them safely.

``build_site`` is what ``bureau-data construire`` and ``make articles`` call.

- Incremental: an article is rebuilt only when one of its inputs changed. The inputs
  are its notebook (cells, metadata), the library (``bureau_data/`` sources and
  catalogue), the template, the build settings, the settings that choose which data
  file a loader reads (local data folder, manifest, catalogue folder), and the content
  of the data files it read last time. Data files are rechecked by
  size and modification time first, and hashed only when those differ.
- Safe: each article is written to a staging folder and moved into place only when
  it built completely. A failed article keeps its last good version online.
- Exclusive: a file lock stops two builds of the same output folder from interleaving.
  The second one waits and logs a message saying so.
- Nothing of the build's own goes online: the state, the lock, the provenance records and
  the logs live in the cache folder (``construction/`` of ``BUREAU_DATA_CACHE_DIR``), one
  folder per output folder. Only the staging folder sits in the output folder, hidden,
  because publishing an article is a rename, and it is removed when the build ends.
"""

from __future__ import annotations

import hashlib
import json
import logging
import multiprocessing
import os
import shutil
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import filelock

from bureau_data.errors import BuildError
from bureau_data.publish.metadata import ArticleMeta, MetadataError
from bureau_data.publish.site import (
    TEMPLATE_NAME,
    TEMPLATES_DIR,
    BrokenLinksError,
    check_site_links,
    check_template,
    missing_targets,
    render_site_files,
    write_if_changed,
)

logger = logging.getLogger(__name__)

STATE_VERSION = 1
STAGING_DIR = ".construction-en-cours"  # inside the output folder, removed at the end of the build
DEFAULT_HTML_BUDGET = 5_000_000  # bytes of one article's HTML
DEFAULT_CELL_TIMEOUT = 300  # seconds one cell may run
DEFAULT_SITE_URL = "http://127.0.0.1:8000/"
LIBRARY_DIR = Path(__file__).resolve().parent.parent
SITE_FILES = ("index.html", "feed.xml", "sitemap.xml", "style.css", "favicon.svg")


class BuildLockTimeout(BuildError):
    """Another build kept the output folder locked for too long.

    Examples
    --------
    >>> issubclass(BuildLockTimeout, BuildError)
    True
    """


@dataclass(frozen=True)
class BuildOptions:
    """Settings of one build.

    ``slugs`` empty means every notebook. ``html_budget`` is in bytes: a larger
    article page fails. ``lock_timeout`` is how long to wait for another build, in
    seconds. ``verbose`` puts full tracebacks and stderr texts in the report.

    Examples
    --------
    >>> options = BuildOptions(notebooks_dir=Path("notebooks"), output_dir=Path("articles"))
    >>> options.slugs, options.jobs, options.template
    ((), 1, 'bureau')
    """

    notebooks_dir: Path
    output_dir: Path
    slugs: tuple[str, ...] = ()
    jobs: int = 1
    force: bool = False
    drafts: bool = False
    kernel: str | None = None
    cell_timeout: int = DEFAULT_CELL_TIMEOUT
    html_budget: int = DEFAULT_HTML_BUDGET
    site_url: str = DEFAULT_SITE_URL
    template: str = TEMPLATE_NAME
    lock_timeout: float = 3600.0
    verbose: bool = False


@dataclass
class ArticleResult:
    """Outcome of one article in a build: ``built``, ``skipped``, ``draft`` (left out) or ``failed``.

    Examples
    --------
    >>> notebook = Path("notebooks/part-des-femmes.ipynb")
    >>> result = ArticleResult(slug="part-des-femmes", notebook=notebook, status="skipped",
    ...                        message="inchangé")
    >>> result.status, result.warnings
    ('skipped', [])
    """

    slug: str
    notebook: Path
    status: str
    message: str = ""
    html_size: int = 0
    seconds: float = 0.0
    warnings: list[str] = field(default_factory=list)


@dataclass
class BuildReport:
    """Outcome of a build: one result per article, plus site-level errors.

    Examples
    --------
    >>> report = BuildReport(results=[ArticleResult("a", Path("a.ipynb"), "built"),
    ...                               ArticleResult("b", Path("b.ipynb"), "failed", "cellule 3")])
    >>> report.ok, [result.slug for result in report.by_status("failed")]
    (False, ['b'])
    """

    results: list[ArticleResult] = field(default_factory=list)
    site_errors: list[str] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return not self.site_errors and all(r.status != "failed" for r in self.results)

    def by_status(self, status: str) -> list[ArticleResult]:
        return [r for r in self.results if r.status == status]


# Fingerprints -------------------------------------------------------------------


def _hash_tree(root: Path, patterns: tuple[str, ...]) -> str:
    digest = hashlib.sha256()
    for pattern in patterns:
        for path in sorted(root.rglob(pattern)):
            if "__pycache__" in path.parts or not path.is_file():
                continue
            digest.update(str(path.relative_to(root)).encode("utf-8") + b"\0")
            digest.update(path.read_bytes() + b"\0")
    return digest.hexdigest()


def library_fingerprint() -> str:
    """Return the sha256 of the library's sources, reference tables and dataset catalogue.

    The reference tables are the CSV files directly in ``data/`` (group colours and
    names, for example); ``data/cache`` is not read.

    Examples
    --------
    >>> len(library_fingerprint()), library_fingerprint() == library_fingerprint()
    (64, True)
    """
    digest = hashlib.sha256(_hash_tree(LIBRARY_DIR, ("*.py", "*.csv", "*.json", "*.toml")).encode("ascii"))
    data_dir = LIBRARY_DIR.parent / "data"
    if (data_dir / "catalogue").is_dir():
        digest.update(_hash_tree(data_dir / "catalogue", ("*.toml",)).encode("ascii"))
    for table in sorted(data_dir.glob("*.csv")):
        digest.update(table.name.encode("utf-8") + b"\0" + table.read_bytes() + b"\0")
    return digest.hexdigest()


def template_fingerprint() -> str:
    """Return the sha256 of every template and style file.

    Examples
    --------
    >>> len(template_fingerprint())
    64
    """
    return _hash_tree(TEMPLATES_DIR, ("*",))


def notebook_fingerprint(nb: dict[str, Any]) -> str:
    """Return the sha256 of what a notebook's article depends on.

    Cell types, sources, tags, attachments and the article metadata count; outputs,
    execution counts, the kernel name and editor state do not.

    Parameters
    ----------
    nb : dict
        The notebook as read by ``nbformat``.

    Returns
    -------
    str
        64 hex digits.

    Examples
    --------
    >>> import nbformat
    >>> cell = nbformat.v4.new_code_cell("print(1)")
    >>> before = notebook_fingerprint(nbformat.v4.new_notebook(cells=[cell]))
    >>> cell.outputs = [nbformat.v4.new_output("stream", text="1\\n")]
    >>> notebook_fingerprint(nbformat.v4.new_notebook(cells=[cell])) == before
    True
    """
    cells = [
        {
            "type": cell.get("cell_type"),
            "source": cell.get("source", ""),
            "tags": cell.get("metadata", {}).get("tags", []),
            "attachments": cell.get("attachments", {}),
        }
        for cell in nb.get("cells", [])
    ]
    payload = {"cells": cells, "bureau_data": nb.get("metadata", {}).get("bureau_data")}
    return hashlib.sha256(json.dumps(payload, sort_keys=True, ensure_ascii=False).encode("utf-8")).hexdigest()


def data_source_fingerprint() -> str:
    """Return the sha256 of the settings that choose which file a loader reads.

    These are the local data folder (``BUREAU_DATA_LOCAL_DIR``), the manifest
    (``BUREAU_DATA_MANIFEST``, path and content) and the catalogue folder
    (``BUREAU_DATA_CATALOGUE_DIR``, path and content), as resolved now.

    Returns
    -------
    str
        64 hex digits.

    Examples
    --------
    >>> import os
    >>> from unittest import mock
    >>> before = data_source_fingerprint()
    >>> with mock.patch.dict(os.environ, {"BUREAU_DATA_LOCAL_DIR": ""}):
    ...     data_source_fingerprint() == before
    False
    """
    from bureau_data.config import get_settings

    settings = get_settings()
    digest = hashlib.sha256()
    for label, path in (("local", settings.local_dir), ("manifest", settings.manifest),
                        ("catalogue", settings.catalogue_dir)):
        digest.update(f"{label}={path}\0".encode())
        if path is None or label == "local":
            continue
        if path.is_file():
            digest.update(path.read_bytes() + b"\0")
        elif path.is_dir():
            digest.update(_hash_tree(path, ("*.toml",)).encode("ascii"))
    return digest.hexdigest()


def _settings_fingerprint(options: BuildOptions) -> str:
    payload = {"kernel": options.kernel, "timeout": options.cell_timeout, "site_url": options.site_url,
               "template": options.template, "budget": options.html_budget}
    return hashlib.sha256(json.dumps(payload, sort_keys=True).encode("utf-8")).hexdigest()


def _sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def data_files_unchanged(files: list[dict[str, Any]]) -> tuple[bool, str]:
    """Check the data files an article read last time against their recorded state.

    A file whose size and modification time are unchanged is taken as unchanged
    without reading it; otherwise its sha256 is compared.

    Returns
    -------
    tuple
        ``(True, "")`` when every file contains the same bytes, else ``(False, reason)``.

    Parameters
    ----------
    files : list of dict
        One dict per file with ``path``, ``size``, ``mtime_ns`` and ``sha256``, as the build
        state records them.

    Examples
    --------
    >>> import tempfile
    >>> path = Path(tempfile.mkdtemp()) / "donnees.csv"
    >>> _ = path.write_bytes(b"a;b\\n")
    >>> stat = path.stat()
    >>> item = {"path": str(path), "size": stat.st_size, "mtime_ns": stat.st_mtime_ns,
    ...         "sha256": hashlib.sha256(b"a;b\\n").hexdigest()}
    >>> data_files_unchanged([item])
    (True, '')
    >>> _ = path.write_bytes(b"a;c\\n")
    >>> data_files_unchanged([item])
    (False, 'fichier de données modifié : .../donnees.csv')
    """
    for item in files:
        path = Path(item["path"])
        try:
            stat = path.stat()
        except FileNotFoundError:
            return False, f"fichier de données disparu : {path}"
        if stat.st_size == item["size"] and stat.st_mtime_ns == item["mtime_ns"]:
            continue
        if stat.st_size != item["size"] or _sha256_file(path) != item["sha256"]:
            return False, f"fichier de données modifié : {path}"
    return True, ""


# State --------------------------------------------------------------------------


def build_state_dir(output_dir: Path, cache_dir: Path | None = None) -> Path:
    """Return the folder of the build state, lock, provenance records and logs of a site.

    Parameters
    ----------
    output_dir
        The site's output folder. Each output folder gets its own state folder, named
        after the folder and a hash of its absolute path.
    cache_dir
        The cache folder; None reads ``BUREAU_DATA_CACHE_DIR`` (default ``data/cache/``).

    Returns
    -------
    Path
        ``<cache>/construction/<folder name>-<hash>``, which may not exist yet.

    Notes
    -----
    The lock lives here too, so two builds of the same output folder exclude each
    other only when they use the same cache folder.

    Examples
    --------
    >>> import tempfile
    >>> cache = Path(tempfile.mkdtemp())
    >>> state = build_state_dir(Path("articles"), cache)
    >>> state.relative_to(cache).parts[0], state.name.startswith("articles-")
    ('construction', True)
    """
    from bureau_data.config import get_settings

    resolved = output_dir.resolve()
    key = hashlib.sha256(str(resolved).encode("utf-8")).hexdigest()[:16]
    return (cache_dir or get_settings().cache_dir) / "construction" / f"{resolved.name or 'racine'}-{key}"


def article_log_path(state_dir: Path, slug: str) -> Path:
    """Return the log file of an article's last build: kernel stderr, tracebacks, cell stderr.

    Parameters
    ----------
    state_dir : Path
        The result of ``build_state_dir``.
    slug : str
        The article's slug.

    Returns
    -------
    Path

    Examples
    --------
    >>> article_log_path(Path("etat"), "part-des-femmes").as_posix()
    'etat/logs/part-des-femmes.log'
    """
    return state_dir / "logs" / f"{slug}.log"


def _state_path(output_dir: Path) -> Path:
    return build_state_dir(output_dir) / "state.json"


def load_state(output_dir: Path) -> dict[str, Any]:
    """Return the state of the last build in ``output_dir`` (empty if none or unreadable).

    Parameters
    ----------
    output_dir : Path
        The site folder; the state is ``.build/state.json`` inside it.

    Returns
    -------
    dict
        ``{"version": ..., "articles": {slug: ...}}``. A missing, unreadable or older
        state gives no article, so every article is built again.

    Examples
    --------
    >>> import tempfile
    >>> load_state(Path(tempfile.mkdtemp()))["articles"]
    {}
    """
    path = _state_path(output_dir)
    try:
        state = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {"version": STATE_VERSION, "articles": {}}
    except (OSError, json.JSONDecodeError) as exc:
        logger.warning("État de construction illisible (%s) : tout sera reconstruit. %s", path, exc)
        return {"version": STATE_VERSION, "articles": {}}
    if state.get("version") != STATE_VERSION:
        return {"version": STATE_VERSION, "articles": {}}
    return state


def _save_state(output_dir: Path, state: dict[str, Any]) -> None:
    text = json.dumps(state, indent=1, sort_keys=True, ensure_ascii=False) + "\n"
    write_if_changed(_state_path(output_dir), text.encode("utf-8"))


# One article ---------------------------------------------------------------------


@dataclass(frozen=True)
class _Job:
    notebook: Path
    slug: str
    output_dir: Path
    kernel: str
    cell_timeout: int
    html_budget: int
    site_url: str
    template: str
    planned: tuple[str, ...]  # site-relative files that will exist after the build
    reason: str  # why the article is rebuilt, in French
    state_dir: Path  # build_state_dir(output_dir): provenance records and logs
    verbose: bool = False  # put the stderr text of the cells in the warnings


@dataclass
class _Outcome:
    slug: str
    ok: bool
    staging: str = ""
    message: str = ""
    html_size: int = 0
    seconds: float = 0.0
    warnings: list[str] = field(default_factory=list)
    data_files: list[dict[str, Any]] = field(default_factory=list)
    meta: dict[str, Any] = field(default_factory=dict)
    thumbnail: str | None = None


def _data_file_entries(records: list[Any]) -> list[dict[str, Any]]:
    entries = {}
    for record in records:
        path = Path(record.path)
        try:
            stat = path.stat()
        except FileNotFoundError:
            continue
        entries[str(path)] = {"path": str(path), "size": stat.st_size, "mtime_ns": stat.st_mtime_ns,
                              "sha256": record.sha256}
    return [entries[key] for key in sorted(entries)]


def _build_one(job: _Job) -> _Outcome:
    """Execute and render one notebook into a staging folder (runs in a worker process)."""

    from bureau_data.provenance import read_log, read_methods
    from bureau_data.publish.execute import CellFailure, ExecutionSettings, execute_notebook
    from bureau_data.publish.metadata import placeholder_warnings, read_metadata, read_notebook
    from bureau_data.publish.render import render_article

    started = time.perf_counter()
    staging = Path(tempfile.mkdtemp(dir=job.output_dir / STAGING_DIR, prefix=f"{job.slug}."))
    article_log = article_log_path(job.state_dir, job.slug)
    article_log.write_text("", encoding="utf-8")
    try:
        meta = read_metadata(read_notebook(job.notebook), job.notebook)
        log_path = job.state_dir / "provenance" / f"{job.slug}.jsonl.new"
        nb = execute_notebook(job.notebook, ExecutionSettings(job.kernel, job.cell_timeout), log_path,
                              log_file=article_log)
        records = read_log(log_path)
        page = render_article(nb, meta, records=records, methods=read_methods(log_path),
                              site_url=job.site_url, template_name=job.template)

        html_bytes = page.html.encode("utf-8")
        if len(html_bytes) > job.html_budget:
            raise BuildError(
                f"Article {job.notebook} : la page HTML pèse {len(html_bytes):_} octets, au-delà du "
                f"budget de {job.html_budget:_} octets. Réduisez les sorties affichées (tableaux, "
                "HTML) ou augmentez le budget avec --budget-html.".replace("_", "\u202f")
            )
        warnings = (placeholder_warnings(meta) + page.warnings
                    + _stderr_warnings(page.stderr, article_log, job.verbose))
        (staging / "index.html").write_bytes(html_bytes)
        (staging / "wordpress.html").write_bytes(page.wordpress_html.encode("utf-8"))
        for relative, content in sorted(page.files.items()):
            target = staging / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(content)

        planned = {Path(os.path.normpath(job.output_dir / name)) for name in job.planned}
        virtual_page = job.output_dir / job.slug / "index.html"
        missing = _staged_broken_links(staging, virtual_page, job.output_dir, planned)
        if missing:
            raise BrokenLinksError(
                f"Article {job.notebook} : liens internes cassés : {', '.join(missing)}. "
                "Corrigez-les dans le notebook."
            )
        for name in ("index.html", "wordpress.html"):
            os.chmod(staging / name, 0o644)
        os.chmod(staging, 0o755)
        return _Outcome(
            slug=job.slug, ok=True, staging=str(staging), html_size=len(html_bytes),
            seconds=time.perf_counter() - started, warnings=warnings,
            data_files=_data_file_entries(records), meta=meta.to_dict(),
            thumbnail=page.figures[0].filename if page.figures else None,
        )
    except CellFailure as exc:
        shutil.rmtree(staging, ignore_errors=True)
        with open(article_log, "a", encoding="utf-8") as log:
            log.write(exc.report(verbose=True))
        return _Outcome(slug=job.slug, ok=False, message=exc.report(verbose=job.verbose, log_file=article_log),
                        seconds=time.perf_counter() - started)
    except BuildError as exc:
        shutil.rmtree(staging, ignore_errors=True)
        return _Outcome(slug=job.slug, ok=False, message=str(exc), seconds=time.perf_counter() - started)
    except Exception as exc:  # a worker must report, not crash the pool
        shutil.rmtree(staging, ignore_errors=True)
        logger.debug("Erreur inattendue pour %s", job.notebook, exc_info=True)
        return _Outcome(slug=job.slug, ok=False, seconds=time.perf_counter() - started,
                        message=f"Échec de l'article {job.notebook} : {type(exc).__name__} : {exc}")


def _stderr_warnings(stderr: list[tuple[int, str]], log_file: Path, verbose: bool) -> list[str]:
    """Write the cells' stderr texts to the article's log file and return the warning about them."""
    if not stderr:
        return []
    blocks = [f"--- stderr de la cellule {number} ---\n{text.rstrip()}" for number, text in stderr]
    with open(log_file, "a", encoding="utf-8") as log:
        log.write("\n".join(blocks) + "\n")
    cells = ", ".join(str(number) for number in sorted({number for number, _ in stderr}))
    warning = f"{len(stderr)} sortie(s) d'erreur standard (stderr) non publiée(s), cellule(s) {cells}"
    if verbose:
        return [warning + " :\n" + "\n".join(blocks)]
    return [f"{warning} : texte dans {log_file} (ou relancez avec « bureau-data -v construire »)"]


def _staged_broken_links(staging: Path, virtual_page: Path, root: Path, planned: set[Path]) -> list[str]:
    """Check the links of a staged page as if it were already at ``virtual_page``."""
    article_dir = virtual_page.parent

    def exists(target: Path) -> bool:
        if target.is_relative_to(article_dir):
            return (staging / target.relative_to(article_dir)).is_file()
        return target in planned or target.is_file()

    html_text = (staging / "index.html").read_text(encoding="utf-8")
    return missing_targets(html_text, virtual_page, root, exists)


def _publish(staging: Path, target: Path, trash_dir: Path) -> None:
    """Move a staged article into place, keeping the old one until the new one is in."""
    trash_dir.mkdir(parents=True, exist_ok=True)
    old = None
    if target.exists():
        old = Path(tempfile.mkdtemp(dir=trash_dir, prefix=f"{target.name}."))
        old.rmdir()
        os.rename(target, old)
    try:
        # NOTE: two renames, so a reader may see the article missing for a moment.
        os.rename(staging, target)
    except OSError:
        if old is not None:
            os.rename(old, target)
        raise
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


# The build -----------------------------------------------------------------------


def discover_notebooks(notebooks_dir: Path) -> list[Path]:
    """Return the article notebooks: ``*.ipynb`` not starting with ``_``, sorted by name.

    Parameters
    ----------
    notebooks_dir : Path

    Returns
    -------
    list of Path

    Raises
    ------
    BuildError
        When the folder does not exist.

    Examples
    --------
    >>> import tempfile
    >>> folder = Path(tempfile.mkdtemp())
    >>> for name in ("b.ipynb", "a.ipynb", "_modele.ipynb", "notes.md"):
    ...     _ = (folder / name).write_text("{}", encoding="utf-8")
    >>> [path.name for path in discover_notebooks(folder)]
    ['a.ipynb', 'b.ipynb']
    >>> discover_notebooks(folder / "absent")
    Traceback (most recent call last):
        ...
    bureau_data.errors.BuildError: Dossier de notebooks introuvable : .../absent.
    """
    if not notebooks_dir.is_dir():
        raise BuildError(f"Dossier de notebooks introuvable : {notebooks_dir}.")
    return sorted(p for p in notebooks_dir.glob("*.ipynb") if not p.name.startswith(("_", ".")))


def _lock(output_dir: Path, timeout: float) -> filelock.BaseFileLock:
    state_dir = build_state_dir(output_dir)
    state_dir.mkdir(parents=True, exist_ok=True)
    lock = filelock.FileLock(str(state_dir / "lock"))
    try:
        lock.acquire(timeout=0)
    except filelock.Timeout:
        logger.warning("Une autre construction est en cours dans %s : attente de sa fin (verrou %s)…",
                       output_dir, lock.lock_file)
        try:
            lock.acquire(timeout=timeout)
        except filelock.Timeout:
            raise BuildLockTimeout(
                f"La construction en cours dans {output_dir} n'a pas libéré le verrou {lock.lock_file} "
                f"après {timeout:.0f} s. Vérifiez qu'aucune construction n'est bloquée, puis relancez."
            ) from None
        logger.info("Verrou obtenu, la construction démarre.")
    return lock


def build_site(options: BuildOptions) -> BuildReport:
    """Build the requested articles and the site around them.

    Returns
    -------
    BuildReport
        One result per article considered. ``report.ok`` is False when an article
        failed or the site has broken links; the other articles are still built.

    Parameters
    ----------
    options : BuildOptions

    Raises
    ------
    BuildError
        Before any article runs: unknown slug or template, no kernel, locked output.

    Examples
    --------
    >>> import tempfile
    >>> root = Path(tempfile.mkdtemp())
    >>> (root / "notebooks").mkdir()
    >>> options = BuildOptions(notebooks_dir=root / "notebooks", output_dir=root / "site")
    >>> report = build_site(options)
    >>> report.ok, report.results
    (True, [])
    >>> sorted(path.name for path in (root / "site").iterdir() if path.is_file())
    ['favicon.svg', 'feed.xml', 'index.html', 'sitemap.xml', 'style.css']
    """
    started = time.perf_counter()
    check_template(options.template)
    output_dir = options.output_dir.resolve()
    lock = _lock(output_dir, options.lock_timeout)
    try:
        return _build_locked(options, output_dir, started)
    finally:
        lock.release()


def _read_notebooks(options: BuildOptions, report: BuildReport) -> dict[str, tuple[Path, dict[str, Any], ArticleMeta]]:
    from bureau_data.publish.metadata import read_metadata, read_notebook

    articles: dict[str, tuple[Path, dict[str, Any], ArticleMeta]] = {}
    for path in discover_notebooks(options.notebooks_dir):
        try:
            nb = read_notebook(path)
            meta = read_metadata(nb, path)
        except MetadataError as exc:
            report.results.append(ArticleResult(path.stem, path, "failed", str(exc)))
            continue
        except (OSError, ValueError) as exc:
            report.results.append(ArticleResult(path.stem, path, "failed", f"Notebook illisible {path} : {exc}"))
            continue
        articles[meta.slug] = (path, nb, meta)
    return articles


def _build_locked(options: BuildOptions, output_dir: Path, started: float) -> BuildReport:
    report = BuildReport()
    articles = _read_notebooks(options, report)
    if options.slugs:
        unreadable = {result.slug for result in report.results}  # reported with their own error
        unknown = [slug for slug in options.slugs if slug not in articles and slug not in unreadable]
        if unknown:
            raise BuildError(
                f"Article(s) inconnu(s) : {', '.join(unknown)}. Articles disponibles dans "
                f"{options.notebooks_dir} : {', '.join(sorted(articles)) or 'aucun'}."
            )
        report.results = [r for r in report.results if r.slug in options.slugs]
    requested = {slug: item for slug, item in articles.items() if not options.slugs or slug in options.slugs}
    selected = {slug: item for slug, item in requested.items() if options.drafts or not item[2].draft}
    for slug in sorted(set(requested) - set(selected)):
        report.results.append(ArticleResult(slug, requested[slug][0], "draft",
                                            f"brouillon ignoré : {slug} (ajoutez --brouillons)"))

    state = load_state(output_dir)
    state_dir = build_state_dir(output_dir)
    library = library_fingerprint()
    template = template_fingerprint()
    data_sources = data_source_fingerprint()
    kernel: str | None = None
    installed: dict[str, str] = {}
    jobs: list[_Job] = []
    planned = set(SITE_FILES) | {f"{slug}/index.html" for slug in articles} | {
        f"{slug}/index.html" for slug in state["articles"]}
    for slug, (path, nb, _meta) in sorted(selected.items()):
        previous = state["articles"].get(slug)
        fingerprint = notebook_fingerprint(nb)
        reason = _rebuild_reason(options, output_dir, previous, fingerprint, library, template, data_sources)
        if reason is None:
            report.results.append(ArticleResult(slug, path, "skipped", "inchangé"))
            continue
        if kernel is None:
            from bureau_data.publish.execute import available_kernels, resolve_kernel

            kernel = resolve_kernel(options.kernel)
            installed = available_kernels()
        _log_foreign_kernel(slug, nb, kernel, installed)
        if reason != "nouveau":
            logger.info("%s : reconstruction (%s)", slug, reason)
        jobs.append(_Job(path, slug, output_dir, kernel, options.cell_timeout, options.html_budget,
                         options.site_url, options.template, tuple(sorted(planned)), reason,
                         state_dir, options.verbose))

    for sub in ("provenance", "logs"):
        (state_dir / sub).mkdir(parents=True, exist_ok=True)
    staging_root = output_dir / STAGING_DIR
    staging_root.mkdir(parents=True, exist_ok=True)
    try:
        _run_and_publish(jobs, options, output_dir, state, selected, report, library, template, data_sources)
    finally:
        shutil.rmtree(staging_root, ignore_errors=True)
    _remove_orphans(state, articles, output_dir)
    report.results.sort(key=lambda r: r.slug)

    published = [
        {"meta": entry["meta"], "thumbnail": entry.get("thumbnail")}
        for slug, entry in sorted(state["articles"].items())
        if _listed(slug, entry, articles, options, output_dir)
    ]
    for name, content in render_site_files(published, options.site_url).items():
        write_if_changed(output_dir / name, content)
    _save_state(output_dir, state)
    try:
        check_site_links(output_dir, memo=build_state_dir(output_dir) / "liens.json")
    except BrokenLinksError as exc:
        report.site_errors.append(str(exc))
    report.seconds = time.perf_counter() - started
    return report


def _run_and_publish(jobs: list[_Job], options: BuildOptions, output_dir: Path, state: dict[str, Any],
                     selected: dict[str, Any], report: BuildReport, library: str, template: str,
                     data_sources: str) -> None:
    """Run the jobs, move each built article into place and record it in the state."""
    provenance_dir = build_state_dir(output_dir) / "provenance"
    for outcome in _run_jobs(jobs, options.jobs):
        job = next(j for j in jobs if j.slug == outcome.slug)
        if not outcome.ok:
            report.results.append(ArticleResult(outcome.slug, job.notebook, "failed", outcome.message,
                                                seconds=outcome.seconds))
            continue
        _publish(Path(outcome.staging), output_dir / outcome.slug, output_dir / STAGING_DIR / "corbeille")
        os.replace(provenance_dir / f"{outcome.slug}.jsonl.new", provenance_dir / f"{outcome.slug}.jsonl")
        state["articles"][outcome.slug] = {
            "notebook": str(job.notebook),
            "notebook_sha256": notebook_fingerprint(selected[outcome.slug][1]),
            "library_sha256": library,
            "template_sha256": template,
            "settings_sha256": _settings_fingerprint(options),
            "data_sources_sha256": data_sources,
            "data_files": outcome.data_files,
            "meta": outcome.meta,
            "thumbnail": outcome.thumbnail,
            "html_size": outcome.html_size,
        }
        report.results.append(ArticleResult(outcome.slug, job.notebook, "built", job.reason,
                                            html_size=outcome.html_size,
                                            seconds=outcome.seconds, warnings=outcome.warnings))


def _log_foreign_kernel(slug: str, nb: dict[str, Any], kernel: str, installed: dict[str, str]) -> None:
    """Log that the build ignores the notebook's kernel when that kernel is not installed here."""
    requested = (nb.get("metadata", {}).get("kernelspec") or {}).get("name")
    if requested and requested != kernel and requested not in installed:
        logger.info("%s : le notebook demande le noyau %r, absent de cette machine ; la construction "
                    "utilise son propre noyau %r", slug, requested, kernel)


def _remove_orphans(state: dict[str, Any], articles: dict[str, Any], output_dir: Path) -> None:
    """Delete the articles this build published earlier whose notebook no longer exists.

    Only folders recorded in the build state are removed, never other files of the
    output folder.
    """
    for slug, entry in sorted(state["articles"].items()):
        notebook = Path(entry["notebook"])
        if slug in articles or notebook.exists():
            continue
        target = output_dir / slug
        if target.is_dir() and not target.is_symlink():
            shutil.rmtree(target)
            logger.info("%s : article retiré du site, son notebook %s n'existe plus", slug, notebook)
        del state["articles"][slug]
        (build_state_dir(output_dir) / "provenance" / f"{slug}.jsonl").unlink(missing_ok=True)


def _listed(slug: str, entry: dict[str, Any], articles: dict[str, Any], options: BuildOptions,
            output_dir: Path) -> bool:
    """Return whether a published article belongs in the index, feed and sitemap.

    Articles whose notebook is gone leave the index. A notebook whose metadata is now
    invalid keeps its last good version listed, with the metadata of that version.
    """
    if not (output_dir / slug / "index.html").is_file():
        return False
    if slug in articles:
        draft = articles[slug][2].draft
    elif Path(entry["notebook"]).is_file():
        draft = entry["meta"]["draft"]
    else:
        return False
    return options.drafts or not draft


def _rebuild_reason(options: BuildOptions, output_dir: Path, previous: dict[str, Any] | None,
                    fingerprint: str, library: str, template: str, data_sources: str) -> str | None:
    """Return why an article must be rebuilt, or None when it is up to date."""
    if options.force:
        return "reconstruction forcée"
    if previous is None:
        return "nouveau"
    slug = previous["meta"]["slug"]
    if not (output_dir / slug / "index.html").is_file():
        return "page absente du site"
    if previous["notebook_sha256"] != fingerprint:
        return "notebook modifié"
    if previous["library_sha256"] != library:
        return "bibliothèque bureau_data modifiée"
    if previous["template_sha256"] != template:
        return "modèle modifié"
    if previous["settings_sha256"] != _settings_fingerprint(options):
        return "réglages de construction modifiés"
    if previous.get("data_sources_sha256") != data_sources:
        return ("source des données modifiée (BUREAU_DATA_LOCAL_DIR, BUREAU_DATA_MANIFEST ou "
                "BUREAU_DATA_CATALOGUE_DIR)")
    same, reason = data_files_unchanged(previous["data_files"])
    if not same:
        return reason
    return None


def _run_jobs(jobs: list[_Job], workers: int) -> list[_Outcome]:
    if not jobs:
        return []
    if workers <= 1 or len(jobs) == 1:
        return [_build_one(job) for job in jobs]
    # spawn, not fork: the parent may hold threads (ZeroMQ, logging) that fork would copy
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=min(workers, len(jobs)), mp_context=context) as pool:
        return list(pool.map(_build_one, jobs))
