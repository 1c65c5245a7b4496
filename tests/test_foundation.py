"""Smoke tests of the settings, the catalogue and the local data folder."""

from __future__ import annotations

import pytest

from bureau_data import config
from bureau_data.catalogue import get_dataset, load_catalogue
from bureau_data.errors import CatalogueError, ConfigurationError
from bureau_data.fetch import fetch


def test_catalogue_entries_have_official_urls():
    datasets = load_catalogue()
    assert "assemblee.amo.l17" in datasets
    for dataset in datasets.values():
        assert dataset.url.startswith(("http://", "https://")), dataset.id


def test_unknown_dataset_suggests_close_ids():
    with pytest.raises(CatalogueError, match="assemblee.amo.l17"):
        get_dataset("assemblee.amo.l71")


def test_fetch_reads_local_folder(shared_data):
    fetched = fetch("assemblee.amo.l15")
    expected = shared_data / "assemblee/amo/l15/AMO10_deputes_actifs_mandats_actifs_organes_XV.json.zip"
    # fetch resolves the local folder, which may be reached through a symbolic link.
    assert fetched.path.resolve() == expected.resolve()
    assert fetched.record.sha256 == "f4cf0e22d12f5d261dd673e7dbe30959aab1b314bfd7b4104f7478904493d265"
    assert fetched.record.source == "local"
    assert fetched.record.publisher == "Assemblée nationale"


def test_invalid_max_age_is_rejected(monkeypatch):
    monkeypatch.setenv(config.ENV_MAX_AGE, "un jour")
    with pytest.raises(ConfigurationError, match="BUREAU_DATA_MAX_AGE"):
        config.get_settings()
