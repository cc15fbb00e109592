"""Helpers and fixtures for the member-register tests (tests/test_members_*.py).

Test modules load the fixtures with ``from tests.members_fixtures import *`` and
import the helpers they call by name. Organizations in a status other than applicant or
active are taken there through the membership service, as the real app does, so
each has the history rows a real one would have.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from members.models import MembershipStatus, Organization, StatusChange
from members.services import membership_change
from tests.factories import (
    DuesInvoiceFactory,
    OrganizationFactory,
    RepresentativeFactory,
    UserFactory,
    board_user,
    panel_user,
    staff_user,
)

ALL_STATUSES = [s.value for s in MembershipStatus]

# Each membership change, the statuses it may start from, and where it leads.
ALLOWED_SOURCES = {
    "admit": {"applicant"},
    "suspend": {"active"},
    "reinstate": {"suspended"},
    "lapse": {"active"},
    "restore": {"lapsed"},
    "terminate": {"active", "suspended", "lapsed"},
    "resign": {"active"},
    "readmit": {"terminated"},
}
TARGETS = {
    "admit": "active",
    "suspend": "suspended",
    "reinstate": "active",
    "lapse": "lapsed",
    "restore": "active",
    "terminate": "terminated",
    "resign": "resigned",
    "readmit": "active",
}

# How the tests take an active member to each other status (system acting).
_PATHS = {
    "active": [],
    "suspended": ["suspend"],
    "lapsed": ["lapse"],
    "terminated": ["terminate"],
    "resigned": ["resign"],
}


def today() -> datetime.date:
    return timezone.localdate()


def days(n: int) -> datetime.timedelta:
    return datetime.timedelta(days=n)


def org_in_status(
    status: str,
    *,
    suspended_until: datetime.date | None = None,
    readmission_bar_until: datetime.date | None = None,
    **factory_kwargs,
) -> Organization:
    """An organization in `status`, reached through the membership service."""
    if status == MembershipStatus.APPLICANT:
        factory_kwargs.setdefault("joined_on", None)
        factory_kwargs.setdefault("status_since", today() - days(30))
        return OrganizationFactory(status="applicant", **factory_kwargs)
    org = OrganizationFactory(status="active", **factory_kwargs)
    for transition in _PATHS[status]:
        until = {"suspend": suspended_until, "terminate": readmission_bar_until}.get(transition)
        membership_change(
            organization=org,
            transition=transition,
            by=None,
            reason=f"Test setup: {transition}.",
            until=until,
        )
    org.refresh_from_db()
    assert org.status == status
    return org


def snapshot(org: Organization) -> dict:
    """Everything a membership change may touch, read fresh from the database."""
    fresh = Organization.objects.get(pk=org.pk)
    return {
        "status": fresh.status,
        "status_since": fresh.status_since,
        "joined_on": fresh.joined_on,
        "suspended_until": fresh.suspended_until,
        "readmission_bar_until": fresh.readmission_bar_until,
        "history": list(
            StatusChange.objects.filter(organization=org).values_list(
                "pk", "from_status", "to_status", "reason"
            )
        ),
    }


def overdue_invoice(org: Organization, *, years_ago: int = 1, **kwargs):
    """An unpaid invoice whose due date has passed."""
    year = today().year - years_ago
    return DuesInvoiceFactory(organization=org, year=year, **kwargs)


def paid_invoice(org: Organization, *, years_ago: int, amount=Decimal("1200.00")):
    year = today().year - years_ago
    return DuesInvoiceFactory(
        organization=org, year=year, amount=amount, paid_on=datetime.date(year, 3, 1)
    )


@pytest.fixture
def board(db):
    return board_user(username="board.member", first_name="Grace", last_name="Adams")


@pytest.fixture
def panel(db):
    return panel_user(username="panel.member")


@pytest.fixture
def no_role_user(db):
    return UserFactory(username="nobody")


@pytest.fixture
def other_staff(db):
    return staff_user(username="other.staff")


@pytest.fixture
def other_organization(db):
    return OrganizationFactory(name="Globex Automation", slug="globex-automation")


@pytest.fixture
def other_representative(other_organization):
    return RepresentativeFactory(organization=other_organization, user__username="globex.rep").user


@pytest.fixture
def staff_client(client, staff):
    client.force_login(staff)
    return client


@pytest.fixture
def board_client(client, board):
    client.force_login(board)
    return client


@pytest.fixture
def rep_client(client, representative):
    client.force_login(representative)
    return client
