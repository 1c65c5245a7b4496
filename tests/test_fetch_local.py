"""The local data folder: manifest checks, paths kept inside the folder, remembered hashes."""

from __future__ import annotations

import hashlib
import os
import socket
from pathlib import Path

import pytest
from _fetch_server import write_catalogue

from bureau_data import fetch as fetch_module
from bureau_data.catalogue import load_catalogue
from bureau_data.config import get_settings
from bureau_data.errors import CatalogueError, DownloadError
from bureau_data.fetch import fetch, local_path, read_manifest


@pytest.fixture
def local(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A local folder with one file, a catalogue and a manifest folder of its own."""
    folder = tmp_path / "donnees"
    (folder / "sous").mkdir(parents=True)
    (folder / "sous" / "a.csv").write_bytes(b"a;b\n1;2\n")
    catalogue = write_catalogue(tmp_path / "catalogue", "http://127.0.0.1:9",
                                {"test.a": "/a.csv", "test.b": "/b.csv"})
    manifest = tmp_path / "manifest"
    manifest.mkdir()
    (manifest / "test.toml").write_text('[files]\n"test.a" = "sous/a.csv"\n', encoding="utf-8")
    monkeypatch.setenv("BUREAU_DATA_CATALOGUE_DIR", str(catalogue))
    monkeypatch.setenv("BUREAU_DATA_LOCAL_DIR", str(folder))
    monkeypatch.setenv("BUREAU_DATA_MANIFEST", str(manifest))
    monkeypatch.setenv("BUREAU_DATA_CACHE_DIR", str(tmp_path / "cache"))

    def refuse(*args, **kwargs):
        raise AssertionError("connexion réseau ouverte avec un dossier local")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    return manifest


def _set_entry(manifest: Path, value: str) -> None:
    (manifest / "test.toml").write_text(f'[files]\n"test.a" = {value}\n', encoding="utf-8")


def test_local_file_and_record(local: Path, tmp_path: Path):
    fetched = fetch("test.a")

    assert fetched.path == tmp_path / "donnees/sous/a.csv"
    assert fetched.record.source == "local"
    assert fetched.record.sha256 == hashlib.sha256(b"a;b\n1;2\n").hexdigest()
    assert fetched.record.size == 8
    assert fetched.record.url == "http://127.0.0.1:9/a.csv"


def test_missing_entry_names_dataset(local: Path):
    with pytest.raises(CatalogueError, match=r"'test.b' n'a pas d'entrée dans le manifeste") as info:
        fetch("test.b")

    assert "BUREAU_DATA_LOCAL_DIR" in str(info.value)
    assert "http://127.0.0.1:9/b.csv" in str(info.value)


@pytest.mark.parametrize("value", ['"../a.csv"', '"sous/../../a.csv"', '"/etc/passwd"'])
def test_path_outside_folder_rejected(local: Path, value: str):
    _set_entry(local, value)

    with pytest.raises(CatalogueError, match="hors du dossier local"):
        fetch("test.a")


def test_symlink_leaving_folder_rejected(local: Path, tmp_path: Path):
    outside = tmp_path / "ailleurs.csv"
    outside.write_bytes(b"x\n")
    os.symlink(outside, tmp_path / "donnees" / "lien.csv")
    _set_entry(local, '"lien.csv"')

    with pytest.raises(CatalogueError, match="hors du dossier local"):
        fetch("test.a")


def test_missing_file(local: Path):
    _set_entry(local, '"sous/absent.csv"')

    with pytest.raises(DownloadError, match="Fichier introuvable dans le dossier local"):
        fetch("test.a")


def test_non_text_entry_rejected(local: Path):
    _set_entry(local, "3")

    with pytest.raises(CatalogueError, match="doit être un texte non vide"):
        fetch("test.a")


def test_conflicting_manifests_rejected(local: Path):
    (local / "autre.toml").write_text('[files]\n"test.a" = "sous/b.csv"\n', encoding="utf-8")

    with pytest.raises(CatalogueError, match="deux fichiers dans le manifeste"):
        read_manifest()


def test_missing_manifest(local: Path, monkeypatch, tmp_path):
    monkeypatch.setenv("BUREAU_DATA_MANIFEST", str(tmp_path / "absent"))

    with pytest.raises(CatalogueError, match="BUREAU_DATA_MANIFEST"):
        fetch("test.a")


def test_hash_remembered_across_processes(local: Path, monkeypatch, tmp_path):
    first = fetch("test.a").record.sha256
    fetch_module._sha256_cached.cache_clear()  # as in a new process
    original = fetch_module.sha256_file

    def fail(path):
        raise AssertionError(f"{path} hashé une deuxième fois")

    monkeypatch.setattr(fetch_module, "sha256_file", fail)
    assert fetch("test.a").record.sha256 == first

    monkeypatch.setattr(fetch_module, "sha256_file", original)
    (tmp_path / "donnees/sous/a.csv").write_bytes(b"a;b\n1;3\n")
    assert fetch("test.a").record.sha256 == hashlib.sha256(b"a;b\n1;3\n").hexdigest()


def test_shipped_manifest_matches_catalogue(shared_data: Path):
    """Every entry of data/manifest names a catalogue dataset and a file of ../shared/data."""
    settings = get_settings()
    catalogue = load_catalogue()
    mapping = read_manifest(settings)

    assert mapping
    assert sorted(set(mapping) - set(catalogue)) == []
    for dataset_id in mapping:
        assert local_path(catalogue[dataset_id], settings).is_file(), dataset_id
