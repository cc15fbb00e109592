"""A sanction is not dodged by lapsing or resigning (docs/decisions/0005): a lapsed
member serves its suspension and comes back active only with its dues paid; a member
that resigned during the case is expelled all the same, with its readmission bar."""

from __future__ import annotations

import pytest

from cases.models import Sanction, SanctionTiming, VoteChoice
from cases.services import deadlines
from members.models import MembershipStatus, StatusChange
from members.services import MembershipChangeRefused, dues_record_payment, membership_change
from tests.factories.cases import adopt_procedure, event_kinds, events, fresh
from tests.factories.dates import days, today
from tests.factories.members import DuesInvoiceFactory
from tests.factories.scenes import (
    close_ballot,
    decide_appeal,
    run_appeal,
    sanctioned_case,
    seated_voters,
    setup_board_case,
    votes_for,
)

S = MembershipStatus


def history(org):
    return [
        (c.from_status, c.to_status, c.case_id)
        for c in StatusChange.objects.filter(organization=org).order_by("changed_at", "pk")
    ]


def unpaid_invoice(org):
    """Last year's dues, unpaid past their due date."""
    return DuesInvoiceFactory(organization=org, year=today().year - 1)


def lapse(org, staff):
    membership_change(organization=org, transition="lapse", by=staff, reason="Dues unpaid.")


def resign(org, staff):
    membership_change(
        organization=org, transition="resign", by=staff, reason="Resignation letter of today."
    )


def decide(bc, sanction: str, months: int | None = None):
    votes_for(bc.case, seated_voters(bc.case), sanction, months)
    close_ballot(bc.case, bc.staff)
    bc.refresh()
    return Sanction.objects.get(case=bc.case)


# ---------------------------------------------------------------------------
# A lapsed member is suspended all the same
# ---------------------------------------------------------------------------


def test_a_lapsed_member_is_suspended_by_the_decision(staff):
    bc = setup_board_case(staff, board=3)
    org = bc.organization
    unpaid_invoice(org)
    lapse(org, staff)  # while the board is voting

    sanction = decide(bc, "suspension", 3)

    org.refresh_from_db()
    assert org.status == S.SUSPENDED
    assert org.suspended_until == sanction.ends_on
    assert history(org)[-1] == (S.LAPSED, S.SUSPENDED, bc.case.pk)
    assert "sanction_not_applicable" not in event_kinds(bc.case)
    assert sanction.applied_at is not None


def test_a_suspension_served_with_dues_still_unpaid_ends_in_lapsed(staff):
    bc = setup_board_case(staff, board=3)
    org = bc.organization
    invoice = unpaid_invoice(org)
    lapse(org, staff)
    sanction = decide(bc, "suspension", 2)

    done = deadlines.run(today=sanction.ends_on)

    assert done["suspensions ended"] == 1
    org.refresh_from_db()
    assert org.status == S.LAPSED and org.suspended_until is None
    last = StatusChange.objects.filter(organization=org).first()
    assert (last.from_status, last.to_status, last.case) == (S.SUSPENDED, S.LAPSED, bc.case)
    assert "dues are overdue" in last.reason
    assert events(bc.case).get(kind="suspension_ended").payload["status"] == S.LAPSED
    # Paying the dues then restores the membership, as for any lapsed member.
    dues_record_payment(invoice=invoice, paid_on=today(), by=staff)
    org.refresh_from_db()
    assert org.status == S.ACTIVE


def test_dues_paid_during_the_suspension_mean_it_ends_in_active(staff):
    bc = setup_board_case(staff, board=3)
    org = bc.organization
    invoice = unpaid_invoice(org)
    lapse(org, staff)
    sanction = decide(bc, "suspension", 2)

    dues_record_payment(invoice=invoice, paid_on=today(), by=staff)
    org.refresh_from_db()
    assert org.status == S.SUSPENDED  # paying does not cut the suspension short

    deadlines.run(today=sanction.ends_on)
    org.refresh_from_db()
    assert org.status == S.ACTIVE
    assert history(org)[-1] == (S.SUSPENDED, S.ACTIVE, bc.case.pk)


def test_an_active_member_whose_dues_fell_overdue_while_suspended_ends_in_lapsed(staff):
    bc = sanctioned_case(staff, "suspension", months=2)
    sanction = Sanction.objects.get(case=bc.case)
    org = bc.organization
    # This year's invoice falls due during the suspension and is not paid.
    DuesInvoiceFactory(
        organization=org, year=today().year, issued_on=today(), due_on=today() + days(30)
    )
    deadlines.run(today=sanction.ends_on)
    org.refresh_from_db()
    assert org.status == S.LAPSED


