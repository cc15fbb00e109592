"""The French catalogue is complete: `makemessages` run on the project as it is leaves
no entry empty and none fuzzy (issue 13). It runs on a copy of the project's sources and
catalogue, so the real locale/ is never rewritten by a test; bin/messages is the same
check for a person."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

from tests.i18n import po

# The same ignores as bin/messages.
MAKEMESSAGES = [
    "makemessages",
    "-l",
    "fr",
    "--no-obsolete",
    "-i",
    "tests/*",
    "-i",
    "bench/*",
    "-i",
    "var/*",
    "-i",
    "node_modules/*",
]
SOURCES = ["manage.py", "association", "members", "cases", "templates", "locale"]


def project_copy(into: Path) -> Path:
    base = Path(settings.BASE_DIR)
    into.mkdir(parents=True)
    for name in SOURCES:
        source = base / name
        if source.is_dir():
            shutil.copytree(
                source, into / name, ignore=shutil.ignore_patterns("__pycache__", "*.mo")
            )
        else:
            shutil.copy2(source, into / name)
    return into


def test_the_parser_finds_empty_and_fuzzy_entries():
    text = (
        'msgid ""\nmsgstr "Language: fr\\n"\n\n'
        'msgid "Done"\nmsgstr "Fait"\n\n'
        'msgid "Empty"\nmsgstr ""\n\n'
        '#, fuzzy, python-format\nmsgid "Old %(x)s"\nmsgstr "Ancien %(x)s"\n\n'
        'msgctxt "ballot"\nmsgid "Open"\nmsgid_plural "Opens"\nmsgstr[0] "Ouvert"\nmsgstr[1] ""\n\n'
        '#~ msgid "Gone"\n#~ msgstr ""\n'
    )
    items = po.entries(text)
    assert po.untranslated(items) == ["Empty", "ballot|Open"]
    assert po.fuzzy(items) == ["Old %(x)s"]


def test_makemessages_leaves_no_empty_or_fuzzy_entry(tmp_path):
    if shutil.which("xgettext") is None:
        pytest.fail("gettext's xgettext is needed (apt-get install gettext)")
    project = project_copy(tmp_path / "project")
    run = subprocess.run(
        [sys.executable, "manage.py", *MAKEMESSAGES],
        cwd=project,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert run.returncode == 0, run.stderr
    catalogue = project / "locale" / "fr" / "LC_MESSAGES" / "django.po"
    items = po.entries(catalogue.read_text(encoding="utf-8"))
    assert items, "makemessages found no translatable string"
    empty, fuzzy = po.untranslated(items), po.fuzzy(items)
    assert not empty and not fuzzy, (
        f"{len(empty)} empty and {len(fuzzy)} fuzzy of {len(items)} French entries "
        "(translate them in locale/fr/LC_MESSAGES/django.po, then bin/messages):\n"
        + "\n".join([f"  empty: {m!r}" for m in empty] + [f"  fuzzy: {m!r}" for m in fuzzy])
    )
