"""The dashboard's "My cases" is bounded (cases.dashboard): the QUEUE_LIMIT open cases
longest in their stage, a count of the officer's open cases that stops at
MINE_COUNT_LIMIT ("more than" past it), and a link to the case list filtered to that
officer; the same queries for 3 open cases or 60."""

from __future__ import annotations

import datetime
import html as html_lib

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from cases import dashboard
from cases.models import Case, Complainant, Procedure
from cases.workflow import OPEN_STATES, CaseState
from tests.factories.cases import adopt_procedure
from tests.factories.dates import days, today
from tests.factories.language import said
from tests.factories.members import OrganizationFactory
from tests.factories.pages import section
from tests.factories.people import staff_user

pytestmark = pytest.mark.django_db

URL = reverse("cases:dashboard")
NOW = timezone.now()


@pytest.fixture
def officer(db):
    return staff_user("mine.officer")


def cases_of(officer, n: int, *, start: int, state: str | None = None) -> None:
    """`n` cases of `officer`, open ones in turn through the open states (unless
    `state`), each moved into its stage an hour before the previous one."""
    org = OrganizationFactory()
    procedure = Procedure.objects.first() or adopt_procedure()
    complainants = Complainant.objects.bulk_create(
        Complainant(kind="person", name=f"C{start + i}") for i in range(n)
    )
    Case.objects.bulk_create(
        Case(
            number=f"2026-{start + i:05d}",
            state=state or OPEN_STATES[i % len(OPEN_STATES)],
            respondent=org,
            complainant=complainants[i],
            procedure=procedure,
            case_officer=officer,
            filed_by=officer,
            summary=f"Complaint {start + i}",
            conduct_known_on=today() - days(30),
            state_changed_at=NOW - datetime.timedelta(hours=start + i),
        )
        for i in range(n)
    )


def _mine(response) -> list[str]:
    return [c.number for c in response.context["work"]["mine"]["items"]]


def _oldest_in_stage(officer) -> list[str]:
    return list(
        Case.objects.filter(case_officer=officer, state__in=OPEN_STATES)
        .order_by("state_changed_at", "pk")
        .values_list("number", flat=True)[: dashboard.QUEUE_LIMIT]
    )


def test_my_cases_runs_the_same_queries_for_3_or_60_open_cases(
    client, officer, django_assert_num_queries
):
    client.force_login(officer)
    cases_of(officer, 3, start=0)
    cases_of(officer, 5, start=500, state=CaseState.CLOSED)
    client.get(URL)
    with CaptureQueriesContext(connection) as small:
        response = client.get(URL)
    assert _mine(response) == _oldest_in_stage(officer)
    assert response.context["mine_count"] == 3
    assert said("All my cases in the case list") not in section(response, "mine-h")

    cases_of(officer, 57, start=3)
    cases_of(officer, 50, start=600, state=CaseState.CLOSED)
    with django_assert_num_queries(len(small)):
        response = client.get(URL)
    assert len(_mine(response)) == dashboard.QUEUE_LIMIT
    assert _mine(response) == _oldest_in_stage(officer)  # the longest in their stage
    assert response.context["mine_count"] == 60
    mine = section(response, "mine-h")
    assert said("All my cases in the case list") in mine
    assert f'href="{reverse("cases:case_list")}?officer={officer.pk}"' in mine


def test_the_link_lists_the_officers_cases(client, officer):
    colleague = staff_user("mine.colleague")
    cases_of(officer, 12, start=0)
    cases_of(colleague, 4, start=100)
    client.force_login(officer)
    listed = client.get(html_lib.unescape(client.get(URL).context["mine_list_url"]))
    numbers = {c.number for c in listed.context["page"]}
    assert numbers == set(
        Case.objects.filter(case_officer=officer).values_list("number", flat=True)
    )


def test_the_count_stops_at_its_bound(client, officer, monkeypatch):
    monkeypatch.setattr(dashboard, "MINE_COUNT_LIMIT", 25)
    cases_of(officer, 40, start=0)
    client.force_login(officer)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(URL)
    assert response.context["mine_count"] == 25 and response.context["mine_count_bounded"]
    assert said("My cases (more than %(open)s open)", open="25") in section(response, "mine-h")
    # The count reads at most one row past the bound.
    assert any("LIMIT 26" in q["sql"] for q in captured.captured_queries)
    monkeypatch.setattr(dashboard, "MINE_COUNT_LIMIT", 40)
    response = client.get(URL)
    assert response.context["mine_count"] == 40 and not response.context["mine_count_bounded"]
    assert said("My cases (%(open)s open)", open=40) in section(response, "mine-h")
