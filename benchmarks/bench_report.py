"""Targets of the benchmark suite and the Markdown page that reports them."""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from typing import Any

# Targets. Parse times compare CPU seconds (the minimum of the runs); builds compare wall time.
COLD_OVER_FLOOR_MAX = 2.5  # cold parse of an archive, in times its floor
PLAIN_OVER_COLD_MIN = 5.0  # the plain json_normalize parse, in times the cold parse
WARM_OVER_COLD_MAX = 0.1  # warm load from the parsed-table cache, as a fraction of the cold parse
SPEEDUP_TWO_JOBS_MIN = 1.6  # full build with one job, in times the build with two jobs
UNCHANGED_REBUILD_MAX_SECONDS = 1.0  # rebuild with nothing changed
PAGE_MAX_BYTES = 1_000_000  # total weight of one article page (HTML, images, stylesheet)


@dataclass(frozen=True)
class Check:
    """One target checked against one measured value."""

    subject: str
    target: str
    measured: str
    met: bool
    shortfall: str  # by how much the target is missed, empty when met


def _upper(subject: str, name: str, value: float, limit: float, unit: str = "×") -> Check:
    met = value <= limit
    shortfall = "" if met else f"{value / limit:.2f} times the limit"
    return Check(subject, f"{name} ≤ {_num(limit)}{unit}", f"{_num(value)}{unit}", met, shortfall)


def _lower(subject: str, name: str, value: float, limit: float, unit: str = "×") -> Check:
    met = value >= limit
    if met:
        shortfall = ""
    elif value > 0:
        shortfall = f"{limit / value:.2f} times too low"
    else:
        shortfall = "no gain"
    return Check(subject, f"{name} ≥ {_num(limit)}{unit}", f"{_num(value)}{unit}", met, shortfall)


def _num(value: float) -> str:
    if value >= 100:
        return f"{value:,.0f}"
    if value >= 10:
        return f"{value:.1f}"
    if value >= 0.1:
        return f"{value:.2f}"
    return f"{value:.3f}"


def archive_ratios(item: dict[str, Any]) -> dict[str, float | None]:
    """Return the ratios of one archive's figures, from the minimum CPU time of each operation."""
    floor, cold, warm = min(item["floor"]["cpu"]), min(item["cold"]["cpu"]), min(item["warm"]["cpu"])
    plain = min(item["plain"]["cpu"]) if item.get("plain") else None
    return {
        "cold_over_floor": cold / floor,
        "plain_over_cold": plain / cold if plain is not None else None,
        "warm_over_cold": warm / cold,
    }


def checks(results: dict[str, Any]) -> list[Check]:
    """Check every target the results allow, in the order of the page."""
    found: list[Check] = []
    for item in results.get("archives", []):
        ratios = archive_ratios(item)
        found.append(_upper(item["key"], "cold / floor", ratios["cold_over_floor"] or 0, COLD_OVER_FLOOR_MAX))
        if ratios["plain_over_cold"] is not None:
            found.append(_lower(item["key"], "plain / cold", ratios["plain_over_cold"], PLAIN_OVER_COLD_MIN))
        found.append(_upper(item["key"], "warm / cold", ratios["warm_over_cold"] or 0, WARM_OVER_COLD_MAX))
    second = results.get("scrutins_second_load")
    if second:
        ratio = min(second["second"]["cpu"]) / min(second["first"]["cpu"])
        found.append(_upper("scrutins(17)", "second / first load", ratio, WARM_OVER_COLD_MAX))
    budget = results.get("budget")
    if budget:
        ratio = min(budget["warm"]["cpu"]) / min(budget["cold"]["cpu"])
        found.append(_upper("budget_general()", "warm / cold", ratio, WARM_OVER_COLD_MAX))
    builds = results.get("builds")
    if builds:
        speedup = builds["full_j1"]["wall"] / builds["full_j2"]["wall"]
        found.append(_lower("make articles", "1 job / 2 jobs", speedup, SPEEDUP_TWO_JOBS_MIN))
        unchanged = min(run["wall"] for run in builds["unchanged"])
        found.append(_upper("make articles", "rebuild, nothing changed", unchanged,
                            UNCHANGED_REBUILD_MAX_SECONDS, " s"))
        rebuilt = sorted(slug for slug, r in builds["changed"]["articles"].items() if r["status"] == "built")
        expected = builds["changed_expected"]
        met = rebuilt == expected
        found.append(Check("make articles", "after one data file changed, only its readers run",
                           f"ran: {', '.join(rebuilt) or 'none'}", met,
                           "" if met else f"expected exactly: {', '.join(expected)}"))
    pages = results.get("pages")
    if pages:
        for slug, page in pages["pages"].items():
            total = page["weight"]["total"]
            met = total <= PAGE_MAX_BYTES
            found.append(Check(slug, f"page weight ≤ {PAGE_MAX_BYTES / 1e6:g} MB", f"{total / 1e6:.2f} MB", met,
                               "" if met else f"{total / PAGE_MAX_BYTES:.2f} times the limit"))
    return found


