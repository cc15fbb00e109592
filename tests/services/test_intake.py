"""Complaint intake and amendments (cases.services.complaint_file, complaint_amend,
case_officer_assign), and what the complainant's identity rule says."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from cases import services, workflow
from cases.access import case_permissions
from cases.models import (
    Case,
    CaseEvent,
    Complainant,
    ComplainantKind,
    IdentityDisclosure,
)
from cases.services import TransitionRefused
from cases.workflow import CaseState
from tests.factories.cases import (
    PrincipleFactory,
    ProcedureFactory,
    allegation,
    case_snapshot,
    complainant_input,
    evidence_input,
    file_case,
    fresh,
    open_review,
    pass_response_window,
    pdf,
    transition,
)
from tests.factories.dates import days, today
from tests.factories.people import UserFactory, staff_user
from tests.factories.scenes import add_fact_finding, record_findings

# ---------------------------------------------------------------------------
# Filing
# ---------------------------------------------------------------------------


def test_filing_dockets_a_case_in_state_filed_with_everything_it_was_given(
    staff, organization, procedure, principle
):
    officer = staff_user(username="officer.kim")

    case = file_case(
        by=staff,
        respondent=organization,
        case_officer=officer,
        summary="  Unsafe cobot advertised as certified  ",
        complainant=complainant_input(consents_to_disclosure=True),
        allegations=[allegation(principle, conduct="  Claimed ISO 10218 certification.  ")],
    )

    case = fresh(case)
    assert case.state == CaseState.FILED
    assert case.respondent == organization
    assert case.case_officer == officer
    assert case.filed_by == staff
    assert case.summary == "Unsafe cobot advertised as certified"
    assert case.procedure == procedure
    assert case.notice_issued_at is None and case.response_due_on is None
    assert case.complainant.name == "Dana Whitfield"
    assert case.complainant.kind == ComplainantKind.ORGANIZATION
    assert case.complainant.consents_to_disclosure is True
    a = case.allegations.get()
    assert a.principle == principle
    assert a.conduct == "Claimed ISO 10218 certification."
    assert a.amendment is None
    assert case.evidence.count() == 1


def test_every_ethics_staff_member_may_manage_a_new_case(case):
    colleague = staff_user(username="colleague")

    assert case_permissions(colleague, fresh(case)) == {"view_case", "manage_case"}
    assert workflow.who_may(colleague, fresh(case), "open_review")


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"summary": "  "}, "one-line summary"),
        ({"complainant": complainant_input(name=" ")}, "complainant's name is required"),
        ({"allegations": []}, "at least one allegation"),
        ({"conduct_known_on": "tomorrow"}, "cannot be in the future"),
        ({"allegations": "reversed"}, "ends before it starts"),
        ({"allegations": "future"}, "cannot start in the future"),
        ({"allegations": "undescribed"}, "describe the conduct"),
    ],
)
def test_an_incomplete_complaint_is_refused_and_nothing_is_filed(
    staff, organization, procedure, principle, changes, message
):
    kwargs = dict(changes)
    if kwargs.get("conduct_known_on") == "tomorrow":
        kwargs["conduct_known_on"] = today() + days(1)
    bad = {
        "reversed": allegation(
            principle, conduct_from=today() - days(10), conduct_to=today() - days(20)
        ),
        "future": allegation(
            principle, conduct_from=today() + days(1), conduct_to=today() + days(2)
        ),
        "undescribed": allegation(principle, conduct="   "),
    }
    if isinstance(kwargs.get("allegations"), str):
        kwargs["allegations"] = [allegation(principle), bad[kwargs["allegations"]]]

    with pytest.raises(ValidationError, match=message):
        file_case(by=staff, respondent=organization, **kwargs)

    assert Case.objects.count() == 0
    assert Complainant.objects.count() == 0
    assert CaseEvent.objects.count() == 0


def test_only_ethics_staff_file_complaints(
    organization, procedure, principle, representative, board_member, superuser
):
    for user in (representative, board_member, superuser):
        with pytest.raises(PermissionDenied):
            file_case(by=user, respondent=organization, case_officer=staff_user(username="o"))

    assert Case.objects.count() == 0


def test_the_case_officer_must_be_ethics_staff(staff, organization, procedure, principle):
    with pytest.raises(ValidationError, match="case officer must be a member of the ethics staff"):
        file_case(by=staff, respondent=organization, case_officer=UserFactory(username="clerk"))


def test_staff_reassign_the_case_officer_and_the_record_says_who_to_whom(case, staff):
    officer = staff_user(username="officer.two")

    services.case_officer_assign(case=fresh(case), by=staff, officer=officer)

    assert fresh(case).case_officer == officer
    event = CaseEvent.objects.filter(case=case).order_by("-sequence").first()
    assert event.payload == {"from": "staff", "to": "officer.two"}


def test_a_case_officer_who_is_not_staff_is_refused(case, staff, representative):
    before = case_snapshot(case)

    with pytest.raises(ValidationError, match="ethics staff"):
        services.case_officer_assign(case=fresh(case), by=staff, officer=representative)

    assert case_snapshot(case) == before


# ---------------------------------------------------------------------------
# Amendments
# ---------------------------------------------------------------------------


def test_an_amendment_before_notice_is_recorded_and_needs_no_notice(case, staff, code):
    second = PrincipleFactory(code=code, number="7")

    amendment = services.complaint_amend(
        case=fresh(case),
        by=staff,
        reason="The complainant sent a second advert.",
        allegations=[allegation(second)],
        evidence=[evidence_input(pdf("advert-2.pdf"))],
    )

    assert amendment.needs_notice is False
    assert amendment.reason == "The complainant sent a second advert."
    assert list(amendment.allegations.values_list("principle__number", flat=True)) == ["7"]
    assert amendment.evidence.count() == 1
    assert fresh(case).allegations.count() == 2
    amended = CaseEvent.objects.get(case=case, kind="amended")
    assert amended.payload["needs_notice"] is False
    assert amended.payload["allegations"] == 1 and amended.payload["evidence"] == 1


def test_an_amendment_after_notice_is_listed_for_a_new_notice(case, staff):
    case = open_review(case, staff)

    amendment = services.complaint_amend(
        case=fresh(case),
        by=staff,
        reason="More.",
        evidence=[evidence_input(pdf("more.pdf"))],
    )

    assert amendment.needs_notice is True
    assert amendment.noticed_at is None
    assert "amendments_noticed" in {
        r.key for r, c in workflow.checklist(fresh(case)) if not c.holds
    }


@pytest.mark.parametrize(
    ("reason", "adds", "message"),
    [
        ("", True, "written reason is required"),
        ("Nothing to add.", False, "at least one allegation or piece of evidence"),
    ],
)
def test_an_amendment_needs_a_reason_and_something_to_add(case, staff, reason, adds, message):
    before = case_snapshot(case)
    evidence = [evidence_input(pdf("x.pdf"))] if adds else []

    with pytest.raises(ValidationError, match=message):
        services.complaint_amend(case=fresh(case), by=staff, reason=reason, evidence=evidence)

    assert case_snapshot(case) == before


def test_a_closed_case_cannot_be_amended(case, staff):
    transition(case, "withdraw", staff, reason="Withdrawn by the complainant.")

    with pytest.raises(TransitionRefused, match="withdrawn"):
        services.complaint_amend(
            case=fresh(case), by=staff, reason="Late.", evidence=[evidence_input(pdf())]
        )


def test_a_representative_cannot_amend_the_complaint(case, staff, representative):
    open_review(case, staff)

    with pytest.raises(PermissionDenied):
        services.complaint_amend(
            case=fresh(case), by=representative, reason="x", evidence=[evidence_input(pdf())]
        )


def test_an_allegation_added_after_notice_cannot_apply_a_principle_retroactively(
    case, staff, representative, code
):
    case = open_review(case, staff)
    later = PrincipleFactory(code=code, number="13", effective_on=today() - days(5))
    services.complaint_amend(
        case=fresh(case),
        by=staff,
        reason="A new allegation.",
        allegations=[allegation(later, conduct_to=today() - days(60))],
    )
    services.amended_notice_issue(case=fresh(case), by=staff)
    pass_response_window(case)
    add_fact_finding(case, staff)
    record_findings(case, staff)
    services.review_report_save(
        case=fresh(case), by=staff, text="Report.", rests_on_single_source=False
    )

    with pytest.raises(TransitionRefused, match="retroactive"):
        transition(case, "refer_to_board", staff)


def test_a_new_notice_after_reopening_covers_the_amendments_made_before_it(
    case, staff, representative
):
    case = open_review(case, staff)
    transition(case, "dismiss", staff, reason="Insufficient evidence.")
    services.complaint_amend(
        case=fresh(case),
        by=staff,
        reason="The test report arrived.",
        evidence=[evidence_input(pdf("test-report.pdf"), source="staff")],
    )
    transition(case, "reopen", staff, reason="The test report is new evidence.")

    case = open_review(case, staff)

    assert "amendments_noticed" not in {
        r.key for r, c in workflow.checklist(fresh(case)) if not c.holds
    }


# ---------------------------------------------------------------------------
# The complainant's identity
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("rule", "consents", "disclosed"),
    [
        (IdentityDisclosure.WITH_CONSENT, False, False),
        (IdentityDisclosure.WITH_CONSENT, True, True),
        (IdentityDisclosure.ALWAYS, False, True),
        (IdentityDisclosure.NEVER, True, False),
    ],
)
def test_the_complainants_identity_is_disclosed_only_as_the_procedure_and_consent_allow(
    staff, organization, principle, rule, consents, disclosed
):
    ProcedureFactory(version=1, complainant_identity=rule)

    case = file_case(
        by=staff,
        respondent=organization,
        complainant=complainant_input(consents_to_disclosure=consents),
    )

    assert fresh(case).complainant_identity_disclosed is disclosed
