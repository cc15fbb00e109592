"""The case record anchored outside the database (issue 9; docs/decisions/0011):
signed checkpoints of each record's head, at every step and by the deadline job;
verify_case_record checks the chain against them, so a forger who rewrites an event
and recomputes the chain and the head, or cuts the end off and moves the head back,
is caught. Without a key the record is reported unanchored. Runs on SQLite and on
PostgreSQL (where tampering disables the append-only trigger for the statement, as
someone owning the tables could)."""

from __future__ import annotations

import io
import json
import stat

import pytest
from cryptography.hazmat.primitives import serialization
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction

from cases import rendering
from cases.models import Case, CaseEvent, RecordCheckpoint
from cases.services import deadlines, verify_case_record
from cases.services.checkpoints import key_id_of, signing_key
from cases.services.record import GENESIS_HASH, UNANCHORED_NO_CHECKPOINT, UNANCHORED_NO_KEY
from tests.factories.cases import file_case, fresh, open_review
from tests.factories.dates import days, today
from tests.factories.scenes import cast, setup_board_case, vote

pytestmark = pytest.mark.django_db

on_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the append-only trigger exists on PostgreSQL only"
)


def make_key(tmp_path, name="record.key") -> str:
    path = tmp_path / "keys" / name
    call_command("record_key", generate=str(path), stdout=io.StringIO(), stderr=io.StringIO())
    return str(path)


@pytest.fixture
def record_key(settings, tmp_path):
    settings.PROBITY_RECORD_KEY_FILE = make_key(tmp_path)
    return settings.PROBITY_RECORD_KEY_FILE


@pytest.fixture
def no_record_key(settings):
    settings.PROBITY_RECORD_KEY_FILE = ""
    settings.PROBITY_RECORD_PUBLIC_KEY_FILE = ""


def verify_command(number: str) -> str:
    out = io.StringIO()
    call_command("verify_case_record", number, stdout=out)
    return out.getvalue()


def raw(table: str, sql: str, params: list) -> None:
    """Run SQL behind the model's back, as a database owner could: on PostgreSQL with
    the table's append-only trigger disabled for the statement (inside the test's
    transaction, so it comes back)."""
    postgresql = connection.vendor == "postgresql"
    with connection.cursor() as cursor:
        if postgresql:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute(f"ALTER TABLE {table} DISABLE TRIGGER USER")
        cursor.execute(sql, params)
        if postgresql:
            cursor.execute(f"ALTER TABLE {table} ENABLE TRIGGER USER")
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")


def recompute_chain(case: Case, from_sequence: int = 1) -> None:
    """What a forger with write access does after changing an event: rehash every event
    from there on, relink the chain and move the case's head."""
    previous = GENESIS_HASH
    events = list(CaseEvent.objects.filter(case_id=case.pk).order_by("sequence"))
    for event in events:
        if event.sequence >= from_sequence:
            event.previous_hash = previous
            event.hash = event.compute_hash()
            raw(
                "cases_caseevent",
                "UPDATE cases_caseevent SET previous_hash=%s, hash=%s WHERE id=%s",
                [event.previous_hash, event.hash, event.pk],
            )
        previous = event.hash
    Case.objects.filter(pk=case.pk).update(record_length=len(events), record_head=previous)


@pytest.fixture
def reviewed(record_key, staff, organization, procedure, principle):
    """A case filed and opened for review with a record key: the step signed its head."""
    return fresh(open_review(file_case(by=staff, respondent=organization), staff))


# ---------------------------------------------------------------------------
# Signing
# ---------------------------------------------------------------------------


def test_every_step_signs_the_record_head(reviewed):
    checkpoint = RecordCheckpoint.objects.filter(case=reviewed).order_by("-sequence").first()
    assert checkpoint is not None
    assert (checkpoint.sequence, checkpoint.head) == (reviewed.record_length, reviewed.record_head)
    assert checkpoint.key_id == key_id_of(signing_key().public_key())
    signing_key().public_key().verify(
        bytes.fromhex(checkpoint.signature), checkpoint.signed_content(reviewed.number)
    )
    result = verify_case_record(reviewed)
    assert result.ok and result.anchored
    assert result.anchor.startswith(f"anchored: event #{reviewed.record_length} signed")
    assert "anchored: event #" in verify_command(reviewed.number)


def test_a_step_signs_with_the_step_so_its_letters_carry_it(reviewed):
    transition = CaseEvent.objects.get(case=reviewed, kind="transition", to_state="under_review")
    assert RecordCheckpoint.objects.filter(
        case=reviewed, sequence=transition.sequence, head=transition.hash
    ).exists()


