"""The membership state machine, driven through members.services.membership_change."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied

from members.models import MembershipStatus, Organization, StatusChange
from members.services import MembershipChangeRefused, membership_change
from members.status import MEMBERSHIP_TRANSITIONS
from tests.factories.dates import days, shown, today
from tests.factories.members import (
    ALL_STATUSES,
    MEMBERSHIP_SOURCES,
    MEMBERSHIP_TARGETS,
    OrganizationFactory,
    RepresentativeFactory,
    member_snapshot,
    org_in_status,
)
from tests.factories.people import UserFactory

ALLOWED = [(t, s) for t in MEMBERSHIP_TRANSITIONS for s in ALL_STATUSES if s in MEMBERSHIP_SOURCES[t]]
REFUSED = [
    (t, s) for t in MEMBERSHIP_TRANSITIONS for s in ALL_STATUSES if s not in MEMBERSHIP_SOURCES[t]
]


def _until_for(transition: str) -> datetime.date | None:
    return today() + days(90) if transition in ("suspend", "terminate") else None


def test_the_transition_table_covers_every_change_a_person_can_choose():
    assert set(MEMBERSHIP_SOURCES) == set(MEMBERSHIP_TRANSITIONS)
    assert len(ALLOWED) + len(REFUSED) == len(MEMBERSHIP_TRANSITIONS) * len(ALL_STATUSES)
    assert len(ALLOWED) == 10


@pytest.mark.parametrize(
    ("transition", "source"), ALLOWED, ids=[f"{t}-from-{s}" for t, s in ALLOWED]
)
def test_allowed_change_moves_the_member_and_writes_exactly_one_history_row(
    staff, transition, source
):
    org = org_in_status(source)
    before = StatusChange.objects.filter(organization=org).count()
    reason = f"Board minute 2026/14: {transition}."

    change = membership_change(
        organization=org,
        transition=transition,
        by=staff,
        reason=reason,
        until=_until_for(transition),
    )

    rows = StatusChange.objects.filter(organization=org)
    assert rows.count() == before + 1
    row = rows.order_by("-pk").first()
    assert row == change
    assert (row.from_status, row.to_status) == (source, MEMBERSHIP_TARGETS[transition])
    assert row.changed_by == staff
    assert row.reason == reason
    assert row.changed_at is not None
    fresh = Organization.objects.get(pk=org.pk)
    assert fresh.status == MEMBERSHIP_TARGETS[transition]
    assert fresh.status_since == today()
    # The caller's own instance is refreshed too.
    assert org.status == MEMBERSHIP_TARGETS[transition]


@pytest.mark.parametrize(
    ("transition", "source"), REFUSED, ids=[f"{t}-from-{s}" for t, s in REFUSED]
)
def test_change_not_allowed_from_the_current_status_is_refused_and_changes_nothing(
    staff, transition, source
):
    org = org_in_status(source, name="Acme Robotics", slug="acme-robotics")
    before = member_snapshot(org)

    with pytest.raises(MembershipChangeRefused) as refused:
        membership_change(
            organization=org,
            transition=transition,
            by=staff,
            reason="Trying anyway.",
            until=_until_for(transition),
        )

    message = " ".join(refused.value.messages)
    assert "Acme Robotics" in message
    assert MembershipStatus(source).label.lower() in message
    assert MEMBERSHIP_TRANSITIONS[transition].lower() in message
    assert member_snapshot(org) == before


def test_refusal_message_reads_as_a_sentence(staff):
    org = org_in_status("lapsed", name="Fenwick Actuators")
    with pytest.raises(MembershipChangeRefused) as refused:
        membership_change(organization=org, transition="resign", by=staff, reason="Letter.")
    assert refused.value.messages == [
        "Cannot record resignation: Fenwick Actuators is lapsed (dues unpaid)."
    ]


@pytest.mark.parametrize("source", ["active", "suspended", "lapsed"])
def test_member_can_be_terminated_from_active_suspended_or_lapsed(staff, source):
    org = org_in_status(source, suspended_until=today() + days(30))
    bar = today() + days(365)
    membership_change(
        organization=org, transition="terminate", by=staff, reason="Expelled.", until=bar
    )
    org.refresh_from_db()
    assert org.status == "terminated"
    assert org.readmission_bar_until == bar
    assert org.suspended_until is None


def test_applicant_is_admitted_and_joined_on_is_set_to_today(staff):
    org = org_in_status("applicant")
    assert org.joined_on is None
    membership_change(organization=org, transition="admit", by=staff, reason="Approved.")
    org.refresh_from_db()
    assert org.status == "active"
    assert org.joined_on == today()


def test_admission_keeps_a_joined_on_date_already_recorded(staff):
    joined = datetime.date(2020, 5, 1)
    org = org_in_status("applicant", joined_on=joined)
    membership_change(organization=org, transition="admit", by=staff, reason="Approved.")
    org.refresh_from_db()
    assert org.joined_on == joined


def test_suspension_records_its_end_and_reinstatement_clears_it(staff):
    org = org_in_status("active")
    end = today() + days(120)
    membership_change(
        organization=org, transition="suspend", by=staff, reason="Board decision.", until=end
    )
    org.refresh_from_db()
    assert (org.status, org.suspended_until) == ("suspended", end)

    membership_change(organization=org, transition="reinstate", by=staff, reason="Served.")
    org.refresh_from_db()
    assert (org.status, org.suspended_until) == ("active", None)


def test_suspension_without_an_end_date_is_allowed(staff):
    org = org_in_status("active")
    membership_change(organization=org, transition="suspend", by=staff, reason="Pending review.")
    org.refresh_from_db()
    assert (org.status, org.suspended_until) == ("suspended", None)


@pytest.mark.parametrize("offset", [0, -1, -365], ids=["today", "yesterday", "last-year"])
def test_suspension_that_ends_today_or_earlier_is_refused(staff, offset):
    org = org_in_status("active")
    before = member_snapshot(org)
    with pytest.raises(MembershipChangeRefused, match="must end after today"):
        membership_change(
            organization=org,
            transition="suspend",
            by=staff,
            reason="Board decision.",
            until=today() + days(offset),
        )
    assert member_snapshot(org) == before


def test_lapsed_member_is_restored_through_the_service(staff):
    org = org_in_status("lapsed")
    membership_change(organization=org, transition="restore", by=staff, reason="Dues paid.")
    assert Organization.objects.get(pk=org.pk).status == "active"


def test_readmission_is_refused_before_the_readmission_bar_date(staff):
    bar = today() + days(1)
    org = org_in_status("terminated", readmission_bar_until=bar, name="Thornbury Systems")
    before = member_snapshot(org)

    with pytest.raises(MembershipChangeRefused) as refused:
        membership_change(organization=org, transition="readmit", by=staff, reason="Applied.")

    message = " ".join(refused.value.messages)
    assert "Thornbury Systems" in message
    assert "readmission-bar date" in message
    assert shown(bar) in message
    assert member_snapshot(org) == before


@pytest.mark.parametrize(
    "offset", [0, -1, -400], ids=["on-the-bar-date", "day-after", "long-after"]
)
def test_terminated_member_is_readmitted_from_the_readmission_bar_date(staff, offset):
    org = org_in_status("terminated", readmission_bar_until=today() + days(90))
    # Time passes: the bar date is reached (or long past).
    Organization.objects.filter(pk=org.pk).update(readmission_bar_until=today() + days(offset))
    org.refresh_from_db()

    membership_change(organization=org, transition="readmit", by=staff, reason="Reapplied.")

    org.refresh_from_db()
    assert org.status == "active"
    assert org.readmission_bar_until is None
    assert (
        StatusChange.objects.filter(
            organization=org, from_status="terminated", to_status="active", changed_by=staff
        ).count()
        == 1
    )


def test_terminated_member_without_a_readmission_bar_can_be_readmitted(staff):
    org = org_in_status("terminated", readmission_bar_until=None)
    membership_change(organization=org, transition="readmit", by=staff, reason="Reapplied.")
    assert Organization.objects.get(pk=org.pk).status == "active"


@pytest.mark.parametrize("reason", ["", "   ", "\n\t", None], ids=["empty", "spaces", "ws", "none"])
@pytest.mark.parametrize(("transition", "source"), ALLOWED, ids=[f"{t}-{s}" for t, s in ALLOWED])
def test_every_change_needs_a_reason(staff, transition, source, reason):
    org = org_in_status(source)
    before = member_snapshot(org)
    with pytest.raises(MembershipChangeRefused, match="reason is required"):
        membership_change(
            organization=org,
            transition=transition,
            by=staff,
            reason=reason,
            until=_until_for(transition),
        )
    assert member_snapshot(org) == before


def test_reason_is_stored_without_surrounding_whitespace(staff):
    org = org_in_status("active")
    change = membership_change(
        organization=org, transition="lapse", by=staff, reason="  Dues unpaid.\n"
    )
    assert StatusChange.objects.get(pk=change.pk).reason == "Dues unpaid."


@pytest.mark.parametrize("source", ["suspended", "terminated"])
def test_reinstatement_on_appeal_is_refused_without_a_case(staff, source):
    org = org_in_status(source)
    before = member_snapshot(org)
    with pytest.raises(MembershipChangeRefused, match="Unknown membership change"):
        membership_change(
            organization=org, transition="reinstate_on_appeal", by=staff, reason="Appeal won."
        )
    assert member_snapshot(org) == before


def test_unknown_change_is_refused(staff):
    org = org_in_status("active")
    before = member_snapshot(org)
    with pytest.raises(MembershipChangeRefused, match="Unknown membership change"):
        membership_change(organization=org, transition="expel_now", by=staff, reason="x")
    assert member_snapshot(org) == before


@pytest.mark.parametrize("who", ["board", "panel", "representative", "no_role_user"])
def test_only_ethics_staff_may_change_membership_status(db, request, who):
    user = request.getfixturevalue(who)
    org = org_in_status("active")
    before = member_snapshot(org)
    with pytest.raises(PermissionDenied):
        membership_change(organization=org, transition="suspend", by=user, reason="Because.")
    assert member_snapshot(org) == before


def test_superuser_without_the_staff_role_may_not_change_membership_status(db):
    admin = UserFactory(username="root", is_superuser=True, is_staff=True)
    org = org_in_status("active")
    with pytest.raises(PermissionDenied):
        membership_change(organization=org, transition="lapse", by=admin, reason="Because.")
    assert Organization.objects.get(pk=org.pk).status == "active"


def test_system_change_is_recorded_without_a_person(db):
    org = org_in_status("active")
    change = membership_change(organization=org, transition="lapse", by=None, reason="Job.")
    assert change.changed_by is None
    assert Organization.objects.get(pk=org.pk).status == "lapsed"


def test_status_cannot_be_assigned_directly_bypassing_the_service(db):
    org = OrganizationFactory()
    org.refresh_from_db()
    with pytest.raises(AttributeError):
        org.status = MembershipStatus.TERMINATED
    assert Organization.objects.get(pk=org.pk).status == "active"


def test_history_tells_the_whole_story_newest_first(staff, other_staff):
    org = org_in_status("applicant")
    steps = [
        ("admit", staff, None),
        ("suspend", other_staff, today() + days(10)),
        ("reinstate", staff, None),
        ("lapse", staff, None),
        ("restore", other_staff, None),
        ("terminate", staff, today() - days(1)),
        ("readmit", other_staff, None),
        ("resign", staff, None),
    ]
    for index, (transition, by, until) in enumerate(steps):
        membership_change(
            organization=org, transition=transition, by=by, reason=f"Step {index}.", until=until
        )

    history = list(org.status_history.all())
    assert [h.reason for h in history] == [f"Step {i}." for i in reversed(range(len(steps)))]
    chain = [(h.from_status, h.to_status) for h in reversed(history)]
    assert chain == [
        ("applicant", "active"),
        ("active", "suspended"),
        ("suspended", "active"),
        ("active", "lapsed"),
        ("lapsed", "active"),
        ("active", "terminated"),
        ("terminated", "active"),
        ("active", "resigned"),
    ]
    assert [h.changed_by for h in reversed(history)] == [by for _, by, _ in steps]
    assert Organization.objects.get(pk=org.pk).status == "resigned"


def test_change_acts_on_the_stored_status_not_a_stale_copy(staff):
    org = org_in_status("active")
    stale = Organization.objects.get(pk=org.pk)
    membership_change(organization=org, transition="resign", by=staff, reason="Letter.")
    # `stale` still believes the member is active; the service must read the row again.
    with pytest.raises(MembershipChangeRefused, match="resigned"):
        membership_change(organization=stale, transition="suspend", by=staff, reason="Late.")
    assert Organization.objects.get(pk=org.pk).status == "resigned"
    assert StatusChange.objects.filter(organization=org).count() == 1


def test_a_representative_cannot_record_their_own_resignation(staff, organization):
    secondary = RepresentativeFactory(organization=organization, is_primary=False).user
    with pytest.raises(PermissionDenied):
        membership_change(
            organization=organization, transition="resign", by=secondary, reason="We quit."
        )
