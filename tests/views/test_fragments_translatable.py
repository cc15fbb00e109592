"""The case page fragments (templates/cases/includes/) are ready for translation: every text a
person reads is inside translate/blocktranslate (makemessages cannot see a forgotten one), and
dates use the named formats of association/formats, never a literal pattern (issue 13)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings

FRAGMENTS = sorted((Path(settings.BASE_DIR) / "templates" / "cases" / "includes").glob("*.html"))

# Words a French page shows as they are.
SAME_IN_EVERY_LANGUAGE = {"SHA-256", "SHA", "PDF"}
# Attributes a screen reader or a tooltip reads out.
READ_ATTRIBUTES = re.compile(r'\b(?:title|aria-label|alt|placeholder)="([^"{]*)"')
NAMED_FORMATS = {
    "DATE_FORMAT",
    "SHORT_DATE_FORMAT",
    "DATETIME_FORMAT",
    "SHORT_DATETIME_FORMAT",
    "TIME_FORMAT",
}
# The weekday's name alone (a hearing's day) is translated by Django and has no order to get wrong.
PARTS_OF_A_DATE = {"l"}


def _unmarked_text(source: str) -> list[str]:
    """What is left for a reader once comments, translated blocks, tags, variables and markup are gone."""
    text = re.sub(r"{% comment %}.*?{% endcomment %}|{#.*?#}", "", source, flags=re.S)
    text = re.sub(r"{% blocktranslate .*?{% endblocktranslate %}", "", text, flags=re.S)
    attributes = [value for value in READ_ATTRIBUTES.findall(text) if re.search(r"[A-Za-z]", value)]
    text = re.sub(r"{%.*?%}|{{.*?}}", " ", text, flags=re.S)
    text = re.sub(r"<[^>]*>", " ", text)
    words = re.findall(r"[A-Za-z][A-Za-z0-9'’-]*", text)
    return attributes + [w for w in words if w not in SAME_IN_EVERY_LANGUAGE]


def test_there_are_fragments_to_check():
    assert len(FRAGMENTS) >= 40


@pytest.mark.parametrize("path", FRAGMENTS, ids=lambda p: p.name)
def test_every_text_in_a_case_fragment_is_marked_for_translation(path):
    source = path.read_text()
    assert _unmarked_text(source) == []
    if "translate" in source:
        assert re.search(r"{% load [^%]*\bi18n\b", source), "uses translate without {% load i18n %}"


@pytest.mark.parametrize("path", FRAGMENTS, ids=lambda p: p.name)
def test_a_case_fragment_formats_dates_by_name(path):
    patterns = set(re.findall(r'\|date:"([^"]*)"', path.read_text()))
    assert patterns <= NAMED_FORMATS | PARTS_OF_A_DATE


def test_the_check_finds_unmarked_text():
    # The checks above would pass on any input if the stripping removed too much.
    assert _unmarked_text('<p title="Open">{{ x }} Read the case</p>') == [
        "Open",
        "Read",
        "the",
        "case",
    ]
    assert _unmarked_text('{% load i18n %}<p>{% translate "Read" %} SHA-256</p>') == []
    assert _unmarked_text("{% blocktranslate %}A {{ b }}{% endblocktranslate %}") == []