def test_an_overturned_suspension_of_a_lapsed_member_returns_it_to_lapsed(staff):
    bc = setup_board_case(staff, board=3)
    org = bc.organization
    unpaid_invoice(org)
    lapse(org, staff)
    decide(bc, "suspension", 6)
    run_appeal(bc, VoteChoice.OVERTURN)
    decide_appeal(bc.case, staff, "The board misread the evidence.")
    org.refresh_from_db()
    assert org.status == S.LAPSED
    assert history(org)[-1] == (S.SUSPENDED, S.LAPSED, bc.case.pk)


def test_an_overturned_suspension_hands_back_the_status_a_suspensions_end_would(staff):
    """One rule for both ways out of a sanction: an active member whose dues fell
    overdue during the case is lapsed, whether the suspension ends or is overturned."""
    bc = setup_board_case(staff, board=3)
    org = bc.organization
    decide(bc, "suspension", 6)
    assert fresh(bc.case).respondent.status == S.SUSPENDED
    unpaid_invoice(org)
    run_appeal(bc, VoteChoice.OVERTURN)
    decide_appeal(bc.case, staff, "The board misread the evidence.")
    org.refresh_from_db()
    assert org.status == S.LAPSED
    assert history(org)[-1] == (S.SUSPENDED, S.LAPSED, bc.case.pk)


# ---------------------------------------------------------------------------
# A member that resigned is expelled all the same
# ---------------------------------------------------------------------------


def test_a_member_that_resigned_during_the_case_is_expelled_with_a_readmission_bar(staff):
    bc = setup_board_case(staff, board=3)
    org = bc.organization
    resign(org, staff)

    sanction = decide(bc, "expulsion")

    org.refresh_from_db()
    assert org.status == S.TERMINATED
    assert sanction.readmission_bar_until == today() + days(bc.case.procedure.readmission_bar_days)
    assert org.readmission_bar_until == sanction.readmission_bar_until
    change = StatusChange.objects.filter(organization=org).first()
    assert (change.from_status, change.to_status, change.case) == (
        S.RESIGNED,
        S.TERMINATED,
        bc.case,
    )
    assert bc.case.number in change.reason
    assert "sanction_not_applicable" not in event_kinds(bc.case)


def test_resigning_after_the_decision_does_not_escape_an_expulsion_that_waits_for_the_window(
    staff,
):
    adopt_procedure(sanction_takes_effect=SanctionTiming.AFTER_APPEAL_WINDOW)
    bc = sanctioned_case(staff, "expulsion")
    org = bc.organization
    resign(org, staff)
    sanction = Sanction.objects.get(case=bc.case)

    deadlines.run(today=sanction.effective_on)

    org.refresh_from_db()
    assert org.status == S.TERMINATED
    assert org.readmission_bar_until == sanction.readmission_bar_until
    assert history(org)[-1] == (S.RESIGNED, S.TERMINATED, bc.case.pk)


def test_an_overturned_expulsion_of_a_member_that_resigned_leaves_it_resigned(staff):
    bc = setup_board_case(staff, board=3)
    org = bc.organization
    resign(org, staff)
    decide(bc, "expulsion")
    run_appeal(bc, VoteChoice.OVERTURN)
    decide_appeal(fresh(bc.case), staff, "The conduct predates the principle.")
    org.refresh_from_db()
    assert org.status == S.RESIGNED and org.readmission_bar_until is None
    assert history(org)[-1] == (S.TERMINATED, S.RESIGNED, bc.case.pk)


def test_a_suspension_still_cannot_apply_to_a_member_that_resigned(staff):
    bc = setup_board_case(staff, board=3)
    org = bc.organization
    resign(org, staff)
    decide(bc, "suspension", 3)
    org.refresh_from_db()
    assert org.status == S.RESIGNED
    why = events(bc.case).get(kind="sanction_not_applicable").payload["why"]
    assert "resigned" in why


# ---------------------------------------------------------------------------
# Only a case takes these routes
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "transition"),
    [("lapsed", "suspend_lapsed"), ("resigned", "expel_after_resignation")],
)
def test_staff_cannot_take_the_sanction_only_routes_by_hand(staff, status, transition):
    bc = setup_board_case(staff, board=1)
    org = bc.organization
    if status == "lapsed":
        lapse(org, staff)
    else:
        resign(org, staff)
    with pytest.raises(MembershipChangeRefused):
        membership_change(
            organization=org,
            transition=transition,
            by=staff,
            reason="By hand.",
            until=today() + days(90),
        )
    org.refresh_from_db()
    assert org.status == status
    with pytest.raises(MembershipChangeRefused):
        membership_change(
            organization=org,
            transition="terminate" if status == "resigned" else "suspend",
            by=staff,
            reason="By hand.",
            until=today() + days(90),
        )
