"""Staff cannot undo a case's sanction by changing membership status by hand: the
suspension ends on its own or on appeal, the expelled member waits for its
readmission-bar date. The case workflow's own changes are unaffected."""

from __future__ import annotations

import html

import pytest

from cases.models import Sanction, VoteChoice
from cases.services import deadlines
from members.models import MembershipStatus, Organization
from members.services import MembershipChangeRefused, membership_change
from tests.factories.dates import days, today
from tests.factories.members import member_snapshot, org_in_status
from tests.factories.scenes import decide_appeal, run_appeal, sanctioned_case

S = MembershipStatus


def by_hand(org, transition, staff, **kwargs):
    return membership_change(
        organization=org, transition=transition, by=staff, reason="Board minute 2026/31.", **kwargs
    )


def test_staff_cannot_reinstate_a_member_suspended_by_a_case(staff):
    bc = sanctioned_case(staff, "suspension", months=6)
    org = bc.organization
    sanction = Sanction.objects.get(case=bc.case)
    before = member_snapshot(org)

    with pytest.raises(MembershipChangeRefused) as refused:
        by_hand(org, "reinstate", staff)

    message = refused.value.messages[0]
    assert bc.case.number in message
    assert "suspension" in message
    assert f"{sanction.ends_on.day} {sanction.ends_on:%B %Y}" in message
    assert member_snapshot(org) == before


def test_the_deadline_job_still_ends_the_suspension_and_staff_may_act_after(staff):
    bc = sanctioned_case(staff, "suspension", months=2)
    org = bc.organization
    sanction = Sanction.objects.get(case=bc.case)
    deadlines.run(today=sanction.ends_on)
    org.refresh_from_db()
    assert org.status == S.ACTIVE
    # Served: a later suspension by hand and its reinstatement are staff's to make.
    by_hand(org, "suspend", staff, until=today() + days(30))
    by_hand(org, "reinstate", staff)
    org.refresh_from_db()
    assert org.status == S.ACTIVE


def test_staff_may_still_terminate_a_member_suspended_by_a_case(staff):
    bc = sanctioned_case(staff, "suspension", months=6)
    by_hand(bc.organization, "terminate", staff, until=today() + days(365))
    assert Organization.objects.get(pk=bc.organization.pk).status == S.TERMINATED


def test_a_member_suspended_by_hand_is_reinstated_by_hand(staff):
    org = org_in_status("suspended", suspended_until=today() + days(30))
    by_hand(org, "reinstate", staff)
    assert Organization.objects.get(pk=org.pk).status == S.ACTIVE


def test_staff_cannot_readmit_before_the_readmission_bar_of_a_case_expulsion(staff):
    bc = sanctioned_case(staff, "expulsion")
    org = bc.organization
    sanction = Sanction.objects.get(case=bc.case)
    before = member_snapshot(org)

    with pytest.raises(MembershipChangeRefused) as refused:
        by_hand(org, "readmit", staff)

    message = refused.value.messages[0]
    assert bc.case.number in message
    assert "expelled" in message
    assert f"{sanction.readmission_bar_until.day} {sanction.readmission_bar_until:%B %Y}" in message
    assert member_snapshot(org) == before


def test_readmission_from_the_readmission_bar_date_is_the_proper_route(staff):
    bc = sanctioned_case(staff, "expulsion")
    org = bc.organization
    # Time passes: the bar ends today.
    Sanction.objects.filter(case=bc.case).update(readmission_bar_until=today())
    Organization.objects.filter(pk=org.pk).update(readmission_bar_until=today())
    change = by_hand(org, "readmit", staff)
    assert (change.from_status, change.to_status) == (S.TERMINATED, S.ACTIVE)


def test_after_an_overturned_appeal_nothing_is_in_force(staff):

    bc = sanctioned_case(staff, "suspension", months=6)
    run_appeal(bc, VoteChoice.OVERTURN)
    decide_appeal(bc.case, staff, "Overturned.")
    org = Organization.objects.get(pk=bc.organization.pk)
    assert org.status == S.ACTIVE
    by_hand(org, "suspend", staff, until=today() + days(30))
    by_hand(org, "reinstate", staff)


def test_the_status_form_shows_the_refusal_and_keeps_what_staff_typed(client, staff):
    bc = sanctioned_case(staff, "suspension", months=6)
    org = bc.organization
    before = member_snapshot(org)
    client.force_login(staff)
    typed = "The member says it has fixed its adverts."

    response = client.post(
        f"/register/{org.slug}/status/", {"transition": "reinstate", "reason": typed}
    )

    assert response.status_code == 400
    page = html.unescape(response.content.decode())
    assert f"by the suspension decided in case {bc.case.number}" in page
    assert typed in page
    assert '<option value="reinstate" selected>' in page
    assert member_snapshot(org) == before
