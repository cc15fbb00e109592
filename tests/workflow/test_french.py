"""The table speaks the active language (issue 13): a refusal from authorize() and a
state's label come out in French once a French catalogue is compiled, and in English
otherwise. The test compiles its own tiny catalogue (the project's is not committed)."""

from __future__ import annotations

import struct

import pytest
from django.test import override_settings
from django.utils import translation

from cases import workflow
from cases.access import authorize
from cases.services import TransitionRefused
from cases.workflow import CaseState
from tests.factories.scenes import case_in_state

CATALOGUE = {
    "case state\x04Filed": "Plainte déposée",
    "Refer to the board": "Renvoyer devant le conseil",
    "“%(step)s” is not possible while the case is %(state)s.": (
        "« %(step)s » n'est pas possible tant que le dossier en est au stade « %(state)s »."
    ),
}


def write_mo(path, messages: dict[str, str]) -> None:
    """A GNU .mo file (the format gettext reads), without a hash table."""
    entries = {
        "": "Content-Type: text/plain; charset=UTF-8\nPlural-Forms: nplurals=2; plural=(n > 1);\n",
        **messages,
    }
    keys = sorted(entries)
    ids = [k.encode() for k in keys]
    strs = [entries[k].encode() for k in keys]
    n = len(keys)
    start = 7 * 4 + 16 * n  # header, then the two tables of (length, offset)
    offsets, data = [], b""
    for blob in ids + strs:
        offsets.append((len(blob), start + len(data)))
        data += blob + b"\0"
    header = struct.pack("<7I", 0x950412DE, 0, n, 28, 28 + 8 * n, 0, 0)
    table = b"".join(struct.pack("<2I", *pair) for pair in offsets)
    path.write_bytes(header + table + data)


@pytest.fixture
def french(tmp_path):
    messages = tmp_path / "fr" / "LC_MESSAGES"
    messages.mkdir(parents=True)
    write_mo(messages / "django.mo", CATALOGUE)
    # Changing LOCALE_PATHS drops Django's loaded catalogues (django.test.signals).
    with override_settings(LOCALE_PATHS=[tmp_path]):
        yield


def test_a_refusal_and_a_state_label_come_out_in_french(french, staff, organization):
    case = case_in_state(CaseState.FILED, staff, respondent=organization)

    with translation.override("fr"):
        assert str(workflow.STATES[CaseState.FILED].label) == "Plainte déposée"
        assert str(CaseState.FILED.label) == "Plainte déposée"
        with pytest.raises(TransitionRefused) as refused:
            authorize(staff, case, "refer_to_board")
    assert refused.value.messages == [
        "« Renvoyer devant le conseil » n'est pas possible tant que le dossier en est au "
        "stade « plainte déposée »."
    ]

    # The same table, in English where French is not asked for.
    with translation.override("en-gb"):
        assert str(workflow.STATES[CaseState.FILED].label) == "Filed"
        with pytest.raises(TransitionRefused) as refused:
            authorize(staff, case, "refer_to_board")
    assert refused.value.messages == [
        "“Refer to the board” is not possible while the case is filed."
    ]
