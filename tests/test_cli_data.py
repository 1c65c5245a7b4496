"""The data subcommands of ``bureau-data``, against a real server on 127.0.0.1."""

from __future__ import annotations

from pathlib import Path

import pytest
from _fetch_server import Reply, Server, sequence, serve, write_catalogue

from bureau_data.cli import main
from bureau_data.cli_data import format_age, format_size
from bureau_data.fetch import cached_entry

ROUTES = {"test.a": "/a.csv", "test.b": "/b.csv"}


@pytest.fixture
def server(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Server:
    with serve() as state:
        catalogue = write_catalogue(tmp_path / "catalogue", state.url, ROUTES)
        monkeypatch.setenv("BUREAU_DATA_CATALOGUE_DIR", str(catalogue))
        monkeypatch.setenv("BUREAU_DATA_CACHE_DIR", str(tmp_path / "cache"))
        monkeypatch.delenv("BUREAU_DATA_LOCAL_DIR", raising=False)
        monkeypatch.setenv("BUREAU_DATA_RETRIES", "0")
        monkeypatch.setenv("BUREAU_DATA_PROGRESS", "0")
        state.routes["/a.csv"] = sequence(Reply(body=b"a;b\n1;2\n", headers={"ETag": '"x1"'}))
        yield state


def test_catalogue_shows_cache_state(server, capsys):
    main(["telecharger", "test.a"])
    capsys.readouterr()

    assert main(["catalogue"]) == 0

    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("test.a\tJeu de test test.a\tServeur de test\ten cache, 8\u00a0o")
    assert "vérifié il y a 0 s" in lines[0]
    assert lines[1].endswith("\tpas en cache")


def test_fetch_reports_failures(server, capsys):
    code = main(["telecharger", "test.a", "test.b"])

    out = capsys.readouterr().out
    assert code == 1
    assert "test.b\téchec : Le serveur a répondu HTTP 404" in out
    assert "1 jeu(x) sur 2 n'ont pas pu être obtenus." in out


def test_provenance_without_download(server, capsys):
    assert main(["provenance", "test.a"]) == 1
    assert "pas encore téléchargé" in capsys.readouterr().out
    assert server.log == []

    main(["telecharger", "test.a"])
    capsys.readouterr()
    assert main(["provenance", "test.a"]) == 0

    out = capsys.readouterr().out
    assert 'ETag            "x1"' in out
    assert "Éditeur         Serveur de test" in out
    assert "SHA-256         " in out
    assert len(server.log) == 1


def test_verify_detects_damage(server, capsys):
    main(["telecharger", "test.a"])
    capsys.readouterr()
    assert main(["verifier"]) == 0
    assert "Cache vérifié : aucun problème." in capsys.readouterr().out

    cached = cached_entry("test.a").path
    cached.write_bytes(b"a;b\n9;9\n")

    assert main(["verifier"]) == 1
    out = capsys.readouterr().out
    assert "test.a\tERREUR\tsha256" in out
    assert "bureau-data vider" in out


def test_clear_removes_downloads(server, capsys, tmp_path):
    main(["telecharger", "test.a"])

    assert main(["vider"]) == 2
    assert main(["vider", "--tout"]) == 0

    out = capsys.readouterr().out
    assert "1 fichier(s) téléchargé(s) supprimé(s)." in out
    assert sorted(p.name for p in (tmp_path / "cache/raw/test.a").iterdir()) == ["a.csv.lock"]


def test_offline_error_in_french(server, capsys, monkeypatch):
    monkeypatch.setenv("BUREAU_DATA_OFFLINE", "1")

    assert main(["telecharger", "test.a"]) == 1

    out = capsys.readouterr().out
    assert "mode hors ligne est actif" in out
    assert server.log == []


def test_help_is_french(capsys):
    with pytest.raises(SystemExit):
        main(["vider", "--help"])

    out = capsys.readouterr().out
    assert "supprimer tous les fichiers téléchargés et toutes les tables" in out
    assert "utilisation" in out


@pytest.mark.parametrize("size, text", [(0, "0\u00a0o"), (999, "999\u00a0o"),
                                        (1500, "1,5\u00a0ko"), (12_300_000, "12,3\u00a0Mo")])
def test_format_size(size, text):
    assert format_size(size) == text


def test_format_age():
    assert [format_age(s) for s in (5, 180, 7200, 172800)] == ["5 s", "3 min", "2 h", "2 j"]
