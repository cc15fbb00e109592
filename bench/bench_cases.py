"""Benchmark the case pages at 1,000 and at 100,000 cases (10,000 organizations).

    .venv/bin/python bench/bench_cases.py [--cases 100000] [--small 1000] [--runs 30]

SQLite by default, on its own file (var/bench_cases.sqlite3, or SQLITE_PATH); set
DATABASE_URL for PostgreSQL. Case files go to var/bench-private (PROBITY_PRIVATE_DIR).
For each size the database is wiped and rebuilt: the SQLite file is deleted, a
PostgreSQL database has its public schema dropped (the script refuses a database
whose name does not contain "bench" unless given --force). Case events are
append-only (a trigger refuses DELETE on PostgreSQL), so there is no removing the
scale cases between sizes: each size starts from an empty database.

For each size it migrates, times `seed_scale --organizations N --cases M`, appends
500 events to one case through cases.services.record_event (under the case's row
lock, as the services do), checks the chosen cases' records with
`verify_case_record`, then requests each page with django.test.Client, as an
ethics-staff user and as a representative, and reports the median and p95 wall
time over --runs requests and the SQL query count. It fails if a page's query count
differs between the two sizes. See bench/README.md for the results.

The pages show the same cases at both sizes: `seed_scale` draws each case from its
own random stream (seed and index), so the cases with index < --small are identical
in both databases; the chosen ones are picked among them.
"""

from __future__ import annotations

import argparse
import datetime
import io
import logging
import os
import re
import statistics
import sys
import threading
import time
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_register import DatabaseTimer, analyze, database_label, percentile  # noqa: E402

EXTRA_EVENTS = 500


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", type=int, default=100000, help="large size (default 100000)")
    parser.add_argument("--small", type=int, default=1000, help="small size (default 1000)")
    parser.add_argument(
        "--organizations", type=int, default=10000, help="organizations at both sizes"
    )
    parser.add_argument("--runs", type=int, default=30, help="timed requests per page")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--page-timeout",
        type=float,
        default=120,
        help="seconds a page's first request may take before its query is cancelled",
    )
    parser.add_argument(
        "--force", action="store_true", help="wipe a PostgreSQL database not named *bench*"
    )
    return parser.parse_args()


def setup_django(args: argparse.Namespace) -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "association.settings")
    os.environ.setdefault("DJANGO_DEBUG", "0")  # no query log, no debug templates
    os.environ.setdefault("PROBITY_PRIVATE_DIR", str(ROOT / "var" / "bench-private"))
    warnings.filterwarnings("ignore", message="No directory at")  # WhiteNoise, no collectstatic
    if not os.environ.get("DATABASE_URL"):
        os.environ.setdefault("SQLITE_PATH", str(ROOT / "var" / "bench_cases.sqlite3"))
        Path(os.environ["SQLITE_PATH"]).parent.mkdir(parents=True, exist_ok=True)
    import django

    django.setup()
    from django.db import connection

    if connection.vendor == "postgresql":
        name = connection.settings_dict["NAME"]
        if "bench" not in name and not args.force:
            sys.exit(
                f"Refusing to wipe PostgreSQL database {name!r}: use a *bench* database or --force."
            )


def wipe_database() -> None:
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public;")
        return
    connection.close()
    path = connection.settings_dict["NAME"]
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


def call(*args) -> tuple[float, str]:
    from django.core.management import call_command

    out = io.StringIO()
    started = time.perf_counter()
    call_command(*args, stdout=out)
    return time.perf_counter() - started, out.getvalue()


# ---------------------------------------------------------------------------
# The cases the pages show (chosen at the small size, among indices both share)
# ---------------------------------------------------------------------------


def choose_cases() -> dict[str, str]:
    """Case numbers and the representative for the pages, from the seeded data."""
    from django.db.models import Count

    from cases.models import Case, CaseUserObjectPermission

    cases = Case.objects.order_by("pk")
    # A live case under review: checklist, actions, findings and report forms.
    few = cases.filter(state="under_review").values_list("number", flat=True).first()
    # A case that went through the board and was closed: ballot, sanction, timeline.
    many = (
        cases.filter(state="closed", ballots__isnull=False).values_list("number", flat=True).first()
    )
    # The representative who can see the most cases, and the latest of them.
    top = (
        CaseUserObjectPermission.objects.filter(
            permission__codename="view_case", user__representative__isnull=False
        )
        .values("user_id", "user__username")
        .annotate(n=Count("pk"))
        .order_by("-n", "user_id")
        .first()
    )
    rep_case = (
        Case.objects.filter(
            caseuserobjectpermission__user_id=top["user_id"],
            caseuserobjectpermission__permission__codename="view_case",
        )
        .order_by("-filed_at")
        .values_list("number", flat=True)
        .first()
    )
    return {"few": few, "many": many, "rep": top["user__username"], "rep_case": rep_case}