# --- the page -----------------------------------------------------------------------------------


def _seconds(values: list[float]) -> str:
    return f"{min(values):.3f}"


def _mb(value: float) -> str:
    return f"{value / 1e6:.1f}"


def _table(header: list[str], rows: list[list[str]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return lines


def render(results: dict[str, Any], analysis: str = "") -> str:
    """Return the Markdown page of a benchmark run."""
    env = results["environment"]
    lines = [
        "# Benchmarks",
        "",
        f"Figures measured by `make bench` (`benchmarks/run.py`) on {env['date']}, at commit "
        f"`{env['commit']}`. The page is generated: run `make bench` again rather than edit it.",
        f"The run took {results['seconds'] / 60:.1f} minutes.",
        "",
        "## Machine and versions",
        "",
        f"- CPU: {env['cpu']}, {env['cores']} cores; RAM: {env['ram_gib']:.1f} GiB; {env['system']}",
        f"- Load average (1, 5, 15 min) at the start: {_load(env['load_start'])}; at the end: "
        f"{_load(results['load_end'])}. A load above the number of cores means that other programs "
        "shared the CPU during the run.",
        f"- Python {env['python']}; " + ", ".join(f"{name} {version}" for name, version in env["packages"].items()),
    ]
    if results.get("pages"):
        lines.append(f"- Browser: {results['pages']['browser']} (headless)")
    lines += ["", "## Targets", ""]
    found = checks(results)
    missed = [check for check in found if not check.met]
    lines.append(f"{len(found) - len(missed)} of {len(found)} targets met." if found else "No target was measured.")
    lines.append("")
    lines += _table(["subject", "target", "measured", "result"],
                    [[c.subject, c.target, c.measured, "met" if c.met else f"**missed**: {c.shortfall}"]
                     for c in found])
    lines += _archives_section(results)
    lines += _budget_section(results)
    lines += _builds_section(results)
    lines += _pages_section(results)
    if analysis:
        lines += ["", analysis.strip()]
    return "\n".join(lines) + "\n"


def _load(values: list[float]) -> str:
    return ", ".join(f"{value:.2f}" for value in values)


def _archives_section(results: dict[str, Any]) -> list[str]:
    archives = results.get("archives")
    if not archives:
        return []
    settings = results["settings"]
    lines = [
        "", "## Assemblée nationale archives", "",
        "Floor: inflate every JSON member and parse it with orjson, nothing else. Cold: the "
        "loader's first call with an empty `BUREAU_DATA_CACHE_DIR` (parse, checks, types, "
        "parsed-table cache written as Arrow IPC files). Warm: the same call again, read from that "
        "cache. Plain: "
        "`json.loads` then `pandas.json_normalize` per member (and per list of mandates or "
        "voters), then `pandas.concat`.",
        "",
        f"Times are CPU seconds (`time.process_time`, all threads), the minimum of {settings['repeat']} "
        f"runs ({settings['warm_repeat']} for warm, 1 for plain). Ratios use these minima. Peak memory "
        "is the peak resident set size of a child process doing one cold load, minus that of a "
        f"child that only imports the same modules ({results['baseline_rss_kib'] / 1024:.0f} MiB).",
        "",
    ]
    rows = []
    for item in archives:
        ratios = archive_ratios(item)
        plain = _seconds(item["plain"]["cpu"]) if item.get("plain") else "–"
        plain_ratio = f"{ratios['plain_over_cold']:.1f}" if ratios["plain_over_cold"] is not None else "–"
        rows.append([
            item["key"], f"{item['members']:,}", _mb(item["uncompressed_bytes"]),
            _seconds(item["floor"]["cpu"]), _seconds(item["cold"]["cpu"]), f"{ratios['cold_over_floor']:.2f}",
            plain, plain_ratio, _seconds(item["warm"]["cpu"]), f"{ratios['warm_over_cold']:.3f}",
            f"{(item['peak_rss_kib'] - item['baseline_rss_kib']) / 1024:,.0f}",
        ])
    lines += _table(["archive", "members", "JSON MB", "floor s", "cold s", "cold/floor", "plain s",
                     "plain/cold", "warm s", "warm/cold", "peak MiB"], rows)
    lines += ["", "Wall seconds of the same runs (minimum and median), and the tables returned:", ""]
    rows = []
    for item in archives:
        rows.append([
            item["key"], item["file"],
            f"{min(item['floor']['wall']):.3f} / {statistics.median(item['floor']['wall']):.3f}",
            f"{min(item['cold']['wall']):.3f} / {statistics.median(item['cold']['wall']):.3f}",
            f"{min(item['warm']['wall']):.3f} / {statistics.median(item['warm']['wall']):.3f}",
            f"{min(item['plain']['wall']):.1f}" if item.get("plain") else "–",
            ", ".join(f"{name} {count:,}" for name, count in item["rows"].items()),
        ])
    lines += _table(["archive", "file", "floor", "cold", "warm", "plain", "rows"], rows)
    lines += _text_section(archives)
    second = results.get("scrutins_second_load")
    if second:
        first, again = min(second["first"]["cpu"]), min(second["second"]["cpu"])
        lines += [
            "", "### Second load of the 17th-legislature scrutins", "",
            f"`scrutins(17)` ({second['rows']:,} rows): first call with an empty cache "
            f"{first:.3f} s CPU ({min(second['first']['wall']):.3f} s wall), second call from the "
            f"parsed cache {again:.3f} s CPU ({min(second['second']['wall']):.3f} s wall): the second "
            f"load takes **{again / first:.1%}** of the first.",
        ]
    return lines


def _text_section(archives: list[dict[str, Any]]) -> list[str]:
    items = [item for item in archives if item.get("text")]
    if not items:
        return []
    lines = [
        "", "### HTML to plain text", "",
        "The question and amendement records contain HTML fragments that the loaders turn into "
        "plain text (`bureau_data.text.html_to_text`). The floor does not include that work. "
        "The table gives CPU seconds, minimum of the same number of runs as the floor, for "
        "these stages:",
        "",
        "- `html_to_text`: every fragment the loader converts;",
        "- nh3 alone: the same fragments cleaned by nh3, the Rust HTML sanitiser that handles "
        "the fragments outside the fast path;",
        "- cache write: the loader's finished table written alone into an empty parsed-table "
        "cache;",
        "- table build: the same table built from one Python list per column with its final "
        "dtypes, which any loader has to do once it has read the values.",
        "",
        f"The last column is what the {COLD_OVER_FLOOR_MAX}× target leaves once the floor and the "
        "text conversion are paid. That time has to cover reading the fields, typing the "
        "columns, the checks and the cache write. Beside it is what the cold parse spends on "
        "them in this run.",
        "",
    ]
    rows = []
    for item in items:
        text = item["text"]
        floor, cold = min(item["floor"]["cpu"]), min(item["cold"]["cpu"])
        converted, cleaned = min(text["html_to_text"]["cpu"]), min(text["nh3"]["cpu"])
        left = COLD_OVER_FLOOR_MAX * floor - floor - converted
        rows.append([
            item["key"], f"{text['fragments']:,}", f"{text['characters'] / 1e6:.1f}",
            f"{floor:.3f}", f"{converted:.3f}", f"{converted / floor:.2f}", f"{cleaned:.3f}",
            f"{cleaned / floor:.2f}", f"{(floor + converted) / floor:.2f}",
            f"{min(text['cache_write']['cpu']):.3f}" if text.get("cache_write") else "–",
            f"{min(text['table_build']['cpu']):.3f}" if text.get("table_build") else "–",
            f"{left:.3f} against {cold - floor - converted:.3f}",
        ])
    lines += _table(["archive", "fragments", "M characters", "floor s", "html_to_text s", "text/floor",
                     "nh3 alone s", "nh3/floor", "(floor + text)/floor", "cache write s", "table build s", "rest: allowed s against spent s"],
                    rows)
    return lines


def _budget_section(results: dict[str, Any]) -> list[str]:
    budget = results.get("budget")
    if not budget:
        return []
    cold, warm = min(budget["cold"]["cpu"]), min(budget["warm"]["cpu"])
    years = budget["years"]
    return [
        "", "## State budget", "",
        f"`budget_general()`: the budget général lines of the PLF {years[0]}–{years[-1]} "
        f"({len(years)} years, {budget['rows']:,} rows), parsed from about forty CSV files on the "
        "first call with an empty cache, then read from the parsed-table cache.",
        "",
        *_table(["load", "CPU s (min)", "wall s (min / median)"], [
            ["cold", f"{cold:.3f}", f"{min(budget['cold']['wall']):.3f} / "
                                     f"{statistics.median(budget['cold']['wall']):.3f}"],
            ["warm", f"{warm:.3f}", f"{min(budget['warm']['wall']):.3f} / "
                                     f"{statistics.median(budget['warm']['wall']):.3f}"],
        ]),
        "",
        f"Warm over cold: {warm / cold:.3f}. Peak memory of a cold load: "
        f"{(budget['peak_rss_kib'] - results['baseline_rss_kib']) / 1024:,.0f} MiB above the import baseline.",
    ]


def _builds_section(results: dict[str, Any]) -> list[str]:
    builds = results.get("builds")
    if not builds:
        return []
    one, two, changed = builds["full_j1"], builds["full_j2"], builds["changed"]
    unchanged = [run["wall"] for run in builds["unchanged"]]
    lines = [
        "", "## Article build (`make articles`)", "",
        "Each build is a child process calling the function behind `bureau-data construire -j N`; "
        "times are its wall seconds from interpreter start to exit. Full builds start from an "
        "empty build state and an empty parsed-table cache, as on a fresh checkout, and read a "
        "copy of the data folder.",
        "",
        *_table(["build", "wall s", "articles built / skipped / failed"], [
            ["full, 1 job", f"{one['wall']:.1f}", _counts(one)],
            ["full, 2 jobs", f"{two['wall']:.1f}", _counts(two)],
            [f"nothing changed (min of {len(unchanged)})", f"{min(unchanged):.2f}", _counts(builds["unchanged"][0])],
            ["one data file changed", f"{changed['wall']:.1f}", _counts(changed)],
        ]),
        "",
        f"Two jobs against one: {one['wall'] / two['wall']:.2f} times faster. The rebuild with nothing "
        f"changed spends {min(run['build_seconds'] for run in builds['unchanged']):.2f} s in the build "
        "function itself; the rest is interpreter start and imports.",
        "",
        f"Changed file: `{builds['changed_file']}` (a trailing newline added to a copy). The articles "
        f"that read it: {', '.join(builds['changed_expected'])}.",
        "",
        "Time of each article in the full builds (seconds in its worker, execution and rendering):",
        "",
    ]
    rows = []
    for slug in sorted(one["articles"]):
        rows.append([slug, _article_seconds(one, slug), _article_seconds(two, slug)])
    lines += _table(["article", "1 job", "2 jobs"], rows)
    failures = [(build["name"], slug, r["message"]) for build in (one, two, changed)
                for slug, r in build["articles"].items() if r["status"] == "failed"]
    if failures:
        lines += ["", "Failed articles:", ""]
        lines += [f"- {name} / {slug}: {message.splitlines()[0] if message else ''}"
                  for name, slug, message in failures]
    site_errors = one["site_errors"] + two["site_errors"]
    if site_errors:
        lines += ["", "Site errors: " + " ".join(error.splitlines()[0] for error in site_errors)]
    return lines


def _article_seconds(build: dict[str, Any], slug: str) -> str:
    result = build["articles"].get(slug)
    if result is None:
        return "–"
    if result["status"] == "failed":
        return f"failed ({result['seconds']:.1f})"
    return f"{result['seconds']:.1f}"


def _counts(build: dict[str, Any]) -> str:
    statuses = [result["status"] for result in build["articles"].values()]
    return f"{statuses.count('built')} / {statuses.count('skipped')} / {statuses.count('failed')}"


def _pages_section(results: dict[str, Any]) -> list[str]:
    pages = results.get("pages")
    if not pages:
        return []
    lines = [
        "", "## Article pages", "",
        "Weight: the article's `index.html`, the images of its `<img>` tags and the stylesheet, "
        "read from disk (what a reader downloads after scrolling the whole page). Load times are "
        "read from the page's own clock in headless Chromium (1280×800 window, browser cache "
        "disabled, site served by `http.server` on 127.0.0.1): `load` is `loadEventEnd` of the "
        "Navigation Timing entry, before the lazy images below the fold are fetched; `all images` "
        "is when every image has loaded after the lazy ones were switched to eager. Median of "
        f"{pages['repeat']} loads after one unmeasured load.",
        "",
    ]
    rows = []
    for slug, page in pages["pages"].items():
        weight = page["weight"]
        rows.append([
            slug, f"{weight['html'] / 1e3:.0f}", f"{weight['images'] / 1e3:.0f} ({weight['image_count']})",
            f"{weight['largest_image'] / 1e3:.0f}", f"{weight['total'] / 1e3:.0f}",
            f"{page['load_ms']:.0f}", f"{page['all_images_ms']:.0f}",
        ])
    lines += _table(["article", "HTML kB", "images kB (count)", "largest image kB", "total kB",
                     "load ms", "all images ms"], rows)
    broken = [slug for slug, page in pages["pages"].items() if page["broken_images"] or page["weight"]["missing"]]
    if broken:
        lines += ["", f"Pages with a missing or broken image: {', '.join(broken)}."]
    return lines
