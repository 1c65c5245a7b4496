"""A bad download never replaces a good cached copy: empty, garbage, cut or shrunk bodies.

Every test caches a good file from a real HTTP server on 127.0.0.1, then makes the
server send a bad one, and checks that the cached bytes and record did not change.
"""

from __future__ import annotations

import gzip
import io
import json
import logging
import random
import zipfile
from pathlib import Path

import pytest
from _fetch_server import Reply, Server, sequence, serve, write_catalogue

from bureau_data import cli
from bureau_data._content import InvalidContent, check_content
from bureau_data.archive import Limits
from bureau_data.catalogue import get_dataset
from bureau_data.config import get_settings
from bureau_data.errors import IncompleteDownloadError, ShrunkDownloadError
from bureau_data.fetch import MIN_SIZE_RATIO, cache_path, fetch, read_manifest, record_path

ROUTES = {
    "test.csv": "/table.csv",
    "test.geo": "/regions.geojson",
    "test.zip": "/archive.zip",
    "test.gz": "/table.csv.gz",
    "test.bin": "/donnees.bin",
}

# 300 data lines of a semicolon CSV, 8 452 bytes.
GOOD_CSV = "code;libellé;montant\n" + "".join(
    f"{i:03d};Ligne numéro {i};{i * 7},5\n" for i in range(300)
)
GOOD_BYTES = GOOD_CSV.encode("utf-8")


