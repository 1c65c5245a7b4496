"""Tests of the benchmark harness in benchmarks/: targets, page weight, parses, page."""

from __future__ import annotations

import json
import sys
import zipfile
from pathlib import Path

import pytest

BENCH_DIR = Path(__file__).resolve().parent.parent / "benchmarks"
sys.path.insert(0, str(BENCH_DIR))

import bench_archives  # noqa: E402
import bench_build  # noqa: E402
import bench_pages  # noqa: E402
import bench_report  # noqa: E402


def _timing(*cpu: float) -> dict[str, list[float]]:
    return {"cpu": list(cpu), "wall": [value * 1.5 for value in cpu]}


def _archive(floor: float, cold: float, warm: float, plain: float | None) -> dict:
    return {
        "key": "scrutins-l99", "label": "test", "file": "x.zip", "compressed_bytes": 10,
        "uncompressed_bytes": 2_000_000, "members": 3, "rows": {"scrutins": 3},
        "floor": _timing(floor, floor * 1.2), "cold": _timing(cold * 1.1, cold),
        "warm": _timing(warm, warm), "plain": _timing(plain) if plain is not None else None,
        "peak_rss_kib": 300 * 1024, "baseline_rss_kib": 100 * 1024,
    }


def _build(wall: float, statuses: dict[str, str]) -> dict:
    return {
        "name": "j", "wall": wall, "build_seconds": wall / 2, "site_errors": [],
        "articles": {slug: {"status": status, "seconds": 1.0, "html_size": 10, "message": ""}
                     for slug, status in statuses.items()},
    }


def _results(**sections: object) -> dict:
    results = {
        "environment": {"date": "2026-01-01 10:00 UTC", "commit": "abc1234", "cpu": "Test CPU", "cores": 2,
                        "ram_gib": 4.0, "system": "Linux", "python": "3.11", "packages": {"pandas": "3"},
                        "load_start": [0.1, 0.2, 0.3]},
        "settings": {"repeat": 2, "warm_repeat": 2, "page_repeat": 2, "plain": True, "sections": []},
        "baseline_rss_kib": 100 * 1024, "load_end": [0.1, 0.2, 0.3], "seconds": 60.0,
    }
    results.update(sections)
    return results


def test_checks_archive_targets_met():
    results = _results(archives=[_archive(floor=1.0, cold=2.0, warm=0.1, plain=20.0)])
    found = bench_report.checks(results)
    assert [check.target for check in found] == ["cold / floor ≤ 2.50×", "plain / cold ≥ 5.00×",
                                                  "warm / cold ≤ 0.10×"]
    assert all(check.met for check in found)
    assert found[0].measured == "2.00×"


def test_checks_archive_targets_missed_by_how_much():
    results = _results(archives=[_archive(floor=1.0, cold=5.0, warm=1.0, plain=10.0)])
    cold_floor, plain_cold, warm_cold = bench_report.checks(results)
    assert not cold_floor.met
    assert cold_floor.shortfall == "2.00 times the limit"
    assert not plain_cold.met
    assert plain_cold.shortfall == "2.50 times too low"
    assert not warm_cold.met
    assert warm_cold.shortfall == "2.00 times the limit"


def test_checks_skip_plain_when_not_measured():
    results = _results(archives=[_archive(floor=1.0, cold=2.0, warm=0.1, plain=None)])
    assert [check.target for check in bench_report.checks(results)] == ["cold / floor ≤ 2.50×",
                                                                       "warm / cold ≤ 0.10×"]


def test_checks_build_targets():
    builds = {
        "full_j1": _build(100.0, {"a": "built", "b": "built"}),
        "full_j2": _build(70.0, {"a": "built", "b": "built"}),
        "unchanged": [_build(1.4, {"a": "skipped", "b": "skipped"}), _build(0.9, {"a": "skipped", "b": "skipped"})],
        "changed": _build(5.0, {"a": "built", "b": "skipped"}),
        "changed_expected": ["a"], "changed_file": "x.json",
    }
    speedup, unchanged, changed = bench_report.checks(_results(builds=builds))
    assert not speedup.met
    assert speedup.measured == "1.43×"
    assert unchanged.met
    assert unchanged.measured == "0.90 s"
    assert changed.met


