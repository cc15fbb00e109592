"""The task worker: django-tasks-db's `db_worker`, plus a heartbeat thread that also
hands stalled deliveries back to the queue and queues the deadline job
(cases.tasks.housekeeping). Run one or more per host; see docs/deploy/README.md."""

from __future__ import annotations

import threading

from django.conf import settings
from django.db import connection
from django_tasks_db.management.commands import db_worker

from cases import tasks


def _housekeeping_loop(worker_id: str, stop: threading.Event) -> None:
    while not stop.is_set():
        tasks.housekeeping(worker_id)
        connection.close()  # this thread's own connection; a fresh one next round
        stop.wait(settings.PROBITY_WORKER_HEARTBEAT_SECONDS)


class Command(db_worker.Command):
    help = "Run a Probity task worker (letters' delivery, the deadline job) with a heartbeat."

    def add_arguments(self, parser):
        super().add_arguments(parser)
        # A reloading parent would beat for a child it restarts: off unless asked for.
        parser.set_defaults(reload=False)

    def handle(self, *args, **options):
        stop = threading.Event()
        thread = threading.Thread(
            target=_housekeeping_loop,
            args=(options["worker_id"], stop),
            name="probity-housekeeping",
            daemon=True,
        )
        thread.start()
        try:
            super().handle(*args, **options)
        finally:
            stop.set()
