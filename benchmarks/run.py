"""Run the benchmark suite of bureau-data and write docs/benchmarks.md.

``make bench`` runs ``python benchmarks/run.py``. The sections, in the order they run:

- ``archives``: floor, plain, cold and warm parses and peak memory of each Assemblée
  nationale archive of the local data folder, and the second load of ``scrutins(17)``;
- ``budget``: cold and warm load of the twelve budget years;
- ``build``: full builds with one and two jobs, rebuilds with nothing changed and
  after one data file changed;
- ``pages``: weight and load time of each built article in headless Chromium (needs
  the ``build`` section, which it runs too).

Every target is checked and reported on the page. The exit status is 0 once the page
is written, even with missed targets. With ``--strict``, a missed target gives exit
status 1.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from importlib import metadata
from pathlib import Path
from typing import Any

from bench_common import REPO_ROOT, SHARED_DATA, load_average, log

SECTIONS = ("archives", "budget", "build", "pages")
DEFAULT_OUTPUT = REPO_ROOT / "docs" / "benchmarks.md"
ANALYSIS_FILE = Path(__file__).resolve().parent / "analysis.md"  # hand-written, appended to the page
PACKAGES = ("pandas", "numpy", "pyarrow", "orjson", "matplotlib", "nbclient", "nbconvert", "ipykernel",
            "jupyter_client")


def _cpu_model() -> str:
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as cpuinfo:
            for line in cpuinfo:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def _ram_gib() -> float:
    try:
        with open("/proc/meminfo", encoding="ascii") as meminfo:
            for line in meminfo:
                if line.startswith("MemTotal:"):
                    return int(line.split()[1]) / 1024 / 1024
    except OSError:
        pass
    return float("nan")


def _commit() -> str:
    def git(*args: str) -> str:
        return subprocess.run(["git", *args], cwd=REPO_ROOT, capture_output=True, text=True,
                              check=False).stdout.strip()

    commit = git("rev-parse", "--short", "HEAD") or "unknown"
    return commit + (" with uncommitted changes" if git("status", "--porcelain") else "")


def describe_environment() -> dict[str, Any]:
    """Return the machine, the versions and the date of this run."""
    packages = {}
    for name in PACKAGES:
        try:
            packages[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            packages[name] = "not installed"
    return {
        "date": datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z"),
        "commit": _commit(),
        "cpu": _cpu_model(),
        "cores": os.cpu_count(),
        "ram_gib": _ram_gib(),
        "system": f"{platform.system()} {platform.release()}",
        "python": platform.python_version(),
        "packages": packages,
        "load_start": list(load_average()),
    }


def _parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", default=",".join(SECTIONS),
                        help=f"comma-separated sections to run, among {', '.join(SECTIONS)} (default: all)")
    parser.add_argument("--output", type=Path,
                        help="Markdown page to write (default: docs/benchmarks.md for a full run, "
                             "standard output otherwise)")
    parser.add_argument("--json", type=Path, help="also write the raw figures to this JSON file")
    parser.add_argument("--from-json", type=Path, metavar="PATH",
                        help="measure nothing: write the page again from the figures of a run saved with --json")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each floor and cold parse (default: 3)")
    parser.add_argument("--warm-repeat", type=int, default=5, help="runs of each warm load (default: 5)")
    parser.add_argument("--page-repeat", type=int, default=5, help="measured loads of each page (default: 5)")
    parser.add_argument("--archives", help="comma-separated archive keys to measure (default: all)")
    parser.add_argument("--no-plain", action="store_true",
                        help="skip the plain json_normalize parses, the slowest part of the run")
    parser.add_argument("--strict", action="store_true", help="exit with status 1 when a target is missed")
    args = parser.parse_args(argv)
    args.sections = [name.strip() for name in args.only.split(",") if name.strip()]
    unknown = set(args.sections) - set(SECTIONS)
    if unknown:
        parser.error(f"unknown section(s): {', '.join(sorted(unknown))}; choose among {', '.join(SECTIONS)}")
    if "pages" in args.sections and "build" not in args.sections:
        args.sections.append("build")
    if args.output is None and (args.from_json or set(args.sections) == set(SECTIONS)):
        args.output = DEFAULT_OUTPUT
    return args


def run(args: argparse.Namespace) -> dict[str, Any]:
    """Run the requested sections and return every figure."""
    import bench_archives

    bench_archives.quiet()
    started = time.perf_counter()
    results: dict[str, Any] = {
        "environment": describe_environment(),
        "settings": {"repeat": args.repeat, "warm_repeat": args.warm_repeat, "page_repeat": args.page_repeat,
                     "plain": not args.no_plain, "sections": args.sections},
    }
    if {"archives", "budget"} & set(args.sections):
        results["baseline_rss_kib"] = bench_archives.peak_memory_kib("baseline")
    if "archives" in args.sections:
        keys = args.archives.split(",") if args.archives else [a.key for a in bench_archives.ARCHIVES]
        results["archives"] = [
            bench_archives.measure_archive(bench_archives.ARCHIVES_BY_KEY[key], repeat=args.repeat,
                                           warm_repeat=args.warm_repeat, plain=not args.no_plain,
                                           baseline_kib=results["baseline_rss_kib"])
            for key in keys
        ]
        results["scrutins_second_load"] = bench_archives.measure_scrutins_second_load(args.repeat,
                                                                                      args.warm_repeat)
    if "budget" in args.sections:
        results["budget"] = bench_archives.measure_budget(args.repeat, args.warm_repeat)
    if "build" in args.sections:
        import bench_build

        with tempfile.TemporaryDirectory(prefix="bureau-bench-build-") as workspace:
            results["builds"] = bench_build.measure_builds(Path(workspace), rebuild_repeat=3)
            if "pages" in args.sections:
                import bench_pages

                site = Path(results["builds"]["site"])
                slugs = bench_build.statuses(results["builds"]["full_j2"], "built")
                results["pages"] = bench_pages.measure_pages(site, slugs, args.page_repeat)
    results["load_end"] = list(load_average())
    results["seconds"] = time.perf_counter() - started
    return results


def main(argv: list[str] | None = None) -> int:
    args = _parse_args(argv)
    os.environ.setdefault("BUREAU_DATA_LOCAL_DIR", str(SHARED_DATA))
    os.environ.setdefault("BUREAU_DATA_PROGRESS", "0")
    if not Path(os.environ["BUREAU_DATA_LOCAL_DIR"]).is_dir():
        print(f"Local data folder not found: {os.environ['BUREAU_DATA_LOCAL_DIR']}. Set "
              "BUREAU_DATA_LOCAL_DIR to the folder of the official data files.", file=sys.stderr)
        return 2
    if args.from_json:
        results = json.loads(args.from_json.read_text(encoding="utf-8"))
    else:
        results = run(args)

    import bench_report

    analysis = ANALYSIS_FILE.read_text(encoding="utf-8") if ANALYSIS_FILE.is_file() else ""
    page = bench_report.render(results, analysis if args.output == DEFAULT_OUTPUT else "")
    if args.json and not args.from_json:
        args.json.write_text(json.dumps(results, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    if args.output:
        args.output.parent.mkdir(parents=True, exist_ok=True)
        args.output.write_text(page, encoding="utf-8")
        log(f"wrote {args.output}")
    else:
        sys.stdout.write(page)
    missed = [check for check in bench_report.checks(results) if not check.met]
    for check in missed:
        log(f"target missed: {check.subject}: {check.target}, measured {check.measured} ({check.shortfall})")
    log(f"done in {results['seconds'] / 60:.1f} min, {len(missed)} target(s) missed")
    return 1 if missed and args.strict else 0


if __name__ == "__main__":
    sys.exit(main())
