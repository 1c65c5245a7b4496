"""Reading zip members in memory: zip bombs, lying headers and unsafe member names."""

from __future__ import annotations

import os
import struct
import time
import tracemalloc
import zipfile
from pathlib import Path

import pytest
from _fetch_server import write_catalogue

from bureau_data.archive import check_archive, iter_members, list_members, open_member
from bureau_data.catalogue import get_dataset
from bureau_data.config import get_settings
from bureau_data.errors import ArchiveError, ArchiveTooLarge
from bureau_data.fetch import cache_path, fetch

SPACES_MEMBER_BYTES = 300_000_000
LIMIT_BYTES = 100_000_000


@pytest.fixture(scope="module")
def spaces_zip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Return a zip with one member of 300 MB of spaces, about 300 kB on disk."""
    path = tmp_path_factory.mktemp("bomb") / "bomb.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf, zf.open("data.json", "w") as out:
        for _ in range(SPACES_MEMBER_BYTES // 1_000_000):
            out.write(b" " * 1_000_000)
    return path


def _forge_sizes(source: Path, target: Path, file_size: int) -> None:
    """Copy a one-member zip, replacing the uncompressed size in both of its headers."""
    data = bytearray(source.read_bytes())
    local = data.index(b"PK\x03\x04")
    central = data.index(b"PK\x01\x02")
    struct.pack_into("<I", data, local + 22, file_size)
    struct.pack_into("<I", data, central + 24, file_size)
    target.write_bytes(bytes(data))


def _read_all(path: Path, **limits) -> tuple[int, float, float]:
    """Read every member; return the byte count, the peak traced memory (MB) and seconds."""
    tracemalloc.start()
    start = time.perf_counter()
    try:
        total = sum(len(data) for _, data in iter_members(path, **limits))
    finally:
        peak = tracemalloc.get_traced_memory()[1] / 1e6
        tracemalloc.stop()
    return total, peak, time.perf_counter() - start


def test_bomb_rejected_on_declared_size(spaces_zip: Path):
    assert spaces_zip.stat().st_size < 1_000_000
    tracemalloc.start()
    with pytest.raises(ArchiveTooLarge, match="300000000 octets annoncés.*limite 100000000"):
        list(iter_members(spaces_zip, max_member_bytes=LIMIT_BYTES))
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()

    assert peak < 5_000_000


def test_bomb_rejected_on_ratio(spaces_zip: Path):
    with pytest.raises(ArchiveTooLarge, match="taux de compression annoncé"):
        list(iter_members(spaces_zip, max_member_bytes=10**9))


def test_bomb_rejected_on_archive_total(spaces_zip: Path):
    tracemalloc.start()
    with pytest.raises(ArchiveTooLarge, match="plus de 100000000 octets"):
        list(iter_members(spaces_zip, max_member_bytes=10**9, max_ratio=10**6,
                          max_archive_bytes=LIMIT_BYTES))
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()

    # Refused after the chunk that crossed 100 MB: memory stays near the limit, not 300 MB.
    assert peak < 110_000_000


def test_understated_size_is_rejected(spaces_zip: Path, tmp_path: Path):
    forged = tmp_path / "forged.zip"
    _forge_sizes(spaces_zip, forged, 1000)
    assert zipfile.ZipFile(forged).getinfo("data.json").file_size == 1000

    start = time.perf_counter()
    with pytest.raises(ArchiveError, match="data.json"):
        _read_all(forged, max_member_bytes=LIMIT_BYTES)

    assert time.perf_counter() - start < 5


def test_overstated_size_is_rejected(tmp_path: Path):
    honest = tmp_path / "honest.zip"
    with zipfile.ZipFile(honest, "w", zipfile.ZIP_STORED) as zf:
        zf.writestr("a.json", b'{"a": 1}')
    forged = tmp_path / "forged.zip"
    _forge_sizes(honest, forged, 5000)

    with pytest.raises(ArchiveError):
        list(iter_members(forged))
    with pytest.raises(ArchiveError):
        check_archive(forged)


def test_ratio_limit_per_call(tmp_path: Path):
    path = tmp_path / "r.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("r.txt", b"a" * 5_000_000)

    with pytest.raises(ArchiveTooLarge, match="taux de compression"):
        list(iter_members(path, max_ratio=50))

    assert [name for name, _ in iter_members(path, max_ratio=10_000)] == ["r.txt"]


def test_small_members_ignore_ratio(tmp_path: Path):
    path = tmp_path / "s.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("s.txt", b" " * 100_000)  # ratio above 200, but only 100 kB

    assert list(iter_members(path)) == [("s.txt", b" " * 100_000)]


@pytest.mark.parametrize("name, reason", [
    ("../evil.json", "« .. »"),
    ("a/../../evil.json", "« .. »"),
    ("/etc/passwd", "chemin absolu"),
    ("dir\\evil.json", "barre oblique inverse"),
    ("C:/evil.json", "lettre de lecteur"),
])
def test_unsafe_member_rejects_archive(tmp_path: Path, name: str, reason: str):
    path = tmp_path / "unsafe.zip"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("good.json", b"{}")
        zf.writestr(zipfile.ZipInfo(name), b"{}")
    before = sorted(os.listdir(tmp_path))

    with pytest.raises(ArchiveError, match=reason):
        list(iter_members(path, "good.json"))
    with pytest.raises(ArchiveError, match=reason):
        list_members(path)

    assert sorted(os.listdir(tmp_path)) == before


def test_symlink_member_rejected(tmp_path: Path):
    path = tmp_path / "link.zip"
    info = zipfile.ZipInfo("link.json")
    info.external_attr = (0o120777 << 16)
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr(info, "/etc/passwd")

    with pytest.raises(ArchiveError, match="lien symbolique"):
        list(iter_members(path))


def test_duplicate_member_rejected(tmp_path: Path):
    path = tmp_path / "dup.zip"
    with pytest.warns(UserWarning), zipfile.ZipFile(path, "w") as zf:
        zf.writestr("a.json", b"1")
        zf.writestr("a.json", b"2")

    with pytest.raises(ArchiveError, match="deux membres nommés 'a.json'"):
        list(iter_members(path))


def test_damaged_member_crc(tmp_path: Path):
    path = tmp_path / "crc.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as zf:
        zf.writestr("a.json", b'{"deputes": 577}')
    data = bytearray(path.read_bytes())
    data[data.index(b"577")] = ord("9")
    path.write_bytes(bytes(data))

    with pytest.raises(ArchiveError, match="endommagé"):
        list(iter_members(path))


def test_not_a_zip(tmp_path: Path):
    path = tmp_path / "page.zip"
    path.write_bytes(b"<html>Maintenance</html>")

    with pytest.raises(ArchiveError, match="pas une archive zip lisible"):
        list(iter_members(path))


def test_members_in_name_order(tmp_path: Path):
    path = tmp_path / "o.zip"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("b/2.json", b"2")
        zf.writestr("a/1.json", b"1")
        zf.writestr("a/notes.txt", b"x")
        zf.writestr("a/", b"")

    assert list(iter_members(path, "*.json")) == [("a/1.json", b"1"), ("b/2.json", b"2")]
    assert list_members(path) == ["a/1.json", "a/notes.txt", "b/2.json"]


def test_open_member_streams(tmp_path: Path):
    path = tmp_path / "s.zip"
    content = "".join(f"{i};{i * 7919 % 10007}\n" for i in range(400_000)).encode()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("big.csv", content)

    with open_member(path, "big.csv") as stream:
        first = stream.readline()
        rest = stream.read()
    with pytest.raises(ArchiveTooLarge), open_member(path, "big.csv", max_member_bytes=1000) as stream:
        stream.read()
    with pytest.raises(ArchiveError, match="absent"), open_member(path, "autre.csv"):
        pass

    assert first == b"0;0\n"
    assert first + rest == content


def test_limits_from_settings(tmp_path: Path, monkeypatch):
    path = tmp_path / "s.zip"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("a.txt", b"x" * 2000)
    monkeypatch.setenv("BUREAU_DATA_MAX_MEMBER_BYTES", "1000")

    with pytest.raises(ArchiveTooLarge, match="BUREAU_DATA_MAX_MEMBER_BYTES"):
        list(iter_members(path))


def test_real_archive_checked(shared_data: Path):
    path = shared_data / "assemblee/scrutins/l17/Scrutins_XVII_V1-V3876.repack.json.zip"

    assert check_archive(path) == 3876
    assert len(list_members(path, "*.json")) == 3876


# --- advice on a damaged archive, by where the file is -----------------------------------


def _good_zip(path: Path) -> bytes:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as zf:
        zf.writestr("a.json", b'{"deputes": 577}' * 200)
    return path.read_bytes()


def _damage(path: Path, kind: str) -> None:
    """Cut the archive to a third (no central directory) or change one byte of a member."""
    data = bytearray(path.read_bytes())
    if kind == "tronquée":
        path.write_bytes(bytes(data[: len(data) // 3]))
    else:
        data[data.index(b"577")] = ord("9")
        path.write_bytes(bytes(data))


@pytest.fixture
def local_zip(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Return a zip of a local data folder, mapped to dataset test.zip by the manifest."""
    folder = tmp_path / "donnees"
    (folder / "an").mkdir(parents=True)
    catalogue = write_catalogue(tmp_path / "catalogue", "http://127.0.0.1:9", {"test.zip": "/s.zip"})
    manifest = tmp_path / "manifest.toml"
    manifest.write_text('[files]\n"test.zip" = "an/s.zip"\n', encoding="utf-8")
    monkeypatch.setenv("BUREAU_DATA_CATALOGUE_DIR", str(catalogue))
    monkeypatch.setenv("BUREAU_DATA_LOCAL_DIR", str(folder))
    monkeypatch.setenv("BUREAU_DATA_MANIFEST", str(manifest))
    monkeypatch.setenv("BUREAU_DATA_CACHE_DIR", str(tmp_path / "cache"))
    path = folder / "an" / "s.zip"
    _good_zip(path)
    return path


