"""The register pages run a fixed number of SQL queries, however big the register is.

Each test measures the count on a small register, grows the data (more
organizations, more dues, more history, more representatives) and asserts the
same count with pytest-django's query-count fixtures.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test.utils import CaptureQueriesContext

from members.models import (
    DuesInvoice,
    MembershipClass,
    Organization,
    RepresentativeChange,
    StatusChange,
)
from members.selectors import HISTORY_PAGE, HISTORY_SHOWN, REPRESENTATIVE_CHANGES_SHOWN
from tests.factories.dates import today
from tests.factories.members import RepresentativeFactory, org_in_status
from tests.factories.people import staff_user

CLASS_SLUGS = ("manufacturer", "integrator", "consultant")
STATUSES = ("active", "active", "lapsed", "suspended", "terminated", "resigned", "applicant")


def _classes() -> list[MembershipClass]:
    return [
        MembershipClass.objects.get_or_create(slug=slug, defaults={"name": slug.title()})[0]
        for slug in CLASS_SLUGS
    ]


def _bulk_organizations(count: int, *, start: int) -> list[Organization]:
    """`count` organizations with dues, history and a representative each."""
    classes = _classes()
    orgs = Organization.objects.bulk_create(
        Organization(
            name=f"Bulk {n:05d}",
            slug=f"bulk-{n:05d}",
            membership_class=classes[n % len(classes)],
            status=STATUSES[n % len(STATUSES)],
            status_since=datetime.date(2024, 1, 1),
            joined_on=datetime.date(2020, 1, 1),
        )
        for n in range(start, start + count)
    )
    staff = staff_user(username=f"bulk.staff.{start}")
    DuesInvoice.objects.bulk_create(
        DuesInvoice(
            organization=org,
            year=year,
            amount=Decimal("1000.00"),
            issued_on=datetime.date(year, 1, 5),
            due_on=datetime.date(year, 3, 31),
            paid_on=datetime.date(year, 3, 1),
        )
        for org in orgs
        for year in (2023, 2024, 2025)
    )
    StatusChange.objects.bulk_create(
        StatusChange(
            organization=org,
            from_status="applicant",
            to_status="active",
            changed_by=staff,
            reason="Admitted.",
        )
        for org in orgs
    )
    return orgs


# Issue 15: every list and object page at most this many queries (docs/decisions/0029).
MOST = 12


def _measure(client, url: str, **params) -> int:
    client.get(url, params)  # warm up per-process caches (content types, sessions)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, params)
    assert response.status_code == 200
    count = len(ctx.captured_queries)
    assert count <= MOST, f"{url} runs {count} queries (at most {MOST})"
    return count


@pytest.mark.parametrize(
    "params",
    [{}, {"q": "bulk"}, {"status": "active"}, {"membership_class": "integrator"}, {"page": "2"}],
    ids=["all", "search", "status", "class", "page-2"],
)
def test_register_page_runs_the_same_queries_for_10_or_200_organizations(
    staff_client, django_assert_num_queries, params
):
    _bulk_organizations(10, start=0)
    small = _measure(staff_client, "/register/", **params)

    _bulk_organizations(190, start=10)
    # (with 10 organizations, page 2 falls back to page 1; with 200 it is a real page 2)
    with django_assert_num_queries(small):
        response = staff_client.get("/register/", params)

    assert response.status_code == 200
    assert len(response.context["page"]) > 0
    assert small <= MOST, f"the register page runs {small} queries"


def test_register_page_query_count_does_not_grow_with_the_page_size(
    staff_client, django_assert_num_queries
):
    _bulk_organizations(3, start=0)
    small = _measure(staff_client, "/register/")
    _bulk_organizations(120, start=3)
    with django_assert_num_queries(small):
        response = staff_client.get("/register/")
    assert len(response.context["page"]) == 50


def _rich_organization(staff, *, representatives: int, dues: int, history: int) -> Organization:
    org = org_in_status("active", name="Acme Robotics", slug="acme-robotics")
    others = [staff] + [staff_user(username=f"hist.staff.{n}") for n in range(3)]
    for n in range(representatives):
        RepresentativeFactory(
            organization=org,
            is_primary=(n == 0),
            user__username=f"acme.rep.{n}",
            job_title="Contact",
        )
    this_year = today().year
    DuesInvoice.objects.bulk_create(
        DuesInvoice(
            organization=org,
            year=this_year - n,
            amount=Decimal("1200.00"),
            issued_on=datetime.date(this_year - n, 1, 5),
            due_on=datetime.date(this_year - n, 3, 31),
            paid_on=None if n % 3 == 0 else datetime.date(this_year - n, 3, 1),
        )
        for n in range(dues)
    )
    StatusChange.objects.bulk_create(
        StatusChange(
            organization=org,
            from_status="active",
            to_status="active",
            changed_by=others[n % len(others)],
            reason=f"Note {n}.",
        )
        for n in range(history)
    )
    return org


def _grow(org: Organization, staff, *, representatives: int, dues: int, history: int) -> None:
    start = org.representatives.count()
    for n in range(start, start + representatives):
        RepresentativeFactory(organization=org, is_primary=False, user__username=f"acme.rep.{n}")
    first_year = org.dues.order_by("year").first().year
    DuesInvoice.objects.bulk_create(
        DuesInvoice(
            organization=org,
            year=first_year - 1 - n,
            amount=Decimal("900.00"),
            issued_on=datetime.date(first_year - 1 - n, 1, 5),
            due_on=datetime.date(first_year - 1 - n, 3, 31),
        )
        for n in range(dues)
    )
    people = [staff_user(username=f"someone.{n}") for n in range(3)] + [staff]
    StatusChange.objects.bulk_create(
        StatusChange(
            organization=org,
            from_status="active",
            to_status="active",
            changed_by=people[n % len(people)],
            reason=f"Later note {n}.",
        )
        for n in range(history)
    )
    # The record of representatives, by several people (and by the system).
    RepresentativeChange.objects.bulk_create(
        RepresentativeChange(
            organization=org,
            name=f"Former rep {n}",
            action=RepresentativeChange.Action.REMOVED,
            by=people[n % len(people)] if n % 5 else None,
            reason=f"Left, note {n}.",
        )
        for n in range(history)
    )


@pytest.mark.parametrize("who", ["staff", "board"])
def test_organization_page_runs_the_same_queries_however_much_it_lists(
    client, request, staff, django_assert_num_queries, who
):
    client.force_login(request.getfixturevalue(who))
    _bulk_organizations(10, start=0)
    org = _rich_organization(staff, representatives=1, dues=1, history=1)
    small = _measure(client, f"/register/{org.slug}/")

    _bulk_organizations(190, start=10)
    _grow(org, staff, representatives=5, dues=12, history=40)
    with django_assert_num_queries(small):
        response = client.get(f"/register/{org.slug}/")

    html = response.content.decode()
    assert "Later note 39." in html
    shown = response.context["organization"]
    assert len(shown.representatives.all()) == 6
    assert len(shown.dues.all()) == 13
    # The newest HISTORY_SHOWN changes of status, and a link to the rest.
    assert [c.reason for c in shown.status_history.all()] == [
        f"Later note {n}." for n in range(39, 39 - HISTORY_SHOWN, -1)
    ]
    assert f"Later note {39 - HISTORY_SHOWN}." not in html
    assert f'href="/register/{org.slug}/history/"' in html
    # Of 46 changes of representatives (1 added with the first representative, 5 with
    # the later ones, 40 removals), the newest REPRESENTATIVE_CHANGES_SHOWN, and a link.
    assert shown.representative_changes.count() == 46
    assert len(shown.representative_changes_shown) == REPRESENTATIVE_CHANGES_SHOWN
    assert shown.representative_changes_more
    assert "Left, note 39." in response.content.decode()
    assert f'href="/register/{org.slug}/representatives/history/"' in html
    assert small <= MOST, f"the organization page runs {small} queries"


@pytest.mark.parametrize("who", ["staff", "representative"])
def test_status_history_pages_run_the_same_queries_for_1_or_500_changes(
    client, staff, django_assert_num_queries, who
):
    """The whole history a keyset page at a time: the first page and the last of 500
    changes in the queries of a one-change history, every change once, newest first."""
    org = _rich_organization(staff, representatives=1, dues=1, history=1)
    client.force_login(staff if who == "staff" else org.representatives.get().user)
    url = f"/register/{org.slug}/history/"
    small = _measure(client, url)

    _grow(org, staff, representatives=0, dues=0, history=499)
    seen, params = [], {}
    while True:
        with django_assert_num_queries(small):
            response = client.get(url, params)
        page = response.context["page"]
        seen += [change.reason for change in page]
        if not page.has_next:
            break
        params = {"after": page.next_cursor}
    assert seen == [f"Later note {n}." for n in range(498, -1, -1)] + ["Note 0."]
    assert len(page) == 500 - 9 * HISTORY_PAGE
    # Who made each change is for the register's readers, not the member's.
    someone = User.objects.get(username="someone.0").get_full_name()
    assert (someone in response.content.decode()) == (who == "staff")


def test_the_status_history_is_404_to_another_organizations_representative(client, staff):
    org = _rich_organization(staff, representatives=1, dues=1, history=1)
    other = RepresentativeFactory(organization=org_in_status("active", name="Other Co"))
    client.force_login(other.user)
    assert client.get(f"/register/{org.slug}/history/").status_code == 404


def test_member_portal_runs_the_same_queries_however_much_it_lists(
    client, staff, django_assert_num_queries
):
    org = _rich_organization(staff, representatives=1, dues=1, history=1)
    client.force_login(org.representatives.get().user)
    small = _measure(client, "/membership/")
    # The session, its user, the organization with its lists, and everything the
    # cases app lists on the page (cases.selectors.portal_lists): one query each.
    assert small == 4

    _bulk_organizations(100, start=0)
    _grow(org, staff, representatives=4, dues=10, history=30)
    with django_assert_num_queries(small):
        response = client.get("/membership/")
    assert "Later note 29." in response.content.decode()


@pytest.mark.parametrize("who", ["staff", "board"])
def test_register_runs_the_same_queries_for_each_role(
    client, request, django_assert_num_queries, who
):
    client.force_login(request.getfixturevalue(who))
    _bulk_organizations(10, start=0)
    small = _measure(client, "/register/")
    _bulk_organizations(190, start=10)
    with django_assert_num_queries(small):
        response = client.get("/register/")
    assert len(response.context["page"]) == 50


@pytest.mark.parametrize("url", ["/verify/acme-robotics/", "/verify/?q=Bulk"])
def test_public_verification_runs_the_same_queries_for_10_or_200_organizations(
    client, staff, django_assert_num_queries, url
):
    _rich_organization(staff, representatives=1, dues=1, history=1)
    _bulk_organizations(10, start=0)
    small = _measure(client, url)
    _bulk_organizations(190, start=10)
    with django_assert_num_queries(small):
        assert client.get(url).status_code == 200


def test_public_directory_runs_the_same_queries_for_10_or_200_organizations(
    client, db, django_assert_num_queries
):
    _bulk_organizations(10, start=0)
    small = _measure(client, "/members/")
    _bulk_organizations(190, start=10)
    with django_assert_num_queries(small):
        response = client.get("/members/")
    assert len(response.context["page"]) > 10


REGISTER_VIEWS = [{}, {"q": "bulk"}, {"status": "active"}, {"membership_class": "integrator"}]


def test_register_and_organization_page_run_the_same_queries_for_10_or_10000_organizations(
    staff_client, staff, django_assert_num_queries
):
    """The issue's own sizes: 10 organizations, then 10,000 (bulk inserted once)."""
    _bulk_organizations(9, start=0)
    org = _rich_organization(staff, representatives=1, dues=1, history=1)
    small = {str(p): _measure(staff_client, "/register/", **p) for p in REGISTER_VIEWS}
    small_org = _measure(staff_client, f"/register/{org.slug}/")

    _bulk_organizations(9_990, start=9)
    assert Organization.objects.count() == 10_000
    for params in REGISTER_VIEWS:
        with django_assert_num_queries(small[str(params)]):
            response = staff_client.get("/register/", params)
        assert len(response.context["page"]) == 50, params
    with django_assert_num_queries(small_org):
        staff_client.get(f"/register/{org.slug}/")
