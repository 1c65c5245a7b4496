"""Shared fixtures: the real data folder and an isolated cache for each test session."""

from __future__ import annotations

from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent
SHARED_DATA = REPO_ROOT.parent / "shared" / "data"


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """Return ``../shared/data``, failing with a clear message when it is absent."""
    if not (SHARED_DATA / "README.md").is_file():
        pytest.fail(f"Données partagées introuvables : {SHARED_DATA} (clonez le dépôt à côté de shared/).")
    return SHARED_DATA


@pytest.fixture(scope="session")
def session_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("cache")


@pytest.fixture(autouse=True)
def _data_settings(monkeypatch: pytest.MonkeyPatch, session_cache: Path) -> None:
    """Point every test at ../shared/data and a session cache, never at the network."""
    monkeypatch.setenv("BUREAU_DATA_LOCAL_DIR", str(SHARED_DATA))
    monkeypatch.setenv("BUREAU_DATA_CACHE_DIR", str(session_cache))
    monkeypatch.delenv("BUREAU_DATA_MANIFEST", raising=False)
    monkeypatch.delenv("BUREAU_DATA_OFFLINE", raising=False)
    monkeypatch.delenv("BUREAU_DATA_PROVENANCE_LOG", raising=False)
