"""Run the Examples of every docstring in bureau_data, offline, as doctests.

The conftest settings apply: loaders read ../shared/data through the manifest and
write to a session cache, so examples that load real data run without network.
Each module is one test, and a failure shows doctest's report of the failed examples.
"""

from __future__ import annotations

import doctest
import importlib
import io
import pkgutil

import matplotlib
import pytest

import bureau_data

matplotlib.use("Agg")

FLAGS = doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE


def _modules() -> list[str]:
    names = ["bureau_data"]
    names += [info.name for info in pkgutil.walk_packages(bureau_data.__path__, "bureau_data.")]
    return sorted(names)


def _examples_count(module_name: str) -> int:
    module = importlib.import_module(module_name)
    finder = doctest.DocTestFinder(exclude_empty=True)
    return sum(len(test.examples) for test in finder.find(module, module_name))


MODULES = _modules()


@pytest.mark.parametrize("module_name", MODULES)
def test_docstring_examples(module_name: str) -> None:
    module = importlib.import_module(module_name)
    finder = doctest.DocTestFinder(exclude_empty=True)
    runner = doctest.DocTestRunner(optionflags=FLAGS)
    report = io.StringIO()
    for test in finder.find(module, module_name):
        # Only the docstrings written in this module: re-exported objects are tested
        # with the module that defines them.
        runner.run(test, out=report.write, clear_globs=True)
    result = runner.summarize(verbose=False)
    assert result.failed == 0, f"{result.failed} exemple(s) en échec dans {module_name} :\n{report.getvalue()}"


def test_examples_exist_in_loaders() -> None:
    # The analyst-facing loader modules must carry runnable examples, not only skipped ones.
    for module_name in ("bureau_data.foret", "bureau_data.covid", "bureau_data.french"):
        assert _examples_count(module_name) > 0, module_name
