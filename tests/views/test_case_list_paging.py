"""The case list pages by keyset (association.paging): "older" and "newer" walk every
case the user may see exactly once, in order, with the same queries on the last page
as on the first; a jump goes to a case number or a date; the count is bounded; a page
link that cannot be read gives the first page and says so."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from association import paging
from cases.models import Case, Complainant, Procedure
from tests.factories.cases import adopt_procedure
from tests.factories.dates import days, today
from tests.factories.language import said, said_n
from tests.factories.members import OrganizationFactory
from tests.factories.pages import keyset_link, walk_keyset
from tests.factories.people import staff_user

pytestmark = pytest.mark.django_db

URL = reverse("cases:case_list")


@pytest.fixture
def staff(db):
    return staff_user("paging.staff")


@pytest.fixture
def docket(staff, monkeypatch):
    """23 cases, three entered at the very same moment (the key's tie-break), on
    pages of 5."""
    monkeypatch.setattr("cases.views.CASE_PAGE_SIZE", 5)
    org = OrganizationFactory(name="Acme Robotics", slug="acme-robotics")
    procedure = Procedure.objects.first() or adopt_procedure()
    start = timezone.make_aware(datetime.datetime(2026, 1, 1, 9, 0))
    cases = []
    for i in range(23):
        at = start + datetime.timedelta(days=min(i, 20))  # cases 20, 21, 22 share a moment
        cases.append(
            Case.objects.create(
                number=f"2026-{i + 1:04d}",
                respondent=org,
                complainant=Complainant.objects.create(kind="person", name=f"C{i}"),
                procedure=procedure,
                case_officer=staff,
                filed_by=staff,
                filed_at=at,
                summary=f"Complaint {i}",
                conduct_known_on=today() - days(30),
            )
        )
    return cases


def _numbers(response) -> list[str]:
    return [c.number for c in response.context["page"]]


def test_older_walks_every_case_once_in_order_and_newer_walks_back(client, staff, docket):
    client.force_login(staff)
    expected = [c.number for c in sorted(docket, key=lambda c: (c.filed_at, c.pk), reverse=True)]
    pages, back = walk_keyset(client, URL, _numbers)
    assert [n for page in pages for n in page] == expected
    assert [len(p) for p in pages] == [5, 5, 5, 5, 3]
    assert back == pages[-2::-1]


def test_the_last_page_asks_the_same_queries_as_the_first(client, staff, docket):
    client.force_login(staff)
    client.get(URL)
    with CaptureQueriesContext(connection) as first:
        response = client.get(URL)
    cursor = paging._encode((docket[3].filed_at, docket[3].pk))
    with CaptureQueriesContext(connection) as deep:
        deep_page = client.get(URL, {"after": cursor})
    assert _numbers(deep_page) == ["2026-0003", "2026-0002", "2026-0001"]
    assert len(deep) == len(first)
    assert "OFFSET" not in " ".join(q["sql"] for q in deep.captured_queries)
    assert response.context["page"].count == 23


def test_a_filter_stays_on_across_pages(client, staff, docket):
    closed = [f"2026-{i:04d}" for i in range(1, 8)]
    Case.objects.filter(number__in=closed).update(state="closed")
    client.force_login(staff)
    response = client.get(URL, {"state": "closed"})
    older = keyset_link(response, "next")
    assert "state=closed" in older
    numbers = _numbers(response) + _numbers(client.get(f"{URL}?{older}"))
    assert sorted(numbers) == closed


def test_go_to_a_case_number_or_a_date(client, staff, docket):
    client.force_login(staff)
    response = client.get(URL, {"go": "2026-0010"})
    assert _numbers(response) == ["2026-0010", "2026-0009", "2026-0008", "2026-0007", "2026-0006"]
    assert keyset_link(response, "prev") is not None
    response = client.get(URL, {"go": "2026-01-03"})  # cases 1-3 were entered by then
    assert _numbers(response) == ["2026-0003", "2026-0002", "2026-0001"]
    response = client.get(URL, {"go": "2099-0001"})
    assert said("No case numbered “%(number)s” is in this list.", number="2099-0001") in (
        response.content.decode()
    )
    assert len(_numbers(response)) == 5  # and the first page


def test_a_page_link_that_cannot_be_read_gives_the_first_page_and_says_so(client, staff, docket):
    client.force_login(staff)
    first = _numbers(client.get(URL))
    for bad in ("nonsense", paging._encode(("x", "y")), "W10="):
        response = client.get(URL, {"after": bad})
        assert response.status_code == 200
        assert _numbers(response) == first
        assert said("That page link cannot be read; here is the first page.") in (
            response.content.decode()
        )


def test_the_count_is_bounded(client, staff, docket, monkeypatch):
    monkeypatch.setattr(paging, "COUNT_LIMIT", 10)
    client.force_login(staff)
    response = client.get(URL)
    more = said("%(count)s cases", count=said("More than %(count)s", count=10))
    assert more in response.content.decode()
    response = client.get(URL, {"q": "2026-0001"})
    assert (
        said_n("%(count)s case", "%(count)s cases", 1, count=1) + "<" in response.content.decode()
    )


def test_bounded_count_counts_at_most_limit_plus_one(staff, docket):
    assert paging.bounded_count(Case.objects.all(), limit=30) == (23, False)
    assert paging.bounded_count(Case.objects.all(), limit=22) == (22, True)


def test_the_count_is_read_with_the_rows_on_every_kind_of_page(client, staff, docket):
    """The count is a column of the page's query (paging.BoundedCount): the first, an
    older, a newer and a jumped-to page all say 23, and a page past the end (a cursor
    before the oldest case) still counts the list. The staff list asks four queries:
    the session, the user with their roles, the filter's choices, the page."""
    client.force_login(staff)
    client.get(URL)
    with CaptureQueriesContext(connection) as first:
        response = client.get(URL)
    assert len(first) == 4
    assert response.context["page"].count == 23
    older = paging._encode((docket[10].filed_at, docket[10].pk))
    past_the_end = paging._encode((docket[0].filed_at, docket[0].pk))
    for params in (
        {"after": older},
        {"before": older},
        {"go": "2026-0010"},
        {"after": past_the_end},
    ):
        page = client.get(URL, params).context["page"]
        assert (page.count, page.count_is_bounded) == (23, False), params
    assert client.get(URL, {"after": past_the_end}).context["page"].object_list == []
    empty = client.get(URL, {"q": "no such organization"}).context["page"]
    assert (empty.count, empty.count_is_bounded) == (0, False)
