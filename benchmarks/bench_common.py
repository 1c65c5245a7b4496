"""Timing, environment and process helpers shared by the benchmark modules.

Timings keep every run, so the report can give the minimum (the figure least disturbed
by other processes) and the median. CPU time is ``time.process_time()``: the CPU seconds
of all threads of this process, which varies less than wall time when other programs
share the machine's cores.
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

BENCH_DIR = Path(__file__).resolve().parent
REPO_ROOT = BENCH_DIR.parent
SHARED_DATA = (REPO_ROOT.parent / "shared" / "data").resolve()


@dataclass
class Timing:
    """CPU and wall seconds of each run of one measured operation."""

    cpu: list[float] = field(default_factory=list)
    wall: list[float] = field(default_factory=list)

    @property
    def runs(self) -> int:
        return len(self.wall)

    @property
    def cpu_min(self) -> float:
        return min(self.cpu)

    @property
    def wall_min(self) -> float:
        return min(self.wall)

    @property
    def wall_median(self) -> float:
        return statistics.median(self.wall)

    def to_dict(self) -> dict[str, Any]:
        return {"cpu": self.cpu, "wall": self.wall}


def time_runs(function: Callable[[], Any], repeat: int,
              setup: Callable[[], Any] | None = None,
              teardown: Callable[[], Any] | None = None) -> Timing:
    """Run ``function`` ``repeat`` times and return the time of each run.

    ``setup`` runs before each run and ``teardown`` after it, both outside the
    measured interval.
    """
    timing = Timing()
    for _ in range(repeat):
        if setup is not None:
            setup()
        start_cpu, start_wall = time.process_time(), time.perf_counter()
        function()
        timing.cpu.append(time.process_time() - start_cpu)
        timing.wall.append(time.perf_counter() - start_wall)
        if teardown is not None:
            teardown()
    return timing


@contextmanager
def environment(**variables: str | None) -> Iterator[None]:
    """Set environment variables for the duration of the block (None removes one)."""
    previous = {name: os.environ.get(name) for name in variables}
    try:
        for name, value in variables.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
        yield
    finally:
        for name, value in previous.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def load_average() -> tuple[float, float, float]:
    """Return the 1, 5 and 15 minute load averages of the machine."""
    one, five, fifteen = os.getloadavg()
    return round(one, 2), round(five, 2), round(fifteen, 2)


def log(message: str) -> None:
    """Print a progress line of the benchmark run on standard error, flushed at once."""
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)