def add_events(number: str, count: int) -> None:
    """Append `count` events the way the services do: in a transaction, case row locked."""
    from django.db import transaction

    from cases.models import Case
    from cases.services import record_event

    with transaction.atomic():
        case = Case.objects.select_for_update().get(number=number)
        for i in range(count):
            record_event(
                case,
                actor=None,
                kind="reminder_sent",
                payload={"reminder": "benchmark", "key": f"bench-{i}", "to": 1},
            )


def verify(numbers) -> None:
    for number in numbers:
        _, out = call("verify_case_record", number)
        assert ": OK" in out, out


# ---------------------------------------------------------------------------
# Measuring
# ---------------------------------------------------------------------------


def client_for(username: str, staff: bool = False):
    from django.contrib.auth.models import Group, User
    from django.test import Client

    from members.roles import ETHICS_STAFF

    user, _ = User.objects.get_or_create(username=username, defaults={"first_name": "Bench"})
    if staff:
        user.groups.add(Group.objects.get_or_create(name=ETHICS_STAFF)[0])
    client = Client()
    client.force_login(user)
    return client


def pages(chosen: dict[str, str]) -> list[tuple[str, str, str]]:
    from cases.models import Principle

    principle = Principle.objects.get(code__version="scale", number="S3").pk
    return [
        ("staff", "case list", "/cases/"),
        ("staff", "case list, under review", "/cases/?state=under_review"),
        ("staff", "case list, closed p3", "/cases/?state=closed&page=3"),
        ("staff", "case list, ?q=number", f"/cases/?q={chosen['few']}"),
        ("staff", "case list, ?q=respondent", "/cases/?q=harrow"),
        ("staff", "case list, principle", f"/cases/?principle={principle}"),
        ("staff", "case list, page 50", "/cases/?page=50"),
        ("staff", "dashboard", "/cases/dashboard/"),
        ("staff", "case page, few events", f"/cases/{chosen['few']}/"),
        ("staff", f"case page, {EXTRA_EVENTS}+ events", f"/cases/{chosen['many']}/"),
        ("rep", "Our cases", "/cases/ours/"),
        ("rep", "case page (respondent)", f"/cases/{chosen['rep_case']}/"),
    ]


class Watchdog:
    """Cancels the database query running when `seconds` have passed, so one page whose
    query never ends (at 100,000 cases) is reported instead of stalling the run."""

    def __init__(self, seconds: float):
        self.seconds = seconds
        self.fired = False

    def __enter__(self):
        from django.db import connection

        connection.ensure_connection()
        raw = connection.connection
        cancel = raw.cancel if connection.vendor == "postgresql" else raw.interrupt
        self.timer = threading.Timer(self.seconds, self._fire, [cancel])
        self.timer.start()
        return self

    def _fire(self, cancel) -> None:
        self.fired = True
        cancel()

    def __exit__(self, *exc) -> bool:
        self.timer.cancel()
        return False


def first_request(client, url: str, timeout: float):
    """The first request, or None if its database work ran past `timeout` seconds."""
    from django.db import connection

    watchdog = Watchdog(timeout)
    errors = logging.getLogger("django.request")
    started = time.perf_counter()
    try:
        errors.disabled = True  # the cancelled query's traceback says nothing new
        with watchdog:
            response = client.get(url)
    except Exception:
        if not watchdog.fired:
            raise
        connection.close()  # a cancelled query may leave the connection unusable
        return None, time.perf_counter() - started
    finally:
        errors.disabled = False
    assert response.status_code == 200, (url, response.status_code)
    return response, time.perf_counter() - started


def measure(client, url: str, runs: int, timeout: float) -> dict:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    response, seconds = first_request(client, url, timeout)
    if response is None:
        return {"timeout": seconds}
    for _ in range(2):  # warm up caches (templates, URL resolver, connection)
        response = client.get(url)
    with CaptureQueriesContext(connection) as captured:
        client.get(url)
    queries = len(captured)
    body = response.content
    # Table rows (without the header row), timeline entries and the dashboard's
    # list items linking to a case: what the page rendered.
    rows = (
        body.count(b"<tr")
        - body.count(b"<thead")
        + body.count(b'class="hash"')
        + body.count(b'<li><a href="/cases/2')
    )
    found = re.search(rb"(\d+) cases?</p>", body)
    times, db_times = [], []
    timer = DatabaseTimer()
    with connection.execute_wrapper(timer):
        for _ in range(runs):
            timer.seconds = 0.0
            started = time.perf_counter()
            client.get(url)
            times.append((time.perf_counter() - started) * 1000)
            db_times.append(timer.seconds * 1000)
    return {
        "median": statistics.median(times),
        "p95": percentile(times, 0.95),
        "db": statistics.median(db_times),
        "queries": queries,
        "rows": rows,
        "found": int(found.group(1)) if found else None,
        "timeout": None,
    }


