"""Read-only queries for the member register pages."""

from __future__ import annotations

import datetime

from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone

from members.models import (
    MembershipStatus,
    Organization,
    Representative,
    RepresentativeChange,
    StatusChange,
)


def register_search(
    *, query: str = "", status: str = "", membership_class: str = "", in_default: bool = False
) -> QuerySet[Organization]:
    orgs = Organization.objects.select_related("membership_class")
    if in_default:
        orgs = orgs.filter(in_default_since__isnull=False)
    if query:
        orgs = orgs.filter(Q(name__icontains=query) | Q(slug__icontains=query))
    if status:
        orgs = orgs.filter(status=status)
    if membership_class:
        orgs = orgs.filter(membership_class__slug=membership_class)
    return orgs.order_by("name", "pk")


def has_overdue_dues(org: Organization, *, on: datetime.date | None = None) -> bool:
    """Whether a dues invoice is unpaid past its due date: what keeps a member lapsed
    (paying the last one restores it) and what sends a member back to lapsed when a
    sanction ends."""
    on = on or timezone.localdate()
    return org.dues.filter(paid_on__isnull=True, due_on__lt=on).exists()


def organization_for_page(
    slug: str | None = None, *, pk: int | None = None, with_representative_changes: bool = False
) -> Organization:
    """One organization with everything its page lists, in a fixed number of queries.
    The record of representatives added and removed is for the register page (staff,
    board, panel), not the member's own portal."""
    prefetches = [
        # select_related inside the prefetches keeps the count fixed whether or
        # not any history row has an author.
        Prefetch("representatives", queryset=Representative.objects.select_related("user")),
        "dues",
        Prefetch(
            "status_history", queryset=StatusChange.objects.select_related("changed_by", "case")
        ),
    ]
    if with_representative_changes:
        prefetches.append(
            Prefetch(
                "representative_changes",
                queryset=RepresentativeChange.objects.select_related("by"),
            )
        )
    return (
        Organization.objects.select_related("membership_class")
        .prefetch_related(*prefetches)
        .get(**({"slug": slug} if pk is None else {"pk": pk}))
    )


def members_in_good_standing() -> QuerySet[Organization]:
    return (
        Organization.objects.filter(status=MembershipStatus.ACTIVE)
        .select_related("membership_class")
        .order_by("name", "pk")
    )
