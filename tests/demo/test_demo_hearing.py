"""The demo has a case with its hearing set, under procedure version 2 (hearings on a
party's request): staff and the respondent's representative see it; the cases filed
before keep the procedure they were filed under."""

import pytest
from django.core.management import call_command

from cases import workflow
from cases.demo.hearings import HEARING_CASE
from cases.models import Case, Hearing, LetterKind
from cases.services import verify_case_record
from cases.workflow import CaseState
from members.models import Representative

# Real PDFs, as for the rest of the demo: cases.demo binds the renderer when imported,
# and a stub bound here would stay bound for the demo tests that follow.
pytestmark = [pytest.mark.django_db, pytest.mark.real_pdf]


def test_the_demo_has_a_case_with_its_hearing_set(client):
    call_command("seed_demo")
    call_command("seed_demo")  # loaded once: the second run changes nothing

    case = Case.objects.get(summary=HEARING_CASE)
    assert case.state == CaseState.HEARING
    assert case.procedure.hearing == "on_request"
    assert Hearing.objects.filter(case=case).count() == 1
    hearing = workflow.current_hearing(case)
    assert (
        hearing.local_start.date() - workflow.today()
    ).days >= case.procedure.hearing_notice_days
    assert hearing.panel.exists()
    assert case.letters.filter(kind=LetterKind.NOTICE_OF_HEARING).count() == 2
    assert case.hearing_participants.count() == 2
    assert verify_case_record(case).ok
    # No other demo case follows the hearing's procedure version (others keep theirs).
    assert not Case.objects.exclude(pk=case.pk).filter(procedure=case.procedure).exists()

    rep = Representative.objects.get(
        organization=case.respondent, user__username="rep.oakhaven-process"
    )
    client.force_login(rep.user)
    page = client.get(case.get_absolute_url()).content.decode()
    assert "Miriam Osei" in page and "14 Foundry Lane, Northbridge: the board room" in page
