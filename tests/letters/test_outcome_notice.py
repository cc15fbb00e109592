"""The complainant's outcome notice: after the board's decision and after an appeal, the
complainant is written to with the outcome (or, where the procedure withholds it, only
that the complaint was decided), by email since they have no account. Never the votes."""

from __future__ import annotations

import pytest
from django.core import mail

from cases.models import Addressee, Letter, LetterKind, Procedure, Vote
from tests.factories.cases import COMPLAINANT_EMAIL, COMPLAINANT_NAME, step
from tests.factories.dates import shown
from tests.factories.letters import (
    PRINCIPLE_TITLE,
    RESPONDENT_NAME,
    appeal_decided_case,
    decided_case,
    no_violation_case,
    pdf_text,
    referred_case,
)
from tests.factories.scenes import vote_all

# Every test here reads the notice's text as pdftotext extracts it.
pytestmark = pytest.mark.real_pdf

PRINCIPLE_LINE = f"Principle 3, {PRINCIPLE_TITLE}"


def notices(case) -> list[Letter]:
    return list(
        Letter.objects.filter(
            case_id=case.pk, kind=LetterKind.OUTCOME_NOTICE, addressee=Addressee.COMPLAINANT
        ).order_by("pk")
    )


def text_of(letter: Letter) -> str:
    return pdf_text(letter.file.path)


def assert_no_votes_or_voters(text: str, case) -> None:
    voters = {v.voter for v in Vote.objects.filter(ballot__case_id=case.pk)}
    assert voters, "the case had no votes: the check would prove nothing"
    for voter in voters:
        assert voter.last_name not in text
        assert voter.username not in text
    assert "votes cast" not in text


def withhold_outcome(world) -> None:
    # Before any case uses it: a procedure in use cannot be edited.
    Procedure.objects.filter(pk=world.procedure.pk).update(complainant_told_outcome=False)


def test_the_complainant_is_told_the_boards_decision_and_the_appeal_deadline(world):
    case = decided_case(world, "suspension", 6)
    [notice] = notices(case)
    text = text_of(notice)
    assert case.number in text
    assert f"Dear {COMPLAINANT_NAME}" in text
    assert "breached the association's code of ethics" in text
    assert PRINCIPLE_LINE in text
    assert "Suspension" in text
    assert f"may appeal this decision until {shown(case.appeal_deadline)}" in text
    assert_no_votes_or_voters(text, case)
    assert notice.recipient_emails == [COMPLAINANT_EMAIL]
    assert notice.event.payload["step"] == "close_ballot"


def test_the_complainant_is_told_when_no_violation_was_found(world):
    case = no_violation_case(world)
    [notice] = notices(case)
    text = text_of(notice)
    assert case.number in text and RESPONDENT_NAME in text
    assert "found no violation" in text
    assert "Suspension" not in text and "appeal" not in text.lower()
    assert_no_votes_or_voters(text, case)


def test_after_an_appeal_the_complainant_gets_a_second_notice_with_its_outcome(world):
    case = appeal_decided_case(world)
    first, second = notices(case)
    assert first.event.payload["step"] == "close_ballot"
    assert second.event.payload["step"] == "decide_appeal"
    text = text_of(second)
    assert case.number in text
    assert "Outcome of the appeal: Overturned" in text
    assert "the sanction is rescinded" in text
    # The panel's written reasons go to the respondent, not to the complainant.
    assert "The panel found the recall notice was genuine" not in text
    assert_no_votes_or_voters(text, case)


def test_a_procedure_that_withholds_the_outcome_tells_the_complainant_only_that_it_was_decided(
    world,
):
    withhold_outcome(world)
    case = decided_case(world, "expulsion", None)
    [notice] = notices(case)
    text = text_of(notice)
    assert case.number in text and f"Dear {COMPLAINANT_NAME}" in text
    assert "outcome is communicated to" in text and "only" in text
    for withheld in ("Expulsion", "breached", "terminated", PRINCIPLE_TITLE):
        assert withheld not in text, withheld


def test_the_outcome_notice_is_emailed_to_the_complainant_after_the_decision_commits(
    world, django_capture_on_commit_callbacks
):
    case = referred_case(world)
    vote_all(case, world.board, "violation", "censure")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):

        step(case, "close_ballot", world.staff)
    to_complainant = [m for m in mail.outbox if m.to == [COMPLAINANT_EMAIL]]
    assert [m.subject for m in to_complainant] == [
        f"Outcome notice to the complainant: case {case.number}"
    ]
    [(name, _, mimetype)] = to_complainant[0].attachments
    assert mimetype == "application/pdf"
    assert name == f"{case.number}-outcome-notice.pdf"


def test_staff_can_preview_the_outcome_notice_while_the_ballot_is_open(world, client):
    case = referred_case(world)
    vote_all(case, world.board, "violation", "censure")
    client.force_login(world.staff)
    response = client.get(f"/cases/{case.number}/letters/preview/outcome_notice/")
    assert response.status_code == 200
    html = response.content.decode()
    assert f"Dear {COMPLAINANT_NAME}" in html
    assert "Censure" in html
    assert "DRAFT" in html.upper()