def test_the_letters_print_the_latest_checkpoint(reviewed):
    checkpoint = RecordCheckpoint.objects.filter(case=reviewed).order_by("-sequence").first()
    html = rendering.preview_html(reviewed, "notice_of_complaint")
    assert checkpoint.head in html
    assert checkpoint.signature in html
    assert checkpoint.key_id in html
    # the statement printed is exactly what was signed: a reader can check it
    statement = rendering.checkpoint_context(reviewed)["checkpoint_statement"]
    assert json.loads(statement)["head"] == checkpoint.head
    signing_key().public_key().verify(bytes.fromhex(checkpoint.signature), statement.encode())


def test_an_issued_letter_is_rendered_with_the_checkpoint_of_its_step(reviewed):
    """The notice of complaint is issued by the step's effects, after the checkpoint of
    the step itself: its context names that checkpoint."""
    transition = CaseEvent.objects.get(case=reviewed, kind="transition", to_state="under_review")
    letter = reviewed.letters.get(kind="notice_of_complaint")
    issued_before = RecordCheckpoint.objects.filter(
        case=reviewed, signed_at__lte=letter.issued_at
    ).order_by("-sequence")
    assert issued_before.first().sequence == transition.sequence


def test_checkpoints_are_append_only(reviewed):
    checkpoint = RecordCheckpoint.objects.filter(case=reviewed).first()
    with pytest.raises(ValidationError):
        checkpoint.save()
    with pytest.raises(ValidationError):
        checkpoint.delete()
    with pytest.raises(ValidationError):
        RecordCheckpoint.objects.filter(pk=checkpoint.pk).update(head="0" * 64)


def test_the_deadline_job_signs_what_changed_since_the_last_step(record_key, staff):
    c = cast(board=3)
    bc = setup_board_case(staff, board=c.board)
    case = fresh(bc.case)
    signed_before = RecordCheckpoint.objects.filter(case=case).count()
    vote(case, c.board[0], "abstain")  # an action, not a step: not signed by itself
    case = fresh(case)
    assert not RecordCheckpoint.objects.filter(case=case, sequence=case.record_length).exists()
    # the steps signed today already; the job's next day signs the vote
    done = deadlines.run(today() + days(1))
    case = fresh(case)
    assert done["checkpoints signed"] >= 1
    assert RecordCheckpoint.objects.filter(case=case, sequence=case.record_length).exists()
    assert RecordCheckpoint.objects.filter(case=case).count() == signed_before + 1
    # a second run that day finds nothing new to sign
    assert deadlines.run(today() + days(1))["checkpoints signed"] == 0


def test_a_key_file_named_but_unreadable_stops_the_step(settings, tmp_path, staff, organization):
    settings.PROBITY_RECORD_KEY_FILE = str(tmp_path / "missing.key")
    case = file_case(by=staff, respondent=organization)
    with pytest.raises(ImproperlyConfigured, match="PROBITY_RECORD_KEY_FILE"):
        open_review(case, staff)
    assert fresh(case).state == "filed"


# ---------------------------------------------------------------------------
# Forgeries: detected against the signed checkpoints
# ---------------------------------------------------------------------------


def test_an_event_changed_with_its_chain_and_head_recomputed_is_detected(settings, reviewed):
    target = CaseEvent.objects.get(case=reviewed, sequence=1)
    forged = {**target.payload, "number": "forged"}
    cast_json = "::jsonb" if connection.vendor == "postgresql" else ""
    raw(
        "cases_caseevent",
        f"UPDATE cases_caseevent SET payload=%s{cast_json} WHERE id=%s",
        [json.dumps(forged), target.pk],
    )
    recompute_chain(reviewed)

    # The chain alone is consistent again: without the key nothing is noticed.
    key = settings.PROBITY_RECORD_KEY_FILE
    settings.PROBITY_RECORD_KEY_FILE = ""
    alone = verify_case_record(fresh(reviewed))
    assert alone.ok and not alone.anchored

    settings.PROBITY_RECORD_KEY_FILE = key
    result = verify_case_record(fresh(reviewed))
    assert not result.ok
    assert "was changed and the chain recomputed" in result.problem
    with pytest.raises(CommandError):
        verify_command(reviewed.number)


def test_the_last_event_removed_with_the_head_moved_back_is_detected(reviewed):
    last = CaseEvent.objects.filter(case=reviewed).order_by("-sequence").first()
    previous = CaseEvent.objects.get(case=reviewed, sequence=last.sequence - 1)
    raw("cases_caseevent", "DELETE FROM cases_caseevent WHERE id=%s", [last.pk])
    Case.objects.filter(pk=reviewed.pk).update(
        record_length=previous.sequence, record_head=previous.hash
    )

    result = verify_case_record(fresh(reviewed))

    assert not result.ok
    assert "events were removed from the end" in result.problem
    assert f"says the record had {last.sequence} events" in result.problem


