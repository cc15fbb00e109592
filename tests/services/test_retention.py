"""Retention (cases.services.retention, docs/decisions/0023): when a closed case's
periods end the deadline job removes its personal data, once, and records it; the
case record, and the dossier's offline check, still verify; a legal hold stops it."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from cases import dossier_verify, services
from cases.models import (
    PURGED,
    Case,
    CaseEvent,
    Complainant,
    Evidence,
    LegalHold,
    Letter,
    PersonalField,
    RetentionPurge,
)
from cases.services import deadlines, retention
from cases.services.record import record_event, verify_case_record
from tests.factories.cases import (
    COMPLAINANT_EMAIL,
    COMPLAINANT_NAME,
    COMPLAINANT_ORG,
    COMPLAINANT_PHONE,
    adopt_procedure,
    event_kinds,
    evidence_input,
    file_case,
    fresh,
    open_review,
    pdf,
    respond,
    step,
)
from tests.factories.dates import days, today
from tests.factories.language import colon, said, said_p, shown_to_client
from tests.factories.members import RepresentativeFactory
from tests.factories.pages import squeezed, text_of
from tests.record.test_checkpoints import make_key

pytestmark = pytest.mark.django_db

EXHIBIT_TITLE = "Photograph taken by Morgan Ellery"
EXHIBIT_PRODUCER = "Morgan Ellery"
EXHIBIT_BYTES = b"The exhibit names Morgan Ellery of 12 Quarry Lane."
ATTACHMENT_BYTES = b"Our reply names Priya Ramanathan, our engineer."
POSTAL_ADDRESS = "14 Larkspur Road, Leeds LS6 2QT"
# Everything personal that went into the case: none of it may be left after the purge.
PERSONAL = [
    COMPLAINANT_NAME,
    COMPLAINANT_EMAIL,
    COMPLAINANT_PHONE,
    COMPLAINANT_ORG,
    POSTAL_ADDRESS,
    EXHIBIT_TITLE,
    EXHIBIT_PRODUCER,
    "quarry-lane.pdf",
    "Priya Ramanathan",
    "engineer-notes.pdf",
]


@pytest.fixture
def closed_case(settings, tmp_path, staff):
    """A case dismissed during review, with the complainant's exhibit, the respondent's
    attachment and the letters; its procedure keeps each kind 30 days."""
    settings.PROBITY_RECORD_KEY_FILE = make_key(tmp_path)
    adopt_procedure(
        retain_complainant_days=30,
        retain_evidence_days=30,
        retain_attachments_days=30,
        retain_messages_days=30,
    )
    rep = RepresentativeFactory().user
    case = file_case(
        by=staff,
        respondent=rep.representative.organization,
        evidence=[
            evidence_input(
                pdf("quarry-lane.pdf", EXHIBIT_BYTES),
                title=EXHIBIT_TITLE,
                producer=EXHIBIT_PRODUCER,
            )
        ],
    )
    Complainant.objects.filter(pk=case.complainant_id).update(postal_address=POSTAL_ADDRESS)
    case = open_review(case, staff)
    respond(case, rep, attachments=[pdf("engineer-notes.pdf", ATTACHMENT_BYTES)])
    case = step(case, "dismiss", staff, reason="The conduct is outside the code.")
    return case


def closed_days_ago(case: Case, n: int) -> None:
    Case.objects.filter(pk=case.pk).update(state_changed_at=fresh(case).state_changed_at - days(n))


def database_text() -> str:
    out = io.StringIO()
    call_command("dumpdata", stdout=out)
    return out.getvalue()


def stored_bytes(root: Path) -> bytes:
    return b"".join(p.read_bytes() for p in Path(root).rglob("*") if p.is_file())


def dossier_of(case: Case, staff) -> bytes:
    _, stream = services.dossier_export(case=fresh(case), by=staff)
    return b"".join(stream)


def test_before_the_period_ends_nothing_is_removed(closed_case):
    closed_days_ago(closed_case, 29)
    done = deadlines.run()
    assert done["personal data purged"] == 0
    assert fresh(closed_case).complainant.name == COMPLAINANT_NAME
    assert not RetentionPurge.objects.exists()


def test_after_the_period_no_personal_field_remains_and_the_record_verifies(
    closed_case, staff, private_storage
):
    assert all(value in database_text() for value in PERSONAL[:6])  # the search can find them
    assert EXHIBIT_BYTES in stored_bytes(private_storage)
    closed_days_ago(closed_case, 31)

    done = deadlines.run()

    assert done["personal data purged"] == 4  # complainant, evidence, attachments, messages
    text = database_text()
    assert [value for value in PERSONAL if value in text] == []
    files = stored_bytes(private_storage)
    assert EXHIBIT_BYTES not in files and ATTACHMENT_BYTES not in files
    assert not Letter.objects.filter(case=closed_case, addressee="complainant", purged_at=None)
    assert Evidence.objects.filter(case=closed_case, purged_at=None).count() == 0
    assert all(f.value is None and f.salt == "" for f in PersonalField.objects.all())
    assert event_kinds(closed_case).count("personal_data_purged") == 4

    check = verify_case_record(fresh(closed_case))
    assert check.ok, check.problem
    out = io.StringIO()
    call_command("verify_case_record", closed_case.number, stdout=out)
    assert f"{closed_case.number}: OK" in out.getvalue()
    # The dossier carries no removed file and its offline check still passes.
    zipped = dossier_of(closed_case, staff)
    assert dossier_verify.check(io.BytesIO(zipped)) == []
    names = zipfile.ZipFile(io.BytesIO(zipped)).namelist()
    assert not any("quarry-lane" in n or "engineer-notes" in n for n in names)
    assert EXHIBIT_BYTES not in zipped and COMPLAINANT_NAME.encode() not in zipped


def test_the_purge_happens_once_and_the_timeline_says_what_was_removed(
    closed_case, staff, staff_client
):
    closed_days_ago(closed_case, 31)
    deadlines.run()
    assert deadlines.run()["personal data purged"] == 0
    page = staff_client.get(closed_case.get_absolute_url()).content.decode()
    assert PURGED in page
    purge = CaseEvent.objects.get(
        case=closed_case, kind="personal_data_purged", payload__retention_kind="evidence"
    )
    assert (
        said(
            "Retention period ended: %(kind)s removed (%(fields)s field(s), %(evidence)s "
            "evidence file(s), %(letters)s letter(s)).",
            kind=said_p("removed at the end of the retention period", "evidence"),
            fields=purge.payload["fields"],
            evidence=len(purge.payload["evidence"]),
            letters=len(purge.payload["letters"]),
        )
        in page
    )
    assert EXHIBIT_TITLE not in page and COMPLAINANT_NAME not in page


def test_a_legal_hold_stops_the_clock(closed_case, staff):
    closed_days_ago(closed_case, 31)
    services.legal_hold_place(case=fresh(closed_case), by=staff, reason="Litigation pending.")

    assert deadlines.run()["personal data purged"] == 0
    assert fresh(closed_case).complainant.name == COMPLAINANT_NAME
    assert Evidence.objects.filter(case=closed_case, purged_at=None).count() == 2

    # The hold, placed ten days ago, is released: its ten days are added to every period.
    LegalHold.objects.filter(case=closed_case).update(placed_at=timezone.now() - days(10))
    services.legal_hold_release(case=fresh(closed_case), by=staff, reason="Settled.")
    assert retention.due_on(fresh(closed_case), "evidence", today()) == today() + days(9)
    assert deadlines.run(today() + days(8))["personal data purged"] == 0
    assert deadlines.run(today() + days(9))["personal data purged"] == 4
    kinds = event_kinds(closed_case)
    assert "legal_hold_placed" in kinds and "legal_hold_released" in kinds
    assert verify_case_record(fresh(closed_case)).ok


def test_only_staff_place_a_hold_and_a_second_hold_is_refused(closed_case, staff):
    rep = closed_case.respondent.representatives.get().user
    with pytest.raises(PermissionDenied):
        services.legal_hold_place(case=fresh(closed_case), by=rep, reason="Please keep it.")
    services.legal_hold_place(case=fresh(closed_case), by=staff, reason="Litigation pending.")
    before = CaseEvent.objects.count()
    with pytest.raises(services.TransitionRefused, match="already in place"):
        services.legal_hold_place(case=fresh(closed_case), by=staff, reason="Again.")
    assert CaseEvent.objects.count() == before


def test_an_altered_personal_value_fails_verification_and_the_offline_check(closed_case, staff):
    field = PersonalField.objects.get(value=EXHIBIT_TITLE)
    PersonalField.objects.filter(pk=field.pk).update(value="A different title")
    check = verify_case_record(fresh(closed_case))
    assert not check.ok and "title does not match the salted hash" in check.problem
    problems = dossier_verify.check(io.BytesIO(dossier_of(closed_case, staff)))
    assert any("not the value the record committed to" in p for p in problems)


def test_a_value_removed_without_a_recorded_purge_fails_verification(closed_case):
    PersonalField.objects.filter(value=EXHIBIT_TITLE).update(
        value=None, salt="", purged_at=timezone.now()
    )
    check = verify_case_record(fresh(closed_case))
    assert not check.ok and "no purge of evidence is recorded" in check.problem


def test_events_commit_to_salted_hashes_and_older_events_still_verify(closed_case):
    added = CaseEvent.objects.filter(case=closed_case, kind="evidence_added").first()
    assert added.payload["v"] == 2
    assert set(added.payload["title"]) == {"salted_sha256"}
    assert EXHIBIT_TITLE not in json.dumps(added.payload)
    assert added.readable_payload["title"] == EXHIBIT_TITLE
    # An event written before version 2, with the title in its payload, verifies as before.
    with transaction.atomic():
        case = services.lock_case(fresh(closed_case))
        record_event(case, actor=None, kind="evidence_added", payload={"title": "An old exhibit"})
    assert verify_case_record(fresh(closed_case)).ok


def test_the_staff_page_places_and_releases_a_hold_and_shows_the_retention_dates(
    closed_case, staff_client
):
    page = text_of(staff_client.get(closed_case.get_absolute_url()))
    due = timezone.localtime(fresh(closed_case).state_changed_at).date() + days(30)
    shown_due = shown_to_client(due, "DATE_FORMAT")
    removal = said("to be removed on %(day)s", day=shown_due)
    assert squeezed(f"{said('Evidence files')}{colon()} {removal}") in page
    place = reverse("cases:legal_hold_place", args=[closed_case.number])
    assert staff_client.post(place, {"hold-reason": ""}).status_code == 400
    assert staff_client.post(place, {"hold-reason": "Litigation pending."}).status_code == 302
    page = text_of(staff_client.get(closed_case.get_absolute_url()))
    assert "Litigation pending." in page
    assert (
        squeezed(
            said("due on %(day)s at the earliest; the legal hold stops the clock", day=shown_due)
        )
        in page
    )
    release = reverse("cases:legal_hold_release", args=[closed_case.number])
    assert staff_client.post(release, {"release-reason": "Settled."}).status_code == 302
    assert LegalHold.objects.get(case=closed_case).release_reason == "Settled."


def test_a_case_reopened_and_closed_again_has_what_it_gathered_since_purged_in_turn(
    closed_case, staff
):
    closed_days_ago(closed_case, 100)
    deadlines.run()
    later = services.evidence_add(
        case=fresh(closed_case),
        by=staff,
        evidence=evidence_input(pdf("second-look.pdf", b"A second look."), title="Second look"),
    )
    case = step(fresh(closed_case), "reopen", staff, reason="New evidence.")
    case = step(case, "dismiss", staff, reason="Still outside the code.")
    assert deadlines.run()["personal data purged"] == 0
    closed_days_ago(case, 31)
    assert deadlines.run()["personal data purged"] == 4
    assert Evidence.objects.get(pk=later.pk).purged_at is not None
    assert verify_case_record(fresh(case)).ok
