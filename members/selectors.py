"""Read-only queries for the member register pages."""

from __future__ import annotations

import datetime

from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone

from association.paging import KeysetPage, keyset_page
from association.prefetch import PreparedTogether, attach
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


def _organization_for_page(**lookup) -> QuerySet:
    prefetches = [
        # select_related inside the prefetches keeps the count fixed whether or
        # not any history row has an author.
        Prefetch("representatives", queryset=Representative.objects.select_related("user")),
        "dues",
    ]
    return (
        Organization.objects.select_related("membership_class")
        .prefetch_related(*prefetches)
        .filter(**lookup)
    )


# The organization's page shows the newest changes of status; the rest are paged
# (organization_history_page): an organization can collect thousands over the years.
HISTORY_SHOWN = 10
HISTORY_PAGE = 50
HISTORY_ORDER = ("-changed_at", "-pk")  # the (organization, -changed_at) index


def _history_of(pk: int) -> QuerySet[StatusChange]:
    return StatusChange.objects.filter(organization_id=pk).select_related("changed_by", "case")


def _newest_history(pk: int) -> QuerySet[StatusChange]:
    # One more than shown, to say there are more.
    return _history_of(pk).order_by(*HISTORY_ORDER)[: HISTORY_SHOWN + 1]


def _attach_newest_history(organization: Organization, rows: list[StatusChange]) -> None:
    """`status_history` holds the newest HISTORY_SHOWN rows only (what the page shows:
    the whole history is for organization_history_page), `status_history_more` whether
    there are older ones."""
    attach(organization, "status_history", rows[:HISTORY_SHOWN])
    organization.status_history_more = len(rows) > HISTORY_SHOWN


# Likewise the representatives added and removed: the newest on the register's page,
# the rest paged (representative_changes_page).
REPRESENTATIVE_CHANGES_SHOWN = 10
REPRESENTATIVE_CHANGES_ORDER = ("-at", "-pk")  # the (organization, -at) index


def _representative_changes_of(pk: int) -> QuerySet[RepresentativeChange]:
    return RepresentativeChange.objects.filter(organization_id=pk).select_related("by")


def _attach_newest_representative_changes(organization: Organization) -> None:
    """`representative_changes_shown`: the newest REPRESENTATIVE_CHANGES_SHOWN changes
    (one query with a limit, one row more to say whether there are older ones:
    `representative_changes_more`)."""
    rows = list(
        _representative_changes_of(organization.pk).order_by(*REPRESENTATIVE_CHANGES_ORDER)[
            : REPRESENTATIVE_CHANGES_SHOWN + 1
        ]
    )
    organization.representative_changes_shown = rows[:REPRESENTATIVE_CHANGES_SHOWN]
    organization.representative_changes_more = len(rows) > REPRESENTATIVE_CHANGES_SHOWN


def representative_changes_page(organization, *, after: str = "", before: str = "") -> KeysetPage:
    """Every representative added to or removed from the organization, newest first, a
    keyset page at a time (association.paging): page 2,000 costs what the first does."""
    return keyset_page(
        _representative_changes_of(organization.pk),
        order=REPRESENTATIVE_CHANGES_ORDER,
        kinds=(datetime.datetime, int),
        size=HISTORY_PAGE,
        after=after,
        before=before,
    )


def organization_history_page(organization, *, after: str = "", before: str = "") -> KeysetPage:
    """The organization's whole status history, newest first, a keyset page at a time
    (association.paging): page 2,000 costs what the first does."""
    return keyset_page(
        _history_of(organization.pk),
        order=HISTORY_ORDER,
        kinds=(datetime.datetime, int),
        size=HISTORY_PAGE,
        after=after,
        before=before,
    )


# The portal's organization by id, with what its page lists of it, in one query
# compiled once per process (association.prefetch).
_PORTAL_ORGANIZATION = PreparedTogether(
    lambda pk: {
        "organization": Organization.objects.select_related("membership_class").filter(pk=pk),
        "representatives": Representative.objects.filter(organization_id=pk).select_related("user"),
        "dues": DuesInvoice.objects.filter(organization_id=pk),
        "status_history": _newest_history(pk),
    }
)


def organization_for_page(
    slug: str | None = None, *, pk: int | None = None, with_representative_changes: bool = False
) -> Organization:
    """One organization with everything its page lists, in a fixed number of queries
    (of its status history, the newest HISTORY_SHOWN: _attach_newest_history). The
    record of representatives added and removed (its newest
    REPRESENTATIVE_CHANGES_SHOWN: _attach_newest_representative_changes) is for the
    register page (staff, board, panel), not the member's own portal."""
    if slug is None and not with_representative_changes and type(pk) is int:
        lists = _PORTAL_ORGANIZATION(pk)
        found = lists.pop("organization")
        if not found:
            raise Organization.DoesNotExist
        _attach_newest_history(found[0], lists.pop("status_history"))
        for name, rows in lists.items():
            attach(found[0], name, rows)
        return found[0]
    organization = _organization_for_page(**({"slug": slug} if pk is None else {"pk": pk})).get()
    _attach_newest_history(organization, list(_newest_history(organization.pk)))
    if with_representative_changes:
        _attach_newest_representative_changes(organization)
    return organization


def members_in_good_standing() -> QuerySet[Organization]:
    return (
        Organization.objects.filter(status=MembershipStatus.ACTIVE)
        .select_related("membership_class")
        .order_by("name", "pk")
    )
