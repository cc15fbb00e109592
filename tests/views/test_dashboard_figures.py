"""The dashboard's figures over open cases (ages, overdue items, idle, mine) are read as
the summary's counts less the cases still within their window (cases.dashboard
._open_figures): on cases of every state with dates on both sides of each window,
they equal the figures counted case by case, for staff (from the summary) and for a
staff member who is also a representative (from the cases they may see)."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from cases import dashboard
from cases.models import Case, Complainant, Procedure
from cases.services import summary
from cases.workflow import OPEN_STATES, CaseState
from tests.factories.cases import ensure_procedure
from tests.factories.dates import days, today
from tests.factories.members import OrganizationFactory, RepresentativeFactory
from tests.factories.people import staff_user

pytestmark = pytest.mark.django_db

STATES = [s.value for s in CaseState]
# Days from today, on both sides of every window (age buckets 30/60/90/180 days, due
# dates, the time standard); None for no date.
OFFSETS = [None, -400, -181, -180, -179, -91, -90, -61, -60, -31, -30, -29, -1, 0, 1, 30]


def _cases(n: int, *, officers, respondents) -> list[Case]:
    proc = ensure_procedure()
    complainants = Complainant.objects.bulk_create(
        Complainant(kind="person", name=f"Complainant {i}") for i in range(n)
    )
    now = timezone.now()

    def day(i: int, step: int):
        offset = OFFSETS[(i * step) % len(OFFSETS)]
        return None if offset is None else today() + days(offset)

    return Case.objects.bulk_create(
        Case(
            number=f"2020-{i:05d}",
            state=STATES[i % len(STATES)],
            respondent=respondents[i % len(respondents)],
            complainant=complainants[i],
            procedure=proc,
            case_officer=officers[i % len(officers)],
            filed_by=officers[0],
            summary=f"Complaint {i}",
            filed_at=now - datetime.timedelta(minutes=i),
            conduct_known_on=today() - days(400),
            received_on=day(i, 3) or today(),
            response_due_on=day(i, 5),
            appeal_deadline=day(i, 7),
            state_changed_at=now + datetime.timedelta(days=OFFSETS[(i * 11) % len(OFFSETS)] or 0),
        )
        for i in range(n)
    )


def _counted(cases: list[Case], *, officer) -> dict:
    """The figures, case by case: what the dashboard said before the summary."""
    now, on = timezone.now(), today()
    standard = {p.pk: p.review_time_standard_days for p in Procedure.objects.all()}
    open_ = [c for c in cases if c.state in OPEN_STATES]
    ages = [
        sum(
            1
            for c in open_
            if c.received_on <= on - days(low) and (high is None or c.received_on > on - days(high))
        )
        for _label, low, high in dashboard.AGE_BUCKETS
    ]
    return {
        "ages": ages,
        "responses_overdue": sum(
            1
            for c in cases
            if c.state == CaseState.UNDER_REVIEW and c.response_due_on and c.response_due_on < on
        ),
        "appeal_windows_passed": sum(
            1
            for c in cases
            if c.state == CaseState.SANCTIONED and c.appeal_deadline and c.appeal_deadline < on
        ),
        "idle": sum(
            1
            for c in open_
            if c.state_changed_at < now - datetime.timedelta(days=standard[c.procedure_id])
        ),
        "mine": sum(1 for c in open_ if c.case_officer_id == officer.pk),
    }


def _shown(page: dict) -> dict:
    charts = {chart.key: chart for chart in page["charts"]}
    overdue = [row[1] for row in charts["overdue-items"].rows]
    return {
        "ages": [row[1] for row in charts["ages"].rows],
        "responses_overdue": overdue[0],
        "appeal_windows_passed": overdue[2],
        "idle": overdue[3],
        "mine": page["mine_count"],
    }


def test_the_open_figures_equal_a_count_case_by_case():
    officer = staff_user("figures.staff")
    others = [staff_user() for _ in range(2)]
    cases = _cases(
        3 * len(STATES) * len(OFFSETS),
        officers=[officer, *others],
        respondents=[OrganizationFactory() for _ in range(3)],
    )
    summary.rebuild_summary()  # the rows were written directly, as seed_scale does
    expected = _counted(cases, officer=officer)
    assert all(expected.values()), "every figure has cases on both sides of its window"

    assert _shown(dashboard.staff_dashboard(user=officer)) == expected


def test_the_open_figures_of_a_staff_member_who_is_a_party_count_what_they_see():
    officer = staff_user("figures.party")
    own = OrganizationFactory()
    RepresentativeFactory(organization=own, user=officer)
    others = [OrganizationFactory() for _ in range(2)]
    cases = _cases(2 * len(STATES) * len(OFFSETS), officers=[officer], respondents=[own, *others])
    summary.rebuild_summary()
    # Not a party to the other organizations' cases; of their own, they were given none.
    visible = [c for c in cases if c.respondent_id != own.pk]

    assert _shown(dashboard.staff_dashboard(user=officer)) == _counted(visible, officer=officer)
