"""Damaged, foreign and leftover entries of the parsed-table cache: detection and repair."""

from __future__ import annotations

import errno
import json
import logging
import os
import re
import zlib
from pathlib import Path

import pandas as pd
import pytest

from bureau_data import cache
from bureau_data.cache import (
    cached_tables,
    clear_tables,
    list_entries,
    list_partial_writes,
    obsolete_format,
    verify_entry,
)
from bureau_data.errors import CacheWriteError
from bureau_data.provenance import ProvenanceRecord

RECORD = ProvenanceRecord(dataset="test.raw", title="t", publisher="p", licence="l", url="u",
                          final_url="u", path="/x", retrieved_at="2025-01-01T00:00:00Z",
                          size=1, sha256="a" * 64)
# English words that raw exception texts put into a reason.
ENGLISH = re.compile(r"Error|Expecting|No such|object|string|codec|Not an|instead", re.I)


@pytest.fixture(autouse=True)
def own_cache(tmp_path, monkeypatch):
    """Give each test an empty cache, so that counts of entries are its own."""
    monkeypatch.setenv("BUREAU_DATA_CACHE_DIR", str(tmp_path / "cache"))


class Counter:
    """A build function that counts its calls."""

    def __init__(self):
        self.calls = 0

    def __call__(self) -> dict[str, pd.DataFrame]:
        self.calls += 1
        return _tables()


def _tables() -> dict[str, pd.DataFrame]:
    uids = pd.Categorical(["VTA1", "VTA2", "VTA1"], categories=["VTA1", "VTA2"])
    positions = pd.DataFrame({"scrutin_uid": uids, "voix": pd.array([1, None, 3], dtype="Int64")})
    positions.attrs = {"doublons": 2}
    groupes = pd.DataFrame({"groupe": ["PO1", "PO2"], "pour": [10, 20]})
    return {"positions": positions, "groupes": groupes}


def _fresh(name: str) -> tuple[Path, Counter]:
    build = Counter()
    cached_tables(name, "1", [RECORD], build)
    return cache.parsed_dir() / next(p.name for p in list_entries() if p.name.startswith(f"{name}-")), build


def _rewrite_entry(folder: Path, change) -> None:
    """Apply ``change`` to the entry document and store it with a matching SHA-256."""
    document = json.loads((folder / "tables.json").read_text(encoding="utf-8"))
    entry = document["entry"]
    entry = change(entry) or entry
    (folder / "tables.json").write_bytes(cache._encode_meta(entry))


def _assert_rebuilt(name: str, folder: Path, build: Counter, caplog) -> None:
    with caplog.at_level(logging.WARNING, logger="bureau_data"):
        result = cached_tables(name, "1", [RECORD], build)
    again = cached_tables(name, "1", [RECORD], build)

    assert build.calls == 2
    assert list(result) == ["positions", "groupes"]
    for table_name, expected in _tables().items():
        pd.testing.assert_frame_equal(result[table_name], expected)
        pd.testing.assert_frame_equal(again[table_name], expected)
    assert "endommagée" in caplog.text
    assert folder.name in caplog.text
    assert verify_entry(folder) is None


# Documents that are valid JSON but not an entry, written in place of tables.json as they are.
RAW_DOCUMENTS = {
    "liste": b"[]",
    "null": b"null",
    "texte": b'"x"',
    "profond": b'{"format": 3, "x": ' + b"[" * 100_000 + b"]" * 100_000 + b"}",
    "json invalide": b"{",
    "latin-1": '{"name": "élu"}'.encode("latin-1"),
    "vide": b"",
}


@pytest.mark.parametrize("label", list(RAW_DOCUMENTS))
def test_malformed_tables_json_rebuilt(label, caplog):
    name = f"brut-{len(label)}-{zlib.crc32(label.encode())}"
    folder, build = _fresh(name)
    (folder / "tables.json").write_bytes(RAW_DOCUMENTS[label])

    problem = verify_entry(folder)

    assert problem is not None
    assert problem.startswith("tables.json ")
    assert not ENGLISH.search(problem), problem
    _assert_rebuilt(name, folder, build, caplog)


def _drop_table(entry):
    del entry["tables"][1]


def _extra_table(entry):
    entry["tables"].append(dict(entry["tables"][1], name="autre"))


