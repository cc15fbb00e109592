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
    parser.add_argument("--cases", type=int, default=42)
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

    from django.test import Client
    from django.urls import reverse

    from cases.services import transitions
    from tests.factories.cases import open_review, transition
    from tests.factories.letters import make_world, world_case
    from tests.factories.people import verified_session

    world = make_world()
    cases = [open_review(world_case(world), world.staff) for _ in range(args.cases)]
    real_issue = transitions.issue
    client = Client()
    client.force_login(world.staff)
    verified_session(client, world.staff)

    def by_service(case) -> float:
        start = time.perf_counter()
        transition(case, "dismiss", world.staff, reason="Out of scope.")
        return time.perf_counter() - start

    def by_request(case) -> float:
        """The step as staff take it: the POST of the case page's form, until its
        response (the redirect back to the case) comes back."""
        url = reverse("cases:case_step", kwargs={"number": case.number, "name": "dismiss"})
        data = {"expected_state": case.state, "reason": "Out of scope.", "confirmed": "yes"}
        start = time.perf_counter()
        response = client.post(url, data)
        took = time.perf_counter() - start
        assert response.status_code == 302, response.status_code
        return took

    by_service(cases.pop())  # warm-up (templates, fonts)
    by_request(cases.pop())
    # Four ways, interleaved so that a change in the machine's load hits them alike.
    times: dict[tuple[str, bool], list[float]] = {}
    for i, case in enumerate(cases):
        how, letters_on = (by_service, by_request)[i % 2], (i // 2) % 2 == 0
        if not letters_on:
            transitions.issue = lambda *a, **k: None
        try:
            times.setdefault((how.__name__, letters_on), []).append(how(case))
        finally:
            transitions.issue = real_issue
    for how, label in (("by_service", "the service alone"), ("by_request", "the request")):
        a = statistics.median(times[(how, True)])
        b = statistics.median(times[(how, False)])
        n = len(times[(how, True)])
        print(
            f"{label}: dismiss with two letters {a * 1000:.1f} ms, letters switched off "
            f"{b * 1000:.1f} ms (medians of {n}); ratio {a / b:.2f}x (target <= 1.2x)"
        )
    print(f"load average: {os.getloadavg()[0]:.2f}")
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
