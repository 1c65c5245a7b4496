"""The documentation in docs/ covers the public API, the commands and the settings.

Generated pages (catalogue, loader reference, settings and commands, API index) must
match what docs/_generate.py produces from the current code. Hand-written pages must
link to files that exist, and documented loader columns must match the real tables.
"""

from __future__ import annotations

import importlib.util
import inspect
import re
import sys
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent
DOCS = REPO_ROOT / "docs"
MAX_IMAGE_BYTES = 100 * 1024


def _load_generator():
    spec = importlib.util.spec_from_file_location("docs_generate", DOCS / "_generate.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


generate = _load_generator()


def _all_docs_text() -> str:
    return "\n".join(path.read_text(encoding="utf-8") for path in sorted(DOCS.rglob("*.md")))


def test_generated_pages_up_to_date() -> None:
    stale = [str(path.relative_to(REPO_ROOT)) for path in generate.stale_pages()]
    assert stale == [], f"Pages périmées {stale} : lancez « python docs/_generate.py »."


def test_every_public_name_documented() -> None:
    text = _all_docs_text()
    missing = []
    for module_name in generate.public_modules():
        for name in generate.public_names(module_name):
            if f"`{name}`" not in text:
                missing.append(f"{module_name}.{name}")
    assert missing == []


def test_every_command_documented() -> None:
    commands = generate.subcommands()
    assert "construire" in commands
    text = _all_docs_text()
    missing = [name for name in commands if f"bureau-data {name}" not in text]
    assert missing == []


def test_every_command_help_in_page() -> None:
    page = (DOCS / "reglages-et-commandes.md").read_text(encoding="utf-8")
    for name, parser in generate.subcommands().items():
        assert f"### `bureau-data {name}`" in page, name
        assert generate._help_text(parser) in page, name


def test_every_setting_documented() -> None:
    constants = generate.setting_constants()
    assert "ENV_LOCAL_DIR" in constants
    assert sorted(set(constants) - set(generate.SETTINGS_FR)) == []
    page = (DOCS / "reglages-et-commandes.md").read_text(encoding="utf-8")
    missing = [variable for variable in constants.values() if f"`{variable}`" not in page]
    assert missing == []


def test_no_stale_setting_descriptions() -> None:
    unknown = sorted(set(generate.SETTINGS_FR) - set(generate.setting_constants()))
    assert unknown == []


def test_every_catalogue_entry_in_page() -> None:
    import tomllib

    page = (DOCS / "catalogue.md").read_text(encoding="utf-8")
    ids = []
    for path in sorted((REPO_ROOT / "data" / "catalogue").glob("*.toml")):
        ids += list(tomllib.loads(path.read_text(encoding="utf-8")))
    assert len(ids) > 50
    missing = [dataset_id for dataset_id in ids if f"### `{dataset_id}`" not in page]
    assert missing == []


def test_every_docs_page_linked_from_index() -> None:
    index = (DOCS / "README.md").read_text(encoding="utf-8")
    # The per-module reference pages are linked from reference/README.md instead.
    pages = [path.relative_to(DOCS).as_posix() for path in DOCS.rglob("*.md")]
    top_pages = [page for page in pages if "/" not in page and page != "README.md"]
    top_pages.append("reference/README.md")
    unlinked = [page for page in top_pages if f"({page})" not in index]
    assert unlinked == []


LINK = re.compile(r"\]\(([^)#\s]+)(#[^)]*)?\)")
# Written by `make bench` on the benchmark machine, so it may be absent from a checkout.
OPTIONAL_TARGETS = {"benchmarks.md"}


@pytest.mark.parametrize("page", sorted(DOCS.rglob("*.md")), ids=lambda p: p.relative_to(DOCS).as_posix())
def test_relative_links_resolve(page: Path) -> None:
    text = page.read_text(encoding="utf-8")
    broken = []
    for target, _anchor in LINK.findall(text):
        if re.match(r"^[a-z]+:", target) or target in OPTIONAL_TARGETS:
            continue
        if not (page.parent / target).exists():
            broken.append(target)
    assert broken == []


def test_images_small_and_used() -> None:
    images = sorted((DOCS / "images").glob("*.png"))
    assert len(images) >= 11
    text = _all_docs_text()
    for image in images:
        assert image.stat().st_size < MAX_IMAGE_BYTES, image.name
        assert f"images/{image.name}" in text, image.name


CHART_HELPERS = (
    "barh_ranked", "bars_stacked", "bars_diverging", "plot_line", "plot_series",
    "small_multiples", "heatmap", "treemap", "choropleth", "hemicycle", "waterfall",
)


def test_every_chart_helper_has_picture() -> None:
    page = (DOCS / "graphiques.md").read_text(encoding="utf-8")
    for helper in CHART_HELPERS:
        section = re.search(rf"^## `{helper}`\n(.*?)(?=^## |\Z)", page, re.S | re.M)
        assert section is not None, helper
        assert "![" in section.group(1), helper


def _documented_columns(function) -> list[str]:
    tables = generate.column_tables(inspect.getdoc(function) or "")
    return [column.name for table in tables for column in table]


def test_column_table_parser_expands_names() -> None:
    doc = (
        "Returns\n-------\nDataFrame\n"
        "    =====================  ===========  ==========\n"
        "    column                 dtype        meaning\n"
        "    =====================  ===========  ==========\n"
        "    groupe_abrege, _libelle string      acronym and\n"
        "                                        name\n"
        "    numero, legislature    Int64, Int16 numbers\n"
        "    =====================  ===========  ==========\n"
    )
    columns = generate.column_tables(doc)[0]
    assert [c.name for c in columns] == ["groupe_abrege", "groupe_libelle", "numero", "legislature"]
    assert [c.dtype for c in columns][2:] == ["Int64", "Int16"]
    assert columns[0].meaning == "acronym and name"


@pytest.mark.parametrize(
    ("module_name", "function_name", "args"),
    [
        ("bureau_data.foret", "forest", ()),
        ("bureau_data.covid", "hospitalisations", ()),
        ("bureau_data.geo", "departements", ()),
        ("bureau_data.consultation", "reponses", ()),
        ("bureau_data.budget", "mission_crosswalk", ()),
        ("bureau_data.assemblee.amo", "deputes", (17,)),
        ("bureau_data.assemblee.amo", "organes", (17,)),
    ],
)
def test_documented_columns_match_loader(module_name: str, function_name: str, args: tuple) -> None:
    function = getattr(importlib.import_module(module_name), function_name)
    documented = _documented_columns(function)
    df = function(*args)
    actual = list(df.columns)
    if df.index.name:
        actual = [df.index.name, *actual]
    assert sorted(set(documented) - set(actual)) == []
    assert sorted(set(actual) - set(documented)) == []
