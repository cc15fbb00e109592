"""Sanctions a member can comply with (docs/decisions/0018): a fine, required
education and conditions imposed beside the ladder's sanction; the representative's
proof, the staff's record of compliance; the deadline job's reminder, overdue flag
and consequence, each once; compliance restores the membership."""

from __future__ import annotations

import hashlib
from decimal import Decimal

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError

from cases.models import (
    Compliance,
    ComplianceProof,
    Letter,
    LetterKind,
    NonComplianceConsequence,
    Reminder,
    SanctionKind,
    Vote,
    VoteChoice,
)
from cases.services import (
    compliance_proof_accept,
    compliance_proof_upload,
    compliance_record,
    deadlines,
)
from members.models import DuesInvoice, MembershipStatus
from members.services import MembershipChangeRefused, membership_change
from tests.factories.cases import adopt_procedure, event_kinds, events, fresh, pdf
from tests.factories.compliance import (
    COURSE,
    FINE,
    PROBATION,
    compliance_of,
    decided_with,
    vote_with,
)
from tests.factories.dates import days, today
from tests.factories.scenes import decide_appeal, run_appeal, seated_voters, setup_board_case

S = SanctionKind


def status(org) -> str:
    org.refresh_from_db()
    return org.status


# ---------------------------------------------------------------------------
# One decision, several sanctions
# ---------------------------------------------------------------------------


def test_a_censure_with_a_fine_and_a_course_is_one_decision_of_three_sanctions(staff, settings):
    settings.PROBITY_CURRENCY = "CHF"
    bc = decided_with(staff, {**FINE, **COURSE})
    kinds = sorted(bc.case.sanctions.values_list("kind", flat=True))
    assert kinds == ["censure", "education", "fine"]
    fine = compliance_of(bc.case, S.FINE)
    assert fine.sanction.amount == Decimal("500.00") and fine.sanction.currency == "CHF"
    assert fine.sanction.amount_display == "CHF 500.00"
    assert fine.due_on == today() + days(30)
    course = compliance_of(bc.case, S.EDUCATION)
    assert course.due_on == today() + days(60)
    assert "honest advertising" in course.sanction.terms
    imposed = [e.payload for e in events(bc.case) if e.kind == "compliance_sanction_imposed"]
    assert {p["kind"] for p in imposed} == {"fine", "education"}
    assert status(bc.organization) == MembershipStatus.ACTIVE


def test_conditions_run_their_months_and_name_who_checks(staff):
    bc = decided_with(staff, PROBATION)
    conditions = compliance_of(bc.case, S.CONDITIONS).sanction
    assert conditions.period_months == 12 and conditions.checked_by == "The case officer"
    assert "cleared with the ethics staff" in conditions.requirement


def test_no_compliance_sanction_goes_with_an_expulsion(staff):
    bc = decided_with(staff, FINE, sanction=S.EXPULSION)
    assert list(bc.case.sanctions.values_list("kind", flat=True)) == ["expulsion"]


@pytest.mark.parametrize(
    "compliance, message",
    [
        ({"fine": {"amount": ""}}, "amount"),
        ({"fine": {"amount": "-5"}}, "amount"),
        ({"education": {"what": " "}}, "say what it is"),
        ({"conditions": {"terms": "No adverts", "months": "0"}}, "1 to 60 months"),
        ({"conditions": {"terms": "", "months": 6}}, "state the conditions"),
        ({"fine": {"amount": "10", "due_days": "9999"}}, "1 to 730 days"),
    ],
)
def test_a_vote_with_incomplete_terms_is_refused_and_writes_nothing(staff, compliance, message):
    bc = setup_board_case(staff, board=3)
    voter = seated_voters(bc.case)[0]
    with pytest.raises(ValidationError) as exc:
        vote_with(bc.case, voter, S.CENSURE, compliance)
    assert message in " ".join(exc.value.messages)
    assert not Vote.objects.filter(ballot__case=bc.case).exists()


