"""Parse benchmarks of the Assemblée nationale archives and of the State budget.

For each archive four operations are timed:

- floor: inflate every ``*.json`` member and parse it with orjson, nothing else: the
  cost of reading every value of the archive with a fast generic JSON parser. A typed
  decoder that skips the fields a loader does not need can parse in less.
- plain: what a first script would do, ``json.loads`` then ``pandas.json_normalize``
  for each member (and for the lists of mandates or voters inside it), then one
  ``pandas.concat`` per table.
- cold: the loader's first call with an empty ``BUREAU_DATA_CACHE_DIR``, which parses
  the archive, checks and types the tables and writes the parsed-table cache.
- warm: the same call again, which reads the tables back from the parsed-table cache.

For the archives whose records hold HTML (questions, amendements), two more figures:
``html_to_text`` over every fragment the loader converts, and nh3's cleaning alone over
the same fragments. The floor does not include that work.

Peak memory is the peak resident set size of a child process that does one cold load,
minus that of a child that only imports the same modules. The child reads ``VmHWM`` in
``/proc/self/status`` rather than ``getrusage(RUSAGE_SELF).ru_maxrss``: on Linux,
``ru_maxrss`` survives ``execve`` and so starts at the parent's resident size when the
child is forked, which hides the child's own peak whenever the parent is larger.

``python benchmarks/bench_archives.py child KEY`` (or ``baseline``) runs one such child
and prints its peak resident set size, in KiB, on the last line.
"""

from __future__ import annotations

import json
import logging
import resource
import shutil
import subprocess
import sys
import tempfile
import warnings
import zipfile
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson
import pandas as pd

# Bench modules sit beside this file; `python benchmarks/run.py` puts that folder on sys.path.
from bench_common import Timing, environment, log, time_runs

from bureau_data._json import as_list
from bureau_data.archive import iter_members
from bureau_data.assemblee import amendements as amendements_module
from bureau_data.assemblee import amo
from bureau_data.assemblee import questions as questions_module
from bureau_data.assemblee.amendements import amendements
from bureau_data.assemblee.questions import questions_gouvernement
from bureau_data.assemblee.scrutins import load_tables, scrutins
from bureau_data.budget import budget_general
from bureau_data.cache import cached_tables
from bureau_data.fetch import fetch
from bureau_data.text import _CLEANER, html_to_text

# (table name, records to normalise, constant columns to add)
Children = Callable[[dict[str, Any]], Iterable[tuple[str, list[Any], dict[str, Any]]]]


@dataclass(frozen=True)
class Archive:
    """One Assemblée nationale archive and the loader call that parses it."""

    key: str
    label: str
    dataset: str
    load: Callable[[], Any]
    children: dict[str, Children]
    # The HTML fragments the loader converts to plain text, for the archives that have some.
    fragments: Callable[[Path], list[str]] | None = None


def _acteur_children(acteur: dict[str, Any]) -> Iterable[tuple[str, list[Any], dict[str, Any]]]:
    mandats = (acteur.get("mandats") or {}).get("mandat")
    if mandats:
        yield "mandats", as_list(mandats), {"acteur_uid": acteur["uid"]["#text"]
                                              if isinstance(acteur["uid"], dict) else acteur["uid"]}


def _scrutin_children(scrutin: dict[str, Any]) -> Iterable[tuple[str, list[Any], dict[str, Any]]]:
    groupes = scrutin["ventilationVotes"]["organe"]["groupes"]["groupe"]
    for groupe in as_list(groupes):
        for position, section in (groupe["vote"]["decompteNominatif"] or {}).items():
            if section:
                yield "positions", as_list(section["votant"]), {
                    "scrutin_uid": scrutin["uid"], "groupe_uid": groupe["organeRef"], "position": position,
                }


AMO_CHILDREN: dict[str, Children] = {"acteur": _acteur_children}
SCRUTIN_CHILDREN: dict[str, Children] = {"scrutin": _scrutin_children}

ARCHIVES: tuple[Archive, ...] = (
    Archive("amo-l15", "AMO, 15th legislature (AMO10, 2019)", "assemblee.amo.l15",
            lambda: amo._parsed("assemblee.amo.l15"), AMO_CHILDREN),
    Archive("amo-l16", "AMO, 16th legislature (AMO20, 2024)", "assemblee.amo.l16",
            lambda: amo._parsed("assemblee.amo.l16"), AMO_CHILDREN),
    Archive("amo-l17", "AMO, 17th legislature (AMO10, 2025)", "assemblee.amo.l17",
            lambda: amo._parsed("assemblee.amo.l17"), AMO_CHILDREN),
    Archive("amo-l17-divise", "AMO, 17th legislature (AMO50, 2024)", "assemblee.amo.l17.divise",
            lambda: amo._parsed("assemblee.amo.l17.divise"), AMO_CHILDREN),
    Archive("scrutins-l15", "Scrutins, 15th legislature (2019)", "assemblee.scrutins.l15",
            lambda: load_tables(15), SCRUTIN_CHILDREN),
    Archive("scrutins-l16", "Scrutins, 16th legislature", "assemblee.scrutins.l16",
            lambda: load_tables(16), SCRUTIN_CHILDREN),
    Archive("scrutins-l17", "Scrutins, 17th legislature", "assemblee.scrutins.l17",
            lambda: load_tables(17), SCRUTIN_CHILDREN),
    Archive("amendements-l17", "Amendements, 17th legislature (3 dossiers)", "assemblee.amendements.l17",
            lambda: amendements(17), {}, amendements_module._html_fragments),
    Archive("questions-l15", "Questions au gouvernement, 15th legislature (2019)",
            "assemblee.questions.gouvernement.l15", lambda: questions_gouvernement(15), {},
            questions_module._html_fragments),
)
ARCHIVES_BY_KEY = {archive.key: archive for archive in ARCHIVES}