def report(label, seeds, results, small, large, chosen) -> None:
    print()
    print(f"{label}")
    for size in (small, large):
        print(f"  --cases {size}: {seeds[size]}")
    print(
        f"  pages show case {chosen['few']} (few events), {chosen['many']} "
        f"(+{EXTRA_EVENTS} events), {chosen['rep_case']} as {chosen['rep']}"
    )
    columns = [
        "page",
        f"rows @{small}",
        f"rows @{large}",
        f"median ms @{small}",
        f"median ms @{large}",
        f"p95 ms @{small}",
        f"p95 ms @{large}",
        f"db ms @{small}",
        f"db ms @{large}",
        f"ratio {large}/{small}",
        f"queries @{small}",
        f"queries @{large}",
    ]
    print("| " + " | ".join(columns) + " |")
    print("|---" * len(columns) + "|")
    mismatches = []
    for name in results[small]:
        a, b = results[small][name], results[large][name]
        if a["timeout"] or b["timeout"]:
            cells = (
                [name, "", ""]
                + [
                    f"cancelled after {r['timeout']:.0f} s"
                    if r["timeout"]
                    else f"{r['median']:.1f}"
                    for r in (a, b)
                ]
                + [""] * 8
            )
            print("| " + " | ".join(cells) + " |")
            mismatches.append(f"{name}: a request ran past --page-timeout")
            continue

        def rows(r):
            return f"{r['rows']} of {r['found']}" if r["found"] is not None else str(r["rows"])

        cells = [
            name,
            rows(a),
            rows(b),
            f"{a['median']:.1f}",
            f"{b['median']:.1f}",
            f"{a['p95']:.1f}",
            f"{b['p95']:.1f}",
            f"{a['db']:.1f}",
            f"{b['db']:.1f}",
            f"{b['median'] / a['median']:.2f}",
            a["queries"],
            b["queries"],
        ]
        print("| " + " | ".join(str(c) for c in cells) + " |")
        if a["queries"] != b["queries"]:
            mismatches.append(
                f"{name}: {a['queries']} queries at {small}, {b['queries']} at {large}"
            )
    print(
        "(rows: table rows and timeline entries rendered, 'of' the paginator's count; "
        "median and p95 of the wall time of one request; db: median time in the database "
        "driver; ratio of the medians)"
    )
    assert not mismatches, "Query counts grow with the data (or a page timed out): " + "; ".join(
        mismatches
    )
    print("Query counts are equal at both sizes.")


def main() -> int:
    args = parse_args()
    setup_django(args)
    from django.db import connection

    from cases.models import Case, CaseEvent

    label = database_label()
    print(f"Database: {label}; {os.cpu_count()} CPUs; {args.runs} runs per page")
    results: dict[int, dict[str, dict]] = {}
    seeds: dict[int, str] = {}
    chosen = None
    # One "now" for both sizes, so the cases they share are identical: the cases are
    # as they stand at this minute (ballots due yesterday already closed by the
    # simulated deadline job, no event in the future).
    until = datetime.datetime.now(datetime.UTC).replace(second=0, microsecond=0)
    for size in (args.small, args.cases):
        wipe_database()
        migrate_seconds, _ = call("migrate", "--verbosity=0")
        cpu = time.process_time()
        seconds, out = call(
            "seed_scale",
            f"--organizations={args.organizations}",
            f"--cases={size}",
            f"--seed={args.seed}",
            f"--cases-until={until.isoformat()}",
        )
        cpu = time.process_time() - cpu
        analyze()
        seeds[size] = (
            f"migrate {migrate_seconds:.1f}s; seed_scale {seconds:.1f}s wall, "
            f"{cpu:.1f}s CPU in this process ({out.strip()}); "
            f"{Case.objects.count()} cases, {CaseEvent.objects.count()} events"
        )
        print(f"--cases {size}: {seeds[size]}")
        if chosen is None:
            chosen = choose_cases()
        add_events(chosen["many"], EXTRA_EVENTS)
        verify([chosen["few"], chosen["many"], chosen["rep_case"]])
        staff = client_for("bench.staff", staff=True)
        rep = client_for(chosen["rep"])
        results[size] = {
            name: measure(staff if who == "staff" else rep, url, args.runs, args.page_timeout)
            for who, name, url in pages(chosen)
        }
        connection.close()
    report(label, seeds, results, args.small, args.cases, chosen)
    return 0


if __name__ == "__main__":
    sys.exit(main())
