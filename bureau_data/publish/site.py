"""The site around the articles: index, Atom feed, sitemap, style sheet, link check.

Every page is produced with Jinja autoescaping on and carries the same restrictive
Content-Security-Policy. The text of the index and the feed gets French no-break
spaces (``typography.french_spacing``). Files are replaced atomically and only when their bytes
change, so a build with nothing new leaves the site untouched.
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from collections.abc import Callable
from datetime import date
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from jinja2 import Environment, FileSystemLoader, select_autoescape

from bureau_data.errors import BuildError
from bureau_data.publish.typography import french_spacing

TEMPLATES_DIR = Path(__file__).resolve().parent / "templates"
TEMPLATE_NAME = "bureau"
SITE_TITLE = "Bureau ouvert · les articles"

# The one policy of every page: no script at all, styles and images from the site only.
CONTENT_SECURITY_POLICY = (
    "default-src 'none'; script-src 'none'; style-src 'self'; img-src 'self'; "
    "font-src 'self'; base-uri 'none'; form-action 'none'; object-src 'none'"
)

_MONTHS = ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août",
           "septembre", "octobre", "novembre", "décembre")


class TemplateError(BuildError):
    """The requested template is not one of the toolkit's templates.

    Examples
    --------
    >>> check_template("lab")
    Traceback (most recent call last):
        ...
    bureau_data.publish.site.TemplateError: Modèle d'article inconnu : 'lab'. Modèles ...
    """


class BrokenLinksError(BuildError):
    """Pages of the site link to files that do not exist.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> root = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (root / "index.html").write_text('<a href="article/">Lire</a>', encoding="utf-8")
    >>> try:
    ...     check_site_links(root)
    ... except BrokenLinksError as exc:
    ...     print(exc)
    Liens internes cassés dans le site :
      index.html : article/
    Corrigez les liens dans les notebooks, puis relancez la construction.
    """


def available_templates() -> list[str]:
    """Return the names of the toolkit's article templates.

    Returns
    -------
    list of str
        Folder names under the toolkit's templates that contain a ``conf.json``, sorted.

    Examples
    --------
    >>> available_templates()
    ['bureau']
    """
    return sorted(path.parent.name for path in TEMPLATES_DIR.glob("*/conf.json"))


def check_template(name: str) -> str:
    """Return ``name`` if it is one of the toolkit's templates, else raise ``TemplateError``.

    nbconvert's own names (``basic``, ``full``, ``lab``, ``classic``) are rejected up
    front: their layout changed between nbconvert versions, and they neither hide code
    nor sanitise outputs the way the blog needs.

    Parameters
    ----------
    name : str
        Name passed to ``--modele`` or ``BuildOptions``.

    Returns
    -------
    str
        ``name`` unchanged.

    Raises
    ------
    TemplateError
        When ``name`` is not a toolkit template. The message lists the templates.

    Examples
    --------
    >>> check_template("bureau")
    'bureau'
    """
    templates = available_templates()
    if name not in templates:
        raise TemplateError(
            f"Modèle d'article inconnu : {name!r}. Modèles disponibles : {', '.join(templates)}. "
            "Les modèles de nbconvert (basic, full, lab, classic) ne sont pas acceptés."
        )
    return name


def format_date_fr(value: date) -> str:
    """Return ``value`` as a French date, « 4 décembre 2026 » (« 1er » for the first day).

    Uses ``bureau_data.french.format_date`` when that module is installed, so the site
    and the charts write dates the same way.

    Parameters
    ----------
    value : datetime.date

    Returns
    -------
    str

    Examples
    --------
    >>> import datetime as dt
    >>> format_date_fr(dt.date(2026, 12, 1)), format_date_fr(dt.date(2026, 12, 4))
    ('1er décembre 2026', '4 décembre 2026')
    """
    try:
        from bureau_data.french import format_date
    except ImportError:
        pass
    else:
        return str(format_date(value))
    day = "1er" if value.day == 1 else str(value.day)
    return f"{day} {_MONTHS[value.month - 1]} {value.year}"


def write_if_changed(path: Path, content: bytes) -> bool:
    """Write ``content`` to ``path`` atomically unless the file already contains those bytes.

    Returns
    -------
    bool
        True when the file was written.

    Parameters
    ----------
    path : Path
        The file. Missing parent folders are created.
    content : bytes

    Examples
    --------
    >>> import pathlib, tempfile
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "site" / "index.html"
    >>> write_if_changed(path, b"<p>Bonjour</p>"), write_if_changed(path, b"<p>Bonjour</p>")
    (True, False)
    """
    try:
        if path.read_bytes() == content:
            return False
    except FileNotFoundError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, tmp_name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(content)
        os.chmod(tmp_name, 0o644)
        os.replace(tmp_name, path)
    except BaseException:
        Path(tmp_name).unlink(missing_ok=True)
        raise
    return True


def _environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(str(TEMPLATES_DIR / "site")),
        autoescape=select_autoescape(["html", "xml", "j2"], default=True),
        keep_trailing_newline=True,
    )
    env.filters["date_fr"] = format_date_fr
    return env


def style_sheet() -> str:
    """Return the site's CSS: the static sheet plus Pygments colours, light then dark.

    Returns
    -------
    str
        CSS text. The dark colours sit in a ``prefers-color-scheme: dark`` block.

    Examples
    --------
    >>> css = style_sheet()
    >>> ".highlight" in css, "@media (prefers-color-scheme: dark)" in css
    (True, True)
    """
    from pygments.formatters import HtmlFormatter

    static = (TEMPLATES_DIR / "site" / "style.css").read_text(encoding="utf-8")
    light = HtmlFormatter(style="default").get_style_defs(".highlight")
    dark = HtmlFormatter(style="monokai").get_style_defs(".highlight")
    dark_indented = "\n".join(f"  {line}" for line in dark.splitlines())
    return (
        f"{static}\n/* Coloration du code (Pygments) */\n{light}\n"
        f"@media (prefers-color-scheme: dark) {{\n{dark_indented}\n}}\n"
    )


def render_site_files(articles: list[dict[str, Any]], site_url: str) -> dict[str, bytes]:
    """Return the index, feed, sitemap and style sheet for the published ``articles``.

    Parameters
    ----------
    articles
        One dict per published article, with ``meta`` (ArticleMeta fields as JSON)
        and ``thumbnail`` (path of the first figure inside the article folder, or None).
    site_url
        Absolute URL of the site root, ending with ``/``.

    Returns
    -------
    dict of str to bytes
        ``index.html``, ``feed.xml``, ``sitemap.xml``, ``style.css`` and ``favicon.svg``.
        Articles are listed newest first.

    Examples
    --------
    >>> files = render_site_files([], "https://exemple.fr/")
    >>> sorted(files)
    ['favicon.svg', 'feed.xml', 'index.html', 'sitemap.xml', 'style.css']
    """
    entries = sorted(
        articles, key=lambda item: (item["meta"]["date"], item["meta"]["slug"]), reverse=True
    )
    for entry in entries:
        entry["date"] = date.fromisoformat(entry["meta"]["date"])
    env = _environment()
    context = {
        "articles": entries,
        "site_url": site_url,
        "site_title": SITE_TITLE,
        "csp": CONTENT_SECURITY_POLICY,
        "updated": entries[0]["meta"]["date"] if entries else "1970-01-01",
    }
    return {
        "index.html": french_spacing(env.get_template("index.html.j2").render(context)).encode("utf-8"),
        "feed.xml": french_spacing(env.get_template("feed.xml.j2").render(context)).encode("utf-8"),
        "sitemap.xml": env.get_template("sitemap.xml.j2").render(context).encode("utf-8"),
        "style.css": style_sheet().encode("utf-8"),
        "favicon.svg": (TEMPLATES_DIR / "site" / "favicon.svg").read_bytes(),
    }


class _LinkCollector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.links: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if value and name in ("href", "src"):
                self.links.append(value)


def internal_links(html_text: str) -> list[str]:
    """Return the ``href`` and ``src`` values of a page that point inside the site.

    Parameters
    ----------
    html_text : str

    Returns
    -------
    list of str
        Link paths, percent-decoded, in page order. Absolute URLs, ``mailto:`` links and
        fragments of the same page are left out.

    Examples
    --------
    >>> internal_links('<a href="../a%20b/">x</a><img src="fig.png"><a href="https://x.fr/">y</a>')
    ['../a b/', 'fig.png']
    """
    collector = _LinkCollector()
    collector.feed(html_text)
    result = []
    for link in collector.links:
        parts = urlsplit(link)
        if parts.scheme or parts.netloc or not parts.path:
            continue  # absolute URL, mailto: or a fragment of the same page
        result.append(unquote(parts.path))
    return result


def missing_targets(html_text: str, page: Path, root: Path, exists: Callable[[Path], bool]) -> list[str]:
    """Return the internal links of a page (as if stored at ``page``) whose target is missing.

    ``root`` is the site root, and links may not leave it. ``exists`` returns whether a
    file will be there, and the build passes one that also checks the staged files.

    Returns
    -------
    list of str
        Each missing link as written, with « (hors du site) » for a link that leaves
        ``root``.

    Examples
    --------
    >>> import pathlib
    >>> root = pathlib.Path("/site")
    >>> html = '<a href="../../secret.txt">x</a><a href="fig.png">y</a><a href="/">z</a>'
    >>> page = root / "article" / "index.html"
    >>> missing_targets(html, page, root, lambda path: path.name == "index.html")
    ['../../secret.txt (hors du site)', 'fig.png']
    """
    return _missing(internal_links(html_text), page, root, exists)


def _missing(links: list[str], page: Path, root: Path, exists: Callable[[Path], bool]) -> list[str]:
    missing = []
    root = Path(os.path.normpath(root))
    for link in links:
        target = (root / link.lstrip("/")) if link.startswith("/") else (page.parent / link)
        target = Path(os.path.normpath(target))
        if link.endswith("/") or target.is_dir():
            target = target / "index.html"
        if not target.is_relative_to(root):
            missing.append(f"{link} (hors du site)")
        elif not exists(target):
            missing.append(link)
    return missing


def broken_links(page: Path, root: Path) -> list[str]:
    """Return the internal links of the page file ``page`` whose target file is missing.

    Parameters
    ----------
    page : Path
        An HTML file of the site.
    root : Path
        The site root.

    Returns
    -------
    list of str
        As ``missing_targets``.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> root = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (root / "index.html").write_text('<img src="logo.svg"><a href="/">Accueil</a>',
    ...                                      encoding="utf-8")
    >>> broken_links(root / "index.html", root)
    ['logo.svg']
    """
    return missing_targets(page.read_text(encoding="utf-8"), page, root, Path.is_file)


def _read_link_memo(memo: Path | None) -> dict[str, Any]:
    if memo is None:
        return {}
    try:
        loaded = json.loads(memo.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}  # missing or damaged: every page is parsed again
    return loaded if isinstance(loaded, dict) else {}


def check_site_links(root: Path, memo: Path | None = None) -> None:
    """Check every internal link of every page under ``root``.

    Parameters
    ----------
    root : Path
        The site root. Pages under a ``.build`` folder are skipped.
    memo : Path, optional
        A JSON file that keeps the links of each page with the page's size and
        modification time. A page whose size and time have not changed is not parsed
        again, but the existence of each of its targets is still checked, so a rebuild
        where nothing changed still finds a deleted image. The file is rewritten after
        the check; a missing or damaged memo only means that every page is parsed.

    Raises
    ------
    BrokenLinksError
        Listing each page and its missing targets.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> root = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (root / "index.html").write_text('<a href="./">Accueil</a>', encoding="utf-8")
    >>> check_site_links(root)
    """
    previous = _read_link_memo(memo)
    current: dict[str, Any] = {}
    problems = []
    for page in sorted(root.rglob("*.html")):
        relative = page.relative_to(root)
        if any(part.startswith(".") for part in relative.parts):
            continue  # hidden folders, such as the staging folder of a running build
        stat = page.stat()
        key = relative.as_posix()
        entry = previous.get(key)
        if (isinstance(entry, dict) and entry.get("size") == stat.st_size
                and entry.get("mtime_ns") == stat.st_mtime_ns and isinstance(entry.get("links"), list)):
            links = [str(link) for link in entry["links"]]
        else:
            links = internal_links(page.read_text(encoding="utf-8"))
        current[key] = {"size": stat.st_size, "mtime_ns": stat.st_mtime_ns, "links": links}
        missing = _missing(links, page, root, Path.is_file)
        if missing:
            problems.append(f"{relative} : {', '.join(missing)}")
    if memo is not None and current != previous:
        # The memo only saves time: a memo that cannot be written does not fail the check.
        with contextlib.suppress(OSError):
            write_if_changed(memo, json.dumps(current, ensure_ascii=False, sort_keys=True).encode("utf-8"))
    if problems:
        raise BrokenLinksError(
            "Liens internes cassés dans le site :\n  " + "\n  ".join(problems)
            + "\nCorrigez les liens dans les notebooks, puis relancez la construction."
        )
