"""The data subcommands of ``bureau-data``, against a real server on 127.0.0.1."""

from __future__ import annotations

import hashlib
import io
import json
import os
import re
import subprocess
import sys
import zipfile
from datetime import UTC, datetime
from pathlib import Path

import pytest
from _fetch_server import Reply, Server, sequence, serve, write_catalogue

from bureau_data.cli import build_parser, main
from bureau_data.cli_data import format_age, format_size, format_timestamp
from bureau_data.fetch import cached_entry, fetch
from bureau_data.french import format_date

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
    assert lines[0] == "identifiant\ttitre\téditeur\tétat"
    assert lines[1].startswith("test.a\tJeu de test test.a\tServeur de test\ten cache, 8\u00a0o")
    assert f"téléchargé le {format_date(datetime.now(UTC).date())}, vérifié il y a 0 s" in lines[1]
    assert lines[2].endswith("\tpas en cache")


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


# --- verifier with a local data folder -------------------------------------------------


def _zip_bytes(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return buffer.getvalue()


@pytest.fixture
def local(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Return a local data folder with a CSV listed in SHA256SUMS and a zip, and its manifest."""
    folder = tmp_path / "donnees"
    (folder / "t").mkdir(parents=True)
    csv_bytes = b"code;nom\n01;Ain\n02;Aisne\n"
    (folder / "t" / "a.csv").write_bytes(csv_bytes)
    (folder / "t" / "s.zip").write_bytes(_zip_bytes({"v.json": b'{"n": 1}' * 400}))
    (folder / "SHA256SUMS").write_text(f"{hashlib.sha256(csv_bytes).hexdigest()}  t/a.csv\n",
                                       encoding="utf-8")
    catalogue = write_catalogue(tmp_path / "catalogue", "http://127.0.0.1:9",
                                {"test.a": "/a.csv", "test.zip": "/s.zip", "test.b": "/b.csv"})
    manifest = tmp_path / "manifest.toml"
    manifest.write_text('[files]\n"test.a" = "t/a.csv"\n"test.zip" = "t/s.zip"\n', encoding="utf-8")
    monkeypatch.setenv("BUREAU_DATA_CATALOGUE_DIR", str(catalogue))
    monkeypatch.setenv("BUREAU_DATA_LOCAL_DIR", str(folder))
    monkeypatch.setenv("BUREAU_DATA_MANIFEST", str(manifest))
    monkeypatch.setenv("BUREAU_DATA_CACHE_DIR", str(tmp_path / "cache"))
    return folder


def test_verify_local_folder_ok(local: Path, capsys):
    assert main(["verifier"]) == 0

    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == ("test.a\tok\tdossier local : t/a.csv, 25 octets, sha256 conforme à "
                        "SHA256SUMS, contenu vérifié")
    assert lines[1].startswith("test.zip\tok\tdossier local : t/s.zip, ")
    assert lines[-1] == "Dossier local et cache vérifiés : aucun problème."


def test_verify_local_truncated_zip(local: Path, capsys):
    archive = local / "t" / "s.zip"
    archive.write_bytes(archive.read_bytes()[:100])

    assert main(["verifier"]) == 1

    out = capsys.readouterr().out
    assert f"test.zip\tERREUR\tdossier local : t/s.zip : {archive} n'est pas une archive zip" in out
    assert f"Remplacez ce fichier dans le dossier local (BUREAU_DATA_LOCAL_DIR={local})" in out
    assert "1 problème(s)." in out
    assert "aucun problème" not in out


def test_verify_local_damaged_member(local: Path, capsys):
    archive = local / "t" / "s.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_STORED) as zf:
        zf.writestr("v.json", b'{"deputes": 577}')
    data = bytearray(archive.read_bytes())
    data[data.index(b"577")] = ord("9")
    archive.write_bytes(bytes(data))

    assert main(["verifier", "test.zip"]) == 1

    assert "Membre 'v.json'" in capsys.readouterr().out


def test_verify_local_sha256_mismatch(local: Path, capsys):
    (local / "t" / "a.csv").write_bytes(b"code;nom\n01;Ain\n02;Nord\n")

    assert main(["verifier", "test.a"]) == 1

    out = capsys.readouterr().out
    assert "test.a\tERREUR\tdossier local : t/a.csv : sha256 " in out
    assert "selon SHA256SUMS. Remplacez ce fichier dans le dossier local" in out


def test_verify_local_bad_csv(local: Path, capsys):
    (local / "SHA256SUMS").unlink()
    (local / "t" / "a.csv").write_bytes(b"<html><body>Erreur 500</body></html>\n")

    assert main(["verifier", "test.a"]) == 1

    assert "test.a\tERREUR\tdossier local : t/a.csv : page HTML ou XML" in capsys.readouterr().out


def test_verify_local_missing_file(local: Path, capsys):
    (local / "t" / "s.zip").unlink()

    assert main(["verifier"]) == 1

    assert "test.zip\tERREUR\tdossier local : Fichier introuvable" in capsys.readouterr().out


def test_verify_local_rewritten_file(local: Path, capsys):
    # A file rewritten with the same size and mtime keeps its remembered hash in fetch.
    path = local / "t" / "a.csv"
    (local / "SHA256SUMS").unlink()
    first = fetch("test.a").record.sha256
    stat = path.stat()
    path.write_bytes(b"code;nom\n01;Ain\n02;Nord\n"[: stat.st_size].ljust(stat.st_size, b"\n"))
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert fetch("test.a").record.sha256 == first

    assert main(["verifier", "test.a"]) == 1

    assert "le fichier a été réécrit" in capsys.readouterr().out
    assert fetch("test.a").record.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()


def test_verify_id_served_from_local_folder(local: Path, capsys):
    assert main(["verifier", "test.a", "test.zip"]) == 0

    out = capsys.readouterr().out
    assert "absent du cache" not in out
    assert out.splitlines()[-1] == "Dossier local et cache vérifiés : aucun problème."


def test_verify_real_shared_archive(capsys):
    assert main(["verifier", "assemblee.scrutins.l17"]) == 0

    out = capsys.readouterr().out
    assert out.startswith("assemblee.scrutins.l17\tok\tdossier local : "
                          "assemblee/scrutins/l17/Scrutins_XVII_V1-V3876.repack.json.zip, "
                          "12\u202f206\u202f906 octets, sha256 fda8e4333052…, contenu vérifié\n")


# --- command line conventions ----------------------------------------------------------


def test_no_command_prints_error(capsys):
    assert main([]) == 2

    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.startswith("utilisation : bureau-data ")
    assert captured.err.endswith("bureau-data : erreur : aucune commande indiquée. Choisissez une "
                                 "des commandes ci-dessus, par exemple « bureau-data catalogue ».\n")


def test_closed_pipe_is_quiet(tmp_path: Path):
    # The reader closes the pipe before the command writes, as « | head -0 » would.
    env = {**os.environ, "BUREAU_DATA_CACHE_DIR": str(tmp_path / "cache")}
    child = subprocess.Popen([sys.executable, "-m", "bureau_data.cli", "catalogue"], env=env,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    child.stdout.close()
    stderr = child.stderr.read().decode("utf-8")
    child.wait(timeout=60)

    assert stderr == ""
    assert child.returncode == 141


def test_catalogue_json_has_no_header(server, capsys):
    assert main(["catalogue", "--json"]) == 0

    rows = json.loads(capsys.readouterr().out)
    assert [row["id"] for row in rows] == ["test.a", "test.b"]


def test_provenance_dates_in_french(server, capsys):
    main(["telecharger", "test.a"])
    capsys.readouterr()

    assert main(["provenance", "test.a"]) == 0

    out = capsys.readouterr().out
    today = format_date(datetime.now(UTC).date())
    assert re.search(rf"^Obtenu le       {today} à \d{{1,2}} h \d\d UTC$", out, re.MULTILINE)
    # The test server sends the Date header, in the HTTP format.
    assert re.search(rf"^Date HTTP       {today} à \d{{1,2}} h \d\d UTC$", out, re.MULTILINE)


@pytest.mark.parametrize(
    ("value", "text"),
    [("2025-03-01T08:05:00Z", "1er mars 2025 à 8 h 05 UTC"),
     ("2024-12-31T23:59:59+01:00", "31 décembre 2024 à 22 h 59 UTC"),
     ("Tue, 15 Nov 1994 12:45:26 GMT", "15 novembre 1994 à 12 h 45 UTC"),
     ("pas une date", "pas une date")],
)
def test_format_timestamp(value, text):
    assert format_timestamp(value) == text


def test_force_alias_of_forcer(server, capsys):
    main(["telecharger", "test.a"])

    assert main(["telecharger", "--force", "test.a"]) == 0
    assert main(["telecharger", "--forcer", "test.a"]) == 0

    assert [r.headers.get("If-None-Match") for r in server.requests("/a.csv")] == [None, '"x1"', '"x1"']


def _type_converters(parser) -> list[tuple[str, object]]:
    found = []
    for action in parser._actions:
        if action.choices and hasattr(action, "_name_parser_map"):
            for name, subparser in action.choices.items():
                found += [(f"{name} {option}", converter)
                          for option, converter in _type_converters(subparser)]
        elif action.type is not None:
            found.append(("/".join(action.option_strings) or action.dest, action.type))
    return found


def test_type_names_are_french():
    converters = _type_converters(build_parser())

    assert len(converters) >= 5
    for option, converter in converters:
        name = getattr(converter, "__name__", "")
        assert name and not name.startswith("_") and name not in {"int", "float", "Path", "str"}, option


def test_invalid_value_names_type_in_french(capsys):
    with pytest.raises(SystemExit):
        main(["servir", "--port", "huit"])

    err = capsys.readouterr().err
    assert "argument --port : valeur invalide : 'huit' (attendu : entier)" in err


def _table_entries(server) -> Path:
    """Store one current entry in the parsed-table cache and return the cache's folder."""
    import pandas as pd

    from bureau_data.cache import cached_table, parsed_dir

    record = fetch("test.a").record
    cached_table("tables", "1", [record], lambda: pd.DataFrame({"n": [1, 2]}))
    return parsed_dir()


def test_verify_tables_obsolete_not_error(server, capsys):
    parsed = _table_entries(server)
    old = parsed / f"ancien-{'0' * 32}"
    old.mkdir()
    (old / "t0.parquet").write_bytes(b"PAR1")
    (old / "tables.json").write_text('{"format": 1, "tables": []}', encoding="utf-8")
    leftover = parsed / ".tables-0.k2x9_q1a.part"
    leftover.mkdir()
    capsys.readouterr()

    status = main(["verifier"])
    out = capsys.readouterr().out

    assert status == 0
    assert (f"tables/{old.name}\tobsolète\tformat 1, écrit par une autre version de "
            "bureau-data et jamais relu") in out
    assert "tables/.tables-0.k2x9_q1a.part\tinachevé\técriture interrompue, jamais relue" in out
    assert ("2 élément(s) du cache de tables sont obsolètes ou inachevés, sans gêner les "
            "chargements : « bureau-data vider --tables » les supprime.") in out
    assert "ERREUR" not in out
    assert "Cache vérifié : aucun problème." in out

    assert main(["vider", "--tables"]) == 0
    assert ("3 entrée(s) du cache de tables supprimée(s), écritures interrompues comprises."
            in capsys.readouterr().out)
    assert sorted(p.name for p in parsed.iterdir() if not p.name.endswith(".lock")) == []


def test_verify_tables_damage_in_french(server, capsys):
    parsed = _table_entries(server)
    (parsed / "fichier-0").write_text("x", encoding="utf-8")
    entry = next(p for p in parsed.iterdir() if p.name.startswith("tables-") and p.is_dir())
    (entry / "tables.json").write_text("[]", encoding="utf-8")
    capsys.readouterr()

    status = main(["verifier"])
    out = capsys.readouterr().out

    assert status == 1
    assert "tables/fichier-0\tERREUR\tl'entrée est un fichier au lieu d'un dossier" in out
    assert (f"tables/{entry.name}\tERREUR\ttables.json n'a pas l'en-tête attendu du format 3 "
            "(fichier abîmé ou modifié)") in out
    assert "2 problème(s)." in out


def test_clear_tables_read_only_french(server, capsys, monkeypatch):
    from bureau_data import cache

    parsed = _table_entries(server)

    def read_only_remove(path, missing_ok=False):
        raise OSError(30, "Read-only file system", str(path))

    monkeypatch.setattr(cache, "_remove", read_only_remove)
    capsys.readouterr()

    status = main(["vider", "--tables"])
    captured = capsys.readouterr()

    assert status == 1
    assert captured.err.startswith(f"erreur : Impossible de supprimer {parsed}/tables-")
    assert "Traceback" not in captured.err
