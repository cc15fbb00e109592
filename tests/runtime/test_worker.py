"""The task queue with real worker processes (`manage.py probity_worker`, django-tasks-db):
a worker killed in the middle of sending a letter, and two workers on one PostgreSQL
queue. The letters are issued once, in the step; the workers only deliver them."""

from __future__ import annotations

import os
import signal
import time
from collections import Counter

import pytest
from django.db import connection, transaction

from cases.models import Dispatch, DispatchStatus, Letter, LetterOrder
from tests.letters.smtp import SMTPServer
from tests.runtime.workers import manage, scene, start_worker, worker_env


def wait_for(predicate, timeout: float = 60, every: float = 0.3):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(every)
    raise AssertionError("timed out waiting")


def stop(process) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except Exception:
            process.kill()
            process.wait()


def received_once(recorder) -> Counter:
    """The letters' emails received, by subject and address (the complainant's access
    code, emailed at filing, is no letter)."""
    return Counter(
        (r.message["Subject"], r.rcpt_tos[0])
        for r in recorder.received
        if not r.message["Subject"].startswith("Your access to case")
    )


@pytest.mark.serial
def test_a_worker_killed_mid_send_leaves_each_letter_issued_once_and_delivered_once(tmp_path):
    """SQLite file database of its own, so that real processes share it with the test."""
    with SMTPServer() as server:
        smtp = server.recorder
        env = worker_env(
            private_dir=tmp_path / "private",
            smtp_port=server.port,
            sqlite_path=tmp_path / "probity.sqlite3",
            PROBITY_DELIVERY_LEASE_SECONDS="3",
            PROBITY_DELIVERY_RETRY_DELAYS="1,1",
        )
        manage(env, "migrate", "--noinput", "-v0")
        scene(env, "build", "2")
        before = scene(env, "check")
        # Per case: acknowledgement, notice of complaint; ordered, prepared by the worker.
        assert len(before["orders"]) == 4 and before["letters"] == {}
        assert {x["status"] for x in before["orders"].values()} == {"preparing"}

        smtp.stall_next = True
        first = start_worker(env, log=tmp_path / "worker1.log")
        try:
            assert smtp.stalled.wait(60), (tmp_path / "worker1.log").read_text()
            os.kill(first.pid, signal.SIGKILL)  # in the middle of the SMTP conversation
            first.wait(timeout=10)
        finally:
            stop(first)
        mid = scene(env, "check")
        assert "sending" in {x["status"] for x in mid["letters"].values()}

        second = start_worker(env, log=tmp_path / "worker2.log")
        try:
            after = wait_for(
                lambda: (
                    (c := scene(env, "check"))
                    and all(x["status"] == "sent" for x in c["letters"].values())
                    and c
                ),
                timeout=90,
                every=1,
            )
        finally:
            stop(second)

    assert len(after["letters"]) == 4  # each order issued once, none again
    assert {x["letter"] for x in after["orders"].values()} == {int(k) for k in after["letters"]}
    for letter in after["letters"].values():
        assert letter["issued_events"] == 1
        assert letter["sent_to"] == sorted(letter["emails"])  # one success per address
    stalled = [x for x in after["letters"].values() if x["attempts"] > 1]
    assert len(stalled) == 1  # the letter whose worker was killed was tried again
    assert after["records_ok"]
    expected = sum(len(x["emails"]) for x in after["letters"].values())
    counts = received_once(smtp)
    assert sum(counts.values()) == expected and set(counts.values()) == {1}


class StallingTimestamper:
    """A time-stamping authority that accepts the connection and never answers: a
    worker signing a letter with it is held mid-preparation, where the test kills it."""

    def __init__(self):
        import socket
        import threading

        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(8)
        self.port = self.sock.getsockname()[1]
        self.called = threading.Event()
        self.held = []
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self):
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.held.append(conn)
            self.called.set()

    def close(self):
        for conn in self.held:
            conn.close()
        self.sock.close()


