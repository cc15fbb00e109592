"""Sanctions and membership (DESIGN.md "Sanctions and membership"): what a decision,
an appeal and the deadline job do to the organization's status and its history."""

from __future__ import annotations

import datetime

import pytest

from cases import outcomes
from cases.models import AppealOutcome, Sanction, SanctionTiming, VoteChoice
from cases.services import ballots, deadlines
from cases.services.sanctions import _add_months
from cases.workflow import CaseState
from members.models import MembershipStatus, StatusChange
from tests.factories.cases import adopt_procedure, events, fresh
from tests.factories.dates import days, today
from tests.factories.people import panel_members
from tests.factories.scenes import (
    appeal_ballot,
    board_ballot,
    decide_appeal,
    file_appeal,
    sanctioned_case,
    vote,
)

V = VoteChoice


def history(org):
    return list(StatusChange.objects.filter(organization=org).order_by("changed_at", "pk"))


def run_appeal(bc, choice: str, *, sanction: str = "", months=None, panel: int = 3):
    """The respondent appeals; the panel votes `choice`; staff close the panel's ballot."""
    bc.panel = panel_members(panel)
    file_appeal(bc.case, bc.rep)
    for member in bc.panel:
        vote(bc.case, member, choice, sanction, months)
    ballots.appeal_ballot_close(case=fresh(bc.case), by=bc.staff)
    return appeal_ballot(bc.case)


# ---------------------------------------------------------------------------
# Warnings and censures
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["warning", "censure"])
def test_warning_and_censure_stay_on_the_record_without_changing_status(staff, kind):
    bc = sanctioned_case(staff, kind)
    org = bc.organization
    org.refresh_from_db()
    assert org.status == MembershipStatus.ACTIVE
    assert not StatusChange.objects.filter(organization=org).exists()
    sanction = Sanction.objects.get(case=bc.case)
    assert sanction.kind == kind and sanction.in_force
    assert sanction.ends_on is None and sanction.readmission_bar_until is None
    assert list(org.cases.filter(sanctions__kind=kind)) == [bc.case]


# ---------------------------------------------------------------------------
# Suspension
# ---------------------------------------------------------------------------


def test_suspension_sets_suspended_until_its_end_with_a_history_row_linked_to_the_case(staff):
    bc = sanctioned_case(staff, "suspension", months=3)
    sanction = Sanction.objects.get(case=bc.case)
    assert sanction.effective_on == today()
    assert sanction.ends_on == _add_months(today(), 3)
    assert sanction.applied_at is not None
    org = bc.organization
    org.refresh_from_db()
    assert org.status == MembershipStatus.SUSPENDED
    assert org.suspended_until == sanction.ends_on
    change = StatusChange.objects.get(organization=org)
    assert (change.from_status, change.to_status) == ("active", "suspended")
    assert change.case == bc.case
    assert bc.case.number in change.reason
    assert change.changed_by == staff
    assert list(bc.case.status_changes.all()) == [change]


def test_the_deadline_job_ends_a_suspension_on_its_end_date(staff):
    bc = sanctioned_case(staff, "suspension", months=2)
    sanction = Sanction.objects.get(case=bc.case)
    org = bc.organization

    deadlines.run(today=sanction.ends_on - days(1))
    org.refresh_from_db()
    assert org.status == MembershipStatus.SUSPENDED  # not before its end

    done = deadlines.run(today=sanction.ends_on)
    org.refresh_from_db()
    assert done["suspensions ended"] == 1
    assert org.status == MembershipStatus.ACTIVE and org.suspended_until is None
    last = history(org)[-1]
    assert (last.from_status, last.to_status) == ("suspended", "active")
    assert last.case == bc.case and last.changed_by is None
    assert "ended" in last.reason
    ended = events(bc.case).get(kind="suspension_ended")
    assert ended.actor is None
    sanction.refresh_from_db()
    assert sanction.ended_at is not None and not sanction.in_force

    again = deadlines.run(today=sanction.ends_on + days(1))
    assert again["suspensions ended"] == 0
    assert len(history(org)) == 2


def test_the_suspension_length_comes_from_the_votes(staff):
    bc = sanctioned_case(staff, "suspension", months=12, board=3)
    assert board_ballot(bc.case).suspension_months == 12
    assert Sanction.objects.get(case=bc.case).ends_on == _add_months(today(), 12)


