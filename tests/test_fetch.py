"""Downloads through a real HTTP server on 127.0.0.1: retries, checks, freshness, offline."""

from __future__ import annotations

import gzip
import io
import json
import logging
import socket
import zipfile
from pathlib import Path

import pytest
from _fetch_server import Reply, Server, sequence, serve, write_catalogue

from bureau_data import fetch as fetch_module
from bureau_data.errors import (
    ArchiveTooLarge,
    CatalogueError,
    DownloadError,
    IncompleteDownloadError,
    OfflineError,
)
from bureau_data.fetch import cache_path, fetch, record_path
from bureau_data.provenance import ProvenanceRecord

ROUTES = {
    "test.short": "/short.zip",
    "test.gz": "/gz.csv",
    "test.a": "/a.csv",
    "test.b": "/b.csv",
    "test.c": "/c.csv",
    "test.lm": "/lm.csv",
    "test.flaky": "/flaky.csv",
    "test.zip": "/data.zip",
    "test.nolen": "/nolen.zip",
    "test.gzfile": "/table.csv.gz",
    "test.html": "/page.json",
    "test.missing": "/missing.csv",
    "test.moved": "/old.csv",
    "test.bomb": "/bomb.zip",
}


@pytest.fixture
def server(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Server:
    """Start a server and point the catalogue, cache and retry settings at it."""
    with serve() as state:
        catalogue = write_catalogue(tmp_path / "catalogue", state.url, ROUTES)
        monkeypatch.setenv("BUREAU_DATA_CATALOGUE_DIR", str(catalogue))
        monkeypatch.setenv("BUREAU_DATA_CACHE_DIR", str(tmp_path / "cache"))
        monkeypatch.delenv("BUREAU_DATA_LOCAL_DIR", raising=False)
        monkeypatch.setenv("BUREAU_DATA_RETRIES", "2")
        monkeypatch.setenv("BUREAU_DATA_BACKOFF", "0.01")
        monkeypatch.setenv("BUREAU_DATA_PROGRESS", "0")
        yield state


def _zip_bytes(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return buffer.getvalue()


def _cached_file(dataset_id: str) -> Path:
    from bureau_data.catalogue import get_dataset
    from bureau_data.config import get_settings

    return cache_path(get_dataset(dataset_id), get_settings())


def _leftovers(folder: Path) -> list[str]:
    """Return the temporary files left in a cache folder."""
    return sorted(p.name for p in folder.rglob("*.part")) if folder.exists() else []


# --- C31: truncated bodies and Content-Encoding --------------------------------------


def test_truncated_body_is_rejected_after_retries(server: Server):
    server.routes["/short.zip"] = sequence(Reply(body=b"x" * 1000, send_bytes=600))

    with pytest.raises(IncompleteDownloadError, match="600 octets reçus sur 1000") as info:
        fetch("test.short")

    assert "test.short" in str(info.value)
    assert len(server.requests("/short.zip")) == 3  # the first attempt and 2 retries
    target = _cached_file("test.short")
    assert not target.exists()
    assert not record_path(target).exists()
    assert _leftovers(target.parent) == []


def test_gzip_encoding_compares_raw_bytes(server: Server):
    text = ("mission;cp\n" + "Défense;1,20\n" * 3000).encode("utf-8")
    encoded = gzip.compress(text)
    assert len(text) > 3 * len(encoded)
    server.routes["/gz.csv"] = sequence(
        Reply(body=encoded, headers={"Content-Encoding": "gzip", "Content-Type": "text/csv"})
    )

    fetched = fetch("test.gz")

    assert fetched.path.read_bytes() == text
    assert fetched.record.size == len(text)
    assert server.full_transfers("/gz.csv") == 1


def test_truncated_gzip_encoding_is_rejected(server: Server):
    encoded = gzip.compress(b"a;b\n" * 50_000)
    server.routes["/gz.csv"] = sequence(
        Reply(body=encoded, headers={"Content-Encoding": "gzip"}, send_bytes=len(encoded) // 2)
    )

    with pytest.raises(IncompleteDownloadError):
        fetch("test.gz")

    assert not _cached_file("test.gz").exists()


def test_truncated_body_keeps_old_copy(server: Server, monkeypatch, caplog):
    good = _zip_bytes({"a.json": b'{"v": 1}'})
    newer = _zip_bytes({"a.json": b'{"v": 2}' * 100})
    server.routes["/short.zip"] = sequence(
        Reply(body=good), Reply(body=newer, send_bytes=len(newer) - 10)
    )
    first = fetch("test.short")
    monkeypatch.setenv("BUREAU_DATA_MAX_AGE", "0")

    with caplog.at_level(logging.WARNING, logger="bureau_data"):
        second = fetch("test.short")
    with pytest.raises(IncompleteDownloadError):
        fetch("test.short", refresh=True)

    assert second.record.sha256 == first.record.sha256
    assert first.path.read_bytes() == good
    assert "copie en cache" in caplog.text
    assert _leftovers(first.path.parent) == []


# --- retries -------------------------------------------------------------------------


def test_server_error_then_success(server: Server):
    server.routes["/flaky.csv"] = sequence(Reply(status=500, body=b"erreur"),
                                           Reply(status=503, body=b"occupe"),
                                           Reply(body=b"a;b\n1;2\n"))

    fetched = fetch("test.flaky")

    assert fetched.path.read_bytes() == b"a;b\n1;2\n"
    assert [r.status for r in server.requests("/flaky.csv")] == [500, 503, 200]


def test_persistent_server_error_fails(server: Server):
    server.routes["/flaky.csv"] = sequence(Reply(status=502, body=b"passerelle"))

    with pytest.raises(DownloadError, match="HTTP 502") as info:
        fetch("test.flaky")

    assert not isinstance(info.value, IncompleteDownloadError)
    assert len(server.requests("/flaky.csv")) == 3


def test_client_error_is_not_retried(server: Server):
    with pytest.raises(DownloadError, match="HTTP 404"):
        fetch("test.missing")

    assert len(server.requests("/missing.csv")) == 1


def test_connection_refused_is_retried(server: Server, monkeypatch, tmp_path):
    with socket.socket() as probe:  # a port with nothing listening
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    catalogue = write_catalogue(tmp_path / "closed", f"http://127.0.0.1:{port}", {"test.closed": "/x.csv"})
    monkeypatch.setenv("BUREAU_DATA_CATALOGUE_DIR", str(catalogue))

    with pytest.raises(DownloadError, match="après 3 essai"):
        fetch("test.closed")


# --- integrity checks without Content-Length -----------------------------------------


def test_zip_without_length_is_crc_checked(server: Server):
    data = bytearray(_zip_bytes({"a.json": b'{"deputes": ' + b"[1, 2, 3], " * 2000 + b"}"}))
    data[60] ^= 0xFF  # inside the compressed data of the only member
    server.routes["/nolen.zip"] = sequence(Reply(body=bytes(data), content_length=None))

    with pytest.raises(IncompleteDownloadError, match="zip"):
        fetch("test.nolen")

    assert not _cached_file("test.nolen").exists()


def test_zip_without_length_cut_short_is_rejected(server: Server):
    data = _zip_bytes({f"m{i}.json": bytes(range(256)) * 40 for i in range(5)})
    server.routes["/nolen.zip"] = sequence(Reply(body=data, content_length=None,
                                                 send_bytes=len(data) - 200))

    with pytest.raises(IncompleteDownloadError):
        fetch("test.nolen")

    assert not _cached_file("test.nolen").exists()


def test_good_zip_without_length_is_accepted(server: Server):
    data = _zip_bytes({"a.json": b"{}"})
    server.routes["/nolen.zip"] = sequence(Reply(body=data, content_length=None))

    assert fetch("test.nolen").path.read_bytes() == data


def test_broken_gzip_file_is_rejected(server: Server):
    data = gzip.compress(b"x;y\n" * 10_000)
    server.routes["/table.csv.gz"] = sequence(Reply(body=data[:-30], content_length=None))

    with pytest.raises(IncompleteDownloadError, match="gzip"):
        fetch("test.gzfile")


def test_gz_file_labelled_gzip_is_kept_compressed(server: Server):
    data = gzip.compress(b"x;y\n" * 10_000)
    server.routes["/table.csv.gz"] = sequence(Reply(body=data, headers={"Content-Encoding": "gzip"}))

    assert fetch("test.gzfile").path.read_bytes() == data


def test_html_page_instead_of_data_is_rejected(server: Server):
    server.routes["/page.json"] = sequence(
        Reply(body=b"<html>Maintenance</html>", headers={"Content-Type": "text/html; charset=utf-8"})
    )

    with pytest.raises(IncompleteDownloadError, match="page HTML"):
        fetch("test.html")


def test_zip_bomb_download_leaves_nothing(server: Server, monkeypatch):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf, zf.open("data.json", "w") as out:
        for _ in range(300):
            out.write(b" " * 1_000_000)
    server.routes["/bomb.zip"] = sequence(Reply(body=buffer.getvalue()))
    monkeypatch.setenv("BUREAU_DATA_MAX_MEMBER_BYTES", "100000000")

    with pytest.raises(ArchiveTooLarge, match="300000000 octets annoncés"):
        fetch("test.bomb")

    folder = _cached_file("test.bomb").parent
    assert [p.name for p in folder.iterdir() if not p.name.endswith(".lock")] == []
    assert len(server.requests("/bomb.zip")) == 1


# --- provenance ----------------------------------------------------------------------


def test_record_stored_beside_file(server: Server):
    server.routes["/moved.csv"] = sequence(
        Reply(body=b"a\n1\n", headers={"ETag": '"e1"', "Last-Modified": "Wed, 01 Jan 2025 00:00:00 GMT"})
    )
    server.routes["/old.csv"] = sequence(Reply(status=301, headers={"Location": "/moved.csv"}))

    fetched = fetch("test.moved")
    stored = ProvenanceRecord.from_dict(json.loads(record_path(fetched.path).read_text("utf-8")))

    assert stored == fetched.record
    assert fetched.record.url == f"{server.url}/old.csv"
    assert fetched.record.final_url == f"{server.url}/moved.csv"
    assert fetched.record.etag == '"e1"'
    assert fetched.record.last_modified == "Wed, 01 Jan 2025 00:00:00 GMT"
    assert fetched.record.http_date.endswith("GMT")
    assert fetched.record.size == 4
    assert fetched.record.sha256 == "309b0e45a73d3fc5325e2b6ed0a01ef8b9cde6b05a5633c1f893f970d52bfddc"
    assert fetched.record.publisher == "Serveur de test"
    assert fetched.record.licence == "Licence Ouverte / Open Licence (Etalab)"
    assert fetched.record.retrieved_at.endswith("Z")


def test_provenance_log_gets_each_use(server: Server, monkeypatch, tmp_path):
    log = tmp_path / "provenance.jsonl"
    monkeypatch.setenv("BUREAU_DATA_PROVENANCE_LOG", str(log))
    server.routes["/a.csv"] = sequence(Reply(body=b"a\n1\n"))

    fetch("test.a")
    fetch("test.a")

    lines = [json.loads(line) for line in log.read_text("utf-8").splitlines()]
    assert [line["dataset"] for line in lines] == ["test.a", "test.a"]


# --- C33: freshness and validators ---------------------------------------------------


def test_suffixed_etag_sent_back_exactly(server: Server, monkeypatch):
    def route(handler):
        if handler.headers.get("If-None-Match") == '"v1-gzip"':
            return Reply(status=304, headers={"ETag": '"v1-gzip"'})
        return Reply(body=b"a;b\n1;2\n", headers={"ETag": '"v1-gzip"'})

    server.routes["/a.csv"] = route
    first = fetch("test.a")
    monkeypatch.setenv("BUREAU_DATA_MAX_AGE", "0")

    second = fetch("test.a")

    assert server.full_transfers("/a.csv") == 1
    assert [r.status for r in server.requests("/a.csv")] == [200, 304]
    assert server.requests("/a.csv")[1].headers["If-None-Match"] == '"v1-gzip"'
    assert second.record == first.record
    assert second.path.read_bytes() == b"a;b\n1;2\n"


def test_weak_etag_update(server: Server, monkeypatch):
    def route(handler):
        if handler.headers.get("If-None-Match") == 'W/"v2"':
            return Reply(status=304, headers={"ETag": 'W/"v2"'})
        if len(server.requests("/b.csv")) == 0:
            return Reply(body=b"version\n1\n", headers={"ETag": 'W/"v1"'})
        return Reply(body=b"version\n2\n", headers={"ETag": 'W/"v2"'})

    server.routes["/b.csv"] = route
    fetch("test.b")
    monkeypatch.setenv("BUREAU_DATA_MAX_AGE", "0")

    second = fetch("test.b")
    third = fetch("test.b")

    assert server.requests("/b.csv")[1].headers["If-None-Match"] == 'W/"v1"'
    assert second.path.read_bytes() == b"version\n2\n"
    assert second.record.etag == 'W/"v2"'
    assert third.record.etag == 'W/"v2"'
    assert [r.status for r in server.requests("/b.csv")] == [200, 200, 304]


def test_no_validator_follows_max_age(server: Server, monkeypatch):
    versions = iter([b"contenu\n1\n", b"contenu\n2\n", b"contenu\n3\n"])
    server.routes["/c.csv"] = lambda handler: Reply(body=next(versions))
    monkeypatch.setenv("BUREAU_DATA_MAX_AGE", "3600")

    first = fetch("test.c")
    first_content = first.path.read_bytes()
    still_fresh = fetch("test.c")
    monkeypatch.setenv("BUREAU_DATA_MAX_AGE", "0")
    expired = fetch("test.c")

    assert first_content == b"contenu\n1\n"
    assert still_fresh.record == first.record
    assert expired.path.read_bytes() == b"contenu\n2\n"
    requests = server.requests("/c.csv")
    assert len(requests) == 2
    assert "If-None-Match" not in requests[1].headers
    assert "If-Modified-Since" not in requests[1].headers


def test_last_modified_sent_back_exactly(server: Server, monkeypatch):
    stamp = "Tue, 15 Nov 1994 12:45:26 GMT"

    def route(handler):
        if handler.headers.get("If-Modified-Since") == stamp:
            return Reply(status=304)
        return Reply(body=b"x\n1\n", headers={"Last-Modified": stamp})

    server.routes["/lm.csv"] = route
    fetch("test.lm")
    monkeypatch.setenv("BUREAU_DATA_MAX_AGE", "0")
    fetch("test.lm")

    assert [r.status for r in server.requests("/lm.csv")] == [200, 304]


def test_damaged_cached_copy_is_downloaded_again(server: Server):
    server.routes["/a.csv"] = sequence(Reply(body=b"a;b\n1;2\n"))
    first = fetch("test.a")
    first.path.write_bytes(b"a;b\n1;3\n")  # same size, other content

    second = fetch("test.a")

    assert second.path.read_bytes() == b"a;b\n1;2\n"
    assert server.full_transfers("/a.csv") == 2


# --- offline mode --------------------------------------------------------------------


@pytest.fixture
def no_sockets(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fail the test if anything opens a network connection."""

    def refuse(*args, **kwargs):
        raise AssertionError("connexion réseau ouverte en mode hors ligne")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)


def test_offline_empty_cache_error(server: Server, monkeypatch, no_sockets):
    monkeypatch.setenv("BUREAU_DATA_OFFLINE", "1")

    with pytest.raises(OfflineError) as info:
        fetch("test.a")

    message = str(info.value)
    assert "'test.a'" in message
    assert f"{server.url}/a.csv" in message
    assert "BUREAU_DATA_OFFLINE" in message
    assert "bureau-data telecharger test.a" in message
    assert "BUREAU_DATA_LOCAL_DIR" in message
    assert server.log == []


def test_offline_uses_stale_copy(server: Server, monkeypatch):
    server.routes["/a.csv"] = sequence(Reply(body=b"a\n1\n"))
    first = fetch("test.a")
    monkeypatch.setenv("BUREAU_DATA_OFFLINE", "1")
    monkeypatch.setenv("BUREAU_DATA_MAX_AGE", "0")

    def refuse(*args, **kwargs):
        raise AssertionError("connexion réseau ouverte en mode hors ligne")

    monkeypatch.setattr(socket.socket, "connect", refuse)

    assert fetch("test.a").record == first.record
    assert len(server.log) == 1


# --- catalogue values that would escape the cache -------------------------------------


@pytest.mark.parametrize("filename", ["../evil.csv", "a/b.csv", ".hidden", "x.lock"])
def test_unsafe_filename_rejected(tmp_path, monkeypatch, filename):
    folder = tmp_path / f"cat-{abs(hash(filename))}"
    folder.mkdir()
    (folder / "t.toml").write_text(
        '["test.x"]\ntitle = "t"\npublisher = "p"\nlicence = "l"\n'
        f'url = "http://127.0.0.1:9/x"\nfilename = {json.dumps(filename)}\n', encoding="utf-8")
    monkeypatch.setenv("BUREAU_DATA_CATALOGUE_DIR", str(folder))
    monkeypatch.delenv("BUREAU_DATA_LOCAL_DIR")

    with pytest.raises(CatalogueError, match="nom de fichier"):
        fetch("test.x")


def test_session_is_reused(server: Server):
    server.routes["/a.csv"] = sequence(Reply(body=b"a\n1\n"))
    fetch("test.a")

    assert fetch_module.get_settings().retries == 2
    from bureau_data._download import get_session

    assert get_session() is get_session()