def quiet() -> None:
    """Silence the loaders' warnings and log lines, which would flood the run's output."""
    warnings.simplefilter("ignore")
    logging.getLogger("bureau_data").setLevel(logging.ERROR)


# --- the measured operations ---------------------------------------------------------------


def floor_parse(path: Path) -> int:
    """Inflate and orjson-parse every ``*.json`` member; return the number of members."""
    count = 0
    for _name, data in iter_members(path, "*.json"):
        orjson.loads(data)
        count += 1
    return count


def plain_parse(path: Path, children: dict[str, Children]) -> dict[str, pd.DataFrame]:
    """Parse the archive with ``json.loads`` and ``pandas.json_normalize`` per member."""
    frames: dict[str, list[pd.DataFrame]] = defaultdict(list)
    for _name, data in iter_members(path, "*.json"):
        document = json.loads(data)
        for root, record in document.items():
            frames[root].append(pd.json_normalize(record))
            for table, records, constants in children.get(root, lambda _record: ())(record):
                frame = pd.json_normalize(records)
                for column, value in constants.items():
                    frame[column] = value
                frames[table].append(frame)
    return {name: pd.concat(parts, ignore_index=True) for name, parts in frames.items()}


def row_counts(result: Any, name: str) -> dict[str, int]:
    """Return the number of rows of each table a loader returned (``name`` for a lone table)."""
    if isinstance(result, tuple):  # amo._parsed returns (tables, record)
        result = result[0]
    if isinstance(result, pd.DataFrame):
        return {name: len(result)}
    return {name: len(df) for name, df in result.items()}


class FreshCache:
    """An empty ``BUREAU_DATA_CACHE_DIR`` for each measured run (setup and teardown)."""

    def __init__(self) -> None:
        self.folder: Path | None = None
        self._env: Any = None

    def setup(self) -> None:
        self.folder = Path(tempfile.mkdtemp(prefix="bureau-bench-cache-"))
        self._env = environment(BUREAU_DATA_CACHE_DIR=str(self.folder))
        self._env.__enter__()

    def teardown(self) -> None:
        self._env.__exit__(None, None, None)
        if self.folder is not None:
            shutil.rmtree(self.folder, ignore_errors=True)


def cold_and_warm(load: Callable[[], Any], repeat: int, warm_repeat: int) -> tuple[Timing, Timing, Any]:
    """Time ``load`` on an empty cache, then on the cache it filled; return both and a result."""
    fresh = FreshCache()
    cold = time_runs(load, repeat, setup=fresh.setup, teardown=fresh.teardown)
    with tempfile.TemporaryDirectory(prefix="bureau-bench-cache-") as folder, \
            environment(BUREAU_DATA_CACHE_DIR=folder):
        result = load()
        warm = time_runs(load, warm_repeat)
    return cold, warm, result


def peak_memory_kib(mode: str, key: str = "") -> int:
    """Return the peak RSS (KiB) of a child that imports, or imports then cold-loads."""
    command = [sys.executable, str(Path(__file__).resolve()), mode]
    if key:
        command.append(key)
    completed = subprocess.run(command, check=True, capture_output=True, text=True)
    return int(completed.stdout.strip().splitlines()[-1])


def measure_archive(archive: Archive, *, repeat: int, warm_repeat: int, plain: bool,
                    baseline_kib: int) -> dict[str, Any]:
    """Measure floor, cold, warm and plain parses and the peak memory of one archive."""
    fetched = fetch(archive.dataset)
    path = fetched.path
    members, uncompressed = json_member_sizes(path)
    log(f"{archive.key}: floor")
    floor = time_runs(lambda: floor_parse(path), repeat)
    log(f"{archive.key}: cold and warm")
    cold, warm, result = cold_and_warm(archive.load, repeat, warm_repeat)
    figures: dict[str, Any] = {
        "key": archive.key,
        "label": archive.label,
        "file": path.name,
        "compressed_bytes": path.stat().st_size,
        "uncompressed_bytes": uncompressed,
        "members": members,
        "rows": row_counts(result, archive.key.split("-")[0]),
        "floor": floor.to_dict(),
        "cold": cold.to_dict(),
        "warm": warm.to_dict(),
        "plain": None,
    }
    if archive.fragments is not None:
        log(f"{archive.key}: HTML to text")
        figures["text"] = measure_text(archive.fragments(path), repeat)
        figures["text"]["cache_write"] = measure_cache_write(result, fetched.record, repeat)
        figures["text"]["table_build"] = measure_table_build(result, repeat)
    if plain:
        log(f"{archive.key}: plain json_normalize (slow)")
        figures["plain"] = time_runs(lambda: plain_parse(path, archive.children), 1).to_dict()
    log(f"{archive.key}: peak memory")
    figures["peak_rss_kib"] = peak_memory_kib("child", archive.key)
    figures["baseline_rss_kib"] = baseline_kib
    return figures


