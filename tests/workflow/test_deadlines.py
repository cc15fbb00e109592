"""The deadline job (cases.deadlines.run, `manage.py run_deadlines`): what happens
because a date arrived, each action once, each a case event by the system."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core import mail
from django.core.management import CommandError, call_command

from cases import outcomes, services
from cases.models import Ballot, Case, CaseEvent, Reminder, VoteChoice
from cases.services import deadlines
from cases.workflow import CaseState
from members.models import MembershipStatus
from tests.factories.cases import events, file_case, fresh
from tests.factories.dates import days, today
from tests.factories.members import OrganizationFactory, RepresentativeFactory
from tests.factories.people import board_members, panel_members
from tests.factories.scenes import (
    appeal_ballot,
    board_ballot,
    file_appeal,
    sanctioned_case,
    seated_voters,
    setup_board_case,
    vote,
    votes_for,
)

V = VoteChoice


def past_closing_date(case) -> None:
    Ballot.objects.filter(pk=board_ballot(case).pk).update(closes_on=today() - days(1))


def window_passed(case) -> None:
    Case.objects.filter(pk=case.pk).update(appeal_deadline=today() - days(1))


def new_events(since: int):
    return CaseEvent.objects.filter(pk__gt=since).order_by("pk")


def last_event_id() -> int:
    return CaseEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0


# ---------------------------------------------------------------------------
# Finalizing
# ---------------------------------------------------------------------------


def test_the_job_finalizes_a_case_whose_appeal_window_passed(staff):
    bc = sanctioned_case(staff, "censure")
    window_passed(bc.case)
    done = deadlines.run()
    case = fresh(bc.case)
    assert done["cases finalized"] == 1
    assert case.state == CaseState.CLOSED
    final = events(case).filter(kind="transition", to_state=CaseState.CLOSED).get()
    assert final.actor is None
    assert final.payload["step"] == "finalize"


def test_the_job_leaves_a_case_whose_appeal_window_is_open(staff):
    bc = sanctioned_case(staff, "censure")
    Case.objects.filter(pk=bc.case.pk).update(appeal_deadline=today())
    done = deadlines.run()
    assert done["cases finalized"] == 0
    assert fresh(bc.case).state == CaseState.SANCTIONED


def test_the_job_does_not_finalize_a_case_under_appeal(staff):
    bc = sanctioned_case(staff, "censure")
    panel_members(2)
    file_appeal(bc.case, bc.rep)
    window_passed(bc.case)
    deadlines.run()
    assert fresh(bc.case).state == CaseState.UNDER_APPEAL


def test_a_run_for_a_later_date_finalizes_as_of_that_date(staff):
    bc = sanctioned_case(staff, "censure")
    done = deadlines.run(today=bc.case.appeal_deadline + days(1))
    assert done["cases finalized"] == 1
    assert fresh(bc.case).state == CaseState.CLOSED


# ---------------------------------------------------------------------------
# Closing ballots
# ---------------------------------------------------------------------------


def test_the_job_closes_a_board_ballot_past_its_date_with_quorum(staff):
    bc = setup_board_case(staff, board=5)
    votes_for(bc.case, bc.board[:3], "suspension", 3)
    past_closing_date(bc.case)
    done = deadlines.run()
    case = fresh(bc.case)
    assert done["ballots closed"] == 1
    assert case.state == CaseState.SANCTIONED
    assert board_ballot(case).closed_at is not None
    closed = events(case).get(kind="transition", payload__step="close_ballot")
    assert closed.actor is None
    # The sanction takes effect on the decision, imposed by the system.
    org = bc.organization
    org.refresh_from_db()
    assert org.status == MembershipStatus.SUSPENDED
    assert org.status_history.get().changed_by is None


def test_the_job_leaves_a_ballot_without_quorum_open_and_flags_it(staff):
    bc = setup_board_case(staff, board=5)
    votes_for(bc.case, bc.board[:2], "warning")
    past_closing_date(bc.case)
    done = deadlines.run()
    assert done["ballots closed"] == 0
    assert fresh(bc.case).state == CaseState.BOARD_VOTE
    assert board_ballot(bc.case).closed_at is None
    assert [b.pk for b in outcomes.overdue_ballots()] == [board_ballot(bc.case).pk]


def test_the_job_leaves_a_ballot_before_its_date_open(staff):
    bc = setup_board_case(staff, board=3)
    votes_for(bc.case, bc.board[:2], "warning")
    done = deadlines.run()
    assert done["ballots closed"] == 0
    assert board_ballot(bc.case).closed_at is None
    assert outcomes.overdue_ballots() == []


def test_the_job_closes_an_appeal_ballot_past_its_date_with_quorum(staff):
    bc = sanctioned_case(staff, "censure")
    panel = panel_members(3)
    file_appeal(bc.case, bc.rep)
    vote(bc.case, panel[0], V.UPHOLD)
    vote(bc.case, panel[1], V.UPHOLD)
    Ballot.objects.filter(pk=appeal_ballot(bc.case).pk).update(closes_on=today() - days(1))
    done = deadlines.run()
    assert done["appeal ballots closed"] == 1
    assert appeal_ballot(bc.case).closed_at is not None
    assert events(bc.case).get(kind="ballot_closed").actor is None
    # The decision itself is staff's to record.
    assert fresh(bc.case).state == CaseState.UNDER_APPEAL


# ---------------------------------------------------------------------------
# Reminders
# ---------------------------------------------------------------------------


@pytest.fixture
def reminder_cases(staff):
    """One case in each situation that earns a reminder: a response due in 5 days, a
    ballot closing in 2 days with voters missing, an appeal window closing in 5 days."""
    sanctioned = sanctioned_case(staff, "censure", board=board_members(2, prefix="first."))
    Case.objects.filter(pk=sanctioned.case.pk).update(appeal_deadline=today() + days(5))

    org = OrganizationFactory()
    rep = RepresentativeFactory(organization=org, user__username="due.rep").user
    under_review = file_case(by=staff, respondent=org)
    services.case_transition(case=under_review, name="open_review", by=staff)
    Case.objects.filter(pk=under_review.pk).update(response_due_on=today() + days(5))

    voting = setup_board_case(staff, board=3)  # seats every board member: 5
    vote(voting.case, voting.board[0], V.NO_VIOLATION)
    Ballot.objects.filter(pk=board_ballot(voting.case).pk).update(closes_on=today() + days(2))
    return {"rep": rep, "under_review": under_review, "voting": voting, "sanctioned": sanctioned}


def reminder_mail():
    return [m for m in mail.outbox if m.subject.split(":")[0] in (
        "Response due soon", "Ballot closing soon", "Appeal window closing")]


def test_each_reminder_is_sent_once(reminder_cases, django_capture_on_commit_callbacks):
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        first = deadlines.run()
    assert first["reminders sent"] == 3
    sent = reminder_mail()
    by_subject = {m.subject.split(":")[0]: m for m in sent}
    assert len(sent) == 3
    assert by_subject["Response due soon"].to == ["due.rep@example.org"]
    assert by_subject["Appeal window closing"].to == [reminder_cases["sanctioned"].rep.email]
    voting = reminder_cases["voting"]
    not_voted = {m.email for m in voting.board[1:]} | {"first.1@example.org", "first.2@example.org"}
    assert set(by_subject["Ballot closing soon"].to) == not_voted
    assert voting.board[0].email not in by_subject["Ballot closing soon"].to
    assert Reminder.objects.count() == 3

    with django_capture_on_commit_callbacks(execute=True):
        second = deadlines.run()
    assert second["reminders sent"] == 0
    assert Reminder.objects.count() == 3
    assert len(reminder_mail()) == 3
    for key in ("under_review", "sanctioned"):
        case = reminder_cases[key]
        case = case.case if hasattr(case, "case") else case
        assert events(case).filter(kind="reminder_sent").count() == 1
        assert events(case).get(kind="reminder_sent").actor is None


def test_a_new_closing_date_earns_a_new_reminder(reminder_cases):
    deadlines.run()
    voting = reminder_cases["voting"].case
    Ballot.objects.filter(pk=board_ballot(voting).pk).update(closes_on=today() + days(1))
    assert deadlines.run()["reminders sent"] == 1
    assert Reminder.objects.filter(case=voting, kind="ballot_closing").count() == 2


def test_no_reminder_when_the_response_is_in(staff, organization, representative):
    case = file_case(by=staff, respondent=organization)
    services.case_transition(case=case, name="open_review", by=staff)
    services.response_submit(case=fresh(case), by=representative, text="Our answer.")
    Case.objects.filter(pk=case.pk).update(response_due_on=today() + days(3))
    assert deadlines.run()["reminders sent"] == 0
    assert not Reminder.objects.exists()


# ---------------------------------------------------------------------------
# Everything the job does is the system's
# ---------------------------------------------------------------------------


def test_every_action_of_the_job_is_an_event_by_the_system(reminder_cases, staff):
    closing = setup_board_case(staff, board=board_members(3, prefix="closing."))
    votes_for(closing.case, seated_voters(closing.case), "warning")
    past_closing_date(closing.case)
    final = sanctioned_case(staff, "warning", board=board_members(1, prefix="final."))
    window_passed(final.case)
    since = last_event_id()

    done = deadlines.run()

    assert done["ballots closed"] == 1
    assert done["cases finalized"] == 1
    assert done["reminders sent"] == 3
    written = list(new_events(since))
    assert {e.case_id for e in written} >= {closing.case.pk, final.case.pk}
    assert [e for e in written if e.actor_id is not None] == []
    # Nothing left to do: a second run writes nothing.
    since = last_event_id()
    deadlines.run()
    assert not new_events(since).exists()


def test_the_management_command_runs_the_job(staff):
    bc = sanctioned_case(staff, "censure")
    window_passed(bc.case)
    out = StringIO()
    call_command("run_deadlines", stdout=out)
    assert fresh(bc.case).state == CaseState.CLOSED
    assert "1 cases finalized" in out.getvalue()
    out = StringIO()
    call_command("run_deadlines", stdout=out)
    assert "nothing to do" in out.getvalue()


# ---------------------------------------------------------------------------
# One failing item does not stop the job
# ---------------------------------------------------------------------------


def test_one_case_that_fails_does_not_stop_the_job_for_the_others(staff, monkeypatch):
    broken = sanctioned_case(staff, "censure").case
    healthy = sanctioned_case(staff, "censure").case
    window_passed(broken)
    window_passed(healthy)
    real = deadlines.case_transition

    def transition(*, case, **kwargs):
        if case.pk == broken.pk:
            raise RuntimeError("the letter would not render")
        return real(case=case, **kwargs)

    monkeypatch.setattr(deadlines, "case_transition", transition)
    done = deadlines.run()
    assert done["failed"] == 1
    assert done["cases finalized"] == 1
    assert fresh(broken).state == CaseState.SANCTIONED
    assert fresh(healthy).state == CaseState.CLOSED


def test_the_command_exits_non_zero_when_an_item_failed(staff, monkeypatch):
    broken = sanctioned_case(staff, "censure").case
    window_passed(broken)

    def transition(**kwargs):
        raise RuntimeError("the mail server is down")

    monkeypatch.setattr(deadlines, "case_transition", transition)
    out = StringIO()
    with pytest.raises(CommandError, match="1 item"):
        call_command("run_deadlines", stdout=out)
    assert "nothing to do" not in out.getvalue()
    assert "failed" in out.getvalue()
