"""The task queue's jobs and the worker's housekeeping (docs/decisions/0015).

The letters' tasks live with the letters (cases.services.letters: prepare_letter, which
renders and issues an ordered letter, and deliver_letter, which emails it);
here are the periodic deadline job and what each worker does beside its tasks: a
heartbeat (for /health/), handing stalled preparations and deliveries back to the queue, and putting the
deadline job on the queue every PROBITY_DEADLINES_EVERY seconds (cron can still run
`manage.py run_deadlines`: the job is safe to run twice at once)."""

from __future__ import annotations

import datetime
import logging
import os
import socket

from django.conf import settings
from django.db.models import Q
from django.utils import timezone
from django_tasks import task
from django_tasks_db.models import DBTaskResult

from cases import digest
from cases.models import WorkerHeartbeat
from cases.services import deadlines, letters

log = logging.getLogger("probity.tasks")


@task()
def run_deadlines() -> dict:
    """The deadline job as a task: close ballots, finalize cases, apply and end sanctions."""
    done = deadlines.run()
    return {"failed": 0, **{what: n for what, n in done.items()}}


RUN_DEADLINES_PATH = f"{run_deadlines.func.__module__}.{run_deadlines.func.__qualname__}"


def beat(worker_id: str) -> None:
    now = timezone.now()
    WorkerHeartbeat.objects.update_or_create(
        worker_id=worker_id[:64],
        defaults={"hostname": socket.gethostname()[:255], "pid": os.getpid(), "beat_at": now},
        create_defaults={
            "hostname": socket.gethostname()[:255],
            "pid": os.getpid(),
            "beat_at": now,
            "started_at": now,
        },
    )


def schedule_deadlines(now: datetime.datetime | None = None) -> bool:
    """Queue the deadline job unless one is waiting or running, or one was queued less
    than PROBITY_DEADLINES_EVERY seconds ago. Two workers may both queue it in a race;
    the job is idempotent, so the second run finds nothing to do."""
    every = settings.PROBITY_DEADLINES_EVERY
    if not every:
        return False
    now = now or timezone.now()
    jobs = DBTaskResult.objects.filter(task_path=RUN_DEADLINES_PATH)
    # A run still marked RUNNING after an hour lost its worker (killed): not waited for.
    alive = now - datetime.timedelta(seconds=max(3600, every))
    if jobs.filter(Q(status="READY") | Q(status="RUNNING", started_at__gt=alive)).exists():
        return False
    if jobs.filter(enqueued_at__gt=now - datetime.timedelta(seconds=every)).exists():
        return False
    run_deadlines.enqueue()
    return True


@task()
def send_digest() -> dict:
    """The case officers' weekly digest (cases.digest) as a task."""
    return digest.send_weekly_digest()


SEND_DIGEST_PATH = f"{send_digest.func.__module__}.{send_digest.func.__qualname__}"


def schedule_digest(now: datetime.datetime | None = None) -> bool:
    """Queue the weekly digest unless one was queued less than PROBITY_DIGEST_EVERY
    seconds ago (or is waiting): like the deadline job, but a digest sent twice in a
    race is the price of no lock, so the interval is long and checked first."""
    every = settings.PROBITY_DIGEST_EVERY
    if not every:
        return False
    now = now or timezone.now()
    jobs = DBTaskResult.objects.filter(task_path=SEND_DIGEST_PATH)
    if jobs.filter(
        Q(status="READY") | Q(enqueued_at__gt=now - datetime.timedelta(seconds=every))
    ).exists():
        return False
    send_digest.enqueue()
    return True


def housekeeping(worker_id: str) -> None:
    """One round of what a worker does beside its tasks; failures are logged, not raised."""
    try:
        beat(worker_id)
        letters.sweep_stalled()
        letters.sweep_stalled_orders()
        schedule_deadlines()
        schedule_digest()
    except Exception:  # the worker goes on; the next round tries again
        log.exception("Worker %s: housekeeping failed", worker_id)


def prune_heartbeats(older_than_days: int = 7) -> int:
    cutoff = timezone.now() - datetime.timedelta(days=older_than_days)
    return WorkerHeartbeat.objects.filter(beat_at__lt=cutoff).delete()[0]
