"""The Python examples of the READMEs run as written."""

from __future__ import annotations

import re
from pathlib import Path

import matplotlib
import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent
CODE_BLOCK = re.compile(r"```python\n(.*?)```", re.S)


@pytest.mark.parametrize("readme", ["README.md", "README.fr.md"])
def test_readme_python_examples_run(readme):
    matplotlib.use("Agg")
    blocks = CODE_BLOCK.findall((REPO_ROOT / readme).read_text(encoding="utf-8"))

    assert blocks, f"{readme} n'a aucun exemple Python"
    for block in blocks:
        exec(compile(block, readme, "exec"), {})
