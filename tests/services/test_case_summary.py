"""The case summary the dashboard reads (cases.services.summary): kept by intake and
every workflow step in the case's own transaction, equal to a recount from the case
rows on a world with known numbers, recounted by `rebuild_summary`, and drift is
detected and repaired by `manage.py case_summary`."""

from __future__ import annotations

import datetime
from collections import Counter

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from cases import dashboard
from cases.models import Case, CaseCount, VoteChoice
from cases.services import summary
from cases.workflow import CaseState
from tests.factories.cases import file_case, open_review, transition
from tests.factories.dates import days, today
from tests.factories.scenes import (
    cast,
    close_ballot,
    file_appeal,
    sanctioned_case,
    seated_voters,
    setup_board_case,
    vote_all,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(db):
    """Two filed, two dismissed, one withdrawn, one under review, one before the board,
    one sanctioned, one found no violation, one sanctioned then appealed: all through
    the services."""
    c = cast(board=3)
    for _ in range(2):
        file_case(by=c.staff, respondent=c.organization)
    for name in ("dismiss", "dismiss", "withdraw"):
        transition(file_case(by=c.staff, respondent=c.organization), name, c.staff, reason="Out.")
    open_review(file_case(by=c.staff, respondent=c.organization), c.staff)
    setup_board_case(c.staff, board=c.board, rep=c.rep)
    sanctioned_case(c.staff, "warning", board=c.board, rep=c.rep)
    cleared = setup_board_case(c.staff, board=c.board, rep=c.rep)
    vote_all(cleared.case, seated_voters(cleared.case), VoteChoice.NO_VIOLATION)
    close_ballot(cleared.case, c.staff)
    appealed = sanctioned_case(c.staff, "warning", board=c.board, rep=c.rep)
    file_appeal(appealed.case, appealed.rep)
    return c


def recount() -> tuple[Counter, dict]:
    """By hand from the case rows: cases per state; per month (local), the decisions
    (violation or not, by the state each case is in now) and the dismissals or
    withdrawals (the month the case got there)."""
    per_state = Counter(Case.objects.values_list("state", flat=True))
    per_month: dict = {}
    for case in Case.objects.all():
        if case.decided_at:
            month = timezone.localtime(case.decided_at).date().replace(day=1)
            found = "no_violation" if case.state == CaseState.NO_VIOLATION else "violation"
            per_month.setdefault(month, Counter())[found] += 1
        if case.state in (CaseState.DISMISSED, CaseState.WITHDRAWN):
            month = timezone.localtime(case.state_changed_at).date().replace(day=1)
            per_month.setdefault(month, Counter())["dismissed"] += 1
    return per_state, per_month


def shown(page: dict) -> tuple[dict, dict]:
    """What the dashboard shows: cases per stage, and the decisions chart's columns."""
    per_state = {state: n for state, _label, n in page["by_state"]}
    chart = next(ch for ch in page["charts"] if ch.key == "decisions-month")
    return per_state, chart


def test_the_summary_matches_a_recount_of_a_known_world(world):
    per_state, per_month = recount()
    assert per_state == {
        CaseState.FILED: 2,
        CaseState.DISMISSED: 2,
        CaseState.WITHDRAWN: 1,
        CaseState.UNDER_REVIEW: 1,
        CaseState.BOARD_VOTE: 1,
        CaseState.SANCTIONED: 1,
        CaseState.NO_VIOLATION: 1,
        CaseState.UNDER_APPEAL: 1,
    }
    this_month = today().replace(day=1)
    assert per_month == {this_month: Counter(violation=2, no_violation=1, dismissed=3)}
    assert summary.summary_drift() == []

    page = dashboard.staff_dashboard(user=world.staff)
    stages, chart = shown(page)
    assert stages == {state: per_state.get(state, 0) for state in dashboard.WORKFLOW_ORDER}
    last = chart.rows[-1]
    assert last[0] == dashboard.date_format(this_month, "M y")
    assert "Violation found 2, No violation found 1, Dismissed or withdrawn 3" in chart.summary


def test_a_staff_member_who_is_a_party_gets_the_same_figures_counted_from_the_cases(world):
    # Open cases received across the age buckets (written behind the services' back,
    # then recounted, as seed_scale does).
    opened = Case.objects.filter(state__in=dashboard.OPEN_STATES).order_by("pk")
    for case, ago in zip(opened, (0, 45, 75, 120, 400), strict=False):
        Case.objects.filter(pk=case.pk).update(received_on=today() - days(ago))
    summary.rebuild_summary()

    months = dashboard._last_twelve_months(today())
    from_summary = dashboard._counts_from_summary(months, today())
    from_cases = dashboard._counts_from_cases(Case.objects.all(), months, today())
    assert from_summary[0] == from_cases[0]
    assert {m: +n for m, n in from_summary[1].items()} == {m: +n for m, n in from_cases[1].items()}
    assert from_summary[2] == from_cases[2]  # the open cases per day of receipt

    figures = dashboard._open_figures(
        Case.objects.all(),
        from_summary[0],
        from_summary[2],
        user=world.staff,
        today=today(),
        now=timezone.now(),
        standards=dashboard.time_standards(),
    )
    ages = [figures[f"age_{i}"] for i in range(len(dashboard.AGE_BUCKETS))]
    assert sum(ages) == opened.count() and sum(1 for n in ages if n) >= 2, ages


def test_the_open_cases_per_day_of_receipt_follow_intake_and_closing(world):
    def open_on(day):
        return (
            CaseCount.objects.filter(kind=summary.OPEN_RECEIVED, month=day)
            .values_list("n", flat=True)
            .first()
            or 0
        )

    before = open_on(today())
    case = file_case(by=world.staff)
    assert open_on(today()) == before + 1
    transition(case, "dismiss", world.staff, reason="Outside the code.")
    assert open_on(today()) == before
    assert summary.summary_drift() == []


def test_rebuild_recounts_cases_written_without_the_services(world):
    """seed_scale writes case rows directly, then calls rebuild_summary."""
    case = Case.objects.filter(state=CaseState.DISMISSED).first()
    long_ago = timezone.now() - days(400)
    Case.objects.filter(pk=case.pk).update(state_changed_at=long_ago)  # behind its back
    drift = summary.summary_drift()
    assert [key for key, _stored, _counted in drift] == [
        (summary.ENDED, CaseState.DISMISSED, summary.month_of(long_ago)),
        (summary.ENDED, CaseState.DISMISSED, today().replace(day=1)),
    ]
    summary.rebuild_summary()
    assert summary.summary_drift() == []
    # Now out of the chart's twelve months.
    chart = shown(dashboard.staff_dashboard(user=world.staff))[1]
    assert chart.summary.endswith("No violation found 1, Dismissed or withdrawn 2.")


def test_the_command_names_drift_and_repairs_it(world, capsys):
    call_command("case_summary")
    assert "OK" in capsys.readouterr().out
    CaseCount.objects.filter(kind=summary.IN_STATE, state=CaseState.FILED).update(n=7)
    with pytest.raises(CommandError, match="1 rows"):
        call_command("case_summary")
    assert "state filed: stored 7, counted 2" in capsys.readouterr().out
    call_command("case_summary", "--repair")
    call_command("case_summary")
    assert "OK" in capsys.readouterr().out.splitlines()[-1]


def test_a_step_moves_the_case_between_rows_and_adds_no_row_for_nothing(world):
    before = summary.stored()
    case = file_case(by=world.staff, respondent=world.organization)
    transition(case, "withdraw", world.staff, reason="Settled.")
    after = summary.stored()
    this_month = today().replace(day=1)
    assert after - before == Counter(
        {
            (summary.IN_STATE, CaseState.WITHDRAWN, None): 1,
            (summary.ENDED, CaseState.WITHDRAWN, this_month): 1,
        }
    )
    assert before - after == Counter()


def test_months_are_the_site_time_zone_s(settings):
    settings.TIME_ZONE = "Europe/Paris"
    # 23:30 UTC on 31 January is already 1 February in Paris.
    moment = datetime.datetime(2026, 1, 31, 23, 30, tzinfo=datetime.UTC)
    assert summary.month_of(moment) == datetime.date(2026, 2, 1)