# Entry documents with a matching SHA-256 but wrong types or content, and the reason expected.
BAD_ENTRIES = {
    "entry liste": (lambda entry: [entry], "« entry » devrait être un objet, trouvé une liste"),
    "tables absent": (lambda entry: {k: v for k, v in entry.items() if k != "tables"},
                      "le champ « entry.tables » est absent"),
    "nom entier": (lambda entry: entry["tables"][0].update(name=3),
                   "« tables[0].name » devrait être un texte, trouvé un entier 3"),
    "rows texte": (lambda entry: entry["tables"][0].update(rows="3"),
                   "« tables[0].rows » devrait être un entier, trouvé un texte '3'"),
    "rows faux": (lambda entry: entry["tables"][0].update(rows=4),
                  "t0.arrow contient 3 lignes au lieu de 4 selon tables.json"),
    "rows booléen": (lambda entry: entry["tables"][0].update(rows=True),
                     "« tables[0].rows » devrait être un entier, trouvé un booléen"),
    "dtype absent": (lambda entry: entry["tables"][0]["columns"][0].pop("dtype") and None,
                     "le champ « tables[0].columns[0].dtype » est absent"),
    "ordered texte": (lambda entry: entry["tables"][0]["columns"][0].update(ordered="oui"),
                      "« tables[0].columns[0].ordered » devrait être un booléen"),
    "dtype inconnu": (lambda entry: entry["tables"][0]["columns"][1].update(dtype="sorte"),
                      "t0.arrow : les types ou attrs décrits dans tables.json ne s'appliquent pas"),
    "fichier autre": (lambda entry: entry["tables"][0].update(file="../t0.arrow"),
                      "« tables[0].file » vaut '../t0.arrow' au lieu de 't0.arrow'"),
    "table en trop": (_extra_table, "« tables[2].file » vaut 't1.arrow' au lieu de 't2.arrow'"),
    "nom en double": (lambda entry: entry["tables"][1].update(name="positions"),
                      "la table « positions » figure deux fois"),
    "attrs liste": (lambda entry: entry["tables"][0].update(attrs=[]),
                    "« tables[0].attrs » devrait être un objet, trouvé une liste"),
    "provenance entier": (lambda entry: entry["tables"][0]["attrs"].update(provenance=3),
                          "t0.arrow : les types ou attrs décrits dans tables.json"),
}


@pytest.mark.parametrize("label", list(BAD_ENTRIES))
def test_wrong_types_in_tables_json_rebuilt(label, caplog):
    change, reason = BAD_ENTRIES[label]
    name = f"types-{zlib.crc32(label.encode())}"
    folder, build = _fresh(name)
    _rewrite_entry(folder, change)

    problem = verify_entry(folder)

    assert problem is not None
    assert reason in problem
    assert "tables.json" in problem or ".arrow" in problem
    _assert_rebuilt(name, folder, build, caplog)


def test_missing_table_in_listing_detected(caplog):
    # The table count is in the SHA-256 covered content, and an unlisted .arrow file is rejected.
    folder, build = _fresh("manque")
    _rewrite_entry(folder, _drop_table)

    problem = verify_entry(folder)

    assert problem == "t1.arrow n'est pas listé dans tables.json"
    _assert_rebuilt("manque", folder, build, caplog)


# One-byte edits of tables.json that kept it valid JSON and gave wrong tables in format 2.
EDITS = {
    "catégorie": ('"VTA1"', '"XTA1"'),
    "nom de table": ('"name": "groupes"', '"name": "positionz"'),
    "dtype": ('"dtype": "Int64"', '"dtype": "Int32"'),
    "attrs": ('"doublons": 2', '"doublons": 3'),
}


@pytest.mark.parametrize("label", list(EDITS))
def test_edited_tables_json_rebuilt(label, caplog):
    old, new = EDITS[label]
    name = f"edit-{zlib.crc32(label.encode())}"
    folder, build = _fresh(name)
    text = (folder / "tables.json").read_text(encoding="utf-8")
    assert old in text
    (folder / "tables.json").write_text(text.replace(old, new, 1), encoding="utf-8")

    problem = verify_entry(folder)

    assert problem == ("tables.json a été modifié ou abîmé, car sa somme de contrôle SHA-256 "
                       "ne correspond plus à son contenu")
    _assert_rebuilt(name, folder, build, caplog)


