"""Download and archive settings: defaults, parsing and French errors."""

from __future__ import annotations

import pytest

from bureau_data import config
from bureau_data.catalogue import load_catalogue
from bureau_data.errors import CatalogueError, ConfigurationError


def test_defaults(monkeypatch):
    for name in (config.ENV_RETRIES, config.ENV_BACKOFF, config.ENV_MAX_MEMBER_BYTES,
                 config.ENV_MAX_RATIO, config.ENV_PROGRESS, config.ENV_CATALOGUE_DIR):
        monkeypatch.delenv(name, raising=False)

    settings = config.get_settings()

    assert settings.retries == 3
    assert settings.backoff_seconds == 1.0
    assert (settings.connect_timeout, settings.read_timeout) == (10.0, 60.0)
    assert settings.max_member_bytes == 512 * 1024 * 1024
    assert settings.max_archive_bytes == 8 * 1024 * 1024 * 1024
    assert settings.max_ratio == 200.0
    assert settings.progress is True
    assert settings.catalogue_dir is None


def test_values_parsed(monkeypatch):
    monkeypatch.setenv(config.ENV_RETRIES, "5")
    monkeypatch.setenv(config.ENV_BACKOFF, "0,25")
    monkeypatch.setenv(config.ENV_MAX_MEMBER_BYTES, "100_000_000")
    monkeypatch.setenv(config.ENV_PROGRESS, "non")

    settings = config.get_settings()

    assert settings.retries == 5
    assert settings.backoff_seconds == 0.25
    assert settings.max_member_bytes == 100_000_000
    assert settings.progress is False


@pytest.mark.parametrize("name, value, message", [
    (config.ENV_RETRIES, "trois", "nombre entier"),
    (config.ENV_RETRIES, "-1", "supérieur ou égal à 0"),
    (config.ENV_BACKOFF, "nan", "supérieur ou égal à 0"),
    (config.ENV_READ_TIMEOUT, "0", "supérieur ou égal à 0.001"),
    (config.ENV_MAX_RATIO, "0.5", "supérieur ou égal à 1"),
    (config.ENV_PROGRESS, "peut-être", "Valeurs acceptées"),
])
def test_invalid_values_rejected(monkeypatch, name, value, message):
    monkeypatch.setenv(name, value)

    with pytest.raises(ConfigurationError, match=message) as info:
        config.get_settings()

    assert name in str(info.value)


def test_missing_catalogue_folder(monkeypatch, tmp_path):
    monkeypatch.setenv(config.ENV_CATALOGUE_DIR, str(tmp_path / "absent"))

    with pytest.raises(CatalogueError, match="BUREAU_DATA_CATALOGUE_DIR"):
        load_catalogue()
