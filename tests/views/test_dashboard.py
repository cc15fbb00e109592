"""The staff dashboard: cases by stage, response deadlines due in the next 14 days and
overdue ones, the work queues ("what do I need to do now?"), the charts, and a query
count that does not grow with closed cases."""

from __future__ import annotations

import pytest
from django.urls import reverse

from cases.models import Case
from tests.factories.cases import open_review
from tests.factories.dates import days, today
from tests.factories.language import colon, said, said_n, said_p, shown_to_client
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
    assert shown_to_client(soon.response_due_on, "SHORT_DATE_FORMAT") in upcoming
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
    under_review = said_p("case state", "Under review")
    assert f"{under_review}{colon()} <strong>3</strong>" in section(response, "states-h")


def test_dashboard_with_no_deadlines_says_so(client, c):
    case_with_exhibits(c.staff, c.organization)
    client.force_login(c.staff)
    response = client.get(reverse("cases:dashboard"))
    assert said("Nothing overdue.") in section(response, "overdue-h")
    assert said("No deadline in the next 14 days.") in section(response, "upcoming-h")


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


# ---------------------------------------------------------------------------
# "What do I need to do now?": the work queues, the charts, a fixed query count
# ---------------------------------------------------------------------------


def test_the_work_queues_answer_what_needs_doing(client, c):
    from cases.models import Dispatch, DispatchStatus, Letter
    from tests.factories.cases import respond
    from tests.factories.people import staff_user

    colleague = staff_user("colleague.staff")
    mine = case_with_exhibits(c.staff, c.organization, summary="Mine")
    theirs = case_with_exhibits(colleague, c.other_organization, summary="Theirs")
    Case.objects.filter(pk=theirs.pk).update(case_officer=colleague)
    answered = open_review(case_with_exhibits(c.staff, c.organization), c.staff)
    respond(answered, c.rep)
    idle = open_review(case_with_exhibits(c.staff, c.other_organization), c.staff)
    Case.objects.filter(pk=idle.pk).update(
        state_changed_at=idle.state_changed_at - days(61), response_due_on=today() + days(5)
    )
    letter = Letter.objects.filter(case=mine).first()
    Dispatch.objects.filter(letter=letter).update(status=DispatchStatus.FAILED)

    client.force_login(c.staff)
    response = client.get(reverse("cases:dashboard"))

    assert _link(mine) in section(response, "mine-h")
    assert _link(theirs) not in section(response, "mine-h")
    to_open = section(response, "to-open-h")
    assert _link(mine) in to_open and _link(theirs) in to_open
    assert _link(answered) not in to_open
    assert _link(answered) in section(response, "findings-h")
    assert _link(idle) not in section(response, "findings-h")  # no response yet
    idle_queue = section(response, "idle-h")
    standard = (
        said_n(  # the sentence's end: "(standard: 60 days)"
            "%(state)s since %(day)s (standard: %(days)s day)",
            "%(state)s since %(day)s (standard: %(days)s days)",
            60,
            state="",
            day="\0",
            days=60,
        )
        .split("\0")[-1]
        .strip()
    )
    assert _link(idle) in idle_queue and standard in idle_queue
    assert _link(answered) not in idle_queue
    failed = section(response, "failed-h")
    not_delivered = said(  # the sentence's end: ": not delivered"
        "%(kind)s to the %(addressee)s, issued %(day)s: not delivered",
        kind="",
        addressee="",
        day="\0",
    ).split("\0")[-1]
    assert mine.number in failed and not_delivered in failed


def test_the_dashboard_charts_have_text_alternatives_in_workflow_order(client, c, deadlines):
    client.force_login(c.staff)
    response = client.get(reverse("cases:dashboard"))
    charts = section(response, "charts-h")
    assert charts.count('role="img"') == 4
    for title in (
        "Cases by stage, in workflow order",
        "Age of open cases, from receipt",
        "Overdue items",
        "Decisions per month, last twelve months",
    ):
        assert f"<figcaption>{said(title)}</figcaption>" in charts
    labels = [label for _, label, _ in response.context["by_state"]]
    states = [
        "Filed",
        "Under review",
        "Hearing",
        "Board vote",
        "Sanctioned",
        "Dismissed",
        "Withdrawn",
    ]
    states = [said_p("case state", state) for state in states]
    assert labels[:5] == states[:5]
    assert labels[-2:] == states[-2:]
    assert f"{said('Responses overdue')}: 1" in charts  # the overdue chart's description


def _dashboard_queries(client) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        assert client.get(reverse("cases:dashboard")).status_code == 200
    return len(ctx.captured_queries)


def test_the_dashboard_asks_the_same_queries_however_many_cases_are_closed(client, c, deadlines):
    from tests.factories.cases import transition

    client.force_login(c.staff)
    client.get(reverse("cases:dashboard"))  # warm: sessions, the procedure
    small = _dashboard_queries(client)
    for i in range(6):
        case = case_with_exhibits(c.staff, c.organization, summary=f"Closed {i}")
        transition(case, "dismiss" if i % 2 else "withdraw", c.staff, reason="Out of scope.")
    large = _dashboard_queries(client)
    assert large == small