# ---------------------------------------------------------------------------
# Expulsion
# ---------------------------------------------------------------------------


def test_expulsion_terminates_with_a_readmission_bar(staff):
    bc = sanctioned_case(staff, "expulsion")
    procedure = bc.case.procedure
    sanction = Sanction.objects.get(case=bc.case)
    expected_bar = sanction.effective_on + datetime.timedelta(days=procedure.readmission_bar_days)
    assert sanction.readmission_bar_until == expected_bar
    org = bc.organization
    org.refresh_from_db()
    assert org.status == MembershipStatus.TERMINATED
    assert org.readmission_bar_until == expected_bar
    change = StatusChange.objects.get(organization=org)
    assert (change.from_status, change.to_status, change.case) == (
        "active", "terminated", bc.case,
    )


def test_the_readmission_bar_follows_the_procedure(staff):
    adopt_procedure(readmission_bar_days=730)
    bc = sanctioned_case(staff, "expulsion")
    assert bc.case.procedure.readmission_bar_days == 730
    org = bc.organization
    org.refresh_from_db()
    assert org.readmission_bar_until == today() + days(730)


# ---------------------------------------------------------------------------
# Appeals change the sanction
# ---------------------------------------------------------------------------


def test_an_overturned_appeal_restores_active_and_records_why(staff):
    bc = sanctioned_case(staff, "expulsion")
    run_appeal(bc, V.OVERTURN)
    case = decide_appeal(bc.case, staff, "The finding rested on a misdated document.")
    assert case.state == CaseState.CLOSED
    assert case.appeal.outcome == AppealOutcome.OVERTURNED
    org = bc.organization
    org.refresh_from_db()
    assert org.status == MembershipStatus.ACTIVE
    assert org.readmission_bar_until is None
    restored = history(org)[-1]
    assert (restored.from_status, restored.to_status) == ("terminated", "active")
    assert restored.case == case
    assert "The finding rested on a misdated document." in restored.reason
    sanction = Sanction.objects.get(case=case)
    assert sanction.rescinded_at is not None
    assert sanction.rescinded_reason == "The finding rested on a misdated document."
    assert outcomes.current_sanction(case) is None


def test_an_overturned_suspension_restores_active(staff):
    bc = sanctioned_case(staff, "suspension", months=6)
    run_appeal(bc, V.OVERTURN)
    decide_appeal(bc.case, staff, "Procedural unfairness.")
    org = bc.organization
    org.refresh_from_db()
    assert org.status == MembershipStatus.ACTIVE and org.suspended_until is None
    assert [(c.from_status, c.to_status) for c in history(org)] == [
        ("active", "suspended"), ("suspended", "active"),
    ]
    assert all(c.case_id == bc.case.pk for c in history(org))


def test_a_modified_appeal_replaces_the_sanction_with_a_lesser_one(staff):
    bc = sanctioned_case(staff, "expulsion")
    original = Sanction.objects.get(case=bc.case)
    run_appeal(bc, V.MODIFY, sanction="suspension", months=4)
    case = decide_appeal(bc.case, staff, "Expulsion is disproportionate for a first breach.")
    assert case.appeal.outcome == AppealOutcome.MODIFIED
    original.refresh_from_db()
    assert original.rescinded_at is not None
    replacement = outcomes.current_sanction(case)
    assert replacement.kind == "suspension"
    assert replacement.replaces == original
    assert original.replaced_by == replacement
    assert replacement.ballot == appeal_ballot(case)
    assert replacement.ends_on == _add_months(today(), 4)
    org = bc.organization
    org.refresh_from_db()
    assert org.status == MembershipStatus.SUSPENDED
    assert org.suspended_until == replacement.ends_on
    assert org.readmission_bar_until is None
    assert [(c.from_status, c.to_status) for c in history(org)] == [
        ("active", "terminated"), ("terminated", "active"), ("active", "suspended"),
    ]


def test_an_upheld_appeal_keeps_the_sanction(staff):
    bc = sanctioned_case(staff, "suspension", months=6)
    run_appeal(bc, V.UPHOLD)
    case = decide_appeal(bc.case, staff, "The decision was sound.")
    assert case.appeal.outcome == AppealOutcome.UPHELD
    assert case.state == CaseState.CLOSED
    sanction = Sanction.objects.get(case=case)
    assert sanction.in_force
    org = bc.organization
    org.refresh_from_db()
    assert org.status == MembershipStatus.SUSPENDED
    assert len(history(org)) == 1


