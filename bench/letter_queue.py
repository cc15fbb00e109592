"""Shared by bench_letter_workers.py and bench_worker_memory.py: a database of its own
(SQLite, or with --postgres a PostgreSQL server's `probity_bench_letters*` databases)
with N letter orders waiting on the queue, and real `probity_worker` processes to
prepare them (docs/decisions/0027).

The orders are made the way the app makes them for a few cases (the acknowledgement and
the notice of complaint, through the services), then copied until there are N: each
copy is a letter order of its own, with its own task row, that a worker renders with
WeasyPrint, signs with a self-signed certificate, hashes, stores and issues.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable


def environment(db: Path, private: Path, certificate: Path, url: str = "") -> dict:
    """The workers' environment; `url` (postgres://...) instead of the SQLite file `db`."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    env.pop("DATABASE_URL", None)
    if url:
        env["DATABASE_URL"] = url
    env.update(
        DJANGO_SETTINGS_MODULE="association.settings",
        SQLITE_PATH=str(db),
        PROBITY_VAR_DIR=str(db.parent),
        PROBITY_PRIVATE_DIR=str(private),
        PROBITY_TASKS_BACKEND="database",
        PROBITY_LETTER_SIGNING_FILE=str(certificate),
        # The emails go nowhere: the letters' preparation is what is measured.
        EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend",
        PROBITY_DEADLINES_EVERY="0",
        PROBITY_DIGEST_EVERY="0",
        PROBITY_WORKER_HEARTBEAT_SECONDS="5",
    )
    return env


def build(var: Path, orders: int, server: str = "") -> tuple[Path, Path]:
    """A database with `orders` letter orders waiting; returns (its file, the certificate).
    With `server` (postgres://user:pw@host:port) the database is PostgreSQL's
    `probity_bench_letters`, re-created."""
    var.mkdir(parents=True, exist_ok=True)
    db, private, cert = var / "queue.sqlite3", var / "private", var / "signing.p12"
    for p in (db, Path(f"{db}-wal"), Path(f"{db}-shm"), cert):
        p.unlink(missing_ok=True)
    shutil.rmtree(private, ignore_errors=True)
    url = ""
    if server:
        url = recreate(server, "probity_bench_letters")
    env = environment(db, private, cert, url)
    run(env, "manage.py", "letter_certificate", "--generate", str(cert))
    run(env, "manage.py", "migrate", "--noinput", "-v0")
    run(env, "bench/letter_queue.py", "--make", str(orders))
    return db, cert


def run(env: dict, *args: str) -> str:
    done = subprocess.run(
        [PYTHON, *args], env=env, cwd=ROOT, capture_output=True, text=True, timeout=1800
    )
    if done.returncode:
        raise SystemExit(done.stdout + done.stderr)
    return done.stdout


def recreate(server: str, name: str, template: str = "") -> str:
    """Drop and create the PostgreSQL database `name` (from `template`); its URL."""
    import psycopg

    with psycopg.connect(f"{server}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else ""))
    return f"{server}/{name}"


def copy_database(db: Path, to: Path, server: str = "") -> Path | str:
    """A fresh copy of the built database (and its private folder) for one run: the
    SQLite file's path, or with `server` the PostgreSQL copy's URL."""
    if to.exists():
        shutil.rmtree(to)
    to.mkdir(parents=True)
    if server:
        shutil.copytree(db.parent / "private", to / "private")
        return recreate(server, f"probity_bench_letters_{to.name}", "probity_bench_letters")
    for suffix in ("", "-wal", "-shm"):
        if Path(f"{db}{suffix}").exists():
            shutil.copy(f"{db}{suffix}", to / f"queue.sqlite3{suffix}")
    if (db.parent / "private").exists():
        shutil.copytree(db.parent / "private", to / "private")
    return to / "queue.sqlite3"


def start_worker(env: dict, worker_id: str, log: Path, *extra: str) -> subprocess.Popen:
    return subprocess.Popen(
        [
            PYTHON,
            "manage.py",
            "probity_worker",
            "--no-startup-delay",
            "--interval",
            "0.05",
            "--worker-id",
            worker_id,
            *extra,
        ],
        env=env,
        cwd=ROOT,
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
    )


def issued(db: Path | str) -> int:
    query = "SELECT COUNT(*) FROM cases_letterorder WHERE letter_id IS NOT NULL"
    if isinstance(db, str):  # a PostgreSQL URL
        import psycopg

        with psycopg.connect(db) as conn:
            return conn.execute(query).fetchone()[0]
    import sqlite3

    with sqlite3.connect(db, timeout=30) as conn:
        return conn.execute(
            "SELECT COUNT(*) FROM cases_letterorder WHERE letter_id IS NOT NULL"
        ).fetchone()[0]


def rss_kb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def wait_issued(db: Path, count: int, timeout: float, every: float = 0.2) -> None:
    deadline = time.monotonic() + timeout
    while issued(db) < count:
        if time.monotonic() > deadline:
            raise SystemExit(f"timed out: {issued(db)} of {count} letters issued")
        time.sleep(every)


def _make(orders: int) -> None:
    """(in the bench's database) Make `orders` letter orders waiting on the queue."""
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.conf import settings
    from django.db import transaction

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    from cases.models import LetterOrder
    from cases.services import letters
    from tests.factories.cases import open_review
    from tests.factories.letters import make_world, world_case

    world = make_world()
    for _ in range(3):
        with transaction.atomic():
            open_review(world_case(world), world.staff)
    models = list(LetterOrder.objects.order_by("pk"))
    with transaction.atomic():
        for i in range(orders - len(models)):
            model = models[i % len(models)]
            order = LetterOrder.objects.create(
                **{
                    f.name: getattr(model, f.name)
                    for f in LetterOrder._meta.fields
                    if f.name not in ("id", "letter", "updated_at")
                }
            )
            letters.enqueue_preparation(order.pk)
    print(LetterOrder.objects.filter(letter__isnull=True).count())


if __name__ == "__main__" and sys.argv[1:2] == ["--make"]:
    _make(int(sys.argv[2]))
