"""The staff dashboard: cases by stage, response deadlines due in the next 14 days and
overdue ones."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils.formats import date_format

from cases.models import Case
from tests.factories.cases import open_review
from tests.factories.dates import days, today
from tests.factories.pages import section
from tests.factories.scenes import case_with_exhibits, cast

pytestmark = pytest.mark.django_db


@pytest.fixture
def c(db):
    return cast(board=0)


def _due_in(case: Case, n: int) -> Case:
    Case.objects.filter(pk=case.pk).update(response_due_on=today() + days(n))
    return Case.objects.get(pk=case.pk)


def _link(case: Case) -> str:
    return f'href="{case.get_absolute_url()}"'


@pytest.fixture
def deadlines(c):
    soon = _due_in(
        open_review(case_with_exhibits(c.staff, c.organization, summary="Soon"), c.staff), 3
    )
    overdue = _due_in(
        open_review(case_with_exhibits(c.staff, c.other_organization, summary="Late"), c.staff), -4
    )
    later = _due_in(
        open_review(case_with_exhibits(c.staff, c.organization, summary="Later"), c.staff), 30
    )
    filed = case_with_exhibits(c.staff, c.organization, summary="Just filed")
    return soon, overdue, later, filed


def test_dashboard_lists_deadlines_due_soon_and_overdue(client, c, deadlines):
    soon, overdue, later, filed = deadlines
    client.force_login(c.staff)

    response = client.get(reverse("cases:dashboard"))

    assert response.status_code == 200
    upcoming = section(response, "upcoming-h")
    late = section(response, "overdue-h")
    assert _link(soon) in upcoming
    assert date_format(soon.response_due_on, "j M Y") in upcoming
    assert _link(soon) not in late
    assert _link(overdue) in late
    assert "Globex Automation" in late
    assert _link(overdue) not in upcoming
    for case in (later, filed):
        assert _link(case) not in upcoming
        assert _link(case) not in late


def test_dashboard_counts_cases_by_stage(client, c, deadlines):
    client.force_login(c.staff)
    response = client.get(reverse("cases:dashboard"))
    counts = {state: n for state, _, n in response.context["by_state"]}
    assert counts["under_review"] == 3
    assert counts["filed"] == 1
    assert counts["board_vote"] == 0
    assert "Under review: <strong>3</strong>" in section(response, "states-h")


def test_dashboard_with_no_deadlines_says_so(client, c):
    case_with_exhibits(c.staff, c.organization)
    client.force_login(c.staff)
    response = client.get(reverse("cases:dashboard"))
    assert "Nothing overdue." in section(response, "overdue-h")
    assert "No deadline in the next 14 days." in section(response, "upcoming-h")


def test_cases_that_left_review_leave_the_deadline_lists(client, c):
    case = _due_in(open_review(case_with_exhibits(c.staff, c.organization), c.staff), -1)
    client.force_login(c.staff)
    assert _link(case) in section(client.get(reverse("cases:dashboard")), "overdue-h")
    response = client.post(
        reverse("cases:case_step", args=[case.number, "dismiss"]),
        {
            "expected_state": "under_review",
            "reason": "The complainant's claim is out of scope.",
            "confirmed": "yes",
        },
    )
    assert response.status_code == 302
    assert _link(case) not in section(client.get(reverse("cases:dashboard")), "overdue-h")