def test_a_forged_signature_is_detected(reviewed):
    checkpoint = RecordCheckpoint.objects.filter(case=reviewed).order_by("-sequence").first()
    bad = ("0" if checkpoint.signature[0] != "0" else "1") + checkpoint.signature[1:]
    raw(
        "cases_recordcheckpoint",
        "UPDATE cases_recordcheckpoint SET signature=%s WHERE id=%s",
        [bad, checkpoint.pk],
    )
    result = verify_case_record(fresh(reviewed))
    assert not result.ok
    assert "signature does not verify" in result.problem


def test_a_checkpoint_moved_to_another_case_does_not_verify(reviewed, staff, organization):
    other = fresh(open_review(file_case(by=staff, respondent=organization), staff))
    mine = RecordCheckpoint.objects.filter(case=reviewed).order_by("-sequence").first()
    theirs = RecordCheckpoint.objects.filter(case=other).order_by("-sequence").first()
    raw(
        "cases_recordcheckpoint",
        "UPDATE cases_recordcheckpoint SET signature=%s, signed_at=%s, sequence=%s, head=%s "
        "WHERE id=%s",
        [mine.signature, mine.signed_at, theirs.sequence, theirs.head, theirs.pk],
    )
    assert not verify_case_record(fresh(other)).ok


def test_a_checkpoint_signed_by_another_key_is_refused(settings, tmp_path, reviewed):
    settings.PROBITY_RECORD_KEY_FILE = make_key(tmp_path, "impostor.key")
    result = verify_case_record(fresh(reviewed))
    assert not result.ok
    assert "not a configured record key" in result.problem


def test_the_public_key_alone_verifies(settings, tmp_path, reviewed):
    key = signing_key()
    public = tmp_path / "record.pub"
    public.write_bytes(
        key.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
    )
    settings.PROBITY_RECORD_KEY_FILE = ""
    settings.PROBITY_RECORD_PUBLIC_KEY_FILE = str(public)
    result = verify_case_record(fresh(reviewed))
    assert result.ok and result.anchored


# ---------------------------------------------------------------------------
# No key: unanchored
# ---------------------------------------------------------------------------


def test_without_a_key_the_record_is_unanchored(no_record_key, staff, organization):
    case = fresh(open_review(file_case(by=staff, respondent=organization), staff))
    assert not RecordCheckpoint.objects.filter(case=case).exists()
    result = verify_case_record(case)
    assert result.ok and not result.anchored
    assert result.anchor == UNANCHORED_NO_KEY
    assert "unanchored" in verify_command(case.number)
    assert "Case record checkpoint" not in rendering.preview_html(case, "notice_of_complaint")


def test_with_a_key_but_no_checkpoint_yet_the_record_is_unanchored(
    settings, tmp_path, staff, organization
):
    settings.PROBITY_RECORD_KEY_FILE = ""
    case = file_case(by=staff, respondent=organization)  # filed before any key existed
    settings.PROBITY_RECORD_KEY_FILE = make_key(tmp_path)
    result = verify_case_record(fresh(case))
    assert result.ok and not result.anchored
    assert result.anchor == UNANCHORED_NO_CHECKPOINT


# ---------------------------------------------------------------------------
# The key command
# ---------------------------------------------------------------------------


def test_record_key_generates_a_private_key_and_prints_the_public_key(settings, tmp_path):
    path = tmp_path / "k" / "record.key"
    out = io.StringIO()
    call_command("record_key", generate=str(path), stdout=out, stderr=io.StringIO())
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert "BEGIN PUBLIC KEY" in out.getvalue()
    assert "PRIVATE" not in out.getvalue()
    settings.PROBITY_RECORD_KEY_FILE = str(path)
    assert f"Key id: {key_id_of(signing_key().public_key())}" in out.getvalue()
    shown = io.StringIO()
    call_command("record_key", stdout=shown)
    assert shown.getvalue() == out.getvalue()
    with pytest.raises(CommandError, match="never overwritten"):
        call_command("record_key", generate=str(path), stdout=io.StringIO())


def test_record_key_without_a_key_says_how_to_make_one(no_record_key):
    with pytest.raises(CommandError, match="--generate"):
        call_command("record_key", stdout=io.StringIO())


# ---------------------------------------------------------------------------
# PostgreSQL: the trigger
# ---------------------------------------------------------------------------


@on_postgresql
def test_on_postgresql_the_database_refuses_to_change_or_delete_a_checkpoint(reviewed):
    checkpoint = RecordCheckpoint.objects.filter(case=reviewed).first()
    for sql in (
        "UPDATE cases_recordcheckpoint SET head='forged' WHERE id=%s",
        "DELETE FROM cases_recordcheckpoint WHERE id=%s",
    ):
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute(sql, [checkpoint.pk])
    assert RecordCheckpoint.objects.get(pk=checkpoint.pk).head == checkpoint.head