def test_a_vote_against_a_violation_carries_no_compliance_sanction(staff):
    from cases.services import ballots

    bc = setup_board_case(staff, board=3)
    voter = seated_voters(bc.case)[0]
    v = ballots.vote_cast(
        case=fresh(bc.case), voter=voter, choice=VoteChoice.NO_VIOLATION, compliance=FINE
    )
    assert v.compliance == {}


# ---------------------------------------------------------------------------
# The deadline job: reminder, overdue, consequence, each once
# ---------------------------------------------------------------------------


def test_the_member_is_reminded_once_before_the_due_date(staff, django_capture_on_commit_callbacks):
    bc = decided_with(staff, FINE)
    due = compliance_of(bc.case, S.FINE).due_on
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        deadlines.run(due - days(15))  # before the 14 days of the default procedure
    assert not Reminder.objects.filter(case=bc.case, kind="compliance_due").exists()
    with django_capture_on_commit_callbacks(execute=True):
        deadlines.run(due - days(14))
    with django_capture_on_commit_callbacks(execute=True):
        deadlines.run(due - days(10))
    assert Reminder.objects.filter(case=bc.case, kind="compliance_due").count() == 1
    reminders = [m for m in mail.outbox if "Due by" in m.subject]
    assert len(reminders) == 1
    assert "EUR 500.00" in reminders[0].body and bc.rep.email in reminders[0].to
    assert compliance_of(bc.case, S.FINE).reminded_at is not None


def test_an_unpaid_fine_suspends_the_member_once_and_paying_restores_it(staff):
    bc = decided_with(staff, FINE)
    org = bc.organization
    due = compliance_of(bc.case, S.FINE).due_on
    deadlines.run(due)  # due today: not yet overdue
    assert status(org) == MembershipStatus.ACTIVE and org.in_default_since is None
    first = deadlines.run(due + days(1))
    assert first["compliance overdue"] == 1
    deadlines.run(due + days(2))
    assert status(org) == MembershipStatus.SUSPENDED and org.suspended_until is None
    assert org.in_default_since == due + days(1)
    kinds = event_kinds(bc.case)
    assert kinds.count("compliance_overdue") == 1
    assert kinds.count("non_compliance_consequence_applied") == 1
    assert Letter.objects.filter(case=bc.case, kind=LetterKind.NON_COMPLIANCE).count() == 1
    assert org.status_history.filter(case=bc.case, to_status="suspended").count() == 1

    compliance_record(
        case=fresh(bc.case),
        sanction_id=compliance_of(bc.case, S.FINE).sanction_id,
        complied_on=today(),
        note="Bank transfer received",
        by=staff,
    )
    assert status(org) == MembershipStatus.ACTIVE and org.in_default_since is None
    assert event_kinds(bc.case).count("compliance_restored") == 1
    assert compliance_of(bc.case, S.FINE).restored_at is not None
    deadlines.run(due + days(3))  # nothing owed: nothing more happens
    assert status(org) == MembershipStatus.ACTIVE
    assert event_kinds(bc.case).count("compliance_overdue") == 1


def test_paying_returns_a_member_with_overdue_dues_to_lapsed(staff):
    bc = decided_with(staff, FINE)
    org = bc.organization
    due = compliance_of(bc.case, S.FINE).due_on
    deadlines.run(due + days(1))
    DuesInvoice.objects.create(
        organization=org,
        year=today().year,
        amount=100,
        issued_on=today() - days(40),
        due_on=today() - days(1),
    )
    compliance_record(
        case=fresh(bc.case),
        sanction_id=compliance_of(bc.case, S.FINE).sanction_id,
        complied_on=today(),
        by=staff,
    )
    assert status(org) == MembershipStatus.LAPSED


