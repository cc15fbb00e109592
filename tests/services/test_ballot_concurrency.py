"""Concurrency on PostgreSQL: many voters at once, two staff closing the same ballot,
two deadline jobs at once. Each thread has its own database connection and its own
transaction, as separate web requests or cron runs would; the case row lock
(SELECT ... FOR UPDATE) must make every vote count and every action happen once.

SQLite has no row locks (select_for_update is a no-op there): these run on PostgreSQL
only (DATABASE_URL=postgres://...)."""

from __future__ import annotations

import threading
from collections import Counter

import pytest
from django.contrib.auth.models import User
from django.db import close_old_connections, connection

from cases.models import Ballot, Case, CaseEvent, Reminder, Sanction, Vote, VoteChoice
from cases.services import CaseMovedOn, ballots, case_transition, deadlines, verify_case_record
from cases.workflow import CaseState
from tests.factories.dates import days, today
from tests.factories.people import board_members
from tests.factories.scenes import board_ballot, sanctioned_case, setup_board_case, vote

pytestmark = [
    pytest.mark.postgres,
    # Threads holding row locks: run in bin/test's serial phase, not under xdist.
    pytest.mark.serial,
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="needs PostgreSQL row locks (DATABASE_URL)"
    ),
    # The role groups are made by tests/conftest.py after each flush.
    pytest.mark.django_db(transaction=True),
]

V = VoteChoice


def at_once(*calls, timeout: float = 120.0) -> list[tuple[str, object]]:
    """Run each call in its own thread, released together by a barrier. Returns
    ("ok", result) or ("error", exception) per call, in order."""
    barrier = threading.Barrier(len(calls))
    results: list = [None] * len(calls)

    def worker(i, call):
        try:
            barrier.wait(timeout=timeout)
            results[i] = ("ok", call())
        except BaseException as exc:  # noqa: BLE001  (reported to the test)
            results[i] = ("error", exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(i, c)) for i, c in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout)
    assert not any(t.is_alive() for t in threads), "a thread is stuck (deadlock?)"
    close_old_connections()
    return results


def kinds(case) -> Counter:
    return Counter(CaseEvent.objects.filter(case_id=case.pk).values_list("kind", flat=True))


def test_twenty_board_members_vote_at_once_and_every_vote_counts(staff):
    bc = setup_board_case(staff, board=board_members(20))
    case_id = bc.case.pk
    sanctions = ["warning", "censure", "suspension", "expulsion"]

    def voting(user_id, i):
        def call():
            return ballots.vote_cast(
                case=Case.objects.get(pk=case_id),
                voter=User.objects.get(pk=user_id),
                choice=V.VIOLATION if i % 5 else V.NO_VIOLATION,
                sanction=sanctions[i % 4] if i % 5 else "",
                suspension_months=6 if i % 4 == 2 else None,
            ).pk
        return call

    results = at_once(*(voting(m.pk, i) for i, m in enumerate(bc.board)))

    assert [r for r in results if r[0] == "error"] == []
    ballot = board_ballot(bc.case)
    assert Vote.objects.filter(ballot=ballot).count() == 20
    assert set(Vote.objects.filter(ballot=ballot).values_list("voter_id", flat=True)) == {
        m.pk for m in bc.board
    }
    assert kinds(bc.case)["vote_cast"] == 20
    record = verify_case_record(Case.objects.get(pk=case_id))
    assert record.ok, record.problem
    sequences = list(CaseEvent.objects.filter(case_id=case_id).values_list("sequence", flat=True))
    assert sorted(sequences) == list(range(1, len(sequences) + 1))


def test_one_voter_submitting_twice_at_once_leaves_one_vote(staff):
    bc = setup_board_case(staff, board=3)
    case_id, voter_id = bc.case.pk, bc.board[0].pk

    def call(choice, sanction):
        return lambda: ballots.vote_cast(
            case=Case.objects.get(pk=case_id), voter=User.objects.get(pk=voter_id),
            choice=choice, sanction=sanction,
        ).pk

    results = at_once(call(V.VIOLATION, "censure"), call(V.NO_VIOLATION, ""))
    assert [r for r in results if r[0] == "error"] == []
    assert Vote.objects.filter(voter_id=voter_id).count() == 1
    k = kinds(bc.case)
    assert (k["vote_cast"], k["vote_changed"]) == (1, 1)
    assert verify_case_record(Case.objects.get(pk=case_id)).ok


