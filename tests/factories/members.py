"""The member register: membership classes, organizations, representatives, dues.

Statuses other than `applicant` and `active` are reached through the membership
service (org_in_status), as the app does, so each has the history rows a real one has.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

import factory
from django.contrib.auth.models import User
from django.utils import timezone

from members.models import (
    DuesInvoice,
    MembershipClass,
    MembershipStatus,
    Organization,
    Representative,
    StatusChange,
)
from members.services import membership_change
from tests.factories.dates import days, today
from tests.factories.people import UserFactory, unique

ALL_STATUSES = [s.value for s in MembershipStatus]

# Each membership change, the statuses it may start from, and where it leads.
MEMBERSHIP_SOURCES = {
    "admit": {"applicant"},
    "suspend": {"active"},
    "reinstate": {"suspended"},
    "lapse": {"active"},
    "restore": {"lapsed"},
    "terminate": {"active", "suspended", "lapsed"},
    "resign": {"active"},
    "readmit": {"terminated"},
}
MEMBERSHIP_TARGETS = {
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


class MembershipClassFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MembershipClass
        django_get_or_create = ("slug",)

    name = "Manufacturer"
    slug = "manufacturer"


class OrganizationFactory(factory.django.DjangoModelFactory):
    """An active member by default (joined three years ago)."""

    class Meta:
        model = Organization

    name = factory.Sequence(lambda n: f"Organization {n:05d}")
    slug = factory.Sequence(lambda n: f"organization-{n:05d}")
    website = "https://example.org"
    membership_class = factory.SubFactory(MembershipClassFactory)
    joined_on = factory.LazyFunction(
        lambda: timezone.localdate() - datetime.timedelta(days=3 * 365)
    )
    status = "active"
    status_since = factory.LazyAttribute(lambda o: o.joined_on)


class RepresentativeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Representative

    user = factory.SubFactory(UserFactory)
    organization = factory.SubFactory(OrganizationFactory)
    is_primary = True


class DuesInvoiceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = DuesInvoice

    organization = factory.SubFactory(OrganizationFactory)
    year = factory.LazyFunction(lambda: timezone.localdate().year)
    amount = Decimal("1200.00")
    issued_on = factory.LazyAttribute(lambda o: datetime.date(o.year, 1, 5))
    due_on = factory.LazyAttribute(lambda o: datetime.date(o.year, 3, 31))
    paid_on = None


def representative_of(organization: Organization, username: str | None = None, **kw) -> User:
    """A new representative of `organization` (a unique username unless one is given)."""
    return RepresentativeFactory(
        organization=organization, user__username=username or unique("rep."), **kw
    ).user


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


def member_snapshot(org: Organization) -> dict:
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
