"""Benchmark the member register at 100 and at 10,000 organizations.

    .venv/bin/python bench/bench_register.py [--organizations 10000] [--runs 30]

SQLite by default, on its own file (var/bench.sqlite3, or SQLITE_PATH); set
DATABASE_URL for PostgreSQL. The benchmark database is wiped first: the SQLite
file is deleted, a PostgreSQL database has its public schema dropped, and the
script refuses a PostgreSQL database whose name does not contain "bench" unless
given --force. See bench/README.md for the results.

For each size it times `seed_scale`, then requests each page with django.test.Client
as an ethics-staff user and reports the median and p95 wall time over --runs
requests and the SQL query count. It fails if a page's query count differs
between the two sizes.
"""

from __future__ import annotations

import argparse
import io
import os
import statistics
import sys
import time
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SMALL = 100


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--organizations", type=int, default=10000, help="large size")
    parser.add_argument("--small", type=int, default=SMALL, help="small size (default 100)")
    parser.add_argument("--runs", type=int, default=30, help="timed requests per page")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--force", action="store_true", help="wipe a PostgreSQL database not named *bench*"
    )
    return parser.parse_args()


def setup_django(args: argparse.Namespace) -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "association.settings")
    # Measure without DEBUG's query log and debug template machinery.
    os.environ.setdefault("DJANGO_DEBUG", "0")
    warnings.filterwarnings("ignore", message="No directory at")  # WhiteNoise, no collectstatic
    if not os.environ.get("DATABASE_URL"):
        path = Path(os.environ.setdefault("SQLITE_PATH", str(ROOT / "var" / "bench.sqlite3")))
        path.parent.mkdir(parents=True, exist_ok=True)
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
    import django

    django.setup()
    from django.db import connection

    if connection.vendor == "postgresql":
        name = connection.settings_dict["NAME"]
        if "bench" not in name and not args.force:
            sys.exit(
                f"Refusing to wipe PostgreSQL database {name!r}: use a *bench* database or --force."
            )
        with connection.cursor() as cursor:
            cursor.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public;")


def database_label() -> str:
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SHOW server_version")
            return f"PostgreSQL {cursor.fetchone()[0].split()[0]}"
        cursor.execute("select sqlite_version()")
        return f"SQLite {cursor.fetchone()[0]} (WAL)"


def timed_command(*args) -> float:
    from django.core.management import call_command

    started = time.perf_counter()
    call_command(*args, verbosity=0, stdout=io.StringIO())
    return time.perf_counter() - started


def analyze() -> None:
    """Refresh planner statistics, as autovacuum (PostgreSQL) would after a bulk load."""
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


def remove_scale_data() -> None:
    from django.contrib.auth.models import User

    from cases.management.commands.seed_scale import PREFIX
    from members.models import Organization

    Organization.objects.filter(slug__startswith=PREFIX).delete()
    User.objects.filter(username__startswith=PREFIX).delete()


def staff_client():
    from django.contrib.auth.models import Group, User
    from django.test import Client

    from members.roles import ETHICS_STAFF

    user, _ = User.objects.get_or_create(username="bench.staff", defaults={"first_name": "Bench"})
    user.groups.add(Group.objects.get_or_create(name=ETHICS_STAFF)[0])
    client = Client()
    client.force_login(user)
    return client


def pages(org_slug: str, query: str) -> list[tuple[str, str]]:
    return [
        ("register", "/register/"),
        ("register ?q=", f"/register/?q={query}"),
        ("register lapsed p3", "/register/?status=lapsed&page=3"),
        # Past the end: Paginator.get_page serves the last page (the deepest OFFSET).
        ("register last page", "/register/?page=9999"),
        ("organization page", f"/register/{org_slug}/"),
        ("public directory", "/members/"),
    ]


class DatabaseTimer:
    """An execute wrapper that adds up the time spent in the database driver."""

    def __init__(self):
        self.seconds = 0.0

    def __call__(self, execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.seconds += time.perf_counter() - started


def percentile(values: list[float], fraction: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(fraction * len(ordered)) - 1))]


def measure(client, url: str, runs: int) -> dict:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for _ in range(3):  # warm up caches (templates, URL resolver, connection)
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
    with CaptureQueriesContext(connection) as captured:
        client.get(url)
    queries = len(captured)  # count now: the next request clears the query log
    # Table rows rendered (minus the header row): pages show more rows at 10,000.
    rows = response.content.count(b"<tr") - response.content.count(b"<thead")
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
    }


def report(label: str, seed_times: dict[int, float], results: dict, small: int, large: int):
    print()
    print(
        f"{label}: seed_scale --organizations {small}: {seed_times[small]:.2f}s; "
        f"--organizations {large}: {seed_times[large]:.2f}s"
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
        cells = [
            name,
            a["rows"],
            b["rows"],
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
        "(median and p95 of the wall time of one request; db: median time in the "
        "database driver; ratio of the medians)"
    )
    assert not mismatches, "Query counts grow with the data: " + "; ".join(mismatches)
    print("Query counts are equal at both sizes.")


def main() -> int:
    args = parse_args()
    setup_django(args)
    from django.db import connection

    from members.models import Organization

    label = database_label()
    print(f"Database: {label}; {os.cpu_count()} CPUs; {args.runs} runs per page")
    print(f"migrate: {timed_command('migrate'):.1f}s")

    results: dict[int, dict[str, dict]] = {}
    seed_times: dict[int, float] = {}
    org_slug = None
    for size in (args.small, args.organizations):
        remove_scale_data()  # so each size is seeded from nothing, and timed as such
        seed_times[size] = timed_command(
            "seed_scale", f"--organizations={size}", f"--seed={args.seed}"
        )
        analyze()
        count = Organization.objects.count()
        print(f"seed_scale --organizations {size}: {seed_times[size]:.2f}s ({count} organizations)")
        if org_slug is None:
            # The same organization at both sizes (its data depends only on seed and
            # index): a lapsed one, so its page has dues and history to show.
            org_slug = (
                Organization.objects.filter(status="lapsed")
                .order_by("slug")
                .values_list("slug", flat=True)
                .first()
                or Organization.objects.order_by("slug").values_list("slug", flat=True).first()
            )
        client = staff_client()
        results[size] = {
            name: measure(client, url, args.runs) for name, url in pages(org_slug, "harrow")
        }
        connection.close()
    report(label, seed_times, results, args.small, args.organizations)
    return 0


if __name__ == "__main__":
    sys.exit(main())