def test_a_member_in_default_on_two_requirements_stays_suspended_until_both_are_met(staff):
    bc = decided_with(staff, {**FINE, **COURSE})
    org = bc.organization
    deadlines.run(compliance_of(bc.case, S.EDUCATION).due_on + days(1))  # both overdue
    assert status(org) == MembershipStatus.SUSPENDED
    assert Letter.objects.filter(case=bc.case, kind=LetterKind.NON_COMPLIANCE).count() == 2
    fine = compliance_of(bc.case, S.FINE)
    compliance_record(
        case=fresh(bc.case), sanction_id=fine.sanction_id, complied_on=today(), by=staff
    )
    assert status(org) == MembershipStatus.SUSPENDED
    with pytest.raises(MembershipChangeRefused, match="until it complies with the required"):
        membership_change(organization=org, transition="reinstate", by=staff, reason="Paid.")
    course = compliance_of(bc.case, S.EDUCATION)
    compliance_record(
        case=fresh(bc.case), sanction_id=course.sanction_id, complied_on=today(), by=staff
    )
    assert status(org) == MembershipStatus.ACTIVE


def test_a_member_in_default_stays_suspended_when_the_case_suspension_ends(staff):
    bc = decided_with(
        staff, {"fine": {"amount": "300", "due_days": 10}}, sanction=S.SUSPENSION, months=1
    )
    org = bc.organization
    suspension = bc.case.sanctions.get(kind=S.SUSPENSION)
    deadlines.run(today() + days(11))  # the fine is overdue while the member is suspended
    assert compliance_of(bc.case, S.FINE).consequence_applied_at is not None
    deadlines.run(suspension.ends_on)
    assert status(org) == MembershipStatus.SUSPENDED  # the fine still holds it
    fine = compliance_of(bc.case, S.FINE)
    compliance_record(
        case=fresh(bc.case), sanction_id=fine.sanction_id, complied_on=today(), by=staff
    )
    assert status(org) == MembershipStatus.ACTIVE


def test_a_member_no_longer_in_the_association_is_not_suspended_for_a_default(staff):
    bc = decided_with(staff, FINE)
    org = bc.organization
    membership_change(organization=org, transition="resign", by=staff, reason="Left.")
    deadlines.run(compliance_of(bc.case, S.FINE).due_on + days(1))
    assert status(org) == MembershipStatus.RESIGNED
    assert "sanction_not_applicable" in event_kinds(bc.case)
    assert compliance_of(bc.case, S.FINE).consequence_applied_at is None
    assert org.in_default_since is not None  # the default is on the register all the same


def test_with_no_consequence_the_default_is_flagged_and_the_membership_kept(staff):
    adopt_procedure(non_compliance_consequence=NonComplianceConsequence.NONE)
    bc = decided_with(staff, FINE)
    org = bc.organization
    deadlines.run(compliance_of(bc.case, S.FINE).due_on + days(1))
    assert status(org) == MembershipStatus.ACTIVE
    assert org.in_default_since is not None
    assert "non_compliance_consequence_applied" not in event_kinds(bc.case)
    assert Letter.objects.filter(case=bc.case, kind=LetterKind.NON_COMPLIANCE).count() == 1


def test_a_requirement_met_in_time_is_never_flagged(staff):
    bc = decided_with(staff, FINE)
    fine = compliance_of(bc.case, S.FINE)
    compliance_record(
        case=fresh(bc.case), sanction_id=fine.sanction_id, complied_on=today(), by=staff
    )
    deadlines.run(fine.due_on + days(5))
    assert status(bc.organization) == MembershipStatus.ACTIVE
    assert "compliance_overdue" not in event_kinds(bc.case)


# ---------------------------------------------------------------------------
# Proof and the record of compliance
# ---------------------------------------------------------------------------


