"""A small French catalogue compiled for one test (tmp LOCALE_PATHS), so the language
machinery is tested whether or not the project's full catalogue is compiled."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

HEADER = (
    'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n'
    '"Language: fr\\n"\n"Plural-Forms: nplurals=2; plural=(n > 1);\\n"\n\n'
)


def _quoted(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def compile_catalogue(folder: Path, entries: dict[str, str]) -> Path:
    """Write `entries` (msgid -> French) as folder/fr/LC_MESSAGES/django.po and compile
    it with msgfmt; returns `folder`, for LOCALE_PATHS."""
    if shutil.which("msgfmt") is None:
        pytest.fail("gettext's msgfmt is needed to compile a catalogue (apt-get install gettext)")
    messages = folder / "fr" / "LC_MESSAGES"
    messages.mkdir(parents=True)
    po = messages / "django.po"
    po.write_text(
        HEADER
        + "".join(
            f"msgid {_quoted(msgid)}\nmsgstr {_quoted(msgstr)}\n\n"
            for msgid, msgstr in entries.items()
        ),
        encoding="utf-8",
    )
    subprocess.run(["msgfmt", "-c", "-o", str(messages / "django.mo"), str(po)], check=True)
    return folder
