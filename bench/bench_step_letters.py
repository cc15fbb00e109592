"""How much the letters cost a step that issues two of them.

    .venv/bin/python bench/bench_step_letters.py [--cases 12]

SQLite only, on its own file (var/bench_step.sqlite3) with its files under
var/bench_step_private/ (both wiped first). Builds --cases cases under review through the
services (tests/factories), then dismisses half of them with letters as the app issues
them (the respondent's and the complainant's dismissal notice) and the
other half with letter issuing switched off, and prints the median step time of each.
Since docs/decisions/0027 the step only orders its letters (renders their HTML, writes
the LetterOrder rows and the queue's task rows); a worker renders the PDFs. `--drain`
then runs the queued preparations in this process and reports their cost per letter
(the work the step no longer waits for). Target (issue 13): with letters <= 1.2 x
without. See bench/README.md.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", type=int, default=12)
    parser.add_argument("--drain", action="store_true", help="then prepare the letters here")
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    os.environ.pop("DATABASE_URL", None)
    var = ROOT / "var"
    db, private = var / "bench_step.sqlite3", var / "bench_step_private"
    for p in (db, Path(f"{db}-wal"), Path(f"{db}-shm")):
        p.unlink(missing_ok=True)
    shutil.rmtree(private, ignore_errors=True)
    os.environ.update(
        DJANGO_SETTINGS_MODULE="association.settings",
        SQLITE_PATH=str(db),
        PROBITY_PRIVATE_DIR=str(private),
        PROBITY_TASKS_BACKEND="database",  # letters wait in the queue, as in production
        EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
    )
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

    from cases.services import transitions
    from tests.factories.cases import open_review, transition
    from tests.factories.letters import make_world, world_case

    world = make_world()
    cases = [open_review(world_case(world), world.staff) for _ in range(args.cases)]
    real_issue = transitions.issue

    def timed(case) -> float:
        start = time.perf_counter()
        transition(case, "dismiss", world.staff, reason="Out of scope.")
        return time.perf_counter() - start

    timed(cases.pop())  # warm-up (templates, fonts)
    with_letters, without = [], []
    for i, case in enumerate(cases):
        if i % 2:
            transitions.issue = lambda *a, **k: None
            without.append(timed(case))
            transitions.issue = real_issue
        else:
            with_letters.append(timed(case))
    a, b = statistics.median(with_letters), statistics.median(without)
    print(f"dismiss, two letters issued : median {a * 1000:.1f} ms over {len(with_letters)}")
    print(f"dismiss, letters switched off: median {b * 1000:.1f} ms over {len(without)}")
    print(f"ratio {a / b:.2f}x (target <= 1.2x)")
    if args.drain:
        drain()


def drain() -> None:
    """Prepare the queued letters here, one by one, as a worker would."""
    from cases.models import LetterOrder
    from cases.services import letters

    ids = list(LetterOrder.objects.filter(letter__isnull=True).values_list("pk", flat=True))
    start = time.perf_counter()
    for pk in ids:
        letters.attempt_preparation(pk)
    took = time.perf_counter() - start
    issued = LetterOrder.objects.filter(pk__in=ids, letter__isnull=False).count()
    print(
        f"then prepared {issued}/{len(ids)} letters: {took / max(len(ids), 1) * 1000:.0f} ms each"
    )


if __name__ == "__main__":
    main()
