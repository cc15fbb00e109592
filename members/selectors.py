"""Read-only queries for the member register pages."""

from __future__ import annotations

import datetime

from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone

from association.prefetch import PreparedTogether, attach
from association.prepared import PreparedQuery
from members.models import (
    DuesInvoice,
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


def _organization_for_page(with_representative_changes: bool, **lookup) -> QuerySet:
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
        .filter(**lookup)
    )


# The portal's organization by id, and what its page lists of it in one more query,
# both compiled once per process (association.prepared, association.prefetch).
_PORTAL_ORGANIZATION = PreparedQuery(
    Organization, lambda pk: Organization.objects.select_related("membership_class").filter(pk=pk)
)
_PORTAL_ORGANIZATION_LISTS = PreparedTogether(
    lambda pk: {
        "representatives": Representative.objects.filter(organization_id=pk).select_related("user"),
        "dues": DuesInvoice.objects.filter(organization_id=pk),
        "status_history": StatusChange.objects.filter(organization_id=pk).select_related(
            "changed_by", "case"
        ),
    }
)


def organization_for_page(
    slug: str | None = None, *, pk: int | None = None, with_representative_changes: bool = False
) -> Organization:
    """One organization with everything its page lists, in a fixed number of queries.
    The record of representatives added and removed is for the register page (staff,
    board, panel), not the member's own portal."""
    if slug is None and not with_representative_changes and type(pk) is int:
        found = _PORTAL_ORGANIZATION(pk)
        if not found:
            raise Organization.DoesNotExist
        for name, rows in _PORTAL_ORGANIZATION_LISTS(pk).items():
            attach(found[0], name, rows)
        return found[0]
    return _organization_for_page(
        with_representative_changes, **({"slug": slug} if pk is None else {"pk": pk})
    ).get()


def members_in_good_standing() -> QuerySet[Organization]:
    return (
        Organization.objects.filter(status=MembershipStatus.ACTIVE)
        .select_related("membership_class")
        .order_by("name", "pk")
    )