@pytest.mark.parametrize("damage", ["tronquée", "membre endommagé"])
def test_damaged_local_zip_advice(local_zip: Path, damage: str):
    _damage(local_zip, damage)
    path = fetch("test.zip").path

    with pytest.raises(ArchiveError) as info:
        list(iter_members(path))

    message = str(info.value)
    assert str(local_zip) in message
    assert f"dossier local (BUREAU_DATA_LOCAL_DIR={local_zip.parent.parent})" in message
    assert "par une copie complète" in message
    assert "vider" not in message
    assert ".." not in message
    assert message.endswith(".")


@pytest.mark.parametrize("damage", ["tronquée", "membre endommagé"])
def test_damaged_cached_zip_advice(local_zip: Path, monkeypatch, damage: str):
    monkeypatch.delenv("BUREAU_DATA_LOCAL_DIR")
    path = cache_path(get_dataset("test.zip"), get_settings())
    path.parent.mkdir(parents=True)
    _good_zip(path)
    _damage(path, damage)

    with pytest.raises(ArchiveError) as info:
        check_archive(path)

    message = str(info.value)
    assert message.endswith("Supprimez la copie en cache avec « bureau-data vider test.zip », "
                            "puis relancez.")
    assert "dossier local" not in message
    assert ".." not in message


def test_damaged_zip_elsewhere_advice(tmp_path: Path):
    path = tmp_path / "ailleurs.zip"
    _good_zip(path)
    _damage(path, "tronquée")

    with pytest.raises(ArchiveError) as info:
        list_members(path)

    assert str(info.value).endswith("tronqué. Remplacez ce fichier par une copie complète.")


def test_error_text_period_not_doubled(tmp_path: Path, monkeypatch):
    path = tmp_path / "a.zip"
    _good_zip(path)

    def fail(*args, **kwargs):
        raise zipfile.BadZipFile("Truncated file header.")

    monkeypatch.setattr(zipfile, "ZipFile", fail)
    with pytest.raises(ArchiveError) as info:
        list_members(path)

    assert "(Truncated file header)" in str(info.value)
    assert ".." not in str(info.value)