def test_every_bit_flip_of_tables_json_detected():
    folder, build = _fresh("bits")
    original = (folder / "tables.json").read_bytes()

    undetected = []
    for position in range(0, len(original), max(1, len(original) // 300)):
        for bit in (0, 5):
            data = bytearray(original)
            data[position] ^= 1 << bit
            (folder / "tables.json").write_bytes(bytes(data))
            if verify_entry(folder) is None:
                undetected.append((position, bit))
    (folder / "tables.json").write_bytes(original)

    assert undetected == []
    assert verify_entry(folder) is None


ARROW_DAMAGE = {
    "absent": ("t0.arrow est absent", lambda path: path.unlink()),
    "dossier": ("t0.arrow est un dossier au lieu d'un fichier",
                lambda path: (path.unlink(), path.mkdir())),
    "tronqué": ("t0.arrow fait 5 octets au lieu de", lambda path: path.write_bytes(b"abime")),
}


@pytest.mark.parametrize("label", list(ARROW_DAMAGE))
def test_arrow_damage_reason_in_french(label, caplog):
    reason, damage = ARROW_DAMAGE[label]
    name = f"arrow-{zlib.crc32(label.encode())}"
    folder, build = _fresh(name)
    damage(folder / "t0.arrow")

    problem = verify_entry(folder)

    assert problem is not None
    assert problem.startswith(reason)
    assert not ENGLISH.search(problem), problem
    _assert_rebuilt(name, folder, build, caplog)


def test_not_arrow_file_with_matching_crc():
    folder, _build = _fresh("pasarrow")
    data = b"ceci n'est pas un fichier Arrow"
    (folder / "t0.arrow").write_bytes(data)
    _rewrite_entry(folder, lambda entry: entry["tables"][0].update(size=len(data),
                                                                   crc32=zlib.crc32(data)))

    problem = verify_entry(folder)

    assert problem is not None
    assert problem.startswith("t0.arrow n'est pas un fichier Arrow IPC lisible (")


@pytest.mark.parametrize("kind", ["fichier", "boucle", "lien"])
def test_entry_that_is_not_folder_replaced(kind, caplog):
    name = f"chemin-{kind}"
    folder, build = _fresh(name)
    cache._remove(folder)
    if kind == "fichier":
        folder.write_text("x", encoding="utf-8")
    elif kind == "boucle":
        folder.symlink_to(folder)
    else:
        target = folder.with_name("ailleurs")
        target.mkdir()
        folder.symlink_to(target)

    problem = verify_entry(folder)
    with caplog.at_level(logging.WARNING, logger="bureau_data"):
        result = cached_tables(name, "1", [RECORD], build)
    with caplog.at_level(logging.WARNING, logger="bureau_data"):
        caplog.clear()
        cached_tables(name, "1", [RECORD], build)

    expected = "lien symbolique" if kind != "fichier" else "fichier"
    assert problem == f"l'entrée est un {expected} au lieu d'un dossier"
    assert build.calls == 2
    pd.testing.assert_frame_equal(result["groupes"], _tables()["groupes"])
    assert folder.is_dir()
    assert not folder.is_symlink()
    assert caplog.text == ""  # the second load reads the rebuilt entry without a warning


def test_clear_deletes_file_and_loop_entries():
    parsed = cache.parsed_dir()
    parsed.mkdir(parents=True, exist_ok=True)
    (parsed / "fichier-0").write_text("x", encoding="utf-8")
    (parsed / "boucle-0").symlink_to(parsed / "boucle-0")

    count = clear_tables()

    assert count == 2
    assert not os.path.lexists(parsed / "fichier-0")
    assert not os.path.lexists(parsed / "boucle-0")


def _leftover(entry_name: str) -> Path:
    leftover = cache.parsed_dir() / f".{entry_name}.k2x9_q1a.part"
    leftover.mkdir(parents=True)
    (leftover / "t0.arrow").write_bytes(b"moitie")
    return leftover


def test_partial_writes_listed_and_cleared():
    folder, _build = _fresh("partiel")
    leftover = _leftover("autre-0")

    listed = list_partial_writes()
    count = clear_tables()

    assert listed == [leftover]
    assert count == 2
    assert not leftover.exists()
    assert not folder.exists()


def test_load_deletes_own_partial_writes():
    folder, build = _fresh("reste")
    own = _leftover(folder.name)
    other = _leftover("reste.autre-0")
    cache._remove(folder)

    cached_tables("reste", "1", [RECORD], build)

    assert not own.exists()
    assert other.exists()


def _format_one_entry(name: str) -> Path:
    folder = cache.parsed_dir() / f"{name}-{'0' * 32}"
    folder.mkdir(parents=True)
    (folder / "t0.parquet").write_bytes(b"PAR1")
    meta = {"format": 1, "name": name, "version": "1", "sources": [], "tables": []}
    (folder / "tables.json").write_text(json.dumps(meta), encoding="utf-8")
    return folder


def test_format_one_entry_is_obsolete():
    folder = _format_one_entry("ancien")
    current, _build = _fresh("actuel")

    assert obsolete_format(folder) == 1
    assert obsolete_format(current) is None
    assert clear_tables() == 2
    assert not folder.exists()


def test_parquet_entry_without_json_is_obsolete():
    folder = _format_one_entry("sansjson")
    (folder / "tables.json").unlink()

    assert obsolete_format(folder) == 1


def test_clear_read_only_raises_french(monkeypatch):
    folder, _build = _fresh("lecture")

    def read_only_remove(path, missing_ok=False):
        raise OSError(errno.EROFS, "Read-only file system", str(path))

    monkeypatch.setattr(cache, "_remove", read_only_remove)

    with pytest.raises(CacheWriteError) as caught:
        clear_tables()

    message = str(caught.value)
    assert message.startswith(f"Impossible de supprimer {folder} du cache de tables : ")
    assert "Donnez les droits d'écriture sur" in message
    assert "BUREAU_DATA_CACHE_DIR" in message


def test_deep_nesting_with_matching_digest_rebuilt(caplog):
    import hashlib

    folder, build = _fresh("profond")
    body = b'{"x": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"
    digest = hashlib.sha256(body).hexdigest().encode("ascii")
    (folder / "tables.json").write_bytes(cache._HEADER + digest + cache._SEPARATOR + body + b"}")

    problem = verify_entry(folder)

    assert problem == "tables.json contient des listes ou objets imbriqués trop profondément"
    _assert_rebuilt("profond", folder, build, caplog)
