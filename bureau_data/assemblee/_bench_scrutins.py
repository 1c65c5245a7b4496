"""Measure the scrutins parser against a floor and a plain approach.

Plain functions, so that a benchmark command can reuse them:

- ``_floor_parse(path)``: inflate every member and parse it with orjson, nothing else;
  no parser can go below this.
- ``_plain_parse(path)``: what a first script would do, ``json.loads`` then
  ``pandas.json_normalize`` for each file and each list of voters.
- ``_cold_load(path, cache_dir)``: the loader's work on a cache miss (parse, type, check,
  write the Parquet cache).
- ``_warm_load(path, cache_dir)``: the loader's work on a cache hit.
- ``measure(path)``: the best of ``repeat`` runs of each, their ratios, and the peak
  resident memory of a cold load run in a fresh process.

Run ``python -m bureau_data.assemblee._bench_scrutins ARCHIVE`` to print a report.
Timings are CPU time of this process (``time.process_time``), which varies less than wall
time on a shared machine; wall times are reported too.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import orjson
import pandas as pd

from bureau_data._json import as_list
from bureau_data.archive import iter_members
from bureau_data.assemblee.scrutins import PARSER_VERSION, read_archive
from bureau_data.cache import cached_tables
from bureau_data.provenance import ProvenanceRecord


def _floor_parse(path: Path) -> int:
    """Inflate and orjson-parse every member; return the number of members."""
    count = 0
    for _name, data in iter_members(Path(path), "*.json"):
        orjson.loads(data)
        count += 1
    return count


def _plain_parse(path: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Parse the archive the plain way: ``json.loads`` and ``json_normalize`` per file."""
    scrutin_frames = []
    voter_frames = []
    for _name, data in iter_members(Path(path), "*.json"):
        scrutin = json.loads(data)["scrutin"]
        scrutin_frames.append(pd.json_normalize(scrutin, max_level=2))
        for groupe in as_list(scrutin["ventilationVotes"]["organe"]["groupes"]["groupe"]):
            for key, section in (groupe["vote"]["decompteNominatif"] or {}).items():
                if section:
                    voters = pd.json_normalize(as_list(section["votant"]))
                    voters["scrutin_uid"] = scrutin["uid"]
                    voters["groupe_uid"] = groupe["organeRef"]
                    voters["position"] = key
                    voter_frames.append(voters)
    return pd.concat(scrutin_frames, ignore_index=True), pd.concat(voter_frames, ignore_index=True)


def _record(path: Path) -> ProvenanceRecord:
    stat = Path(path).stat()
    return ProvenanceRecord(dataset="bench", title="bench", publisher="", licence="", url="", final_url="",
                            path=str(path), retrieved_at="", size=stat.st_size,
                            sha256=f"bench-{stat.st_size}-{stat.st_mtime_ns}")


def _cached(path: Path, cache_dir: Path) -> dict[str, pd.DataFrame]:
    import os

    previous = os.environ.get("BUREAU_DATA_CACHE_DIR")
    os.environ["BUREAU_DATA_CACHE_DIR"] = str(cache_dir)
    try:
        return cached_tables("bench-scrutins", PARSER_VERSION, [_record(path)], lambda: read_archive(path))
    finally:
        if previous is None:
            os.environ.pop("BUREAU_DATA_CACHE_DIR", None)
        else:
            os.environ["BUREAU_DATA_CACHE_DIR"] = previous


def _cold_load(path: Path, cache_dir: Path) -> dict[str, pd.DataFrame]:
    """Parse the archive and write the Parquet cache into an empty ``cache_dir``."""
    return _cached(path, cache_dir)


def _warm_load(path: Path, cache_dir: Path) -> dict[str, pd.DataFrame]:
    """Read the tables back from the Parquet cache written by ``_cold_load``."""
    return _cached(path, cache_dir)


def _best(function: Callable[[], Any], repeat: int) -> tuple[float, float]:
    """Return the best CPU time and the best wall time of ``repeat`` runs, in seconds."""
    cpu, wall = [], []
    for _ in range(repeat):
        start_cpu, start_wall = time.process_time(), time.perf_counter()
        function()
        cpu.append(time.process_time() - start_cpu)
        wall.append(time.perf_counter() - start_wall)
    return min(cpu), min(wall)


def peak_memory_cold(path: Path) -> int:
    """Return the peak resident memory, in bytes, of a cold load run in a fresh process."""
    code = (
        "import resource, sys, tempfile\n"
        "from pathlib import Path\n"
        "from bureau_data.assemblee._bench_scrutins import _cold_load\n"
        "with tempfile.TemporaryDirectory() as d:\n"
        "    _cold_load(Path(sys.argv[1]), Path(d))\n"
        "print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)\n"
    )
    output = subprocess.run([sys.executable, "-c", code, str(path)], check=True, capture_output=True,
                            text=True).stdout
    return int(output.strip().splitlines()[-1]) * 1024  # ru_maxrss is in KiB on Linux


def measure(path: Path, repeat: int = 3, plain: bool = True) -> dict[str, float]:
    """Time the floor, plain, cold and warm parses of ``path``; return seconds, ratios and bytes."""
    path = Path(path)
    result: dict[str, float] = {}
    result["floor_cpu"], result["floor_wall"] = _best(lambda: _floor_parse(path), repeat)

    def cold() -> None:
        with tempfile.TemporaryDirectory() as folder:
            _cold_load(path, Path(folder))

    result["cold_cpu"], result["cold_wall"] = _best(cold, repeat)
    with tempfile.TemporaryDirectory() as folder:
        _cold_load(path, Path(folder))
        result["warm_cpu"], result["warm_wall"] = _best(lambda: _warm_load(path, Path(folder)), repeat)
    if plain:
        result["plain_cpu"], result["plain_wall"] = _best(lambda: _plain_parse(path), 1)
        result["plain_over_cold"] = result["plain_cpu"] / result["cold_cpu"]
    result["cold_over_floor"] = result["cold_cpu"] / result["floor_cpu"]
    result["warm_over_cold"] = result["warm_cpu"] / result["cold_cpu"]
    result["peak_memory_bytes"] = peak_memory_cold(path)
    return result


if __name__ == "__main__":
    import warnings

    warnings.simplefilter("ignore")
    for key, value in measure(Path(sys.argv[1]), plain="--sans-plain" not in sys.argv).items():
        print(f"{key:20} {value:,.3f}")
