"""Immutability (issue 5): a letter is stored once with its SHA-256 and never changed;
a correction is a new version that supersedes the old, both remain and are listed;
verify_case_record checks each stored file against the hash the record gave it."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from cases import services
from cases.models import CaseEvent, Letter, LetterKind
from cases.services import letters
from tests.factories.cases import fresh, open_review
from tests.factories.language import said, said_p
from tests.factories.letters import (
    decided_case,
    letter,
    letter_issued_event,
    pdf_text,
    sha256,
    stored_bytes,
    world_case,
)


def test_an_issued_letter_cannot_be_saved_again(world):
    case = world_case(world)
    issued = letter(case, LetterKind.ACKNOWLEDGEMENT, "complainant")
    before = Letter.objects.filter(pk=issued.pk).values().get()
    issued.recipient_name = "Someone else"
    issued.sha256 = "0" * 64
    with pytest.raises(ValidationError, match="cannot be changed"):
        issued.save()
    with pytest.raises(ValidationError):
        Letter.objects.get(pk=issued.pk).save(update_fields=["sha256"])
    assert Letter.objects.filter(pk=issued.pk).values().get() == before


@pytest.mark.real_pdf
def test_a_correction_is_a_new_version_that_supersedes_the_old(world, client):
    case = decided_case(world)
    original = letter(case, LetterKind.DECISION)
    original_bytes = stored_bytes(original)
    events_before = CaseEvent.objects.filter(case=case).count()

    corrected = letters.correct(
        letter=original, by=world.staff, reason="The sanction dates."
    ).letter

    assert corrected.pk != original.pk
    assert corrected.version == 2 and corrected.supersedes_id == original.pk
    assert corrected.kind == LetterKind.DECISION and corrected.addressee == original.addressee
    assert corrected.correction_reason == "The sanction dates."
    assert corrected.download_name == f"{case.number}-decision-v2.pdf"
    # Both files remain, each matching its own hash.
    assert stored_bytes(Letter.objects.get(pk=original.pk)) == original_bytes
    assert sha256(original_bytes) == original.sha256
    assert sha256(stored_bytes(corrected)) == corrected.sha256
    assert corrected.file.name != original.file.name
    # The record says why and what.
    kinds = list(
        CaseEvent.objects.filter(case=case, sequence__gt=events_before)
        .order_by("sequence")
        .values_list("kind", flat=True)
    )
    assert kinds == ["letter_correction", "letter_issued"]
    issued_event = letter_issued_event(corrected)
    assert issued_event.payload["supersedes"] == original.pk
    assert issued_event.payload["version"] == 2
    assert issued_event.payload["sha256"] == corrected.sha256
    assert case.number in pdf_text(corrected.file.path)

    # Both are listed on the staff case page, the old one marked superseded.
    client.force_login(world.staff)
    page = client.get(case.get_absolute_url()).content.decode()
    assert original.get_absolute_url() in page and corrected.get_absolute_url() in page
    assert original.sha256 in page and corrected.sha256 in page
    assert said(
        "(version %(version)s, corrects version %(previous)s: %(reason)s)",
        version=2,
        previous=1,
        reason="The sanction dates.",
    ) in page
    assert said_p("letter", "Superseded") in page
    # ... and on the respondent's page, both downloadable.
    client.force_login(world.rep)
    page = client.get(case.get_absolute_url()).content.decode()
    assert original.get_absolute_url() in page and corrected.get_absolute_url() in page
    for issued in (original, corrected):
        response = client.get(issued.get_absolute_url())
        assert response.status_code == 200
        assert sha256(b"".join(response.streaming_content)) == issued.sha256


def test_correcting_a_superseded_letter_is_refused(world):
    case = open_review(world_case(world), world.staff)
    first = letter(case, LetterKind.NOTICE_OF_COMPLAINT)
    second = letters.correct(letter=first, by=world.staff, reason="Typo in the address.").letter
    count = Letter.objects.count()
    with pytest.raises(ValidationError, match="already superseded"):
        letters.correct(letter=first, by=world.staff, reason="Another try.")
    assert Letter.objects.count() == count
    third = letters.correct(
        letter=second, by=world.staff, reason="The latest can be corrected."
    ).letter
    assert third.version == 3 and third.supersedes_id == second.pk


def test_correction_through_the_staff_view_refuses_a_superseded_letter(world, client):
    case = open_review(world_case(world), world.staff)
    first = letter(case, LetterKind.NOTICE_OF_COMPLAINT)
    client.force_login(world.staff)
    url = reverse("cases:letter_correct", args=[case.number, first.pk])
    response = client.post(url, {f"correct{first.pk}-reason": "Wrong date."})
    assert response.status_code == 302
    assert Letter.objects.filter(supersedes=first, version=2).exists()
    response = client.post(url, {f"correct{first.pk}-reason": "Again."}, follow=True)
    assert said("This letter was already superseded: correct its latest version.") in (
        response.content.decode()
    )
    assert Letter.objects.filter(case=case, kind=LetterKind.NOTICE_OF_COMPLAINT).count() == 2


def test_only_staff_correct_and_only_with_a_reason(world):
    case = open_review(world_case(world), world.staff)
    notice = letter(case, LetterKind.NOTICE_OF_COMPLAINT)
    with pytest.raises(PermissionDenied):
        letters.correct(letter=notice, by=world.rep, reason="We want it changed.")
    with pytest.raises(ValidationError):
        letters.correct(letter=notice, by=world.staff, reason="   ")
    assert not Letter.objects.filter(supersedes=notice).exists()


def test_verify_case_record_passes_on_untouched_letters(world):
    case = decided_case(world)
    assert services.verify_case_record(fresh(case)).ok


def test_verify_case_record_names_an_altered_letter(world):
    case = decided_case(world)
    decision = letter(case, LetterKind.DECISION)
    path = decision.file.path
    data = bytearray(open(path, "rb").read())
    data[-10] ^= 0x01  # one bit, near the end
    with open(path, "wb") as f:
        f.write(bytes(data))

    check = services.verify_case_record(fresh(case))
    assert not check.ok
    assert f"letter {decision.pk}" in check.problem
    assert str(decision) in check.problem  # "Decision letter, case 2026-0001"


def test_verify_case_record_names_a_missing_letter(world):
    case = world_case(world)
    ack = letter(case, LetterKind.ACKNOWLEDGEMENT, "complainant")
    ack.file.storage.delete(ack.file.name)
    check = services.verify_case_record(fresh(case))
    assert not check.ok and f"letter {ack.pk}" in check.problem


def test_each_letter_records_the_event_that_produced_it(world):
    case = decided_case(world)
    ack = letter(case, LetterKind.ACKNOWLEDGEMENT, "complainant")
    notice = letter(case, LetterKind.NOTICE_OF_COMPLAINT)
    decision = letter(case, LetterKind.DECISION)
    assert ack.event.kind == "filed"
    assert notice.event.kind == "transition" and notice.event.payload["step"] == "open_review"
    assert decision.event.kind == "transition" and decision.event.payload["step"] == "close_ballot"
    assert decision.event.to_state == "sanctioned"
    for issued in (ack, notice, decision):
        assert issued.event.case_id == case.pk
        assert issued.issued_by == world.staff and issued.issued_at is not None
        assert letter_issued_event(issued).sequence > issued.event.sequence


@pytest.mark.real_pdf
def test_a_corrected_letter_says_on_its_face_what_it_replaces_and_why(world):
    case = decided_case(world)
    original = letter(case, LetterKind.DECISION)

    corrected = letters.correct(
        letter=original, by=world.staff, reason="The sanction dates."
    ).letter

    text = " ".join(pdf_text(corrected.file.path).split())
    assert "Corrected letter, version 2." in text
    assert f"It replaces version 1 of {original.issued_at:%-d %B %Y}" in text
    assert "What is corrected: The sanction dates." in text
    assert "Corrected letter" not in " ".join(pdf_text(original.file.path).split())
    assert corrected.sha256 != original.sha256
