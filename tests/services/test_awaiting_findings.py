"""The case's "awaiting findings" flag (cases.services.awaiting): a response received
and an allegation still without a finding. The dashboard's queue and the officer's
digest read it from its index, so it must follow every response, allegation and
finding, however each is written."""

from __future__ import annotations

import pytest

from cases import services
from cases.dashboard import staff_dashboard
from cases.models import Case, Finding
from cases.services.awaiting import awaiting_findings_rebuild
from tests.factories.cases import allegation, file_case, fresh, open_review, respond
from tests.factories.scenes import FINDING_REASONING, record_findings

pytestmark = pytest.mark.django_db


def _flag(case) -> bool:
    return Case.objects.values_list("awaiting_findings", flat=True).get(pk=case.pk)


def _queue(staff) -> list[str]:
    return [c.number for c in staff_dashboard(user=staff)["work"]["awaiting_findings"]["items"]]


def test_a_response_raises_the_flag_and_the_last_finding_lowers_it(
    staff, organization, representative
):
    case = open_review(file_case(by=staff, respondent=organization), staff)
    assert not _flag(case) and case.number not in _queue(staff)

    respond(case, representative)
    assert _flag(case) and case.number in _queue(staff)

    record_findings(case, staff)
    assert not _flag(case) and case.number not in _queue(staff)


def test_an_amendment_adding_an_allegation_after_the_findings_raises_it_again(
    staff, organization, representative
):
    case = open_review(file_case(by=staff, respondent=organization), staff)
    respond(case, representative)
    record_findings(case, staff)

    services.complaint_amend(
        case=fresh(case),
        by=staff,
        reason="A second advert came to light.",
        allegations=[allegation(conduct="The second advert repeated the claim.")],
    )
    assert _flag(case)

    record_findings(case, staff)
    assert not _flag(case)


def test_a_finding_deleted_by_hand_raises_it_and_a_rebuild_finds_nothing_to_change(
    staff, organization, representative
):
    case = open_review(file_case(by=staff, respondent=organization), staff)
    respond(case, representative)
    record_findings(case, staff)

    Finding.objects.filter(allegation__case=case).first().delete()  # as the admin would
    assert _flag(case)
    assert awaiting_findings_rebuild() == 0


def test_the_rebuild_repairs_a_flag_written_wrong(staff, organization, representative):
    answered = open_review(file_case(by=staff, respondent=organization), staff)
    respond(answered, representative)
    unanswered = open_review(file_case(by=staff, respondent=organization), staff)
    Case.objects.filter(pk=answered.pk).update(awaiting_findings=False)
    Case.objects.filter(pk=unanswered.pk).update(awaiting_findings=True)

    assert awaiting_findings_rebuild() == 2
    assert _flag(answered) and not _flag(unanswered)


def test_a_revised_finding_keeps_it_down(staff, organization, representative):
    case = open_review(file_case(by=staff, respondent=organization), staff)
    respond(case, representative)
    record_findings(case, staff)
    first = fresh(case).allegations.first()

    services.finding_record(
        allegation=first, by=staff, conclusion="inconclusive", reasoning=FINDING_REASONING
    )
    assert not _flag(case)