def measure_text(fragments: list[str], repeat: int) -> dict[str, Any]:
    """Time ``html_to_text`` over ``fragments``, and nh3's cleaning alone over the same."""
    return {
        "fragments": len(fragments),
        "characters": sum(map(len, fragments)),
        "html_to_text": time_runs(lambda: [html_to_text(fragment) for fragment in fragments], repeat).to_dict(),
        "nh3": time_runs(lambda: [_CLEANER.clean(fragment) for fragment in fragments], repeat).to_dict(),
    }


def _column_values(series: pd.Series) -> list[Any]:
    """Return a column as the Python values a loader reads: dates as ISO 8601 strings."""
    if pd.api.types.is_datetime64_any_dtype(series.dtype):
        return [None if pd.isna(value) else value.isoformat() for value in series]
    return series.tolist()


def _typed_column(values: list[Any], dtype: Any) -> pd.Series:
    """Build a column of ``dtype`` from ``_column_values``, parsing dates in one call."""
    if isinstance(dtype, pd.DatetimeTZDtype):
        parsed = pd.to_datetime(pd.Series(values, dtype="string"), format="ISO8601", utc=True)
        return parsed.dt.tz_convert(dtype.tz)
    if pd.api.types.is_datetime64_dtype(dtype):
        return pd.to_datetime(pd.Series(values, dtype="string"), format="ISO8601")
    return pd.Series(values, dtype=dtype)


def measure_table_build(result: Any, repeat: int) -> dict[str, Any]:
    """Time building the loader's table again from Python lists, one per column, with its dtypes.

    Any loader has at least this to do once it has read the values of the records. Dates
    start as ISO 8601 strings, as in the records, and are parsed a column at a time.
    """
    frame = result if isinstance(result, pd.DataFrame) else next(iter(result.values()))
    columns = {name: _column_values(frame[name]) for name in frame.columns}
    dtypes = frame.dtypes.to_dict()

    def build() -> None:
        pd.DataFrame({name: _typed_column(values, dtypes[name]) for name, values in columns.items()})

    return time_runs(build, repeat).to_dict()


def measure_cache_write(result: Any, record: Any, repeat: int) -> dict[str, Any]:
    """Time writing the tables a loader returned into an empty parsed-table cache."""
    tables = result if isinstance(result, dict) else {"table": result}

    def write() -> None:
        with tempfile.TemporaryDirectory(prefix="bureau-bench-cache-") as folder, \
                environment(BUREAU_DATA_CACHE_DIR=folder):
            cached_tables("bench-write", "1", [record], lambda: tables)

    return time_runs(write, repeat).to_dict()


def json_member_sizes(path: Path) -> tuple[int, int]:
    """Return the number of ``*.json`` members of a zip and their uncompressed bytes."""
    with zipfile.ZipFile(path) as archive:
        infos = [info for info in archive.infolist() if info.filename.endswith(".json")]
    return len(infos), sum(info.file_size for info in infos)


def measure_scrutins_second_load(repeat: int, warm_repeat: int) -> dict[str, Any]:
    """Time ``scrutins(17)`` on an empty cache and again from the cache it filled."""
    log("scrutins(17): first and second load")
    first, second, result = cold_and_warm(lambda: scrutins(17), repeat, warm_repeat)
    return {"first": first.to_dict(), "second": second.to_dict(), "rows": len(result)}


def measure_budget(repeat: int, warm_repeat: int) -> dict[str, Any]:
    """Time ``budget_general()`` (the twelve PLF years 2014-2025), cold and warm."""
    log("budget: cold and warm")
    cold, warm, result = cold_and_warm(budget_general, repeat, warm_repeat)
    years = sorted(int(year) for year in result["year"].unique())
    return {"cold": cold.to_dict(), "warm": warm.to_dict(), "rows": len(result), "years": years,
            "peak_rss_kib": peak_memory_kib("child", "budget")}


def peak_rss_kib() -> int:
    """Return the peak resident set size of this process, in KiB."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux


def _child(mode: str, key: str) -> None:
    quiet()
    if mode == "child":
        load = budget_general if key == "budget" else ARCHIVES_BY_KEY[key].load
        with tempfile.TemporaryDirectory(prefix="bureau-bench-cache-") as folder, \
                environment(BUREAU_DATA_CACHE_DIR=folder):
            load()
    print(peak_rss_kib())


if __name__ == "__main__":
    _child(sys.argv[1], sys.argv[2] if len(sys.argv) > 2 else "")
