"""Two people acting on one case at the same moment (PostgreSQL row locks): exactly
one succeeds, the other is told the case has moved on, and the record has one event."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from cases import services
from cases.models import Case, CaseEvent
from cases.services import CaseMovedOn
from cases.workflow import CaseState
from tests.factories.cases import PrincipleFactory, ProcedureFactory, allegation, file_case
from tests.factories.members import OrganizationFactory, RepresentativeFactory
from tests.factories.people import staff_user
from tests.factories.scenes import add_fact_finding

pytestmark = [
    pytest.mark.postgres,
    # Threads holding row locks: run in bin/test's serial phase, not under xdist.
    pytest.mark.serial,
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="row locks need PostgreSQL; SQLite serialises writers",
    ),
    # The role groups are made by tests/conftest.py after each flush.
    pytest.mark.django_db(transaction=True),
]


def run_together(*actions):
    """Run each action in its own thread and database connection, released at the same
    moment by a barrier; return ("ok", value) or ("error", exception) for each."""
    barrier = threading.Barrier(len(actions))
    results: list = [None] * len(actions)

    def run(i, action):
        try:
            barrier.wait(timeout=10)
            results[i] = ("ok", action())
        except Exception as exc:  # noqa: BLE001  (reported to the test)
            results[i] = ("error", exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, a)) for i, a in enumerate(actions)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not any(t.is_alive() for t in threads), "a thread is stuck (deadlock?)"
    return results


@pytest.fixture
def filed_case(transactional_db):
    ProcedureFactory(version=1)
    principle = PrincipleFactory()
    organization = OrganizationFactory(name="Acme Robotics")
    RepresentativeFactory(organization=organization, user__username="acme.rep")
    first = staff_user(username="first.staff")
    second = staff_user(username="second.staff")
    case = file_case(by=first, respondent=organization, allegations=[allegation(principle)])
    return case, first, second


def test_two_staff_opening_review_at_once_one_succeeds_and_one_is_told_it_moved_on(filed_case):
    case, first, second = filed_case

    def open_it(user):
        return lambda: services.case_transition(
            case=Case.objects.get(pk=case.pk),
            name="open_review",
            by=user,
            expected_state=CaseState.FILED,
        )

    results = run_together(open_it(first), open_it(second))

    outcomes = sorted(kind for kind, _ in results)
    assert outcomes == ["error", "ok"], results
    error = next(value for kind, value in results if kind == "error")
    assert isinstance(error, CaseMovedOn)
    assert "has moved on" in " ".join(error.messages)
    assert CaseEvent.objects.filter(case_id=case.pk, kind="transition").count() == 1
    assert CaseEvent.objects.filter(case_id=case.pk, kind="open_review_effects").count() == 1
    assert Case.objects.get(pk=case.pk).state == CaseState.UNDER_REVIEW
    assert services.verify_case_record(Case.objects.get(pk=case.pk)).ok


def test_dismissal_and_withdrawal_at_once_only_one_closes_the_case(filed_case):
    case, first, second = filed_case

    def step(name, user):
        return lambda: services.case_transition(
            case=Case.objects.get(pk=case.pk),
            name=name,
            by=user,
            reason=f"{name} now.",
            expected_state=CaseState.FILED,
        )

    results = run_together(step("dismiss", first), step("withdraw", second))

    assert sorted(kind for kind, _ in results) == ["error", "ok"], results
    assert isinstance(next(v for k, v in results if k == "error"), CaseMovedOn)
    events = CaseEvent.objects.filter(case_id=case.pk, kind="transition")
    assert events.count() == 1
    assert Case.objects.get(pk=case.pk).state == events.get().to_state
    assert services.verify_case_record(Case.objects.get(pk=case.pk)).ok


def test_two_complaints_filed_at_once_get_different_numbers(filed_case):
    case, first, second = filed_case
    organization = case.respondent

    def file_one(user):
        return lambda: file_case(by=user, respondent=organization).number

    results = run_together(file_one(first), file_one(second))

    assert [kind for kind, _ in results] == ["ok", "ok"], results
    numbers = sorted(value for _, value in results)
    year = case.number.split("-")[0]
    assert numbers == [f"{year}-0002", f"{year}-0003"]


def test_evidence_added_by_two_staff_at_once_keeps_one_unbroken_chain(filed_case):
    case, first, second = filed_case
    results = run_together(
        lambda: add_fact_finding(Case.objects.get(pk=case.pk), first),
        lambda: add_fact_finding(Case.objects.get(pk=case.pk), second),
    )

    assert [kind for kind, _ in results] == ["ok", "ok"], results
    fresh = Case.objects.get(pk=case.pk)
    assert CaseEvent.objects.filter(case=fresh, kind="evidence_added").count() == 3
    assert services.verify_case_record(fresh).ok


def test_two_cases_dismissed_at_once_are_both_counted_in_the_summary(filed_case):
    """Both steps find no summary row for this month's dismissals and insert it at once:
    one insert waits for the other, fails in its savepoint and adds to that row."""
    from cases.services.summary import summary_drift

    case, first, second = filed_case
    other = file_case(by=second, respondent=case.respondent)

    def dismiss(c, user):
        return lambda: services.case_transition(
            case=Case.objects.get(pk=c.pk), name="dismiss", by=user, reason="Out of scope."
        )

    results = run_together(dismiss(case, first), dismiss(other, second))

    assert [kind for kind, _ in results] == ["ok", "ok"], results
    assert summary_drift() == []
