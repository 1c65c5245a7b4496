"""Benchmarks of the article build (``make articles``).

Every build runs in a child process, ``python benchmarks/bench_build.py build JOBS``,
which calls ``bureau_data.publish.build.build_site`` as ``bureau-data construire -j JOBS``
does and prints the outcome of each article as JSON. The time measured is the wall time
of that child, from interpreter start to exit, like the command's.

The builds run on a snapshot of the checkout (``bureau_data/``, ``notebooks/``, ``data/``
without its cache, ``pyproject.toml``) copied at the start, imported first through
``PYTHONPATH`` by the build and by its kernels. The build rebuilds every article when a
source file of the library changes, so without the snapshot an edit made in the working
tree during the run would turn the rebuild benchmarks into full builds.

The builds never touch the repository's ``articles/`` or ``data/cache/``: each reads a
copy of the local data folder and writes to its own temporary output and cache folders
(``BUREAU_DATA_LOCAL_DIR``, ``BUREAU_DATA_OUTPUT_DIR``, ``BUREAU_DATA_CACHE_DIR``). The
data folder is copied, not linked, because the loaders resolve symbolic links and reject
a file that resolves outside the local data folder.

Measured:

- a full build with one job and with two, each from an empty build state and an empty
  parsed-table cache, as on a fresh checkout;
- a rebuild with nothing changed;
- a rebuild after one data file changed: a copy of the smallest JSON file read by the
  fewest articles gets a trailing newline, which leaves its content the same JSON but
  changes its bytes. Only the articles that read it may run again.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

from bench_common import REPO_ROOT, environment, log

EDITABLE_SUFFIXES = (".json", ".geojson")  # formats where a trailing newline keeps the same content


def snapshot_checkout(target: Path) -> Path:
    """Copy the parts of the checkout a build reads into ``target``, and return ``target``."""
    def ignore(folder: str, names: list[str]) -> set[str]:
        skipped = {name for name in names if name in ("__pycache__", ".ipynb_checkpoints")}
        if Path(folder) == REPO_ROOT / "data":
            skipped.add("cache")  # downloaded files and parsed tables of the working tree
        return skipped

    for name in ("bureau_data", "notebooks", "data"):
        shutil.copytree(REPO_ROOT / name, target / name, ignore=ignore)
    shutil.copy2(REPO_ROOT / "pyproject.toml", target / "pyproject.toml")
    return target


def run_build(workspace: Path, name: str, jobs: int, data_dir: Path, checkout: Path) -> dict[str, Any]:
    """Build every article of ``checkout`` into ``workspace`` in a child process; return its outcome."""
    output = workspace / f"{name}-site"
    cache = workspace / f"{name}-cache"
    with environment(BUREAU_DATA_LOCAL_DIR=str(data_dir), BUREAU_DATA_OUTPUT_DIR=str(output),
                     BUREAU_DATA_CACHE_DIR=str(cache), BUREAU_DATA_PROGRESS="0",
                     PYTHONPATH=str(checkout)):
        started = time.perf_counter()
        completed = subprocess.run([sys.executable, str(Path(__file__).resolve()), "build", str(jobs)],
                                   cwd=checkout, capture_output=True, text=True, check=False)
        wall = time.perf_counter() - started
    lines = completed.stdout.strip().splitlines()
    if completed.returncode != 0 or not lines:
        raise RuntimeError(f"build {name} failed (exit status {completed.returncode}):\n"
                           f"{completed.stdout[-3000:]}\n{completed.stderr[-3000:]}")
    outcome = json.loads(lines[-1])
    if not Path(outcome["library"]).is_relative_to(checkout):
        raise RuntimeError(f"build {name} imported {outcome['library']} instead of the snapshot in {checkout}")
    outcome.update(name=name, jobs=jobs, wall=wall, output=str(output), cache=str(cache))
    return outcome


def statuses(outcome: dict[str, Any], status: str) -> list[str]:
    """Return the slugs of the articles of a build outcome that have ``status``."""
    return sorted(slug for slug, result in outcome["articles"].items() if result["status"] == status)


def readers_of_data_files(output: Path, cache: Path) -> dict[str, list[str]]:
    """Return, for each data file of the last build of ``output``, the articles that read it."""
    from bureau_data.publish.build import build_state_dir

    state = json.loads((build_state_dir(output, cache) / "state.json").read_text(encoding="utf-8"))
    readers: dict[str, list[str]] = defaultdict(list)
    for slug, entry in state["articles"].items():
        for item in entry["data_files"]:
            readers[item["path"]].append(slug)
    return {path: sorted(slugs) for path, slugs in readers.items()}


def choose_file_to_change(readers: dict[str, list[str]], articles: int) -> tuple[Path, list[str]]:
    """Pick the JSON data file read by the fewest articles (then the smallest one)."""
    candidates = [
        (len(slugs), Path(path).stat().st_size, path)
        for path, slugs in readers.items()
        if path.endswith(EDITABLE_SUFFIXES) and len(slugs) < articles
    ]
    if not candidates:
        raise RuntimeError("no JSON data file read by only some of the articles: cannot test a "
                           "rebuild after one data file changed")
    _count, _size, path = min(candidates)
    return Path(path), readers[path]


def measure_builds(workspace: Path, *, rebuild_repeat: int) -> dict[str, Any]:
    """Run the build benchmarks in ``workspace`` (a new empty folder) and return their figures."""
    checkout = snapshot_checkout(workspace / "checkout")
    data_dir = workspace / "data"
    log(f"copied the checkout to {checkout}; copying the data folder to {data_dir}")
    shutil.copytree(Path(os.environ["BUREAU_DATA_LOCAL_DIR"]), data_dir)

    log("full build, 1 job (empty build state and parsed-table cache)")
    one_job = run_build(workspace, "j1", 1, data_dir, checkout)
    log(f"full build, 1 job: {one_job['wall']:.1f} s")
    log("full build, 2 jobs (empty build state and parsed-table cache)")
    two_jobs = run_build(workspace, "j2", 2, data_dir, checkout)
    log(f"full build, 2 jobs: {two_jobs['wall']:.1f} s")

    log("rebuild with nothing changed")
    unchanged = [run_build(workspace, "j2", 2, data_dir, checkout) for _ in range(rebuild_repeat)]

    built = statuses(two_jobs, "built")
    readers = readers_of_data_files(Path(two_jobs["output"]), Path(two_jobs["cache"]))
    path, expected = choose_file_to_change(readers, len(built))
    log(f"rebuild after changing {path.relative_to(data_dir)} (read by {', '.join(expected)})")
    with open(path, "ab") as handle:
        handle.write(b"\n")
    changed = run_build(workspace, "j2", 2, data_dir, checkout)

    return {
        "full_j1": one_job,
        "full_j2": two_jobs,
        "unchanged": unchanged,
        "changed": changed,
        "changed_file": str(path.relative_to(data_dir)),
        "changed_file_bytes": path.stat().st_size,
        "changed_expected": expected,
        "site": two_jobs["output"],
    }


def _child(jobs: int) -> None:
    """Build every article as ``bureau-data construire -j JOBS`` and print the outcome as JSON."""
    import logging

    import bureau_data
    from bureau_data.config import get_settings
    from bureau_data.publish.build import BuildOptions, build_site
    from bureau_data.publish.cli import default_notebooks_dir

    logging.basicConfig(level=logging.WARNING, stream=sys.stderr)
    started = time.perf_counter()
    report = build_site(BuildOptions(notebooks_dir=default_notebooks_dir().resolve(),
                                     output_dir=get_settings().output_dir, jobs=jobs))
    articles = {
        result.slug: {"status": result.status, "seconds": result.seconds, "html_size": result.html_size,
                      "message": result.message[:2000]}
        for result in report.results
    }
    print(json.dumps({"articles": articles, "site_errors": report.site_errors, "library": bureau_data.__file__,
                      "build_seconds": report.seconds, "child_seconds": time.perf_counter() - started}))


if __name__ == "__main__":
    if len(sys.argv) != 3 or sys.argv[1] != "build":
        sys.exit("usage: python benchmarks/bench_build.py build JOBS")
    _child(int(sys.argv[2]))
