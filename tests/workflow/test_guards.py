"""The due-process rules (DESIGN.md, "Guards"), from the domain: what blocks a step,
the reason the person is given, and that the checklist, the list of actions and the
guard never disagree."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from cases import access, services, workflow
from cases.models import Case, CaseEvent, EvidenceSource
from cases.services import TransitionRefused
from cases.workflow import CaseState
from members.models import StatusChange
from members.services import membership_change
from tests.factories.cases import (
    ALL_STATES,
    ALLOWED_SOURCES,
    PrincipleFactory,
    allegation,
    case_snapshot,
    evidence_input,
    file_case,
    force_state,
    fresh,
    open_review,
    pass_response_window,
    pdf,
    transition,
)
from tests.factories.dates import days, shown, today
from tests.factories.members import OrganizationFactory
from tests.factories.scenes import add_fact_finding, case_in_state, record_findings


def refusal(case, name, by, reason="Recorded reason.") -> list[str]:
    """The reasons a step is refused for; the case must be left exactly as it was."""
    before = case_snapshot(case)
    with pytest.raises(TransitionRefused) as refused:
        transition(case, name, by, reason=reason)
    assert case_snapshot(case) == before
    return list(refused.value.messages)


def unmet_keys(case) -> set[str]:
    return {rule.key for rule, check in workflow.checklist(fresh(case)) if not check.holds}


def report(case, by, *, single_source=False, text="The allegation is substantiated."):
    return services.review_report_save(
        case=fresh(case), by=by, text=text, rests_on_single_source=single_source
    )


def under_review_with_findings(case, by, *, respond_as=None):
    """Under review with a finding per allegation, a report and fact-finding: only the
    response rule is left to the test."""
    case = open_review(case, by)
    if respond_as is not None:
        services.response_submit(case=fresh(case), by=respond_as, text="We disagree.")
    add_fact_finding(case, by)
    record_findings(case, by)
    report(case, by)
    return fresh(case)


# ---------------------------------------------------------------------------
# open_review: no retroactive rules
# ---------------------------------------------------------------------------


def test_a_principle_that_took_effect_after_the_conduct_ended_blocks_open_review(
    staff, organization, procedure, code
):
    later = PrincipleFactory(
        code=code, number="9", title="Cybersecurity disclosure", effective_on=today() - days(30)
    )
    conduct_to = today() - days(90)
    case = file_case(
        by=staff,
        respondent=organization,
        allegations=[allegation(later, conduct_from=today() - days(200), conduct_to=conduct_to)],
    )

    reasons = refusal(case, "open_review", staff)

    assert len(reasons) == 1
    assert "principle 9" in reasons[0]
    assert "Cybersecurity disclosure" in reasons[0]
    assert "retroactive" in reasons[0]
    assert shown(today() - days(30)) in reasons[0]
    assert shown(conduct_to) in reasons[0]
    assert fresh(case).state == CaseState.FILED


def test_the_retroactivity_reason_names_the_allegation_that_cites_the_later_principle(
    staff, organization, procedure, principle, code
):
    later = PrincipleFactory(code=code, number="10", effective_on=today() - days(10))
    case = file_case(
        by=staff,
        respondent=organization,
        allegations=[allegation(principle), allegation(later, conduct_to=today() - days(60))],
    )

    reasons = refusal(case, "open_review", staff)

    assert reasons[0].startswith("Allegation 2 cites principle 10")


def test_a_principle_in_effect_on_the_last_day_of_the_conduct_can_be_breached(
    staff, organization, procedure, code
):
    conduct_to = today() - days(90)
    new_rule = PrincipleFactory(code=code, number="8", effective_on=conduct_to)
    case = file_case(
        by=staff, respondent=organization, allegations=[allegation(new_rule, conduct_to=conduct_to)]
    )

    assert open_review(case, staff).state == CaseState.UNDER_REVIEW


# ---------------------------------------------------------------------------
# open_review: the respondent was a member during the conduct
# ---------------------------------------------------------------------------


def test_a_respondent_that_joined_after_the_conduct_ended_cannot_be_reviewed(
    staff, procedure, principle
):
    newcomer = OrganizationFactory(name="Newcomer Motion", joined_on=today() - days(30))
    case = file_case(
        by=staff,
        respondent=newcomer,
        allegations=[
            allegation(principle, conduct_from=today() - days(120), conduct_to=today() - days(90))
        ],
    )

    reasons = refusal(case, "open_review", staff)

    assert len(reasons) == 1
    assert "Newcomer Motion joined on " + shown(today() - days(30)) in reasons[0]
    assert "Allegation 1" in reasons[0]


def test_an_applicant_that_has_never_been_a_member_cannot_be_reviewed(staff, procedure, principle):
    applicant = OrganizationFactory(
        name="Hopeful Systems", status="applicant", joined_on=None, status_since=today() - days(30)
    )
    case = file_case(by=staff, respondent=applicant, allegations=[allegation(principle)])

    reasons = refusal(case, "open_review", staff)

    assert "Hopeful Systems has never been a member" in reasons[0]


def test_conduct_after_the_respondent_left_the_association_cannot_be_reviewed(
    staff, procedure, principle
):
    former = OrganizationFactory(name="Departed Drives")
    membership_change(organization=former, transition="resign", by=None, reason="Resigned.")
    left_on = today() - days(200)
    type(former).objects.filter(pk=former.pk).update(status_since=left_on)
    # The history is what the rule reads: the resignation happened on that day.
    former.status_history.update(
        changed_at=timezone.make_aware(datetime.datetime.combine(left_on, datetime.time(12)))
    )
    case = file_case(
        by=staff,
        respondent=former,
        allegations=[
            allegation(principle, conduct_from=today() - days(120), conduct_to=today() - days(90))
        ],
    )

    reasons = refusal(case, "open_review", staff)

    assert f"after Departed Drives left the association on {shown(left_on)}" in reasons[0]


def test_a_member_that_joined_during_the_conduct_can_be_reviewed(staff, procedure, principle):
    org = OrganizationFactory(joined_on=today() - days(100))
    case = file_case(
        by=staff,
        respondent=org,
        allegations=[
            allegation(principle, conduct_from=today() - days(120), conduct_to=today() - days(90))
        ],
    )

    assert open_review(case, staff).state == CaseState.UNDER_REVIEW


def test_conduct_while_expelled_cannot_be_reviewed_after_the_member_is_readmitted(
    staff, procedure, principle
):
    org = OrganizationFactory(name="Phoenix Controls", joined_on=today() - days(5 * 365))
    membership_change(
        organization=org,
        transition="terminate",
        by=None,
        reason="Expelled in case 2023-0004.",
        until=today(),
    )
    membership_change(organization=org, transition="readmit", by=None, reason="Readmitted.")
    # The history, moved back in time: expelled 3 years ago, readmitted a year ago.
    history = StatusChange.objects.filter(organization=org)
    history.filter(to_status="terminated").update(
        changed_at=datetime.datetime.now(datetime.UTC) - days(3 * 365)
    )
    history.filter(to_status="active").update(
        changed_at=datetime.datetime.now(datetime.UTC) - days(365)
    )
    case = file_case(
        by=staff,
        respondent=org,
        conduct_known_on=today() - days(30),
        allegations=[
            allegation(
                principle,
                conduct_from=today() - days(2 * 365),
                conduct_to=today() - days(2 * 365 - 30),
            )
        ],
    )

    reasons = refusal(case, "open_review", staff)

    assert "Phoenix Controls" in reasons[0]


# ---------------------------------------------------------------------------
# open_review: the filing deadline
# ---------------------------------------------------------------------------


def test_a_complaint_filed_after_the_deadline_blocks_open_review(
    staff, organization, procedure, principle
):
    known_on = today() - days(181)
    case = file_case(
        by=staff,
        respondent=organization,
        conduct_known_on=known_on,
        allegations=[
            allegation(principle, conduct_from=today() - days(300), conduct_to=today() - days(250))
        ],
    )

    reasons = refusal(case, "open_review", staff)

    assert len(reasons) == 1
    assert "after the filing deadline of " + shown(known_on + days(180)) in reasons[0]
    assert "180 days" in reasons[0]
    assert "no reason for accepting it late" in reasons[0]


def test_a_complaint_filed_on_the_last_day_of_the_deadline_is_in_time(
    staff, organization, procedure, principle
):
    case = file_case(
        by=staff,
        respondent=organization,
        conduct_known_on=today() - days(180),
        allegations=[
            allegation(principle, conduct_from=today() - days(300), conduct_to=today() - days(250))
        ],
    )

    assert open_review(case, staff).state == CaseState.UNDER_REVIEW


def test_late_filing_accepted_with_a_reason_unblocks_open_review(
    staff, organization, procedure, principle
):
    case = file_case(
        by=staff,
        respondent=organization,
        conduct_known_on=today() - days(400),
        allegations=[
            allegation(principle, conduct_from=today() - days(500), conduct_to=today() - days(450))
        ],
    )
    assert "filed_in_time" in unmet_keys(case)

    services.late_filing_accept(
        case=fresh(case), by=staff, reason="The complainant was abroad and could not file."
    )

    event = CaseEvent.objects.filter(case=case).order_by("-sequence").first()
    assert event.kind == "late_filing_accepted"
    assert event.payload["reason"] == "The complainant was abroad and could not file."
    assert "filed_in_time" not in unmet_keys(case)
    assert open_review(case, staff).state == CaseState.UNDER_REVIEW


def test_a_late_acceptance_reason_given_at_filing_counts(staff, organization, procedure, principle):
    case = file_case(
        by=staff,
        respondent=organization,
        conduct_known_on=today() - days(400),
        late_acceptance_reason="Whistle-blower report received late.",
        allegations=[
            allegation(principle, conduct_from=today() - days(500), conduct_to=today() - days(450))
        ],
    )

    assert open_review(case, staff).state == CaseState.UNDER_REVIEW


@pytest.mark.parametrize("reason", ["", "  "])
def test_accepting_a_late_complaint_needs_a_written_reason(staff, case, reason):
    Case.objects.filter(pk=case.pk).update(conduct_known_on=today() - days(400))
    before = case_snapshot(case)

    with pytest.raises(ValidationError, match="written reason is required"):
        services.late_filing_accept(case=fresh(case), by=staff, reason=reason)

    assert case_snapshot(case) == before


def test_only_staff_accept_a_late_complaint_and_only_before_review(
    staff, case, representative, board_member
):
    for user in (representative, board_member):
        with pytest.raises(PermissionDenied):
            services.late_filing_accept(case=fresh(case), by=user, reason="Because.")
    open_review(case, staff)
    with pytest.raises(TransitionRefused, match="under review"):
        services.late_filing_accept(case=fresh(case), by=staff, reason="Because.")
    assert fresh(case).late_acceptance_reason == ""


# ---------------------------------------------------------------------------
# refer_to_board: the respondent was heard
# ---------------------------------------------------------------------------


def test_referral_is_refused_while_the_response_window_is_open_and_no_response_came(staff, case):
    case = under_review_with_findings(case, staff)
    due = fresh(case).response_due_on
    assert due > today()

    reasons = refusal(case, "refer_to_board", staff)

    assert reasons == [f"Response window open until {shown(due)}; no response received yet."]


def test_the_response_window_is_still_open_on_its_last_day(staff, case):
    case = under_review_with_findings(case, staff)
    Case.objects.filter(pk=case.pk).update(response_due_on=today())

    reasons = refusal(case, "refer_to_board", staff)

    assert reasons == [f"Response window open until {shown(today())}; no response received yet."]


def test_referral_is_allowed_once_the_respondent_has_responded(staff, case, representative):
    case = under_review_with_findings(case, staff, respond_as=representative)
    assert fresh(case).response_window_open

    assert transition(case, "refer_to_board", staff).state == CaseState.BOARD_VOTE


def test_referral_is_allowed_once_the_response_window_has_passed(staff, case):
    case = under_review_with_findings(case, staff)
    pass_response_window(case)

    assert transition(case, "refer_to_board", staff).state == CaseState.BOARD_VOTE


# ---------------------------------------------------------------------------
# refer_to_board: fact-finding, findings and the report
# ---------------------------------------------------------------------------


def test_referral_is_refused_when_an_allegation_has_no_finding(
    staff, organization, procedure, principle, code, representative
):
    second = PrincipleFactory(code=code, number="5", title="Fair competition")
    case = file_case(
        by=staff, respondent=organization, allegations=[allegation(principle), allegation(second)]
    )
    case = open_review(case, staff)
    services.response_submit(case=fresh(case), by=representative, text="We disagree.")
    add_fact_finding(case, staff)
    first = fresh(case).allegations.first()
    services.finding_record(
        allegation=first, by=staff, conclusion="substantiated", reasoning="Proven by the advert."
    )
    report(case, staff)

    reasons = refusal(case, "refer_to_board", staff)

    assert reasons == ["Allegation 2 (principle 5) has no finding yet."]
    record_findings(case, staff)
    assert transition(case, "refer_to_board", staff).state == CaseState.BOARD_VOTE


def test_referral_is_refused_without_a_review_report(staff, case, representative):
    case = open_review(case, staff)
    services.response_submit(case=fresh(case), by=representative, text="We disagree.")
    add_fact_finding(case, staff)
    record_findings(case, staff)

    reasons = refusal(case, "refer_to_board", staff)

    assert reasons == ["The review report is not written yet."]


def test_referral_is_refused_without_any_evidence(
    staff, organization, procedure, principle, representative
):
    case = file_case(
        by=staff, respondent=organization, evidence=[], allegations=[allegation(principle)]
    )
    case = open_review(case, staff)
    services.response_submit(case=fresh(case), by=representative, text="There is no evidence.")
    record_findings(case, staff, conclusion="not_substantiated")
    report(case, staff, text="Nothing supports the allegation.")

    reasons = refusal(case, "refer_to_board", staff)

    assert "No evidence is on file." in reasons
    assert "evidence_exists" in unmet_keys(case)


def test_referral_is_refused_when_all_evidence_is_from_one_source_and_the_report_is_silent(
    staff, case
):
    case = open_review(case, staff)
    pass_response_window(case)
    record_findings(case, staff)
    report(case, staff, single_source=False)

    reasons = refusal(case, "refer_to_board", staff)

    assert len(reasons) == 1
    assert reasons[0].startswith("All evidence comes from one source")


def test_a_report_that_says_it_rests_on_one_source_allows_referral(staff, case):
    case = open_review(case, staff)
    pass_response_window(case)
    record_findings(case, staff)
    report(
        case, staff, single_source=True, text="This case rests on the complainant's report alone."
    )

    assert transition(case, "refer_to_board", staff).state == CaseState.BOARD_VOTE


def test_fact_finding_from_a_second_source_allows_referral_without_the_statement(staff, case):
    case = open_review(case, staff)
    pass_response_window(case)
    record_findings(case, staff)
    report(case, staff, single_source=False)
    assert "single_source_acknowledged" in unmet_keys(case)

    services.evidence_add(
        case=fresh(case),
        by=staff,
        evidence=evidence_input(pdf("court-record.pdf"), source=EvidenceSource.PUBLIC_RECORD),
    )

    assert transition(case, "refer_to_board", staff).state == CaseState.BOARD_VOTE


def test_the_respondents_attachments_never_corroborate_the_complaint(staff, case, representative):
    # The respondent's own material is not a second source for the complaint: the
    # report must still say the case rests on one party's report.
    case = open_review(case, staff)
    services.response_submit(
        case=fresh(case),
        by=representative,
        text="See our test report.",
        attachments=[pdf("our-test-report.pdf")],
    )
    record_findings(case, staff)
    report(case, staff, single_source=False)

    reasons = refusal(case, "refer_to_board", staff)

    assert len(reasons) == 1
    assert reasons[0].startswith("All evidence comes from one source (Complainant;")
    assert "the respondent's own material does not count" in reasons[0]


# ---------------------------------------------------------------------------
# refer_to_board: amendments after the notice
# ---------------------------------------------------------------------------


def test_an_amendment_after_notice_blocks_referral_until_an_amended_notice_is_issued(
    staff, case, representative
):
    case = under_review_with_findings(case, staff, respond_as=representative)
    services.complaint_amend(
        case=fresh(case),
        by=staff,
        reason="A second advert was found.",
        evidence=[evidence_input(pdf("second-advert.pdf"))],
    )

    reasons = refusal(case, "refer_to_board", staff)
    assert len(reasons) == 1
    assert "has not been notified to the respondent" in reasons[0]
    assert "amended notice" in reasons[0]

    services.amended_notice_issue(case=fresh(case), by=staff)

    assert "amendments_noticed" not in unmet_keys(case)
    assert fresh(case).amendments.get().noticed_at is not None
    pass_response_window(case)
    assert transition(case, "refer_to_board", staff).state == CaseState.BOARD_VOTE


def test_an_amended_notice_gives_the_respondent_a_new_response_window(staff, case):
    case = open_review(case, staff)
    Case.objects.filter(pk=case.pk).update(response_due_on=today() + days(2))
    services.complaint_amend(
        case=fresh(case),
        by=staff,
        reason="New evidence.",
        evidence=[evidence_input(pdf("new.pdf"))],
    )

    noticed = services.amended_notice_issue(case=fresh(case), by=staff)

    assert noticed.response_due_on == today() + days(21)
    event = CaseEvent.objects.get(case=case, kind="amended_notice_issued")
    assert event.payload["response_due_on"] == (today() + days(21)).isoformat()


def test_an_amended_notice_with_nothing_to_notify_is_refused(staff, case):
    case = open_review(case, staff)

    with pytest.raises(ValidationError, match="No amendment is waiting"):
        services.amended_notice_issue(case=fresh(case), by=staff)


def test_an_amendment_before_the_notice_needs_no_separate_notice(staff, case, representative):
    amendment = services.complaint_amend(
        case=fresh(case),
        by=staff,
        reason="Another exhibit.",
        evidence=[evidence_input(pdf("exhibit-2.pdf"))],
    )
    assert amendment.needs_notice is False

    case = under_review_with_findings(case, staff, respond_as=representative)

    assert "amendments_noticed" not in unmet_keys(case)
    assert transition(case, "refer_to_board", staff).state == CaseState.BOARD_VOTE


def test_a_new_allegation_after_notice_must_be_answerable_before_referral(
    staff, case, representative, code
):
    case = under_review_with_findings(case, staff, respond_as=representative)
    second = PrincipleFactory(code=code, number="6", title="Respect for competitors")
    services.complaint_amend(
        case=fresh(case), by=staff, reason="A new allegation.", allegations=[allegation(second)]
    )
    services.amended_notice_issue(case=fresh(case), by=staff)
    record_findings(case, staff)
    assert fresh(case).response_window_open

    reasons = refusal(case, "refer_to_board", staff)

    assert any("Response window open until" in r for r in reasons)


# ---------------------------------------------------------------------------
# reopen: new evidence and a reason
# ---------------------------------------------------------------------------


def test_a_dismissed_case_cannot_be_reopened_without_new_evidence(staff, case):
    dismissed = transition(case, "dismiss", staff, reason="Out of scope.")

    reasons = refusal(case, "reopen", staff, reason="The complainant insists.")

    assert reasons == [
        "No new evidence has been added since the dismissal on "
        f"{shown(timezone.localtime(dismissed.state_changed_at).date())}."
    ]


def test_new_evidence_after_the_dismissal_allows_reopening_with_a_reason(staff, case):
    transition(case, "dismiss", staff, reason="Out of scope.")
    services.complaint_amend(
        case=fresh(case),
        by=staff,
        reason="New test report received.",
        evidence=[evidence_input(pdf("test-report.pdf"))],
    )

    reopened = transition(case, "reopen", staff, reason="The test report changes the picture.")

    assert reopened.state == CaseState.FILED
    assert reopened.closing_reason == ""


def test_reopening_without_a_reason_is_refused_even_with_new_evidence(staff, case):
    transition(case, "dismiss", staff, reason="Out of scope.")
    add_fact_finding(case, staff)
    before = case_snapshot(case)

    with pytest.raises(ValidationError, match="written reason is required"):
        transition(case, "reopen", staff, reason="")

    assert case_snapshot(case) == before


# ---------------------------------------------------------------------------
# One definition: the checklist, the actions and the guard agree
# ---------------------------------------------------------------------------


def _scenario(name, staff, organization, representative, code, principle):
    """A case in a situation, and the rules of its way forward expected to be unmet."""
    if name == "filed, all rules hold":
        return file_case(by=staff, respondent=organization), set()
    if name == "filed, retroactive principle":
        later = PrincipleFactory(code=code, number="11", effective_on=today() - days(5))
        return file_case(by=staff, respondent=organization, allegations=[allegation(later)]), {
            "principles_in_effect"
        }
    if name == "filed, not a member, retroactive and late":
        later = PrincipleFactory(code=code, number="12", effective_on=today() - days(5))
        org = OrganizationFactory(joined_on=today() - days(10))
        case = file_case(
            by=staff,
            respondent=org,
            conduct_known_on=today() - days(365),
            allegations=[allegation(later)],
        )
        return case, {"member_during_conduct", "principles_in_effect", "filed_in_time"}
    if name == "under review, just noticed":
        case = open_review(file_case(by=staff, respondent=organization), staff)
        return case, {
            "response_or_window_passed",
            "every_allegation_has_finding",
            "review_report_written",
            "single_source_acknowledged",
        }
    if name == "under review, no evidence, window passed":
        case = open_review(file_case(by=staff, respondent=organization, evidence=[]), staff)
        pass_response_window(case)
        record_findings(case, staff)
        report(case, staff, single_source=True)
        return case, {"evidence_exists"}
    if name == "under review, amended after notice":
        case = under_review_with_findings(
            file_case(by=staff, respondent=organization), staff, respond_as=representative
        )
        services.complaint_amend(
            case=fresh(case), by=staff, reason="More.", evidence=[evidence_input(pdf("more.pdf"))]
        )
        return case, {"amendments_noticed"}
    if name == "under review, ready":
        return under_review_with_findings(
            file_case(by=staff, respondent=organization), staff, respond_as=representative
        ), set()
    if name == "dismissed, nothing new":
        case = transition(
            file_case(by=staff, respondent=organization), "dismiss", staff, reason="Out of scope."
        )
        return case, {"new_evidence_since_closing"}
    if name == "dismissed, new evidence":
        case = transition(
            file_case(by=staff, respondent=organization), "dismiss", staff, reason="Out of scope."
        )
        add_fact_finding(case, staff)
        return case, set()
    raise AssertionError(name)


SCENARIOS = [
    "filed, all rules hold",
    "filed, retroactive principle",
    "filed, not a member, retroactive and late",
    "under review, just noticed",
    "under review, no evidence, window passed",
    "under review, amended after notice",
    "under review, ready",
    "dismissed, nothing new",
    "dismissed, new evidence",
]


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_the_checklist_the_actions_and_the_guard_give_the_same_reasons(
    staff, organization, representative, procedure, code, principle, scenario
):
    case, expected_unmet = _scenario(scenario, staff, organization, representative, code, principle)
    case = fresh(case)
    forward = workflow.FORWARD[case.state]

    checklist = workflow.checklist(case)
    assert [rule.key for rule, _ in checklist] == list(workflow.STEPS[forward].rules)
    unmet = [check.reason for _, check in checklist if not check.holds]
    assert {rule.key for rule, check in checklist if not check.holds} == expected_unmet
    assert all(check.reason for _, check in checklist)  # a met rule says why, too

    actions = {a.step.name: a for a in access.steps_offered(staff, case)}
    assert forward in actions
    assert [c.reason for c in actions[forward].unmet] == unmet
    assert actions[forward].ready == (not unmet)

    if unmet:
        assert refusal(case, forward, staff, reason="Because.") == unmet
    else:
        assert transition(case, forward, staff, reason="Because.").state != case.state


def this_issues_actions(case, user) -> list[str]:
    """The steps offered, among this issue's (the next issue adds the board's)."""
    return [
        a.step.name
        for a in access.steps_offered(user, fresh(case))
        if a.step.name in ALLOWED_SOURCES
    ]


EXPECTED_ACTIONS = {
    "filed": ["open_review", "dismiss", "withdraw"],
    "under_review": ["refer_to_board", "dismiss", "withdraw"],
    "dismissed": ["reopen"],
    "hearing": ["dismiss", "withdraw"],  # a case at its hearing may still end there
}


@pytest.mark.parametrize("state", ALL_STATES)
def test_the_actions_offered_are_the_steps_from_the_state_and_only_to_staff(
    staff,
    organization,
    procedure,
    principle,
    representative,
    board_member,
    panel_member,
    other_rep,
    state,
):
    case = case_in_state(state, staff, respondent=organization)

    offered = this_issues_actions(case, staff)

    assert offered == EXPECTED_ACTIONS.get(state, [])
    for user in (representative, board_member, panel_member, other_rep, None):
        assert this_issues_actions(case, user) == []
    if state not in workflow.FORWARD:
        assert workflow.checklist(fresh(case)) == []


def test_dismiss_and_withdraw_have_no_rules_but_a_reason(staff, case):
    actions = {a.step.name: a for a in access.steps_offered(staff, fresh(case))}

    assert actions["dismiss"].ready and actions["withdraw"].ready
    assert workflow.STEPS["dismiss"].reason_label
    assert workflow.STEPS["withdraw"].reason_label


def test_the_checklist_follows_the_case_as_it_moves(staff, case, representative):
    assert {r.key for r, _ in workflow.checklist(fresh(case))} == set(
        workflow.STEPS["open_review"].rules
    )
    case = open_review(case, staff)
    assert unmet_keys(case) >= {"response_or_window_passed", "review_report_written"}

    services.response_submit(case=fresh(case), by=representative, text="We disagree.")
    assert "response_or_window_passed" not in unmet_keys(case)
    record_findings(case, staff)
    assert "every_allegation_has_finding" not in unmet_keys(case)
    report(case, staff, single_source=True)

    assert unmet_keys(case) == set()
    case = transition(case, "refer_to_board", staff)
    shown_now = {r.key for r, _ in workflow.checklist(fresh(case))}
    assert shown_now.isdisjoint(workflow.STEPS["refer_to_board"].rules)


def test_a_forced_state_of_the_next_issue_offers_no_step_of_this_one(staff, case):
    case = force_state(case, CaseState.SANCTIONED)

    assert this_issues_actions(case, staff) == []
    with pytest.raises(TransitionRefused, match="sanctioned"):
        transition(case, "dismiss", staff, reason="Too late.")
