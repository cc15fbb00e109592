"""/health/ (the database, the private storage, the worker's heartbeat; JSON, no
secrets), the request id and the JSON log lines, and the worker's housekeeping."""

from __future__ import annotations

import datetime
import io
import json
import logging

import pytest
from django.core import mail
from django.utils import timezone

from association.logging import JsonFormatter, RequestIdFilter, request_id
from cases import tasks
from cases.models import Dispatch, DispatchStatus, LetterKind, WorkerHeartbeat
from tests.factories.cases import open_review
from tests.factories.letters import letter, world_case

pytestmark = pytest.mark.django_db


def health(client):
    response = client.get("/health/")
    return response, json.loads(response.content)


def test_health_is_ok_with_a_live_worker(client, settings):
    settings.PROBITY_TASKS_BACKEND = "database"
    tasks.beat("worker-a")
    response, report = health(client)
    assert response.status_code == 200
    assert report["status"] == "ok"
    assert report["checks"]["database"]["ok"] and report["checks"]["storage"]["ok"]
    assert report["checks"]["worker"]["ok"] and report["checks"]["worker"]["age_seconds"] < 5
    assert settings.SECRET_KEY not in response.content.decode()


def test_health_is_degraded_when_the_worker_stopped_beating(client, settings):
    settings.PROBITY_TASKS_BACKEND = "database"
    tasks.beat("worker-a")
    WorkerHeartbeat.objects.update(beat_at=timezone.now() - datetime.timedelta(minutes=10))
    response, report = health(client)
    assert response.status_code == 200
    assert report["status"] == "degraded" and report["checks"]["worker"]["ok"] is False


def test_health_is_down_when_the_private_storage_cannot_be_written(client, settings, tmp_path):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the storage folder should be")
    settings.PRIVATE_STORAGE_ROOT = blocker
    response, report = health(client)
    assert response.status_code == 503
    assert report["status"] == "down" and report["checks"]["storage"]["ok"] is False
    assert str(blocker) not in response.content.decode()  # no paths either


def test_health_leaves_no_file_behind(client, private_storage):
    health(client)
    assert [p for p in private_storage.rglob("*") if p.is_file()] == []


def test_each_response_carries_a_request_id(client):
    generated = client.get("/health/")["X-Request-ID"]
    assert len(generated) == 32 and int(generated, 16) >= 0
    assert client.get("/health/", HTTP_X_REQUEST_ID="proxy-abc12345")["X-Request-ID"] == (
        "proxy-abc12345"
    )
    # An id that is not a plain token is replaced, never echoed.
    unsafe = client.get("/health/", HTTP_X_REQUEST_ID="<script>x</script>")["X-Request-ID"]
    assert unsafe != "<script>x</script>" and len(unsafe) == 32


def test_a_json_log_line_carries_the_request_id_and_the_extras():
    out = io.StringIO()
    handler = logging.StreamHandler(out)
    handler.addFilter(RequestIdFilter())
    handler.setFormatter(JsonFormatter())
    logger = logging.getLogger("probity.test-json")
    logger.addHandler(handler)
    logger.propagate = False
    token = request_id.set("req-12345678")
    try:
        logger.warning("Letter %s failed", 7, extra={"letter": 7})
    finally:
        request_id.reset(token)
        logger.removeHandler(handler)
    line = json.loads(out.getvalue())
    assert line["message"] == "Letter 7 failed" and line["level"] == "WARNING"
    assert line["request_id"] == "req-12345678" and line["letter"] == 7
    assert line["logger"] == "probity.test-json" and line["time"].endswith("+00:00")


def test_the_sweep_hands_a_stalled_delivery_back_to_the_queue(
    world, django_capture_on_commit_callbacks, settings
):
    settings.EMAIL_BACKEND = "tests.letters.test_delivery.ExplodingBackend"
    settings.PROBITY_DELIVERY_RETRY_DELAYS = []
    case = world_case(world)
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    with django_capture_on_commit_callbacks(execute=False):
        case = open_review(case, world.staff)  # the delivery task never ran: a lost worker
    notice = letter(case, LetterKind.NOTICE_OF_COMPLAINT)
    past = timezone.now() - datetime.timedelta(hours=1)
    Dispatch.objects.filter(letter=notice).update(
        status=DispatchStatus.SENDING, lease_until=past, attempts=1
    )
    mail.outbox.clear()
    assert tasks.letters.sweep_stalled() == 1
    assert sorted(m.to[0] for m in mail.outbox) == sorted([world.rep.email, world.deputy.email])
    assert Dispatch.objects.get(letter=notice).status == DispatchStatus.SENT
    assert tasks.letters.sweep_stalled() == 0  # nothing left to hand back


def test_a_live_lease_is_left_to_its_worker(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        case = open_review(world_case(world), world.staff)
    notice = letter(case, LetterKind.NOTICE_OF_COMPLAINT)
    soon = timezone.now() + datetime.timedelta(minutes=5)
    Dispatch.objects.filter(letter=notice).update(status=DispatchStatus.SENDING, lease_until=soon)
    mail.outbox.clear()
    assert tasks.letters.sweep_stalled() == 0
    assert tasks.letters.attempt_delivery(notice.pk) == "held"
    assert mail.outbox == []


def test_the_deadline_job_is_queued_once_per_period(database_tasks, settings):
    from django_tasks_db.models import DBTaskResult

    settings.PROBITY_DEADLINES_EVERY = 900
    assert tasks.schedule_deadlines() is True
    assert tasks.schedule_deadlines() is False  # one is waiting
    DBTaskResult.objects.update(status="SUCCESSFUL")
    assert tasks.schedule_deadlines() is False  # one ran less than 15 minutes ago
    DBTaskResult.objects.update(enqueued_at=timezone.now() - datetime.timedelta(hours=1))
    assert tasks.schedule_deadlines() is True
    assert DBTaskResult.objects.filter(task_path=tasks.RUN_DEADLINES_PATH).count() == 2
    # A run whose worker was killed stays RUNNING: after an hour it no longer blocks.
    DBTaskResult.objects.update(
        status="RUNNING",
        started_at=timezone.now() - datetime.timedelta(hours=2),
        enqueued_at=timezone.now() - datetime.timedelta(hours=2),
    )
    assert tasks.schedule_deadlines() is True


def test_the_deadline_task_runs_the_deadline_job():
    result = tasks.run_deadlines.enqueue()  # the immediate backend runs it now
    assert result.status == "SUCCESSFUL"
    assert result.return_value["failed"] == 0
