"""association.translation: every language's gettext answers from one dictionary, with
the answers Django's chain of catalogues gives (issue 15)."""

from __future__ import annotations

import gettext as gettext_module

import pytest
from django.conf import settings
from django.utils import translation
from django.utils.translation import trans_real

from association.translation import _catalogues


@pytest.mark.parametrize("language", [code for code, _name in settings.LANGUAGES])
def test_flat_gettext_answers_as_the_chain(language):
    flat = trans_real.translation(language)
    assert flat._probity_flat
    chain = gettext_module.GNUTranslations.gettext  # the class's walk, unflattened
    messages = {
        key[0] if isinstance(key, tuple) else key
        for catalogue in _catalogues(flat)
        for key in catalogue
    } - {""}
    assert len(messages) > 100
    for message in [*messages, "No catalogue has this sentence.", "sanction\x04Ended"]:
        assert flat.gettext(message) == chain(flat, message), message


def test_translated_through_the_flat_lookup():
    with translation.override("fr"):
        assert translation.gettext("Open cases") == "Dossiers en cours"
        assert translation.gettext("No catalogue has this sentence.") == (
            "No catalogue has this sentence."
        )
    with translation.override("en-gb"):
        assert translation.gettext("Open cases") == "Open cases"


def test_a_rebuilt_catalogue_is_flattened_too(settings):
    before = trans_real.translation("fr")
    settings.LOCALE_PATHS = [*settings.LOCALE_PATHS]  # Django drops its translations
    after = trans_real.translation("fr")
    assert after is not before
    assert after._probity_flat