def _third_of_rows(text: str) -> bytes:
    lines = text.splitlines(keepends=True)
    return "".join(lines[: len(lines) // 3]).encode("utf-8")


@pytest.fixture
def server(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Server:
    with serve() as state:
        catalogue = write_catalogue(tmp_path / "catalogue", state.url, ROUTES)
        monkeypatch.setenv("BUREAU_DATA_CATALOGUE_DIR", str(catalogue))
        monkeypatch.setenv("BUREAU_DATA_CACHE_DIR", str(tmp_path / "cache"))
        monkeypatch.delenv("BUREAU_DATA_LOCAL_DIR", raising=False)
        monkeypatch.setenv("BUREAU_DATA_RETRIES", "1")
        monkeypatch.setenv("BUREAU_DATA_BACKOFF", "0.01")
        monkeypatch.setenv("BUREAU_DATA_PROGRESS", "0")
        yield state


def _cache_good(server: Server, dataset_id: str, route: str, body: bytes) -> tuple[bytes, str]:
    """Download ``body`` into the cache and return the stored bytes and record text."""
    server.routes[route] = sequence(Reply(body=body, headers={"ETag": '"bon"'}))
    path = fetch(dataset_id).path
    return path.read_bytes(), record_path(path).read_text("utf-8")


def _stored(dataset_id: str) -> tuple[bytes, str]:
    path = cache_path(get_dataset(dataset_id), get_settings())
    return path.read_bytes(), record_path(path).read_text("utf-8")


def _zip(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return buffer.getvalue()


BAD_CSV_BODIES = {
    "vide": (b"", "fichier vide"),
    "octets aléatoires": (random.Random(0).randbytes(4000), "octet nul"),
    "cp1252 invalide": (b"code;nom\n01;\x81\x8d\x8f\x90\x9d\n" * 20, "texte illisible"),
    "page HTML en text/plain": (b"<!DOCTYPE html>\n<html><body>Maintenance</body></html>\n",
                                "page HTML ou XML"),
    "message d'erreur d'une ligne": (b"Service temporairement indisponible\n",
                                     "sans ligne de données"),
    "en-tête seul": (b"code;libell\xc3\xa9;montant\n", "sans ligne de données"),
    "champs incohérents": (b"a;b;c\n1\n2;3;4;5;6\nx;y\n7;8;9;10\n", "nombre de champs incohérent"),
    "UTF-16": ("code;nom\n01;Ain\n".encode("utf-16"), "octet nul"),
}


@pytest.mark.parametrize("case", list(BAD_CSV_BODIES))
def test_bad_csv_body_keeps_good_copy(server: Server, case: str):
    good = _cache_good(server, "test.csv", "/table.csv", GOOD_BYTES)
    body, reason = BAD_CSV_BODIES[case]
    server.routes["/table.csv"] = sequence(Reply(body=body, headers={"Content-Type": "text/csv"}))

    with pytest.raises(IncompleteDownloadError, match=reason):
        fetch("test.csv", refresh=True)

    assert _stored("test.csv") == good
    assert server.full_transfers("/table.csv") == 3  # the good copy, then two attempts


def test_empty_body_rejected_without_cached_copy(server: Server):
    server.routes["/donnees.bin"] = sequence(Reply(body=b""))

    with pytest.raises(IncompleteDownloadError, match="fichier vide"):
        fetch("test.bin")

    assert not cache_path(get_dataset("test.bin"), get_settings()).exists()


@pytest.mark.parametrize(
    ("dataset_id", "route", "good", "bad", "reason"),
    [
        ("test.geo", "/regions.geojson", b'{"type": "FeatureCollection", "features": []}',
         b'{"type": "FeatureCollection", "featu', "JSON invalide ou tronqué"),
        ("test.zip", "/archive.zip", _zip({"a.json": b"{}" * 500}),
         _zip({"a.json": b"{}" * 500})[:-30], "archive zip endommagée"),
        ("test.gz", "/table.csv.gz", gzip.compress(GOOD_BYTES),
         gzip.compress(GOOD_BYTES)[:-10], "flux gzip endommagé"),
        ("test.bin", "/donnees.bin", b"\x00\x01" * 50, b"", "fichier vide"),
    ],
    # Explicit ids: the zip bytes carry the current time, and ids built from them would
    # differ between pytest-xdist workers, which then refuse to run the suite.
    ids=["geojson", "zip", "gzip", "bin"],
)
def test_bad_body_of_each_format_keeps_good_copy(server: Server, dataset_id, route, good, bad,
                                                 reason):
    stored = _cache_good(server, dataset_id, route, good)
    server.routes[route] = sequence(Reply(body=bad))

    with pytest.raises(IncompleteDownloadError, match=reason) as info:
        fetch(dataset_id, refresh=True)

    assert _stored(dataset_id) == stored
    assert "vider" not in str(info.value)  # the rejected temporary file needs no cleaning


def test_cut_csv_is_not_swapped_in(server: Server):
    good = _cache_good(server, "test.csv", "/table.csv", GOOD_BYTES)
    cut = _third_of_rows(GOOD_CSV)  # complete lines, correct Content-Length
    server.routes["/table.csv"] = sequence(Reply(body=cut, headers={"ETag": '"coupé"'}))

    with pytest.raises(ShrunkDownloadError) as info:
        fetch("test.csv", refresh=True)

    message = str(info.value)
    assert "'test.csv'" in message
    assert f"{len(cut):,}".replace(",", "\u202f") + " octets" in message
    assert f"{len(GOOD_BYTES):,}".replace(",", "\u202f") + " octets" in message
    assert "bureau-data vider test.csv" in message
    assert "bureau-data telecharger test.csv" in message
    assert _stored("test.csv") == good
    assert server.full_transfers("/table.csv") == 2  # a smaller file is not retried
    assert sorted(p.name for p in cache_path(get_dataset("test.csv"), get_settings()).parent.iterdir()) == [
        "table.csv", "table.csv.lock", "table.csv.provenance.json"]


def test_cut_csv_on_revalidation_warns(server: Server, monkeypatch, caplog):
    good = _cache_good(server, "test.csv", "/table.csv", GOOD_BYTES)
    server.routes["/table.csv"] = sequence(Reply(body=_third_of_rows(GOOD_CSV)))
    monkeypatch.setenv("BUREAU_DATA_MAX_AGE", "0")

    with caplog.at_level(logging.WARNING, logger="bureau_data.fetch"):
        fetched = fetch("test.csv")

    assert fetched.path.read_bytes() == GOOD_BYTES
    assert _stored("test.csv") == good
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1
    assert "'test.csv'" in warnings[0]
    assert "la copie en cache est conservée" in warnings[0]


@pytest.mark.parametrize("case", ["vide", "octets aléatoires"])
def test_bad_body_on_revalidation_keeps_copy(server: Server, monkeypatch, case: str):
    good = _cache_good(server, "test.csv", "/table.csv", GOOD_BYTES)
    server.routes["/table.csv"] = sequence(Reply(body=BAD_CSV_BODIES[case][0]))
    monkeypatch.setenv("BUREAU_DATA_MAX_AGE", "0")

    fetched = fetch("test.csv")

    assert fetched.path.read_bytes() == GOOD_BYTES
    assert _stored("test.csv") == good


def test_half_size_is_accepted(server: Server):
    _cache_good(server, "test.bin", "/donnees.bin", b"\x01" * 1000)
    half = b"\x02" * int(1000 * MIN_SIZE_RATIO)
    server.routes["/donnees.bin"] = sequence(Reply(body=half))

    fetched = fetch("test.bin", refresh=True)

    assert fetched.path.read_bytes() == half
    assert fetched.record.size == 500


def test_just_under_half_size_is_kept_out(server: Server):
    good = _cache_good(server, "test.bin", "/donnees.bin", b"\x01" * 1000)
    server.routes["/donnees.bin"] = sequence(Reply(body=b"\x02" * 499))

    with pytest.raises(ShrunkDownloadError, match="499 octets"):
        fetch("test.bin", refresh=True)

    assert _stored("test.bin") == good


def test_cli_forcer_keeps_good_copy(server: Server, capsys):
    good = _cache_good(server, "test.csv", "/table.csv", GOOD_BYTES)
    capsys.readouterr()
    for body in (b"", random.Random(1).randbytes(5000), _third_of_rows(GOOD_CSV)):
        server.routes["/table.csv"] = sequence(Reply(body=body))

        code = cli.main(["telecharger", "--forcer", "test.csv"])

        out = capsys.readouterr().out
        assert code == 1
        assert out.startswith("test.csv\téchec : ")
        assert _stored("test.csv") == good


def test_expected_shrink_after_clearing(server: Server, capsys):
    _cache_good(server, "test.csv", "/table.csv", GOOD_BYTES)
    cut = _third_of_rows(GOOD_CSV)
    server.routes["/table.csv"] = sequence(Reply(body=cut))

    assert cli.main(["telecharger", "--forcer", "test.csv"]) == 1
    assert cli.main(["vider", "test.csv"]) == 0
    assert cli.main(["telecharger", "test.csv"]) == 0

    assert _stored("test.csv")[0] == cut
    assert json.loads(_stored("test.csv")[1])["size"] == 2_668


# --- the content check on its own -----------------------------------------------------


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("cp1252.csv", "Mission;Montant (Md€)\nSécurités;12,5\n".encode("cp1252")),
        ("bom.csv", b'\xef\xbb\xbf"code_dep";"nb"\n"01";"3"\n'),
        ("titres.csv", "Projet de loi de finances 2024 - Budget général;;\nSource : Direction du "
                       "budget;;\n;;\nMission;Programme;CP\nDéfense;Programme A;1 800,0\n"
                       "Total Défense;;13 800,0\n".encode()),
        ("titre-sans-separateur.csv", b"Budget 2024\nMission;CP\nDefense;1\nCulture;2\n"),
        ("une-colonne.csv", b"code\n01\n02\n"),
        ("guillemets.csv", b'a,b\n"ligne\nsur deux",2\n3,4\n'),
        ("tabulations.tsv", b"a\tb\tc\n1\t2\t3\n"),
        ("sans-fin-de-ligne.csv", b"a;b\n1;2"),
        ("liste.json", b"[1, 2, 3]"),
        ("bom.geojson", b'\xef\xbb\xbf{"type": "FeatureCollection", "features": []}'),
    ],
)
def test_content_check_accepts_real_layouts(tmp_path: Path, name: str, data: bytes):
    path = tmp_path / name
    path.write_bytes(data)

    check_content(path, name, Limits.resolve())


def test_content_check_reads_past_sample(tmp_path: Path):
    # A bad byte after the first 64 Ki characters is still found.
    path = tmp_path / "long.csv"
    path.write_bytes(GOOD_BYTES * 10 + b"fin;\x81\x8d\n")

    with pytest.raises(InvalidContent, match="texte illisible"):
        check_content(path, path.name, Limits.resolve())


def test_content_check_passes_shared_files(shared_data: Path, monkeypatch):
    # Every file of the real data folder passes the check of its catalogue format.
    monkeypatch.setenv("BUREAU_DATA_LOCAL_DIR", str(shared_data))
    settings = get_settings()
    manifest = read_manifest(settings)
    for dataset_id, relative in manifest.items():
        check_content(settings.local_dir / relative, get_dataset(dataset_id).filename,
                      Limits.resolve())
    assert len(manifest) == 74