@pytest.mark.serial
def test_a_worker_killed_mid_preparation_leaves_each_letter_issued_once(tmp_path):
    """The first worker signs the first letter with a time-stamping authority that
    never answers and is killed there, its order left `preparing` under a lease; the
    second worker's sweep hands the order back to the queue after the lease, and every
    letter is issued exactly once, signed, with one `letter_issued` event."""
    tsa = StallingTimestamper()
    with SMTPServer() as server:
        base = dict(
            private_dir=tmp_path / "private",
            smtp_port=server.port,
            sqlite_path=tmp_path / "probity.sqlite3",
            PROBITY_LETTER_SIGNING_FILE=str(tmp_path / "signing.p12"),
            PROBITY_LETTER_LEASE_SECONDS="3",
        )
        env = worker_env(**base)
        manage(env, "letter_certificate", "--generate", str(tmp_path / "signing.p12"))
        manage(env, "migrate", "--noinput", "-v0")
        scene(env, "build", "2")
        before = scene(env, "check")
        assert len(before["orders"]) == 4 and before["letters"] == {}

        stalling = worker_env(**base, PROBITY_LETTER_TSA_URL=f"http://127.0.0.1:{tsa.port}/")
        first = start_worker(stalling, log=tmp_path / "worker1.log")
        try:
            assert tsa.called.wait(90), (tmp_path / "worker1.log").read_text()
            os.kill(first.pid, signal.SIGKILL)  # in the middle of signing the letter
            first.wait(timeout=10)
        finally:
            stop(first)
            tsa.close()
        mid = scene(env, "check")
        held = [x for x in mid["orders"].values() if x["status"] == "preparing" and x["attempts"]]
        assert len(held) == 1 and held[0]["letter"] is None  # killed before it was issued
        assert mid["letters"] == {}  # the one being signed is the first: none issued yet

        second = start_worker(env, log=tmp_path / "worker2.log")
        try:
            after = wait_for(
                lambda: (
                    (c := scene(env, "check"))
                    and all(x["status"] == "issued" for x in c["orders"].values())
                    and all(x["status"] == "sent" for x in c["letters"].values())
                    and c
                ),
                timeout=120,
                every=1,
            )
        finally:
            stop(second)

    assert after["orders"].keys() == before["orders"].keys()
    assert len(after["letters"]) == 4  # one letter per order, none issued twice
    assert sorted(x["letter"] for x in after["orders"].values()) == sorted(
        int(k) for k in after["letters"]
    )
    for letter in after["letters"].values():
        assert letter["issued_events"] == 1
    retried = [x for x in after["orders"].values() if x["attempts"] > 1]
    assert len(retried) == 1  # the order whose worker was killed, prepared again
    assert after["records_ok"], after["problems"]  # hashes and signatures verify


@pytest.mark.postgres
@pytest.mark.serial
@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_a_task_row_locked_by_one_worker_is_skipped_by_another(world, database_tasks):
    """The database backend's claim: SELECT ... FOR UPDATE SKIP LOCKED."""
    import threading

    from django_tasks_db.models import DBTaskResult

    from cases.services.letters import deliver_letter

    for _ in range(2):
        deliver_letter.enqueue(0)
    taken = {}
    holding, release = threading.Event(), threading.Event()

    def first():
        try:
            with transaction.atomic():
                taken["first"] = DBTaskResult.objects.ready().get_locked().pk
                holding.set()
                release.wait(20)
        finally:
            connection.close()

    thread = threading.Thread(target=first)
    thread.start()
    try:
        assert holding.wait(20)
        with transaction.atomic():
            second = DBTaskResult.objects.ready().get_locked()
            assert second is not None and second.pk != taken["first"]
            with transaction.atomic():
                # Nothing else is left: the first worker's row is invisible, not waited for.
                assert DBTaskResult.objects.ready().exclude(pk=second.pk).get_locked() is None
    finally:
        release.set()
        thread.join(20)


@pytest.mark.postgres
@pytest.mark.serial
@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_two_workers_on_one_postgresql_queue_never_take_the_same_task(
    world, database_tasks, private_storage, tmp_path
):
    from django_tasks_db.models import DBTaskResult

    from tests.factories.cases import open_review
    from tests.factories.letters import world_case

    for _ in range(6):
        open_review(world_case(world), world.staff)
    orders = LetterOrder.objects.count()
    assert DBTaskResult.objects.ready().count() == orders == 12  # the letters' preparation

    name = connection.settings_dict["NAME"]
    s = connection.settings_dict
    url = f"postgres://{s['USER']}:{s['PASSWORD']}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{name}"
    with SMTPServer() as server:
        env = worker_env(private_dir=private_storage, smtp_port=server.port, database_url=url)
        workers = [
            start_worker(env, "--batch", "--worker-id", f"w{i}", log=tmp_path / f"w{i}.log")
            for i in (1, 2)
        ]
        try:
            for w in workers:
                w.wait(timeout=120)
        finally:
            for w in workers:
                stop(w)
        smtp = server.recorder

    results = list(DBTaskResult.objects.all())
    assert Letter.objects.count() == orders  # each prepared once, by one of the two
    assert len(results) == 2 * orders  # a preparation and a delivery per letter
    assert {r.status for r in results} == {"SUCCESSFUL"}
    assert all(len(r.worker_ids) == 1 for r in results)  # each task taken by one worker
    assert {r.worker_ids[0] for r in results} <= {"w1", "w2"}
    assert set(Dispatch.objects.values_list("status", flat=True)) == {DispatchStatus.SENT}
    counts = received_once(smtp)
    assert set(counts.values()) == {1}  # no message sent twice
    assert sum(counts.values()) == sum(len(x.recipient_emails) for x in Letter.objects.all())