# ---------------------------------------------------------------------------
# Sanctions that take effect after the appeal window
# ---------------------------------------------------------------------------


def test_after_the_appeal_window_the_status_changes_only_when_the_window_has_passed(staff):
    adopt_procedure(sanction_takes_effect=SanctionTiming.AFTER_APPEAL_WINDOW)
    bc = sanctioned_case(staff, "expulsion")
    case = bc.case
    sanction = Sanction.objects.get(case=case)
    assert sanction.effective_on == case.appeal_deadline + days(1)
    assert sanction.applied_at is None
    org = bc.organization
    org.refresh_from_db()
    assert org.status == MembershipStatus.ACTIVE  # nothing at the decision
    assert not StatusChange.objects.filter(organization=org).exists()

    # Not yet: within the window, the job leaves it alone.
    deadlines.run()
    org.refresh_from_db()
    assert org.status == MembershipStatus.ACTIVE

    # Time passes: the window closed yesterday and the sanction is effective today.
    shift = case.appeal_deadline - today() + days(1)
    type(case).objects.filter(pk=case.pk).update(appeal_deadline=case.appeal_deadline - shift)
    Sanction.objects.filter(pk=sanction.pk).update(
        effective_on=sanction.effective_on - shift,
        readmission_bar_until=sanction.readmission_bar_until - shift,
    )
    done = deadlines.run()
    case = fresh(case)
    assert case.state == CaseState.CLOSED  # finalize closes the case
    assert done["cases finalized"] == 1
    org.refresh_from_db()
    assert org.status == MembershipStatus.TERMINATED
    assert org.readmission_bar_until == today() + days(case.procedure.readmission_bar_days)
    change = StatusChange.objects.get(organization=org)
    assert change.case == case and change.changed_by is None
    sanction.refresh_from_db()
    assert sanction.applied_at is not None
    applied = events(case).get(kind="sanction_applied")
    assert applied.actor is None

    deadlines.run()
    assert StatusChange.objects.filter(organization=org).count() == 1


def test_after_the_appeal_window_an_overturned_appeal_never_changes_status(staff):
    adopt_procedure(sanction_takes_effect=SanctionTiming.AFTER_APPEAL_WINDOW)
    bc = sanctioned_case(staff, "suspension", months=3)
    run_appeal(bc, V.OVERTURN)
    decide_appeal(bc.case, staff, "No breach was shown.")
    org = bc.organization
    org.refresh_from_db()
    assert org.status == MembershipStatus.ACTIVE
    assert not StatusChange.objects.filter(organization=org).exists()
    sanction = Sanction.objects.get(case=bc.case)
    assert sanction.applied_at is None and sanction.rescinded_at is not None
    deadlines.run(today=sanction.effective_on)
    org.refresh_from_db()
    assert org.status == MembershipStatus.ACTIVE


def test_after_the_appeal_window_an_upheld_appeal_applies_the_sanction_at_the_decision(staff):
    adopt_procedure(sanction_takes_effect=SanctionTiming.AFTER_APPEAL_WINDOW)
    bc = sanctioned_case(staff, "suspension", months=3)
    org = bc.organization
    org.refresh_from_db()
    assert org.status == MembershipStatus.ACTIVE
    run_appeal(bc, V.UPHOLD)
    decide_appeal(bc.case, staff, "The decision was sound.")
    org.refresh_from_db()
    assert org.status == MembershipStatus.SUSPENDED
    sanction = Sanction.objects.get(case=bc.case)
    assert sanction.effective_on == today()
    assert StatusChange.objects.get(organization=org).case == bc.case


def test_after_the_appeal_window_an_upheld_suspension_runs_its_length_from_when_it_starts(staff):
    adopt_procedure(sanction_takes_effect=SanctionTiming.AFTER_APPEAL_WINDOW)
    bc = sanctioned_case(staff, "suspension", months=3)
    run_appeal(bc, V.UPHOLD)
    decide_appeal(bc.case, staff, "The decision was sound.")
    sanction = Sanction.objects.get(case=bc.case)
    assert sanction.effective_on == today()
    assert sanction.ends_on == _add_months(sanction.effective_on, 3)