def test_close_ballot_from_two_sessions_at_once_closes_it_once(staff):
    bc = setup_board_case(staff, board=3)
    for member in bc.board:
        vote(bc.case, member, V.VIOLATION, "suspension", 3)
    case_id, staff_id = bc.case.pk, staff.pk

    def closing():
        return case_transition(
            case=Case.objects.get(pk=case_id), name="close_ballot",
            by=User.objects.get(pk=staff_id), expected_state=CaseState.BOARD_VOTE,
        ).state

    results = at_once(closing, closing)

    outcomes = sorted(type(r[1]).__name__ if r[0] == "error" else r[1] for r in results)
    assert outcomes == ["CaseMovedOn", CaseState.SANCTIONED]
    assert any(isinstance(r[1], CaseMovedOn) for r in results)
    case = Case.objects.get(pk=case_id)
    assert case.state == CaseState.SANCTIONED
    k = kinds(case)
    assert k["close_ballot_effects"] == 1
    assert CaseEvent.objects.filter(case_id=case_id, kind="transition",
                                    payload__step="close_ballot").count() == 1
    assert Ballot.objects.filter(case_id=case_id, closed_at__isnull=False).count() == 1
    assert Sanction.objects.filter(case_id=case_id).count() == 1
    assert k["sanction_applied"] == 1
    org = bc.organization
    org.refresh_from_db()
    assert org.status_history.count() == 1
    assert verify_case_record(case).ok


def test_two_deadline_jobs_at_once_act_once(staff):
    # A case whose appeal window passed, a ballot past its date with quorum, and a
    # suspension that ends today: one action each, whichever job gets there first.
    final = sanctioned_case(staff, "censure", board=board_members(2, prefix="f."))
    Case.objects.filter(pk=final.case.pk).update(appeal_deadline=today() - days(1))
    ending = sanctioned_case(staff, "suspension", months=1, board=board_members(1, prefix="e."))
    ends_on = Sanction.objects.get(case=ending.case).ends_on
    # Its own appeal window still open on that day (a month can outlast the window), so
    # only `final` is finalized whatever today's date.
    Case.objects.filter(pk=ending.case.pk).update(appeal_deadline=ends_on + days(1))
    closing = setup_board_case(staff, board=board_members(2, prefix="c."))
    for member in User.objects.filter(ballot_seats__ballot=board_ballot(closing.case)):
        vote(closing.case, member, V.VIOLATION, "warning")
    Ballot.objects.filter(pk=board_ballot(closing.case).pk).update(closes_on=today() - days(1))
    before = CaseEvent.objects.order_by("-pk").values_list("pk", flat=True).first()

    results = at_once(lambda: deadlines.run(today=ends_on), lambda: deadlines.run(today=ends_on))

    assert [r for r in results if r[0] == "error"] == []
    total = results[0][1] + results[1][1]
    assert total["cases finalized"] == 1
    assert total["ballots closed"] == 1
    assert total["suspensions ended"] == 1
    assert Case.objects.get(pk=final.case.pk).state == CaseState.CLOSED
    assert Case.objects.get(pk=closing.case.pk).state == CaseState.SANCTIONED
    assert CaseEvent.objects.filter(case_id=final.case.pk, kind="transition",
                                    payload__step="finalize").count() == 1
    assert CaseEvent.objects.filter(case_id=closing.case.pk, kind="close_ballot_effects").count() == 1
    assert kinds(ending.case)["suspension_ended"] == 1
    org = ending.organization
    org.refresh_from_db()
    assert org.status == "active"
    assert org.status_history.count() == 2  # suspended, then restored once
    reminders = Counter(Reminder.objects.values_list("case_id", "kind", "key"))
    assert all(n == 1 for n in reminders.values())
    assert not CaseEvent.objects.filter(pk__gt=before, actor__isnull=False).exists()
    for case in (final.case, ending.case, closing.case):
        assert verify_case_record(Case.objects.get(pk=case.pk)).ok
