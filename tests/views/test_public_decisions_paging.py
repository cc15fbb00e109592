"""The public decisions page pages by keyset on (published_on, id) (association.paging,
cases.selectors.published_decisions_page): "older" and "newer" walk every published
decision exactly once, in order, with the same queries on the last page as on the
first and no OFFSET or COUNT; a jump goes to a date; a page link or a date that cannot
be read gives the first page and says so; the sort has its own index."""

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
from cases import selectors
from cases.models import Case, Complainant, Procedure, Publication, PublicationLevel
from tests.factories.cases import adopt_procedure
from tests.factories.dates import days, today
from tests.factories.language import said
from tests.factories.members import OrganizationFactory
from tests.factories.pages import keyset_link, walk_keyset
from tests.factories.people import staff_user

pytestmark = pytest.mark.django_db

URL = reverse("public_decisions")


def publish(n: int, *, start: int = 0, same_day_every: int = 3) -> list[Publication]:
    """`n` published decisions, several on each day (the key's tie-break), the newest
    published yesterday; with one withheld and one past its period, which never show."""
    staff = staff_user("decisions.staff")
    org = OrganizationFactory()
    procedure = Procedure.objects.first() or adopt_procedure()
    rows = []
    for i in range(start, start + n + 2):
        case = Case.objects.create(
            number=f"2026-{i + 1:04d}",
            respondent=org,
            complainant=Complainant.objects.create(kind="person", name=f"C{i}"),
            procedure=procedure,
            case_officer=staff,
            filed_by=staff,
            summary=f"Complaint {i}",
            conduct_known_on=today() - days(400),
        )
        published = today() - days(1 + i // same_day_every)
        rows.append(
            Publication(
                case=case,
                level=PublicationLevel.SANCTION,
                sanction=f"Sanction {i}",
                decided_on=published,
                published_on=published,
                ends_on=today() + days(30),
            )
        )
    withheld, expired = rows[-2], rows[-1]
    withheld.withheld_at = timezone.now()
    expired.ends_on = today() - days(1)
    Publication.objects.bulk_create(rows)
    return rows[:-2]


def _sanctions(response) -> list[str]:
    return [p.sanction for p in response.context["page"]]


def _newest_first(rows) -> list[str]:
    return [p.sanction for p in sorted(rows, key=lambda p: (p.published_on, p.pk), reverse=True)]


@pytest.fixture
def small_pages(monkeypatch):
    monkeypatch.setattr("cases.views_publication.DECISIONS_PAGE_SIZE", 5)


@settings(
    max_examples=8,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(n=st.integers(min_value=0, max_value=17), same_day=st.integers(min_value=1, max_value=6))
def test_older_walks_every_decision_once_in_order_and_newer_walks_back(
    client, small_pages, n, same_day
):
    Publication.objects.all().delete()
    Case.objects.all().delete()
    rows = publish(n, same_day_every=same_day)
    pages, back = walk_keyset(client, URL, _sanctions)
    assert [s for page in pages for s in page] == _newest_first(rows)
    assert all(len(p) == 5 for p in pages[:-1])
    # The last page holds the oldest decisions.
    assert pages[-1] == (_newest_first(rows)[-len(pages[-1]) :] if rows else [])
    assert back == pages[-2::-1]


def _queries(client, params=None) -> tuple[list[str], object]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(URL, params or {})
    return [q["sql"] for q in captured.captured_queries], response


def test_the_last_page_asks_the_same_queries_as_the_first_at_two_sizes(client, small_pages):
    def first_and_last(rows):
        oldest = sorted(rows, key=lambda p: (p.published_on, p.pk))
        first, _ = _queries(client)
        after = paging._encode((oldest[3].published_on, oldest[3].pk))
        last, response = _queries(client, {"after": after})
        assert _sanctions(response) == _newest_first(oldest[:3])  # the oldest three
        return first, last

    rows = publish(12)
    client.get(URL)
    first, last = first_and_last(rows)
    assert len(last) == len(first)
    rows += publish(40, start=14)
    bigger_first, bigger_last = first_and_last(rows)
    assert len(bigger_first) == len(first) and len(bigger_last) == len(first)
    for sql in first + last + bigger_first + bigger_last:
        assert "OFFSET" not in sql and "COUNT(" not in sql.upper()


def test_go_to_a_date(client, small_pages):
    rows = publish(12)  # three a day, from yesterday back
    day = today() - days(3)
    response = client.get(URL, {"go": day.isoformat()})
    expected = _newest_first([p for p in rows if p.published_on <= day])[:5]
    assert _sanctions(response) == expected
    assert keyset_link(response, "prev") is not None
    newer = client.get(f"{URL}?{keyset_link(response, 'prev')}")
    assert _sanctions(newer) == _newest_first([p for p in rows if p.published_on > day])[-5:]
    # Before the first decision: an empty page, which says it is not the whole list.
    response = client.get(URL, {"go": (today() - days(400)).isoformat()})
    assert _sanctions(response) == []
    assert said("No published decision is on or past this point of the list.") in (
        response.content.decode()
    )


def test_a_date_or_a_page_link_that_cannot_be_read_gives_the_first_page_and_says_so(
    client, small_pages
):
    publish(8)
    first = _sanctions(client.get(URL))
    response = client.get(URL, {"go": "2026-13-45"})
    assert response.status_code == 200 and _sanctions(response) == first
    assert said("“%(date)s” is not a date: write it as YYYY-MM-DD.", date="2026-13-45") in (
        response.content.decode()
    )
    for bad in (
        "nonsense",
        "W10=",  # []
        paging._encode(("x", "y")),
        paging._encode((datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC), 1)),  # not a date
        paging._encode((datetime.date(2026, 1, 1), 10**30)),  # past a database integer
        paging._encode((datetime.date(2026, 1, 1), True)),
    ):
        for direction in ("after", "before"):
            response = client.get(URL, {direction: bad})
            assert response.status_code == 200
            assert _sanctions(response) == first
            assert said("That page link cannot be read; here is the first page.") in (
                response.content.decode()
            )


def test_the_page_reads_its_own_index():
    publish(3)
    page = selectors.published_decisions().filter(published_on__lte=today(), pk__lt=10**9)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL enable_seqscan = off")
            plan = page.explain()
    else:
        plan = page.explain()
    assert "publication_public_page" in plan
    assert "TEMP B-TREE" not in plan.upper()  # SQLite sorts nothing: the index is the order


def test_the_cursor_is_the_first_bound_the_database_reads(client, small_pages):
    """Given the list's own bound on the date (published by today) and the cursor's,
    SQLite seeks the index on the first in the WHERE and filters by the other: the
    cursor's comes first (association.paging._seeking), or the oldest page would read
    the whole list down to it."""
    rows = publish(12)
    oldest = sorted(rows, key=lambda p: (p.published_on, p.pk))
    cursor_day = oldest[3].published_on
    after = paging._encode((cursor_day, oldest[3].pk))
    sql, _ = _queries(client, {"after": after})
    where = sql[-1].split(" WHERE ", 1)[1]
    assert where.index(cursor_day.isoformat()) < where.index(today().isoformat())
