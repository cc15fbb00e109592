"""The organization page lists the newest REPRESENTATIVE_CHANGES_SHOWN representatives
added and removed, in the same queries for 3 changes or 300, and links to the rest:
`register/<slug>/representatives/history/`, by keyset on (at, id) (association.paging),
where "older" and "newer" walk every change once, in order, and the last page asks the
queries of the first. For those who see the register only."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from association import paging
from members.models import RepresentativeChange
from members.selectors import REPRESENTATIVE_CHANGES_SHOWN
from tests.factories.language import said
from tests.factories.members import OrganizationFactory, RepresentativeFactory
from tests.factories.pages import walk_keyset
from tests.factories.people import board_user, staff_user

pytestmark = pytest.mark.django_db

START = timezone.make_aware(datetime.datetime(2026, 1, 1, 9, 0))


def record_changes(org, n: int, *, start: int = 0, same_moment_every: int = 1):
    """`n` changes, `same_moment_every` of them at each moment (the key's tie-break)."""
    RepresentativeChange.objects.bulk_create(
        RepresentativeChange(
            organization=org,
            name=f"Person {i}",
            action=RepresentativeChange.Action.ADDED,
            at=START + datetime.timedelta(hours=i // same_moment_every),
            reason=f"Note {i}.",
        )
        for i in range(start, start + n)
    )


def _newest_first(org) -> list[str]:
    return list(
        RepresentativeChange.objects.filter(organization=org)
        .order_by("-at", "-pk")
        .values_list("name", flat=True)
    )


def _names(response) -> list[str]:
    return [c.name for c in response.context["page"]]


def _url(org) -> str:
    return reverse("organization_representative_changes", args=[org.slug])


@pytest.fixture
def staff(db):
    return staff_user("repchanges.staff")


@pytest.mark.parametrize("who", ["staff", "board"])
def test_the_organization_page_shows_the_newest_changes_in_the_same_queries_for_3_or_300(
    client, staff, django_assert_num_queries, who
):
    client.force_login(staff if who == "staff" else board_user())
    org = OrganizationFactory()
    record_changes(org, 3)
    url = reverse("organization_detail", args=[org.slug])
    client.get(url)
    with CaptureQueriesContext(connection) as small:
        response = client.get(url)
    assert [c.name for c in response.context["organization"].representative_changes_shown] == [
        "Person 2",
        "Person 1",
        "Person 0",
    ]
    assert f'href="{_url(org)}"' not in response.content.decode()

    record_changes(org, 297, start=3)
    with django_assert_num_queries(len(small)):
        response = client.get(url)
    html = response.content.decode()
    shown = response.context["organization"].representative_changes_shown
    assert [c.name for c in shown] == [
        f"Person {i}" for i in range(299, 299 - REPRESENTATIVE_CHANGES_SHOWN, -1)
    ]
    assert f"Person {299 - REPRESENTATIVE_CHANGES_SHOWN}<" not in html
    assert f'href="{_url(org)}"' in html


@settings(
    max_examples=8,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(n=st.integers(min_value=0, max_value=23), same_moment=st.integers(min_value=1, max_value=5))
def test_older_walks_every_change_once_in_order_and_newer_walks_back(
    client, staff, monkeypatch, n, same_moment
):
    monkeypatch.setattr("members.selectors.HISTORY_PAGE", 5)
    client.force_login(staff)
    org = OrganizationFactory()
    record_changes(org, n, same_moment_every=same_moment)
    pages, back = walk_keyset(client, _url(org), _names)
    expected = _newest_first(org)
    assert [name for page in pages for name in page] == expected
    assert all(len(p) == 5 for p in pages[:-1])
    assert pages[-1] == (expected[-len(pages[-1]) :] if expected else [])  # the oldest
    assert back == pages[-2::-1]


def test_the_last_page_asks_the_same_queries_as_the_first_at_two_sizes(client, staff):
    client.force_login(staff)

    def first_and_last(org):
        client.get(_url(org))
        with CaptureQueriesContext(connection) as first:
            client.get(_url(org))
        oldest = RepresentativeChange.objects.filter(organization=org).order_by("at", "pk")
        fourth = oldest[3]
        with CaptureQueriesContext(connection) as last:
            response = client.get(_url(org), {"after": paging._encode((fourth.at, fourth.pk))})
        assert _names(response) == ["Person 2", "Person 1", "Person 0"]
        return len(first), len(last), first.captured_queries + last.captured_queries

    small_org, big_org = OrganizationFactory(), OrganizationFactory()
    record_changes(small_org, 60)
    record_changes(big_org, 600)
    small_first, small_last, small_sql = first_and_last(small_org)
    big_first, big_last, big_sql = first_and_last(big_org)
    assert small_first == small_last == big_first == big_last
    assert not any("OFFSET" in q["sql"] for q in small_sql + big_sql)


def test_a_page_link_that_cannot_be_read_gives_the_first_page_and_says_so(client, staff):
    client.force_login(staff)
    org = OrganizationFactory()
    record_changes(org, 60)
    first = _names(client.get(_url(org)))
    for bad in ("nonsense", paging._encode(("x", 1)), paging._encode((START, 2**70))):
        response = client.get(_url(org), {"before": bad})
        assert response.status_code == 200 and _names(response) == first
        assert said("That page link cannot be read; here is the first page.") in (
            response.content.decode()
        )


def test_only_those_who_see_the_register_see_the_changes(client):
    rep = RepresentativeFactory()
    record_changes(rep.organization, 3)
    client.force_login(rep.user)
    assert client.get(_url(rep.organization)).status_code == 404
    client.logout()
    assert client.get(_url(rep.organization)).status_code == 302  # to sign in
