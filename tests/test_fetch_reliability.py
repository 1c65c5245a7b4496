"""Concurrent downloads, full disks and read-only cache folders."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from contextlib import contextmanager
from pathlib import Path

import pytest
from _fetch_server import Reply, Server, sequence, serve, write_catalogue

from bureau_data.errors import CacheWriteError
from bureau_data.fetch import fetch, read_cache_entry

ROUTES = {"test.big": "/big.bin", "test.small": "/small.csv"}


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


def _child_env() -> dict[str, str]:
    return {key: value for key, value in os.environ.items() if key.startswith("BUREAU_DATA_")} | {
        "PATH": os.environ.get("PATH", ""), "PYTHONPATH": str(Path(__file__).parent)}


FETCH_SCRIPT = (
    "import sys\n"
    "from bureau_data.fetch import fetch\n"
    "from bureau_data.errors import BureauDataError\n"
    "try:\n"
    "    print(fetch(sys.argv[1]).record.sha256)\n"
    "except BureauDataError as exc:\n"
    "    print(type(exc).__name__, exc, file=sys.stderr)\n"
    "    sys.exit(3)\n"
)


def test_two_processes_download_once(server: Server, tmp_path: Path):
    body = os.urandom(2_000_000)
    server.routes["/big.bin"] = sequence(Reply(body=body, chunk_delay=0.05))

    children = [
        subprocess.Popen([sys.executable, "-c", FETCH_SCRIPT, "test.big"], env=_child_env(),
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for _ in range(2)
    ]
    outputs = [child.communicate(timeout=60) for child in children]

    assert [child.returncode for child in children] == [0, 0], outputs
    assert outputs[0][0] == outputs[1][0]
    assert server.full_transfers("/big.bin") == 1
    folder = tmp_path / "cache" / "raw" / "test.big"
    assert (folder / "big.bin").read_bytes() == body
    assert sorted(p.name for p in folder.iterdir()) == ["big.bin", "big.bin.lock",
                                                         "big.bin.provenance.json"]


@contextmanager
def _mounted_tmpfs(folder: Path, size: str):
    """Mount a small tmpfs on ``folder``; skip the test where mounting is not allowed."""
    folder.mkdir(parents=True, exist_ok=True)
    result = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(folder)],
                            capture_output=True, text=True)
    if result.returncode != 0:
        pytest.skip(f"montage tmpfs impossible ici : {result.stderr.strip()}")
    try:
        yield folder
    finally:
        subprocess.run(["umount", "-l", str(folder)], check=False)


def _remount_read_only(folder: Path) -> None:
    subprocess.run(["mount", "-o", "remount,ro", str(folder)], check=True)


def test_full_disk_keeps_good_copy(server: Server, tmp_path: Path, monkeypatch):
    with _mounted_tmpfs(tmp_path / "small", "512k") as cache:
        monkeypatch.setenv("BUREAU_DATA_CACHE_DIR", str(cache))
        server.routes["/big.bin"] = sequence(Reply(body=b"v1" * 1000), Reply(body=os.urandom(2_000_000)))
        first = fetch("test.big")

        with pytest.raises(CacheWriteError, match="disque est plein") as info:
            fetch("test.big", refresh=True)
        monkeypatch.setenv("BUREAU_DATA_MAX_AGE", "0")
        stale = fetch("test.big")

        assert "Aucun fichier partiel" in str(info.value)
        assert first.path.read_bytes() == b"v1" * 1000
        assert stale.record == first.record
        assert sorted(p.name for p in first.path.parent.iterdir()) == [
            "big.bin", "big.bin.lock", "big.bin.provenance.json"]


def test_full_disk_empty_cache(server: Server, tmp_path: Path, monkeypatch):
    with _mounted_tmpfs(tmp_path / "small", "256k") as cache:
        monkeypatch.setenv("BUREAU_DATA_CACHE_DIR", str(cache))
        server.routes["/big.bin"] = sequence(Reply(body=os.urandom(1_000_000)))

        with pytest.raises(CacheWriteError, match="disque est plein"):
            fetch("test.big")

        assert sorted(p.name for p in (cache / "raw" / "test.big").iterdir()) == ["big.bin.lock"]


def test_file_size_limit_gives_french_error(server: Server):
    """RLIMIT_FSIZE makes the kernel refuse writes, as a full disk does, on any Linux."""
    server.routes["/big.bin"] = sequence(Reply(body=os.urandom(1_000_000)))
    script = (
        "import resource, signal\n"
        "signal.signal(signal.SIGXFSZ, signal.SIG_IGN)\n"
        "resource.setrlimit(resource.RLIMIT_FSIZE, (200_000, 200_000))\n" + FETCH_SCRIPT
    )

    child = subprocess.run([sys.executable, "-c", script, "test.big"], env=_child_env(),
                           capture_output=True, text=True, timeout=60)

    assert child.returncode == 3, child.stderr
    assert child.stderr.startswith("CacheWriteError")
    assert "disque est plein" in child.stderr
    folder = Path(os.environ["BUREAU_DATA_CACHE_DIR"]) / "raw" / "test.big"
    assert sorted(p.name for p in folder.iterdir()) == ["big.bin.lock"]


def test_read_only_cache(server: Server, tmp_path: Path, monkeypatch):
    with _mounted_tmpfs(tmp_path / "ro", "1m") as cache:
        monkeypatch.setenv("BUREAU_DATA_CACHE_DIR", str(cache))
        server.routes["/small.csv"] = sequence(Reply(body=b"a;b\n1;2\n"))
        first = fetch("test.small")
        _remount_read_only(cache)
        monkeypatch.setenv("BUREAU_DATA_MAX_AGE", "0")

        stale = fetch("test.small")
        with pytest.raises(CacheWriteError, match="lecture seule"):
            fetch("test.big")

        assert stale.record == first.record
        assert server.full_transfers("/small.csv") == 1
        assert read_cache_entry(first.path) is not None


def test_zip_check_streams_members(server: Server, tmp_path: Path):
    path = tmp_path / "m.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("a.json", b"{}")
    server.routes["/big.bin"] = sequence(Reply(body=path.read_bytes()))

    fetched = fetch("test.big")  # no .zip suffix: recognised by its magic bytes

    assert fetched.record.size == path.stat().st_size
