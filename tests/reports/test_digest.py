"""The case officers' weekly digest: each officer's own queues by email, from the
management command and from the periodic task (tested with the mail outbox)."""

from __future__ import annotations

import datetime

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from cases import digest, tasks
from cases.models import Case
from tests.factories.cases import file_case, open_review, respond, transition
from tests.factories.dates import days
from tests.factories.people import staff_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def officers(db, representative, organization):
    alice = staff_user("alice.officer")
    bruno = staff_user("bruno.officer")
    waiting = file_case(by=alice, case_officer=alice)
    answered = open_review(file_case(by=alice, case_officer=alice, respondent=organization), alice)
    respond(answered, representative)
    idle = open_review(file_case(by=alice, case_officer=alice), alice)
    Case.objects.filter(pk=idle.pk).update(state_changed_at=timezone.now() - days(90))
    theirs = file_case(by=bruno, case_officer=bruno)
    transition(theirs, "dismiss", bruno, reason="Outside the code.")  # bruno: nothing open
    mail.outbox.clear()
    return {"alice": alice, "bruno": bruno, "waiting": waiting, "answered": answered, "idle": idle}


def test_each_officer_with_open_cases_gets_their_own_digest(officers):
    call_command("send_digest")

    assert [m.to for m in mail.outbox] == [[officers["alice"].email]]
    body = mail.outbox[0].body
    assert "You are the case officer of 3 open cases" in body
    assert f"Complaints waiting to be opened:\n- {officers['waiting'].number}" in body
    assert f"Responses received, awaiting findings:\n- {officers['answered'].number}" in body
    assert f"- {officers['idle'].number}" in body and "beyond the standard of 60 days" in body
    assert "<" not in body  # plain text, not escaped HTML


def test_the_digest_task_sends_it_and_is_queued_once_a_week(officers, database_tasks, settings):
    from django_tasks_db.models import DBTaskResult

    settings.PROBITY_DIGEST_EVERY = 7 * 24 * 3600
    assert tasks.schedule_digest() is True
    assert tasks.schedule_digest() is False  # one is waiting
    DBTaskResult.objects.update(status="SUCCESSFUL")
    assert tasks.schedule_digest() is False  # one was queued less than a week ago
    DBTaskResult.objects.update(enqueued_at=timezone.now() - datetime.timedelta(days=8))
    assert tasks.schedule_digest() is True
    settings.PROBITY_DIGEST_EVERY = 0
    assert tasks.schedule_digest() is False


def test_the_digest_task_runs_the_digest(officers):
    result = tasks.send_digest.enqueue()  # the immediate backend runs it now
    assert result.status == "SUCCESSFUL"
    assert result.return_value == {"sent": 1, "failed": 0}
    assert len(mail.outbox) == 1


def test_an_officer_whose_mail_fails_does_not_stop_the_others(officers, monkeypatch):
    carol = staff_user("carol.officer")
    file_case(by=carol, case_officer=carol)
    real = digest.send_mail

    def flaky(subject, body, sender, to):
        if to == [officers["alice"].email]:
            raise OSError("mail server down")
        return real(subject, body, sender, to)

    monkeypatch.setattr(digest, "send_mail", flaky)
    assert digest.send_weekly_digest() == {"sent": 1, "failed": 1}
    assert [m.to for m in mail.outbox] == [[carol.email]]
