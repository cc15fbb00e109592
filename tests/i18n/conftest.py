"""Fixtures of the translation tests."""

import pytest

from tests.i18n.catalogues import compile_catalogue


@pytest.fixture
def french(settings, tmp_path):
    """Point LOCALE_PATHS at a catalogue of the given entries (Django's test signal drops
    the cached translations when LOCALE_PATHS changes)."""

    def install(entries: dict[str, str]) -> None:
        settings.LOCALE_PATHS = [compile_catalogue(tmp_path / "locale", entries)]

    return install