def test_the_representative_sends_proof_and_staff_accept_it(staff):
    bc = decided_with(staff, COURSE)
    course = compliance_of(bc.case, S.EDUCATION)
    upload = pdf("certificate.pdf")
    content = upload.read()
    upload.seek(0)
    proof = compliance_proof_upload(
        case=fresh(bc.case),
        sanction_id=course.sanction_id,
        file=upload,
        description="Certificate of completion",
        by=bc.rep,
    )
    assert proof.sha256 == hashlib.sha256(content).hexdigest()
    assert proof.file.read() == content
    uploaded = [e.payload for e in events(bc.case) if e.kind == "compliance_proof_uploaded"]
    assert uploaded[0]["sha256"] == proof.sha256
    assert compliance_of(bc.case, S.EDUCATION).complied_on is None  # staff have not accepted

    compliance_proof_accept(case=fresh(bc.case), proof_id=proof.pk, complied_on=today(), by=staff)
    proof.refresh_from_db()
    assert proof.accepted_by == staff
    recorded = compliance_of(bc.case, S.EDUCATION)
    assert recorded.complied_on == today() and recorded.recorded_by == staff
    assert [e.payload["proof"] for e in events(bc.case) if e.kind == "compliance_recorded"] == [
        proof.pk
    ]


def test_only_staff_record_compliance_and_only_the_respondent_sends_proof(staff):
    bc = decided_with(staff, FINE)
    fine = compliance_of(bc.case, S.FINE)
    with pytest.raises(PermissionDenied):
        compliance_record(
            case=fresh(bc.case), sanction_id=fine.sanction_id, complied_on=today(), by=bc.rep
        )
    with pytest.raises(PermissionDenied):
        compliance_proof_upload(
            case=fresh(bc.case), sanction_id=fine.sanction_id, file=pdf(), description="", by=staff
        )
    assert compliance_of(bc.case, S.FINE).complied_on is None
    assert not ComplianceProof.objects.exists()


@pytest.mark.parametrize(
    "when, message", [(days(1), "in the future"), (-days(400), "before the decision")]
)
def test_a_compliance_date_in_the_future_or_before_the_decision_is_refused(staff, when, message):
    bc = decided_with(staff, FINE)
    fine = compliance_of(bc.case, S.FINE)
    with pytest.raises(ValidationError, match=message):
        compliance_record(
            case=fresh(bc.case), sanction_id=fine.sanction_id, complied_on=today() + when, by=staff
        )
    assert Compliance.objects.get(pk=fine.pk).complied_on is None


def test_compliance_is_recorded_once(staff):
    bc = decided_with(staff, FINE)
    fine = compliance_of(bc.case, S.FINE)
    compliance_record(
        case=fresh(bc.case), sanction_id=fine.sanction_id, complied_on=today(), by=staff
    )
    with pytest.raises(ValidationError, match="already recorded"):
        compliance_record(
            case=fresh(bc.case), sanction_id=fine.sanction_id, complied_on=today(), by=staff
        )


# ---------------------------------------------------------------------------
# Appeals
# ---------------------------------------------------------------------------


def test_an_overturned_appeal_lifts_the_fine_and_ends_its_suspension(staff):
    adopt_procedure(appeal_window_days=60)  # the fine falls due before the window closes
    bc = decided_with(staff, FINE)
    org = bc.organization
    deadlines.run(compliance_of(bc.case, S.FINE).due_on + days(1))
    assert status(org) == MembershipStatus.SUSPENDED
    run_appeal(bc, VoteChoice.OVERTURN)
    decide_appeal(bc.case, staff)
    assert compliance_of(bc.case, S.FINE).sanction.rescinded_at is not None
    assert status(org) == MembershipStatus.ACTIVE and org.in_default_since is None


def test_an_upheld_appeal_keeps_the_fine(staff):
    bc = decided_with(staff, FINE)
    run_appeal(bc, VoteChoice.UPHOLD)
    decide_appeal(bc.case, staff)
    fine = compliance_of(bc.case, S.FINE)
    assert fine.sanction.rescinded_at is None and fine.outstanding