def test_checks_rebuild_of_other_articles_is_missed():
    builds = {
        "full_j1": _build(100.0, {"a": "built", "b": "built"}),
        "full_j2": _build(50.0, {"a": "built", "b": "built"}),
        "unchanged": [_build(0.5, {"a": "skipped", "b": "skipped"})],
        "changed": _build(5.0, {"a": "built", "b": "built"}),
        "changed_expected": ["a"], "changed_file": "x.json",
    }
    changed = bench_report.checks(_results(builds=builds))[-1]
    assert not changed.met
    assert changed.measured == "ran: a, b"


def test_page_weight_counts_html_images_and_stylesheet(tmp_path):
    (tmp_path / "style.css").write_bytes(b"x" * 100)
    article = tmp_path / "article"
    (article / "figures").mkdir(parents=True)
    (article / "figures" / "one.png").write_bytes(b"p" * 1000)
    (article / "figures" / "two.png").write_bytes(b"p" * 3000)
    html = ('<link rel="stylesheet" href="../style.css"><img src="figures/one.png">'
            '<img src="figures/two.png"><img src="figures/one.png"><img src="data:image/png;base64,AA==">'
            '<img src="figures/missing.png"><a href="donnees/a.csv">csv</a>')
    (article / "index.html").write_text(html, encoding="utf-8")
    weight = bench_pages.page_weight(article / "index.html", tmp_path)
    assert weight["html"] == len(html.encode("utf-8"))
    assert weight["images"] == 4000
    assert weight["image_count"] == 2
    assert weight["largest_image"] == 3000
    assert weight["other"] == 100
    assert weight["missing"] == ["figures/missing.png"]
    assert weight["total"] == len(html.encode("utf-8")) + 4100


def test_floor_and_plain_parse_invented_archive(tmp_path):
    path = tmp_path / "scrutins.zip"
    scrutin = {"scrutin": {"uid": "VTANR5L17V1", "ventilationVotes": {"organe": {"groupes": {"groupe": [
        {"organeRef": "PO1", "vote": {"decompteNominatif": {
            "pours": {"votant": [{"acteurRef": "PA1"}, {"acteurRef": "PA2"}]},
            "contres": {"votant": {"acteurRef": "PA3"}}, "abstentions": None}}},
    ]}}}}}
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("json/VTANR5L17V1.json", json.dumps(scrutin))
        archive.writestr("json/readme.txt", "not json")
    assert bench_archives.floor_parse(path) == 1
    tables = bench_archives.plain_parse(path, bench_archives.SCRUTIN_CHILDREN)
    assert list(tables) == ["scrutin", "positions"]
    positions = tables["positions"]
    assert positions["acteurRef"].tolist() == ["PA1", "PA2", "PA3"]
    assert positions["position"].tolist() == ["pours", "pours", "contres"]
    assert set(positions["groupe_uid"]) == {"PO1"}


def test_choose_file_to_change_prefers_fewest_readers(tmp_path):
    files = {name: tmp_path / name for name in ("a.json", "b.geojson", "c.csv", "d.json")}
    for index, path in enumerate(files.values()):
        path.write_bytes(b"{}" + b" " * index * 10)
    readers = {
        str(files["a.json"]): ["x", "y", "z"],  # read by every article: never chosen
        str(files["b.geojson"]): ["x"],
        str(files["c.csv"]): ["y"],  # not JSON: a trailing newline might change its rows
        str(files["d.json"]): ["x", "y"],
    }
    path, slugs = bench_build.choose_file_to_change(readers, articles=3)
    assert path == files["b.geojson"]
    assert slugs == ["x"]


def test_choose_file_to_change_without_candidate(tmp_path):
    path = tmp_path / "a.json"
    path.write_text("{}")
    with pytest.raises(RuntimeError, match="no JSON data file"):
        bench_build.choose_file_to_change({str(path): ["x"]}, articles=1)


def test_render_lists_missed_target_and_sections():
    results = _results(
        archives=[_archive(floor=1.0, cold=5.0, warm=0.1, plain=30.0)],
        budget={"cold": _timing(2.0), "warm": _timing(0.1), "rows": 10, "years": list(range(2014, 2026)),
                "peak_rss_kib": 180 * 1024},
    )
    page = bench_report.render(results, analysis="## Analysis\n\nText.")
    assert "3 of 4 targets met." in page
    assert "| scrutins-l99 | cold / floor ≤ 2.50× | 5.00× | **missed**: 2.00 times the limit |" in page
    assert "PLF 2014–2025 (12 years, 10 rows)" in page
    assert "CPU: Test CPU, 2 cores" in page
    assert page.rstrip().endswith("Text.")
